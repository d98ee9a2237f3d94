"""Reading and checking one plan with its parents: what a worker process (or this one) does."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plancheck.check.engine import child_findings
from plancheck.findings import Finding, encode_finding
from plancheck.load.catalogue import load_catalogue
from plancheck.load.discover import display_path, expected_id
from plancheck.load.files import read_raw
from plancheck.load.inforce import Edge, identity
from plancheck.load.plan import LoadedPlan, plan_from_bytes, plan_from_loaded
from plancheck.load.planset import PlanSet, make_planset, parent_view
from plancheck.load.yamlio import Loaded
from plancheck.model import Target
from plancheck.rules.provenance import cited_documents
from plancheck.run.cache import context_key, file_key, sha256
from plancheck.run.digests import DocumentDigests, catalogue_digest
from plancheck.run.records import encode_record
from plancheck.run.rows import RowStore, decode_atom, decode_row, encode_rows

if TYPE_CHECKING:  # the report's modules (and jinja2) are imported by the report alone
    from plancheck.report.rows import EdgeReport

PARENTS_KEPT = 6  # parsed parents a worker keeps at least (a commune has three; a province, two)
# and more while their files come to no more than this: a plan implementing hundreds of others
# (each of 220 plans implementing every earlier one) parsed each parent again for every child
PARENT_BYTES_KEPT = 4 * 1024 * 1024
ATOMS_KEPT = 4_000  # parent targets' atoms a report worker keeps (a province has a few hundred)


@dataclass(frozen=True)
class Context:
    """What every plan's rules see besides the plan and its parents."""

    root: Path | None
    sources: Path | None
    max_bytes: int
    cache: Path | None = None  # the cache folder: a check also writes the report's rows there


@dataclass(frozen=True)
class Job:
    index: int  # position of the file in the tree's list of plan files
    file: Path
    shown: str
    plan_id: str | None  # the id the file's path gives it
    parents: tuple[tuple[str, Path], ...]  # (id, file believed to own it): parents and stand-ins
    # the parents in force and their stand-ins; None before the summaries are known (then the
    # plans of `implements` themselves, a guess that round 2 corrects: see inforce)
    edges: tuple[Edge, ...] | None = None


def edge_keys(
    edges: list[Edge], key_of: Callable[[str], str | None], cited: list[str] | None = None
) -> list[str | None]:
    """What a child's findings depend on in its parents: each edge and its plans' file keys, and
    the file key of every plan the child cites (``cited``, its ``implements``)."""
    # inforce.resolve keeps one edge per parent in force, so a cited version that another cited
    # plan replaces has no edge of its own; its tasks may still be named (PC111): key it too
    cites = json.dumps(["cites", *([pid, key_of(pid)] for pid in dict.fromkeys(cited or []))])
    return [
        cites,
        *(
            json.dumps(
                [
                    *e.as_key(),
                    key_of(e.parent),
                    key_of(e.stand_in) if e.stand_in else None,
                    key_of(e.cited) if e.cited != e.parent else None,
                ]
            )
            for e in edges
        ),
    ]


@dataclass
class Outcome:
    index: int
    key: str | None  # file key of the bytes read; None when the file could not be read
    record: dict[str, Any]
    context: str | None = None  # context key of ``results``; None when no rule ran
    results: str | None = None  # the encoded findings as JSON text (decoded only when used)


