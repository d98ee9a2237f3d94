"""The report's cached material: the comparison rows a check computed for each child, and the
sections rendered from them; both signed like every entry (see cache).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.model import Target
from plancheck.run.cache import MAGIC, Store, read_signed, write_signed

if TYPE_CHECKING:  # the report's modules (and jinja2) are imported when rows are made or read
    from plancheck.report.rows import ComparisonRow

_REPORT_ENTRY_KEYS = frozenset({"magic", "key", "edges"})
_EDGE_TEXT = ("child", "parent", "worst", "section", "child_heading")
_EDGE_KEYS = frozenset({*_EDGE_TEXT, "counts", "gap_rows"})
# the fields of a gap row (reporters.markdown.render_edge) that the report's summary shows
GAP_ROW_TEXT = (
    "indicator",
    "parent",
    "child",
    "status",
    "status_key",
    "reason",
    "sources",
    "child_plan",
    "parent_plan",
    "child_name",
    "parent_name",
)
_GAP_ROW_KEYS = frozenset({*GAP_ROW_TEXT, "year", "severity"})


def report_entry_problem(data: Any, key: str) -> str | None:
    """What makes ``data`` not a report-sections entry for ``key`` as plancheck writes one, or None.

    ``{"magic", "key", "edges"}``; each edge has exactly the fields of ``EdgeReport``: texts,
    ``counts`` mapping statuses to counts from 0, and ``gap_rows`` of exactly the fields the
    summary reads (texts, an integer year, a number severity). The report trusts these fields
    as they are (a missing one was an internal error), so they are checked before it reads any.
    """
    if not isinstance(data, dict) or set(data) != _REPORT_ENTRY_KEYS:
        return "not an entry object with exactly magic, key and edges"
    if data["magic"] != MAGIC or data["key"] != key:
        return "another format, or an entry for another key"
    edges = data["edges"]
    if type(edges) is not list:
        return "edges is a list"
    for edge in edges:
        if type(edge) is not dict or set(edge) != _EDGE_KEYS:
            return "an edge has exactly the fields of a report edge"
        if not all(type(edge[name]) is str for name in _EDGE_TEXT):
            return "an edge's names, worst status and texts are strings"
        counts = edge["counts"]
        if type(counts) is not dict or not all(type(n) is int and n >= 0 for n in counts.values()):
            return "an edge's counts map statuses to counts from 0"
        rows = edge["gap_rows"]
        if type(rows) is not list:
            return "an edge's gap rows are a list"
        for row in rows:
            if (
                type(row) is not dict
                or set(row) != _GAP_ROW_KEYS
                or not all(type(row[name]) is str for name in GAP_ROW_TEXT)
                or type(row["year"]) is not int
                or type(row["severity"]) not in (int, float)
            ):
                return "a gap row has exactly the fields the summary reads, of their types"
    return None


REPORT_LAYOUT = "reports-v2"  # v2: signed, as every other entry
ROWS_LAYOUT = "rows-v1"


class ReportStore:
    """Rendered report sections of one child plan, keyed by everything they depend on (see
    ``reports.report_key``); a national report then re-reads no plan that did not change."""

    def __init__(self, store: Store) -> None:
        self.root = store.root

    def path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / REPORT_LAYOUT / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[dict[str, Any]] | None:
        """The edges of the entry for ``key`` when it is signed with this user's secret and
        agrees with ``report_entry_problem``; None otherwise (it is then rebuilt)."""
        if self.root is None:
            return None
        data = read_signed(self.path(key), key)
        if report_entry_problem(data, key) is not None:
            return None
        edges: list[dict[str, Any]] = data["edges"]
        return edges

    def put(self, key: str, edges: list[dict[str, Any]]) -> None:
        if self.root is not None:
            write_signed(self.path(key), key, {"magic": MAGIC, "key": key, "edges": edges})


def rows_key(context: str) -> str:
    """The key of the report rows a check computed in ``context`` (see ``context_key``)."""
    return hashlib.sha256(f"rows\0{context}".encode()).hexdigest()


class RowStore:
    """The report's comparison rows of one child plan against each parent, written by the check
    that compared them and keyed by its context key, so a report after `validate` reads them
    instead of reading and comparing the plans again. Signed like every entry."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / ROWS_LAYOUT / key[:2] / f"{key}.json"

    def get(self, context: str) -> tuple[list[Any], list[Any]] | None:
        """The edges ``[[parent, stand-in, rows], ...]`` and the child's targets they show, their
        shape not yet checked (see ``encode_rows``)."""
        if self.root is None:
            return None
        key = rows_key(context)
        data = read_signed(self.path(key), key)
        if not isinstance(data, dict) or data.get("magic") != MAGIC or data.get("key") != key:
            return None
        edges, targets = data.get("edges"), data.get("targets")
        return (edges, targets) if isinstance(edges, list) and isinstance(targets, list) else None

    def put(self, context: str, edges: list[Any], targets: list[Any]) -> None:
        if self.root is not None:
            key = rows_key(context)
            entry = {"magic": MAGIC, "key": key, "edges": edges, "targets": targets}
            write_signed(self.path(key), key, entry)


