"""`--base`: what a finding is about (its claim and subject), and the head tree that must show
positive evidence that a finding which left the check is fixed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from typing import TYPE_CHECKING

from plancheck.check.algebra import compare_deadlines
from plancheck.check.compliance import compare_plans
from plancheck.findings import Finding
from plancheck.load.plan import LoadedPlan, load_plan
from plancheck.load.planset import PlanSet, parent_view
from plancheck.model import Indicator
from plancheck.rules.progress import MILESTONE_MISSED, TARGET_OFF_TRACK, TASK_OVERDUE
from plancheck.rules.targets import (
    TARGET_LATER,
    TARGET_MISSING,
    TARGET_SOFTENED,
    TARGET_WEAKER,
    TARGET_WEAKER_AT_BOUNDARY,
)
from plancheck.rules.tasks import (
    PLAN_ISSUED_LATE,
    TASK_DUE_AFTER_PARENT,
    TASK_DUE_BEFORE_ISSUE,
    effective_issue_date,
    task_due_before_issue,
)

if TYPE_CHECKING:
    from plancheck.check.progress import Progress


SEVERE = ("error", "warning", "gap")

# What each finding that leaves the check must be shown satisfied on: the subject of its claim
# (the ctx fields naming it) and the kind of positive evidence the head must give. A code not
# listed judges its plan alone: the rule ran again on the changed plan and found nothing.
TARGET_RULES = (TARGET_MISSING, TARGET_WEAKER, TARGET_WEAKER_AT_BOUNDARY, TARGET_LATER, TARGET_SOFTENED)
SUBJECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    **{rule.code: ("target", ("parent", "parent_item", "indicator", "year")) for rule in TARGET_RULES},
    TASK_DUE_AFTER_PARENT.code: ("task-deadline", ("parent", "item", "parent_item")),
    PLAN_ISSUED_LATE.code: ("issued", ("parent",)),
    TASK_DUE_BEFORE_ISSUE.code: ("task-issue", ("item",)),
    MILESTONE_MISSED.code: ("progress-target", ("item",)),
    TARGET_OFF_TRACK.code: ("progress-target", ("item",)),
    TASK_OVERDUE.code: ("progress-task", ("item",)),
}
FIX_NEEDS = {
    "target": "the same parent target compared and met",
    "task-deadline": "the same parent task linked, with a deadline not later",
    "issued": "a known issue date by the same deadline of the parent",
    "task-issue": "a known issue date and the task's dated deadline not before it",
    "progress-target": "the same target judged on track by the results",
    "progress-task": "the task reported done",
}


def about(f: Finding) -> dict[str, object]:
    """The fields of ``f``'s ctx that name what it is about, for a PC014 that reports it."""
    return {k: f.ctx[k] for k in ("parent", "parent_item", "indicator", "year", "item") if k in f.ctx}


def claim_of(f: Finding) -> tuple[object, ...]:
    """What a finding is about, whatever its severity and bounds."""
    return (f.code, f.plan, f.ctx.get("parent"), f.ctx.get("indicator"), f.ctx.get("year"), f.ctx.get("item"))


def subject_of(f: Finding) -> tuple[object, ...] | None:
    """The subject a cross-plan or progress finding is about (see ``SUBJECTS``), else None."""
    kind = SUBJECTS.get(f.code)
    if kind is None:
        return None
    return (kind[0], f.plan, *(f.ctx.get(k) for k in kind[1]))


