"""Check a whole plan tree child by child, in worker processes, reusing cached results.

A national tree has thousands of plans and each is the child of a few parents, so `validate`
never holds the tree in memory. Each plan is read and checked on its own, with its parents
beside it, in a worker process; the worker sends back only findings and a small summary (id,
`implements`, level, waivers...). The tree-wide rules (cycles, a missing catalogue), ownership
of ids, waivers and the configuration are then applied to the summaries, exactly as
``engine.run`` does for a plan set in memory; a test checks that both give the same findings.

Which file is a plan's parent is only known once every file has been read, and the point is to
read each file once. So the parents of a plan not in the cache are first *guessed* from its
header (`id:` and `implements:` found by a regular expression) and from the cached summaries.
Every result records the file keys of the parents it was computed with (its context key); once
all summaries are known, any result whose context differs from the exact one is computed again.
A wrong guess therefore costs time, never correctness.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import re
import signal
import stat
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from plancheck.cache import (
    ReportStore,
    RowStore,
    StatIndex,
    Store,
    code_fingerprint,
    context_key,
    file_key,
    merge_results,
    sha256,
)
from plancheck.check.compliance import compare_plans
from plancheck.check.engine import Result, child_findings, finish, tree_findings
from plancheck.config import Config
from plancheck.findings import Finding
from plancheck.load.catalogue import CatalogueLoad, load_catalogue
from plancheck.load.discover import display_path, find_root, tree_files
from plancheck.load.files import hash_file, read_raw, regular_stat
from plancheck.load.inforce import Edge, identity, replacements, resolve
from plancheck.load.plan import LoadedPlan, expected_id, plan_from_bytes, plan_from_loaded
from plancheck.load.planset import PlanSet, make_planset, owners, parent_view, shown_paths
from plancheck.load.yamlio import Loaded
from plancheck.model import Target
from plancheck.records import RecordError, decode_finding, decode_record, encode_finding, encode_record
from plancheck.report.rows import (
    ATOM_FIELDS,
    ComparisonRow,
    EdgeReport,
    comparison_row,
    edge_report,
    render_edge,
    target_atom,
)
from plancheck.report.summary import child_edges, edge_findings
from plancheck.rules.provenance import MAX_SOURCE_BYTES, cited_documents, source_path

PARALLEL_THRESHOLD = 64  # below this many plans to check, starting processes costs more than it saves
CHUNK = 24  # plans per task sent to a worker: few round trips, and parents stay warm in its memory
PARENTS_KEPT = 6  # parsed parents a worker keeps (a commune has three; a province, two)
Progress = Callable[[int, int], None]  # (done, total)


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


def catalogue_digest(catalogue: CatalogueLoad, max_bytes: int) -> str:
    """The catalogue's SHA-256, hashed in chunks; a file over ``max_bytes`` is never read (PC004
    then depends on its size alone)."""
    if catalogue.file is None:
        return "-"
    hashed = hash_file(catalogue.file, catalogue.shown or catalogue.file.name, max_bytes)
    if isinstance(hashed, tuple):
        return hashed[0]
    return "unread:" + ";".join(sorted(f.message for f in hashed.findings))


class Checker:
    """Reads and checks plans one at a time; one per worker process (or one in-process)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.catalogue = load_catalogue(ctx.root, ctx.max_bytes)
        self.catalogue_sha = catalogue_digest(self.catalogue, ctx.max_bytes)
        self.parents: OrderedDict[tuple[Path, str], LoadedPlan] = OrderedDict()
        self.source_shas: dict[tuple[Path, int, int], str] = {}
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
        return "\0".join(self._document_digest(name) for name in cited_documents(plan)) or "-"

    def _document_digest(self, name: str) -> str:
        sources = self.ctx.sources
        assert sources is not None
        path = source_path(sources, name)
        if path is None:
            return f"{name}\0outside"
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                return f"{sources}\0{name}\0not a file"  # never opened: a FIFO would block
            stamp = (path, info.st_mtime_ns, info.st_size)
            if stamp not in self.source_shas:  # within one run: a text is read once
                with path.open("rb") as handle:  # what the provenance rules read, no more
                    self.source_shas[stamp] = sha256(handle.read(MAX_SOURCE_BYTES + 1))
            return f"{sources}\0{name}\0{self.source_shas[stamp]}"
        except OSError:
            return f"{sources}\0{name}\0missing"

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
            return key, self.parents[slot]
        lp = plan_from_bytes(file, shown, plan_id, raw, self.ctx.max_bytes)
        if keep:
            self.parents[slot] = lp
            while len(self.parents) > PARENTS_KEPT:
                self.parents.popitem(last=False)
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
        edges, targets = cached
        views = self._views(list(job.edges), plans)
        if len(edges) != len(views):
            return None
        findings = list(job.findings)
        out = []
        try:
            own = {int(i): _atom(atom) for i, atom in targets}
            for (parent_id, stand_in, items), view in zip(edges, views, strict=True):
                if parent_id != view.id or stand_in != view.stand_in or not isinstance(items, list):
                    return None
                assert view.plan is not None
                table = view.plan.targets
                rows = [_row(item, table, own, self._atom) for item in items]
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


