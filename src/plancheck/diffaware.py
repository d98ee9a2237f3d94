"""`validate --base REF`: findings in changed plans (and their descendants), marked new or existing.

The whole tree is checked as usual; the same check is then run on the tree of REF (extracted
into a temporary folder, at the same relative place so paths match). A finding is *existing* when
a finding with the same identity — code, plan, parent, indicator, year, item and the bounds
compared, never a line number — was reported on REF, so moving a block of YAML does not make its gaps "new".
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from plancheck.cache import Store
from plancheck.check.algebra import compare_deadlines
from plancheck.check.compliance import compare_plans
from plancheck.check.engine import Result
from plancheck.config import Config, ConfigError, from_text, setting_line
from plancheck.findings import SEVERITY_ORDER, Finding, Severity, sort_findings
from plancheck.gitutil import GitError, changed_files, extract, git, gitlinks, toplevel, verify_ref
from plancheck.load.discover import display_path
from plancheck.load.inforce import Replacement, replacements
from plancheck.load.plan import LoadedPlan, load_plan
from plancheck.load.planset import PlanSet, parent_view
from plancheck.model import Indicator, Waiver
from plancheck.pipeline import check_tree, default_workers
from plancheck.rules.base import Rule
from plancheck.rules.input import CHANGE_SHRINKS_THE_CHECK, UNREADABLE_FILE
from plancheck.rules.progress import MILESTONE_MISSED, TARGET_OFF_TRACK, TASK_OVERDUE
from plancheck.rules.result_sources import RESULT_NOT_IN_SOURCE
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


def _replacements(ps: PlanSet) -> dict[str, Replacement]:
    return replacements({pid: lp.plan for pid, lp in ps.plans.items() if lp.plan is not None})


def _scope(
    ps: PlanSet,
    requested: set[str],
    changed: set[str],
    gone_ids: set[str],
    catalogue_changed: bool,
) -> set[str]:
    """Display paths in scope: changed plans (and plans whose source text changed), every plan
    below a changed or deleted one, and requested paths that are not plans at all (a folder that
    no longer exists).

    ``changed`` holds display paths of files that differ from the base (deleted ones included);
    ``gone_ids`` the ids those files had on the base, so the children of a deleted plan, or of
    one whose id changed, are in scope: they lost a parent.
    """
    plan_paths = {lp.path for lp in ps.files}
    # a path that names no plan file (a missing folder, an unreadable one) is always reported
    scope = {p for p in requested if p not in plan_paths and p != ps.catalogue_path}
    if catalogue_changed:
        return requested
    touched = {lp.id for lp in ps.files if lp.path in changed and lp.id} | gone_ids
    paths = {lp.path for lp in ps.files if lp.path in changed}
    if ps.sources is not None:
        # a changed or deleted source text changes what the provenance rules say of its plan
        for lp in ps.plans.values():
            name = lp.plan.document.source if lp.plan is not None else None
            if name is not None and display_path(ps.sources / name) in changed:
                touched.add(lp.plan.id)  # type: ignore[union-attr]
                paths.add(lp.path)
    # descendants: plans whose parents (transitively) changed
    replaced = _replacements(ps)
    grew = True
    while grew:
        grew = False
        for lp in ps.plans.values():
            if lp.id is None or lp.id in touched or lp.plan is None:
                continue
            # a stand-in's table is read as the plan's own, and a replacement changes which
            # version of a parent is in force: both reach the children as a change would
            stand_in = lp.plan.document.targets_from
            replaced_by = replaced.get(lp.id)
            if (
                any(p in touched for p in lp.plan.implements)
                or (stand_in is not None and stand_in.plan in touched)
                or (replaced_by is not None and replaced_by.by in touched)
            ):
                touched.add(lp.id)
                grew = True
    paths |= {lp.path for lp in ps.plans.values() if lp.id in touched}
    return (scope | paths) & requested


def load_base_config(base: str, head: Config) -> Config:
    """``[tool.plancheck]`` as the base ref has it: the pyproject.toml nearest the working
    directory in REF's tree; defaults when REF has none (or one that does not read), the head's
    own when that lies outside the repository (then the same file serves both sides)."""
    cwd = Path.cwd().resolve()
    top = toplevel(cwd).resolve()
    verify_ref(base, top)
    for folder in (cwd, *cwd.parents):
        try:
            rel = (folder / "pyproject.toml").relative_to(top)
        except ValueError:
            break
        try:
            blob = git("show", "--end-of-options", f"{base}:{rel.as_posix()}", cwd=top, binary=True)
        except GitError:
            continue  # not on the base (or a folder there): look further up
        try:
            return from_text(blob.decode("utf-8"), folder / "pyproject.toml")
        except (ConfigError, UnicodeDecodeError):
            return Config(base_dir=head.base_dir, pyproject=folder / "pyproject.toml")
    if head.pyproject is not None:
        try:
            head.pyproject.resolve().relative_to(top)
        except ValueError:
            return from_text(head.text, head.pyproject)
    return Config(base_dir=head.base_dir)


def stricter_fail_on(head: Config, base: Config) -> Severity:
    """Without --fail-on, the gate fails at the lower of the two thresholds."""
    return min(head.fail_on, base.fail_on, key=lambda s: SEVERITY_ORDER[s])


def run_against_base(
    paths: list[Path],
    config: Config,
    sources: Path | None,
    base: str,
    *,
    store: Store | None = None,
    base_config: Config | None = None,
    base_config_sources: Path | None = None,
) -> tuple[Result, dict[Finding, bool]]:
    """``base_config`` is the base's own configuration (with the command line's options applied)
    and ``base_config_sources`` the sources folder it names, in this working tree."""
    cwd = Path.cwd()
    top = toplevel(cwd)
    # one commit for every question below: the name is not looked up again
    base = verify_ref(base, top)
    if base_config is None:
        base_config, base_config_sources = config, sources
    current = check_tree(paths, config, sources, store=store, workers=default_workers())
    planset, requested = current.planset, current.requested
    results_dir = planset.root.parent / "results" if planset.root is not None else None
    watched = tuple(Path(os.path.abspath(p)) for p in paths) + ((results_dir,) if results_dir else ())
    changed_abs = changed_files(base, top, watched)
    # display paths, as findings name files (relative to the working directory)
    changed = {display_path(p) for p in changed_abs} | _linked_plans(planset, changed_abs, top)
    rel_paths = [_relative(p, cwd) for p in paths]  # before chdir: abspath reads the process's cwd
    before: list[Finding] = []
    met: list[Finding] = []
    shrunk: list[Finding] = []
    gone_ids: set[str] = set()
    base_paths: dict[str, str] = {}
    base_catalogue: str | None = None
    base_indicators: dict[str, Indicator] = {}
    with tempfile.TemporaryDirectory(prefix="plancheck-base-") as tmp:
        extract(base, top, Path(tmp))
        if base_config_sources is None and base_config.sources:
            # the base's own sources folder, gone from this tree (with the setting, or for another
            # folder): both sides are still judged by the base's texts, so what they showed
            # cannot vanish (the command line's --sources would have served both sides)
            base_config_sources = _extracted(base_config.base_dir / base_config.sources, top, Path(tmp))
        # the head tree as the base's configuration judges it: what a plan change did is read from
        # this one (the same configuration on both sides), what the head's configuration did from
        # the difference between it and `current`
        config_changed = config.judged() != base_config.judged() or sources != base_config_sources
        judged = current
        if config_changed:
            judged = check_tree(
                paths, base_config, base_config_sources, store=store, workers=default_workers()
            )
        offset = cwd.resolve().relative_to(top.resolve())
        base_cwd = Path(tmp) / offset
        base_cwd.mkdir(parents=True, exist_ok=True)
        base_sources = _base_sources(base_config_sources, top, Path(tmp))
        with contextlib.chdir(base_cwd):
            existing_paths = [p for p in rel_paths if p.exists()]
            if existing_paths:
                # the same cache serves: entries are keyed by content, not by where a file lies;
                # a status index of a tree extracted for this run only would never serve again
                then = check_tree(
                    existing_paths,
                    base_config,
                    base_sources,
                    store=store,
                    workers=default_workers(),
                    stat_index=False,
                )
                before = then.findings
                # inside the extracted tree display paths are the same relative paths as here
                gone_ids = {lp.id for lp in then.planset.files if lp.path in changed and lp.id}
                base_catalogue = then.planset.catalogue_path
                base_indicators = then.planset.indicators
                shrunk = _shrinking(then.planset, judged.planset, changed)
                base_paths = {pid: lp.path for pid, lp in then.planset.plans.items()}
                met = _met_on_base(
                    _Head(then.planset, base_config.as_of, base_config.max_file_size),
                    changed,
                    base_config,
                    every=_catalogue_in(changed, changed_abs, base_catalogue) or config_changed,
                )
    catalogue_changed = (
        (planset.catalogue_path is not None and planset.catalogue_path in changed)
        or (base_catalogue is not None and base_catalogue in changed)
        or (base_catalogue is not None and planset.catalogue_path is None)
        # the catalogue may be a link: git then names only the file it points to
        or (
            planset.catalogue_path is not None
            and os.path.realpath(planset.catalogue_path) in {os.path.realpath(p) for p in changed_abs}
        )
    )
    # reported results (results/ beside plans/) feed the progress rules of every plan they name
    results = display_path(results_dir) if results_dir is not None else None
    results_changed = results is not None and any(
        p == results or p.startswith(results + "/") for p in changed
    )
    if results_dir is not None and not results_changed:
        # results/ (or a file in it) may be a link: git then names only the files it points to
        real = os.path.realpath(results_dir)
        results_changed = any(
            os.path.realpath(p) == real or os.path.realpath(p).startswith(real + os.sep) for p in changed_abs
        )
    # a configuration that judges differently applies to every plan: all are in scope
    scope = _scope(
        planset, requested, changed, gone_ids, catalogue_changed or results_changed or config_changed
    )
    seen = Counter(f.identity() for f in before)
    new: dict[Finding, bool] = {}
    kept: list[Finding] = []
    hidden: list[Finding] = []
    # a waiver new in this change is PC014 already (see _new_waivers): its findings are not again
    reviewed = {(f.plan, f.ctx.get("waiver")) for f in shrunk if "waiver" in f.ctx}
    for finding in current.findings:
        key = finding.identity()
        if finding.path not in scope and (finding.severity != "error" or seen[key] > 0):
            # an error the base did not have is shown wherever it is: a file git calls unchanged
            # may still read differently (a .gitattributes filter or encoding added)
            continue
        if seen[key] > 0:
            seen[key] -= 1
            new[finding] = False
        else:
            new[finding] = True
            if (
                finding.waived is not None
                and finding.severity in _SEVERE
                and (finding.plan, finding.code) not in reviewed
            ):
                # a waiver was reviewed for the findings it covered then, not for this one
                hidden.append(_waived_new(finding))
        kept.append(finding)
    head = _Head(
        judged.planset,
        base_config.as_of,
        base_config.max_file_size,
        base_indicators if catalogue_changed else None,
    )
    head.changed_real = {os.path.realpath(p) for p in changed_abs}
    shrunk += hidden
    shrunk += _vanished(before, judged.findings, changed, head, base_paths)
    shrunk += _unjudged(met, judged.findings, head, shrunk)
    shrunk += _provenance_dropped(before, judged.findings, head)
    shrunk += _config_shrinks(judged.findings, current.findings, config, base_config, before)
    for finding in shrunk:  # never on the base, by construction: always new
        new[finding] = True
        kept.append(finding)
    for finding, fresh in _submodules(base, top, watched):
        new[finding] = fresh
        kept.append(finding)
    kept = sort_findings(kept)
    counts: dict[str, int] = {}
    for f in kept:
        k = "waived" if f.waived else f.severity
        counts[k] = counts.get(k, 0) + 1
    result = Result(
        findings=kept, planset=planset, requested=scope, suppressed=current.suppressed, counts=counts
    )
    return result, new


def _linked_plans(ps: PlanSet, changed: set[Path], top: Path) -> set[str]:
    """Plan files that are symbolic links to a changed file: git names only the link's target
    (`data/KH.yaml`), yet the plan read through `plans/x/KH.yaml` changed with it. A link out of
    the repository is always in scope: git sees no edit there (and the base has no such plan)."""
    targets = {os.path.realpath(p) for p in changed}
    inside = os.path.realpath(top) + os.sep
    out: set[str] = set()
    for lp in ps.files:
        path = Path(lp.path)
        if path.is_symlink():
            real = os.path.realpath(path)
            if real in targets or not real.startswith(inside):
                out.add(lp.path)
    return out


def _submodules(base: str, top: Path, watched: tuple[Path, ...]) -> list[tuple[Finding, bool]]:
    """PC011 for each submodule (gitlink) under the plan tree or results/: git diffs it as one
    commit id and the base extraction leaves it out, so the plans in it are never compared; new
    when the base did not have it at that commit."""
    then = gitlinks(base, top)
    out: list[tuple[Finding, bool]] = []
    for path, commit in sorted(gitlinks(None, top).items()):
        where = top / path
        if not any(where == w or w in where.parents for w in watched):
            continue
        finding = UNREADABLE_FILE.finding(
            display_path(where),
            1,
            1,
            f"a git submodule (at commit {commit[:12]}): plans in it are not compared with the base, "
            "and a checkout without submodules has none; keep plans in this repository",
        )
        out.append((finding, then.get(path) != commit))
    return out


def _extracted(folder: Path, top: Path, extracted: Path) -> Path | None:
    """``folder`` of this working tree as it was in the extracted base, when it was a folder there."""
    try:
        inside = Path(os.path.abspath(folder)).relative_to(Path(os.path.abspath(top)))
    except ValueError:
        return None
    then = extracted / inside
    return then if then.is_dir() else None


_SEVERE = ("error", "warning", "gap")

# What each finding that leaves the check must be shown satisfied on: the subject of its claim
# (the ctx fields naming it) and the kind of positive evidence the head must give. A code not
# listed judges its plan alone: the rule ran again on the changed plan and found nothing.
_TARGET_RULES = (TARGET_MISSING, TARGET_WEAKER, TARGET_WEAKER_AT_BOUNDARY, TARGET_LATER, TARGET_SOFTENED)
_SUBJECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    **{rule.code: ("target", ("parent", "parent_item", "indicator", "year")) for rule in _TARGET_RULES},
    TASK_DUE_AFTER_PARENT.code: ("task-deadline", ("parent", "item", "parent_item")),
    PLAN_ISSUED_LATE.code: ("issued", ("parent",)),
    TASK_DUE_BEFORE_ISSUE.code: ("task-issue", ("item",)),
    MILESTONE_MISSED.code: ("progress-target", ("item",)),
    TARGET_OFF_TRACK.code: ("progress-target", ("item",)),
    TASK_OVERDUE.code: ("progress-task", ("item",)),
}
_FIX_NEEDS = {
    "target": "the same parent target compared and met",
    "task-deadline": "the same parent task linked, with a deadline not later",
    "issued": "a known issue date by the same deadline of the parent",
    "task-issue": "a known issue date and the task's dated deadline not before it",
    "progress-target": "the same target judged on track by the results",
    "progress-task": "the task reported done",
}


def _claim(f: Finding) -> tuple[object, ...]:
    """What a finding is about, whatever its severity and bounds."""
    return (f.code, f.plan, f.ctx.get("parent"), f.ctx.get("indicator"), f.ctx.get("year"), f.ctx.get("item"))


def _subject(f: Finding) -> tuple[object, ...] | None:
    """The subject a cross-plan or progress finding is about (see ``_SUBJECTS``), else None."""
    kind = _SUBJECTS.get(f.code)
    if kind is None:
        return None
    return (kind[0], f.plan, *(f.ctx.get(k) for k in kind[1]))


class _Head:
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
        if self._base_memo is None or _SUBJECTS[f.code][0] not in ("target", "progress-target"):
            return False
        return not self.satisfied(f, self._base_memo)

    def unchecked_evidence(self, f: Finding) -> list[str]:
        """For a progress finding the head shows fixed: the results entries (``path:line``) the
        fix rests on that this run could not check against a source text (see PC611). An
        entry typed into results/ is a claim; without its source it shows nothing fixed."""
        kind = _SUBJECTS[f.code][0]
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
        kind = _SUBJECTS[f.code][0]
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


def _vanished(
    before: list[Finding],
    after: list[Finding],
    changed: set[str],
    head: _Head,
    base_paths: dict[str, str],
) -> list[Finding]:
    """PC014: findings of the base that leave the check without positive evidence of a fix.

    Base and head plans are matched by plan id, so a plan renamed or moved keeps its check. A
    finding of a cross-plan or progress rule (see ``_SUBJECTS``) counts as fixed only when the
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
        lower[_claim(f)] = f.severity
    # a subject still judged at the same severity or worse (a gap made worse, moved from one
    # gap status to another) is not leaving the check: its head finding speaks for it
    held: dict[tuple[object, ...], int] = {}
    for f in after:
        subject = _subject(f)
        if subject is not None and f.waived is None:
            held[subject] = max(held.get(subject, -1), SEVERITY_ORDER[f.severity])
    head_paths = {pid: lp.path for pid, lp in head.ps.plans.items()}
    present = {lp.path for lp in head.ps.files}
    out: list[Finding] = []
    for f in before:
        if f.severity not in _SEVERE or f.waived is not None:
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
            continue  # a waiver on the head: a new one is PC014 of its own (see _shrinking)
        key = _claim(f)
        subject = _subject(f)
        if subject is None:
            if touched and lower.get(key) in (None, f.severity):
                continue  # the plan itself changed and its own rule no longer finds this: a fix
            why = "by a change of this plan" if touched else "though this plan did not change"
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
                f"; only {_FIX_NEEDS[_SUBJECTS[f.code][0]]} would show a fix"
            )
        how = "become " + str(lower[key]) if key in lower and lower[key] != f.severity else "leave the check"
        moved = path != f.path
        out.append(
            CHANGE_SHRINKS_THE_CHECK.finding(
                path,
                1 if moved else f.line,
                1 if moved else f.column,
                f"this change makes a {f.severity} {how}, {why}: {f.code} {f.message}",
                plan=f.plan,
                ctx={
                    "was": f.code,
                    **{
                        k: f.ctx[k]
                        for k in ("parent", "parent_item", "indicator", "year", "item")
                        if k in f.ctx
                    },
                },
            )
        )
    return out


