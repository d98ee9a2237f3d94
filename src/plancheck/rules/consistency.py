"""PC4xx: consistency inside one plan."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from plancheck.check.algebra import compare_bounds
from plancheck.findings import Finding
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.model import Target
from plancheck.rules.base import Rule


def _at(lp: LoadedPlan, target: Target, key: str = "bound") -> tuple[int, int]:
    return lp.pos("targets", target._index, key)


def _numbers(target: Target) -> tuple[object, ...] | None:
    """The figures a target states: the number (a range's two ends), without its comparator."""
    if target.bound is None:
        return None
    return (target.bound.value, target.bound.high)


def _disagree(a: Target, b: Target) -> bool:
    """Two targets state different figures. The same number with another comparator ('đạt 60%'
    beside '≥ 60%', '> 95%' beside '≥ 95%') is one commitment written two ways, and a qualitative
    statement beside a number or another text is not a contradiction a rule can decide."""
    first, second = _numbers(a), _numbers(b)
    return first is not None and second is not None and first != second


def conflicting_targets(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    assert lp.plan is not None
    groups: dict[tuple[str, int], list[Target]] = defaultdict(list)
    for target in lp.plan.targets:
        groups[(target.indicator, target.year)].append(target)
    for (indicator, year), targets in sorted(groups.items()):
        numeric = [t for t in targets if t.bound is not None]
        if not numeric:
            continue
        first = numeric[0]
        for other in numeric[1:]:
            if _disagree(first, other):
                first_text = (
                    str(first.bound) if first.bound is not None else f"“{(first.qualitative or '')[:60]}”"
                )
                other_text = (
                    str(other.bound) if other.bound is not None else f"“{(other.qualitative or '')[:60]}”"
                )
                yield CONFLICTING_TARGETS.finding(
                    lp.path,
                    *_at(lp, other, "bound" if other.bound is not None else "qualitative"),
                    f"{indicator} {year}: target {other.id} says {other_text} but {first.id} says {first_text}",
                    plan=lp.id,
                    ctx={"indicator": indicator, "year": year, "item": other.id, "other": first.id},
                )


def milestone_regression(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    assert lp.plan is not None
    # milestones are read within one table (one source section): 142/KH-UBND's Phụ lục 1 (2030)
    # and Phụ lục 2 (2025-2045) each run forward; a figure of one against the other's is PC401's
    by_indicator: dict[tuple[str, str], list[Target]] = defaultdict(list)
    for target in lp.plan.targets:
        if target.bound is not None:
            by_indicator[(target.indicator, target.source.section)].append(target)
    for (indicator_id, _section), targets in sorted(by_indicator.items()):
        indicator = ps.indicators.get(indicator_id)
        if indicator is None:
            continue
        ordered = sorted(targets, key=lambda t: (t.year, t.id))
        best: Target | None = None
        for target in ordered:
            assert target.bound is not None
            if best is not None and target.year > best.year:
                assert best.bound is not None
                if compare_bounds(target.bound, best.bound, indicator.direction) in ("weaker", "boundary"):
                    yield MILESTONE_REGRESSION.finding(
                        lp.path,
                        *_at(lp, target),
                        f"{indicator_id}: {target.year} target {target.bound} is weaker than the "
                        f"{best.year} target {best.bound} ({best.id})",
                        plan=lp.id,
                        ctx={
                            "indicator": indicator_id,
                            "year": target.year,
                            "item": target.id,
                            "earlier": best.id,
                        },
                    )
                    continue
            if best is None or compare_bounds(target.bound, best.bound, indicator.direction) == "exceeds":  # type: ignore[arg-type]
                best = target


def share_above_100(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    assert lp.plan is not None
    for target in lp.plan.targets:
        indicator = ps.indicators.get(target.indicator)
        if target.bound is None or indicator is None or indicator.kind != "share":
            continue
        bound = target.bound
        high = bound.high if bound.high is not None else bound.value  # 0 is a number, not "none"
        top, low = max(bound.value, high), min(bound.value, high)
        # "> 100" and "< 0" admit no share at all, as much as "105" does
        impossible = (bound.op == ">" and bound.value >= 100) or (bound.op == "<" and bound.value <= 0)
        if top > 100 or low < 0 or impossible:
            yield SHARE_OUT_OF_RANGE.finding(
                lp.path,
                *_at(lp, target),
                f"target {target.id}: {target.bound} is outside 0..100 for a share ({indicator.id})",
                plan=lp.id,
                ctx={"indicator": indicator.id, "year": target.year, "item": target.id},
            )


def inverted_range(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    assert lp.plan is not None
    for target in lp.plan.targets:
        if target.bound is not None and target.bound.is_inverted:
            yield INVERTED_RANGE.finding(
                lp.path,
                *_at(lp, target),
                f"target {target.id}: range {target.bound} runs backwards; write the low end first",
                plan=lp.id,
                ctx={"indicator": target.indicator, "year": target.year, "item": target.id},
            )


def coverage_mismatch(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    assert lp.plan is not None
    for i, cov in enumerate(lp.plan.coverage):
        items = lp.plan.targets if cov.items == "targets" else lp.plan.tasks
        actual = sum(1 for item in items if item.source.section == cov.section)
        if actual != cov.encoded:
            line, col = lp.pos("coverage", i, "encoded")
            yield COVERAGE_COUNT_MISMATCH.finding(
                lp.path,
                line,
                col,
                f"coverage of {cov.section!r} says {cov.encoded} {cov.items} encoded, but {actual} "
                f"{cov.items} name that section",
                plan=lp.id,
                ctx={"section": cov.section, "declared": cov.encoded, "actual": actual},
            )
        if cov.in_source != cov.encoded:
            line, col = lp.pos("coverage", i, "in_source")
            yield COVERAGE_INCOMPLETE.finding(
                lp.path,
                line,
                col,
                f"{cov.section!r}: the source has {cov.in_source} {cov.items}, {cov.encoded} encoded",
                plan=lp.id,
                ctx={"section": cov.section, "in_source": cov.in_source, "encoded": cov.encoded},
            )


CONFLICTING_TARGETS = Rule(
    code="PC401",
    name="conflicting-targets",
    severity="warning",
    scope="plan",
    summary="Two targets of one plan on the same indicator and year state different figures (`>= 40` and "
    "`>= 35`; `90` and `100`). The same number with another comparator (`60` and `>= 60`) is one "
    "commitment written two ways, and qualitative text is never set against a number or other text.",
    why="142/KH-UBND states some indicators in both Phụ lục 1 and Phụ lục 2; when they disagree, "
    "which one binds the city is a question for its authors.",
    example="targets:\n  - {id: PL1-10, indicator: digital-economy-share, year: 2030, bound: '>= 40'}\n"
    "  - {id: PL2-20-2030, indicator: digital-economy-share, year: 2030, bound: '>= 35'}",
    instead="# encode both as the source says, and note the contradiction in `notes`;\n"
    "# or waive PC401 with the reason",
    check=conflicting_targets,
)

MILESTONE_REGRESSION = Rule(
    code="PC402",
    name="milestone-regression",
    severity="warning",
    scope="plan",
    summary="Within one table of a plan (one source section), a later milestone of an indicator is weaker "
    "than an earlier one (2035 `>= 3` after 2030 `> 3`).",
    why="Targets to 2045 should not slide back; a regression is usually a misread cell.",
    example="targets:\n  - {year: 2030, bound: '> 3'}\n  - {year: 2035, bound: '3'}",
    instead="targets:\n  - {year: 2030, bound: '> 3'}\n  - {year: 2035, bound: '> 3'}",
    check=milestone_regression,
)

SHARE_OUT_OF_RANGE = Rule(
    code="PC403",
    name="share-out-of-range",
    severity="error",
    scope="plan",
    summary="A target on a share indicator has a bound above 100 or below 0.",
    why="A share above 100 % is a typo (an extra digit, or a count entered as a share).",
    example="indicator: online-public-service-usage\nbound: '>= 800'",
    instead="indicator: online-public-service-usage\nbound: '>= 80'",
    check=share_above_100,
)

INVERTED_RANGE = Rule(
    code="PC404",
    name="inverted-range",
    severity="error",
    scope="plan",
    summary="A range bound whose first number is larger than its second (`65..62`).",
    why="An inverted range accepts nothing; it is always an encoding slip.",
    example="bound: '65..62'",
    instead="bound: '62..65'",
    check=inverted_range,
)

COVERAGE_COUNT_MISMATCH = Rule(
    code="PC405",
    name="coverage-count-mismatch",
    severity="error",
    scope="plan",
    summary="A `coverage` entry's `encoded` differs from the number of targets (or tasks) whose "
    "`source.section` is that section.",
    why="The coverage counts are the encoder's claim of completeness; they must be true.",
    example="coverage:\n  - {section: Phụ lục 2, items: targets, in_source: 5, encoded: 5}   # 4 encoded",
    instead="coverage:\n  - {section: Phụ lục 2, items: targets, in_source: 5, encoded: 5}   # 5 encoded",
    check=coverage_mismatch,
    emits=("PC405", "PC407"),
)

UNUSED_WAIVER = Rule(
    code="PC406",
    name="unused-waiver",
    severity="warning",
    scope="plan",
    summary="A waiver matches no finding, or waives an input, schema or reference rule (PC0xx, PC1xx) or a rule "
    "whose default severity is error, "
    "which no waiver covers. A waiver covers findings of its own file only.",
    why="Stale waivers hide future gaps they were never meant to cover; a waiver cannot vouch for the "
    "encoding it is written in (a broken file, a duplicate id, a plan that implements nothing).",
    example="waivers:\n  - {rule: PC201, indicator: tfp-contribution, reason: ..., approved_by: ...}   # nothing missing",
    instead="waivers: []",
)

COVERAGE_INCOMPLETE = Rule(
    code="PC407",
    name="coverage-incomplete",
    severity="warning",
    scope="plan",
    summary="A `coverage` entry says the source has more (or fewer) items than were encoded.",
    why="An incomplete encoding makes every 'missing' finding against this plan doubtful.",
    example="coverage:\n  - {section: IV, items: tasks, in_source: 12, encoded: 10}",
    instead="coverage:\n  - {section: IV, items: tasks, in_source: 12, encoded: 12}",
)

RULES = [
    CONFLICTING_TARGETS,
    MILESTONE_REGRESSION,
    SHARE_OUT_OF_RANGE,
    INVERTED_RANGE,
    COVERAGE_COUNT_MISMATCH,
    UNUSED_WAIVER,
    COVERAGE_INCOMPLETE,
]
