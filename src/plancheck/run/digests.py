"""The digests of what a check reads besides the plans, the catalogue and the source texts, as
the cache keys of its results hold them."""

from __future__ import annotations

import stat
from pathlib import Path

from plancheck.load.discover import CATALOGUE_NAME, display_path
from plancheck.load.files import hash_file
from plancheck.load.sources import MAX_SOURCE_BYTES, source_path
from plancheck.run.cache import sha256


def catalogue_digest(root: Path | None, max_bytes: int) -> str:
    """The SHA-256 of the catalogue of the tree at ``root``, hashed in chunks; a file over
    ``max_bytes`` is never read (PC004 then depends on its size alone)."""
    if root is None:
        return "-"
    file = root / CATALOGUE_NAME
    hashed = hash_file(file, display_path(file), max_bytes)
    if isinstance(hashed, tuple):
        return hashed[0]
    return "unread:" + ";".join(sorted(f.message for f in hashed.findings))


class DocumentDigests:
    """The digest of each source text in ``sources`` by name, each text read once per run."""

    def __init__(self, sources: Path | None) -> None:
        self.sources = sources
        self._shas: dict[tuple[Path, int, int], str] = {}

    def digest(self, name: str) -> str:
        """The digest of one source text as the provenance rules would read it (its content)."""
        sources = self.sources
        assert sources is not None
        path = source_path(sources, name)
        if path is None:
            return f"{name}\0outside"
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                return f"{sources}\0{name}\0not a file"  # never opened: a FIFO would block
            stamp = (path, info.st_mtime_ns, info.st_size)
            if stamp not in self._shas:  # within one run: a text is read once
                with path.open("rb") as handle:  # what the provenance rules read, no more
                    self._shas[stamp] = sha256(handle.read(MAX_SOURCE_BYTES + 1))
            return f"{sources}\0{name}\0{self._shas[stamp]}"
        except OSError:
            return f"{sources}\0{name}\0missing"