ATOMS_KEPT = 4_000  # parent targets' atoms a report worker keeps (a province has a few hundred)


def encode_rows(lp: LoadedPlan, parents: list[LoadedPlan], ps: PlanSet) -> tuple[list[Any], list[Any]]:
    """A child's comparisons with each parent as the report's rows, in JSON data.

    A target is named by its index in its plan's list (the parent's, or the child's), which the
    report reads with the parents; only the child's targets the rows show are written out whole.
    A target that is in neither list is written out whole in its row.
    """
    assert lp.plan is not None
    own_at = {id(t): i for i, t in enumerate(lp.plan.targets)}
    shown: dict[int, list[Any]] = {}
    edges: list[Any] = []
    for parent in parents:
        assert parent.plan is not None
        parent_at = {id(t): i for i, t in enumerate(parent.plan.targets)}
        items = []
        for c in compare_plans(lp, parent, ps):
            target = c.child_target or c.later_target
            child: int | list[Any] | None = None
            if target is not None:
                child = own_at.get(id(target))
                if child is None:
                    child = target_atom(target)
                elif child not in shown:
                    shown[child] = target_atom(target)
            at = parent_at.get(id(c.parent_target))
            parent_ref = target_atom(c.parent_target) if at is None else at
            items.append([*comparison_row(c, ps.indicators, [], None)[:6], parent_ref, child])
        edges.append([parent.id, parent.stand_in, items])
    return edges, [[i, atom] for i, atom in sorted(shown.items())]


def _row(
    item: Any, table: list[Target], own: dict[int, list[Any]], atom_of: Callable[[Target], list[Any]]
) -> ComparisonRow:
    """A cached row, its fields' types checked (an entry is signed, but data all the same)."""
    if type(item) is not list or len(item) != len(ComparisonRow._fields):
        raise ValueError("not a row")
    status, indicator, year, severity, reason, via, parent, child = item
    if not (
        isinstance(status, str)
        and isinstance(indicator, str)
        and type(year) is int
        and isinstance(severity, (int, float))
        and isinstance(reason, str)
        and (via is None or isinstance(via, str))
    ):
        raise ValueError("not a row")
    # an index names a target of the parent's list, or of the child's (written out in the entry)
    parent_atom = atom_of(table[parent]) if type(parent) is int else _atom(parent)
    child_atom = own[child] if type(child) is int else (None if child is None else _atom(child))
    return ComparisonRow(status, indicator, year, float(severity), reason, via, parent_atom, child_atom)


