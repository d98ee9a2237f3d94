"""The Markdown gap report for analysts, rendered with jinja2 templates shipped in the package."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from plancheck import __version__
from plancheck.check.algebra import worst_edge
from plancheck.check.engine import Result
from plancheck.check.status import GAP_STATUSES, Comparison
from plancheck.findings import Finding
from plancheck.fsutil import open_atomic
from plancheck.inert import inert
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet, left_out_files
from plancheck.model import Indicator, Target
from plancheck.reporters.i18n import LANGS, STATUS_NAMES, TEXT, reason, unit
from plancheck.summary import EdgeSummary, edges, worst_status

# The order of rows, worst first. Keyed by status name so that statuses added by other rules
# (softened, unverifiable) slot in; a status not listed sorts after the gaps, before "meets".
STATUS_WEIGHT: dict[str, int] = {
    "weaker": 0,
    "later": 1,
    "boundary": 2,
    "softened": 3,
    "missing": 4,
    "unverifiable": 20,
    "not-comparable": 21,
    "waived": 22,
    "meets": 30,
    "exceeds": 31,
    "not-applicable": 40,
}
UNLISTED_WEIGHT = 25
FOLDED_MET = frozenset({"meets", "exceeds"})
HIDDEN = frozenset({"not-applicable"})


def weight(status: str) -> int:
    return STATUS_WEIGHT.get(status, UNLISTED_WEIGHT)


def ranked(statuses: object) -> list[str]:
    """Statuses in report order."""
    return sorted(set(statuses), key=lambda k: (weight(k), k))  # type: ignore[call-overload]


# Edge colours by the share of gaps among the targets compared: (upper bound, colour, legend mark)
SHARE_SCALE: tuple[tuple[float, str, str], ...] = (
    (0.0, "#28a745", "🟩"),
    (0.25, "#dbab09", "🟨"),
    (0.5, "#e36209", "🟧"),
    (1.0, "#d73a49", "🟥"),
)
NONE_COMPARED = ("#6a737d", "⬜")
MERMAID_MAX_EDGES = 300  # GitHub stops rendering a diagram long before a national tree


_MD_TABLE = {ord(c): "\\" + c for c in "\\`*_{}[]()#+!|~>"}
_MD_TABLE.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;"})
_SCHEME = re.compile(r"(?i)\b(javascript|data|vbscript):")


def md(text: object) -> str:
    """Plan text made inert inside a Markdown table cell: no HTML, links, code or cell breaks."""
    value = "" if text is None else str(text)
    return _md(value)


@lru_cache(maxsize=65536)
def _md(value: str) -> str:
    # the same labels come back for every child of a parent: escaping is cached
    # controls, escapes and bidi overrides shown as visible escapes (plancheck.inert), never interpreted
    value = " ".join(inert(value, keep="\t\n\r\x0b\x0c").split())
    value = value.translate(_MD_TABLE)
    if ":" in value:
        # "javascript:" and friends cannot form a link once brackets are escaped; break bare schemes too
        value = _SCHEME.sub(r"\1&#58;", value)
    return value


def mermaid_label(text: object) -> str:
    value = " ".join(str(text).split())
    return re.sub(r"[^\w ./:+·%-]", "_", value, flags=re.UNICODE)


def share_colour(gaps: int, compared: int) -> tuple[str, str]:
    """The colour and legend mark of an edge with ``gaps`` gaps among ``compared`` targets."""
    if compared == 0:
        return NONE_COMPARED
    share = gaps / compared
    for upper, colour, mark in SHARE_SCALE:
        if share <= upper:
            return colour, mark
    return SHARE_SCALE[-1][1], SHARE_SCALE[-1][2]


def plan_date(plan: Any, lang: str) -> str:
    issued = plan.document.issued
    if not isinstance(issued, dt.date):
        return str(TEXT[lang]["date_unknown"])
    return issued.strftime("%d/%m/%Y") if lang == "vi" else issued.isoformat()


def plan_name(plan: Any, lang: str) -> str:
    """How people name a plan: number · issuer · date (Markdown-escaped)."""
    if plan is None:
        return ""
    doc = plan.document
    first = doc.number or doc.title
    return " · ".join(md(x) for x in (first, doc.issuer, plan_date(plan, lang)))


def plan_short(plan: Any) -> str:
    """Number and place, for the diagram's nodes."""
    if plan is None:
        return ""
    return f"{plan.document.number or plan.document.kind} · {plan.jurisdiction.name}"


