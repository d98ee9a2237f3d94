"""PC2xx: targets against parents — each parent target that applies must be met, in time."""

from __future__ import annotations

from collections.abc import Iterator

from plancheck.check.compliance import compare_plans
from plancheck.check.status import Comparison
from plancheck.findings import Finding
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.rules.base import Rule

FAMILY = "PC2"  # the prefix of the target rules' codes (waivers of them must name the indicator)


def _bound(target: object) -> str | None:
    bound = getattr(target, "bound", None)
    return str(bound) if bound is not None else None


def _describe(target: object) -> str:
    if target is None:
        return "nothing"
    bound = getattr(target, "bound", None)
    text = str(bound) if bound is not None else f"“{getattr(target, 'qualitative', '')}”"
    return f"{text} ({getattr(target, 'id', '')}, {getattr(target, 'year', '')})"


def comparison_finding(rule: Rule, child: LoadedPlan, c: Comparison, message: str) -> Finding:
    assert child.plan is not None
    located = c.child_target or c.later_target
    if located is not None and located._index >= 0:
        index = located._index
        line, col = child.pos("targets", index, "bound" if located.bound is not None else "qualitative")
    else:
        line, col = child.pos("targets", prefer_key=True)
        if ("targets",) not in child.loaded.key_positions:
            line, col = child.pos()
    return rule.finding(
        child.path,
        line,
        col,
        message,
        plan=child.id,
        ctx={
            "parent": c.parent,
            "indicator": c.indicator,
            "year": c.year,
            "child_bound": _bound(c.child_target) if c.child_target else _bound(c.later_target),
            "parent_bound": _bound(c.parent_target),
            "status": c.status,
            "parent_item": c.parent_target.id,
            "item": c.child_target.id if c.child_target else None,
            "reason": c.reason,
            **({"targets_from": c.table_of} if c.table_of is not None else {}),
            "via": c.via,
        },
    )


# What a finding says about one parent target, by its comparison status (not-applicable is
# one finding per parent, PC206, made by ``not_applicable``)
_MESSAGES = {
    "missing": "{ind} {year}: {parent} sets {pb}; this plan has no target for it ({reason})",
    "weaker": "{ind} {year}: {cb} is weaker than {pb} in {parent}",
    "boundary": "{ind} {year}: {cb} admits the boundary value that {pb} in {parent} excludes",
    "later": "{ind} {year}: {parent} sets {pb}; this plan {reason}",
    "not-comparable": "{ind} {year}: cannot compare with {pb} in {parent}: {reason}",
    "unverifiable": "{ind} {year}: {parent} sets {pb}; cannot be checked: {reason}",
    "softened": "{ind} {year}: {parent} sets {pb} as a firm target; this plan only strives for {cb}",
}


