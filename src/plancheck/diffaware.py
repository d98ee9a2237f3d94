"""`validate --base REF`: findings in changed plans (and their descendants), marked new or existing.

The whole tree is checked as usual; the same check is then run on the tree of REF (extracted
into a temporary folder, at the same relative place so paths match). A finding is *existing* when
a finding with the same identity — code, plan, parent, indicator, year, item, never a line
number — was reported on REF, so moving a block of YAML does not make its gaps "new".
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter
from pathlib import Path

from plancheck.cache import Store
from plancheck.config import Config
from plancheck.engine import Result
from plancheck.findings import Finding
from plancheck.gitutil import GitError, changed_files, extract, toplevel, verify_ref
from plancheck.inforce import Replacement, replacements
from plancheck.pipeline import check_tree, default_workers
from plancheck.planset import PlanSet


def _replacements(ps: PlanSet) -> dict[str, Replacement]:
    return replacements({pid: lp.plan for pid, lp in ps.plans.items() if lp.plan is not None})


def _scope(ps: PlanSet, changed: set[Path]) -> set[str]:
    """Display paths of changed plans and of every plan below a changed one."""
    changed_abs = {Path(os.path.abspath(p)) for p in changed}
    if ps.root is not None and (ps.root / "indicators.yaml") in changed_abs:
        return {lp.path for lp in ps.files} | ({ps.catalogue_path} if ps.catalogue_path else set())
    touched = {lp.id for lp in ps.files if Path(os.path.abspath(lp.file)) in changed_abs and lp.id}
    paths = {lp.path for lp in ps.files if Path(os.path.abspath(lp.file)) in changed_abs}
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
    return paths


def run_against_base(
    paths: list[Path], config: Config, sources: Path | None, base: str, *, store: Store | None = None
) -> tuple[Result, dict[Finding, bool]]:
    cwd = Path.cwd()
    top = toplevel(cwd)
    verify_ref(base, top)
    current = check_tree(paths, config, sources, store=store, workers=default_workers())
    planset, requested = current.planset, current.requested
    scope = _scope(planset, changed_files(base, top)) & requested
    rel_paths = [_relative(p, cwd) for p in paths]  # before chdir: abspath reads the process's cwd
    with tempfile.TemporaryDirectory(prefix="plancheck-base-") as tmp:
        extract(base, top, Path(tmp))
        offset = cwd.resolve().relative_to(top.resolve())
        base_cwd = Path(tmp) / offset
        base_cwd.mkdir(parents=True, exist_ok=True)
        with contextlib.chdir(base_cwd):
            existing_paths = [p for p in rel_paths if p.exists()]
            # the same cache serves: entries are keyed by content, not by where a file lies
            before = (
                check_tree(existing_paths, config, sources, store=store, workers=default_workers()).findings
                if existing_paths
                else []
            )
    seen = Counter(f.identity() for f in before)
    new: dict[Finding, bool] = {}
    kept: list[Finding] = []
    for finding in current.findings:
        if finding.path not in scope:
            continue
        key = finding.identity()
        if seen[key] > 0:
            seen[key] -= 1
            new[finding] = False
        else:
            new[finding] = True
        kept.append(finding)
    counts: dict[str, int] = {}
    for f in kept:
        k = "waived" if f.waived else f.severity
        counts[k] = counts.get(k, 0) + 1
    result = Result(
        findings=kept, planset=planset, requested=scope, suppressed=current.suppressed, counts=counts
    )
    return result, new


def _relative(path: Path, cwd: Path) -> Path:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(cwd)
    except ValueError:
        raise GitError(f"{path}: with --base, paths must be inside the working directory") from None
