"""`plancheck diff OLD NEW`: what changed between two versions of a plan, target by target."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from plancheck.check.algebra import compare_bounds
from plancheck.load.schema import validate_model
from plancheck.load.yamlio import DEFAULT_MAX_BYTES, load_bytes
from plancheck.model import Indicator, Plan, Target


class DiffInputError(ValueError):
    """An input plan that cannot be read or validated."""


@dataclass(frozen=True)
class Change:
    kind: str  # tightened, relaxed, softened, changed, added, removed, moved, deadline-earlier, deadline-later, deadline-changed
    item: str
    before: str | None
    after: str | None
    detail: str


def load_plan_bytes(raw: bytes, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Plan:
    loaded = load_bytes(raw, name, max_bytes=max_bytes)
    if loaded.data is None:
        first = loaded.findings[0]
        raise DiffInputError(f"{name}:{first.line}:{first.column}: {first.message}")
    plan, problems = validate_model(Plan, loaded, name, None)
    if plan is None:
        first = problems[0]
        raise DiffInputError(f"{name}:{first.line}:{first.column}: {first.message}")
    return plan


def _show(t: Target) -> str:
    return f"{t.indicator} {t.year} {t.bound if t.bound is not None else repr(t.qualitative)}"


def diff_plans(old: Plan, new: Plan, indicators: dict[str, Indicator]) -> list[Change]:
    changes: list[Change] = []
    before = {t.id: t for t in old.targets}
    after = {t.id: t for t in new.targets}
    for tid in sorted(before.keys() - after.keys()):
        changes.append(Change("removed", tid, _show(before[tid]), None, "target removed"))
    for tid in sorted(after.keys() - before.keys()):
        changes.append(Change("added", tid, None, _show(after[tid]), "target added"))
    for tid in sorted(before.keys() & after.keys()):
        a, b = before[tid], after[tid]
        if a.year != b.year:
            direction = "later" if b.year > a.year else "earlier"
            changes.append(
                Change("moved", tid, _show(a), _show(b), f"deadline moved {direction}: {a.year} -> {b.year}")
            )
        if a.indicator != b.indicator:
            changes.append(Change("changed", tid, _show(a), _show(b), "indicator changed"))
            continue
        if b.strive and not a.strive:
            # 'phấn đấu' added: a commitment made an aspiration (PC208 judges a child so)
            changes.append(Change("softened", tid, _show(a), _show(b), "made an aspiration (strive)"))
        if str(a.bound) == str(b.bound) and a.qualitative == b.qualitative:
            continue
        indicator = indicators.get(b.indicator)
        if a.bound is not None and b.bound is not None:
            verdict = compare_bounds(b.bound, a.bound, indicator.direction if indicator else "higher")
            kind = {"exceeds": "tightened", "weaker": "relaxed", "boundary": "relaxed"}.get(
                verdict, "changed"
            )
            changes.append(Change(kind, tid, _show(a), _show(b), f"{a.bound} -> {b.bound}"))
        else:
            changes.append(Change("changed", tid, _show(a), _show(b), "qualitative wording or form changed"))
    old_tasks = {t.id: t for t in old.tasks}
    new_tasks = {t.id: t for t in new.tasks}
    for tid in sorted(old_tasks.keys() - new_tasks.keys()):
        changes.append(Change("removed", tid, str(old_tasks[tid].due), None, "task removed"))
    for tid in sorted(new_tasks.keys() - old_tasks.keys()):
        changes.append(Change("added", tid, None, str(new_tasks[tid].due), "task added"))
    for tid in sorted(old_tasks.keys() & new_tasks.keys()):
        a_due, b_due = old_tasks[tid].due, new_tasks[tid].due
        if str(a_due) == str(b_due):
            continue
        kind = (
            ("deadline-later" if b_due.end > a_due.end else "deadline-earlier")
            if a_due.end is not None and b_due.end is not None
            else "deadline-changed"
        )
        changes.append(Change(kind, tid, str(a_due), str(b_due), f"due {a_due} -> {b_due}"))
    order = {
        k: i
        for i, k in enumerate(
            [
                "relaxed",
                "softened",
                "deadline-later",
                "removed",
                "moved",
                "changed",
                "deadline-changed",
                "tightened",
                "deadline-earlier",
                "added",
            ]
        )
    }
    return sorted(changes, key=lambda c: (order.get(c.kind, 99), c.item))


def _read_bounded(handle: BinaryIO, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes, read in chunks: a huge configured limit allocates nothing."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = handle.read(min(1 << 20, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_spec(spec: str, cwd: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
    """A file path, or ``REF:path`` read from git; one over ``max_bytes`` is refused unread.

    The size is asked first (as validate does): reading a 150 MB file to refuse it took 200 MB.
    """
    candidate = Path(spec)
    if os.path.isfile(candidate):
        try:
            with candidate.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > max_bytes:
                    raise DiffInputError(_too_big(spec, size, max_bytes))
                raw = _read_bounded(handle, max_bytes)  # a file that grew since fstat stays bounded
        except OSError as exc:
            raise DiffInputError(f"{spec}: cannot read: {exc.strerror}") from None
        if len(raw) > max_bytes:
            raise DiffInputError(_too_big(spec, len(raw), max_bytes))
        return raw, spec
    if os.path.lexists(candidate) and ":" not in spec:
        # a folder, a FIFO, a device (/dev/zero, <(cat plan)): never read, and said as such
        raise DiffInputError(
            f"{spec}: not a regular file (use a plan file, or REF:path for a version in git)"
        )
    if ":" in spec:
        from plancheck.gitutil import blob_size, show_file

        blob = blob_size(spec, cwd)
        if blob is not None and blob > max_bytes:
            raise DiffInputError(_too_big(spec, blob, max_bytes))
        return show_file(spec, cwd), spec
    raise DiffInputError(f"{spec}: no such file (use a path, or REF:path for a version in git)")


def _too_big(name: str, size: int, limit: int) -> str:
    # the words of validate's PC004, so that both commands say the same of one file
    return f"{name}:1:1: file is {size:,} bytes; the limit is {limit:,} (setting max-file-size)"
