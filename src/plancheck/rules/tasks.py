"""PC3xx: tasks and deadlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from plancheck.check.algebra import compare_deadlines
from plancheck.findings import Finding
from plancheck.load.admin import establishment
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.model import Plan, Task
from plancheck.rules.base import Rule

FAMILY = "PC3"  # the prefix of the task rules' codes (waivers of them must name the task)


def _task_finding(lp: LoadedPlan, rule: Rule, index: int, key: str, message: str, **ctx: object) -> Finding:
    line, col = lp.pos("tasks", index, key)
    return rule.finding(lp.path, line, col, message, plan=lp.id, ctx=ctx)


def task_due_after_parent(child: LoadedPlan, parent: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    assert child.plan is not None and parent.plan is not None
    parent_tasks = {t.id: t for t in parent.plan.tasks}
    est = establishment(child.plan.jurisdiction.official_code)
    for i, task in enumerate(child.plan.tasks):
        ref = task.implements
        if ref is None or ref.plan != parent.plan.id or ref.task not in parent_tasks:
            continue
        theirs = parent_tasks[ref.task]
        if compare_deadlines(task.due, theirs.due) == "later":
            if est is not None and theirs.due.end is not None and theirs.due.end < est.established:
                # the parent's deadline fell before the unit existed: it cannot have missed it
                yield _task_finding(
                    child,
                    TASK_DUE_AFTER_PARENT,
                    i,
                    "due",
                    f"task {task.id} is due {task.due}; {parent.plan.id} task {theirs.id} was due "
                    f"{theirs.due}, before {est.name} was established ({est.established.isoformat()}): "
                    "not applicable",
                    parent=parent.plan.id,
                    item=task.id,
                    parent_item=theirs.id,
                    child_bound=str(task.due),
                    parent_bound=str(theirs.due),
                    status="not-applicable",
                    established=est.established.isoformat(),
                ).with_(severity="info")
                continue
            yield _task_finding(
                child,
                TASK_DUE_AFTER_PARENT,
                i,
                "due",
                f"task {task.id} is due {task.due}, after {parent.plan.id} task {theirs.id} ({theirs.due})",
                parent=parent.plan.id,
                item=task.id,
                parent_item=theirs.id,
                child_bound=str(task.due),
                parent_bound=str(theirs.due),
                status="later",
            )


def effective_issue_date(plan: Plan) -> dt.date | None:
    """The earliest known date in the plan's `replaces` chain, or its own issue date."""
    dates = [r.issued for r in plan.document.replaces if isinstance(r.issued, dt.date)]
    if isinstance(plan.document.issued, dt.date):
        dates.append(plan.document.issued)
    return min(dates) if dates else None


