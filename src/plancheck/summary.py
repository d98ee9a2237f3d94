"""Per-edge comparison summaries shared by `plancheck tree` and the gap report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from plancheck.compliance import GAP_STATUSES, STATUS_ORDER, Comparison, compare_plans
from plancheck.engine import Result
from plancheck.findings import Finding
from plancheck.planset import LoadedPlan, PlanSet


@dataclass
class EdgeSummary:
    child: LoadedPlan
    parent: LoadedPlan
    comparisons: list[Comparison]
    task_findings: list[Finding] = field(default_factory=list)  # PC301, PC302 for this edge
    waived: dict[tuple[str, int], str] = field(default_factory=dict)  # (indicator, year) -> reason

    def status_of(self, c: Comparison) -> str:
        if (c.indicator, c.year) in self.waived and c.status in GAP_STATUSES:
            return "waived"
        return c.status

    def waived_reason(self, c: Comparison) -> str:
        return self.waived.get((c.indicator, c.year), "")

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.status_of(c) for c in self.comparisons)

    @property
    def worst(self) -> str:
        counts = self.counts
        for status in (*STATUS_ORDER[:4], "waived", *STATUS_ORDER[4:]):
            if counts.get(status):
                return status
        return "meets"


def edges(ps: PlanSet, result: Result | None = None, only: set[str] | None = None) -> list[EdgeSummary]:
    """Every (child, parent) edge in id order, with comparisons and edge-level task findings."""
    by_plan: dict[str | None, list[Finding]] = {}
    for f in result.findings if result is not None else []:
        by_plan.setdefault(f.plan, []).append(f)
    out: list[EdgeSummary] = []
    for child_id in sorted(ps.plans):
        if only and child_id not in only:
            continue
        child = ps.plans[child_id]
        out.extend(child_edges(child, ps.parents(child), ps, by_plan.get(child_id, [])))
    return out


def child_edges(
    child: LoadedPlan, parents: list[LoadedPlan], ps: PlanSet, findings: list[Finding]
) -> list[EdgeSummary]:
    """The edges of one child, given the (configured, waived) findings reported for it."""
    out = []
    for parent in parents:
        summary = EdgeSummary(child, parent, compare_plans(child, parent, ps))
        for f in findings:
            if f.plan != child.id or f.ctx.get("parent") != parent.id:
                continue
            if f.code in ("PC301", "PC302"):
                summary.task_findings.append(f)
            if f.waived and f.ctx.get("indicator") is not None:
                summary.waived[(str(f.ctx["indicator"]), int(f.ctx["year"]))] = f.waived
        out.append(summary)
    return out
