"""Progress against the plans: reported values and task statuses from ``results/``, judged as of a date.

The results folder sits beside the plan tree (``results/`` next to ``plans/``). When there is
none, nothing here runs: progress is an addition to the compliance check, never a cost to it.
Progress depends on the date (``--as-of``), so it is computed afresh on every run and never
cached with a plan's findings.

What is judged, for each numeric target of each plan (``assess_targets``):

- the target's year has passed: the latest comparable value for a period ending in that year
  decides achieved or missed (by how much); without one, no result is reported;
- the year is still ahead: on track or not, by Open SDG's measure: the yearly change needed
  from the latest value to reach the target, against the yearly change between the last two
  values (fewer than two values: the trend is unknown, the needed change is still stated).

Only values reported for the plan's own jurisdiction, on the target's indicator, in its unit and
population, that describe a period ending on or before the as-of date, are compared. A value in
another unit or population is reported as not comparable, never silently compared.

For each task with a dated deadline (``assess_tasks``): past the deadline, the latest status
report on or before the as-of date decides: done, or overdue; with no report at all the task is
past due without a status (never called late on no evidence).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from plancheck.check.algebra import accepts_or_better, worst_edge
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.load.results import Results, Status, Value, full_plans, load_results, results_folder
from plancheck.load.yamlio import DEFAULT_MAX_BYTES
from plancheck.model import Indicator, Plan, Target, Task
from plancheck.model.bound import format_number
from plancheck.model.results import ReportedValue

DAYS_PER_YEAR = Decimal("365.25")


TargetStatus = Literal["achieved", "missed", "no-data", "on-track", "off-track", "trend-unknown"]
TaskOutcome = Literal["done", "overdue", "unreported"]


@dataclass(frozen=True)
class TargetAssessment:
    plan: str
    lp: LoadedPlan
    target: Target
    status: TargetStatus
    message: str
    used: tuple[Value, ...]  # the values the judgement rests on, oldest first
    ctx: dict[str, object]


@dataclass(frozen=True)
class TaskAssessment:
    plan: str
    lp: LoadedPlan
    task: Task
    outcome: TaskOutcome
    message: str
    report: Status | None


@dataclass
class Progress:
    """The inputs of the progress rules: full plans, catalogue, results and the as-of date."""

    as_of: dt.date
    plans: dict[str, LoadedPlan]  # valid plans with their targets and tasks, by id
    indicators: dict[str, Indicator]
    results: Results
    sources: Path | None = None  # the sources folder, for the provenance of results
    # computed once, shared by the rules (each picks its status)
    _targets: list[TargetAssessment] | None = None
    _tasks: list[TaskAssessment] | None = None
    _comparable: dict[tuple[str, str], list[Value]] | None = None

    def targets(self) -> list[TargetAssessment]:
        if self._targets is None:
            self._targets = list(assess_targets(self))
        return self._targets

    def tasks(self) -> list[TaskAssessment]:
        if self._tasks is None:
            self._tasks = list(assess_tasks(self))
        return self._tasks


def prepare(ps: PlanSet, as_of: dt.date | None, max_bytes: int = DEFAULT_MAX_BYTES) -> Progress | None:
    """The progress inputs of a plan set, or None when it has no results folder."""
    day = as_of or dt.date.today()
    key = ("progress", day)
    if key in ps.memo:
        cached: Progress | None = ps.memo[key]
        return cached
    folder = results_folder(ps)
    progress = None
    if folder is not None:
        progress = Progress(
            as_of=day,
            plans=full_plans(ps, max_bytes),
            indicators=ps.indicators,
            results=load_results(folder, max_bytes),
            sources=ps.sources,
        )
    ps.memo[key] = progress
    return progress


def not_comparable_reason(value: ReportedValue, indicator: Indicator) -> str | None:
    if value.unit != indicator.unit:
        return f"unit {value.unit!r}, the indicator's is {indicator.unit!r}"
    if value.population is not None and value.population != indicator.population:
        theirs = repr(indicator.population) if indicator.population else "its whole jurisdiction"
        return f"population {value.population!r}, the indicator's is {theirs}"
    return None


def known_by(value: Value, as_of: dt.date) -> bool:
    """A value counts as of a date when the period it describes has ended and it was reported."""
    reported = value.item.reported_on
    return value.item.period.end <= as_of and (reported is None or reported <= as_of)


def comparable(progress: Progress, indicator_id: str, jurisdiction: str) -> list[Value]:
    """The comparable values known by the as-of date, oldest first."""
    if progress._comparable is None:
        # grouped once: thousands of targets each filtering thousands of values took minutes
        index: dict[tuple[str, str], list[Value]] = {}
        for v in progress.results.values:
            indicator = progress.indicators.get(v.item.indicator) if v.item.indicator else None
            if (
                indicator is not None
                and not_comparable_reason(v.item, indicator) is None
                and known_by(v, progress.as_of)
            ):
                index.setdefault((indicator.id, v.item.jurisdiction), []).append(v)
        for found in index.values():
            found.sort(key=_age)
        progress._comparable = index
    return progress._comparable.get((indicator_id, jurisdiction), [])  # shared: read, never changed


def _end(v: Value) -> dt.date:
    return v.item.period.end


def _age(v: Value) -> tuple[dt.date, dt.date, str, int]:
    return (v.item.period.end, v.item.reported_on or dt.date.min, v.at.path, v.at.line)


def claimed_value(v: ReportedValue) -> str:
    """What a value claims, without the entry's own id: a finding's identity rests on it, and a
    figure renamed (P2 to P9) makes no new claim."""
    qualifier = f"{v.qualifier} " if v.qualifier else ""
    return f"{qualifier}{format_number(v.value)} {v.unit} ({v.period}, {v.reliability})"


def shown_value(v: ReportedValue) -> str:
    qualifier = f"{v.qualifier} " if v.qualifier else ""
    return f"{qualifier}{format_number(v.value)} {v.unit} ({v.period}, {v.reliability}, {v.id})"


def meets(target: Target, direction: Literal["higher", "lower"], v: ReportedValue) -> bool | None:
    """Whether a reported value meets the target's bound; None when its qualifier leaves it open."""
    assert target.bound is not None
    ok = accepts_or_better(target.bound, v.value, direction)
    if v.qualifier in (None, "about"):
        return ok
    # "over 51" lies above 51: on the better side of the value when higher is better
    better_side = (v.qualifier == "over") == (direction == "higher")
    if better_side:
        return True if ok else None
    edge = worst_edge(target.bound, direction)
    if edge.value is None:
        return True
    if ok and v.value != edge.value:
        return None
    return False