def _atom(atom: Any) -> list[Any]:
    if not (
        type(atom) is list
        and len(atom) == len(ATOM_FIELDS)
        and all(isinstance(atom[i], str) for i in (0, 1, 3, 6))
        and all(atom[i] is None or isinstance(atom[i], str) for i in (2, 4, 7))
        and isinstance(atom[5], bool)
        and (atom[8] is None or type(atom[8]) is int)
    ):
        raise ValueError("not a target")
    return atom


_WORKER: Checker | None = None


def _init_worker(ctx: Context, parent: int) -> None:
    global _WORKER
    # The main process owns interruptions: Ctrl-C reaches the whole process group, and a worker
    # must not print its own traceback; the main process ends the workers (see _pool). A worker
    # also dies with the main process, however that ends (SIGKILL included), where Linux allows.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    gc.enable()  # a worker checks thousands of plans: leave nothing to chance (see cli.main)
    _WORKER = Checker(ctx)


def _die_with_parent(parent: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the line above ran
        os._exit(1)


def _check_chunk(jobs: list[Job]) -> list[Outcome]:
    assert _WORKER is not None
    return [_WORKER.check(job) for job in jobs]


_POOLS: list[ProcessPoolExecutor] = []  # the pools open now, for end_workers


def end_workers() -> None:
    """End every worker process now (a signal is ending the run: see cli._on_signal)."""
    for pool in list(_POOLS):
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                process.kill()


@contextlib.contextmanager
def _pool(workers: int, ctx: Context) -> Iterator[ProcessPoolExecutor]:
    """Worker processes that never outlive the block: on an error they are ended at once, not
    waited for; a signal ends them through end_workers."""
    # Workers are forked: what this process holds is shared with them until either side writes
    # to it. Frozen objects are never visited by a worker's garbage collector, so they stay
    # shared instead of being copied into every worker.
    gc.freeze()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(ctx, os.getpid()))
    _POOLS.append(pool)
    try:
        try:
            yield pool
        except BaseException:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            for process in processes:
                with contextlib.suppress(Exception):
                    process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                with contextlib.suppress(Exception):
                    process.join(1)
            raise
        pool.shutdown(wait=True)
    finally:
        _POOLS.remove(pool)


def _report_chunk(jobs: list[ReportJob]) -> list[list[EdgeReport]]:
    assert _WORKER is not None
    return [_WORKER.report(job) for job in jobs]


def edge_reports(
    result: Result,
    config: Config,
    lang: str,
    only: set[str] | None = None,
    *,
    render: bool = True,
    workers: int = 1,
    progress: Progress | None = None,
    store: Store | None = None,
) -> Iterator[EdgeReport]:
    """The report of every (child, parent) edge of a checked tree, in the report's order.

    Each child's sections come from the cache when they were rendered before, else from the rows
    its check cached (its parents read beside them), else from the child read and compared again
    with its parents; in worker processes when there are many, so the tree is never held in
    memory: ``result`` holds only summaries and findings.
    """
    ps = result.planset
    rows = store is not None and store.enabled
    ctx = Context(ps.root, ps.sources, config.max_file_size, store.root if store is not None else None)
    by_plan: dict[str, list[Finding]] = {}
    for f in result.findings:
        if f.plan is not None and f.ctx.get("parent") is not None:
            by_plan.setdefault(f.plan, []).append(f)
    jobs = []
    for child_id in sorted(ps.plans):
        lp = ps.plans[child_id]
        found = [e for e in ps.edges(lp) if e.parent in ps.plans]
        if (only and child_id not in only) or not found:
            continue
        jobs.append(
            ReportJob(
                lp.file,
                lp.path,
                lp.expected_id,
                _needed(found, {pid: p.file for pid, p in ps.plans.items()}),
                tuple(found),
                tuple(by_plan.get(child_id, [])),
                lang,
                render,
                result.contexts.get(child_id) if rows else None,
                _summary(lp),
            )
        )
    cached = ReportStore(store) if store is not None and store.enabled else None
    keys = [report_key(result, job) if cached is not None else None for job in jobs]
    # which children have cached sections: only looked up here, read one at a time below, so a
    # national report never holds them all
    hits = {
        i
        for i, key in enumerate(keys)
        if cached is not None and key is not None and cached.path(key).is_file()
    }
    misses = [i for i in range(len(jobs)) if i not in hits]
    warm = result.checker if isinstance(result.checker, Checker) and result.checker.ctx == ctx else None
    computed = _compute_reports([jobs[i] for i in misses], ctx, workers, warm)
    local: Checker | None = None
    for i, job in enumerate(jobs):
        key = keys[i]
        reports = None
        if i in hits and cached is not None and key is not None:
            entry = cached.get(key)
            reports = _decode_edges(entry, job) if entry is not None else None
            if reports is None:  # damaged or removed since: computed here instead
                local = local or Checker(ctx)
                reports = local.report(job)
                cached.put(key, [asdict(r) for r in reports])
        else:
            reports = next(computed)
            if cached is not None and key is not None:
                cached.put(key, [asdict(r) for r in reports])
        if progress is not None:
            progress(i + 1, len(jobs))
        yield from reports


