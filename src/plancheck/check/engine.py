"""Run the selected rules over a loaded plan set; apply configuration, severities and waivers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from plancheck.check.result import Result
from plancheck.config import Config
from plancheck.findings import Finding, sort_findings
from plancheck.hints import did_you_mean
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.model import Waiver
from plancheck.rules import targets, tasks
from plancheck.rules.consistency import UNUSED_WAIVER
from plancheck.rules.references import UNKNOWN_PARENT
from plancheck.rules.registry import RULES, guarded

_CHECKED = [rule for rule in RULES.values() if rule.check is not None]
PLAN_RULES = [r for r in _CHECKED if r.scope == "plan"]
EDGE_RULES = [r for r in _CHECKED if r.scope == "edge"]
TREE_RULES = [r for r in _CHECKED if r.scope == "tree"]


def child_findings(lp: LoadedPlan, parents: list[LoadedPlan], ps: PlanSet) -> Iterator[Finding]:
    """Every plan rule on ``lp`` and every edge rule against each of its ``parents``.

    All rules run whatever the configuration (select, ignore) says, which is applied afterwards:
    the result depends on the plan, its parents, the catalogue and the sources only, so it can be
    cached and computed in another process.
    """
    for rule in PLAN_RULES:
        yield from rule.check(lp, ps)
    for parent in parents:
        for rule in EDGE_RULES:
            yield from rule.check(lp, parent, ps)
    # what the rules of one child share (comparisons, indexes in ps.memo) goes before the next
    if lp.id is not None:
        ps.forget(lp.id)


def tree_findings(ps: PlanSet) -> Iterator[Finding]:
    for rule in TREE_RULES:
        yield from rule.check(ps)


def _raw_findings(ps: PlanSet) -> Iterator[Finding]:
    yield from ps.findings
    for plan_id in sorted(ps.plans):
        lp = ps.plans[plan_id]
        yield from child_findings(lp, ps.parents(lp), ps)
    yield from tree_findings(ps)


def waivable(code: str) -> bool:
    """Input, schema and reference findings (PC0xx, PC1xx) and encoding errors are never waived.

    A waiver says a parent's target or task does not apply to a plan. These findings say the
    encoding itself is broken or cannot be trusted (which file is the plan, whom it implements,
    whether it implements anything, a share above 100 %): a waiver written in that same encoding
    cannot vouch for it (see ``registry.guarded``).
    """
    return not guarded(code)


def _names_nothing(waiver: Waiver) -> bool:
    """A waiver too broad to be an exception: it names nothing, or for a target rule (PC2xx) no
    indicator, or for a task rule other than the plan's own issue date (PC302) no task. Such a
    waiver would hide every future finding of its rule against a whole parent."""
    if waiver.parent is None and waiver.indicator is None and waiver.task is None:
        return True
    if waiver.rule.startswith(targets.FAMILY):
        return waiver.indicator is None
    if waiver.rule.startswith(tasks.FAMILY) and waiver.rule != tasks.PLAN_ISSUED_LATE.code:
        return waiver.task is None
    return False


def _apply_waivers(findings: list[Finding], ps: PlanSet, config: Config) -> list[Finding]:
    """Mark waived findings (never drop them) and report waivers that cover nothing.

    A waiver covers findings of its own file only: another file that claims the same plan id
    (a copy, an impostor) is not the plan whose authors approved the waiver.
    """
    out: list[Finding] = []
    used: set[tuple[str, int]] = set()
    for finding in findings:
        lp = ps.plans.get(finding.plan) if finding.plan else None
        if (
            lp is not None
            and lp.plan is not None
            and lp.plan.waivers
            and finding.path == lp.path
            and waivable(finding.code)
        ):
            for index, waiver in enumerate(lp.plan.waivers):
                if waiver.rule != finding.code or _names_nothing(waiver):
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
    if config.enabled(UNUSED_WAIVER.code):
        for lp in ps.plans.values():
            assert lp.plan is not None
            for index, waiver in enumerate(lp.plan.waivers):
                if not waivable(waiver.rule):
                    message = (
                        f"waiver of {waiver.rule} has no effect: input, schema and reference findings "
                        "(PC0xx, PC1xx) and rules whose default severity is error are never waived; fix "
                        "what it finds instead"
                    )
                elif _names_nothing(waiver):
                    message = (
                        f"waiver of {waiver.rule} is too broad, so it covers nothing: it must name the "
                        "indicator (target rules) or the task (task rules) it waives; a waiver of a whole rule "
                        "would hide every future finding of it"
                    )
                # a waiver of a rule that did not run this time cannot be judged unused
                elif (lp.plan.id, index) not in used and config.enabled(waiver.rule):
                    message = f"waiver of {waiver.rule} covers no finding; remove it or narrow what it names"
                else:
                    continue
                line, col = lp.pos("waivers", index)
                out.append(
                    UNUSED_WAIVER.finding(
                        lp.path,
                        line,
                        col,
                        message,
                        plan=lp.id,
                        ctx={"rule": waiver.rule},
                        severity=config.severity_of(UNUSED_WAIVER.code, UNUSED_WAIVER.severity),
                    )
                )
    return out


def run(ps: PlanSet, requested: set[str], config: Config) -> Result:
    """Check a plan set held in memory (the gap report, `tree`, and small trees)."""
    return finish(_raw_findings(ps), ps, requested, config)


def finish(raw: Iterable[Finding], ps: PlanSet, requested: set[str], config: Config) -> Result:
    """Apply the configuration and waivers to raw findings; keep those of the requested files."""
    findings: list[Finding] = []
    suppressed = 0
    # progress (PC6xx) depends on the as-of date and results/, never on one plan: not cached
    results = ps.root.parent / "results" if ps.root is not None else None  # progress.RESULTS_DIR
    if results is not None and (results.is_dir() or results.is_symlink()):  # a link is reported
        from plancheck.check.progress import prepare
        from plancheck.rules.progress import progress_findings

        progress = prepare(ps, config.as_of, config.max_file_size)
        if progress is not None:
            raw = chain(raw, progress_findings(progress))
            # the results files are shown whenever they are read, like a broken catalogue
            requested = requested | set(progress.results.files)
    for finding in raw:
        if not config.enabled(finding.code):
            suppressed += 1
            continue
        severity = config.severity_of(finding.code, finding.severity)
        if severity != finding.severity:
            finding = finding.with_(severity=severity)
        findings.append(finding)
    findings, not_compared = _unknown_parents(findings, ps)
    findings = _apply_waivers(findings, ps, config)
    shown = [f for f in findings if f.path in requested]
    # identical findings from overlapping paths are reported once
    unique = list(dict.fromkeys(sort_findings(shown)))
    counts: dict[str, int] = {}
    for finding in unique:
        key = "waived" if finding.waived else finding.severity
        counts[key] = counts.get(key, 0) + 1
    return Result(
        findings=unique,
        planset=ps,
        requested=requested,
        suppressed=suppressed,
        counts=counts,
        not_compared=not_compared,
    )


def _unknown_parents(findings: list[Finding], ps: PlanSet) -> tuple[list[Finding], int]:
    """PC105 said with what the whole tree knows (a worker sees only a plan and its parents): a
    parent whose file has errors is named as such, not as "no plan has that id", and an id
    that is only misspelt gets a "did you mean"."""
    broken = {lp.expected_id: lp.path for lp in ps.files if lp.plan is None and lp.expected_id}
    out: list[Finding] = []
    not_compared = 0
    for f in findings:
        parent = f.ctx.get("parent") if f.code == UNKNOWN_PARENT.code else None
        if isinstance(parent, str) and parent not in ps.plans:
            if parent in broken:
                not_compared += 1
                f = f.with_(
                    message=f"implements {parent!r}, whose file {broken[parent]} has errors: this plan is "
                    "not compared with it until they are fixed",
                    ctx={**f.ctx, "parent_has_errors": True},
                )
            else:
                f = f.with_(message=f.message + did_you_mean(parent, ps.plans))
        out.append(f)
    return out, not_compared