def small(text: str) -> str:
    return f"<sub>{text}</sub>"


def page_name(plan_id: str) -> str:
    """The file of a plan's page in ``--out-dir``: its id with the folder turned into a prefix.

    One id, one name: ``_`` is written ``_-`` and ``/`` is written ``__``, so ``hong__bang/x``
    and ``hong/bang__x`` never share a page (ids hold only letters, digits, ``._-/``).
    """
    escaped = "".join("_-" if ch == "_" else "__" if ch == "/" else ch for ch in plan_id)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", escaped)
    if len(name) > _MAX_PAGE_STEM:
        # file systems take names of at most 255 bytes: a long id keeps its start and a digest
        # of the whole id, so two long ids still never share a page
        digest = hashlib.sha256(plan_id.encode("utf-8")).hexdigest()[:16]
        name = f"{name[: _MAX_PAGE_STEM - 17]}-{digest}"
    return name + ".md"


# a page name's stem, well under the 255 bytes file systems allow (the ASCII of page_name), with
# room for the temporary name written beside it (fsutil.open_atomic)
_MAX_PAGE_STEM = 160


def target_atom(target: Target) -> list[Any]:
    """What the report shows of a target, as JSON data (see ATOM_FIELDS)."""
    bound = str(target.bound) if target.bound is not None else None
    src = target.source
    return [
        target.id,
        target.label,
        bound,
        target.unit,
        target.qualitative,
        target.strive,
        src.section,
        src.ref,
        src.line,
    ]


ATOM_FIELDS = ("id", "label", "bound", "unit", "qualitative", "strive", "section", "ref", "line")


def _target_text(atom: list[Any] | None, strive: str, lang: str = "en") -> str:
    if atom is None:
        return "—"
    _id, label, bound, unit_text, qualitative, strives = atom[:6]
    shown = f"`{bound}` {md(unit(unit_text, lang))}" if bound is not None else f"“{md(qualitative)}”"
    if strives:
        shown += f" ({strive})"
    return f"{md(label)}: {shown}"


def _source_ref(plan_id: str, atom: list[Any] | None) -> str:
    if atom is None:
        return ""
    target_id, section, ref, line = atom[0], atom[6], atom[7], atom[8]
    parts = [section]
    if ref:
        parts.append(ref)
    if line is not None:
        parts.append(f"L{line}")
    return md(f"{plan_id} {target_id}: " + ", ".join(parts))


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
    child_heading: str = ""  # the child's heading, written before its first edge


def _name(names: dict[str, str], status: str) -> str:
    return names.get(status, status)


def _severity(c: Comparison, status: str, indicator: Indicator | None) -> float:
    """How far short a gap falls, to order gaps of one status: years late, or the relative
    shortfall of the worst value the child accepts."""
    if status == "later" and c.later_target is not None:
        return float(c.later_target.year - c.year)
    if status in ("weaker", "boundary") and indicator is not None and c.child_target is not None:
        child, parent = c.child_target.bound, c.parent_target.bound
        if child is None or parent is None:
            return 0.0
        ce, pe = worst_edge(child, indicator.direction), worst_edge(parent, indicator.direction)
        if ce.value is None or pe.value is None or pe.value == 0:
            return 1.0 if ce.value is None else 0.0
        return float(abs(pe.value - ce.value) / abs(pe.value))
    return 0.0


