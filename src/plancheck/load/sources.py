"""The folder of source texts: where a text a plan cites is, and how much of it is read."""

from __future__ import annotations

from pathlib import Path

MAX_SOURCE_BYTES = 20 * 1024 * 1024


def source_path(sources: Path, name: str) -> Path | None:
    """The source file inside ``sources``, or None when the name would leave the folder."""
    root = sources.resolve()
    candidate = (root / name).resolve()
    if candidate != root and root in candidate.parents:
        return candidate
    return None