def _provenance_dropped(before: list[Finding], after: list[Finding], head: _Head) -> list[Finding]:
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


def _catalogue_in(changed: set[str], changed_abs: set[Path], catalogue: str | None) -> bool:
    """The base's catalogue is among the changed files (by its path or, for a link, the file
    it points to)."""
    if catalogue is None:
        return False
    real = {os.path.realpath(p) for p in changed_abs}
    return catalogue in changed or os.path.realpath(catalogue) in real


def _met_on_base(base: _Head, changed: set[str], config: Config, *, every: bool) -> list[Finding]:
    """Every comparison the base met, for the plans the change can affect (a plan changed, or
    one of its parents; all of them when the catalogue or configuration changed), as a finding
    of the code it would have been had it failed: target (PC202), task deadline (PC301), issue
    date (PC302). Nothing on the base reported these, so `_vanished` cannot see them go."""
    ps = base.ps
    memo = base._memo
    # a comparison the configuration does not check (`ignore = ["PC2"]`) cannot leave the check
    targets, tasks, issued_on = (
        config.enabled(rule.code) for rule in (TARGET_WEAKER, TASK_DUE_AFTER_PARENT, PLAN_ISSUED_LATE)
    )
    out: list[Finding] = []
    for pid, lp in sorted(ps.plans.items()):
        edges = ps.edges(lp)
        parents = {e.parent: ps.plans.get(e.parent) for e in edges}
        if (
            not every
            and lp.path not in changed
            and not any(p is not None and p.path in changed for p in parents.values())
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


def _unjudged(met: list[Finding], after: list[Finding], head: _Head, told: list[Finding]) -> list[Finding]:
    """PC014 for a comparison the base met that the changed tree no longer shows met (under the
    base's catalogue too, when the catalogue changed), where no error, warning or gap of the
    changed tree speaks for it: a level dropped from the catalogue, a deadline made text, a link
    deleted, a relation or direction that alone keeps it "met"."""
    # a gap or warning of the changed tree speaks for its subject (a waived one: its waiver is
    # PC014 already, or was reviewed)
    spoken = {_subject(f) for f in after if f.severity in _SEVERE}
    head_paths = {pid: lp.path for pid, lp in head.ps.plans.items()}
    named = set().union(*(_told(f) for f in told)) if told else set()
    out: list[Finding] = []
    for f in met:
        whole = (f.plan, "parent", f.ctx.get("parent"))
        if f.plan not in head_paths or _subject(f) in spoken or _told(f) & named or whole in named:
            continue  # a plan gone, a parent dropped, a target or task named: PC014 already
        if head.satisfied(f):
            if not head.by_catalogue(f):
                continue
            why = "only under the changed catalogue (indicators.yaml); under the base's it is not"
        else:
            said = [g for g in after if _subject(g) == _subject(f)]
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
                    **{
                        k: f.ctx[k]
                        for k in ("parent", "parent_item", "indicator", "year", "item")
                        if k in f.ctx
                    },
                },
            )
        )
    return out