def child_heading(child: Any, lang: str) -> str:
    return f"## {plan_name(child.plan, lang)}\n\n{small(md(child.id))}\n\n"


class ComparisonRow(NamedTuple):
    """One comparison as the report shows it, before any language is chosen: plain data, which a
    check can cache for the report (see pipeline) so that a report after `validate` renders
    sections without comparing plans again."""

    status: str  # the comparison's own status; a waiver is applied when rendering
    indicator: str
    year: int
    severity: float  # how far short, for ``status`` (see _severity)
    reason: str
    via: str | None
    parent: list[Any]  # the parent target (target_atom)
    child: list[Any] | None  # the child's target, or the later one that reaches the level


def comparison_row(
    c: Comparison, indicators: dict[str, Indicator], parent: list[Any], child: list[Any] | None
) -> ComparisonRow:
    """``c`` as a row, given its targets' atoms."""
    severity = _severity(c, c.status, indicators.get(c.indicator))
    return ComparisonRow(c.status, c.indicator, c.year, severity, c.reason, c.via, parent, child)


def edge_rows(s: EdgeSummary, indicators: dict[str, Indicator] | None = None) -> list[ComparisonRow]:
    """The rows of one edge, in the order of its comparisons."""
    catalogue = indicators or {}
    rows = []
    for c in s.comparisons:
        shown = c.child_target or c.later_target
        child = target_atom(shown) if shown is not None else None
        rows.append(comparison_row(c, catalogue, target_atom(c.parent_target), child))
    return rows


def edge_report(
    s: EdgeSummary, lang: str, *, render: bool = True, indicators: dict[str, Indicator] | None = None
) -> EdgeReport:
    """The edge's figures, and with ``render`` its section (`plancheck tree` needs only figures)."""
    if not render:
        return EdgeReport(s.child.id or "", s.parent.id or "", dict(s.counts), s.worst, [], "")
    rows = edge_rows(s, indicators)
    return render_edge(s.child, s.parent, rows, s.task_findings, s.waived, lang, indicators=indicators)


