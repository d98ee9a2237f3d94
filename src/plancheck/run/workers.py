"""Worker processes: the pool, what each worker holds, and how many there are."""

from __future__ import annotations

import contextlib
import gc
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a warm run starts no process: the pool's modules are imported when one is
    from concurrent.futures import ProcessPoolExecutor

    from plancheck.report.rows import EdgeReport
    from plancheck.run.checker import Checker, Context, Job, Outcome, ReportJob

PARALLEL_THRESHOLD = 64  # below this many plans to check, starting processes costs more than it saves
CHUNK = 24  # plans per task sent to a worker: few round trips, and parents stay warm in its memory
Progress = Callable[[int, int], None]  # (done, total)


_WORKER: Checker | None = None


def _init_worker(ctx: Context, parent: int) -> None:
    global _WORKER
    # The main process owns interruptions: Ctrl-C reaches the whole process group, and a worker
    # must not print its own traceback; the main process ends the workers (see _pool). A worker
    # also dies with the main process, however that ends (SIGKILL included), where Linux allows.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # ended by the main process (or with it): its half-written cache entry goes with it, as the
    # main process's does (an empty `.tmp` was left in rows-v1/ about one run in four)
    signal.signal(signal.SIGTERM, _end_worker)
    _die_with_parent(parent)
    gc.enable()  # a worker checks thousands of plans: leave nothing to chance (see cli.main)
    from plancheck.run.checker import Checker

    _WORKER = Checker(ctx)


def _end_worker(signum: int, frame: object) -> None:
    from plancheck.fsutil import discard_pending

    discard_pending()
    os._exit(128 + signum)


def _die_with_parent(parent: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

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
    from concurrent.futures import ProcessPoolExecutor

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


def compute_reports(
    jobs: list[ReportJob], ctx: Context, workers: int, warm: Checker | None = None
) -> Iterator[list[EdgeReport]]:
    """The reports of ``jobs``, in order: in this process for few (reading parents again only
    when ``warm``, the checker that ran the check, no longer holds them), in worker processes for many."""
    if workers < 2 or len(jobs) < PARALLEL_THRESHOLD:
        from plancheck.run.checker import Checker

        local = warm or Checker(ctx)
        for job in jobs:
            yield local.report(job)
        return
    # consecutive children share parents (the communes of one province), so chunks keep order
    chunks = [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    with _pool(workers, ctx) as pool:
        for reports in pool.map(_report_chunk, chunks):
            yield from reports


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
    from concurrent.futures import as_completed

    done = 0
    with _pool(workers, ctx) as pool:
        futures = [pool.submit(_check_chunk, chunk) for chunk in chunks]
        for future in as_completed(futures):
            outcomes = future.result()
            done += len(outcomes)
            if progress is not None:
                progress(done, len(jobs))
            yield from outcomes


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
