"""Comparisons through the catalogue: a target met through a related indicator or the parts of a
whole, and the cases where a missing target is debatable (a close measure, a task aimed at it)."""

from __future__ import annotations

from dataclasses import replace

from plancheck.check.algebra import compare_bounds
from plancheck.check.status import Comparison
from plancheck.check.targetindex import TargetIndex, latest_by
from plancheck.model import (
    Indicator,
    Measure,
    Plan,
    Target,
    Task,
)

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


def promises_all(target: Target) -> bool:
    """The bound promises 100 % (nothing below it is admitted)."""
    bound = target.bound
    return bound is not None and bound.op in ("=", ">=", ">", "..") and bound.low >= 100


def through_relations(
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
            if promises_all(t)
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


def through_parts(
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
            if promises_all(t)
            and (t.year == parent_target.year or (t.year < parent_target.year and part.monotonic))
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


def part_says_nothing(
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
        nearest = latest_by([t for p in parts for t in child_index[p]], parent_target.year)
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


def debatable_missing(
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