def _summary(lp: LoadedPlan) -> LoadedPlan:
    """A plan's summary as the report names it, without the positions a worker does not need."""
    return LoadedPlan(lp.file, lp.path, lp.expected_id, Loaded(data={}), lp.plan)


def report_key(result: Result, job: ReportJob) -> str | None:
    """Everything one child's report sections depend on, as one hash; None when not known."""
    child_key = result.file_keys.get(str(job.file))
    if child_key is None or not result.catalogue_sha:
        return None
    parents = [[pid, result.file_keys.get(str(file))] for pid, file in job.parents]
    findings = [[f.path, *encode_finding(f, f.path)] for f in job.findings]
    material: list[Any] = [
        code_fingerprint(),
        "report",
        child_key,
        job.plan_id,
        parents,
        result.catalogue_sha,
    ]
    material += [job.lang, job.render, findings]
    return sha256(json.dumps(material, ensure_ascii=False, default=str).encode())


def _decode_edges(entry: list[dict[str, Any]], job: ReportJob) -> list[EdgeReport] | None:
    """The cached sections of ``job``'s child, when they are about its own edges only (the
    summary names each edge's plans in the tree; see ``cache.report_entry_problem`` for the rest)."""
    parents = {e.parent for e in job.edges}
    child = job.child.plan.id if job.child is not None and job.child.plan is not None else None
    if any(e["child"] != child or e["parent"] not in parents for e in entry):
        return None
    return [EdgeReport(**e) for e in entry]


