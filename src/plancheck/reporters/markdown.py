"""The Markdown gap report for analysts, rendered with jinja2 templates shipped in the package."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any, TextIO

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from plancheck import __version__
from plancheck.compliance import GAP_STATUSES
from plancheck.engine import Result
from plancheck.inert import inert
from plancheck.model import Target
from plancheck.planset import PlanSet, left_out_files
from plancheck.reporters.i18n import LANGS, STATUS_NAMES, TEXT
from plancheck.summary import EdgeSummary, edges

STATUS_RANK = [
    "missing",
    "weaker",
    "later",
    "boundary",
    "softened",
    "waived",
    "unverifiable",
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
    "softened": "#dbab09",
    "unverifiable": "#6a737d",
    "waived": "#6a737d",
    "not-comparable": "#6a737d",
    "not-applicable": "#6a737d",
    "meets": "#28a745",
    "exceeds": "#28a745",
}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def md(text: object) -> str:
    """Plan text made inert inside a Markdown table cell: no HTML, links, code or cell breaks."""
    value = "" if text is None else str(text)
    value = " ".join(inert(value, keep="\t\n\r\x0b\x0c").split())
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
    if target.source.line is not None:
        parts.append(f"L{target.source.line}")
    return md(f"{plan_id} {target.id}: " + ", ".join(parts))


@dataclass
class EdgeReport:
    """One (child, parent) edge, ready for the report: its section's text and what the summary
    at the top needs (counts, gap rows, worst status). Built where the edge's plans are loaded."""

    child: str
    parent: str
    counts: dict[str, int]
    worst: str
    gap_rows: list[dict[str, Any]]
    section: str


