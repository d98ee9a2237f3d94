"""Reading one file within its limits: a regular file, not over the size limit, hashed or parsed."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from plancheck.load.yamlio import Loaded, load_bytes
from plancheck.rules.input import FILE_TOO_LARGE, UNREADABLE_FILE


def _regular_size(file: Path, shown: str, max_bytes: int) -> int | Loaded:
    """The size of a plan file that can be read, or a Loaded holding the finding that says why not."""
    info = regular_stat(file, shown, max_bytes)
    return info if isinstance(info, Loaded) else info.st_size


def regular_stat(file: Path, shown: str, max_bytes: int) -> os.stat_result | Loaded:
    """The status of a plan file that can be read (links followed), or a Loaded holding the
    finding that says why it cannot; an OSError when it cannot even be looked at."""
    if file.is_symlink() and not file.exists():
        return Loaded(
            None, findings=[UNREADABLE_FILE.finding(shown, 1, 1, "broken or looping symbolic link")]
        )
    info = file.stat()
    if not stat.S_ISREG(info.st_mode):
        # opening a FIFO blocks forever; a device (a link to /dev/zero) is not a plan either
        return Loaded(None, findings=[UNREADABLE_FILE.finding(shown, 1, 1, "not a regular file")])
    size = info.st_size
    if size > max_bytes:
        return Loaded(
            None,
            findings=[
                FILE_TOO_LARGE.finding(
                    shown,
                    1,
                    1,
                    f"file is {size:,} bytes; the limit is {max_bytes:,} (setting max-file-size)",
                    ctx={"size": size, "limit": max_bytes},
                )
            ],
        )
    return info


def _unreadable(shown: str, exc: OSError) -> Loaded:
    return Loaded(
        None, findings=[UNREADABLE_FILE.finding(shown, 1, 1, f"cannot read file: {exc.strerror or exc}")]
    )


def read_raw(file: Path, shown: str, max_bytes: int) -> bytes | Loaded:
    """The bytes of a plan file, or a Loaded holding the finding that says why it cannot be read."""
    try:
        size = _regular_size(file, shown, max_bytes)
        if isinstance(size, Loaded):
            return size
        with file.open("rb") as handle:
            # ask for what the file holds (one byte more shows growth), not for the limit: a
            # 5 MB buffer per read, shrunk afterwards, fragments the heap over thousands of files
            return handle.read(min(size, max_bytes) + 1)
    except OSError as exc:
        return _unreadable(shown, exc)


def hash_file(file: Path, shown: str, max_bytes: int, head: int = 8192) -> tuple[str, bytes] | Loaded:
    """The SHA-256 of a plan file and its first ``head`` bytes, without holding the whole file.

    The same as hashing what ``read_raw`` returns, for a file that does not change meanwhile.
    """
    try:
        size = _regular_size(file, shown, max_bytes)
        if isinstance(size, Loaded):
            return size
        with file.open("rb") as handle:
            start = handle.read(head)
            digest = hashlib.sha256(start)
            while chunk := handle.read(1 << 18):
                digest.update(chunk)
        return digest.hexdigest(), start
    except OSError as exc:
        return _unreadable(shown, exc)


def read_file(file: Path, shown: str, max_bytes: int) -> Loaded:
    raw = read_raw(file, shown, max_bytes)
    if isinstance(raw, Loaded):
        return raw
    return load_bytes(raw, shown, max_bytes=max_bytes)