def _setting(f: Finding, lowered: bool, head: Config, base: Config) -> tuple[str, tuple[str, ...]]:
    """The key of [tool.plancheck] (and the code under it) that hides or lowers ``f``."""
    from plancheck.rules.registry import RULES

    code = f.code
    if not lowered and not head.enabled(code):
        if head.select and not any(code.startswith(s) for s in head.select):
            return "select", ()
        return "ignore", ()
    # set lower here, or set higher on the base and no longer here
    if lowered and head.severity.get(code) != base.severity.get(code):
        rule = RULES.get(code)
        return "severity", (code, rule.name) if rule is not None else (code,)
    if head.max_file_size < base.max_file_size:
        return "max-file-size", ()
    if head.as_of != base.as_of:
        return "as-of", ()
    if head.sources != base.sources:
        return "sources", ()
    return "", ()


def _config_shrinks(
    judged: list[Finding], current: list[Finding], head: Config, base: Config, before: list[Finding]
) -> list[Finding]:
    """PC014 at the line of each setting of the head's [tool.plancheck] that removes or lowers a
    finding the base's configuration gives on the same tree; a laxer fail-on too. The findings
    named first are those the base did not have (what the setting lets this change add unseen),
    the most severe first."""
    was = Counter(f.identity() for f in before)
    now: dict[tuple[object, ...], list[Finding]] = {}
    for f in current:
        if f.waived is None:
            now.setdefault(f.identity(), []).append(f)
    hidden: dict[tuple[str, tuple[str, ...]], list[tuple[Finding, bool]]] = {}
    for f in sort_findings(judged):
        if f.waived is not None:
            continue
        same = now.get(f.identity())
        match = same.pop(0) if same else None
        if match is not None and SEVERITY_ORDER[match.severity] >= SEVERITY_ORDER[f.severity]:
            continue
        lowered = match is not None
        hidden.setdefault(_setting(f, lowered, head, base), []).append((f, lowered))
    where = head.pyproject or base.pyproject
    path = display_path(where) if where is not None else "pyproject.toml"
    out: list[Finding] = []
    for (key, subs), items in sorted(hidden.items()):
        gone = sum(1 for _, lowered in items if not lowered)
        label = f"{key}.{subs[0]}" if subs else key or "[tool.plancheck]"
        what = " and ".join(
            part
            for part in (
                f"hides {gone} finding{'s' if gone != 1 else ''}" if gone else "",
                f"lowers {len(items) - gone} finding{'s' if len(items) - gone != 1 else ''}"
                if len(items) - gone
                else "",
            )
            if part
        )
        codes = Counter(f.code for f, _ in items)
        fresh = {id(f) for f, _ in items if was[f.identity()] == 0}
        items.sort(key=lambda item: (id(item[0]) not in fresh, -SEVERITY_ORDER[item[0].severity]))
        named = "; ".join(
            f"{f.code} {f.severity}{' (new)' if id(f) in fresh else ''} in {f.path}: {f.message[:100]}"
            for f, _ in items[:5]
        )
        if fresh:
            what += f" ({len(fresh)} of them not on the base)"
        more = f"; and {len(items) - 5} more" if len(items) > 5 else ""
        out.append(
            CHANGE_SHRINKS_THE_CHECK.finding(
                path,
                setting_line(head.text, key, subs) if head.text and key else 1,
                1,
                f"this change's configuration ({label}) {what} that the base's own configuration "
                f"reports on this tree ({', '.join(f'{c} x{n}' for c, n in sorted(codes.items()))}): "
                f"{named}{more}",
                ctx={"setting": label},
            )
        )
    if SEVERITY_ORDER[head.fail_on] > SEVERITY_ORDER[base.fail_on]:
        out.append(
            CHANGE_SHRINKS_THE_CHECK.finding(
                path,
                setting_line(head.text, "fail-on") if head.text else 1,
                1,
                f"this change's configuration fails on {head.fail_on} and above only, where the base's "
                f"failed on {base.fail_on}: without --fail-on, --base keeps the stricter",
                ctx={"setting": "fail-on"},
            )
        )
    return out


