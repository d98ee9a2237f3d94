"""Cache of each plan file's checked result, keyed by content hash.

One entry per plan file, stored as JSON (never pickle: a cache folder is not trusted to run
code) under ``<cache-dir>/v2/<key[:2]>/<key>.json``. The key combines the file's SHA-256, the id
its path gives it, the size limit and a fingerprint of plancheck's own code (its version and
the text of its modules, so an edited rule never meets an old entry). An entry holds:

- ``file``: what the file alone decides: its loader and schema findings, and a summary of the
  plan (everything but its targets and tasks) with the positions the tree-wide rules point at;
- ``results``: the findings of the plan and edge rules, keyed by a *context key* that names
  everything else they depend on: the parents' file keys, the catalogue's hash, the source
  text's hash and the code fingerprint. A few contexts are kept, the latest first.

An entry that cannot be read, is not JSON, names another key or fails validation is ignored
and rebuilt, never trusted. Entries are written whole to a temporary file and renamed, so two
runs at once never see half an entry; the last rename wins, and both wrote what they computed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from plancheck import __version__
from plancheck.fsutil import write_atomic

MAGIC = "plancheck-cache-entry"
LAYOUT = "v2"
KEEP_CONTEXTS = 4  # e.g. with and without --sources, before and after a catalogue edit


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """plancheck's version and the text of every module and template it runs."""
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".j2", ".md") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_key(content_sha: str, plan_id: str | None, max_bytes: int) -> str:
    text = f"{code_fingerprint()}\0{content_sha}\0{plan_id}\0{max_bytes}"
    return hashlib.sha256(text.encode()).hexdigest()


def context_key(key: str, parents: list[str | None], catalogue_sha: str, source_sha: str) -> str:
    """What the rule findings of the plan with file key ``key`` depend on, as one hash."""
    text = json.dumps([code_fingerprint(), key, parents, catalogue_sha, source_sha])
    return hashlib.sha256(text.encode()).hexdigest()


class Store:
    """The entries under one cache folder; ``Store(None)`` reads and writes nothing."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / LAYOUT / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if self.root is None:
            return None
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if (
            not isinstance(data, dict)
            or data.get("magic") != MAGIC
            or data.get("key") != key
            or not isinstance(data.get("file"), dict)
            or not isinstance(data.get("results"), dict)
        ):
            return None
        return data

    def put(self, key: str, record: dict[str, Any], results: dict[str, Any]) -> None:
        if self.root is None:
            return
        entry = {"magic": MAGIC, "key": key, "file": record, "results": results}
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        with contextlib.suppress(OSError):  # a read-only or full cache folder only costs speed
            write_atomic(self.path(key), text, durable=False)


REPORT_LAYOUT = "reports-v1"


class ReportStore:
    """Rendered report sections of one child plan, keyed by everything they depend on (see
    ``pipeline.report_key``); a national report then re-reads no plan that did not change."""

    def __init__(self, store: Store) -> None:
        self.root = store.root

    def path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / REPORT_LAYOUT / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[dict[str, Any]] | None:
        if self.root is None:
            return None
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("magic") != MAGIC or data.get("key") != key:
            return None
        edges = data.get("edges")
        if not isinstance(edges, list) or not all(isinstance(e, dict) for e in edges):
            return None
        return edges

    def put(self, key: str, edges: list[dict[str, Any]]) -> None:
        if self.root is None:
            return
        text = json.dumps(
            {"magic": MAGIC, "key": key, "edges": edges}, ensure_ascii=False, separators=(",", ":")
        )
        with contextlib.suppress(OSError):
            write_atomic(self.path(key), text, durable=False)


def merge_results(old: dict[str, Any] | None, context: str, findings: str) -> dict[str, Any]:
    """``old`` with ``context`` set to ``findings`` first, keeping the latest few contexts."""
    merged: dict[str, Any] = {context: findings}
    for other, value in (old or {}).items():
        if len(merged) >= KEEP_CONTEXTS:
            break
        merged.setdefault(other, value)
    return merged
