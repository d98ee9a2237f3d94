"""Check a plan tree file by file, child by child, in worker processes, reusing cached results.

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

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from plancheck.check.engine import finish, tree_findings
from plancheck.check.result import Result
from plancheck.config import Config
from plancheck.findings import Finding
from plancheck.load.catalogue import load_catalogue
from plancheck.load.discover import TreeFiles
from plancheck.load.inforce import replacements, resolve
from plancheck.load.plan import LoadedPlan, plan_from_loaded
from plancheck.load.planset import PlanSet, make_planset, owners, shown_paths
from plancheck.run.cache import Store, context_key, merge_results
from plancheck.run.checker import Checker, Context, Job, Outcome, edge_keys, needed_plans
from plancheck.run.planfiles import PlanFile, hash_files
from plancheck.run.records import RecordError, decode_record, decode_results
from plancheck.run.statindex import StatIndex
from plancheck.run.treecache import TreeEntry, TreeStore, entry_pieces
from plancheck.run.workers import Progress, run_jobs

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


def _believed_owners(files: list[PlanFile]) -> dict[str, Path]:
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


def check_files(
    paths: list[Path],
    config: Config,
    sources: Path | None,
    tree: TreeFiles,
    files: list[PlanFile],
    store: Store,
    index: StatIndex | None,
    workers: int,
    progress: Progress | None,
    tree_entry: tuple[TreeStore, str, str] | None = None,
) -> Result:
    """Check ``tree``'s ``files`` (hashed already when there is a ``tree_entry`` to write: its
    store, key and the catalogue's hash that key holds)."""
    max_bytes = config.max_file_size
    ctx = Context(tree.root, sources, max_bytes, store.root)
    local = Checker(ctx)
    catalogue = local.catalogue
    trees, whole = (tree_entry[0], tree_entry[1]) if tree_entry is not None else (None, "")
    if tree_entry is None:
        hash_files(files, max_bytes, index, lambda f, head: _look_up(f, store, head))
    else:
        for f in files:
            if f.key is not None:
                _look_up(f, store, None, keep=True)  # the first bytes read again: not kept for every file
    for f in files:
        if f.unread is not None:
            f.light = plan_from_loaded(f.file, f.shown, f.plan_id, f.unread)
    # the catalogue changed since the tree's key was made, or (absorb) a file changed while this
    # run read it: the result is then not the one the tree's key stands for
    moved = tree_entry is not None and tree_entry[2] != local.catalogue_sha

    def absorb(outcome: Outcome) -> None:
        f = files[outcome.index]
        nonlocal moved
        f.light, f.record = decode_record(outcome.record, f.file, f.shown, f.plan_id), outcome.record
        f.encoded = _compact(outcome.record) if trees is not None else None
        if outcome.key != f.key:  # the file changed since it was hashed: trust what was checked
            moved = True
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

    def context_of(pid: str, f: PlanFile) -> str:
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
        decoded = decode_results(f.results.get(contexts[pid]), f.shown)
        if decoded is None:  # not computed in this context yet, or a damaged cached result
            edges = edges_of[pid]
            needed = needed_plans(edges, exact_files, plans[pid].plan.implements)  # type: ignore[union-attr]
            second.append(Job(i, f.file, f.shown, f.plan_id, needed, tuple(edges)))
        else:
            results[pid] = decoded
    id_of = {i: pid for pid, i in owner_ids.items()}
    for outcome in run_jobs(second, ctx, workers, local, progress):
        absorb(outcome)
        # a file edited while this run went on keeps what was computed for what was read
        shown = files[outcome.index].shown
        results[id_of[outcome.index]] = decode_results(outcome.results, shown, own_file=False) or []

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
    if trees is not None and not moved:
        _to_tree(trees, whole, result, files, local)
    return result


def stored_planset(
    entry: TreeEntry, files: list[PlanFile], tree: TreeFiles, max_bytes: int, sources: Path | None
) -> PlanSet:
    """The plan set of a result read from the tree ``entry``: its files' summaries decoded
    (RecordError when they are not what plancheck writes)."""
    lights: list[LoadedPlan] = []
    records = entry.records()
    if len(records) != len(files):
        raise RecordError("not one record per plan file")
    for f, record in zip(files, records, strict=True):
        if record is not None and f.key is not None:
            lights.append(decode_record(record, f.file, f.shown, f.plan_id, own_file=True))
        elif record is None and f.key is None and f.unread is not None:
            # a file that cannot be read: its finding is known afresh
            lights.append(plan_from_loaded(f.file, f.shown, f.plan_id, f.unread))
        else:
            raise RecordError("a record for a file that cannot be read, or none for one that can")
    catalogue = load_catalogue(tree.root, max_bytes)
    plans, plan_findings = owners(lights)
    return make_planset(
        tree.root, catalogue, plans, lights, [*tree.problems, *catalogue.findings, *plan_findings], sources
    )


def _compact(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _look_up(f: PlanFile, store: Store, head: bytes | None, *, keep: bool = False) -> None:
    """``f``'s summary and results from its cache entry; else the header guess, from ``head``
    (the first bytes hashed) or the file. ``keep``: the entry's record too, for the tree's entry."""
    entry = store.get(f.key) if f.key is not None else None
    if entry is not None:
        try:
            f.light = decode_record(entry["file"], f.file, f.shown, f.plan_id, own_file=True)
            f.results = entry["results"]
            f.encoded = _compact(entry["file"]) if keep else None
        except RecordError:
            f.light, f.results = None, {}
    if f.light is None:
        f.guess = guess_header(head if head is not None else _head(f.file))


def _head(file: Path, size: int = 8192) -> bytes:
    """The first bytes of ``file``, for the header guess (empty when it cannot be read: the check
    that follows reports why)."""
    try:
        with file.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def _to_tree(trees: TreeStore, key: str, result: Result, files: list[PlanFile], local: Checker) -> None:
    """Write the tree entry of ``result`` (nothing when a file's summary is not at hand)."""
    records = [f.encoded if f.key is not None else None for f in files]
    if any(r is None for f, r in zip(files, records, strict=True) if f.key is not None):
        return
    names = sorted({d for f in files if f.light is not None for d in f.light.documents or ()})
    documents = [[name, local.document_digest(name)] for name in names] if local.ctx.sources else []
    trees.put(key, entry_pieces(key, result, records, documents))