class Head:
    """The head tree, read in full only for the plans a vanished finding needs."""

    def __init__(
        self,
        ps: PlanSet,
        as_of: dt.date | None,
        max_bytes: int,
        base_indicators: dict[str, Indicator] | None = None,
    ) -> None:
        """``base_indicators``: the base's catalogue, when the change edited it; a comparison
        is then judged under both catalogues (see ``by_catalogue``)."""
        self.ps, self.as_of, self.max_bytes = ps, as_of, max_bytes
        self._full: dict[str, LoadedPlan | None] = {}
        self._progress: dict[bool, Progress | None] = {}
        self._unverified: set[tuple[str, int]] | None = None
        self.changed_real: set[str] = set()  # real paths of the files the change touches
        self._memo = dataclasses.replace(ps, memo={})
        self._base_memo = (
            dataclasses.replace(ps, indicators=base_indicators, memo={})
            if base_indicators is not None
            else None
        )

    def edited_sources(self, pid: str | None) -> list[str]:
        """The source texts of plan ``pid`` that this change adds or edits (by name)."""
        lp = self.ps.plans.get(pid) if pid is not None else None
        sources = self.ps.sources
        if lp is None or sources is None:
            return []
        from plancheck.rules.provenance import cited_documents

        return [name for name in cited_documents(lp) if os.path.realpath(sources / name) in self.changed_real]

    def full(self, pid: str | None) -> LoadedPlan | None:
        if pid is None:
            return None
        if pid not in self._full:
            lp = self.ps.plans.get(pid)
            if lp is not None and lp.plan is not None and not lp.plan.targets and not lp.plan.tasks:
                # the pipeline keeps summaries without targets and tasks: read the plan again
                again = load_plan(lp.file, self.ps.root, self.max_bytes)
                if again.plan is not None and again.plan.id == pid:
                    again.path = lp.path
                    lp = again
            self._full[pid] = lp if lp is not None and lp.plan is not None else None
        return self._full[pid]

    def parent(self, child: LoadedPlan, parent: object) -> LoadedPlan | None:
        """The parent ``parent`` (the version in force) as the child sees it on the head."""
        for e in self.ps.edges(child):
            if e.parent == parent:
                full = self.full(e.parent)
                if full is None:
                    return None
                return parent_view(full, e, self.full(e.stand_in) if e.stand_in else None)
        return None

    def progress(self, memo: PlanSet) -> Progress | None:
        base = memo is self._base_memo
        if base not in self._progress:
            from plancheck.check.progress import prepare

            self._progress[base] = prepare(memo, self.as_of, self.max_bytes)
        return self._progress[base]

    def by_catalogue(self, f: Finding) -> bool:
        """True when the subject of ``f``, met on the head, is met only under the head's
        catalogue: an edited relation, direction or tolerance made the gap go, not the plans."""
        if self._base_memo is None or SUBJECTS[f.code][0] not in ("target", "progress-target"):
            return False
        return not self.satisfied(f, self._base_memo)

    def unchecked_evidence(self, f: Finding) -> list[str]:
        """For a progress finding the head shows fixed: the results entries (``path:line``) the
        fix rests on that this run could not check against a source text (see PC611). An
        entry typed into results/ is a claim; without its source it shows nothing fixed."""
        kind = SUBJECTS[f.code][0]
        progress = self.progress(self._memo) if kind in ("progress-target", "progress-task") else None
        if progress is None:
            return []
        unchecked = self.unverified_entries(progress)
        places: list[tuple[str, int]] = []
        if kind == "progress-task":
            for a in progress.tasks():
                if a.plan == f.plan and a.task.id == f.ctx.get("item") and a.report is not None:
                    places.append((a.report.at.path, a.report.at.line))
        else:
            for t in progress.targets():
                if t.plan == f.plan and t.target.id == f.ctx.get("item"):
                    places += [(v.at.path, v.at.line) for v in t.used]
        return sorted({f"{path}:{line}" for path, line in places if (path, line) in unchecked})

    def unverified_entries(self, progress: Progress) -> set[tuple[str, int]]:
        """Results entries (file, line) this run could not check against a source text, or whose
        source text this change adds or edits (the change's own word is no evidence)."""
        from plancheck.rules.result_sources import unverified

        if self._unverified is None:
            self._unverified = unverified(progress)
            sources = progress.sources
            cited = [(v.item.source, v.at) for v in progress.results.values]
            cited += [(st.item.source, st.at) for st in progress.results.statuses]
            for src, at in cited:
                doc = src.document
                if (
                    doc is not None
                    and sources is not None
                    and os.path.realpath(sources / doc) in self.changed_real
                ):
                    self._unverified.add((at.path, at.line))
        return self._unverified

    def satisfied(self, f: Finding, memo: PlanSet | None = None) -> bool:
        """Positive evidence on the head that the subject of ``f`` is now met (comparisons run
        with the catalogue of ``memo``, the head's own by default)."""
        memo = self._memo if memo is None else memo
        kind = SUBJECTS[f.code][0]
        if kind in ("progress-target", "progress-task"):
            progress = self.progress(memo)
            if progress is None:
                return False
            if kind == "progress-task":
                return any(
                    a.plan == f.plan and a.task.id == f.ctx.get("item") and a.outcome == "done"
                    for a in progress.tasks()
                )
            # the same target as it was (a target lowered until it is on track is not a fix)
            return any(
                a.plan == f.plan
                and a.target.id == f.ctx.get("item")
                and a.ctx.get("parent_bound") == f.ctx.get("parent_bound")
                and a.target.year == f.ctx.get("year")
                and a.status in ("on-track", "achieved")
                for a in progress.targets()
            )
        child = self.full(f.plan)
        if child is None or child.plan is None:
            return False
        if kind == "task-issue":
            # the rule itself, on the head plan, with the task still there and both dates known
            task = next((t for t in child.plan.tasks if t.id == f.ctx.get("item")), None)
            return (
                task is not None
                and task.due.end is not None
                and isinstance(child.plan.document.issued, dt.date)
                and not any(g.ctx.get("item") == task.id for g in task_due_before_issue(child, self._memo))
            )
        view = self.parent(child, f.ctx.get("parent"))
        if view is None or view.plan is None:
            return False
        if kind == "target":
            for c in compare_plans(child, view, memo):
                if (
                    c.parent_target.id == f.ctx.get("parent_item")
                    and c.year == f.ctx.get("year")
                    and c.indicator == f.ctx.get("indicator")
                ):
                    same = str(c.parent_target.bound) if c.parent_target.bound is not None else None
                    return (
                        (same == f.ctx.get("parent_bound") or bool(f.ctx.get("met_on_base")))
                        and c.table_of == f.ctx.get("targets_from")
                        and c.status in ("meets", "exceeds")
                    )
            return False
        if kind == "task-deadline":
            theirs = {t.id: t for t in view.plan.tasks}.get(str(f.ctx.get("parent_item")))
            if theirs is None or (
                str(theirs.due) != f.ctx.get("parent_bound") and not f.ctx.get("met_on_base")
            ):
                return False  # the parent's task went or its deadline moved: not the same claim
            for task in child.plan.tasks:
                ref = task.implements
                if task.id == f.ctx.get("item") and ref is not None and ref.plan == view.plan.id:
                    return ref.task == theirs.id and compare_deadlines(task.due, theirs.due) == "on-time"
            return False
        # the plan's issue date against the parent's deadline for implementing plans
        due = view.plan.document.lower_plans_due
        issued = effective_issue_date(child.plan)
        return (
            due is not None
            and due.due.end is not None
            and (str(due.due) == f.ctx.get("parent_bound") or bool(f.ctx.get("met_on_base")))
            and issued is not None
            and issued <= due.due.end
        )