def render_edge(
    child: LoadedPlan,
    parent: LoadedPlan,
    rows: list[ComparisonRow],
    task_findings: list[Finding],
    waived: dict[tuple[str, int], str],
    lang: str,
    *,
    render: bool = True,
    indicators: dict[str, Indicator] | None = None,
) -> EdgeReport:
    """An edge's report from its rows, the findings reported on it (tasks, waivers) and the two
    plans' summaries (their documents name them; targets and tasks are not needed)."""

    def status_of(r: ComparisonRow) -> str:
        return "waived" if r.status in GAP_STATUSES and (r.indicator, r.year) in waived else r.status

    def severity(r: ComparisonRow) -> float:
        # a waived gap is no longer short of anything
        return r.severity if status_of(r) == r.status else 0.0

    counts = Counter(status_of(r) for r in rows)
    if not render:
        return EdgeReport(child.id or "", parent.id or "", dict(counts), worst_status(counts), [], "")
    t = TEXT[lang]
    names = STATUS_NAMES[lang]
    catalogue = indicators or {}
    gaps: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    met: list[dict[str, Any]] = []
    gap_rows = []
    hidden = 0
    name_key = "name_vi" if lang == "vi" else "name_en"

    def order(r: ComparisonRow) -> tuple[Any, ...]:
        return (weight(status_of(r)), -severity(r), r.indicator, r.year, r.parent[0])

    for r in sorted(rows, key=order):
        status = status_of(r)
        if status in HIDDEN:
            hidden += 1
            continue
        indicator = catalogue.get(r.indicator)
        label = md(getattr(indicator, name_key)) if indicator is not None else md(r.indicator)
        row = {
            "indicator": f"{label} {small(md(r.indicator))}" if indicator is not None else label,
            "year": r.year,
            "parent": _target_text(r.parent, t["strive"], lang),
            "child": _target_text(r.child, t["strive"], lang),
            "status": _name(names, status),
            "status_key": status,
            "reason": (
                md(reason(r.reason, status, lang))
                if status != "waived"
                else md(waived.get((r.indicator, r.year), ""))
            )
            # a status reached through a catalogue relation names both indicators
            + (f" ({md(r.via)} ⊇ {md(r.indicator)})" if r.via else ""),
            "sources": " · ".join(
                x
                for x in (
                    # a stand-in's target is cited in the plan it comes from
                    _source_ref(parent.stand_in or parent.id or "", r.parent),
                    _source_ref(child.id or "", r.child),
                )
                if x
            ),
        }
        if status in GAP_STATUSES:
            gaps.append(row)
            gap_rows.append(
                {
                    **row,
                    "severity": severity(r),
                    "child_plan": md(child.id),
                    "parent_plan": md(parent.id),
                    "child_name": md(plan_short(child.plan)),
                    "parent_name": md(plan_short(parent.plan)),
                }
            )
        elif status in FOLDED_MET:
            met.append(row)
        else:
            other.append(row)
    stand_in = []
    child_from = child.plan.document.targets_from if child.plan is not None else None
    if child_from is not None:
        stand_in.append(t["child_stand_in"].format(plan=md(child_from.plan)))
    parent_from = parent.plan.document.targets_from if parent.plan is not None else None
    if parent_from is not None and parent.stand_in is not None:
        stand_in.append(
            t["parent_stand_in"].format(
                parent=md(parent.id), plan=md(parent_from.plan), reason=md(parent_from.reason.rstrip("."))
            )
        )
    section = {
        "stand_in": " ".join(stand_in),
        "child_stands_in": child_from is not None,
        "child": md(child.id),
        "parent": md(parent.id),
        "parent_name": plan_name(parent.plan, lang),
        "counts": ", ".join(f"{counts[k]} {_name(names, k)}" for k in ranked(counts) if counts.get(k)),
        "gaps": gaps,
        "other": other,
        "met": met,
        "hidden": hidden,
        "tasks": [
            {
                "message": md(f.message),
                "where": md(f"{f.path}:{f.line}"),
                "status": names.get(f.status or "later", f.status or ""),
            }
            for f in task_findings
        ],
    }
    text = _normalise(_template("report-section.md.j2").render(t=t, s=section))
    return EdgeReport(
        child.id or "",
        parent.id or "",
        dict(counts),
        worst_status(counts),
        gap_rows,
        text,
        child_heading(child, lang),
    )


