"""The plan files of one run: each one's path, expected id and key, and what is known of it.

A file's key is the hash of its content, which the status index (``run.statindex``) may vouch
for without reading the file; a file that cannot be read has, instead of a key, what ``load``
says about it (``unread``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plancheck.load.files import hash_file, regular_stat
from plancheck.load.yamlio import Loaded
from plancheck.run.cache import file_key
from plancheck.run.statindex import StatIndex

if TYPE_CHECKING:
    from plancheck.load.plan import LoadedPlan


@dataclass
class PlanFile:
    file: Path
    shown: str
    plan_id: str | None
    key: str | None = None
    unread: Loaded | None = None  # why the file cannot be read (it then has no key)
    light: LoadedPlan | None = None  # known summary (from the cache or a worker)
    results: dict[str, Any] = field(default_factory=dict)  # context key -> findings as JSON text
    # the encoded summary a worker sent: set only when the cache entry must be written
    record: dict[str, Any] | None = None
    # the summary as its entry holds it, as JSON text (a tenth of the memory of the data), for the
    # tree's entry
    encoded: str | None = None
    guess: tuple[str | None, list[str]] = (None, [])


def hash_files(
    files: list[PlanFile],
    max_bytes: int,
    index: StatIndex | None,
    hashed: Callable[[PlanFile, bytes | None], None] | None = None,
) -> None:
    """Set each file's key, or ``unread``; ``hashed`` is called with each file that has a key and
    its first bytes, when they were read (None when the index vouched for the file)."""
    for f in files:
        digest, head = content_digest(f, max_bytes, index)
        if isinstance(digest, Loaded):  # cannot be read: its finding is known without a worker
            f.unread = digest
            continue
        f.key = file_key(digest, f.plan_id, max_bytes)
        if hashed is not None:
            hashed(f, head)


def content_digest(f: PlanFile, max_bytes: int, index: StatIndex | None) -> tuple[str | Loaded, bytes | None]:
    """The SHA-256 of ``f``'s content and its first bytes (None when not read: the index vouched
    for the file), or a Loaded that says why it cannot be read."""
    if index is None:
        hashed = hash_file(f.file, f.shown, max_bytes)
        return (hashed, None) if isinstance(hashed, Loaded) else hashed
    try:
        # the status is taken before the content is read: a file changed while it is hashed is
        # then recorded with its old status, so the next run sees the change and hashes it again
        info = regular_stat(f.file, f.shown, max_bytes)
    except OSError:
        info = None  # hash_file reports why
    if isinstance(info, Loaded):
        return info, None
    if info is not None:
        known = index.lookup(str(f.file), info)
        if known is not None:
            return known, None
    hashed = hash_file(f.file, f.shown, max_bytes)
    if isinstance(hashed, Loaded):
        return hashed, None
    if info is not None:
        index.record(str(f.file), info, hashed[0])
    return hashed
