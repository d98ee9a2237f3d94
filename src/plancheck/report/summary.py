"""Per-edge comparison summaries shared by `plancheck tree` and the gap report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from plancheck.check.compliance import compare_plans
from plancheck.check.result import Result
from plancheck.check.status import GAP_STATUSES, STATUS_ORDER, Comparison
from plancheck.findings import Finding
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.rules.tasks import PLAN_ISSUED_LATE, TASK_DUE_AFTER_PARENT


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
        return worst_status(self.counts)


def worst_status(counts: Mapping[str, int]) -> str:
    """The worst status among an edge's counts (a waived gap ranks after the gaps)."""
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
        tasks, waived = edge_findings(child.id, parent.id, findings)
        out.append(EdgeSummary(child, parent, compare_plans(child, parent, ps), tasks, waived))
    return out


def edge_findings(
    child: str | None, parent: str | None, findings: list[Finding]
) -> tuple[list[Finding], dict[tuple[str, int], str]]:
    """Of the findings reported for a child, the task findings (PC301, PC302) of its edge to
    ``parent``, and the gaps on that edge a waiver covers ((indicator, year) -> reason)."""
    tasks: list[Finding] = []
    waived: dict[tuple[str, int], str] = {}
    for f in findings:
        if f.plan != child or f.ctx.get("parent") != parent:
            continue
        if f.code in (TASK_DUE_AFTER_PARENT.code, PLAN_ISSUED_LATE.code):
            tasks.append(f)
        if f.waived and f.ctx.get("indicator") is not None:
            waived[(str(f.ctx["indicator"]), int(f.ctx["year"]))] = f.waived
    return tasks, waived
