"""The one place for how a run ends badly: usage errors (one line, exit 2), internal errors (one
line, or the traceback when asked), signals (one line, no worker or half-written file left),
a reader that goes away (exit 141) and streams that cannot encode Vietnamese."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import sys
from collections.abc import Callable, Iterator

import typer

from plancheck.fsutil import discard_pending
from plancheck.report.text import clean, shown_path
from plancheck.run.workers import end_workers


def fail(message: str, code: int = 2) -> typer.Exit:
    # messages quote paths, refs and plan text: one line, inert on a terminal
    typer.echo(f"plancheck: {clean(message)}", err=True)
    return typer.Exit(code)


_MAIN_PID = os.getpid()
# a closed terminal (SIGHUP) ends a run as Ctrl-C and SIGTERM do: pending files are removed
_SIGNAL_EXITS: dict[int, tuple[str, int]] = {
    signal.SIGINT: ("interrupted", 130),
    signal.SIGHUP: ("hung up", 129),
}


def _on_signal(signum: int, frame: object) -> None:
    """Ctrl-C (exit 130) or SIGTERM (exit 143): one line, never a traceback, no worker left.

    Everything is done here rather than by raising: an exception raised from a signal handler
    is swallowed when the signal lands in a finaliser or an at-fork hook (both run while worker
    processes start), and the run would go on.
    """
    if os.getpid() != _MAIN_PID:  # a worker just forked, before it set its own handlers
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second signal must not interrupt this one
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    with contextlib.suppress(Exception):
        end_workers()
    with contextlib.suppress(Exception):
        discard_pending()  # a half-written report or cache entry is removed, never left behind
    what, code = _SIGNAL_EXITS.get(signum, ("terminated", 143))
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(OSError):
        os.write(2, f"plancheck: {what}\n".encode())
    os._exit(code)


def _tolerant_streams() -> None:
    """Plan text is Vietnamese: on a terminal or pipe that cannot encode it (a C locale,
    PYTHONIOENCODING=ascii) the findings are still written, with `\\uXXXX` for what it cannot
    show, rather than the run dying on the first quotation mark. Standard output is guarded
    against a reader that goes away (see _PipeGuard)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")
    out = sys.stdout
    if type(out) is io.TextIOWrapper:
        with contextlib.suppress(ValueError, OSError):
            line_buffering = out.line_buffering
            encoding, errors = out.encoding, out.errors
            out.flush()
            sys.stdout = _PipeGuard(
                out.detach(), encoding=encoding, errors=errors, line_buffering=line_buffering
            )


class _PipeGuard(io.TextIOWrapper):
    """Standard output that ends the run quietly (exit 141, as a shell gives for SIGPIPE) the
    moment its reader goes away: click would otherwise catch the broken pipe itself and exit 1,
    which reads as "findings" (`plancheck validate -f json | head`)."""

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except BrokenPipeError:
            _quiet_exit()
            raise  # not reached: _quiet_exit ends the run

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            _quiet_exit()


# errors of the device written to, not of plancheck: a full disk or quota, /dev/full
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS})


def _internal(exc: BaseException, hint: str) -> str:
    """The one line for an exception no command turned into a finding or a usage error."""
    if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
        where = f" {shown_name(str(exc.filename))}" if exc.filename is not None else ""
        return f"cannot write{where}: {exc.strerror}"
    return f"internal error: {type(exc).__name__}: {shown_name(str(exc))} ({hint})"


@contextlib.contextmanager
def internal_errors(debug: bool, usage: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Around a command's work: an exception it did not turn into a finding or a usage error is
    one line and exit 2 (the traceback with ``--debug``); those of ``usage`` are usage errors.
    A closed pipe is left to ``main``, which ends the run quietly."""
    try:
        yield
    except (typer.Exit, BrokenPipeError):
        raise
    except usage as exc:
        raise fail(str(exc)) from None
    except Exception as exc:
        if debug:
            raise
        raise fail(_internal(exc, "run with --debug for the traceback")) from None


def shown_name(name: str) -> str:
    """A file name for a terminal: bytes that are not UTF-8 (kept by Python as surrogates) as
    `\\xNN`, controls and bidi characters inert."""
    return shown_path(os.fsencode(name).decode("utf-8", "backslashreplace"))


def _quiet_exit() -> None:
    """The reader went away (`plancheck report | head`): no traceback and no "Exception ignored"
    when Python flushes standard output at exit; the status a shell gives for SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)


def run(app: Callable[[], object]) -> None:
    """Run the command line with the handlers above: exit 2 with one line for anything unexpected."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and not (columns.isascii() and columns.isdigit() and int(columns) > 0):
        # rich takes COLUMNS=0 as a width of nothing and prints nothing at all: a width that is
        # no positive number is no width (the terminal's, or 80)
        del os.environ["COLUMNS"]
    if sys.stdout is None:  # closed (`>&-`): what would be written goes nowhere, no command fails on it
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process's life
    _tolerant_streams()
    try:
        os.getcwd()
    except FileNotFoundError:
        # every command reads its configuration from the working folder upwards
        if sys.stderr is not None:
            print("plancheck: the working folder no longer exists; change to a plan tree", file=sys.stderr)
        sys.exit(2)
    signal.signal(signal.SIGTERM, _on_signal)
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # nohup keeps it ignored
        signal.signal(signal.SIGHUP, _on_signal)
    # plancheck._entry may have replaced Python's handler already; SIG_IGN (nohup, &) is kept
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _on_signal)
    try:
        try:
            app()
        finally:
            # a full device fails here, said in one line, rather than at exit with a traceback;
            # with standard output closed (`>&-`) there is none to flush
            if sys.stdout is not None:
                sys.stdout.flush()
    except KeyboardInterrupt:
        _on_signal(signal.SIGINT, None)
    except BrokenPipeError:
        _quiet_exit()
    except Exception as exc:
        # the one safety net: whatever a command did not turn into a finding or a usage error
        # becomes one line, never a traceback (unless asked for): not every command takes
        # --debug, so the hint names the variable every command reads
        if "--debug" in sys.argv or os.environ.get("PLANCHECK_DEBUG") == "1":
            raise
        typer.echo(f"plancheck: {_internal(exc, 'set PLANCHECK_DEBUG=1 for the traceback')}", err=True)
        sys.exit(2)
