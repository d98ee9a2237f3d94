"""A plan's targets by indicator, ranked per year and direction, so that comparing a child with a
parent is near-linear in their targets."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from decimal import Decimal

from plancheck.check.algebra import Direction, worst_edge
from plancheck.model import (
    Bound,
    Indicator,
    Plan,
    Target,
)

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
        # a `per_year` target among the targets of that very year: a recurring target of 2025
        # says nothing of a one-off 2029 milestone, which must not be read as recurring
        self._per_year_at: list[bool] = [any(t.per_year for _, t in self._by_year[y]) for y in self.years]
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
        """The targets of the last year up to ``year`` recur every year (`per_year`)."""
        i = bisect.bisect_right(self.years, year)
        return self._per_year_at[i - 1] if i else False

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


def latest_by(targets: list[Target], year: int) -> Target | None:
    upto = [t for t in targets if t.year <= year]
    pool = upto or targets
    return max(pool, key=lambda t: (t.year, t.id)) if pool else None


def stated_twice(plan: Plan) -> dict[tuple[str, int], list[Target]]:
    """(indicator, year) that a plan states with two or three different figures, one target per
    figure. More is not a plan's appendices disagreeing (a generated or hostile file): left out,
    so that comparing stays linear in the targets."""
    by_year: dict[tuple[str, int], dict[str, Target]] = {}
    for t in plan.targets:
        if t.bound is not None:
            by_year.setdefault((t.indicator, t.year), {}).setdefault(str(t.bound), t)
    return {k: list(v.values()) for k, v in by_year.items() if 2 <= len(v) <= 3}
