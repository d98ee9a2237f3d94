"""Compare a child plan's targets with one parent's, target by target and year by year.

The result is a list of `Comparison` records, one per parent target, whatever the outcome
(meets and exceeds included), so the rules, `plancheck tree` and the report share one reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from plancheck.check.algebra import compare_bounds
from plancheck.check.related import (
    debatable_missing,
    part_says_nothing,
    promises_all,
    tasks_by_aim,
    through_parts,
    through_relations,
)
from plancheck.check.status import (
    GAP_STATUSES,
    Comparison,
    Status,
    applicable,
    comparable_kind,
)
from plancheck.check.targetindex import TargetIndex, by_indicator, stated_twice
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.model import (
    Elsewhere,
    Indicator,
    Measure,
    Plan,
    Target,
    Task,
)


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
    (`debatable_missing`).
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
    if indicator.share_of_units == child_plan.jurisdiction.level and not promises_all(parent_target):
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
        related = through_relations(child_plan, parent_plan, parent_target, indicator, child_index, catalogue)
        if related is None:
            related = through_parts(child_plan, parent_plan, parent_target, indicator, child_index, catalogue)
        if related is not None:
            return _soften(related)
        found = part_says_nothing(found, child_plan, parent_target, child_index, catalogue)
        if found.status == "missing":
            found = debatable_missing(found, child_plan, indicator, child_index, catalogue, aims)
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
                "absent from the source text"
                + (f" (line {declared.source.line})" if declared.source.line is not None else ""),
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
        ps.memo[siblings_key] = stated_twice(parent.plan)
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


__all__ = ["compare_plans", "compare_target"]
