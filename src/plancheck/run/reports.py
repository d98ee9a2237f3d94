"""The report of every (child, parent) edge of a checked tree, from the cache or computed again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from plancheck.check.result import Result
from plancheck.config import Config
from plancheck.findings import Finding, encode_finding
from plancheck.load.plan import LoadedPlan
from plancheck.load.yamlio import Loaded
from plancheck.report.rows import EdgeReport
from plancheck.run.cache import Store, code_fingerprint, sha256
from plancheck.run.checker import Checker, Context, ReportJob, needed_plans
from plancheck.run.rows import ReportStore
from plancheck.run.workers import Progress, compute_reports


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
                needed_plans(found, {pid: p.file for pid, p in ps.plans.items()}),
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
    computed = compute_reports([jobs[i] for i in misses], ctx, workers, warm)
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
    # sorted keys: a finding's ctx read back from the tree entry has its keys in another order
    return sha256(json.dumps(material, ensure_ascii=False, default=str, sort_keys=True).encode())


def _decode_edges(entry: list[dict[str, Any]], job: ReportJob) -> list[EdgeReport] | None:
    """The cached sections of ``job``'s child, when they are about its own edges only (the
    summary names each edge's plans in the tree; see ``rows.report_entry_problem`` for the rest)."""
    parents = {e.parent for e in job.edges}
    child = job.child.plan.id if job.child is not None and job.child.plan is not None else None
    if any(e["child"] != child or e["parent"] not in parents for e in entry):
        return None
    return [EdgeReport(**e) for e in entry]
