"""Compare a child plan's targets with one parent's, target by target and year by year.

The result is a list of `Comparison` records, one per parent target, whatever the outcome
(meets and exceeds included), so the rules, `plancheck tree` and the report share one reading.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from plancheck.algebra import Direction, compare_bounds, worst_edge
from plancheck.model import (
    INTENSIVE_KINDS,
    Bound,
    Elsewhere,
    Indicator,
    Measure,
    Plan,
    Target,
    Task,
)

if TYPE_CHECKING:  # the plan set imports the target rules, which import this module
    from plancheck.load.plan import LoadedPlan
    from plancheck.load.planset import PlanSet

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
    catalogue: dict[str, Indicator] | None = None,
    siblings: dict[tuple[str, int], list[Target]] | None = None,
    aims: dict[str, list[Task | Measure]] | None = None,
) -> Comparison:
    """The one status of ``parent_target`` for this child, with its reason.

    Comparison on the parent's own indicator first; then, where that finds nothing or falls
    short, through the catalogue's relations (a whole at 100 % meets a part's target); then the
    child's declarations (targets kept in an absent appendix make a gap `unverifiable`); and a
    firm parent target met only as an aspiration is `softened`. A target the child would miss
    only on a reading an analyst must make (a level reached earlier on an indicator that can fall
    back, a closely related measure, an aim taken up as a task) is information, not a gap
    (`_debatable_missing`).
    """
    if child_index is None:
        child_index = by_indicator(child_plan)
    found = _compare_direct(child_plan, parent_plan, parent_target, indicator, child_index)
    if indicator is None or found.status not in GAP_STATUSES:
        return _soften(found)
    if siblings and found.status in ("weaker", "boundary", "later"):
        others = siblings.get((parent_target.indicator, parent_target.year), [])
        contested = _parent_contradicts_itself(found, child_plan, parent_plan, indicator, child_index, others)
        if contested is not None:
            return contested
    if indicator.share_of_units == child_plan.jurisdiction.level and not _full(parent_target):
        # 60 % of the city's communes says nothing binding on one ward: which 60 %?
        return replace(
            found,
            status="not-comparable",
            reason=f"the parent's figure is a share of its {indicator.share_of_units}-level units below "
            f"100 %: it binds no one {indicator.share_of_units}",
        )
    if catalogue is not None and not _speaks_for(child_index, indicator, parent_target.year):
        # only where the child says nothing on the part for the year: a stated part figure,
        # even a weaker one beside 100 % of the whole, is the child's own word and stands
        related = _through_relations(
            child_plan, parent_plan, parent_target, indicator, child_index, catalogue
        )
        if related is None:
            related = _through_parts(
                child_plan, parent_plan, parent_target, indicator, child_index, catalogue
            )
        if related is not None:
            return _soften(related)
        found = _part_says_nothing(found, child_plan, parent_target, child_index, catalogue)
        if found.status == "missing":
            found = _debatable_missing(found, child_plan, indicator, child_index, catalogue, aims)
    if found.status in GAP_STATUSES and parent_target.year_inferred is not None:
        found = replace(
            found,
            reason=f"{found.reason}; the parent states no year for it, {parent_target.year} is "
            f"inferred ({parent_target.year_inferred})",
        )
    if found.status == "missing":
        declared = targets_elsewhere(child_plan)
        if declared is not None:
            return replace(
                found,
                status="unverifiable",
                reason=f"{found.reason}; this plan keeps its specific targets in {declared.where}, "
                f"absent from the source text (line {declared.source.line})",
            )
    return found


def _parent_contradicts_itself(
    found: Comparison,
    child_plan: Plan,
    parent_plan: Plan,
    indicator: Indicator,
    child_index: dict[str, TargetIndex],
    others: list[Target],
) -> Comparison | None:
    """The parent states this indicator twice for the year with different figures (its PC401:
    142/KH-UBND's Phụ lục 1 '> 90' and Phụ lục 2 '>= 90'), and the child meets the other one.
    Which of the parent's figures binds is the parent's question, not a gap of the child's."""
    target = found.parent_target
    for other in others:
        if other is target or other.bound is None or str(other.bound) == str(target.bound):
            continue
        again = _compare_direct(child_plan, parent_plan, other, indicator, child_index)
        if again.status in ("meets", "exceeds"):
            return replace(
                found,
                status="not-comparable",
                child_target=again.child_target,
                reason=f"the parent states {target.indicator} {target.year} twice with different "
                f"figures ({target.bound} in {target.id}, {other.bound} in {other.id}); this plan meets "
                f"{other.id}",
            )
    return None


def _speaks_for(child_index: dict[str, TargetIndex], indicator: Indicator, year: int) -> bool:
    """The child has a target for the year, or an earlier one that carries over (looked up in
    the index: a scan per parent target was quadratic on thousands of targets)."""
    mine = child_index.get(indicator.id)
    if not mine:
        return False
    if mine.has_year(year):
        return True
    before = mine.year_before(year)
    return before is not None and (indicator.monotonic or mine.per_year_upto(before))


def targets_elsewhere(plan: Plan) -> Elsewhere | None:
    return next((e for e in plan.elsewhere if e.items == "targets"), None)


def _soften(c: Comparison) -> Comparison:
    target = c.child_target
    if (
        # only the same level: striving for more than a firm floor ('phấn đấu 60%' against
        # '>= 50') is a stretch goal above the parent, not a softened copy of it
        c.status == "meets" and target is not None and target.strive and not c.parent_target.strive
    ):
        return replace(
            c,
            status="softened",
            reason=f"{c.reason}; the same level, but only as 'phấn đấu' (strive) where the parent's "
            "target is firm",
        )
    return c


# The wholes of each part, built once per catalogue (a scan per parent target made thousands of
# targets on one indicator slow). Keyed by the catalogue object, kept alive by the entry itself.
_WHOLES: list[tuple[dict[str, Indicator], dict[str, list[Indicator]]]] = []


def _wholes(catalogue: dict[str, Indicator], part: str) -> list[Indicator]:
    for known, index in _WHOLES:
        if known is catalogue:
            return index.get(part, [])
    built: dict[str, list[Indicator]] = {}
    for whole in sorted(catalogue.values(), key=lambda i: i.id):
        for relation in whole.relations:
            built.setdefault(relation.contains, []).append(whole)
    _WHOLES[:] = [(catalogue, built), *_WHOLES[:3]]
    return built.get(part, [])


def _full(target: Target) -> bool:
    """The bound promises 100 % (nothing below it is admitted)."""
    bound = target.bound
    return bound is not None and bound.op in ("=", ">=", ">", "..") and bound.low >= 100


def _through_relations(
    child_plan: Plan,
    parent_plan: Plan,
    parent_target: Target,
    indicator: Indicator,
    child_index: dict[str, TargetIndex],
    catalogue: dict[str, Indicator],
) -> Comparison | None:
    """A child target of 100 % on a whole that contains the parent's indicator meets it."""
    if indicator.direction != "higher" or parent_target.bound is None:
        return None
    for whole in _wholes(catalogue, indicator.id):
        if whole.unit != indicator.unit:
            continue
        usable = [
            t
            for t in child_index.get(whole.id, [])
            if _full(t)
            and (t.year == parent_target.year or (t.year < parent_target.year and whole.monotonic))
        ]
        if not usable:
            continue
        best = max(usable, key=lambda t: (t.year, t.id))
        assert best.bound is not None
        verdict = compare_bounds(best.bound, parent_target.bound, indicator.direction)
        if verdict not in ("meets", "exceeds"):
            continue
        when = "same year" if best.year == parent_target.year else f"{best.year} target, level kept"
        return Comparison(
            child=child_plan.id,
            parent=parent_plan.id,
            indicator=parent_target.indicator,
            year=parent_target.year,
            parent_target=parent_target,
            child_target=best,
            status=verdict,
            reason=f"through {whole.id} ⊇ {indicator.id}: {best.bound} of the whole implies 100 % "
            f"of the part ({when})",
            via=whole.id,
        )
    return None


def _through_parts(
    child_plan: Plan,
    parent_plan: Plan,
    parent_target: Target,
    whole: Indicator,
    child_index: dict[str, TargetIndex],
    catalogue: dict[str, Indicator],
) -> Comparison | None:
    """Every part of an exhaustive whole at 100 % (by the year, or earlier where kept) is the
    whole at 100 %: the reverse of a relation, sound only when the parts make up the whole."""
    if not whole.parts_cover_whole or whole.direction != "higher" or parent_target.bound is None:
        return None
    chosen: list[Target] = []
    for relation in whole.relations:
        part = catalogue.get(relation.contains)
        if part is None or part.unit != whole.unit:
            return None
        usable = [
            t
            for t in child_index.get(part.id, [])
            if _full(t) and (t.year == parent_target.year or (t.year < parent_target.year and part.monotonic))
        ]
        if not usable:
            return None
        chosen.append(max(usable, key=lambda t: (t.year, t.id)))
    latest = max(chosen, key=lambda t: (t.year, t.id))
    assert latest.bound is not None
    verdict = compare_bounds(latest.bound, parent_target.bound, whole.direction)
    if verdict not in ("meets", "exceeds"):
        return None
    names = ", ".join(f"{t.indicator} ({t.id}, {t.year})" for t in chosen)
    return Comparison(
        child=child_plan.id,
        parent=parent_plan.id,
        indicator=parent_target.indicator,
        year=parent_target.year,
        parent_target=parent_target,
        child_target=latest,
        status=verdict,
        reason=f"through its parts {names}, each at 100 %, which together make up {whole.id}",
        via=" + ".join(t.indicator for t in chosen),
    )


def _part_says_nothing(
    found: Comparison,
    child_plan: Plan,
    parent_target: Target,
    child_index: dict[str, TargetIndex],
    catalogue: dict[str, Indicator],
) -> Comparison:
    """Name the parts the child does state, so 'missing' explains itself."""
    if found.status != "missing":
        return found
    whole = catalogue.get(parent_target.indicator)
    if whole is None:
        return found
    parts = sorted(r.contains for r in whole.relations if child_index.get(r.contains))
    if not parts:
        return found
    if parent_target.bound is None:
        # a qualitative whole ('phủ sóng 5G toàn quốc') against stated parts: for an analyst to
        # judge, neither met nor missing
        nearest = _latest_by([t for p in parts for t in child_index[p]], parent_target.year)
        return replace(
            found,
            status="not-comparable",
            reason=f"qualitative target on the parent's side; this plan states {', '.join(parts)}, "
            "a part of it",
            child_target=nearest,
        )
    return replace(
        found,
        reason=f"{found.reason}; this plan states only {', '.join(parts)}, a part, and a share of a "
        "part says nothing about the whole",
    )


# The close measures of each indicator, both ways, built once per catalogue (as `_WHOLES`).
_CLOSE: list[tuple[dict[str, Indicator], dict[str, list[tuple[str, str]]]]] = []


def _close_measures(catalogue: dict[str, Indicator], indicator: str) -> list[tuple[str, str]]:
    for known, index in _CLOSE:
        if known is catalogue:
            return index.get(indicator, [])
    built: dict[str, list[tuple[str, str]]] = {}
    for one in sorted(catalogue.values(), key=lambda i: i.id):
        for close in one.close_to:
            # declared once, read both ways: neither measure implies the other
            built.setdefault(one.id, []).append((close.indicator, close.reason))
            built.setdefault(close.indicator, []).append((one.id, close.reason))
    for pairs in built.values():
        pairs.sort()
    _CLOSE[:] = [(catalogue, built), *_CLOSE[:3]]
    return built.get(indicator, [])


def tasks_by_aim(plan: Plan) -> dict[str, list[Task | Measure]]:
    """The plan's tasks and measures by the indicators whose aim they take up."""
    out: dict[str, list[Task | Measure]] = {}
    items: list[Task | Measure] = [*plan.tasks, *plan.measures]
    for item in items:
        for aim in item.aims:
            out.setdefault(aim, []).append(item)
    return out


def _debatable_missing(
    found: Comparison,
    child_plan: Plan,
    indicator: Indicator,
    child_index: dict[str, TargetIndex],
    catalogue: dict[str, Indicator],
    aims: dict[str, list[Task | Measure]] | None,
) -> Comparison:
    """A 'missing' that holds only on one reading of the child, made information with the reason.

    Three cases, each found by independent readers to split them (issue 17, round 5): the child
    reached the parent's level at its last milestone on an indicator that can fall back and says
    nothing later; the child states a different measure of the same aim that the catalogue marks
    as close (`close_to`); the parent's aim has no number or no stated year and the child takes it
    up as a task (`aims`). A numeric, dated parent target carried only by a task stays missing:
    a task is not a figure.
    """
    parent_target = found.parent_target
    year = parent_target.year
    mine = child_index.get(indicator.id)
    if mine and parent_target.bound is not None and not mine.has_after(year):
        before = mine.year_before(year)
        if before is not None:
            last = mine.strongest(before, indicator, parent_target, by_id=True)
            if last.bound is not None and compare_bounds(
                last.bound, parent_target.bound, indicator.direction
            ) in ("meets", "exceeds"):
                return replace(
                    found,
                    status="unverifiable",
                    child_target=last,
                    reason=f"reached earlier: this plan's last milestone ({last.id}, {last.year}: "
                    f"{last.bound}) already reaches the parent's level and nothing later contradicts "
                    f"it; the catalogue marks {indicator.id} 'not-kept' (it can fall back), so whether "
                    f"the level holds in {year} the plan does not say",
                )
    for other, why in _close_measures(catalogue, indicator.id):
        theirs = child_index.get(other)
        close = catalogue.get(other)
        if not theirs or close is None:
            continue
        if theirs.has_year(year):
            pick = min((t for t in theirs if t.year == year), key=lambda t: t.id)
        else:
            before = theirs.year_before(year)
            if before is None or not close.monotonic:
                continue
            pick = min((t for t in theirs if t.year == before), key=lambda t: t.id)
        stated = str(pick.bound) if pick.bound is not None else f"“{pick.qualitative}”"
        return replace(
            found,
            status="not-comparable",
            child_target=pick,
            reason=f"this plan states {other} ({pick.id}, {pick.year}: {stated}), a closely related "
            f"but different measure ({why}); whether it meets the parent's target is the analyst's "
            "judgement",
        )
    tasks = (aims if aims is not None else tasks_by_aim(child_plan)).get(indicator.id, [])
    if tasks:
        # a task before a measure: it has a lead and a deadline
        task = min(tasks, key=lambda t: (isinstance(t, Measure), t.id))
        kind = "measure" if isinstance(task, Measure) else "task"
        line = f", line {task.source.line}" if task.source.line is not None else ""
        if parent_target.bound is None or parent_target.year_inferred is not None:
            what = "has no number" if parent_target.bound is None else "states no year"
            return replace(
                found,
                status="not-comparable",
                reason=f"the parent's aim {what}; this plan takes it up as {kind} {task.id} "
                f"({task.source.section}{line}), not as a target",
            )
        return replace(
            found,
            reason=f"{found.reason}; {kind} {task.id} takes up the aim, with no figure of its own",
        )
    return found


def _compare_direct(
    child_plan: Plan,
    parent_plan: Plan,
    parent_target: Target,
    indicator: Indicator | None,
    child_index: dict[str, TargetIndex],
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
    mine = child_index.get(parent_target.indicator) or TargetIndex()
    if not comparable_kind(indicator, child_plan, parent_plan):
        counterpart = mine.latest_by(parent_target.year)
        return make(
            "not-comparable",
            "counts compare only within one jurisdiction"
            + ("" if counterpart is not None else "; this plan states no count on it"),
            counterpart,
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
        reason = (
            f"{last_year} target covers {parent_target.year} (a level once reached is kept)"
            if indicator.monotonic
            else f"{last_year} target recurs every year"
        )
    if candidates is None:
        if later:
            found: Comparison = _later_or_weaker(make, mine, indicator, parent_target, missing_year=True)
            return found
        if last_year is not None:
            return make(
                "missing",
                f"no target for {parent_target.year}; the {last_year} target does not carry over "
                "(the catalogue marks the indicator 'not-kept': it can fall back)",
            )
        return make("missing", f"no target for {parent_target.year} or earlier")
    child_target = mine.strongest(candidates, indicator, parent_target, by_id=not same_year)
    if parent_target.bound is None or child_target.bound is None:
        return make("not-comparable", "qualitative target on one side", child_target)
    verdict = compare_bounds(child_target.bound, parent_target.bound, indicator.direction)
    if verdict in ("exceeds", "meets"):
        return make(verdict, reason, child_target)
    # a same-year target short only at the boundary ('>= 90' against '> 90') is that, even when a
    # later target goes beyond: "later" is for a year in which the child falls short outright
    if later and verdict == "weaker":
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


def _latest_by(targets: list[Target], year: int) -> Target | None:
    upto = [t for t in targets if t.year <= year]
    pool = upto or targets
    return max(pool, key=lambda t: (t.year, t.id)) if pool else None


def _stated_twice(plan: Plan) -> dict[tuple[str, int], list[Target]]:
    """(indicator, year) that a plan states with two or three different figures, one target per
    figure. More is not a plan's appendices disagreeing (a generated or hostile file): left out,
    so that comparing stays linear in the targets."""
    by_year: dict[tuple[str, int], dict[str, Target]] = {}
    for t in plan.targets:
        if t.bound is not None:
            by_year.setdefault((t.indicator, t.year), {}).setdefault(str(t.bound), t)
    return {k: list(v.values()) for k, v in by_year.items() if 2 <= len(v) <= 3}


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
    siblings_key = ("figures-by-year", parent.id)
    if siblings_key not in ps.memo:
        ps.memo[siblings_key] = _stated_twice(parent.plan)
    aims_key = ("tasks-by-aim", child.id)
    if aims_key not in ps.memo:
        ps.memo[aims_key] = tasks_by_aim(child.plan)
    out = [
        compare_target(
            child.plan,
            parent.plan,
            target,
            ps.indicators.get(target.indicator),
            ps.memo[index_key],
            ps.indicators,
            ps.memo[siblings_key],
            ps.memo[aims_key],
        )
        for target in parent.plan.targets
    ]
    if parent.stand_in is not None:
        out = [replace(c, table_of=parent.stand_in) for c in out]
    ps.memo[key] = out
    return out


__all__ = [
    "GAP_STATUSES",
    "STATUS_MEANING",
    "STATUS_ORDER",
    "Comparison",
    "Status",
    "_bound_text",
    "compare_plans",
    "compare_target",
]
