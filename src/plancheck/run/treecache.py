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
the day and is computed on every run (see the README).

The entry is signed text in four parts, each starting on a line of its own: a JSON object (the
counts, the paths shown, the context keys, the documents, how many findings), the plan summaries
as one JSON array, the findings as the lines of plancheck's JSON output, and the findings kept
whole (``exact``, a JSON object on the last line: those whose output line does not say all of
them, such as a waived finding's own status). So a warm ``validate --format json`` prints the
stored lines as they are and judges its exit code by the counts: it decodes neither findings nor
summaries. Whatever else is asked of the result decodes them then, checked as every record is
(``StoredResult``). An entry that is not signed for the key,
or whose first line is not what plancheck writes, is ignored and the tree is checked file by
file; one that fails to decode later (it cannot, unless plancheck wrote it wrong) is removed and
the run stops with ``DamagedEntry``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from plancheck.check.result import Result
from plancheck.findings import Finding, encode_finding
from plancheck.report.json_report import LINE_SEPARATOR, FindingLines, finding_from_dict, finding_line
from plancheck.run.cache import (
    HEX64,
    MAGIC,
    RecordError,
    code_fingerprint,
    read_signed_body,
    write_signed_pieces,
)

if TYPE_CHECKING:
    from plancheck.load.planset import PlanSet

TREE_LAYOUT = "trees-v2"
TREE_SUFFIX = ".entry"  # not one JSON text, as the other entries are (see the docstring)
# A national tree's entry holds every finding and every plan summary: tens of megabytes. Larger
# than this, it is neither written nor read (the tree is then checked file by file).
MAX_TREE_ENTRY_BYTES = 256 * 1024 * 1024
_HEAD_KEYS = frozenset(
    {
        "magic",
        "key",
        "findings",
        "exact",
        "counts",
        "suppressed",
        "not_compared",
        "requested",
        "contexts",
        "documents",
    }
)


class DamagedEntry(RuntimeError):
    """A tree entry, signed for its key, whose summaries or findings do not decode."""


def tree_key(material: list[Any]) -> str:
    """The key of the tree entry for ``material`` (see the module's docstring for what it holds)."""
    text = json.dumps([code_fingerprint(), TREE_LAYOUT, *material], ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def tree_head_problem(data: Any, key: str) -> str | None:
    """What makes ``data`` not the first line of a tree entry for ``key`` (with the last line as
    its ``exact``), or None.

    ``findings`` a count from 0; ``exact`` finding positions (as strings) to lists of 11 items
    (``findings.encode_finding``'s and the waiver's reason); ``counts`` severities to counts from
    0; ``suppressed`` and ``not_compared`` counts from 0; ``requested`` and the names of
    ``documents`` strings; ``contexts`` plan ids to 64 hex digits.
    """
    if not isinstance(data, dict) or set(data) != _HEAD_KEYS:
        return "not an entry object with exactly the fields of a tree entry"
    if data["magic"] != MAGIC or data["key"] != key:
        return "another format, or an entry for another key"
    if not all(
        type(data[name]) is int and data[name] >= 0 for name in ("findings", "suppressed", "not_compared")
    ):
        return "findings, suppressed and not_compared are counts from 0"
    exact = data["exact"]
    if type(exact) is not dict or not all(
        type(f) is list and len(f) == 11 and (f[10] is None or type(f[10]) is str) for f in exact.values()
    ):
        return "exact findings are lists of 11 items"
    counts = data["counts"]
    if type(counts) is not dict or not all(type(n) is int and n >= 0 for n in counts.values()):
        return "counts map severities to counts from 0"
    if sum(counts.values()) != data["findings"]:
        return "the counts add up to the findings"
    if type(data["requested"]) is not list or not all(type(p) is str for p in data["requested"]):
        return "requested is a list of paths"
    contexts = data["contexts"]
    if type(contexts) is not dict or not all(
        type(v) is str and HEX64.fullmatch(v) for v in contexts.values()
    ):
        return "contexts map plan ids to context keys"
    documents = data["documents"]
    if type(documents) is not list or not all(
        type(d) is list and len(d) == 2 and type(d[0]) is str and type(d[1]) is str for d in documents
    ):
        return "documents are [name, digest] pairs"
    return None


class TreeEntry:
    """A tree entry read back: its first line decoded, the summaries and findings as text."""

    def __init__(self, path: Path, head: dict[str, Any], records: bytes, lines: bytes | memoryview) -> None:
        self.path = path
        self.head = head
        self._records = records
        self.lines = FindingLines(lines, head["findings"])

    def records(self) -> list[Any]:
        """The plan summaries: one record (an object) or null per plan file, in the tree's order."""
        try:
            records = json.loads(self._records)
        except (ValueError, RecursionError):
            records = None
        if type(records) is not list or not all(r is None or type(r) is dict for r in records):
            raise self.damaged("its plan summaries are not a list of records")
        return records

    def findings(self) -> list[Finding]:
        """The findings, each checked as a record's is."""
        # the rules, and the models they import: only when a command needs the findings
        from plancheck.rules.registry import RULES

        exact = self.head["exact"]
        try:
            items = json.loads(f"[{self.lines.text}]")
            if type(items) is not list or len(items) != self.lines.count:
                raise ValueError("not as many findings as counted")
            out = []
            for at, data in enumerate(items):
                kept = exact.get(str(at))
                finding = _decode_kept(kept) if kept is not None else finding_from_dict(data)
                if finding.code not in RULES:
                    raise ValueError(f"no rule {finding.code!r}")
                out.append(finding)
        except (ValueError, RecursionError, RecordError) as error:
            raise self.damaged(f"its findings do not decode ({error})") from None
        return out

    def damaged(self, why: str) -> DamagedEntry:
        """The error for this entry, removed first, so that the next run checks the tree again."""
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        return DamagedEntry(
            f"the cache entry {self.path} is signed but {why}; it is removed: run again "
            "(a bug of plancheck's: please report it)"
        )


def _decode_kept(item: list[Any]) -> Finding:
    from plancheck.run.records import decode_finding  # as RULES above

    finding = decode_finding(item[:10], "")
    return finding if item[10] is None else finding.with_(waived=item[10])


class StoredResult(Result):
    """A ``Result`` read from a tree entry, whose findings and plan set are decoded when first
    asked for (see the module's docstring); ``finding_lines`` gives the lines as they are."""

    def __init__(self, entry: TreeEntry, planset: Callable[[], PlanSet]) -> None:
        self._entry = entry
        self._make_planset = planset
        self._findings: list[Finding] | None = None
        self._planset: PlanSet | None = None
        head = entry.head
        super().__init__(
            # both are decoded when first read (the properties below)
            findings=cast(list[Finding], None),
            planset=cast("PlanSet", None),
            requested=set(head["requested"]),
            suppressed=head["suppressed"],
            counts=head["counts"],
            not_compared=head["not_compared"],
            contexts=head["contexts"],
        )

    @property  # a field of Result, decoded on first use here
    def findings(self) -> list[Finding]:
        if self._findings is None:
            self._findings = self._entry.findings()
        return self._findings

    @findings.setter
    def findings(self, value: list[Finding] | None) -> None:
        self._findings = value

    @property  # a field of Result, decoded on first use here
    def planset(self) -> PlanSet:
        if self._planset is None:
            try:
                self._planset = self._make_planset()
            except RecordError as error:
                raise self._entry.damaged(f"its plan summaries do not decode ({error})") from None
        return self._planset

    @planset.setter
    def planset(self, value: PlanSet | None) -> None:
        self._planset = value

    def finding_lines(self) -> FindingLines:
        return self._entry.lines


class TreeStore:
    """The tree entry of one check (a tree, the working folder, the paths asked for, the
    configuration and the sources folder: ``slot``) under one cache folder:
    ``<cache-dir>/trees-v2/<slot's hash>.entry``. One file per slot, replaced by the next run that
    computes another result: a national tree's entry is large, and an old one is never read again
    (it is signed for another key)."""

    def __init__(self, root: Path, slot: list[Any]) -> None:
        text = json.dumps([TREE_LAYOUT, *slot], ensure_ascii=False, default=str)
        name = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        self.path = root / TREE_LAYOUT / f"{name}{TREE_SUFFIX}"

    def get(self, key: str) -> TreeEntry | None:
        """The entry when it is signed with this user's secret for ``key`` and its first line is
        well-formed."""
        # the fields come in the order entry_pieces writes them: magic, then key
        starts = json.dumps({"magic": MAGIC, "key": key}, separators=(",", ":"))[1:-1] + ","
        raw = read_signed_body(self.path, key, MAX_TREE_ENTRY_BYTES, starts.encode())
        if raw is None:
            return None
        first = raw.find(b"\n")
        second = raw.find(b"\n", first + 1)
        last = raw.rfind(b"\n")
        if first < 0 or second < 0 or last <= second:
            return None
        try:
            head = json.loads(raw[:first].decode("utf-8"))
            if isinstance(head, dict) and "exact" not in head:
                head["exact"] = json.loads(raw[last + 1 :].decode("utf-8"))
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return None
        if tree_head_problem(head, key) is not None:
            return None
        # the lines stay bytes, printed as they are by a JSON run (signed: plancheck wrote them)
        return TreeEntry(self.path, head, bytes(raw[first + 1 : second]), memoryview(raw)[second + 1 : last])

    def put(self, key: str, pieces: Iterator[str]) -> None:
        write_signed_pieces(self.path, key, pieces, MAX_TREE_ENTRY_BYTES)


_PIECE = 2_000  # items of a long list written at once


def without_results(root: Path | None) -> bool:
    """Whether the tree at ``root`` has no ``results/`` beside it (as ``engine.finish`` looks),
    so that its findings do not depend on the day."""
    if root is None:
        return False
    results = root.parent / "results"
    return not (os.path.isdir(results) or os.path.islink(results))


def entry_pieces(
    key: str, result: Result, records: list[str | None], documents: list[list[str]]
) -> Iterator[str]:
    """The text of the tree entry for ``result`` (a finished check) and its files' ``records``
    (each as its compact JSON text), in pieces: a national tree's is tens of megabytes, never
    held at once."""
    findings = result.findings
    head = {
        "magic": MAGIC,
        "key": key,
        "findings": len(findings),
        "counts": result.counts,
        "suppressed": result.suppressed,
        "not_compared": result.not_compared,
        "requested": sorted(result.requested),
        "contexts": result.contexts,
        "documents": documents,
    }
    yield json.dumps(head, ensure_ascii=False, separators=(",", ":")) + "\n["
    for at in range(0, len(records), _PIECE):
        yield ("," if at else "") + ",".join("null" if r is None else r for r in records[at : at + _PIECE])
    yield "]\n"
    # the lines a few thousand at a time, each read back: a finding its line does not give back
    # whole is kept whole (``exact``), after the lines, where it is known
    exact: dict[str, list[Any]] = {}
    for at in range(0, len(findings), _PIECE):
        lines = [finding_line(f) for f in findings[at : at + _PIECE]]
        back = json.loads(f"[{','.join(lines)}]")
        for i, data in enumerate(back, start=at):
            finding, decoded = findings[i], finding_from_dict(data)
            if decoded != finding or decoded.ctx != finding.ctx:
                # the path is always written ("" as home): a finished finding may be about any file
                exact[str(i)] = [*encode_finding(finding, ""), finding.waived]
        yield (LINE_SEPARATOR if at else "") + LINE_SEPARATOR.join(lines)
    yield "\n" + json.dumps(exact, ensure_ascii=False, separators=(",", ":"))