def as_reported(v: ReportedValue) -> str:
    """The number with its qualifier, as the report gave it: 'about 18.72'."""
    return f"{v.qualifier} {format_number(v.value)}" if v.qualifier else format_number(v.value)


def _years(start: dt.date, end: dt.date) -> Decimal:
    return Decimal((end - start).days) / DAYS_PER_YEAR


def _rate(x: Decimal) -> str:
    # derived figures (rates of change) are shown to two decimals; reported values never are
    return f"{x:+.2f}"


def assess_targets(progress: Progress) -> Iterator[TargetAssessment]:
    for plan_id, lp in sorted(progress.plans.items()):
        plan = lp.plan
        assert plan is not None
        for target in plan.targets:
            found = _assess_target(progress, plan_id, lp, plan, target)
            if found is not None:
                yield found


def _assess_target(
    progress: Progress, plan_id: str, lp: LoadedPlan, plan: Plan, target: Target
) -> TargetAssessment | None:
    indicator = progress.indicators.get(target.indicator)
    # qualitative and recurring ('hằng năm') targets have no single milestone to judge
    if indicator is None or target.bound is None or target.per_year:
        return None
    direction = indicator.direction
    due = dt.date(target.year, 12, 31)
    values = comparable(progress, target.indicator, plan.jurisdiction.code)
    base = {"indicator": target.indicator, "year": target.year, "parent_bound": str(target.bound)}
    what = f"{target.id} ({target.indicator} {target.bound} by {target.year})"

    def make(status: TargetStatus, message: str, used: list[Value], **ctx: object) -> TargetAssessment:
        return TargetAssessment(
            plan_id, lp, target, status, message, tuple(used), {**base, "status": status, **ctx}
        )

    # on the target's last day a value for a period ending that day settles it: the year is over
    # for that value, and judging the pace with no time left would divide by zero years
    if due < progress.as_of or (values and values[-1].item.period.end >= due):
        # the values are in order of their period's end: the last one ending by the due date
        until = bisect_right(values, due, key=_end)
        if not until or values[until - 1].item.period.end.year != target.year:
            return make("no-data", f"{what}: the year has passed and no comparable result is reported", [])
        latest = values[until - 1]
        verdict = meets(target, direction, latest.item)
        shown = shown_value(latest.item)
        if verdict is None:
            return make(
                "no-data",
                f"{what}: the latest result, {shown}, cannot settle the bound",
                [latest],
                child_bound=claimed_value(latest.item),
            )
        if verdict:
            return make(
                "achieved", f"{what}: achieved, {shown}", [latest], child_bound=claimed_value(latest.item)
            )
        edge = worst_edge(target.bound, direction).value
        gap = abs(edge - latest.item.value) if edge is not None else None
        by = f", short by {format_number(gap)} {indicator.unit}" if gap is not None else ""
        return make(
            "missed", f"{what}: not achieved, {shown}{by}", [latest], child_bound=claimed_value(latest.item)
        )
    if not values:
        return None  # ahead and nothing reported yet: the report says "no data", no finding
    latest = values[-1]
    shown = shown_value(latest.item)
    if meets(target, direction, latest.item):
        return make(
            "on-track", f"{what}: already met, {shown}", [latest], child_bound=claimed_value(latest.item)
        )
    goal = worst_edge(target.bound, direction).value
    assert goal is not None  # a bound that is not met has an edge
    left = _years(latest.item.period.end, due)
    needed = (goal - latest.item.value) / left
    method = (
        f"needs {_rate(needed)} ({indicator.unit}) a year from {as_reported(latest.item)} "
        f"({latest.item.period}) to reach {format_number(goal)} by {target.year}"
    )
    earlier = bisect_left(values, latest.item.period.end, key=_end)  # how many ended before it
    if not earlier:
        return make(
            "trend-unknown",
            f"{what}: one comparable result, {shown}; {method}; no earlier value to compare the pace with",
            [latest],
            child_bound=claimed_value(latest.item),
            needed=_rate(needed),
        )
    previous = values[earlier - 1]
    observed = (latest.item.value - previous.item.value) / _years(
        previous.item.period.end, latest.item.period.end
    )
    on_track = observed >= needed if direction == "higher" else observed <= needed
    pace = (
        f"observed {_rate(observed)} ({indicator.unit}) a year between {as_reported(previous.item)} "
        f"({previous.item.period}) and {as_reported(latest.item)} ({latest.item.period})"
    )
    return make(
        "on-track" if on_track else "off-track",
        f"{what}: {'on track' if on_track else 'not on track'}: {method}; {pace}",
        [previous, latest],
        child_bound=claimed_value(latest.item),
        needed=_rate(needed),
        observed=_rate(observed),
    )


