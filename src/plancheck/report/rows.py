"""One child and parent in the gap report: the comparison rows, worst first, and their Markdown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple

from plancheck.check.algebra import worst_edge
from plancheck.check.status import GAP_STATUSES, Comparison
from plancheck.findings import Finding
from plancheck.load.plan import LoadedPlan
from plancheck.model import Indicator, Target
from plancheck.report.i18n import STATUS_NAMES, TEXT, reason, unit
from plancheck.report.mdtext import md, normalise, plan_name, plan_short, small, template
from plancheck.report.summary import EdgeSummary, worst_status

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


def share_colour(gaps: int, compared: int) -> tuple[str, str]:
    """The colour and legend mark of an edge with ``gaps`` gaps among ``compared`` targets."""
    if compared == 0:
        return NONE_COMPARED
    share = gaps / compared
    for upper, colour, mark in SHARE_SCALE:
        if share <= upper:
            return colour, mark
    return SHARE_SCALE[-1][1], SHARE_SCALE[-1][2]


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


def status_name(names: dict[str, str], status: str) -> str:
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
            "status": status_name(names, status),
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
        "counts": ", ".join(f"{counts[k]} {status_name(names, k)}" for k in ranked(counts) if counts.get(k)),
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
    text = normalise(template("report-section.md.j2").render(t=t, s=section))
    return EdgeReport(
        child.id or "",
        parent.id or "",
        dict(counts),
        worst_status(counts),
        gap_rows,
        text,
        child_heading(child, lang),
    )
