"""Which version of a parent a child is compared with, and whose targets stand in for it.

A programme can be replaced (71/NQ-CP replaced 03/NQ-CP's programme on 2025-04-01). A child is
compared with the version in force on the child's own issue date: a plan issued after the
replacement that still cites the old programme is compared with the new one (and rule PC125 says
so), and a plan issued before a replacement is compared with what it replaced. When the version in
force names another plan in `document.targets_from` (its own table is not available), its
children are compared with that plan's targets.

Only plan summaries are needed (ids, `document`), so the pipeline resolves edges from its cached
summaries, and the in-memory engine from the whole plans; both go through :func:`resolve`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from plancheck.model import Plan


@dataclass(frozen=True)
class Edge:
    """One parent of a child: what the child cites, what it is compared with, whose targets."""

    cited: str  # the id in the child's `implements`
    parent: str  # the version in force on the child's issue date
    stand_in: str | None = None  # the plan whose targets are compared in place of the parent's

    def as_key(self) -> list[str | None]:
        return [self.cited, self.parent, self.stand_in]


@dataclass(frozen=True)
class Replacement:
    by: str  # id of the replacing plan
    on: dt.date  # its issue date: from then on the replaced plan is history


def replacements(plans: Mapping[str, Plan]) -> dict[str, Replacement]:
    """Replaced plan id -> the plan of the tree that replaced it (the earliest, when several do).

    A plan replaces another when its `document.replaces` names the other's number (and date,
    when both are known) in the same jurisdiction; a replacement of unknown date decides nothing.
    """
    by_number: dict[tuple[str, str], list[str]] = {}
    for pid, plan in plans.items():
        if plan.document.number is not None:
            by_number.setdefault((plan.jurisdiction.code, plan.document.number), []).append(pid)
    out: dict[str, Replacement] = {}
    for pid in sorted(plans):
        plan = plans[pid]
        issued = plan.document.issued
        if not isinstance(issued, dt.date):
            continue
        for old in plan.document.replaces:
            for old_id in by_number.get((plan.jurisdiction.code, old.number), []):
                old_issued = plans[old_id].document.issued
                if old_id == pid or (
                    isinstance(old.issued, dt.date)
                    and isinstance(old_issued, dt.date)
                    and old.issued != old_issued
                ):
                    continue
                known = out.get(old_id)
                if known is None or (issued, pid) < (known.on, known.by):
                    out[old_id] = Replacement(pid, issued)
    return out


def in_force(
    cited: str, on: dt.date | None, plans: Mapping[str, Plan], repl: Mapping[str, Replacement]
) -> str:
    """The version of ``cited`` in force on ``on`` (``cited`` itself when the date is unknown)."""
    if on is None or cited not in plans:
        return cited
    current, seen = cited, {cited}
    while current in repl and repl[current].on <= on and repl[current].by not in seen:
        current = repl[current].by
        seen.add(current)
    if current != cited:
        return current
    # issued before the cited version existed: the one it replaced was in force then
    earlier = {r.by: old for old, r in sorted(repl.items())}
    while True:
        issued = plans[current].document.issued
        before = earlier.get(current)
        if not isinstance(issued, dt.date) or issued <= on or before is None or before in seen:
            return current
        current = before
        seen.add(current)


def issue_date(plan: Plan) -> dt.date | None:
    issued = plan.document.issued
    return issued if isinstance(issued, dt.date) else None


def parent_ids(plan: Plan) -> list[str]:
    """The plans ``plan`` implements, each once, in the order first listed (PC120 reports repeats)."""
    return list(dict.fromkeys(plan.implements))


def resolve(
    child: Plan, plans: Mapping[str, Plan], repl: Mapping[str, Replacement] | None = None
) -> list[Edge]:
    """The edges of ``child``, one per parent in force (a parent cited twice counts once)."""
    if repl is None:
        repl = replacements(plans)
    on = issue_date(child)
    out: list[Edge] = []
    seen: set[str] = set()
    for cited in child.implements:
        parent = in_force(cited, on, plans, repl)
        if parent in seen:
            continue
        seen.add(parent)
        stand_in = None
        if parent in plans and plans[parent].document.targets_from is not None:
            named = plans[parent].document.targets_from
            assert named is not None
            stand_in = named.plan
        out.append(Edge(cited, parent, stand_in))
    return out


def identity(child: Plan) -> list[Edge]:
    """The edges before anything is known of the parents (the pipeline's first guess)."""
    return [Edge(p, p) for p in dict.fromkeys(child.implements)]
