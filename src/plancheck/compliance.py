"""Compare a child plan's targets with one parent's, target by target and year by year.

The result is a list of `Comparison` records, one per parent target, whatever the outcome
(meets and exceeds included), so the rules, `plancheck tree` and the report share one reading.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from plancheck.algebra import Direction, compare_bounds, worst_edge
from plancheck.model import INTENSIVE_KINDS, LEVEL_RANK, Bound, Indicator, Plan, Target
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


Goodness = tuple[int] | tuple[int, Decimal, bool]


def _goodness(bound: Bound | None, direction: Direction) -> Goodness:
    """A sort key on which ``compare_bounds`` is monotone: the child's verdict against a parent
    is exceeds when its key is above the parent's, meets when equal, boundary or weaker below.
    (The worst accepted value in 'goodness' orientation; excluding it is a little better.)"""
    if bound is None:
        return (0,)
    edge = worst_edge(bound, direction)
    if edge.value is None:
        return (0,)
    return (1, edge.value if direction == "higher" else -edge.value, edge.strict)


@dataclass
class _Year:
    """One year's child targets on one indicator, sorted once so that each parent target finds
    the strongest of them by bisection instead of comparing with every one (5,000 parent and
    5,000 child targets took minutes)."""

    targets: list[Target]  # in the plan's order
    keys: list[Goodness]  # numeric targets' keys, ascending
    best: list[tuple[str, int, Target]]  # best[i]: the least (id, position) among keys[i:]


class TargetIndex(list[Target]):
    """A child's targets on one indicator (a list, in the plan's order), indexed by year."""

    def __init__(self, targets: list[Target] | None = None) -> None:
        super().__init__(targets or [])
        self._by_year: dict[int, list[tuple[int, Target]]] = {}
        for position, target in enumerate(self):
            self._by_year.setdefault(target.year, []).append((position, target))
        self.years = sorted(self._by_year)
        running = False
        self._per_year_upto: list[bool] = []  # any `per_year` target in this year or before
        for year in self.years:
            running = running or any(t.per_year for _, t in self._by_year[year])
            self._per_year_upto.append(running)
        self._ranked: dict[tuple[int, Direction], _Year] = {}

    def has_year(self, year: int) -> bool:
        return year in self._by_year

    def year_before(self, year: int) -> int | None:
        """The latest year before ``year`` that has a target."""
        i = bisect.bisect_left(self.years, year)
        return self.years[i - 1] if i else None

    def has_after(self, year: int) -> bool:
        return bool(self.years) and self.years[-1] > year

    def per_year_upto(self, year: int) -> bool:
        i = bisect.bisect_right(self.years, year)
        return self._per_year_upto[i - 1] if i else False

    def latest_by(self, year: int) -> Target | None:
        """The last target (by year, then id) up to ``year``, else the last of all."""
        i = bisect.bisect_right(self.years, year)
        chosen = self.years[i - 1] if i else (self.years[-1] if self.years else None)
        if chosen is None:
            return None
        return max((t for _, t in self._by_year[chosen]), key=lambda t: t.id)

    def _year(self, year: int, direction: Direction) -> _Year:
        slot = (year, direction)
        if slot not in self._ranked:
            items = self._by_year.get(year, [])
            numeric = sorted(
                (
                    (_goodness(t.bound, direction), position, t)
                    for position, t in items
                    if t.bound is not None
                ),
                key=lambda item: item[0],
            )
            best: list[tuple[str, int, Target]] = []
            for _key, position, t in reversed(numeric):
                mine = (t.id, position, t)
                best.append(mine if not best or mine[:2] < best[-1][:2] else best[-1])
            best.reverse()
            self._ranked[slot] = _Year([t for _, t in items], [k for k, _, _ in numeric], best)
        return self._ranked[slot]

    def strongest(self, year: int, indicator: Indicator, parent: Target, *, by_id: bool) -> Target:
        """Of the targets of ``year``, the one that stands best against ``parent``: the best
        verdict, then the least id (``by_id``: the year's first target by id when nothing can be
        compared, else its first in the plan's order)."""
        ranked = self._year(year, indicator.direction)
        if not ranked.keys or parent.bound is None:
            if by_id:
                return min(enumerate(ranked.targets), key=lambda item: (item[1].id, item[0]))[1]
            return ranked.targets[0]
        wanted = _goodness(parent.bound, indicator.direction)
        top = ranked.keys[-1]
        if top > wanted:  # some exceed: the least id among those that do
            start = bisect.bisect_right(ranked.keys, wanted)
        elif top[:2] == wanted[:2]:  # the best meet it or touch its boundary, all alike
            start = bisect.bisect_left(ranked.keys, top)
        else:  # every one falls short
            start = 0
        return ranked.best[start][2]

    def first_reaching(self, year: int, indicator: Indicator, parent: Target) -> Target | None:
        """The first target (by year, then id) after ``year`` that meets or exceeds ``parent``."""
        if parent.bound is None:
            return None
        wanted = _goodness(parent.bound, indicator.direction)
        for later_year in self.years[bisect.bisect_right(self.years, year) :]:
            ranked = self._year(later_year, indicator.direction)
            start = bisect.bisect_left(ranked.keys, wanted)
            if start < len(ranked.keys):
                return ranked.best[start][2]
        return None


def by_indicator(plan: Plan) -> dict[str, TargetIndex]:
    lists: dict[str, list[Target]] = {}
    for target in plan.targets:
        lists.setdefault(target.indicator, []).append(target)
    return {indicator: TargetIndex(targets) for indicator, targets in lists.items()}


def compare_target(
    child_plan: Plan,
    parent_plan: Plan,
    parent_target: Target,
    indicator: Indicator | None,
    child_index: dict[str, TargetIndex] | None = None,
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
    mine = child_index.get(parent_target.indicator) or TargetIndex()
    if not comparable_kind(indicator, child_plan, parent_plan):
        return make(
            "not-comparable",
            "counts compare only within one jurisdiction",
            mine.latest_by(parent_target.year),
        )
    if not mine:
        return make("missing", "no target on this indicator")
    # the child's targets of the same year, the latest earlier year, and later years, looked up
    # in the index (one pass over every child target per parent target was quadratic)
    year = parent_target.year
    same_year = mine.has_year(year)
    last_year = mine.year_before(year)
    later = mine.has_after(year)
    candidates = year if same_year else None
    reason = "same year"
    if (
        candidates is None
        and last_year is not None
        and (indicator.monotonic or mine.per_year_upto(last_year))
    ):
        candidates = last_year
        reason = f"{last_year} target covers {parent_target.year} (indicator only moves one way)"
    if candidates is None:
        if later:
            found: Comparison = _later_or_weaker(make, mine, indicator, parent_target, missing_year=True)
            return found
        if last_year is not None:
            return make(
                "missing",
                f"no target for {parent_target.year}; the {last_year} target does not carry over "
                "(the indicator can move both ways)",
            )
        return make("missing", f"no target for {parent_target.year} or earlier")
    child_target = mine.strongest(candidates, indicator, parent_target, by_id=not same_year)
    if parent_target.bound is None or child_target.bound is None:
        return make("not-comparable", "qualitative target on one side", child_target)
    verdict = compare_bounds(child_target.bound, parent_target.bound, indicator.direction)
    if verdict in ("exceeds", "meets"):
        return make(verdict, reason, child_target)
    if later:
        result = _later_or_weaker(make, mine, indicator, parent_target, missing_year=False)
        if result.status == "later":
            return make("later", result.reason, child_target, result.later_target)
    return make(verdict, reason, child_target)


def _later_or_weaker(
    make: Callable[..., Comparison],
    mine: TargetIndex,
    indicator: Indicator,
    parent_target: Target,
    *,
    missing_year: bool,
) -> Comparison:
    target = mine.first_reaching(parent_target.year, indicator, parent_target)
    if target is not None:
        return make(
            "later",
            f"reaches the parent's level only in {target.year}",
            target if missing_year else None,
            target,
        )
    if missing_year:
        return make("missing", f"no target for {parent_target.year} or earlier; later ones fall short")
    return make("weaker", "no later target reaches the parent's level")


def compare_plans(child: LoadedPlan, parent: LoadedPlan, ps: PlanSet) -> list[Comparison]:
    """Every parent target checked against the child, memoised per run."""
    key = ("compare", child.id, parent.id)
    if key in ps.memo:
        return ps.memo[key]  # type: ignore[no-any-return]
    assert child.plan is not None and parent.plan is not None
    index_key = ("targets-by-indicator", child.id)
    if index_key not in ps.memo:
        ps.memo[index_key] = by_indicator(child.plan)
    out = [
        compare_target(
            child.plan, parent.plan, target, ps.indicators.get(target.indicator), ps.memo[index_key]
        )
        for target in parent.plan.targets
    ]
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
