"""Run the selected rules over a loaded plan set; apply configuration, severities and waivers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from plancheck.config import Config
from plancheck.findings import SEVERITY_ORDER, Finding, sort_findings
from plancheck.planset import PlanSet
from plancheck.rules.registry import RULES


@dataclass
class Result:
    findings: list[Finding]
    planset: PlanSet
    requested: set[str]
    suppressed: int = 0  # findings dropped by select/ignore
    counts: dict[str, int] = field(default_factory=dict)

    def at_or_above(self, threshold: str) -> list[Finding]:
        level = SEVERITY_ORDER[threshold]
        return [f for f in self.findings if f.waived is None and SEVERITY_ORDER[f.severity] >= level]


def _raw_findings(ps: PlanSet, config: Config) -> Iterable[Finding]:
    yield from ps.findings
    enabled = [rule for rule in RULES.values() if rule.check is not None and config.enabled(rule.code)]
    plan_rules = [r for r in enabled if r.scope == "plan"]
    edge_rules = [r for r in enabled if r.scope == "edge"]
    # child by child, so that what the rules of one child share (comparisons, indexes in
    # ps.memo) can be dropped before the next: a national tree has thousands of children
    for plan_id in sorted(ps.plans):
        lp = ps.plans[plan_id]
        for rule in plan_rules:
            yield from rule.check(lp, ps)
        for parent in ps.parents(lp):
            for rule in edge_rules:
                yield from rule.check(lp, parent, ps)
        ps.forget(plan_id)
    for rule in enabled:
        if rule.scope == "tree":
            yield from rule.check(ps)


def _apply_waivers(findings: list[Finding], ps: PlanSet, config: Config) -> list[Finding]:
    """Mark waived findings (never drop them) and report waivers that cover nothing."""
    out: list[Finding] = []
    used: set[tuple[str, int]] = set()
    for finding in findings:
        lp = ps.plans.get(finding.plan) if finding.plan else None
        if lp is not None and lp.plan is not None and lp.plan.waivers:
            for index, waiver in enumerate(lp.plan.waivers):
                if waiver.rule != finding.code:
                    continue
                if waiver.parent is not None and waiver.parent != finding.ctx.get("parent"):
                    continue
                if (
                    waiver.indicator is not None
                    and waiver.indicator != finding.ctx.get("indicator")
                    and (waiver.indicator not in finding.ctx.get("indicators", ()))
                ):
                    continue
                if waiver.year is not None and waiver.year != finding.ctx.get("year"):
                    continue
                if waiver.task is not None and waiver.task != finding.ctx.get("item"):
                    continue
                used.add((lp.plan.id, index))
                finding = finding.with_(waived=f"{waiver.reason} (approved by {waiver.approved_by})")
                break
        out.append(finding)
    if config.enabled("PC406"):
        for lp in ps.plans.values():
            assert lp.plan is not None
            for index, waiver in enumerate(lp.plan.waivers):
                # a waiver of a rule that did not run this time cannot be judged unused
                if (lp.plan.id, index) not in used and config.enabled(waiver.rule):
                    line, col = lp.pos("waivers", index)
                    out.append(
                        Finding.make(
                            "PC406",
                            lp.path,
                            line,
                            col,
                            f"waiver of {waiver.rule} covers no finding; remove it or narrow what it names",
                            plan=lp.id,
                            ctx={"rule": waiver.rule},
                            severity=config.severity_of("PC406", RULES["PC406"].severity),
                        )
                    )
    return out


def run(ps: PlanSet, requested: set[str], config: Config) -> Result:
    findings: list[Finding] = []
    suppressed = 0
    for finding in _raw_findings(ps, config):
        if not config.enabled(finding.code):
            suppressed += 1
            continue
        severity = config.severity_of(finding.code, finding.severity)
        if severity != finding.severity:
            finding = finding.with_(severity=severity)
        findings.append(finding)
    if "PC406" in RULES:
        findings = _apply_waivers(findings, ps, config)
    shown = [f for f in findings if f.path in requested]
    # identical findings from overlapping paths are reported once
    unique = list(dict.fromkeys(sort_findings(shown)))
    counts: dict[str, int] = {}
    for finding in unique:
        key = "waived" if finding.waived else finding.severity
        counts[key] = counts.get(key, 0) + 1
    return Result(findings=unique, planset=ps, requested=requested, suppressed=suppressed, counts=counts)