def not_applicable(child: LoadedPlan, parent: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    """One finding per child and parent, listing every parent target that does not apply.

    One per target would be tens of thousands of lines for a national tree of communes, all
    saying the same thing; the report still counts each target.
    """
    assert child.plan is not None
    skipped = [c for c in compare_plans(child, parent, ps) if c.status == "not-applicable"]
    if not skipped:
        return
    names = sorted({c.indicator for c in skipped})
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    cited = parent.cited_id
    index = child.plan.implements.index(cited) if cited in child.plan.implements else 0
    line, col = child.pos("implements", index)
    yield TARGET_NOT_APPLICABLE.finding(
        child.path,
        line,
        col,
        f"{len(skipped)} target{'s' if len(skipped) != 1 else ''} of {parent.id} do{'es' if len(skipped) == 1 else ''} not apply at {child.plan.jurisdiction.level} level: {shown}",
        plan=child.id,
        ctx={"parent": parent.id, "status": "not-applicable", "indicators": names, "targets": len(skipped)},
    )


def compared_targets(child: LoadedPlan, parent: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    """One finding per parent target whose comparison with the child is a finding (PC20x)."""
    for c in compare_plans(child, parent, ps):
        template = _MESSAGES.get(c.status)
        if template is None:
            continue
        message = template.format(
            ind=c.indicator,
            year=c.year,
            parent=c.parent_named,
            pb=_describe(c.parent_target),
            cb=_describe(c.child_target),
            reason=c.reason,
        )
        yield comparison_finding(REPORTED_BY[c.status], child, c, message)


_EX = "# parent national/57-NQ-TW: digital-economy-share 2030 '>= 30'\ntargets:\n"

TARGET_MISSING = Rule(
    code="PC201",
    name="target-missing",
    severity="gap",
    scope="edge",
    summary="A parent sets a target on an indicator that applies to this plan, and this plan has no target "
    "on that indicator for that year (an earlier year counts only for indicators that move one way, "
    "or targets that recur every year; a later target that reaches the level is PC204).",
    why="Each lower plan must carry every applicable parent target; an omitted one is the commonest gap.",
    example=_EX + "  - {id: t1, indicator: online-public-service-usage, year: 2030, bound: '> 80', ...}",
    instead=_EX + "  - {id: t2, indicator: digital-economy-share, year: 2030, bound: '>= 30', ...}",
    check=compared_targets,
    emits=("PC201", "PC202", "PC203", "PC204", "PC205", "PC207", "PC208"),
)

TARGET_WEAKER = Rule(
    code="PC202",
    name="target-weaker",
    severity="gap",
    scope="edge",
    summary="This plan's bound admits values the parent's bound rejects (child `>= 30` against parent `>= 40`), "
    "for the same indicator and year.",
    why="Targets must be equal to or higher than the parent's (89-CTr/TU, I.2: 'bằng hoặc cao hơn').",
    example=_EX + "  - {id: t1, indicator: digital-economy-share, year: 2030, bound: '>= 25', ...}",
    instead=_EX + "  - {id: t1, indicator: digital-economy-share, year: 2030, bound: '>= 30', ...}",
)

TARGET_WEAKER_AT_BOUNDARY = Rule(
    code="PC203",
    name="target-weaker-at-boundary",
    severity="gap",
    scope="edge",
    summary="This plan's bound differs from the parent's only at the boundary: `>= 80` against `> 80`.",
    why="Often a transcription drift ('trên 80%' written as '≥ 80') rather than a real lowering; its own "
    "rule so it can carry its own severity.",
    example="# parent: online-public-service-usage 2030 '> 80'\ntargets:\n  - {bound: '>= 80', ...}",
    instead="targets:\n  - {bound: '> 80', ...}",
)

TARGET_LATER = Rule(
    code="PC204",
    name="target-later",
    severity="gap",
    scope="edge",
    summary="This plan reaches the parent's level for an indicator only in a later milestone year.",
    why="A deadline is part of the target: 40 % in 2035 does not meet 40 % by 2030.",
    example="# parent: digital-economy-share 2030 '>= 40'\ntargets:\n  - {year: 2030, bound: '>= 30'}\n"
    "  - {year: 2035, bound: '>= 40'}",
    instead="targets:\n  - {year: 2030, bound: '>= 40'}",
)

TARGET_NOT_COMPARABLE = Rule(
    code="PC205",
    name="target-not-comparable",
    severity="info",
    scope="edge",
    summary="The parent's target cannot be compared with this plan: a count between two jurisdictions (a "
    "ward's initiatives against its city's, whether or not the ward states a count); a "
    "qualitative target on one side; a target the plan states only on a closely related but "
    "different measure that the catalogue marks as `close_to` the parent's (the ward's 100 % of "
    "dossiers handled online against online-service use >= 80 %: the finding names the plan's "
    "target); or a parent aim that has no number, or whose year the parent does not state "
    "(`year_inferred`), and that the plan takes up as a task naming the indicator in `aims` "
    "(57-NQ/TW's reorganisation of S&T organisations, 03/NQ-CP task 79). A parent target with a "
    "number and a stated year stays missing when only a task takes it up: a task is not a figure.",
    why="Reported so an analyst can compare by hand; never counted as a gap. Whether a related measure "
    "or a task carries the parent's aim is a reading of both texts, on which independent readers "
    "split; a gap would assert one reading.",
    example="# ward: innovation-initiatives '10'; city: '60'",
    instead="# nothing to change: counts are compared only within one jurisdiction",
)

TARGET_NOT_APPLICABLE = Rule(
    code="PC206",
    name="target-not-applicable",
    severity="info",
    scope="edge",
    summary="Parent targets whose indicator does not apply at this plan's level (TFP contribution for a "
    "ward); one finding per child and parent lists them all.",
    why="The catalogue's `levels` say where an indicator makes sense as a target; never a gap.",
    example="# ward implementing 57-NQ/TW: tfp-contribution applies at national, province",
    instead="# nothing to change",
    check=not_applicable,
)

TARGET_UNVERIFIABLE = Rule(
    code="PC207",
    name="target-unverifiable",
    severity="info",
    scope="edge",
    summary="A parent target has no counterpart in this plan, and this plan declares (`elsewhere: [{items: "
    "targets, ...}]`, with the source line) that its specific targets are in an appendix the source "
    "text does not contain, so whether it carries the target cannot be checked. Also, with the "
    "reason 'reached earlier': this plan has no target for the year, but its last milestone before "
    "it already meets or exceeds the parent's level and no later target contradicts it, on an "
    "indicator the catalogue marks `not-kept` (the ward's 100 % of secondary schools with start-up "
    "clubs in 2040 against its city's 100 % in 2045).",
    why="What cannot be checked is not a gap: reporting it as missing would be a false finding every "
    "time the appendix does carry the target. Reported as information, with the reason, so an "
    "analyst can fetch the appendix. A level reached early may fall back, so it is not met; but "
    "most readers take it as kept, so it is not a gap either.",
    example="# 4354/KH-UBND line 37: 'chỉ tiêu cụ thể tại Phụ lục kèm theo' (appendix not in the text)\n"
    "targets: []\nelsewhere:\n  - {items: targets, where: Phụ lục kèm theo, label: '...', source: {section: II.2, line: 37}}",
    instead="# nothing to change; without the `elsewhere` entry each parent target would be a gap (PC201)",
)

TARGET_SOFTENED = Rule(
    code="PC208",
    name="target-softened",
    severity="warning",
    scope="edge",
    summary="The parent sets a firm target and this plan states the same level but only as an aspiration "
    "('phấn đấu', `strive: true`). Striving for a stronger level is not reported (a stretch goal "
    "above the parent's floor).",
    why="The number is kept but the commitment is not: 'bố trí ít nhất 3%' (57-NQ/TW) becomes 'phấn "
    "đấu bố trí 3%'. A warning rather than a gap because the level itself is not lowered; an "
    "analyst decides whether the wording matters.",
    example="# parent: st-budget-share 2025 '>= 3' (firm)\ntargets:\n  - {bound: '>= 3', strive: true, ...}",
    instead="targets:\n  - {bound: '>= 3', ...}",
)

RULES = [
    TARGET_MISSING,
    TARGET_WEAKER,
    TARGET_WEAKER_AT_BOUNDARY,
    TARGET_LATER,
    TARGET_NOT_COMPARABLE,
    TARGET_NOT_APPLICABLE,
    TARGET_UNVERIFIABLE,
    TARGET_SOFTENED,
]

# The rule that reports each status; meets and exceeds are counted in reports, never findings.
REPORTED_BY: dict[str, Rule] = {
    "missing": TARGET_MISSING,
    "weaker": TARGET_WEAKER,
    "boundary": TARGET_WEAKER_AT_BOUNDARY,
    "later": TARGET_LATER,
    "not-comparable": TARGET_NOT_COMPARABLE,
    "not-applicable": TARGET_NOT_APPLICABLE,
    "unverifiable": TARGET_UNVERIFIABLE,
    "softened": TARGET_SOFTENED,
}