def edge_report(s: EdgeSummary, lang: str, *, render: bool = True) -> EdgeReport:
    """The edge's figures, and with ``render`` its section (`plancheck tree` needs only figures)."""
    t = TEXT[lang]
    names = STATUS_NAMES[lang]
    counts = s.counts
    if not render:
        return EdgeReport(s.child.id or "", s.parent.id or "", dict(counts), s.worst, [], "")
    rows = []
    gap_rows = []
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
            # a status reached through a catalogue relation names both indicators
            "status": names[status] + (f" ({md(c.via)} ⊇ {md(c.indicator)})" if c.via else ""),
            "status_key": status,
            "sources": " · ".join(
                x
                for x in (
                    # a stand-in's target is cited in the plan it comes from
                    _source_ref(c.table_of or s.parent.id or "", c.parent_target),
                    _source_ref(s.child.id or "", c.child_target or c.later_target),
                )
                if x
            ),
        }
        rows.append(row)
        if status in GAP_STATUSES:
            gap_rows.append({**row, "child_plan": md(s.child.id), "parent_plan": md(s.parent.id)})
    stand_in = []
    child_from = s.child.plan.document.targets_from if s.child.plan is not None else None
    if child_from is not None:
        stand_in.append(t["child_stand_in"].format(plan=md(child_from.plan)))
    parent_from = s.parent.plan.document.targets_from if s.parent.plan is not None else None
    if parent_from is not None and s.parent.stand_in is not None:
        stand_in.append(
            t["parent_stand_in"].format(
                parent=md(s.parent.id), plan=md(parent_from.plan), reason=md(parent_from.reason.rstrip("."))
            )
        )
    section = {
        "stand_in": " ".join(stand_in),
        "child_stands_in": child_from is not None,
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
    text = _normalise(_template("report-section.md.j2").render(t=t, s=section))
    return EdgeReport(s.child.id or "", s.parent.id or "", dict(counts), s.worst, gap_rows, text)


class ReportWriter:
    """Assembles the report from edge reports given in order, writing sections as they come.

    At national scale the sections are hundreds of megabytes: they go to ``sections`` (a file)
    as they arrive, and only the summary's figures are kept in memory.
    """

    WORST_SHOWN = 15

    def __init__(self, ps: PlanSet, lang: str, as_of: dt.date, only: set[str] | None, sections: TextIO):
        if lang not in LANGS:
            raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGS)}")
        self.ps, self.lang, self.as_of, self.only, self.sections = ps, lang, as_of, only, sections
        self.totals: Counter[str] = Counter()
        self.worst_rows: list[dict[str, Any]] = []
        self.gap_count = 0
        self.links: list[tuple[str, str, dict[str, int], str]] = []

    def add(self, er: EdgeReport) -> None:
        self.totals.update(er.counts)
        self.links.append((er.child, er.parent, er.counts, er.worst))
        self.gap_count += len(er.gap_rows)
        self.worst_rows = sorted([*self.worst_rows, *er.gap_rows], key=_worst_key)[: self.WORST_SHOWN]
        self.sections.write(er.section)

    def head(self) -> str:
        t = TEXT[self.lang]
        names = STATUS_NAMES[self.lang]
        ps, only = self.ps, self.only
        ids = {pid: f"p{i}" for i, pid in enumerate(sorted(ps.plans))}
        nodes = [{"id": ids[pid], "label": mermaid_label(pid)} for pid in sorted(ps.plans)]
        links = []
        for child, parent, counts, worst in self.links:
            gaps = sum(counts.get(k, 0) for k in GAP_STATUSES)
            label = f"{gaps} {t['gaps']}" if gaps else names[worst]
            colour = MERMAID_COLOURS[worst]
            if not counts:  # no parent target was compared: "meets" would claim what nobody checked
                label, colour = t["nothing_compared"], MERMAID_COLOURS["not-applicable"]
            links.append(
                {
                    "from": ids[child],
                    "to": ids[parent],
                    "label": mermaid_label(label),
                    "colour": colour,
                }
            )
        totals = self.totals
        context = {
            "t": t,
            "lang": self.lang,
            "version": __version__,
            "as_of": self.as_of.isoformat(),
            "plans": len([p for p in ps.plans if not only or p in only]),
            "edges": len(self.links),
            "status_totals": [{"name": names[k], "count": totals[k]} for k in STATUS_RANK if totals.get(k)],
            "total": sum(totals.values()),
            "gap_total": sum(totals.get(k, 0) for k in GAP_STATUSES),
            "worst": self.worst_rows,
            "worst_more": max(0, self.gap_count - self.WORST_SHOWN),
            "nodes": nodes,
            "links": links,
        }
        return _normalise(_template("report-head.md.j2").render(**context))

    def tail(self) -> str:
        t = TEXT[self.lang]
        waivers = []
        caveats = []
        for plan_id in sorted(self.ps.plans):
            if self.only and plan_id not in self.only:
                continue
            plan = self.ps.plans[plan_id].plan
            assert plan is not None
            for w in plan.waivers:
                waivers.append(
                    {
                        "plan": md(plan_id),
                        "rule": md(w.rule),
                        "what": md(
                            " ".join(str(x) for x in (w.parent, w.indicator, w.year, w.task) if x is not None)
                        ),
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
        # with --plan the report is about those plans; otherwise it is about the whole tree
        left_out = [md(path) for path in left_out_files(self.ps)] if not self.only else []
        from plancheck.coverage import compute, render_markdown
        from plancheck.reporters.progress_md import render_progress  # it imports this module

        plans = {pid: lp.plan for pid, lp in self.ps.plans.items() if lp.plan is not None}
        coverage = render_markdown(compute(plans), self.lang)
        progress = render_progress(self.ps, self.lang, self.as_of, self.only)
        return (
            coverage
            + progress
            + _normalise(
                _template("report-tail.md.j2").render(
                    t=t, waivers=waivers, caveats=caveats, left_out=left_out
                )
            )
        )


def _worst_key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (
        STATUS_RANK.index(str(r["status_key"])),
        str(r["child_plan"]),
        str(r["parent_plan"]),
        str(r["indicator"]),
        str(r["year"]).zfill(4),
    )


def _title(lp: Any) -> str:
    plan = lp.plan
    return f"{plan.document.number or '?'} — {plan.document.issuer}" if plan is not None else ""


@cache
def _template(name: str) -> Template:
    env = Environment(
        loader=PackageLoader("plancheck", "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # Markdown, not HTML: every plan string is escaped by `md` instead
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template(name)


def _normalise(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text)


def render(
    result: Result, lang: str = "vi", as_of: dt.date | None = None, only: set[str] | None = None
) -> str:
    """The whole report of a plan set held in memory."""
    sections = io.StringIO()
    writer = ReportWriter(result.planset, lang, as_of or dt.date.today(), only, sections)
    for summary in edges(result.planset, result, only):
        writer.add(edge_report(summary, lang))
    return writer.head() + sections.getvalue() + writer.tail()
