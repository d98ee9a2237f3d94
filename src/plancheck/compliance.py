"""Compare a child plan's targets with one parent's, target by target and year by year.

The result is a list of `Comparison` records, one per parent target, whatever the outcome
(meets and exceeds included), so the rules, `plancheck tree` and the report share one reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from plancheck.algebra import compare_bounds
from plancheck.model import INTENSIVE_KINDS, LEVEL_RANK, Indicator, Plan, Target
from plancheck.planset import LoadedPlan, PlanSet

Status = Literal[
    "exceeds", "meets", "boundary", "weaker", "later", "missing", "not-comparable", "not-applicable"
]
STATUS_ORDER: tuple[Status, ...] = (
    "missing",
    "weaker",
    "later",
    "boundary",
    "not-comparable",
    "not-applicable",
    "meets",
    "exceeds",
)
GAP_STATUSES = frozenset({"missing", "weaker", "later", "boundary"})


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
    via: str | None = None  # the plan whose targets stand in for the parent's (document.targets_from)

    @property
    def parent_named(self) -> str:
        """The parent as messages name it, with the plan whose table stands in for its own."""
        return self.parent if self.via is None else f"{self.parent} (table of {self.via})"


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


def _strongest(targets: list[Target], indicator: Indicator, parent: Target) -> Target:
    """Of several child targets for one year, the one that stands best against the parent."""
    rank = {"exceeds": 0, "meets": 1, "boundary": 2, "weaker": 3}
    numeric = [t for t in targets if t.bound is not None]
    if not numeric or parent.bound is None:
        return targets[0]
    parent_bound = parent.bound

    def standing(t: Target) -> tuple[int, str]:
        assert t.bound is not None
        return (rank[compare_bounds(t.bound, parent_bound, indicator.direction)], t.id)

    return min(numeric, key=standing)


def by_indicator(plan: Plan) -> dict[str, list[Target]]:
    index: dict[str, list[Target]] = {}
    for target in plan.targets:
        index.setdefault(target.indicator, []).append(target)
    return index


def compare_target(
    child_plan: Plan,
    parent_plan: Plan,
    parent_target: Target,
    indicator: Indicator | None,
    child_index: dict[str, list[Target]] | None = None,
) -> Comparison:
    def make(
        status: Status, reason: str, child_target: Target | None = None, later: Target | None = None
    ) -> Comparison:
        return Comparison(
            child=child_plan.id,
            parent=parent_plan.id,
            indicator=parent_target.indicator,
            year=parent_target.year,
            parent_target=parent_target,
            child_target=child_target,
            status=status,
            reason=reason,
            later_target=later,
        )

    if indicator is None:
        return make("not-comparable", "indicator not in the catalogue")
    if not applicable(indicator, child_plan):
        return make("not-applicable", f"indicator applies at {', '.join(indicator.levels)} level")
    if child_index is None:
        child_index = by_indicator(child_plan)
    mine = child_index.get(parent_target.indicator, [])
    if not comparable_kind(indicator, child_plan, parent_plan):
        return make(
            "not-comparable",
            "counts compare only within one jurisdiction",
            _latest_by(mine, parent_target.year),
        )
    if not mine:
        return make("missing", "no target on this indicator")
    same_year = [t for t in mine if t.year == parent_target.year]
    earlier = sorted((t for t in mine if t.year < parent_target.year), key=lambda t: (t.year, t.id))
    later = sorted((t for t in mine if t.year > parent_target.year), key=lambda t: (t.year, t.id))
    candidates = same_year
    reason = "same year"
    if not candidates and earlier and (indicator.monotonic or any(t.per_year for t in earlier)):
        last_year = earlier[-1].year
        candidates = [t for t in earlier if t.year == last_year]
        reason = f"{last_year} target covers {parent_target.year} (indicator only moves one way)"
    if not candidates:
        if later:
            found: Comparison = _later_or_weaker(make, later, indicator, parent_target, missing_year=True)
            return found
        if earlier:
            return make(
                "missing",
                f"no target for {parent_target.year}; the {earlier[-1].year} target does not carry over "
                "(the indicator can move both ways)",
            )
        return make("missing", f"no target for {parent_target.year} or earlier")
    child_target = _strongest(candidates, indicator, parent_target)
    if parent_target.bound is None or child_target.bound is None:
        return make("not-comparable", "qualitative target on one side", child_target)
    verdict = compare_bounds(child_target.bound, parent_target.bound, indicator.direction)
    if verdict in ("exceeds", "meets"):
        return make(verdict, reason, child_target)
    if later:
        result = _later_or_weaker(make, later, indicator, parent_target, missing_year=False)
        if result.status == "later":
            return make("later", result.reason, child_target, result.later_target)
    return make(verdict, reason, child_target)


def _later_or_weaker(
    make: Callable[..., Comparison],
    later: list[Target],
    indicator: Indicator,
    parent_target: Target,
    *,
    missing_year: bool,
) -> Comparison:
    for target in later:
        if target.bound is None or parent_target.bound is None:
            continue
        if compare_bounds(target.bound, parent_target.bound, indicator.direction) in ("exceeds", "meets"):
            return make(
                "later",
                f"reaches the parent's level only in {target.year}",
                target if missing_year else None,
                target,
            )
    if missing_year:
        return make("missing", f"no target for {parent_target.year} or earlier; later ones fall short")
    return make("weaker", "no later target reaches the parent's level")


def _latest_by(targets: list[Target], year: int) -> Target | None:
    upto = [t for t in targets if t.year <= year]
    pool = upto or targets
    return max(pool, key=lambda t: (t.year, t.id)) if pool else None


def compare_plans(child: LoadedPlan, parent: LoadedPlan, ps: PlanSet) -> list[Comparison]:
    """Every parent target checked against the child, memoised per run."""
    key = ("compare", child.id, parent.id)
    if key in ps.memo:
        return ps.memo[key]  # type: ignore[no-any-return]
    assert child.plan is not None and parent.plan is not None
    if child.plan.document.targets_from is not None:
        # its targets are another plan's, compared with the parents by that plan itself
        ps.memo[key] = []
        return []
    index_key = ("targets-by-indicator", child.id)
    if index_key not in ps.memo:
        ps.memo[index_key] = by_indicator(child.plan)
    out = [
        compare_target(
            child.plan, parent.plan, target, ps.indicators.get(target.indicator), ps.memo[index_key]
        )
        for target in parent.plan.targets
    ]
    if parent.stand_in is not None:
        out = [replace(c, via=parent.stand_in) for c in out]
    ps.memo[key] = out
    return out


def level_allows(child: Plan, parent: Plan) -> bool:
    return LEVEL_RANK[parent.jurisdiction.level] <= LEVEL_RANK[child.jurisdiction.level]


__all__ = [
    "GAP_STATUSES",
    "STATUS_ORDER",
    "Comparison",
    "Status",
    "_bound_text",
    "compare_plans",
    "compare_target",
]
