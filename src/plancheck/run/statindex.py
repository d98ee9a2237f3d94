"""The status index of one tree: which files need not be hashed again (as git's index)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

from plancheck.run.cache import HEX64, MAGIC, Store, read_signed, write_signed

INDEX_LAYOUT = "index-v1"
# A file whose mtime or ctime is this close to (or after) the start of the run that recorded its
# status is "racily clean", as git calls it: it may have changed again within the same tick of
# the file system's clock (one or two seconds on some file systems), so its content is hashed.
RACY_WINDOW_NS = 3_000_000_000
_INDEX_KEYS = frozenset({"magic", "key", "started", "files"})
FileStat = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


def run_start_ns() -> int:
    """The time a run starts, as the index records it (a function, so tests can move it)."""
    return time.time_ns()


def file_stat(info: os.stat_result) -> FileStat:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def index_key(tree_root: Path) -> str:
    """The key (and file name) of the status index of the plan tree at ``tree_root``."""
    # os.fsencode: a folder above the tree may have a name that is not UTF-8 (kept by Python as
    # surrogates, which str.encode refuses)
    return hashlib.sha256(f"stat-index\0{INDEX_LAYOUT}\0".encode() + os.fsencode(tree_root)).hexdigest()


def index_problem(data: Any, key: str) -> str | None:
    """What makes ``data`` not a status index for ``key`` as plancheck writes one, or None.

    ``{"magic", "key", "started", "files"}``: ``started`` the start of the run that wrote it, in
    nanoseconds (an integer), and ``files`` mapping each file's absolute path to ``[size,
    mtime_ns, ctime_ns, inode, device, sha256]``: five integers (sizes, inodes and devices from
    0) and 64 hex digits.
    """
    if not isinstance(data, dict) or set(data) != _INDEX_KEYS:
        return "not an index object with exactly magic, key, started and files"
    if data["magic"] != MAGIC or data["key"] != key:
        return "another format, or an index for another tree"
    if type(data["started"]) is not int or type(data["files"]) is not dict:
        return "started is an integer and files an object"
    for path, item in data["files"].items():
        if (
            type(item) is not list
            or len(item) != 6
            or not all(type(n) is int for n in item[:5])
            or item[0] < 0
            or item[3] < 0
            or item[4] < 0
            or type(item[5]) is not str
            or not HEX64.fullmatch(item[5])
            or not path
        ):
            return "files maps paths to [size, mtime_ns, ctime_ns, inode, device, sha256]"
    return None


class StatIndex:
    """The status of each plan file of one tree when its content was last hashed, as git's index
    keeps it: a file whose size, mtime, ctime, inode and device are unchanged, and whose times
    are not within RACY_WINDOW_NS of the start of the run that recorded them, is taken to hold
    the content it held then, and is not hashed again.

    One signed file per tree (``<cache-dir>/index-v1/<key>.json``, see ``index_key``), checked
    like every entry: a tampered, foreign, malformed or unreadable index is ignored, and every
    file is then hashed. What it trusts beyond the signature: that a change to a file's content
    changes its ctime (which no user can set back, unlike mtime) or its inode, and that the
    clock does not go back by more than the window.
    """

    def __init__(self, store: Store, tree_root: Path) -> None:
        assert store.root is not None
        self.key = index_key(tree_root)
        self.path = store.root / INDEX_LAYOUT / f"{self.key}.json"
        # taken before any file's status is: a file changed after its status was recorded is
        # then either seen as changed or racy on the next run (see lookup)
        self.started = run_start_ns()
        self.old: dict[str, list[Any]] = {}
        self.old_started = 0
        data = read_signed(self.path, self.key)
        if index_problem(data, self.key) is None:
            self.old, self.old_started = data["files"], data["started"]
        self.files: dict[str, list[Any]] = {}
        self.changed = False

    def lookup(self, path: str, info: os.stat_result) -> str | None:
        """The SHA-256 of the content of the file at ``path`` with status ``info``, when the index
        vouches for it; None when it must be hashed (unknown, changed or racily clean)."""
        item = self.old.get(path)
        now = file_stat(info)
        if item is None or tuple(item[:5]) != now:
            return None
        if max(now[1], now[2]) >= self.old_started - RACY_WINDOW_NS:
            self.changed = True  # written again with this run's start: clean on the next run
            return None
        self.files[path] = item
        return str(item[5])

    def record(self, path: str, info: os.stat_result, digest: str) -> None:
        """The content of ``path``, whose status before it was read was ``info``, hashes to ``digest``."""
        self.files[path] = [*file_stat(info), digest]
        self.changed = True

    def forget(self, path: str) -> None:
        """The file at ``path`` was found to change during the run: hash it next time."""
        if self.files.pop(path, None) is not None:
            self.changed = True

    def save(self) -> None:
        """Write the index when it differs from the one read (atomically, signed)."""
        if self.changed or self.files.keys() != self.old.keys():
            entry = {"magic": MAGIC, "key": self.key, "started": self.started, "files": self.files}
            write_signed(self.path, self.key, entry)