def statuses_by_task(progress: Progress) -> dict[tuple[str, str], list[Status]]:
    out: dict[tuple[str, str], list[Status]] = {}
    for s in progress.results.statuses:
        if s.item.as_of <= progress.as_of:
            out.setdefault((s.item.plan, s.item.task), []).append(s)
    for reports in out.values():
        reports.sort(key=lambda s: (s.item.as_of, s.at.path, s.at.line))
    return out


def assess_tasks(progress: Progress) -> Iterator[TaskAssessment]:
    reports = statuses_by_task(progress)
    for plan_id, lp in sorted(progress.plans.items()):
        assert lp.plan is not None
        for task in lp.plan.tasks:
            end = task.due.end
            if end is None or task.due.is_recurring or end >= progress.as_of:
                continue
            known = reports.get((plan_id, task.id), [])
            latest = known[-1] if known else None
            what = f"task {task.id} (due {task.due}, {task.lead or 'no lead named'})"
            if latest is None:
                yield TaskAssessment(
                    plan_id, lp, task, "unreported", f"{what}: past its deadline; no status reported", None
                )
                continue
            said = (
                f"{latest.item.status} ('{latest.item.status_label}') on {latest.item.as_of}, "
                f"{latest.item.reliability}, {latest.at.path}:{latest.at.line}"
            )
            if latest.item.status == "done":
                yield TaskAssessment(plan_id, lp, task, "done", f"{what}: done: {said}", latest)
            else:
                yield TaskAssessment(
                    plan_id, lp, task, "overdue", f"{what}: overdue: the latest report says {said}", latest
                )