def _waived_new(f: Finding) -> Finding:
    """PC014 for a finding new on the head that a waiver covers (one already on the base, or
    one added with it): a waiver naming only a rule and an indicator would otherwise absorb
    every later weakening on that indicator, for every year and parent, unseen."""
    return CHANGE_SHRINKS_THE_CHECK.finding(
        f.path,
        f.line,
        f.column,
        f"this change adds a {f.severity} that a waiver hides (waived: {f.waived}): a waiver "
        f"covers the findings it was approved for, not a new one: {f.code} {f.message}",
        plan=f.plan,
        ctx={
            "was": f.code,
            "waiver": f.code,
            **{k: f.ctx[k] for k in ("parent", "parent_item", "indicator", "year", "item") if k in f.ctx},
        },
    )


def _at_key(lp: LoadedPlan, key: str, message: str, **ctx: str) -> Finding:
    line, column = lp.pos(key, prefer_key=True)
    return CHANGE_SHRINKS_THE_CHECK.finding(lp.path, line, column, message, plan=lp.id, ctx=ctx or None)


def _stand_in(lp: LoadedPlan, plan: str) -> Finding:
    return _at_key(
        lp,
        "document",
        f"this change makes {plan} stand in for the plan's targets: it is not compared with its "
        "parents on targets of its own",
        targets_from=plan,
    )