def plan_issued_late(child: LoadedPlan, parent: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    assert child.plan is not None and parent.plan is not None
    due = parent.plan.document.lower_plans_due
    if due is None or due.due.end is None:
        return
    issued = effective_issue_date(child.plan)
    line, col = child.pos("document", "issued")
    est = establishment(child.plan.jurisdiction.official_code)
    if est is not None and due.due.end < est.established:
        # a deadline that fell before the unit existed cannot be missed by it (issue 17, class 4)
        yield PLAN_ISSUED_LATE.finding(
            child.path,
            line,
            col,
            f"{parent.plan.id} required implementing plans by {due.due}, before {est.name} was established "
            f"({est.established.isoformat()}): not applicable",
            plan=child.id,
            severity="info",
            ctx={
                "parent": parent.plan.id,
                "parent_bound": str(due.due),
                "child_bound": issued.isoformat() if issued is not None else None,
                "status": "not-applicable",
                "established": est.established.isoformat(),
            },
        )
        return
    if issued is None:
        yield PLAN_ISSUED_LATE.finding(
            child.path,
            line,
            col,
            f"{parent.plan.id} requires implementing plans by {due.due}; this plan's issue date is unknown",
            plan=child.id,
            severity="info",
            ctx={
                "parent": parent.plan.id,
                "parent_bound": str(due.due),
                "child_bound": None,
                "status": "not-comparable",
            },
        )
        return
    if issued > due.due.end:
        via = "" if issued == child.plan.document.issued else " (earliest document it replaces)"
        yield PLAN_ISSUED_LATE.finding(
            child.path,
            line,
            col,
            f"issued {issued.isoformat()}{via}, after {parent.plan.id}'s deadline for implementing plans "
            f"({due.due}: “{due.label}”)",
            plan=child.id,
            ctx={
                "parent": parent.plan.id,
                "parent_bound": str(due.due),
                "child_bound": issued.isoformat(),
                "status": "later",
            },
        )


def _carried_issue_date(plan: Plan, task: Task) -> dt.date | str:
    """The issue date of the replaced document a task is carried from, or why the carry does not
    count (the deadline is then this plan's own)."""
    ref = task.carried_from
    assert ref is not None
    replaced = next((r for r in plan.document.replaces if r.number == ref.number), None)
    if replaced is None:
        return f"{ref.number} is not in document.replaces"
    if not isinstance(replaced.issued, dt.date):
        return f"{ref.number}'s issue date is unknown"
    return replaced.issued


def task_due_before_issue(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    assert lp.plan is not None
    issued = lp.plan.document.issued
    if not isinstance(issued, dt.date):
        return
    for i, task in enumerate(lp.plan.tasks):
        if task.due.end is None or task.due.end >= issued:
            continue
        why = ""
        if task.carried_from is not None:
            carried = _carried_issue_date(lp.plan, task)
            if isinstance(carried, dt.date):
                # the deadline was set by the replaced document, on its own issue date: counted
                # along the replaces chain, as the issue-date rule (PC302) counts a plan's date
                if task.due.end >= carried:
                    continue
                why = (
                    f"; carried from {task.carried_from.number} task {task.carried_from.task}, "
                    f"issued {carried.isoformat()}, also after the deadline"
                )
            else:
                why = f"; carried_from not counted: {carried}"
        yield _task_finding(
            lp,
            TASK_DUE_BEFORE_ISSUE,
            i,
            "due",
            f"task {task.id} is due {task.due}, before the plan was issued ({issued.isoformat()}){why}",
            item=task.id,
        )


def task_without_lead(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    assert lp.plan is not None
    declared = [e for e in lp.plan.elsewhere if e.items == "leads"]
    if any(not e.tasks for e in declared):
        return  # the source assigns leads in a part it does not contain: nothing to check here
    # tasks whose lead is in a part the text lacks (a heading lost in transcription): an encoding
    # matter recorded with its line, not a task without a lead
    elsewhere = {task_id for e in declared for task_id in e.tasks}
    for i, task in enumerate(lp.plan.tasks):
        # the issuer's own act (its own steering committee) needs no lead: only the issuer can do it,
        # and writing the issuer in as lead would be an agency the source does not print
        if task.lead is None and task.id not in elsewhere and task.issuer_act is None:
            yield _task_finding(
                lp, TASK_WITHOUT_LEAD, i, "lead", f"task {task.id} has no lead agency", item=task.id
            )


TASK_DUE_AFTER_PARENT = Rule(
    code="PC301",
    name="task-due-after-parent",
    severity="gap",
    scope="edge",
    summary="A task that implements a parent task is due after the parent task (dated deadlines compare by "
    "their last day; 'annual' and 'continuous' compare only with each other; text never). When the "
    "parent task was due before the plan's unit was established (the reorganisation table), the "
    "finding is information with status `not-applicable`.",
    why="Deadlines must be no later than the parent's.",
    example="due: 2025-06\nimplements: {plan: national/71-NQ-CP, task: '4'}   # parent due 2025-03",
    instead="due: 2025-03\nimplements: {plan: national/71-NQ-CP, task: '4'}",
    check=task_due_after_parent,
)

PLAN_ISSUED_LATE = Rule(
    code="PC302",
    name="plan-issued-late",
    severity="gap",
    scope="edge",
    summary="A parent requires lower levels to issue their implementing plans by a date "
    "(`lower_plans_due`), and this plan was issued after it. The earliest document in the "
    "plan's `replaces` chain counts (142/KH-UBND of June 2025 replaced 44/KH-UBND of February). "
    "A deadline that fell before the plan's unit was established (the communes and wards of "
    "1 July 2025, from the reorganisation table) is reported as information, not applicable.",
    why="Late implementing plans are the first sign a target will slip; the Government tracks them.",
    example="document:\n  issued: '2025-10-03'   # parent requires 2025-03",
    instead="document:\n  issued: '2025-06-09'\n  replaces: [{number: 44/KH-UBND, issued: '2025-02-28'}]",
    check=plan_issued_late,
)

TASK_DUE_BEFORE_ISSUE = Rule(
    code="PC303",
    name="task-due-before-issue",
    severity="warning",
    scope="plan",
    summary="A task's deadline falls before its own plan was issued. A task that repeats, with the same "
    "deadline, a task of a document this one replaces (`carried_from: {number, task}`, the number "
    "as in `document.replaces`) counts from that document's issue date, as the issue-date rule "
    "PC302 counts along the replaces chain (71/NQ-CP task 402-PL1-25, due 3/2025, is 03/NQ-CP "
    "task 75 of 9 January 2025). A task whose deadline the newer plan changed is not carried: "
    "encode no `carried_from` and it is reported.",
    why="Either the task was carried over from an earlier plan, or the deadline is a typo; both deserve a look.",
    example="document: {issued: '2025-06-09'}\ntasks:\n  - {id: PL4-1.1, due: 2025-04}",
    instead="document: {issued: '2025-06-09', replaces: [{number: 44/KH-UBND, issued: '2025-02-28'}]}\n"
    "tasks:\n  - {id: PL4-1.1, due: 2025-04, carried_from: {number: 44/KH-UBND, task: PL4-1.1}}",
    check=task_due_before_issue,
)

TASK_WITHOUT_LEAD = Rule(
    code="PC304",
    name="task-without-lead",
    severity="warning",
    scope="plan",
    summary="A task names no lead agency (`lead: null`). Not reported for a plan that declares, with the "
    "source line, that its leads are assigned in a part the text does not contain "
    "(`elsewhere: [{items: leads, ...}]`, as 106/KH-UBND line 619 does), nor for the tasks an "
    "`elsewhere` entry names in `tasks` (duties under an agency heading lost when the source was "
    "transcribed, as 4354/KH-UBND IV.3), nor for a task whose encoding records, with the reason, "
    "that it is the issuer's own act (`issuer_act`: 89-CTr/TU IV.1, the Standing Committee setting "
    "up its own steering committee chaired by the Party Secretary). `lead` then stays null: the "
    "issuer is inferred, not printed, and is never written in as an agency.",
    why="A task nobody leads is a task nobody is accountable for.",
    example="tasks:\n  - {id: IV.2, lead: null}",
    instead="tasks:\n  - {id: IV.2, lead: Văn phòng HĐND và UBND phường}",
    check=task_without_lead,
)

RULES = [
    TASK_DUE_AFTER_PARENT,
    PLAN_ISSUED_LATE,
    TASK_DUE_BEFORE_ISSUE,
    TASK_WITHOUT_LEAD,
]
