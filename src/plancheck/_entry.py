"""The console script and ``python -m plancheck``: signals are handled before anything loads.

Importing the command line (typer, rich, pydantic, the rules) takes a moment; a Ctrl-C in it
would print a KeyboardInterrupt traceback. Until ``cli.main`` installs its own handlers, a
signal ends the run here, with the same line and exit code.
"""

from __future__ import annotations

import os
import signal


def _early(signum: int, frame: object) -> None:
    what, code = ("interrupted", 130) if signum == signal.SIGINT else ("terminated", 143)
    os.write(2, f"plancheck: {what}\n".encode())
    os._exit(code)


def main() -> None:
    signal.signal(signal.SIGTERM, _early)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when ignored (nohup, &)
        signal.signal(signal.SIGINT, _early)
    from plancheck.cli import main as run

    run()
