"""Findings and plan summaries as plain JSON data: what crosses a process boundary or the cache.

Every result of the pipeline goes through these, in worker processes and in-process alike, so
a cold run, a warm run, a serial run and a parallel run give the same findings to the byte.
Decoding validates: a record is data, never trusted to be well-formed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from plancheck.findings import SEVERITY_ORDER, Finding, encode_finding
from plancheck.load.plan import LoadedPlan, attach_positions
from plancheck.load.yamlio import Loaded
from plancheck.model import Plan
from plancheck.rules.provenance import cited_documents
from plancheck.rules.registry import RULES
from plancheck.run.cache import RecordError

__all__ = [
    "RecordError",
    "decode_finding",
    "decode_record",
    "decode_results",
    "encode_finding",
    "encode_record",
]

# Items of these lists are only ever pointed at by the plan and edge rules, which run in the
# worker that holds the whole plan; the summary keeps the rest.
_HEAVY = ("targets", "tasks")
_LIGHT = ("implements", "waivers")


def decode_finding(data: Any, home: str, *, own_file: bool = False) -> Finding:
    """A finding from its list; with ``own_file`` (cache entries) it must be about ``home``, at a
    place from line 1 and column 1 (what plancheck writes)."""
    try:
        code, severity, message, line, column, end_line, end_column, plan, ctx, path = data
    except (TypeError, ValueError):
        raise RecordError("not a finding") from None
    if own_file and (
        path is not None
        or type(line) is not int
        or type(column) is not int
        or line < 1
        or column < 1
        or (end_line is not None and (type(end_line) is not int or end_line < 1))
        or (end_column is not None and (type(end_column) is not int or end_column < 1))
    ):
        raise RecordError("not a finding about this file")
    if (
        code not in RULES
        or severity not in SEVERITY_ORDER
        or not isinstance(message, str)
        or not isinstance(line, int)
        or not isinstance(column, int)
        or not (end_line is None or isinstance(end_line, int))
        or not (end_column is None or isinstance(end_column, int))
        or not (plan is None or isinstance(plan, str))
        or not isinstance(ctx, dict)
        or not _shallow(ctx)
        or not (path is None or isinstance(path, str))
    ):
        raise RecordError("not a finding")
    return Finding(
        code=code,
        rule=RULES[code].name,
        severity=severity,
        message=message,
        path=home if path is None else path,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        plan=plan,
        ctx=ctx,
    )


def decode_results(text: Any, home: str, *, own_file: bool = True) -> list[Finding] | None:
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


MAX_CTX_DEPTH = 8  # the rules write scalars and lists of scalars (two levels)
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _shallow(ctx: dict[str, Any]) -> bool:
    """Whether ``ctx`` nests no deeper than ``MAX_CTX_DEPTH`` (checked without recursion).

    A deeper one did not come from plancheck, and would make a run recurse when written out.
    """
    # what the rules write, scalars and lists of scalars, is seen in one pass: a warm national
    # run decodes tens of thousands of findings; anything else takes the exact walk below
    # (plain loops, no generators: they cost more than the test they make)
    for value in ctx.values():
        if type(value) in _SCALARS:
            continue
        if type(value) is not list:
            return _within_depth(ctx)
        for item in value:
            if type(item) not in _SCALARS:
                return _within_depth(ctx)
    return True


def _within_depth(ctx: dict[str, Any]) -> bool:
    stack: list[tuple[Any, int]] = [(ctx, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_CTX_DEPTH:
            return False
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return True


def encode_record(lp: LoadedPlan) -> dict[str, Any]:
    """What the file alone decides: findings, and the plan without its targets and tasks."""
    summary = None
    if lp.plan is not None:
        summary = lp.plan.model_dump(mode="json", exclude=set(_HEAVY))
    # the tree-wide rules and waivers point at top-level keys and at items of `implements` and
    # `waivers` only; deeper places are pointed at by the rules that ran with the whole plan
    positions = [[list(k), v[0], v[1]] for k, v in lp.loaded.positions.items() if _kept(k)]
    return {
        "findings": [encode_finding(f, lp.path) for f in lp.findings],
        "plan": summary,
        "readable": lp.loaded.data is not None,
        "positions": positions,
        "keys": [[list(k), v[0], v[1]] for k, v in lp.loaded.key_positions.items()],
        "documents": cited_documents(lp),
    }


def _kept(path: tuple[str | int, ...]) -> bool:
    return len(path) <= 1 or (len(path) == 2 and path[0] in _LIGHT)


def decode_record(
    record: Any, file: Path, shown: str, plan_id: str | None, *, own_file: bool = False
) -> LoadedPlan:
    """A light LoadedPlan: findings, positions and the plan summary (no targets or tasks)."""
    try:
        positions = {tuple(p): (int(line), int(col)) for p, line, col in record["positions"]}
        keys = {tuple(p): (int(line), int(col)) for p, line, col in record["keys"]}
        loaded = Loaded(data={} if record["readable"] else None, positions=positions, key_positions=keys)
        lp = LoadedPlan(file=file, path=shown, expected_id=plan_id, loaded=loaded)
        lp.findings = [decode_finding(f, shown, own_file=own_file) for f in record["findings"]]
        loaded.findings = list(lp.findings)
        documents = record["documents"]
        if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
            raise RecordError("not a list of source texts")
        lp.documents = tuple(documents)
        summary = record["plan"]
        if summary is not None:
            if not isinstance(summary, dict) or any(k in summary for k in _HEAVY):
                raise RecordError("not a plan summary")
            lp.plan = Plan.model_validate(summary)
            attach_positions(lp.plan, loaded)
        return lp
    except RecordError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise RecordError(str(exc)) from None
