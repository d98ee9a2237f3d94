"""The console script's entry: the commands registered on the app, run under one error and signal handler.

Every command module is imported here to register its command, so each keeps its own imports
light and imports what a command runs when it runs: a warm `validate` imports neither the models
(pydantic) nor the rules, jinja2 or rich (``tests/test_warm_imports.py``).
"""

from __future__ import annotations

import gc

from plancheck.cli import browse, docs, validate
from plancheck.cli.app import app
from plancheck.cli.errors import run

# registered here, in the order `plancheck --help` lists them
app.command()(validate.validate)
app.command()(browse.show)
app.command()(validate.report)
app.command()(browse.coverage)
app.command()(browse.tree)
app.command()(browse.diff)
app.command("rules")(docs.rules_cmd)
app.command()(docs.explain)
app.command()(docs.schema)

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point: exit 2 with one line for anything unexpected."""
    # A run is short and builds many objects that form no reference cycles (findings, plan
    # summaries, parsed plans); the cyclic collector found nothing to free in them and took a
    # third of a warm national run. Worker processes turn it back on (workers._init_worker).
    gc.disable()
    run(app)