def encode_rows(lp: LoadedPlan, parents: list[LoadedPlan], ps: PlanSet) -> tuple[list[Any], list[Any]]:
    """A child's comparisons with each parent as the report's rows, in JSON data.

    A target is named by its index in its plan's list (the parent's, or the child's), which the
    report reads with the parents; only the child's targets the rows show are written out whole.
    A target that is in neither list is written out whole in its row.
    """
    from plancheck.check.compliance import compare_plans
    from plancheck.report.rows import comparison_row, target_atom

    assert lp.plan is not None
    own_at = {id(t): i for i, t in enumerate(lp.plan.targets)}
    shown: dict[int, list[Any]] = {}
    edges: list[Any] = []
    for parent in parents:
        assert parent.plan is not None
        parent_at = {id(t): i for i, t in enumerate(parent.plan.targets)}
        items = []
        for c in compare_plans(lp, parent, ps):
            target = c.child_target or c.later_target
            child: int | list[Any] | None = None
            if target is not None:
                child = own_at.get(id(target))
                if child is None:
                    child = target_atom(target)
                elif child not in shown:
                    shown[child] = target_atom(target)
            at = parent_at.get(id(c.parent_target))
            parent_ref = target_atom(c.parent_target) if at is None else at
            items.append([*comparison_row(c, ps.indicators, [], None)[:6], parent_ref, child])
        edges.append([parent.id, parent.stand_in, items])
    return edges, [[i, atom] for i, atom in sorted(shown.items())]


def decode_row(
    item: Any, table: list[Target], own: dict[int, list[Any]], atom_of: Callable[[Target], list[Any]]
) -> ComparisonRow:
    """A cached row, its fields' types checked (an entry is signed, but data all the same)."""
    from plancheck.report.rows import ComparisonRow

    if type(item) is not list or len(item) != len(ComparisonRow._fields):
        raise ValueError("not a row")
    status, indicator, year, severity, reason, via, parent, child = item
    if not (
        isinstance(status, str)
        and isinstance(indicator, str)
        and type(year) is int
        and isinstance(severity, (int, float))
        and isinstance(reason, str)
        and (via is None or isinstance(via, str))
    ):
        raise ValueError("not a row")
    # an index names a target of the parent's list, or of the child's (written out in the entry)
    parent_atom = atom_of(table[parent]) if type(parent) is int else decode_atom(parent)
    child_atom = own[child] if type(child) is int else (None if child is None else decode_atom(child))
    return ComparisonRow(status, indicator, year, float(severity), reason, via, parent_atom, child_atom)


def decode_atom(atom: Any) -> list[Any]:
    from plancheck.report.rows import ATOM_FIELDS

    if not (
        type(atom) is list
        and len(atom) == len(ATOM_FIELDS)
        and all(isinstance(atom[i], str) for i in (0, 1, 3, 6))
        and all(atom[i] is None or isinstance(atom[i], str) for i in (2, 4, 7))
        and isinstance(atom[5], bool)
        and (atom[8] is None or type(atom[8]) is int)
    ):
        raise ValueError("not a target")
    return atom
