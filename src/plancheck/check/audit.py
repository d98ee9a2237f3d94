"""Audits of the findings: a seeded, stratified sample drawn for readers, and the checks that keep
a labelled audit true as the code changes (see audits/README.md for the file format).

Not a user command: the lead draws a sample with ``python audits/draw.py``, hands the file to
readers who did not encode the plans, and commits it labelled; tests/test_audits.py re-runs the
check against every audit file.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 1
SAMPLED_SEVERITIES = ("gap", "warning")
VERDICTS = ("true", "false", "debatable")
# The fields that name a finding across runs: messages may be reworded, these may not.
KEY_FIELDS = ("code", "plan", "parent", "indicator", "year", "parent_item", "item", "path")


def finding_key(f: Mapping[str, Any]) -> tuple[str, ...]:
    """A finding's identity, from `plancheck validate --format json` output or an audit entry."""
    ctx = f.get("ctx") or {}
    values = []
    for name in KEY_FIELDS:
        value = f.get(name)
        if value is None:
            value = ctx.get(name)
        values.append("" if value is None else str(value))
    return tuple(values)


def strata(findings: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
    """Gap and warning findings by (rule, plan), each stratum in a stable order."""
    out: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for f in findings:
        if f.get("severity") in SAMPLED_SEVERITIES and not f.get("waived"):
            out[(str(f["code"]), str(f.get("plan") or ""))].append(f)
    return {
        k: sorted(v, key=lambda f: (finding_key(f), str(f.get("message")))) for k, v in sorted(out.items())
    }


def allocate(sizes: Mapping[tuple[str, str], int], n: int) -> dict[tuple[str, str], int]:
    """How many to draw per stratum: one from each (while n allows), the rest in proportion to
    stratum size by largest remainder, ties broken by stratum name; never more than a stratum has."""
    total = sum(sizes.values())
    n = min(n, total)
    keys = sorted(sizes)
    take = dict.fromkeys(keys, 0)
    if n == 0:
        return take
    for k in sorted(keys, key=lambda k: (-sizes[k], k))[:n]:
        take[k] = 1
    left = n - sum(take.values())
    while left > 0:
        room = {k: sizes[k] - take[k] for k in keys if sizes[k] > take[k]}
        quota = {k: left * room[k] / sum(room.values()) for k in room}
        for k in room:
            extra = min(int(quota[k]), room[k])
            take[k] += extra
            left -= extra
        if left == 0:
            break
        order = sorted(room, key=lambda k: (-(quota[k] - int(quota[k])), k))
        for k in order:
            if left == 0:
                break
            if take[k] < sizes[k]:
                take[k] += 1
                left -= 1
    return take


def draw(findings: Sequence[Mapping[str, Any]], n: int, seed: int) -> list[Mapping[str, Any]]:
    """A seeded random sample of ``n`` gap and warning findings, stratified by rule and plan."""
    groups = strata(findings)
    take = allocate({k: len(v) for k, v in groups.items()}, n)
    rng = random.Random(seed)
    picked: list[Mapping[str, Any]] = []
    for k in sorted(groups):  # one rng, strata in a fixed order: the same seed draws the same sample
        picked.extend(rng.sample(groups[k], take[k]))
    return sorted(picked, key=lambda f: (str(f["code"]), str(f.get("plan")), finding_key(f)))


PROCEDURE = (
    "Population: every gap and warning finding (waived ones excluded) of the command below. "
    "Strata: (rule code, plan). Allocation: one finding from each stratum, largest strata first "
    "while the sample allows, the rest in proportion to stratum size (largest remainder, ties by "
    "stratum name). Within a stratum, findings are sorted by (code, plan, parent, indicator, year, "
    "parent_item, item, path) and drawn with Python's random.Random(seed).sample, strata in sorted "
    "order, one generator for all."
)


RECALL_PROCEDURE = (
    "Population: every parent target of every (child, parent) edge of the bundled plans, except "
    "those whose indicator does not apply at the child's level. Strata: the edges. Allocation and "
    "draw as for the findings (a generator of its own, same seed). The tool's status is not shown "
    "to readers; `reported` is filled in when the labelled audit is committed."
)


def unlabelled_audit(
    findings: Sequence[Mapping[str, Any]],
    n: int,
    seed: int,
    command: str,
    version: str,
    drawn_on: dt.date,
    recall: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    groups = strata(findings)
    sample = draw(findings, n, seed)
    entries = []
    for i, f in enumerate(sample, 1):
        ctx = f.get("ctx") or {}
        entries.append(
            {
                "id": f"F{i:03d}",
                "code": f["code"],
                "severity": f["severity"],
                "plan": f.get("plan"),
                "parent": f.get("parent") or ctx.get("parent"),
                "indicator": f.get("indicator") or ctx.get("indicator"),
                "year": f.get("year") or ctx.get("year"),
                "parent_item": ctx.get("parent_item"),
                "item": ctx.get("item"),
                "path": f["path"],
                "line": f["line"],
                "message": f["message"],
                "verdict": None,
                "quotes": [],
                "wrong": None,
                "fix": None,
            }
        )
    return {
        "format": FORMAT,
        "labelled": False,
        "note": "UNLABELLED: drawn for readers who did not encode the plans; no verdict is given yet.",
        "draw": {
            "seed": seed,
            "size": len(entries),
            "command": command,
            "plancheck": version,
            "drawn_on": drawn_on.isoformat(),
            "procedure": PROCEDURE,
            "population": {f"{code} {plan}": len(v) for (code, plan), v in groups.items()},
            "recall_procedure": RECALL_PROCEDURE,
        },
        "readers": [],
        "findings": entries,
        "recall": recall or [],
        "results": None,
    }


def recall_sample(ps: Any, n: int, seed: int) -> list[dict[str, Any]]:
    """Parent targets for readers to look up in each child's text, stratified by (child, parent).

    Targets that do not apply at the child's level are left out. The tool's status is NOT
    written: readers state what they expect from the texts alone; ``reported`` is filled in
    when the labelled audit is committed.
    """
    from plancheck.check.compliance import compare_plans

    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for child_id in sorted(ps.plans):
        child = ps.plans[child_id]
        for parent in sorted(ps.parents(child), key=lambda lp: lp.id):
            table = ps.plans.get(parent.stand_in, parent) if parent.stand_in else parent
            rows = []
            for c in compare_plans(child, parent, ps):
                if c.status == "not-applicable":
                    continue
                target = c.parent_target
                rows.append(
                    {
                        "child": child.id,
                        "parent": parent.id,
                        "parent_item": target.id,
                        "indicator": target.indicator,
                        "year": target.year,
                        "parent_states": str(target.bound)
                        if target.bound is not None
                        else target.qualitative,
                        # a stand-in's targets are read in the stand-in's own text
                        "parent_source": _where(table, target.source.line),
                        "child_source": child.plan.document.source,
                        "child_states": None,
                        "child_line": None,
                        "expected": None,
                        "reported": None,
                    }
                )
            if rows:  # a parent none of whose targets applies to the child is no stratum
                groups[(child.id, parent.id)] = sorted(rows, key=lambda r: (r["parent_item"], r["indicator"]))
    take = allocate({k: len(v) for k, v in groups.items()}, n)
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for k in sorted(groups):
        out.extend(dict(r) for r in rng.sample(groups[k], take[k]))
    return out


def _where(lp: Any, line: int | None) -> str:
    source = lp.plan.document.source if lp.plan is not None else None
    if source is None:
        return f"{lp.id} (no source text)"
    return f"{source}:{line}" if line else f"{source} (no line)"


# What a status means to an analyst: a gap to act on, a target met, or information. Recall counts
# a parent target as found when plancheck's status is in the reader's class; the exact agreement
# is stated beside it (`recall_exact`): 'not comparable' against 'not applicable' is a difference
# of wording, 'missing' against 'meets' is not.
STATUS_CLASS: dict[str, str] = {
    "missing": "gap",
    "weaker": "gap",
    "later": "gap",
    "boundary": "gap",
    "softened": "gap",
    "meets": "met",
    "exceeds": "met",
    "not-comparable": "information",
    "not-applicable": "information",
    "unverifiable": "information",
}


def same_class(expected: object, reported: object) -> bool:
    a, b = STATUS_CLASS.get(str(expected)), STATUS_CLASS.get(str(reported))
    return a is not None and a == b


@dataclass
class Figures:
    true: int = 0
    false: int = 0
    debatable: int = 0
    unlabelled: int = 0
    recall_total: int = 0
    recall_matched: int = 0
    recall_exact: int = 0

    @property
    def precision(self) -> float | None:
        judged = self.true + self.false
        return round(self.true / judged, 3) if judged else None

    @property
    def recall(self) -> float | None:
        return round(self.recall_matched / self.recall_total, 3) if self.recall_total else None

    @property
    def recall_exact_share(self) -> float | None:
        return round(self.recall_exact / self.recall_total, 3) if self.recall_total else None

    @property
    def debatable_share(self) -> float | None:
        size = self.true + self.false + self.debatable
        return round(self.debatable / size, 3) if size else None


def figures(audit: Mapping[str, Any]) -> Figures:
    out = Figures()
    for entry in audit.get("findings") or []:
        verdict = entry.get("verdict")
        if verdict is None:
            out.unlabelled += 1
        else:
            setattr(out, str(verdict), getattr(out, str(verdict)) + 1)
    for entry in audit.get("recall") or []:
        out.recall_total += 1
        out.recall_matched += int(same_class(entry.get("expected"), entry.get("reported")))
        out.recall_exact += int(entry.get("expected") == entry.get("reported"))
    return out


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.items.append(text)


def check_audit(
    audit: Mapping[str, Any],
    findings: Sequence[Mapping[str, Any]],
    status_of: Mapping[tuple[str, str, str], str],
    name: str,
) -> list[str]:
    """Everything wrong with an audit file against today's findings; empty when it holds.

    ``status_of`` maps (child, parent, parent target id) to today's comparison status.
    An unlabelled audit only has to be well formed; a labelled one must state the figures its
    labels give, and today's check must not bring back a finding labelled false, lose one
    labelled true, or change a recall entry's status.
    """
    p = Problems()
    if audit.get("format") != FORMAT:
        p.add(f"{name}: format must be {FORMAT}")
    draw_info = audit.get("draw") or {}
    for key in ("seed", "size", "command", "procedure"):
        if key not in draw_info:
            p.add(f"{name}: draw.{key} is missing")
    entries = audit.get("findings") or []
    if draw_info.get("size") != len(entries):
        p.add(f"{name}: draw.size {draw_info.get('size')} but {len(entries)} findings")
    labelled = bool(audit.get("labelled"))
    # a superseded audit (a later one measures the fixes it led to) still guards its false
    # findings; what it labelled true may have gone with those fixes, and its recall with them
    superseded = bool(audit.get("superseded_by"))
    today = {finding_key(f) for f in findings}
    for entry in entries:
        verdict = entry.get("verdict")
        where = f"{name} {entry.get('id')}"
        if verdict is None:
            if labelled:
                p.add(f"{where}: no verdict in a labelled audit")
            continue
        if verdict not in VERDICTS:
            p.add(f"{where}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
            continue
        if not entry.get("quotes"):
            p.add(f"{where}: a verdict needs the deciding quotes (file:line)")
        if verdict == "false" and not (entry.get("wrong") and entry.get("fix")):
            p.add(f"{where}: a false finding says what was wrong and the fix")
        identity = finding_key(entry)
        if verdict == "false" and identity in today:
            p.add(
                f"{where}: labelled false, and {entry.get('code')} reports it again: {entry.get('message')}"
            )
        # `changed_after`: a later fix turned this true claim into another (its reason), so it is
        # no longer reported as drawn; the label still counts in the figures of the draw
        if verdict == "true" and identity not in today and not superseded and not entry.get("changed_after"):
            p.add(f"{where}: labelled true, and {entry.get('code')} no longer reports it")
    for i, entry in enumerate(audit.get("recall") or [], 1):
        where = f"{name} recall #{i}"
        for key in ("child", "parent", "parent_item", *(("expected", "reported") if labelled else ())):
            if not entry.get(key):
                p.add(f"{where}: {key} is missing")
        if not labelled:
            if entry.get("expected") or entry.get("reported"):
                p.add(f"{where}: marked unlabelled but carries a status")
            continue
        now = status_of.get(
            (str(entry.get("child")), str(entry.get("parent")), str(entry.get("parent_item")))
        )
        if entry.get("reported") and now != entry.get("reported") and not superseded:
            p.add(
                f"{where}: status was {entry.get('reported')!r}, is now {now!r} (update the audit if intended)"
            )
    stated = audit.get("results")
    got = figures(audit)
    if not labelled:
        if got.unlabelled != len(entries) and not any("carries" in x for x in p.items):
            p.add(f"{name}: marked unlabelled but carries verdicts")
        return p.items
    if not isinstance(stated, Mapping):
        p.add(f"{name}: a labelled audit states its results")
        return p.items
    want = {
        "true": got.true,
        "false": got.false,
        "debatable": got.debatable,
        "precision": got.precision,
        "debatable_share": got.debatable_share,
        "recall": got.recall,
        "recall_targets": got.recall_total,
        **({"recall_exact": got.recall_exact_share} if "recall_exact" in stated else {}),
    }
    for key, value in want.items():
        if stated.get(key) != value:
            p.add(f"{name}: results.{key} states {stated.get(key)!r}, the labels give {value!r}")
    return p.items


def audit_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())
