"""The plan set: every plan of a tree, its catalogue, and the edges from each plan to the parents it
implements (the version of each parent in force, see ``inforce``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from plancheck.findings import Finding
from plancheck.load.catalogue import CatalogueLoad, load_catalogue
from plancheck.load.discover import TreeFiles, absolute_path, display_path, tree_files
from plancheck.load.inforce import Edge, replacements, resolve
from plancheck.load.plan import LoadedPlan, load_plan
from plancheck.load.yamlio import DEFAULT_MAX_BYTES
from plancheck.model import Catalogue, Indicator
from plancheck.rules.input import FILE_NAME_NOT_UTF8, UNREADABLE_FILE
from plancheck.rules.schema import DUPLICATE_PLAN_ID


@dataclass
class PlanSet:
    root: Path | None
    catalogue_path: str | None
    catalogue: Catalogue | None
    indicators: dict[str, Indicator]
    plans: dict[str, LoadedPlan]  # valid plans by id
    files: list[LoadedPlan]  # every plan file read, valid or not
    findings: list[Finding]  # loader, schema and catalogue findings
    sources: Path | None = None
    # results shared by several rules of one family within one run (e.g. target comparisons)
    memo: dict[Any, Any] = field(default_factory=dict)

    def forget(self, plan_id: str) -> None:
        """Drop memoised results that concern ``plan_id`` (keys are tuples naming plan ids)."""
        stale = [key for key in self.memo if isinstance(key, tuple) and len(key) > 1 and key[1] == plan_id]
        for key in stale:
            del self.memo[key]

    def edges(self, plan: LoadedPlan) -> list[Edge]:
        """The child's parents in force on its issue date, each with its stand-in (see inforce)."""
        if plan.plan is None:
            return []
        # built once per run: a national tree asks for the edges of thousands of plans
        if "documents" not in self.memo:
            docs = {pid: lp.plan for pid, lp in self.plans.items() if lp.plan is not None}
            self.memo["documents"] = docs
            self.memo["replacements"] = replacements(docs)
        return resolve(plan.plan, self.memo["documents"], self.memo["replacements"])

    def parents(self, plan: LoadedPlan) -> list[LoadedPlan]:
        """The parents the child is compared with, as it sees them (see ``parent_view``)."""
        return [
            parent_view(self.plans[e.parent], e, self.plans.get(e.stand_in) if e.stand_in else None)
            for e in self.edges(plan)
            if e.parent in self.plans
        ]


def parent_view(parent: LoadedPlan, edge: Edge, stand_in: LoadedPlan | None) -> LoadedPlan:
    """``parent`` as the child of ``edge`` sees it: the id it cites, and the stand-in's targets.

    The parent itself is returned when nothing differs, so a plain tree pays nothing.
    """
    if edge.cited == edge.parent and edge.stand_in is None:
        return parent
    plan = parent.plan
    if plan is not None and edge.stand_in is not None:
        targets = stand_in.plan.targets if stand_in is not None and stand_in.plan is not None else []
        plan = plan.model_copy(update={"targets": targets})
    return replace(
        parent,
        plan=plan,
        findings=[],
        cited=edge.cited if edge.cited != edge.parent else None,
        stand_in=edge.stand_in,
    )


def owners(loaded_plans: Sequence[LoadedPlan]) -> tuple[dict[str, LoadedPlan], list[Finding]]:
    """Valid plans by id, and every plan file's findings (with PC112 for a second use of an id).

    A file whose path matches its id owns that id, wherever it sorts; a copy is reported instead.
    The owner is reported too: which of two files is "the" plan is for its authors to settle,
    and an error in one file only could be waived from the other.
    """
    plans: dict[str, LoadedPlan] = {}
    findings: list[Finding] = []
    for lp in sorted(loaded_plans, key=lambda lp: lp.plan is None or lp.plan.id != lp.expected_id):
        findings.extend(lp.findings)
        if lp.plan is None:
            continue
        if lp.plan.id in plans:
            other = plans[lp.plan.id]
            id_line, id_col = lp.pos("id")
            findings.append(
                DUPLICATE_PLAN_ID.finding(
                    lp.path,
                    id_line,
                    id_col,
                    f"plan id {lp.plan.id!r} is already used by {other.path}; this file is not checked further",
                    plan=lp.plan.id,
                    ctx={"other": other.path},
                )
            )
            id_line, id_col = other.pos("id")
            findings.append(
                DUPLICATE_PLAN_ID.finding(
                    other.path,
                    id_line,
                    id_col,
                    f"plan id {lp.plan.id!r} is also used by {lp.path}; this file is checked as that plan",
                    plan=lp.plan.id,
                    ctx={"other": lp.path},
                )
            )
            continue
        plans[lp.plan.id] = lp
    return plans, findings


def left_out_files(ps: PlanSet) -> list[str]:
    """Display paths of plan files that are not a plan of ``ps``: invalid, or a second use of an id.

    `report`, `tree` and `show` work on valid plans only; they name these instead of dropping them.
    """
    out = [lp.path for lp in ps.files if lp.plan is None or ps.plans.get(lp.plan.id) is not lp]
    # files and folders that could not be read at all (no permission, a link not followed, a name
    # that is not UTF-8): their plans are left out just the same
    out += [f.path for f in ps.findings if f.code in (UNREADABLE_FILE.code, FILE_NAME_NOT_UTF8.code)]
    return sorted(set(out))


def shown_paths(
    tree: TreeFiles, paths: list[Path], catalogue: CatalogueLoad, findings: list[Finding]
) -> set[str]:
    """Display paths whose findings are reported: the files asked for, and a broken catalogue."""
    shown_requested = {display_path(p) for p in tree.requested} | tree.problem_paths
    # the catalogue is shown when asked for, and always when it is broken: every plan depends on it
    catalogue_file, catalogue_shown = catalogue.file, catalogue.shown
    if (
        catalogue_shown is not None
        and catalogue_file is not None
        and (
            any(
                absolute_path(p) == catalogue_file or absolute_path(p) == catalogue_file.parent for p in paths
            )
            or any(f.path == catalogue_shown for f in findings)
        )
    ):
        shown_requested.add(catalogue_shown)
    return shown_requested


def load_planset(
    paths: list[Path],
    *,
    sources: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[PlanSet, set[str]]:
    """Load the whole tree around ``paths``; returns the set and the display paths requested."""
    tree = tree_files(paths)
    catalogue = load_catalogue(tree.root, max_bytes)
    findings: list[Finding] = [*tree.problems, *catalogue.findings]
    loaded_plans = [load_plan(f, tree.root, max_bytes) for f in tree.plan_files]
    plans, plan_findings = owners(loaded_plans)
    findings.extend(plan_findings)
    planset = make_planset(tree.root, catalogue, plans, loaded_plans, findings, sources)
    return planset, shown_paths(tree, paths, catalogue, findings)


def make_planset(
    root: Path | None,
    catalogue: CatalogueLoad,
    plans: dict[str, LoadedPlan],
    files: list[LoadedPlan],
    findings: list[Finding],
    sources: Path | None,
) -> PlanSet:
    return PlanSet(
        root=root,
        catalogue_path=catalogue.shown,
        catalogue=catalogue.catalogue,
        indicators=catalogue.indicators,
        plans=plans,
        files=files,
        findings=findings,
        sources=sources,
    )
