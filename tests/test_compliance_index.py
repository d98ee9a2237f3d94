"""The indexed comparison (`compliance.TargetIndex`) gives exactly what the plain one did.

``reference`` below is the comparison as it was before the index: every parent target scanned
every child target on its indicator (5,000 against 5,000 took minutes). Random plans, with few
years and few distinct bounds so that ties, boundaries and repeated ids are common, must give
the same status, reason and chosen targets, object for object.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from plancheck.check.algebra import compare_bounds
from plancheck.check.compliance import compare_target
from plancheck.check.status import Comparison, comparable_kind
from plancheck.check.targetindex import by_indicator
from plancheck.model import Indicator, Plan, Target

BOUNDS = [">= 40", "> 40", "40", "<= 40", "< 40", "38..42", "40..45", ">= 45", "> 38", "<= 45", None]
YEARS = [2025, 2026, 2028, 2030]


def _old_strongest(targets: list[Target], indicator: Indicator, parent: Target) -> Target:
    rank = {"exceeds": 0, "meets": 1, "boundary": 2, "weaker": 3}
    numeric = [t for t in targets if t.bound is not None]
    if not numeric or parent.bound is None:
        return targets[0]
    parent_bound = parent.bound

    def standing(t: Target) -> tuple[int, str]:
        assert t.bound is not None
        return (rank[compare_bounds(t.bound, parent_bound, indicator.direction)], t.id)

    return min(numeric, key=standing)


def _old_later_or_weaker(
    make: Callable[..., Comparison], later: list[Target], indicator: Indicator, parent: Target, missing: bool
) -> Comparison:
    for target in later:
        if target.bound is None or parent.bound is None:
            continue
        if compare_bounds(target.bound, parent.bound, indicator.direction) in ("exceeds", "meets"):
            return make(
                "later",
                f"reaches the parent's level only in {target.year}",
                target if missing else None,
                target,
            )
    if missing:
        return make("missing", f"no target for {parent.year} or earlier; later ones fall short")
    return make("weaker", "no later target reaches the parent's level")


def reference(child: Plan, parent: Plan, pt: Target, indicator: Indicator) -> Comparison:
    def make(status: Any, reason: str, ct: Target | None = None, later: Target | None = None) -> Comparison:
        return Comparison(child.id, parent.id, pt.indicator, pt.year, pt, ct, status, reason, later)

    mine = [t for t in child.targets if t.indicator == pt.indicator]
    if not comparable_kind(indicator, child, parent):
        upto = [t for t in mine if t.year <= pt.year] or mine
        latest = max(upto, key=lambda t: (t.year, t.id)) if upto else None
        return make(
            "not-comparable",
            "counts compare only within one jurisdiction"
            + ("" if latest is not None else "; this plan states no count on it"),
            latest,
        )
    if not mine:
        return make("missing", "no target on this indicator")
    same_year = [t for t in mine if t.year == pt.year]
    earlier = sorted((t for t in mine if t.year < pt.year), key=lambda t: (t.year, t.id))
    later = sorted((t for t in mine if t.year > pt.year), key=lambda t: (t.year, t.id))
    candidates, reason = same_year, "same year"
    # a milestone recurs when the targets of its own year do (`per_year`), not any earlier one
    last_targets = [t for t in earlier if earlier and t.year == earlier[-1].year]
    if not candidates and earlier and (indicator.monotonic or any(t.per_year for t in last_targets)):
        last_year = earlier[-1].year
        candidates = [t for t in earlier if t.year == last_year]
        reason = (
            f"{last_year} target covers {pt.year} (a level once reached is kept)"
            if indicator.monotonic
            else f"{last_year} target recurs every year"
        )
    if not candidates:
        if later:
            return _old_later_or_weaker(make, later, indicator, pt, True)
        if earlier:
            return make(
                "missing",
                f"no target for {pt.year}; the {earlier[-1].year} target does not carry over "
                "(the catalogue marks the indicator 'not-kept': it can fall back)",
            )
        return make("missing", f"no target for {pt.year} or earlier")
    ct = _old_strongest(candidates, indicator, pt)
    if pt.bound is None or ct.bound is None:
        return make("not-comparable", "qualitative target on one side", ct)
    verdict = compare_bounds(ct.bound, pt.bound, indicator.direction)
    if verdict in ("exceeds", "meets"):
        return make(verdict, reason, ct)
    if later and verdict == "weaker":
        result = _old_later_or_weaker(make, later, indicator, pt, False)
        if result.status == "later":
            return make("later", result.reason, ct, result.later_target)
    return make(verdict, reason, ct)


def _plan(rng: random.Random, plan_id: str, code: str, count: int) -> Plan:
    targets = []
    for n in range(count):
        bound = rng.choice(BOUNDS)
        targets.append(
            {
                "id": f"T{rng.randrange(count)}",  # repeated ids on purpose: ties on id
                "indicator": rng.choice(["ind-a", "ind-b"]),
                "year": rng.choice(YEARS),
                "unit": "%",
                "label": "x",
                "per_year": rng.random() < 0.15,
                "source": {"section": "I"},
                **({"bound": bound} if bound is not None else {"qualitative": f"q{n}"}),
            }
        )
    return Plan.model_validate(
        {
            "id": plan_id,
            "document": {
                "number": "1/KH",
                "kind": "Kế hoạch",
                "title": "t",
                "issuer": "UBND",
                "issued": "2025-01-01",
            },
            "jurisdiction": {"code": code, "name": "n", "level": "province"},
            "implements": [],
            "targets": targets,
        }
    )


@pytest.mark.parametrize("seed", range(60))
def test_index_agrees_with_the_plain_comparison(seed: int) -> None:
    rng = random.Random(seed)
    parent = _plan(rng, "p/a", "x", rng.randrange(1, 30))
    child = _plan(rng, "c/a", rng.choice(["x", "y"]), rng.randrange(0, 30))
    index = by_indicator(child)
    for direction in ("higher", "lower"):
        for monotonic in (False, True):
            for kind in ("share", "count"):
                indicator = Indicator.model_validate(
                    {
                        "id": "ind-a",
                        "name_vi": "a",
                        "name_en": "a",
                        "unit": "%",
                        "direction": direction,
                        "kind": kind,
                        "levels": ["province"],
                        "counts": "a",
                        "population": "a",
                        "scope": "a",
                        "carry_over": "kept" if monotonic else "not-kept",
                        "relations": [],
                        "reasons": {
                            "population": "a",
                            "scope": "a",
                            "direction": "a",
                            "carry_over": "a",
                            "relations": "a",
                        },
                    }
                )
                for pt in parent.targets:
                    got = compare_target(child, parent, pt, indicator, index)
                    want = reference(child, parent, pt, indicator)
                    assert got == want, (direction, monotonic, kind, pt)
                    assert got.child_target is want.child_target and got.later_target is want.later_target