class Checker:
    """Reads and checks plans one at a time; one per worker process (or one in-process)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.catalogue = load_catalogue(ctx.root, ctx.max_bytes)
        self.catalogue_sha = catalogue_digest(ctx.root, ctx.max_bytes)
        self.parents: OrderedDict[tuple[Path, str], tuple[LoadedPlan, int]] = OrderedDict()
        self.parent_bytes = 0
        self.documents = DocumentDigests(ctx.sources)
        self.atoms: dict[int, tuple[Target, list[Any]]] = {}  # by id(target), see _atom

    def planset(self, plans: dict[str, LoadedPlan], files: list[LoadedPlan]) -> PlanSet:
        return make_planset(self.ctx.root, self.catalogue, plans, files, [], self.ctx.sources)

    def source_digest(self, plan: LoadedPlan) -> str:
        """The hash of the source texts the provenance rules read for ``plan`` ('-' when none).

        Every text the plan cites counts, its own and its items' `source.document`, each by its
        content: a same-size edit with the old mtime, or a link whose target changed, is seen.
        """
        if self.ctx.sources is None:
            return "-"
        return "\0".join(self.document_digest(name) for name in cited_documents(plan)) or "-"

    def document_digest(self, name: str) -> str:
        return self.documents.digest(name)

    def _load(
        self, file: Path, shown: str, plan_id: str | None, *, keep: bool = False
    ) -> tuple[str | None, LoadedPlan]:
        """Read and validate one plan; with ``keep``, parsed plans are kept for the next call."""
        raw = read_raw(file, shown, self.ctx.max_bytes)
        if isinstance(raw, Loaded):
            return None, plan_from_loaded(file, shown, plan_id, raw)
        key = file_key(sha256(raw), plan_id, self.ctx.max_bytes)
        slot = (file, key)
        if slot in self.parents:  # read before as a parent: the same bytes give the same plan
            self.parents.move_to_end(slot)
            return key, self.parents[slot][0]
        lp = plan_from_bytes(file, shown, plan_id, raw, self.ctx.max_bytes)
        if keep:
            self.parents[slot] = (lp, len(raw))
            self.parent_bytes += len(raw)
            while len(self.parents) > PARENTS_KEPT and self.parent_bytes > PARENT_BYTES_KEPT:
                self.parent_bytes -= self.parents.popitem(last=False)[1][1]
        return key, lp

    def _parent(self, file: Path) -> tuple[str | None, LoadedPlan]:
        return self._load(file, display_path(file), expected_id(file, self.ctx.root), keep=True)

    def check(self, job: Job) -> Outcome:
        key, lp = self._load(job.file, job.shown, job.plan_id)
        outcome = Outcome(job.index, key, encode_record(lp))
        if key is None or lp.plan is None:
            return outcome
        edges = list(job.edges) if job.edges is not None else identity(lp.plan)
        keys: dict[str, str | None] = {}
        plans: dict[str, LoadedPlan] = {lp.plan.id: lp}
        for pid, owner_file in job.parents:
            pkey: str | None
            if owner_file == job.file:
                pkey, parent = key, lp
            else:
                pkey, parent = self._parent(owner_file)
            if parent.plan is None or parent.plan.id != pid:
                continue  # the guessed file does not hold that plan after all
            keys[pid] = pkey
            plans[pid] = parent
        parents = self._views(edges, plans)
        context = edge_keys(edges, keys.get, lp.plan.implements)
        outcome.context = context_key(key, context, self.catalogue_sha, self.source_digest(lp))
        ps = self.planset(plans, [lp])
        # a first guess (job.edges None) with a parent that names a stand-in is certain to be
        # checked again with the stand-in (inforce.resolve): rows of this context are never read
        final = job.edges is not None or all(
            p.plan is None or p.plan.document.targets_from is None for p in parents
        )
        if self.ctx.cache is not None and parents and final:
            # the comparisons the target rules are about to make (memoised in ps), kept as the
            # report's rows: a report after this check then reads and compares no child again
            RowStore(self.ctx.cache).put(outcome.context, *encode_rows(lp, parents, ps))
        encoded = [encode_finding(f, lp.path) for f in child_findings(lp, parents, ps)]
        outcome.results = json.dumps(encoded, ensure_ascii=False, separators=(",", ":"))
        return outcome

    @staticmethod
    def _views(edges: list[Edge], plans: dict[str, LoadedPlan]) -> list[LoadedPlan]:
        return [
            parent_view(plans[e.parent], e, plans.get(e.stand_in) if e.stand_in else None)
            for e in edges
            if e.parent in plans
        ]

    def report(self, job: ReportJob) -> list[EdgeReport]:
        """The report's sections for one child and each of its parents: from the rows its check
        cached when there are (see check), else from the child read and compared again."""
        from plancheck.report.rows import edge_report
        from plancheck.report.summary import child_edges

        plans: dict[str, LoadedPlan] = {}
        for pid, file in job.parents:
            if file != job.file:
                parent = self._parent(file)[1]
                if parent.plan is not None and parent.plan.id == pid:
                    plans[pid] = parent
        if job.context is not None and job.child is not None and job.child.plan is not None:
            cached = RowStore(self.ctx.cache).get(job.context)
            if cached is not None and all(pid in plans for pid, _ in job.parents):
                found = self._from_rows(job, job.child, plans, cached)
                if found is not None:
                    return found
        _, lp = self._load(job.file, job.shown, job.plan_id)
        if lp.plan is None:
            return []  # the file changed since it was checked: nothing to compare
        plans[lp.plan.id] = lp
        for pid, file in job.parents:
            if file == job.file and lp.plan.id == pid:
                plans[pid] = lp
        parents = self._views(list(job.edges), plans)
        ps = self.planset(plans, [lp])
        edges = child_edges(lp, parents, ps, list(job.findings))
        return [edge_report(s, job.lang, render=job.render, indicators=ps.indicators) for s in edges]

    def _from_rows(
        self,
        job: ReportJob,
        child: LoadedPlan,
        plans: dict[str, LoadedPlan],
        cached: tuple[list[Any], list[Any]],
    ) -> list[EdgeReport] | None:
        """The sections from a child's cached rows and its parents (read here, each once for many
        children); None when the rows are not for exactly these edges, or not what plancheck writes."""
        from plancheck.report.rows import render_edge
        from plancheck.report.summary import edge_findings

        edges, targets = cached
        views = self._views(list(job.edges), plans)
        if len(edges) != len(views):
            return None
        findings = list(job.findings)
        out = []
        try:
            own = {int(i): decode_atom(atom) for i, atom in targets}
            for (parent_id, stand_in, items), view in zip(edges, views, strict=True):
                if parent_id != view.id or stand_in != view.stand_in or not isinstance(items, list):
                    return None
                assert view.plan is not None
                table = view.plan.targets
                rows = [decode_row(item, table, own, self._atom) for item in items]
                tasks, waived = edge_findings(child.id, view.id, findings)
                out.append(
                    render_edge(
                        child,
                        view,
                        rows,
                        tasks,
                        waived,
                        job.lang,
                        render=job.render,
                        indicators=self.catalogue.indicators,
                    )
                )
        except (TypeError, ValueError, IndexError, KeyError):
            return None
        return out

    def _atom(self, target: Target) -> list[Any]:
        """A parent target's atom, made once for all the children of the parent."""
        from plancheck.report.rows import target_atom

        known = self.atoms.get(id(target))
        if known is None or known[0] is not target:
            if len(self.atoms) > ATOMS_KEPT:
                self.atoms.clear()
            known = self.atoms[id(target)] = (target, target_atom(target))
        return known[1]


@dataclass(frozen=True)
class ReportJob:
    file: Path
    shown: str
    plan_id: str | None
    parents: tuple[tuple[str, Path], ...]  # exact: the parents in force and their stand-ins
    edges: tuple[Edge, ...]
    findings: tuple[Finding, ...]  # what validate reported for this child (configured, waived)
    lang: str
    render: bool  # the section's text too, not only the figures
    # where its check's rows are (None: read the child again), and the child's summary, which
    # names it in the sections
    context: str | None = None
    child: LoadedPlan | None = None


def needed_plans(
    edges: list[Edge], files: dict[str, Path], cited: list[str] | None = None
) -> tuple[tuple[str, Path], ...]:
    """The plans a child's edges need read: each parent it cites (the plan rules look them up),
    each parent in force and each stand-in, once."""
    ids = [*(cited or []), *(pid for e in edges for pid in (e.parent, e.stand_in) if pid is not None)]
    return tuple((pid, files[pid]) for pid in dict.fromkeys(ids) if pid in files)