class ReportWriter:
    """Assembles the report from edge reports given in order, writing sections as they come.

    At national scale the sections are hundreds of megabytes: they go to ``sections`` (a file)
    as they arrive, and only the summary's figures are kept in memory. With ``pages`` (a folder,
    `report --out-dir`) each child plan's sections go to a page of their own instead.
    """

    WORST_SHOWN = 15

    def __init__(
        self,
        ps: PlanSet,
        lang: str,
        as_of: dt.date,
        only: set[str] | None,
        sections: TextIO,
        pages: Path | None = None,
    ):
        if lang not in LANGS:
            raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGS)}")
        self.ps, self.lang, self.as_of, self.only, self.sections = ps, lang, as_of, only, sections
        self.pages = pages
        self.totals: Counter[str] = Counter()
        self.worst_rows: list[dict[str, Any]] = []
        self.gap_count = 0
        self.links: list[tuple[str, str, dict[str, int], str]] = []
        # (child id, bytes of its sections, gaps) in the order written: where a bounded
        # single-file report may stop, and the index of `--out-dir`
        self.children: list[tuple[str, int, int]] = []
        self._page: io.TextIOWrapper | None = None
        self._page_file: contextlib.ExitStack | None = None
        # each child's page, told apart where a file system ignores case (ids may differ by case)
        self.page_names: dict[str, str] = {}
        self._used_names: set[str] = set()

    def add(self, er: EdgeReport) -> None:
        self.totals.update(er.counts)
        self.links.append((er.child, er.parent, er.counts, er.worst))
        self.gap_count += len(er.gap_rows)
        self.worst_rows = sorted([*self.worst_rows, *er.gap_rows], key=_worst_key)[: self.WORST_SHOWN]
        text = er.section
        if not self.children or self.children[-1][0] != er.child:
            self._start_page(er.child)
            self.children.append((er.child, 0, 0))
            text = er.child_heading + text
        child, size, gaps = self.children[-1]
        self.children[-1] = (child, size + len(text.encode("utf-8")), gaps + len(er.gap_rows))
        (self._page or self.sections).write(text)

    def _start_page(self, child: str) -> None:
        if self.pages is None:
            return
        self.close()
        name = page_name(child)
        here = self.pages / name
        if name.casefold() in self._used_names or (here.is_dir() and not here.is_symlink()):
            name = f"{name[:-3]}-{hashlib.sha256(child.encode()).hexdigest()[:10]}.md"
        self._used_names.add(name.casefold())
        self.page_names[child] = name
        # written to a temporary file renamed into place when complete: a run ended by a signal
        # leaves no half page (fsutil.discard_pending), and a link planted as a page is
        # replaced, never written through
        stack = contextlib.ExitStack()
        raw = stack.enter_context(open_atomic(self.pages / name, follow=False))
        page = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        page.write(f"[{TEXT[self.lang]['back']}](index.md)\n\n")
        self._page, self._page_file = page, stack

    def close(self) -> None:
        if self._page is not None and self._page_file is not None:
            self._page.write(self._plan_tail(self.children[-1][0]))
            self._page.flush()
            self._page.detach()  # open_atomic closes the file, then renames it into place
            self._page_file.close()
            self._page, self._page_file = None, None

    def head(self) -> str:
        t = TEXT[self.lang]
        names = STATUS_NAMES[self.lang]
        ps, only = self.ps, self.only
        ids = {pid: f"p{i}" for i, pid in enumerate(sorted(ps.plans))}
        shown = sorted({pid for link in self.links for pid in link[:2]})
        nodes = [{"id": ids[pid], "label": mermaid_label(plan_short(ps.plans[pid].plan))} for pid in shown]
        links = []
        for child, parent, counts, _worst in self.links:
            gaps = sum(counts.get(k, 0) for k in GAP_STATUSES)
            compared = sum(n for k, n in counts.items() if k not in HIDDEN)
            colour, _ = share_colour(gaps, compared)
            pct = f" · {round(100 * gaps / compared)}%" if compared else ""
            links.append(
                {
                    "from": ids[child],
                    "to": ids[parent],
                    # no parent target compared: a share would claim what nobody checked
                    "label": mermaid_label(
                        t["share"].format(gaps=gaps, total=compared) + pct
                        if compared
                        else t["nothing_compared"]
                    ),
                    "colour": colour,
                }
            )
        legend = [
            {"mark": mark, "text": _share_range(i)} for i, (_, _colour, mark) in enumerate(SHARE_SCALE)
        ] + [{"mark": NONE_COMPARED[1], "text": t["legend_none"]}]
        totals = self.totals
        context = {
            "t": t,
            "lang": self.lang,
            "version": __version__,
            "as_of": self.as_of.isoformat(),
            "plans": len([p for p in ps.plans if not only or p in only]),
            "edges": len(self.links),
            "status_totals": [
                {"name": _name(names, k), "count": totals[k]} for k in ranked(totals) if totals[k]
            ],
            "total": sum(totals.values()),
            "gap_total": sum(totals.get(k, 0) for k in GAP_STATUSES),
            "worst": self.worst_rows,
            "worst_more": max(0, self.gap_count - self.WORST_SHOWN),
            "diagram": len(links) <= MERMAID_MAX_EDGES,
            "too_big": t["diagram_too_big"].format(n=len(links)),
            "nodes": nodes,
            "links": links,
            "legend": legend,
            "index": [
                {
                    "name": plan_name(ps.plans[child].plan, self.lang),
                    "id": md(child),
                    "page": self.page_names.get(child, page_name(child)),
                    "gaps": gaps,
                }
                for child, _, gaps in self.children
            ]
            if self.pages is not None
            else [],
        }
        return _normalise(_template("report-head.md.j2").render(**context))

    def _waivers_and_caveats(self, plan_ids: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        t = TEXT[self.lang]
        waivers = []
        caveats = []
        for plan_id in plan_ids:
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
                        "plan": plan_name(plan, self.lang),
                        "id": md(plan_id),
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
        return waivers, caveats

    def _render_tail(self, plan_ids: list[str], limit: int | None = None, whole: bool = False) -> str:
        waivers, caveats = self._waivers_and_caveats(plan_ids)
        # the plan files left out because of errors, when the report is about the whole tree
        left_out = [md(path) for path in left_out_files(self.ps)] if whole and not self.only else []
        more = 0
        if limit is not None:
            more = max(0, len(waivers) - limit) + max(0, len(caveats) - limit)
            waivers, caveats = waivers[:limit], caveats[:limit]
        return _normalise(
            _template("report-tail.md.j2").render(
                t=TEXT[self.lang],
                lang=self.lang,
                waivers=waivers,
                caveats=caveats,
                more=more,
                left_out=left_out,
            )
        )

    def _plan_tail(self, plan_id: str) -> str:
        return self._render_tail([plan_id])

    def tail(self, limit: int | None = None) -> str:
        ids = [p for p in sorted(self.ps.plans) if not self.only or p in self.only]
        if self.pages is not None:  # each page carries its own plan's; the index the rest
            written = {c for c, _, _ in self.children}
            ids = [p for p in ids if p not in written]
        from plancheck.check.coverage import compute
        from plancheck.report.coverage import render_markdown
        from plancheck.reporters.progress_md import render_progress  # it imports this module

        plans = {pid: lp.plan for pid, lp in self.ps.plans.items() if lp.plan is not None}
        # a report bounded in size keeps the coverage totals; `plancheck coverage` has the tables
        coverage = render_markdown(compute(plans), self.lang, brief=limit is not None)
        progress = render_progress(self.ps, self.lang, self.as_of, self.only)
        return coverage + progress + self._render_tail(ids, limit, whole=True)

    def write(self, out: TextIO, max_bytes: int = 0) -> None:
        """Head, sections and tail to ``out``; with ``max_bytes`` (at least MIN_MAX_BYTES), at
        most that many bytes in all.

        When all of it does not fit, the tail is shortened (TAIL_ROWS_BOUNDED) and then kept in
        parts, each from its ``##`` heading: the head's parts (summary, hierarchy), then the
        tail's (coverage, progress, waivers, caveats) while they fit, then whole plans' sections.
        What is left out is named, with the hint to use ``--out-dir``.
        """
        t = TEXT[self.lang]
        head = self.head()
        if max_bytes <= 0:
            out.write(head)
            self.sections.seek(0)
            shutil.copyfileobj(self.sections, out)
            out.write(self.tail())
            return
        sections_size = sum(size for _child, size, _gaps in self.children)
        tail = self.tail()
        if _bytes(head) + sections_size + _bytes(tail) <= max_bytes:
            out.write(head)
            self.sections.seek(0)
            shutil.copyfileobj(self.sections, out)
            out.write(tail)
            return
        tail = self.tail(limit=TAIL_ROWS_BOUNDED)  # it does not fit: the bounded tail first
        head_parts, tail_parts = _parts(head), _parts(tail)
        # room for the notices at their longest: every plan and every part left out
        many = 10 ** len(str(len(head) + len(tail)))  # more subsections than any part has
        every = [
            t["truncated_in_part"].format(name=name or "…", n=many, total=many)
            for name, _ in head_parts + tail_parts
        ]
        budget = max_bytes - _bytes(self._cut_notice(max_bytes, len(self.children), every))
        kept_head, left_head, budget = _fit(head_parts, budget, self.lang)
        kept_tail, left_tail, budget = _fit(tail_parts, budget, self.lang)
        keep = 0
        shown = 0
        for _child, size, _gaps in self.children:
            if keep + size > budget:
                break
            keep += size
            shown += 1
        out.write(kept_head)
        self.sections.seek(0)
        _copy_bytes(self.sections, out, keep)
        left = len(self.children) - shown
        if left:
            out.write("> " + t["truncated"].format(size=_size(max_bytes), n=left) + "\n\n")
        out.write(kept_tail)
        if left_head or left_tail:
            parts = ", ".join(left_head + left_tail)
            out.write("\n> " + t["truncated_parts"].format(size=_size(max_bytes), parts=parts) + "\n")

    def _cut_notice(self, max_bytes: int, plans: int, parts: list[str]) -> str:
        t = TEXT[self.lang]
        size = _size(max_bytes)
        return (
            "> " + t["truncated"].format(size=size, n=plans) + "\n\n"
            "\n> " + t["truncated_parts"].format(size=size, parts=", ".join(parts)) + "\n"
        )


TAIL_ROWS_BOUNDED = 200


def _copy_bytes(src: TextIO, out: TextIO, size: int) -> None:
    """Copy the first ``size`` bytes (UTF-8) of ``src``, which ends at a section's end."""
    while size > 0:
        line = src.readline()
        if not line:
            return
        out.write(line)
        size -= len(line.encode("utf-8"))


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} kB"


