"""The result of a whole tree's check, as one signed entry: what a warm run reads when nothing changed.

A warm run of a national tree would otherwise read, verify and decode one entry per plan file
(thousands) and apply the configuration and waivers again. The tree entry holds the finished
findings, the counts and the plan summaries of one run, keyed by everything they depend on:

- the code fingerprint, the tree's folder, the working folder and the paths asked for;
- the configuration's settings that judge findings (``Config.judged``) and the sources folder;
- the catalogue's hash, and every plan file's key (its content hash, as the status index or a
  hash gives it) or, for a file that cannot be read, the finding that says so;
- what the tree walk found (links, unreadable folders, names that are not UTF-8).

The source texts the plans cite are checked on reading instead (``documents``: each name with its
digest when the entry was written), since which texts count is known only from the summaries.

No entry is read or written for a tree with a ``results/`` folder beside it: progress depends on
the day and is computed on every run (see the README). An entry is signed, bounded, checked
against ``tree_entry_problem`` and decoded as every record is (findings of known rules, plan
summaries validated by the models); anything else is ignored and the tree is checked file by
file, as without it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plancheck.findings import Finding
from plancheck.run.cache import MAGIC, code_fingerprint, read_signed, write_signed_pieces
from plancheck.run.records import decode_finding, encode_finding

if TYPE_CHECKING:
    from plancheck.check.engine import Result

TREE_LAYOUT = "trees-v1"
# A national tree's entry holds every finding and every plan summary: tens of megabytes. Larger
# than this, it is neither written nor read (the tree is then checked file by file).
MAX_TREE_ENTRY_BYTES = 256 * 1024 * 1024
_TREE_KEYS = frozenset(
    {
        "magic",
        "key",
        "records",
        "findings",
        "counts",
        "suppressed",
        "not_compared",
        "requested",
        "contexts",
        "documents",
    }
)


def tree_key(material: list[Any]) -> str:
    """The key of the tree entry for ``material`` (see the module's docstring for what it holds)."""
    text = json.dumps([code_fingerprint(), TREE_LAYOUT, *material], ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def tree_entry_problem(data: Any, key: str, files: int) -> str | None:
    """What makes ``data`` not a tree entry for ``key`` over ``files`` plan files, or None.

    ``records``: one plan record (or null) per file, in the tree's order, each checked as it is
    decoded (``records.decode_record``); ``findings``: lists of 11 items, each checked as it is
    decoded (``records.decode_finding`` and a waiver reason, a string or null); ``counts``
    severities to counts from 0; ``suppressed`` and ``not_compared`` counts from 0; ``requested``
    and the names of ``documents`` strings; ``contexts`` plan ids to 64 hex digits.
    """
    if not isinstance(data, dict) or set(data) != _TREE_KEYS:
        return "not an entry object with exactly the fields of a tree entry"
    if data["magic"] != MAGIC or data["key"] != key:
        return "another format, or an entry for another key"
    records = data["records"]
    if type(records) is not list or len(records) != files:
        return "records holds one record per plan file"
    if not all(r is None or type(r) is dict for r in records):
        return "a record is an object or null"
    findings = data["findings"]
    if type(findings) is not list or not all(
        type(f) is list and len(f) == 11 and (f[10] is None or type(f[10]) is str) for f in findings
    ):
        return "findings are lists of 11 items"
    counts = data["counts"]
    if type(counts) is not dict or not all(type(n) is int and n >= 0 for n in counts.values()):
        return "counts map severities to counts from 0"
    if not all(type(data[name]) is int and data[name] >= 0 for name in ("suppressed", "not_compared")):
        return "suppressed and not_compared are counts from 0"
    if type(data["requested"]) is not list or not all(type(p) is str for p in data["requested"]):
        return "requested is a list of paths"
    contexts = data["contexts"]
    if type(contexts) is not dict or not all(
        type(v) is str and len(v) == 64 and all(c in "0123456789abcdef" for c in v) for v in contexts.values()
    ):
        return "contexts map plan ids to context keys"
    documents = data["documents"]
    if type(documents) is not list or not all(
        type(d) is list and len(d) == 2 and type(d[0]) is str and type(d[1]) is str for d in documents
    ):
        return "documents are [name, digest] pairs"
    return None


class TreeStore:
    """The tree entry of one check (a tree, the working folder, the paths asked for, the
    configuration and the sources folder: ``slot``) under one cache folder:
    ``<cache-dir>/trees-v1/<slot's hash>.json``. One file per slot, replaced by the next run that
    computes another result: a national tree's entry is large, and an old one is never read again
    (it is signed for another key)."""

    def __init__(self, root: Path, slot: list[Any]) -> None:
        text = json.dumps([TREE_LAYOUT, *slot], ensure_ascii=False, default=str)
        name = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        self.path = root / TREE_LAYOUT / f"{name}.json"

    def get(self, key: str, files: int) -> dict[str, Any] | None:
        """The entry when it is signed with this user's secret for ``key`` and well-formed."""
        # the fields come in the order _pieces writes them: magic, then key
        starts = json.dumps({"magic": MAGIC, "key": key}, separators=(",", ":"))[1:-1] + ","
        data = read_signed(self.path, key, MAX_TREE_ENTRY_BYTES, starts.encode())
        return data if tree_entry_problem(data, key, files) is None else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        write_signed_pieces(
            self.path, key, _pieces({"magic": MAGIC, "key": key, **entry}), MAX_TREE_ENTRY_BYTES
        )


_PIECE = 2_000  # items of a long list encoded at once


class Raw:
    """A value already encoded as JSON text (a plan's record, kept as text until the entry is
    written), written into the entry as it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _pieces(entry: dict[str, Any]) -> Iterator[str]:
    """The JSON text of ``entry`` (compact, as ``write_signed`` writes it) in pieces: its long
    lists a few thousand items at a time, so the whole text is never held at once."""

    def dump(value: Any) -> str:
        return (
            value.text
            if isinstance(value, Raw)
            else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        )

    def items(values: list[Any]) -> str:
        if any(isinstance(v, Raw) for v in values):
            return ",".join(dump(v) for v in values)
        return dump(values)[1:-1]  # one call for the lot: the C encoder

    sep = "{"
    for name, value in entry.items():
        if type(value) is list and len(value) > _PIECE:
            yield f"{sep}{dump(name)}:["
            for at in range(0, len(value), _PIECE):
                yield ("," if at else "") + items(value[at : at + _PIECE])
            yield "]"
        elif type(value) is list:
            yield f"{sep}{dump(name)}:[{items(value)}]"
        else:
            yield f"{sep}{dump(name)}:{dump(value)}"
        sep = ","
    yield "}"


def without_results(root: Path | None) -> bool:
    """Whether the tree at ``root`` has no ``results/`` beside it (as ``engine.finish`` looks),
    so that its findings do not depend on the day."""
    if root is None:
        return False
    results = root.parent / "results"
    return not (os.path.isdir(results) or os.path.islink(results))


def encode_result(result: Result, records: list[str | None], documents: list[list[str]]) -> dict[str, Any]:
    """The fields of a tree entry for ``result`` (a finished check) and its files' ``records``
    (each as its JSON text, written into the entry as it is: see ``Raw``)."""
    return {
        "records": [None if r is None else Raw(r) for r in records],
        # the path is always written ("" as home): a finished finding may be about any file
        "findings": [[*encode_finding(f, ""), f.waived] for f in result.findings],
        "counts": result.counts,
        "suppressed": result.suppressed,
        "not_compared": result.not_compared,
        "requested": sorted(result.requested),
        "contexts": result.contexts,
        "documents": documents,
    }


def decode_findings(items: list[Any]) -> list[Finding]:
    """The finished findings of a tree entry (each checked as a record's is; RecordError if not)."""
    out = []
    for item in items:
        finding = decode_finding(item[:10], "")
        out.append(finding if item[10] is None else finding.with_(waived=item[10]))
    return out
