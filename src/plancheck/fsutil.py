"""Writing files so that an interrupted run never leaves a truncated one."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# temporary files being written, removed by discard_pending when a signal ends the run
_PENDING: set[str] = set()


def discard_pending() -> None:
    for tmp in list(_PENDING):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _PENDING.discard(tmp)


def write_atomic(path: Path, data: str | bytes, *, durable: bool = True) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename over ``path``.

    ``durable=False`` skips the flush to disk: for cache entries, where thousands of fsyncs would
    cost seconds and an entry lost to a power cut is only rebuilt (a damaged one is ignored).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with open_atomic(path, durable=durable) as handle:
        handle.write(raw)


@contextlib.contextmanager
def open_atomic(path: Path, *, durable: bool = True, follow: bool = True) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces ``path`` only when the block ends without error.

    ``follow=False`` never writes through what is at ``path``: a link, pipe or device there is
    replaced by the file (the pages of `report --out-dir`, a folder that may hold planted links).
    """
    if follow and path.exists() and not path.is_file():
        # a device or pipe (-o /dev/null, -o /dev/stdout): write through it, never rename over it
        with path.open("wb") as handle:
            yield handle
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file private (0600); the result gets the mode an ordinary write would
    # give it: the existing file's, else what the umask allows
    try:
        info = path.stat() if follow else path.lstat()
        if not stat.S_ISREG(info.st_mode):
            raise FileNotFoundError(path)  # a link's target says nothing about the page's mode
        mode = info.st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    # the temporary name is short whatever the target's: a legal 255-byte name plus a prefix
    # and suffix would pass the file system's limit
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
    _PENDING.add(tmp)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        _PENDING.discard(tmp)


def _umask() -> int:
    current = os.umask(0)  # the only way to read it; set straight back
    os.umask(current)
    return current
