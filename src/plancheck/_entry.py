"""The console script and ``python -m plancheck``: signals are handled before anything loads.

Importing the command line (typer, rich, pydantic, the rules) takes a moment; a Ctrl-C in it
would print a KeyboardInterrupt traceback. Until ``plancheck.cli.errors.run`` installs its own
handlers, a signal ends the run here, with the same line and exit code.
"""

from __future__ import annotations

import os
import signal

_SAID: dict[int, tuple[str, int]] = {signal.SIGINT: ("interrupted", 130), signal.SIGHUP: ("hung up", 129)}


def _early(signum: int, frame: object) -> None:
    what, code = _SAID.get(signum, ("terminated", 143))
    os.write(2, f"plancheck: {what}\n".encode())
    os._exit(code)


def main() -> None:
    signal.signal(signal.SIGTERM, _early)
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # nohup keeps it ignored
        signal.signal(signal.SIGHUP, _early)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when ignored (nohup, &)
        signal.signal(signal.SIGINT, _early)
    from plancheck.cli.main import main as run

    run()
