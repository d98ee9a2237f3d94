"""PC6xx: progress — reported results and task statuses (``results/``) against the plans, as of a date.

These rules run only when a results folder sits beside the plan tree; see ``plancheck.check.progress``.
They are pure: each takes the prepared ``Progress`` and yields its findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from plancheck.findings import Finding
from plancheck.model.bound import format_number
from plancheck.rules.base import Rule
from plancheck.rules.result_sources import RESULT_NOT_IN_SOURCE
from plancheck.rules.status_labels import TASK_STATUS_CONTRADICTS_LABEL

if TYPE_CHECKING:  # the results model is imported only by runs that have a results folder
    from plancheck.check.progress import Progress
    from plancheck.load.results import Placed


def target_progress(progress: Progress) -> Iterator[Finding]:
    """One finding per judged target, by its status (PC602-PC607), at the year of a milestone
    that has passed and at the bound of a target still ahead."""
    for a in progress.targets():
        judged = TARGET_STATUS.get(a.status)
        if judged is None:
            continue
        rule, key = judged
        line, col = a.lp.pos("targets", a.target._index, key)
        used = [f"{v.at.path}:{v.at.line}" for v in a.used]
        ctx = {**a.ctx, "item": a.target.id, "results": used}
        yield rule.finding(a.lp.path, line, col, a.message, plan=a.plan, ctx=ctx)


def task_progress(progress: Progress) -> Iterator[Finding]:
    """One finding per task past its deadline and not reported done (PC608, PC609)."""
    for a in progress.tasks():
        rule = TASK_OUTCOME.get(a.outcome)
        if rule is None:
            continue
        line, col = a.lp.pos("tasks", a.task._index, "due")
        ctx: dict[str, object] = {"item": a.task.id, "status": a.outcome, "child_bound": str(a.task.due)}
        if a.report is not None:
            ctx["report"] = f"{a.report.at.path}:{a.report.at.line}"
            ctx["reported_status"] = a.report.item.status
            ctx["reported_as_of"] = a.report.item.as_of.isoformat()
        yield rule.finding(a.lp.path, line, col, a.message, plan=a.plan, ctx=ctx)


def unknown_references(progress: Progress) -> Iterator[Finding]:
    places = {lp.plan.jurisdiction.code for lp in progress.plans.values() if lp.plan is not None}
    for v in progress.results.values:
        if v.item.jurisdiction not in places:
            # kept for when a plan of that place is encoded; said, so that a renamed code shows
            yield RESULT_REFERENCE_UNKNOWN.finding(
                v.at.path,
                v.at.line,
                v.at.column,
                f"value {v.item.id}: no plan has jurisdiction {v.item.jurisdiction!r}; it is not compared",
                ctx={"item": v.item.id, "jurisdiction": v.item.jurisdiction},
                severity="info",
            )
        if v.item.indicator is not None and v.item.indicator not in progress.indicators:
            yield RESULT_REFERENCE_UNKNOWN.finding(
                v.at.path,
                v.at.line,
                v.at.column,
                f"value {v.item.id}: indicator {v.item.indicator!r} is not in the catalogue",
                ctx={"item": v.item.id, "indicator": v.item.indicator},
            )
    for s in progress.results.statuses:
        lp = progress.plans.get(s.item.plan)
        if lp is None:
            message = f"status of task {s.item.task}: no plan {s.item.plan!r}"
        elif lp.plan is not None and all(t.id != s.item.task for t in lp.plan.tasks):
            message = f"status of task {s.item.task}: {s.item.plan} has no such task"
        else:
            continue
        yield RESULT_REFERENCE_UNKNOWN.finding(
            s.at.path,
            s.at.line,
            s.at.column,
            message,
            ctx={"item": s.item.task, "parent": s.item.plan},
        )


def not_comparable(progress: Progress) -> Iterator[Finding]:
    from plancheck.check.progress import not_comparable_reason

    for v in progress.results.values:
        indicator = progress.indicators.get(v.item.indicator or "")
        if indicator is None:
            continue
        reason = not_comparable_reason(v.item, indicator)
        if reason is not None:
            yield RESULT_NOT_COMPARABLE.finding(
                v.at.path,
                v.at.line,
                v.at.column,
                f"value {v.item.id} on {indicator.id} is not comparable: {reason}; it is never compared "
                "with a target",
                ctx={"item": v.item.id, "indicator": indicator.id, "status": "not-comparable"},
            )


def _conflicts(
    groups: dict[tuple[object, ...], list[tuple[str, Placed]]],
) -> Iterator[tuple[str, Placed, str]]:
    """Each report of a group whose reports do not all say the same: what it says, where, and
    what the others say (``path:line``); sorted, so the order of files never shows."""
    for reports in groups.values():
        if len({said for said, _ in reports}) < 2:
            continue
        for said, at in reports:
            others = sorted(f"{o} at {a.path}:{a.line}" for o, a in reports if a != at and o != said)
            yield said, at, "; ".join(others)


def results_conflict(progress: Progress) -> Iterator[Finding]:
    """PC613: two reports of one task on one day, or two figures of one indicator for one period
    reported on one day, that disagree."""
    tasks: dict[tuple[object, ...], list[tuple[str, Placed]]] = {}
    for s in progress.results.statuses:
        tasks.setdefault((s.item.plan, s.item.task, s.item.as_of), []).append((s.item.status, s.at))
    by_at = {s.at: s for s in progress.results.statuses}
    for said, at, others in _conflicts(tasks):
        item = by_at[at].item
        yield RESULTS_CONFLICT.finding(
            at.path,
            at.line,
            at.column,
            f"task {item.task} ({item.plan}) on {item.as_of} is {said} here, but {others}: reports of "
            "the same day disagree, and which one counts must not depend on file names",
            ctx={"item": item.task, "parent": item.plan, "status": said},
        )
    values: dict[tuple[object, ...], list[tuple[str, Placed]]] = {}
    for v in progress.results.values:
        if v.item.indicator is None:
            continue  # never compared, so never chosen between
        key = (v.item.indicator, v.item.jurisdiction, v.item.unit, v.item.population, v.item.period)
        said = (
            f"{v.item.qualifier + ' ' if v.item.qualifier else ''}{format_number(v.item.value)} {v.item.unit}"
        )
        values.setdefault((*key, v.item.reported_on), []).append((said, v.at))
    by_place = {v.at: v for v in progress.results.values}
    for said, at, others in _conflicts(values):
        value = by_place[at].item
        when = f"reported on {value.reported_on}" if value.reported_on else "with no reporting date"
        yield RESULTS_CONFLICT.finding(
            at.path,
            at.line,
            at.column,
            f"value {value.id} of {value.indicator} ({value.jurisdiction}, {value.period}, {when}) is "
            f"{said} here, but {others}: figures of the same period and day disagree, and which one "
            "counts must not depend on file names",
            ctx={"item": value.id, "indicator": value.indicator, "jurisdiction": value.jurisdiction},
        )


_PLAN = (
    "# plans/haiphong/142-KH-UBND.yaml\n"
    "targets:\n  - {id: PL2-1-2025, indicator: 5g-coverage-urban, year: 2025, bound: '>= 60', ...}\n"
)
_VALUE = (
    "# results/haiphong.yaml\n"
    "values:\n  - id: H1\n    indicator: 5g-coverage-urban\n    jurisdiction: haiphong\n"
)


RESULT_REFERENCE_UNKNOWN = Rule(
    code="PC601",
    name="result-reference-unknown",
    severity="warning",
    scope="progress",
    summary="A reported value names an indicator that is not in the catalogue, or a task status names a "
    "plan or a task that does not exist. A value for a jurisdiction no plan has is reported as "
    "`info`: it is kept for when such a plan is encoded, but compared with nothing.",
    why="A result that points nowhere is never compared: the progress it reports would be lost "
    "without a word.",
    example="task_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-99', status: done, ...}   # no such task",
    instead="task_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-25', status: overdue, ...}",
    check=unknown_references,
)


MILESTONE_ACHIEVED = Rule(
    code="PC602",
    name="milestone-achieved",
    severity="info",
    scope="progress",
    summary="A target whose year has passed (as of `--as-of`) is met by the latest comparable result "
    "reported for a period ending in that year.",
    why="Progress is half the picture: a plan that promises enough and delivers it is the good case, "
    "and the report shows it with the result and its source.",
    example=_PLAN + _VALUE + "    value: '62'\n    unit: '%'\n    period: '2025'",
    instead="# nothing to change: this finding is informational",
    check=target_progress,
    emits=("PC602", "PC603", "PC604", "PC605", "PC606", "PC607"),
)


MILESTONE_MISSED = Rule(
    code="PC603",
    name="milestone-missed",
    severity="warning",
    scope="progress",
    summary="A target whose year has passed is not met by the latest comparable result reported for a "
    "period ending in that year; the message says by how much.",
    why="A missed milestone is what an analyst of implementation most needs to see, with the figure "
    "and the source it rests on.",
    example=_PLAN + _VALUE + "    value: '41.5'\n    unit: '%'\n    period: '2025'",
    instead="# the plan is not wrong: the finding reports a result. Record a later result when one exists.",
)


MILESTONE_NO_DATA = Rule(
    code="PC604",
    name="milestone-no-data",
    severity="info",
    scope="progress",
    summary="A target whose year has passed has no comparable result for a period ending in that year "
    "(or the only one, such as 'over 51 %', cannot settle the bound).",
    why="A milestone nobody reports on is neither met nor missed; saying so keeps silence from "
    "passing for success.",
    example=_PLAN + "# results/: no value on 5g-coverage-urban for haiphong in 2025",
    instead=_VALUE
    + "    value: '62'\n    unit: '%'\n    period: '2025'\n    source: {address: 'https://...'}",
)


TARGET_ON_TRACK = Rule(
    code="PC605",
    name="target-on-track",
    severity="info",
    scope="progress",
    summary="A target still ahead is on track: the latest comparable result already meets it, or the "
    "yearly change between the last two results is at least the yearly change needed from the "
    "latest result to reach the target by its year (Open SDG's progress measure).",
    why="It says which targets need no attention yet, and on what evidence.",
    example="# results: 40 % in 2024, 48 % in 2025; target >= 60 % by 2027 needs +6 a year, observed +8",
    instead="# nothing to change: the finding reports that the results keep pace",
)


TARGET_OFF_TRACK = Rule(
    code="PC606",
    name="target-off-track",
    severity="warning",
    scope="progress",
    summary="A target still ahead is not on track: the yearly change between the last two comparable "
    "results is less than the yearly change needed from the latest result to reach the target "
    "by its year. The message gives both rates and the values they come from.",
    why="A target that cannot be reached at the observed pace is better known years before its "
    "deadline than after it.",
    example="# 57-NQ/TW: digital economy >= 30 % of GDP by 2030; reported 18.3 (2024), 18.72 (2025)\n"
    "# needed +2.26 a year, observed +0.42",
    instead="# nothing to change in the plan: the finding reports the pace of the results",
)


TARGET_TREND_UNKNOWN = Rule(
    code="PC607",
    name="target-trend-unknown",
    severity="info",
    scope="progress",
    summary="A target still ahead has one comparable result that does not meet it: the yearly change "
    "needed is stated, but with no earlier value the pace cannot be judged.",
    why="One value is not a trend; the finding says what would be needed, and that a second value "
    "would settle it.",
    example="# results: one value, about 33 % (2025-06); target >= 70 % by 2030",
    instead="# add an earlier or later comparable value, with its source",
)


TASK_OVERDUE = Rule(
    code="PC608",
    name="task-overdue",
    severity="warning",
    scope="progress",
    summary="A task past its deadline (as of `--as-of`) whose latest status report does not say done.",
    why="Tasks are the plan's commitments with a date and an agency; one past due and not done is "
    "the first thing a monitoring system shows, and the report cites the status report.",
    example="# task 402-PL1-25 due 2025-03; results: status overdue ('Quá hạn') on 2025-05-24",
    instead="task_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-25', status: done, as_of: 2025-09-30, ...}",
    check=task_progress,
    emits=("PC608", "PC609"),
)


TASK_STATUS_UNREPORTED = Rule(
    code="PC609",
    name="task-status-unreported",
    severity="info",
    scope="progress",
    summary="A task past its deadline for which no status report exists: it may be done or late; "
    "nothing says which.",
    why="Calling a task late without evidence would be as wrong as assuming it done; the finding "
    "names the gap in reporting instead.",
    example="# task PL4-2.3 due 2025-06; results/: no status report for it",
    instead="task_status:\n  - {plan: haiphong/142-KH-UBND, task: PL4-2.3, status: done, as_of: 2025-07-01, ...}",
)


RESULT_NOT_COMPARABLE = Rule(
    code="PC610",
    name="result-not-comparable",
    severity="warning",
    scope="progress",
    summary="A reported value on a catalogue indicator is in another unit, or counts another population, "
    "than the indicator: it is never compared with a target.",
    why="A count of enterprises is not enterprises per 1,000 people, and the provinces' average is "
    "not the national share; comparing them silently would give a false verdict.",
    example="values:\n  - {id: N12, indicator: digital-tech-enterprise-density, value: '75908', unit: enterprises, ...}",
    instead="values:\n  - {id: N12, indicator: null, what: digital technology enterprises, value: '75908', "
    "unit: enterprises, ...}",
    check=not_comparable,
)


RESULTS_CONFLICT = Rule(
    code="PC613",
    name="results-conflict",
    severity="error",
    scope="progress",
    summary="Two reports in `results/` that disagree: two statuses of one task with the same `as_of`, "
    "or two figures (value or qualifier) of one catalogue indicator for one jurisdiction, unit, "
    "population and period with the same `reported_on`. Each report of the group is a finding "
    "that names the others.",
    why="The rules take the latest report; on a tie, only the order of file names and lines would "
    "decide, so a file named `zz-...` could silently turn an overdue task done or replace a "
    "figure. A check, and a pull-request gate, must not depend on file names. An error: the "
    "results contradict themselves, so no configuration lowers or switches it off.",
    example="# results/a.yaml\ntask_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-03', status: overdue, "
    "as_of: 2025-05-24, ...}\n# results/zz.yaml\ntask_status:\n  - {plan: national/71-NQ-CP, "
    "task: '402-PL1-03', status: done, as_of: 2025-05-24, ...}",
    instead="# keep the report the source gives for that day; a later one has a later as_of",
    check=results_conflict,
)


# the whole PC6xx family, in the order progress_findings runs it: PC611 is defined in
# rules/result_sources.py, PC612 in rules/status_labels.py
RULES = [
    RESULT_REFERENCE_UNKNOWN,
    MILESTONE_ACHIEVED,
    MILESTONE_MISSED,
    MILESTONE_NO_DATA,
    TARGET_ON_TRACK,
    TARGET_OFF_TRACK,
    TARGET_TREND_UNKNOWN,
    TASK_OVERDUE,
    TASK_STATUS_UNREPORTED,
    RESULT_NOT_COMPARABLE,
    RESULT_NOT_IN_SOURCE,
    TASK_STATUS_CONTRADICTS_LABEL,
    RESULTS_CONFLICT,
]


# The rule that reports each judgement of a target, and the key of the target it points at
TARGET_STATUS: dict[str, tuple[Rule, str]] = {
    "achieved": (MILESTONE_ACHIEVED, "year"),
    "missed": (MILESTONE_MISSED, "year"),
    "no-data": (MILESTONE_NO_DATA, "year"),
    "on-track": (TARGET_ON_TRACK, "bound"),
    "off-track": (TARGET_OFF_TRACK, "bound"),
    "trend-unknown": (TARGET_TREND_UNKNOWN, "bound"),
}
TASK_OUTCOME: dict[str, Rule] = {"overdue": TASK_OVERDUE, "unreported": TASK_STATUS_UNREPORTED}


def progress_findings(progress: Progress | None) -> Iterator[Finding]:
    """Every progress rule's findings, plus the problems of reading the results files."""
    if progress is None:
        return
    yield from progress.results.findings
    for rule in RULES:
        if rule.check is not None:
            yield from rule.check(progress)
