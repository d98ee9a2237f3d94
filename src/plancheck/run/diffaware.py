"""`validate --base REF`: findings in changed plans (and their descendants), marked new or existing.

The whole tree is checked as usual; the same check is then run on the tree of REF (extracted
into a temporary folder, at the same relative place so paths match). A finding is *existing* when
a finding with the same identity — code, plan, parent, indicator, year, item and the bounds
compared, never a line number — was reported on REF, so moving a block of YAML does not make its gaps "new".
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter
from pathlib import Path

from plancheck.check.result import Result
from plancheck.config import Config, ConfigError, from_text
from plancheck.findings import SEVERITY_ORDER, Finding, Severity, sort_findings
from plancheck.gitutil import GitError, changed_files, extract, git, gitlinks, toplevel, verify_ref
from plancheck.load.discover import display_path
from plancheck.load.inforce import Replacement, replacements
from plancheck.load.planset import PlanSet
from plancheck.model import Indicator
from plancheck.rules.input import UNREADABLE_FILE
from plancheck.run.cache import Store
from plancheck.run.evidence import SEVERE, Head
from plancheck.run.pipeline import check_tree
from plancheck.run.shrinking import config_shrinks, shrinking, waived_new
from plancheck.run.vanished import catalogue_in, met_on_base, provenance_dropped, unjudged, vanished
from plancheck.run.workers import default_workers


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
            blob = _show_followed(base, rel, top)
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


def _show_followed(base: str, rel: Path, top: Path) -> bytes:
    """The content of ``rel`` in REF's tree, following symbolic links within the repository
    (`git show` gives a link's own text: a linked pyproject.toml read as TOML failed, and the
    base was judged by the defaults)."""
    for _ in range(8):
        listed = git("ls-tree", "--end-of-options", base, "--", rel.as_posix(), cwd=top)
        blob = git("show", "--end-of-options", f"{base}:{rel.as_posix()}", cwd=top, binary=True)
        if not listed.startswith(b"120000 "):
            return blob
        target = os.path.normpath(os.path.join(rel.parent.as_posix(), blob.decode("utf-8", "replace")))
        if target.startswith("..") or os.path.isabs(target):
            raise GitError(f"{rel}: a link out of the repository on {base}")
        rel = Path(target)
    raise GitError(f"{rel}: too many links on {base}")


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
                shrunk = shrinking(then.planset, judged.planset, changed)
                base_paths = {pid: lp.path for pid, lp in then.planset.plans.items()}
                met = met_on_base(
                    Head(then.planset, base_config.as_of, base_config.max_file_size),
                    changed,
                    base_config,
                    every=catalogue_in(changed, changed_abs, base_catalogue) or config_changed,
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
                and finding.severity in SEVERE
                and (finding.plan, finding.code) not in reviewed
            ):
                # a waiver was reviewed for the findings it covered then, not for this one
                hidden.append(waived_new(finding))
        kept.append(finding)
    head = Head(
        judged.planset,
        base_config.as_of,
        base_config.max_file_size,
        base_indicators if catalogue_changed else None,
    )
    head.changed_real = {os.path.realpath(p) for p in changed_abs}
    shrunk += hidden
    shrunk += vanished(before, judged.findings, changed, head, base_paths)
    shrunk += unjudged(met, judged.findings, head, shrunk)
    shrunk += provenance_dropped(before, judged.findings, head)
    shrunk += config_shrinks(judged.findings, current.findings, config, base_config, before)
    for finding in shrunk:  # never on the base, by construction: always new
        new[finding] = True
        kept.append(finding)
    # the sources folder as well: a submodule moved to another commit edits the texts the
    # provenance and results checks read, which git names only as one commit id
    text_folders = tuple(Path(os.path.abspath(p)) for p in (sources, base_config_sources) if p is not None)
    for finding, fresh in _submodules(base, top, watched + text_folders):
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
    """PC011 for each submodule (gitlink) under the plan tree, results/ or the sources folder:
    git diffs it as one commit id and the base extraction leaves it out, so what is in it is never
    compared; new when the base did not have it at that commit."""
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
            f"a git submodule (at commit {commit[:12]}): what is in it is not compared with the base, "
            "and a checkout without submodules has none; keep plans, results and sources in this "
            "repository",
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
