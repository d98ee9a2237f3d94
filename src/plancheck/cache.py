"""Cache of each plan file's parsed and validated result, keyed by content hash.

An entry is JSON (never pickle: a cache folder is not trusted to run code), stored under
``<cache-dir>/v1/<hash[:2]>/<hash>.json`` and written atomically. Its key combines the file's
SHA-256, plancheck's version and a fingerprint of the plan model, so an entry from another
version or another file is never used; an unreadable or mismatching entry is ignored and
rebuilt. Two runs at once are safe: each writes whole files by rename, and the last rename wins
with identical content.

Cold runs of many files are loaded across processes; results are identical to a serial load.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

from plancheck import __version__
from plancheck.config import Config
from plancheck.findings import Finding
from plancheck.fsutil import write_atomic
from plancheck.model import Plan
from plancheck.planset import LoadedPlan, _attach_positions, display_path, expected_id, load_plan
from plancheck.yamlio import Loaded

MAGIC = "plancheck-cache-entry"
PARALLEL_THRESHOLD = 200  # below this many files, process start-up costs more than it saves
Loader = Callable[[list[Path], Path | None, int], list[LoadedPlan]]


@lru_cache(maxsize=1)
def model_fingerprint() -> str:
    schema = json.dumps(Plan.model_json_schema(), sort_keys=True)
    return hashlib.sha256(f"{__version__}\n{schema}".encode()).hexdigest()[:16]


def _entry_path(root: Path, digest: str) -> Path:
    return root / "v1" / digest[:2] / f"{digest}.json"


def _encode(lp: LoadedPlan, digest: str) -> str:
    return json.dumps(
        {
            "magic": MAGIC,
            "model": model_fingerprint(),
            "sha256": digest,
            "plan": lp.plan.model_dump(mode="json") if lp.plan is not None else None,
            "findings": [
                [f.code, f.severity, f.message, f.line, f.column, f.ctx, f.plan] for f in lp.findings
            ],
            "positions": [[list(k), v[0], v[1]] for k, v in lp.loaded.positions.items()],
            "keys": [[list(k), v[0], v[1]] for k, v in lp.loaded.key_positions.items()],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _decode(text: str, digest: str, file: Path, root: Path | None) -> LoadedPlan | None:
    """Rebuild a LoadedPlan from an entry, or None when the entry is not one we wrote for this file."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("magic") != MAGIC:
            return None
        if data.get("model") != model_fingerprint() or data.get("sha256") != digest:
            return None
        shown = display_path(file)
        positions = {tuple(p): (int(line), int(col)) for p, line, col in data["positions"]}
        keys = {tuple(p): (int(line), int(col)) for p, line, col in data["keys"]}
        loaded = Loaded(
            data={} if data["plan"] is not None or positions else None,
            positions=positions,
            key_positions=keys,
        )
        lp = LoadedPlan(file=file, path=shown, expected_id=expected_id(file, root), loaded=loaded)
        for code, severity, message, line, col, ctx, plan_id in data["findings"]:
            finding = Finding.make(
                code, shown, int(line), int(col), str(message), plan=plan_id, ctx=dict(ctx)
            )
            lp.findings.append(finding.with_(severity=severity))
        if data["plan"] is not None:
            # validated again: an entry is data, never trusted to be well-formed
            lp.plan = Plan.model_validate(data["plan"])
            _attach_positions(lp.plan, loaded)
        loaded.findings = list(lp.findings)
        return lp
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _load_one(args: tuple[Path, Path | None, int, Path | None]) -> LoadedPlan:
    file, root, max_bytes, cache_root = args
    if cache_root is None:
        return load_plan(file, root, max_bytes)
    raw: bytes | None = None
    try:
        info = file.stat()
        # only regular files are hashed: reading a FIFO blocks, a device never ends
        if stat.S_ISREG(info.st_mode) and info.st_size <= max_bytes:
            with file.open("rb") as handle:
                raw = handle.read(max_bytes + 1)
            if len(raw) > max_bytes:
                raw = None
    except OSError:
        raw = None
    if raw is None:
        return load_plan(file, root, max_bytes)
    digest = hashlib.sha256(raw).hexdigest()
    entry = _entry_path(cache_root, digest)
    try:
        hit = _decode(entry.read_text(encoding="utf-8"), digest, file, root)
    except OSError:
        hit = None
    if hit is not None:
        return hit
    lp = load_plan(file, root, max_bytes)
    with contextlib.suppress(OSError):  # a read-only or full cache folder only costs speed
        write_atomic(entry, _encode(lp, digest))
    return lp


def cached_loader(config: Config, *, enabled: bool = True) -> Loader:
    cache_root: Path | None = None
    if enabled:
        env = os.environ.get("PLANCHECK_CACHE_DIR")
        chosen = Path(env) if env else config.base_dir / config.cache_dir
        cache_root = Path(os.path.abspath(chosen))

    def load(files: list[Path], root: Path | None, max_bytes: int) -> list[LoadedPlan]:
        jobs = [(f, root, max_bytes, cache_root) for f in files]
        workers = min(os.cpu_count() or 1, 8)
        if len(files) < PARALLEL_THRESHOLD or workers < 2:
            return [_load_one(job) for job in jobs]
        # chunks keep inter-process traffic low; map preserves order, so output equals a serial run
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_load_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))

    return load


def parallel_load(files: list[Path], root: Path | None, max_bytes: int, workers: int) -> list[Any]:
    """Load without the cache across ``workers`` processes (used by tests to compare with serial)."""
    jobs = [(f, root, max_bytes, None) for f in files]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_load_one, jobs))