def _share_range(i: int) -> str:
    upper = SHARE_SCALE[i][0]
    if i == 0:
        return "0%"
    lower = SHARE_SCALE[i - 1][0]
    return f"{round(lower * 100)}–{round(upper * 100)}%"


MIN_MAX_BYTES = 2000  # room for the notice of what a bounded report leaves out


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def _parts(text: str, level: str = "## ") -> list[tuple[str, str]]:
    """``text`` cut before each heading of ``level``, as (heading, part); the parts join to ``text``."""
    parts = re.split(f"(?m)^(?={level})", text)
    return [(part.split("\n", 1)[0].lstrip("#").strip(), part) for part in parts if part]


def _fit(parts: list[tuple[str, str]], budget: int, lang: str) -> tuple[str, list[str], int]:
    """The parts that fit in ``budget`` bytes, in order (one too large is skipped, the next may
    fit), the names of those left out, and the budget left. A part too large is kept in part
    when its ``###`` subsections can be (one plan's 600 notes leave the other plans' in)."""
    kept = []
    left = []
    for name, text in parts:
        size = _bytes(text)
        if size <= budget:
            kept.append(text)
            budget -= size
            continue
        subs = _parts(text, "### ")
        intro = subs[0][1]
        if len(subs) < 2 or intro.startswith("### ") or _bytes(intro) > budget:
            left.append(name or "…")
            continue
        kept.append(intro)
        budget -= _bytes(intro)
        dropped = 0
        for _sub, sub_text in subs[1:]:
            sub_size = _bytes(sub_text)
            if sub_size <= budget:
                kept.append(sub_text)
                budget -= sub_size
            else:
                dropped += 1
        left.append(TEXT[lang]["truncated_in_part"].format(name=name, n=dropped, total=len(subs) - 1))
    return "".join(kept), left, budget


def _worst_key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (
        weight(str(r["status_key"])),
        -float(r.get("severity", 0.0)),
        str(r["child_plan"]),
        str(r["parent_plan"]),
        str(r["indicator"]),
        str(r["year"]).zfill(4),
    )


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
        writer.add(edge_report(summary, lang, indicators=result.planset.indicators))
    out = io.StringIO()
    writer.write(out)
    return out.getvalue()