def _waiver_scope(w: Waiver) -> tuple[object, ...]:
    return (w.rule, w.parent, w.indicator, w.year, w.task)


def _new_waivers(lp: LoadedPlan, before: set[tuple[object, ...]]) -> list[Finding]:
    """A waiver new on the head (or one whose scope changed, which may widen it) turns findings
    into 'waived' as quietly as a setting would: it needs review like configuration."""
    assert lp.plan is not None
    out: list[Finding] = []
    for i, w in enumerate(lp.plan.waivers):
        if _waiver_scope(w) in before:
            continue
        line, column = lp.pos("waivers", i)
        scope = ", ".join(
            f"{k} {v}"
            for k, v in (("parent", w.parent), ("indicator", w.indicator), ("year", w.year), ("task", w.task))
            if v is not None
        )
        out.append(
            CHANGE_SHRINKS_THE_CHECK.finding(
                lp.path,
                line,
                column,
                f"this change waives {w.rule}{' for ' + scope if scope else ''} (approved by {w.approved_by}): "
                "the findings it covers are no longer counted",
                plan=lp.id,
                ctx={"waiver": w.rule},
            )
        )
    return out


def _shrinking(then: PlanSet, now: PlanSet, changed: set[str]) -> list[Finding]:
    """PC014: what the change removes from the check without raising any target."""
    out: list[Finding] = []
    present = {lp.path for lp in now.files}
    for lp in then.files:
        # a plan renamed or moved within the tree (`git mv`, .yaml to .yml) is still checked
        if lp.path in changed and lp.path not in present and lp.id and lp.id not in now.plans:
            out.append(
                CHANGE_SHRINKS_THE_CHECK.finding(
                    lp.path,
                    1,
                    1,
                    f"this change deletes the plan {lp.id}: its findings leave the check with it",
                    plan=lp.id,
                )
            )
    for pid, lp in sorted(now.plans.items()):
        old = then.plans.get(pid)
        if lp.plan is None or (old is not None and old.plan is None):
            continue
        if old is None or old.plan is None:
            # a new plan: what it declares that removes it from the check needs review as well
            if lp.plan.document.targets_from is not None:
                out.append(_stand_in(lp, lp.plan.document.targets_from.plan))
            out += _new_waivers(lp, set())
            continue
        if lp.path not in changed and old.path not in changed:
            continue
        for parent in sorted(set(old.plan.implements) - set(lp.plan.implements)):
            out.append(
                _at_key(
                    lp,
                    "implements",
                    f"this change drops {parent} from implements: the plan is no longer compared with it",
                    parent=parent,
                )
            )
        # a stand-in named or changed: the plan is no longer compared with its parents on its own
        # targets, and its children meet another table
        was, now_from = old.plan.document.targets_from, lp.plan.document.targets_from
        if now_from is not None and (was is None or was.plan != now_from.plan):
            out.append(_stand_in(lp, now_from.plan))
        out += _new_waivers(lp, {_waiver_scope(w) for w in old.plan.waivers})
        if old.plan.document.source is not None and lp.plan.document.source is None:
            out.append(
                _at_key(
                    lp,
                    "document",
                    f"this change removes document.source ({old.plan.document.source}): the plan's "
                    "labels are no longer checked against its text",
                    source=old.plan.document.source,
                )
            )
        # an earlier document added to `replaces` moves the date the deadline rules count from
        earliest_before = min((str(r.issued) for r in old.plan.document.replaces), default=None)
        earliest_now = min((str(r.issued) for r in lp.plan.document.replaces), default=None)
        if earliest_now is not None and (earliest_before is None or earliest_now < earliest_before):
            out.append(
                _at_key(
                    lp,
                    "document",
                    f"this change dates the plan's first version {earliest_now} (document.replaces): "
                    "deadlines are now counted from it",
                    replaces=earliest_now,
                )
            )
        # a declaration widened to more tasks excuses more: it counts as added
        before = {(e.items, e.where, tuple(e.tasks)) for e in old.plan.elsewhere}
        added = [e for e in lp.plan.elsewhere if (e.items, e.where, tuple(e.tasks)) not in before]
        for e in added:
            out.append(
                _at_key(
                    lp,
                    "elsewhere",
                    f"this change declares the plan's {e.items} to be in {e.where!r}: gaps on them "
                    "become unverifiable",
                    items=e.items,
                )
            )
    return out


def _base_sources(sources: Path | None, top: Path, extracted: Path) -> Path | None:
    """The sources folder as it was on the base, when it lies in the repository; else unchanged."""
    if sources is None:
        return None
    if sources.resolve().is_relative_to(extracted.resolve()):
        return sources  # already the base's own folder (taken from the extraction)
    try:
        inside = sources.resolve().relative_to(top.resolve())
    except ValueError:
        return sources  # outside the repository: the same texts on both sides
    then = extracted / inside
    # a folder that did not exist on the base: no provenance findings there, so every one is new
    return then if then.is_dir() else None


def _relative(path: Path, cwd: Path) -> Path:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(cwd)
    except ValueError:
        raise GitError(f"{path}: with --base, paths must be inside the working directory") from None
