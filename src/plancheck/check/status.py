"""What a comparison of a child's target with a parent's found: the statuses, in order, what each
means, and the `Comparison` record the rules, `plancheck tree` and the report share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from plancheck.model import (
    INTENSIVE_KINDS,
    Indicator,
    Plan,
    Target,
)

Status = Literal[
    "exceeds",
    "meets",
    "boundary",
    "weaker",
    "later",
    "missing",
    "softened",
    "unverifiable",
    "not-comparable",
    "not-applicable",
]
STATUS_ORDER: tuple[Status, ...] = (
    "missing",
    "weaker",
    "later",
    "boundary",
    "softened",
    "unverifiable",
    "not-comparable",
    "not-applicable",
    "meets",
    "exceeds",
)
GAP_STATUSES = frozenset({"missing", "weaker", "later", "boundary", "softened"})
# What each status means, for `plancheck explain`, the rule docs and the report's legend.
STATUS_MEANING: dict[str, str] = {
    "exceeds": "the child's bound is strictly stronger than the parent's",
    "meets": "the child's bound admits nothing the parent's rejects (same year, an earlier year of "
    "an indicator whose level is kept, or a whole at 100 % that contains the parent's indicator)",
    "boundary": "the child's bound differs from the parent's only at the boundary value (>= 80 vs > 80)",
    "weaker": "the child's bound admits values the parent's rejects, and no later target reaches it",
    "later": "the child reaches the parent's level only in a later year",
    "missing": "the child states nothing on the indicator (or on a whole containing it) for the year",
    "softened": "the child states the parent's level (not a stronger one) but only as an aspiration "
    "('phấn đấu') where the parent's target is firm",
    "unverifiable": "the child declares that its targets are in an appendix absent from the source "
    "text, so a target without counterpart cannot be checked; or the child reached the parent's "
    "level at an earlier milestone on an indicator that can fall back and says nothing later",
    "not-comparable": "the two cannot be compared: a count between two jurisdictions, a "
    "qualitative target on one side, a closely related but different measure in the child (the "
    "catalogue's `close_to`), or a parent aim without number or stated year that the child takes "
    "up as a task",
    "not-applicable": "the indicator does not apply at the child's level",
}


@dataclass(frozen=True)
class Comparison:
    child: str
    parent: str
    indicator: str
    year: int
    parent_target: Target
    child_target: Target | None
    status: Status
    reason: str  # why, in a few words (e.g. 'count indicators compare only within one jurisdiction')
    later_target: Target | None = None  # for 'later': the child target that reaches the level
    via: str | None = None  # the child's indicator when the status comes through a relation
    table_of: str | None = None  # the plan whose targets stand in for the parent's (document.targets_from)

    @property
    def parent_named(self) -> str:
        """The parent as messages name it, with the plan whose table stands in for its own."""
        return self.parent if self.table_of is None else f"{self.parent} (table of {self.table_of})"


def _bound_text(target: Target | None) -> str | None:
    if target is None:
        return None
    return str(target.bound) if target.bound is not None else None


def applicable(indicator: Indicator, child: Plan) -> bool:
    return child.jurisdiction.level in indicator.levels


def comparable_kind(indicator: Indicator, child: Plan, parent: Plan) -> bool:
    if indicator.kind in INTENSIVE_KINDS or indicator.kind == "rank":
        return True
    # counts are extensive: 10 initiatives in a ward is not "below" 60 in its city
    return child.jurisdiction.code == parent.jurisdiction.code
