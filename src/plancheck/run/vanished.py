"""`--base`: findings of the base that left the check without evidence of a fix (PC014)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from plancheck.check.algebra import compare_deadlines
from plancheck.check.compliance import compare_plans
from plancheck.config import Config
from plancheck.findings import SEVERITY_ORDER, Finding
from plancheck.load.plan import LoadedPlan
from plancheck.rules.base import Rule
from plancheck.rules.input import CHANGE_SHRINKS_THE_CHECK
from plancheck.rules.provenance import FAMILY as PROVENANCE_FAMILY
from plancheck.rules.result_sources import RESULT_NOT_IN_SOURCE
from plancheck.rules.targets import TARGET_WEAKER
from plancheck.rules.tasks import (
    PLAN_ISSUED_LATE,
    TASK_DUE_AFTER_PARENT,
    effective_issue_date,
)
from plancheck.run.evidence import FIX_NEEDS, SEVERE, SUBJECTS, Head, about, claim_of, subject_of


def vanished(
    before: list[Finding],
    after: list[Finding],
    changed: set[str],
    head: Head,
    base_paths: dict[str, str],
) -> list[Finding]:
    """PC014: findings of the base that leave the check without positive evidence of a fix.

    Base and head plans are matched by plan id, so a plan renamed or moved keeps its check. A
    finding of a cross-plan or progress rule (see ``SUBJECTS``) counts as fixed only when the
    head shows its subject met: the same parent target compared and met, the same parent task
    linked with a deadline not later, the task reported done, the target judged on track. Going
    to another code, to a lower severity, out of comparison or with its subject is not a fix. A
    finding of a rule that judges its plan alone is fixed when its own plan changed and the rule
    no longer finds it there (at any severity).
    """
    now = Counter(f.identity() for f in after if f.waived is None)
    waived = {f.identity() for f in after if f.waived is not None}
    lower: dict[tuple[object, ...], str] = {}
    for f in after:
        lower[claim_of(f)] = f.severity
    # a subject still judged at the same severity or worse (a gap made worse, moved from one
    # gap status to another) is not leaving the check: its head finding speaks for it
    held: dict[tuple[object, ...], int] = {}
    for f in after:
        subject = subject_of(f)
        if subject is not None and f.waived is None:
            held[subject] = max(held.get(subject, -1), SEVERITY_ORDER[f.severity])
    head_paths = {pid: lp.path for pid, lp in head.ps.plans.items()}
    present = {lp.path for lp in head.ps.files}
    out: list[Finding] = []
    for f in before:
        if f.severity not in SEVERE or f.waived is not None:
            continue
        if f.plan is not None and base_paths.get(f.plan) == f.path:
            if f.plan not in head_paths:
                continue  # the plan is gone (deleted, or invalid on the head): reported as such
            path = head_paths[f.plan]
            touched = path in changed or f.path in changed
        elif f.path in present:  # a finding in another file (results/, the catalogue)
            path, touched = f.path, f.path in changed
        else:
            continue
        if now[f.identity()] > 0:
            now[f.identity()] -= 1
            continue
        if f.identity() in waived:
            continue  # a waiver on the head: a new one is PC014 of its own (see shrinking)
        key = claim_of(f)
        subject = subject_of(f)
        if subject is None:
            edited = head.edited_sources(f.plan) if f.code.startswith(PROVENANCE_FAMILY) else []
            if touched and lower.get(key) in (None, f.severity) and not edited:
                continue  # the plan itself changed and its own rule no longer finds this: a fix
            why = "by a change of this plan" if touched else "though this plan did not change"
            if edited:
                # the text a label is checked against is the evidence: edited in the same change,
                # it shows nothing fixed (a reviewer compares it with the document)
                why = f"by an edit of its source text ({', '.join(edited)})"
        elif held.get(subject, -1) >= SEVERITY_ORDER[f.severity]:
            continue
        elif head.satisfied(f):
            unchecked = head.unchecked_evidence(f)
            if unchecked:
                why = (
                    f"by results this run could not check against their source ({', '.join(unchecked)}): "
                    "cite a source text by document and line, one this change does not add or edit, "
                    "and run with --sources, so that PC611 finds the status or figure there"
                )
            elif not head.by_catalogue(f):
                continue
            else:
                why = (
                    "by the change of the catalogue (indicators.yaml): under the base's catalogue "
                    "the same target is still not met"
                )
        else:
            why = ("by a change of this plan" if touched else "though this plan did not change") + (
                f"; only {FIX_NEEDS[SUBJECTS[f.code][0]]} would show a fix"
            )
        how = "become " + str(lower[key]) if key in lower and lower[key] != f.severity else "leave the check"
        moved = path != f.path
        out.append(
            CHANGE_SHRINKS_THE_CHECK.finding(
                path,
                1 if moved else f.line,
                1 if moved else f.column,
                f"this change makes {'an' if f.severity == 'error' else 'a'} {f.severity} {how}, {why}: "
                f"{f.code} {f.message}",
                plan=f.plan,
                ctx={
                    "was": f.code,
                    **about(f),
                },
            )
        )
    return out


def provenance_dropped(before: list[Finding], after: list[Finding], head: Head) -> list[Finding]:
    """PC014 for a results entry's PC611 error that leaves because the entry no longer cites
    anything this run checks (a web address for the document and line): the figure or status is
    as unchecked as before, and it still feeds the progress rules."""
    now = Counter(f.identity() for f in after)
    progress = head.progress(head._memo)
    if progress is None:
        return []
    unchecked = head.unverified_entries(progress)
    entries = [(v.item.id, v.at) for v in progress.results.values]
    entries += [(st.item.task, st.at) for st in progress.results.statuses]
    out: list[Finding] = []
    for f in before:
        if f.code != RESULT_NOT_IN_SOURCE.code or f.waived is not None:
            continue
        if now[f.identity()] > 0:
            now[f.identity()] -= 1
            continue
        item = f.ctx.get("item")
        for name, at in entries:
            if name == item and at.path == f.path and (at.path, at.line) in unchecked:
                out.append(
                    CHANGE_SHRINKS_THE_CHECK.finding(
                        at.path,
                        at.line,
                        at.column,
                        "this change makes an error leave the check by citing nothing it can check: "
                        f"{f.code} {f.message}",
                        ctx={"was": f.code, "item": item},
                    )
                )
                break
    return out


def catalogue_in(changed: set[str], changed_abs: set[Path], catalogue: str | None) -> bool:
    """The base's catalogue is among the changed files (by its path or, for a link, the file
    it points to)."""
    if catalogue is None:
        return False
    real = {os.path.realpath(p) for p in changed_abs}
    return catalogue in changed or os.path.realpath(catalogue) in real


def met_on_base(base: Head, changed: set[str], config: Config, *, every: bool) -> list[Finding]:
    """Every comparison the base met, for the plans the change can affect (a plan changed, or
    one of its parents; all of them when the catalogue or configuration changed), as a finding
    of the code it would have been had it failed: target (PC202), task deadline (PC301), issue
    date (PC302). Nothing on the base reported these, so `vanished` cannot see them go."""
    ps = base.ps
    memo = base._memo
    # a comparison the configuration does not check (`ignore = ["PC2"]`) cannot leave the check
    targets, tasks, issued_on = (
        config.enabled(rule.code) for rule in (TARGET_WEAKER, TASK_DUE_AFTER_PARENT, PLAN_ISSUED_LATE)
    )
    out: list[Finding] = []
    for pid, lp in sorted(ps.plans.items()):
        edges = ps.edges(lp)
        # a parent and the stand-in whose table is read as its own (document.targets_from) both
        # reach the child as a change would (see diffaware's scope)
        reach = [ps.plans.get(e.parent) for e in edges] + [
            ps.plans.get(e.stand_in) for e in edges if e.stand_in
        ]
        if (
            not every
            and lp.path not in changed
            and not any(p is not None and p.path in changed for p in reach)
        ):
            continue
        child = base.full(pid)
        if child is None or child.plan is None:
            continue
        for e in edges:
            view = base.parent(child, e.parent)
            if view is None or view.plan is None:
                continue
            ctx: dict[str, object] = {"parent": e.parent}
            for c in compare_plans(child, view, memo) if targets else []:
                if c.status in ("meets", "exceeds"):
                    bound = str(c.parent_target.bound) if c.parent_target.bound is not None else None
                    out.append(
                        _met(
                            TARGET_WEAKER,
                            child,
                            f"target {c.parent_target.id} of {c.parent_named} ({c.indicator}, {c.year}) was met",
                            ctx
                            | {
                                "parent_item": c.parent_target.id,
                                "indicator": c.indicator,
                                "year": c.year,
                                "parent_bound": bound,
                                "targets_from": c.table_of,
                            },
                        )
                    )
            theirs = {t.id: t for t in view.plan.tasks}
            for task in child.plan.tasks:
                ref = task.implements
                linked = theirs.get(ref.task) if ref is not None and ref.plan == view.plan.id else None
                if tasks and linked is not None and compare_deadlines(task.due, linked.due) == "on-time":
                    out.append(
                        _met(
                            TASK_DUE_AFTER_PARENT,
                            child,
                            f"task {task.id} was due by task {linked.id} of {e.parent} ({linked.due})",
                            ctx
                            | {"item": task.id, "parent_item": linked.id, "parent_bound": str(linked.due)},
                        )
                    )
            due = view.plan.document.lower_plans_due
            issued = effective_issue_date(child.plan)
            if (
                issued_on
                and due is not None
                and due.due.end is not None
                and issued is not None
                and issued <= due.due.end
            ):
                out.append(
                    _met(
                        PLAN_ISSUED_LATE,
                        child,
                        f"the plan was issued by {e.parent}'s deadline for implementing plans ({due.due})",
                        ctx | {"parent_bound": str(due.due)},
                    )
                )
    return out


def _met(rule: Rule, lp: LoadedPlan, message: str, ctx: dict[str, object]) -> Finding:
    # met on the base: met on the head against the parent's bound of the head, whatever it is
    # now (a parent that raised its target and is still met is no loss; one that lowered it
    # is judged against its own parent)
    return rule.finding(lp.path, 1, 1, message, plan=lp.id, ctx=ctx | {"met_on_base": True})


def _told(f: Finding) -> set[tuple[object, ...]]:
    """What a PC014 already names, so that one change is not told twice: the parent dropped,
    the target (indicator and year) or the task it is about."""
    keys: set[tuple[object, ...]] = set()
    if "parent" in f.ctx and "indicator" not in f.ctx and "item" not in f.ctx:
        keys.add((f.plan, "parent", f.ctx.get("parent")))  # the plan and the parent as a whole
    if "indicator" in f.ctx:
        keys.add((f.plan, "target", f.ctx.get("indicator"), f.ctx.get("year")))
    if "item" in f.ctx:
        keys.add((f.plan, "item", f.ctx.get("item")))
    if "waiver" in f.ctx:
        keys.add((f.plan, "waiver"))
    return keys


def unjudged(met: list[Finding], after: list[Finding], head: Head, told: list[Finding]) -> list[Finding]:
    """PC014 for a comparison the base met that the changed tree no longer shows met (under the
    base's catalogue too, when the catalogue changed), where no error, warning or gap of the
    changed tree speaks for it: a level dropped from the catalogue, a deadline made text, a link
    deleted, a relation or direction that alone keeps it "met"."""
    # a gap or warning of the changed tree speaks for its subject (a waived one: its waiver is
    # PC014 already, or was reviewed)
    spoken = {subject_of(f) for f in after if f.severity in SEVERE}
    head_paths = {pid: lp.path for pid, lp in head.ps.plans.items()}
    named = set().union(*(_told(f) for f in told)) if told else set()
    out: list[Finding] = []
    for f in met:
        whole = (f.plan, "parent", f.ctx.get("parent"))
        if f.plan not in head_paths or subject_of(f) in spoken or _told(f) & named or whole in named:
            continue  # a plan gone, a parent dropped, a target or task named: PC014 already
        if head.satisfied(f):
            if not head.by_catalogue(f):
                continue
            why = "only under the changed catalogue (indicators.yaml); under the base's it is not"
        else:
            said = [g for g in after if subject_of(g) == subject_of(f)]
            why = (
                f"the changed tree no longer shows it: {said[0].code} {said[0].message}"
                if said
                else "the changed tree no longer compares it"
            )
        path = head_paths[f.plan]
        out.append(
            CHANGE_SHRINKS_THE_CHECK.finding(
                path,
                1,
                1,
                f"this change takes a comparison the base met out of the check: {f.message}; {why}",
                plan=f.plan,
                ctx={
                    "was": f.code,
                    **about(f),
                },
            )
        )
    return out
