"""The Markdown gap report for analysts, rendered with jinja2 templates shipped in the package."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from plancheck import __version__
from plancheck.compliance import GAP_STATUSES
from plancheck.engine import Result
from plancheck.model import Target
from plancheck.reporters.i18n import LANGS, STATUS_NAMES, TEXT
from plancheck.summary import edges

STATUS_RANK = [
    "missing",
    "weaker",
    "later",
    "boundary",
    "waived",
    "not-comparable",
    "meets",
    "exceeds",
    "not-applicable",
]
MERMAID_COLOURS = {
    "missing": "#d73a49",
    "weaker": "#d73a49",
    "later": "#e36209",
    "boundary": "#dbab09",
    "waived": "#6a737d",
    "not-comparable": "#6a737d",
    "not-applicable": "#6a737d",
    "meets": "#28a745",
    "exceeds": "#28a745",
}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def md(text: object) -> str:
    """Plan text made inert inside a Markdown table cell: no HTML, links, code or cell breaks."""
    value = "" if text is None else str(text)
    value = _CONTROL.sub(" ", value)
    value = " ".join(value.split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    value = _MD_SPECIAL.sub(r"\\\1", value)
    # "javascript:" and friends cannot form a link once brackets are escaped; break bare schemes too
    value = re.sub(r"(?i)\b(javascript|data|vbscript):", r"\1&#58;", value)
    return value


def mermaid_label(text: object) -> str:
    value = " ".join(str(text).split())
    return re.sub(r"[^\w ./:+-]", "_", value, flags=re.UNICODE)


def _target_text(target: Target | None, strive: str) -> str:
    if target is None:
        return "—"
    shown = (
        f"`{target.bound}` {md(target.unit)}" if target.bound is not None else f"“{md(target.qualitative)}”"
    )
    if target.strive:
        shown += f" ({strive})"
    return f"{md(target.label)}: {shown}"


def _source_ref(plan_id: str, target: Target | None) -> str:
    if target is None:
        return ""
    parts = [target.source.section]
    if target.source.ref:
        parts.append(target.source.ref)
    if target.source.line:
        parts.append(f"L{target.source.line}")
    return md(f"{plan_id} {target.id}: " + ", ".join(parts))


def build_context(result: Result, lang: str, as_of: dt.date, only: set[str] | None = None) -> dict[str, Any]:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGS)}")
    t = TEXT[lang]
    names = STATUS_NAMES[lang]
    ps = result.planset
    summaries = edges(ps, result, only)
    totals: Counter[str] = Counter()
    sections = []
    worst_rows = []
    for s in summaries:
        counts = s.counts
        totals.update(counts)
        rows = []
        hidden = 0
        for c in sorted(
            s.comparisons,
            key=lambda c: (STATUS_RANK.index(s.status_of(c)), c.indicator, c.year, c.parent_target.id),
        ):
            status = s.status_of(c)
            if status == "not-applicable":
                hidden += 1
                continue
            row = {
                "indicator": md(c.indicator),
                "year": c.year,
                "parent": _target_text(c.parent_target, t["strive"]),
                "child": _target_text(c.child_target or c.later_target, t["strive"]),
                "status": names[status],
                "status_key": status,
                "sources": " · ".join(
                    x
                    for x in (
                        _source_ref(s.parent.id or "", c.parent_target),
                        _source_ref(s.child.id or "", c.child_target or c.later_target),
                    )
                    if x
                ),
            }
            rows.append(row)
            if status in GAP_STATUSES:
                worst_rows.append({**row, "child_plan": md(s.child.id), "parent_plan": md(s.parent.id)})
        sections.append(
            {
                "child": md(s.child.id),
                "parent": md(s.parent.id),
                "child_title": md(_title(s.child)),
                "parent_title": md(_title(s.parent)),
                "counts": ", ".join(f"{counts[k]} {names[k]}" for k in STATUS_RANK if counts.get(k)),
                "rows": rows,
                "hidden": hidden,
                "tasks": [
                    {
                        "message": md(f.message),
                        "where": md(f"{f.path}:{f.line}"),
                        "status": names.get(f.status or "later", f.status or ""),
                    }
                    for f in s.task_findings
                ],
            }
        )
    worst_rows.sort(
        key=lambda r: (
            STATUS_RANK.index(str(r["status_key"])),
            str(r["child_plan"]),
            str(r["parent_plan"]),
            str(r["indicator"]),
            str(r["year"]).zfill(4),
        )
    )
    waivers = []
    caveats = []
    for plan_id in sorted(ps.plans):
        if only and plan_id not in only:
            continue
        plan = ps.plans[plan_id].plan
        assert plan is not None
        for w in plan.waivers:
            waivers.append(
                {
                    "plan": md(plan_id),
                    "rule": md(w.rule),
                    "what": md(" ".join(str(x) for x in (w.parent, w.indicator, w.year, w.task) if x)),
                    "reason": md(w.reason),
                    "approved_by": md(w.approved_by),
                }
            )
        if plan.notes or any(c.in_source != c.encoded for c in plan.coverage):
            caveats.append(
                {
                    "plan": md(plan_id),
                    "notes": [md(n) for n in plan.notes],
                    "coverage": [
                        {
                            "section": md(c.section),
                            "kind": t["items_" + c.items],
                            "in_source": c.in_source,
                            "encoded": c.encoded,
                        }
                        for c in plan.coverage
                    ],
                }
            )
    # Mermaid: one node per plan, one edge per (child, parent), coloured by its worst status
    ids = {pid: f"p{i}" for i, pid in enumerate(sorted(ps.plans))}
    nodes = [{"id": ids[pid], "label": mermaid_label(pid)} for pid in sorted(ps.plans)]
    links = []
    for s in summaries:
        counts = s.counts
        gaps = sum(counts.get(k, 0) for k in GAP_STATUSES)
        label = f"{gaps} {t['gaps']}" if gaps else names[s.worst]
        links.append(
            {
                "from": ids[s.child.id or ""],
                "to": ids[s.parent.id or ""],
                "label": mermaid_label(label),
                "colour": MERMAID_COLOURS[s.worst],
            }
        )
    status_totals = [{"name": names[k], "count": totals[k]} for k in STATUS_RANK if totals.get(k)]
    return {
        "t": t,
        "lang": lang,
        "version": __version__,
        "as_of": as_of.isoformat(),
        "plans": len([p for p in ps.plans if not only or p in only]),
        "edges": len(summaries),
        "status_totals": status_totals,
        "total": sum(totals.values()),
        "gap_total": sum(totals.get(k, 0) for k in GAP_STATUSES),
        "worst": worst_rows[:15],
        "worst_more": max(0, len(worst_rows) - 15),
        "sections": sections,
        "waivers": waivers,
        "caveats": caveats,
        "nodes": nodes,
        "links": links,
    }


def _title(lp: Any) -> str:
    plan = lp.plan
    return f"{plan.document.number or '?'} — {plan.document.issuer}" if plan is not None else ""


def render(
    result: Result, lang: str = "vi", as_of: dt.date | None = None, only: set[str] | None = None
) -> str:
    env = Environment(
        loader=PackageLoader("plancheck", "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # Markdown, not HTML: every plan string is escaped by `md` instead
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = env.get_template("report.md.j2")
    text = template.render(**build_context(result, lang, as_of or dt.date.today(), only))
    return re.sub(r"\n{3,}", "\n\n", text)