def _compute_reports(
    jobs: list[ReportJob], ctx: Context, workers: int, warm: Checker | None = None
) -> Iterator[list[EdgeReport]]:
    """The reports of ``jobs``, in order: in this process for few (reading parents again only
    when ``warm``, the checker that ran the check, no longer holds them), in worker processes for many."""
    if workers < 2 or len(jobs) < PARALLEL_THRESHOLD:
        local = warm or Checker(ctx)
        for job in jobs:
            yield local.report(job)
        return
    # consecutive children share parents (the communes of one province), so chunks keep order
    chunks = [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    with _pool(workers, ctx) as pool:
        for reports in pool.map(_report_chunk, chunks):
            yield from reports


def _needed(
    edges: list[Edge], files: dict[str, Path], cited: list[str] | None = None
) -> tuple[tuple[str, Path], ...]:
    """The plans a child's edges need read: each parent it cites (the plan rules look them up),
    each parent in force and each stand-in, once."""
    ids = [*(cited or []), *(pid for e in edges for pid in (e.parent, e.stand_in) if pid is not None)]
    return tuple((pid, files[pid]) for pid in dict.fromkeys(ids) if pid in files)


def run_jobs(
    jobs: list[Job], ctx: Context, workers: int, local: Checker, progress: Progress | None = None
) -> Iterator[Outcome]:
    """Check ``jobs`` in ``workers`` processes (in this one when few); outcomes in any order."""
    if not jobs:
        return
    if workers < 2 or len(jobs) < PARALLEL_THRESHOLD:
        for done, job in enumerate(jobs, 1):
            yield local.check(job)
            if progress is not None:
                progress(done, len(jobs))
        return
    # plans that share parents go together, so a worker parses each parent about once
    ordered = sorted(jobs, key=lambda j: (tuple(str(f) for _, f in j.parents), j.index))
    chunks = [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]
    done = 0
    with _pool(workers, ctx) as pool:
        futures = [pool.submit(_check_chunk, chunk) for chunk in chunks]
        for future in as_completed(futures):
            outcomes = future.result()
            done += len(outcomes)
            if progress is not None:
                progress(done, len(jobs))
            yield from outcomes


_ID = re.compile(rb"^id:[ \t]*[\"']?([^\"'\s#]+)", re.M)
_IMPLEMENTS_FLOW = re.compile(rb"^implements:[ \t]*\[([^\]\n]*)\]", re.M)
_IMPLEMENTS_BLOCK = re.compile(rb"^implements:[ \t]*(?:#[^\n]*)?\n((?:[ \t]+-[^\n]*\n)+)", re.M)


def guess_header(raw: bytes) -> tuple[str | None, list[str]]:
    """A plan's id and parents read with regular expressions: a guess, verified later."""
    head = raw[:8192]
    found = _ID.search(head)
    plan_id = found.group(1).decode("utf-8", "replace") if found else None
    flow = _IMPLEMENTS_FLOW.search(head)
    if flow is not None:
        items = flow.group(1).split(b",")
    else:
        block = _IMPLEMENTS_BLOCK.search(head)
        items = [line.strip()[1:] for line in block.group(1).splitlines()] if block else []
    parents = [i.split(b"#")[0].strip().strip(b"\"'").decode("utf-8", "replace") for i in items]
    return plan_id, [p for p in parents if p]


@dataclass
class _File:
    file: Path
    shown: str
    plan_id: str | None
    key: str | None = None
    light: LoadedPlan | None = None  # known summary (from the cache or a worker)
    results: dict[str, Any] = field(default_factory=dict)  # context key -> findings as JSON text
    # the encoded summary a worker sent: set only when the cache entry must be written
    record: dict[str, Any] | None = None
    guess: tuple[str | None, list[str]] = (None, [])


def _believed_owners(files: list[_File]) -> dict[str, Path]:
    """Who owns each id, from known summaries and, for the rest, header guesses."""
    out: dict[str, Path] = {}
    claims: list[tuple[bool, int, str, Path]] = []
    for i, f in enumerate(files):
        if f.light is not None:
            if f.light.plan is not None:
                claims.append((f.light.plan.id != f.plan_id, i, f.light.plan.id, f.file))
        else:
            plan_id = f.guess[0] or f.plan_id
            if plan_id:
                claims.append((plan_id != f.plan_id, i, plan_id, f.file))
    for _, _, plan_id, file in sorted(claims):
        out.setdefault(plan_id, file)
    return out


def check_tree(
    paths: list[Path],
    config: Config,
    sources: Path | None,
    *,
    store: Store | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    stat_index: bool = True,
) -> Result:
    """Load and check the tree around ``paths``: the findings ``engine.run`` would give.

    With ``stat_index`` (and a cache), files whose status the tree's ``StatIndex`` vouches for
    are not hashed; a tree extracted for one run only (``--base``) gains nothing from it.
    """
    store = store or Store(None)
    max_bytes = config.max_file_size
    index = (
        StatIndex(store, tree_root) if stat_index and store.enabled and (tree_root := _root(paths)) else None
    )
    tree = tree_files(paths)
    ctx = Context(tree.root, sources, max_bytes, store.root)
    local = Checker(ctx)
    catalogue = local.catalogue
    files = [_File(f, display_path(f), expected_id(f, tree.root)) for f in tree.plan_files]
    for f in files:
        digest, head = _content_digest(f, max_bytes, index)
        if isinstance(digest, Loaded):  # cannot be read: its finding is known without a worker
            f.light = plan_from_loaded(f.file, f.shown, f.plan_id, digest)
            continue
        f.key = file_key(digest, f.plan_id, max_bytes)
        entry = store.get(f.key)
        if entry is not None:
            try:
                f.light = decode_record(entry["file"], f.file, f.shown, f.plan_id, own_file=True)
                f.results = entry["results"]
            except RecordError:
                f.light, f.results = None, {}
        if f.light is None:
            f.guess = guess_header(head if head is not None else _head(f.file))

    def absorb(outcome: Outcome) -> None:
        f = files[outcome.index]
        f.light, f.record = decode_record(outcome.record, f.file, f.shown, f.plan_id), outcome.record
        if outcome.key != f.key:  # the file changed since it was hashed: trust what was checked
            f.key, f.results = outcome.key, {}
            if index is not None:
                index.forget(str(f.file))
        if outcome.context is not None and outcome.results is not None:
            f.results = merge_results(f.results, outcome.context, outcome.results)

    def job(i: int, believed: dict[str, Path], implements: list[str]) -> Job:
        f = files[i]
        parents = tuple((pid, believed[pid]) for pid in dict.fromkeys(implements) if pid in believed)
        return Job(i, f.file, f.shown, f.plan_id, parents)

    # round 1: files not in the cache, with guessed parents
    believed = _believed_owners(files)
    first = [job(i, believed, f.guess[1]) for i, f in enumerate(files) if f.light is None]
    for outcome in run_jobs(first, ctx, workers, local, progress):
        absorb(outcome)

    # round 2: every summary is known; results whose context is not the exact one are redone
    lights = [f.light for f in files if f.light is not None]
    plans, plan_findings = owners(lights)
    index_of = {id(f.light): i for i, f in enumerate(files)}
    exact = {pid: files[index_of[id(lp)]] for pid, lp in plans.items()}

    docs = {pid: lp.plan for pid, lp in plans.items() if lp.plan is not None}
    repl = replacements(docs)
    edges_of = {pid: resolve(plan, docs, repl) for pid, plan in docs.items()}

    def context_of(pid: str, f: _File) -> str:
        assert f.light is not None and f.light.plan is not None and f.key is not None
        keys = edge_keys(
            edges_of[pid], lambda p: exact[p].key if p in exact else None, f.light.plan.implements
        )
        return context_key(f.key, keys, local.catalogue_sha, local.source_digest(f.light))

    owner_ids = {pid: index_of[id(lp)] for pid, lp in plans.items()}
    exact_files = {pid: files[i].file for pid, i in owner_ids.items()}
    results: dict[str, list[Finding]] = {}
    contexts: dict[str, str] = {}
    second: list[Job] = []
    for pid, i in sorted(owner_ids.items(), key=lambda item: item[1]):
        f = files[i]
        contexts[pid] = context_of(pid, f)
        decoded = _decode_results(f.results.get(contexts[pid]), f.shown)
        if decoded is None:  # not computed in this context yet, or a damaged cached result
            edges = edges_of[pid]
            needed = _needed(edges, exact_files, plans[pid].plan.implements)  # type: ignore[union-attr]
            second.append(Job(i, f.file, f.shown, f.plan_id, needed, tuple(edges)))
        else:
            results[pid] = decoded
    id_of = {i: pid for pid, i in owner_ids.items()}
    for outcome in run_jobs(second, ctx, workers, local, progress):
        absorb(outcome)
        # a file edited while this run went on keeps what was computed for what was read
        shown = files[outcome.index].shown
        results[id_of[outcome.index]] = _decode_results(outcome.results, shown, own_file=False) or []

    for f in files:
        if f.key is not None and f.record is not None:
            store.put(f.key, f.record, f.results)
    if index is not None:
        index.save()

    findings: list[Finding] = [*tree.problems, *catalogue.findings, *plan_findings]
    ps = make_planset(tree.root, catalogue, plans, lights, findings, sources)

    def raw_findings() -> Iterator[Finding]:
        yield from findings
        for pid in sorted(plans):
            yield from results[pid]
        yield from tree_findings(ps)

    result = finish(raw_findings(), ps, shown_paths(tree, paths, catalogue, findings), config)
    result.file_keys = {str(f.file): f.key for f in files if f.key is not None}
    result.checker = local  # its parsed parents serve a report computed in this process
    result.catalogue_sha = local.catalogue_sha
    result.contexts = contexts
    return result


def _root(paths: list[Path]) -> Path | None:
    """The plan tree's folder, as ``tree_files`` finds it (None outside a tree)."""
    return find_root(paths[0]) if paths else None


def _content_digest(f: _File, max_bytes: int, index: StatIndex | None) -> tuple[str | Loaded, bytes | None]:
    """The SHA-256 of ``f``'s content and its first bytes (None when not read: the index vouched
    for the file), or a Loaded that says why it cannot be read."""
    if index is None:
        hashed = hash_file(f.file, f.shown, max_bytes)
        return (hashed, None) if isinstance(hashed, Loaded) else hashed
    try:
        # the status is taken before the content is read: a file changed while it is hashed is
        # then recorded with its old status, so the next run sees the change and hashes it again
        info = regular_stat(f.file, f.shown, max_bytes)
    except OSError:
        info = None  # hash_file reports why
    if isinstance(info, Loaded):
        return info, None
    if info is not None:
        known = index.lookup(str(f.file), info)
        if known is not None:
            return known, None
    hashed = hash_file(f.file, f.shown, max_bytes)
    if isinstance(hashed, Loaded):
        return hashed, None
    if info is not None:
        index.record(str(f.file), info, hashed[0])
    return hashed


def _head(file: Path, size: int = 8192) -> bytes:
    """The first bytes of ``file``, for the header guess (empty when it cannot be read: the check
    that follows reports why)."""
    try:
        with file.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def _decode_results(text: Any, home: str, *, own_file: bool = True) -> list[Finding] | None:
    """Findings from their JSON text; None when there is none or it is not what we write."""
    if not isinstance(text, str):
        return None
    try:
        items = json.loads(text)
        if not isinstance(items, list):
            return None
        # own_file: what a cache entry holds speaks for its own file only; a result just
        # computed (own_file=False) is taken as the rules gave it
        return [decode_finding(data, home, own_file=own_file) for data in items]
    except (ValueError, RecordError, RecursionError):
        return None


MAX_WORKERS = 64  # a larger PLANCHECK_JOBS is capped: each worker is a process with its own memory
_JOBS = re.compile(r"[0-9]+")  # ASCII digits only: str.isdigit() accepts "²", which int() refuses


class JobsError(ValueError):
    """PLANCHECK_JOBS is set to something that is not a positive whole number."""


def default_workers() -> int:
    """Worker processes: PLANCHECK_JOBS when set (at most MAX_WORKERS), else one per core, at most 8."""
    chosen = os.environ.get("PLANCHECK_JOBS", "").strip()
    if not chosen:
        return min(os.cpu_count() or 1, 8)
    digits = chosen.lstrip("0")
    if not _JOBS.fullmatch(chosen) or not digits:
        shown = ascii(chosen) if len(chosen) <= 40 else ascii(chosen[:40]) + "..."
        raise JobsError(f"PLANCHECK_JOBS={shown}: expected a positive whole number such as 4")
    return MAX_WORKERS if len(digits) > 6 else min(int(digits), MAX_WORKERS)
