"""PC13x: each plan's jurisdiction on the 2025 administrative map (registry and reorganisation)."""

from __future__ import annotations

from collections.abc import Iterator

from plancheck.findings import Finding
from plancheck.load import admin
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.rules.base import Rule


def _finding(lp: LoadedPlan, rule: Rule, key: str, message: str, **ctx: object) -> Finding:
    # a jurisdiction written as a flow mapping has positions for its values; fall back to the key
    line, col = lp.pos("jurisdiction", key) if key else lp.pos("jurisdiction")
    return rule.finding(lp.path, line, col, message, plan=lp.id, ctx=ctx)


def _known_name(code: str) -> tuple[str, str] | None:
    """(name, what it is) of a code the registry or the reorganisation table knows."""
    unit = admin.registry().get(code)
    if unit is not None:
        return unit.name, f"the registry's {unit.level} {code}"
    gone = admin.former(code)
    if gone is not None:
        return (
            gone.name,
            f"the former unit {code} (merged into {gone.merger.into.name} on {gone.merger.effective})",
        )
    return None


def unknown_official_code(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    j = lp.plan.jurisdiction
    if j.official_code is None:
        return
    if _known_name(j.official_code) is None:
        yield _finding(
            lp,
            UNKNOWN_OFFICIAL_CODE,
            "official_code",
            f"official code {j.official_code!r} is neither a unit of the 2025 registry "
            f"({admin.registry_version()}) nor a unit merged away in the reorganisation table",
            official_code=j.official_code,
        )


def name_mismatch(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    j = lp.plan.jurisdiction
    known = _known_name(j.official_code) if j.official_code is not None else None
    if known is None:
        return
    name, what = known
    if admin.name_key(j.name) != admin.name_key(name):
        yield _finding(
            lp,
            JURISDICTION_NAME_MISMATCH,
            "name",
            f"name {j.name!r} does not agree with {what}: {name!r}",
            official_code=j.official_code,
            expected=name,
        )


def level_mismatch(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    j = lp.plan.jurisdiction
    if j.level == "national":
        if j.official_code is not None:
            yield _finding(
                lp,
                JURISDICTION_LEVEL_MISMATCH,
                "official_code",
                f"a national plan carries no official code (the registry has none for Việt Nam), "
                f"but this one gives {j.official_code!r}",
                official_code=j.official_code,
            )
        return
    if j.official_code is None:
        return
    unit = admin.registry().get(j.official_code)
    level = unit.level if unit is not None else admin.level_of_code(j.official_code)
    if level != j.level:
        yield _finding(
            lp,
            JURISDICTION_LEVEL_MISMATCH,
            "level",
            f"level {j.level!r}, but official code {j.official_code!r} is a {level} code",
            official_code=j.official_code,
            expected=level,
        )


def successor_mismatch(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    j = lp.plan.jurisdiction
    gone = admin.former(j.official_code) if j.official_code is not None else None
    if gone is None:
        if j.successor is not None and j.official_code is not None and admin.registry().get(j.official_code):
            yield _finding(
                lp,
                SUCCESSOR_MISMATCH,
                "successor",
                f"{j.official_code} is a unit of today's registry, yet the plan names a successor",
                official_code=j.official_code,
            )
        return
    into, since = gone.merger.into, gone.merger.effective
    resolution = gone.merger.resolution.number or "a resolution not yet sourced"
    if j.successor is None:
        yield _finding(
            lp,
            SUCCESSOR_MISMATCH,
            "official_code",
            f"{gone.name} ({gone.code}) no longer exists: it was merged into {into.name} ({into.code}) on "
            f"{since} ({resolution}); add `successor: {{code: ..., name: {into.name}, since: {since}}}`",
            official_code=j.official_code,
            expected=into.code,
        )
    elif admin.name_key(j.successor.name) != admin.name_key(into.name) or j.successor.since != since:
        yield _finding(
            lp,
            SUCCESSOR_MISMATCH,
            "successor",
            f"successor {j.successor.name!r} since {j.successor.since} does not agree with the "
            f"reorganisation table: {into.name} ({into.code}) since {since} ({resolution})",
            official_code=j.official_code,
            expected=into.code,
        )


def _province_of(lp: LoadedPlan) -> tuple[str, str] | None:
    """(official code, name) of the province a province-level plan's unit belongs to today."""
    assert lp.plan is not None
    code = lp.plan.jurisdiction.official_code
    if code is None:
        return None
    gone = admin.former(code)
    if gone is not None:
        return gone.merger.into.code, gone.merger.into.name
    unit = admin.registry().provinces.get(code)
    return (unit.code, unit.name) if unit is not None else None


def commune_outside_province(child: LoadedPlan, parent: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if child.plan is None or parent.plan is None:
        return
    if child.plan.jurisdiction.level != "commune" or parent.plan.jurisdiction.level != "province":
        return
    code = child.plan.jurisdiction.official_code
    unit = admin.registry().communes.get(code) if code is not None else None
    province = _province_of(parent)
    if unit is None or province is None or unit.province == province[0]:
        return
    home = admin.registry().provinces[unit.province or ""]
    index = child.plan.implements.index(parent.plan.id)
    line, col = child.pos("implements", index)
    yield COMMUNE_OUTSIDE_PROVINCE.finding(
        child.path,
        line,
        col,
        f"{unit.name} ({unit.code}) belongs to {home.name} ({home.code}), but it implements {parent.plan.id}, "
        f"a plan of {province[1]} ({province[0]})",
        plan=child.id,
        ctx={"parent": parent.plan.id, "official_code": code, "expected": province[0]},
    )


_ABOVE = {"commune": "province", "district": "province", "province": "national"}


def parent_jurisdiction_mismatch(child: LoadedPlan, parent: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if child.plan is None or parent.plan is None:
        return
    stated = child.plan.jurisdiction.parent
    if stated is None or parent.plan.jurisdiction.level != _ABOVE.get(child.plan.jurisdiction.level):
        return  # a plan of the same level (a party and a government plan) says nothing of it
    successor = parent.plan.jurisdiction.successor
    if stated == parent.plan.jurisdiction.code or (successor is not None and stated == successor.code):
        return  # a unit merged away is carried on by its successor, where the commune now sits
    line, col = child.pos("jurisdiction", "parent")
    yield PARENT_JURISDICTION_MISMATCH.finding(
        child.path,
        line,
        col,
        f"jurisdiction.parent is {stated!r}, but the plan implements {parent.plan.id}, a plan of "
        f"{parent.plan.jurisdiction.code!r} one level above",
        plan=child.id,
        ctx={"parent": parent.plan.id, "stated": stated, "expected": parent.plan.jurisdiction.code},
    )


_J = "jurisdiction: {code: haiphong, official_code: "

UNKNOWN_OFFICIAL_CODE = Rule(
    code="PC130",
    name="unknown-official-code",
    severity="error",
    scope="plan",
    summary="A jurisdiction's `official_code` is not a unit of the 2025 registry (the vietnam-provinces "
    "package: 34 provinces, 3,321 communes and wards) nor a unit merged away in the reorganisation table.",
    why="The code places the plan on the administrative map: coverage, the province of a commune and "
    "the date a unit was established are all looked up by it.",
    example=_J + '"32", name: Thành phố Hải Phòng, level: province}   # no such province',
    instead=_J + '"31", name: Thành phố Hải Phòng, level: province}',
    check=unknown_official_code,
)

JURISDICTION_NAME_MISMATCH = Rule(
    code="PC131",
    name="jurisdiction-name-mismatch",
    severity="error",
    scope="plan",
    summary="A jurisdiction's `name` does not agree with the registry's name for its official code (the unit "
    "type such as 'Tỉnh' or 'Phường', case, spacing and the placement of tone marks are ignored).",
    why="A code and a name that disagree mean one of them is wrong; the plan may be counted for the "
    "wrong place.",
    example=_J + '"31", name: Thành phố Hồ Chí Minh, level: province}',
    instead=_J + '"31", name: Thành phố Hải Phòng, level: province}',
    check=name_mismatch,
)

COMMUNE_OUTSIDE_PROVINCE = Rule(
    code="PC132",
    name="commune-outside-province",
    severity="error",
    scope="edge",
    summary="A commune or ward implements a province-level plan of another province than the one the "
    "registry puts it in (a unit merged away counts as its successor).",
    why="A ward implements its own province's plan; any other parent is an encoding mistake in "
    "`implements` or in the code.",
    example="jurisdiction: {code: hongbang, official_code: '11311', level: commune}\nimplements: [hochiminh/4354-KH-UBND]",
    instead="jurisdiction: {code: hongbang, official_code: '11311', level: commune}\nimplements: [haiphong/142-KH-UBND]",
    check=commune_outside_province,
)

JURISDICTION_LEVEL_MISMATCH = Rule(
    code="PC133",
    name="jurisdiction-level-mismatch",
    severity="error",
    scope="plan",
    summary="A jurisdiction's `level` does not agree with its official code (two digits: province; three: "
    "district; five: commune), or a national plan gives an official code.",
    why="The level decides which parent targets apply; a ward encoded as a province would be held to a "
    "province's counts.",
    example="jurisdiction: {code: hongbang, official_code: '11311', name: Phường Hồng Bàng, level: province}",
    instead="jurisdiction: {code: hongbang, official_code: '11311', name: Phường Hồng Bàng, level: commune}",
    check=level_mismatch,
)

SUCCESSOR_MISMATCH = Rule(
    code="PC134",
    name="successor-mismatch",
    severity="warning",
    scope="plan",
    summary="A plan of a unit merged away in the 2025 reorganisation does not name its `successor`, or names "
    "another one or another date than the reorganisation table; or a unit of today names a successor.",
    why="A plan whose issuer no longer exists is history: its successor's plans carry its obligations, "
    "and coverage shows it under the successor.",
    example="jurisdiction: {code: hanam, official_code: '35', name: Tỉnh Hà Nam, level: province}",
    instead="jurisdiction:\n  code: hanam\n  official_code: '35'\n  name: Tỉnh Hà Nam\n  level: province\n"
    "  successor: {code: ninhbinh, name: Tỉnh Ninh Bình, since: 2025-07-01}",
    check=successor_mismatch,
)

PARENT_JURISDICTION_MISMATCH = Rule(
    code="PC135",
    name="jurisdiction-parent-mismatch",
    severity="error",
    scope="edge",
    summary="A plan's `jurisdiction.parent` is not the jurisdiction of a plan it implements one level "
    "above (a commune's province, a province's country).",
    why="The field says where the unit sits; a plan that implements another place's plan, or a "
    "parent respelt, is an encoding mistake in one of the two, and coverage and reports group "
    "plans by it.",
    example="jurisdiction: {code: hongbang, official_code: '11311', level: commune, parent: hochiminh}\n"
    "implements: [haiphong/142-KH-UBND]",
    instead="jurisdiction: {code: hongbang, official_code: '11311', level: commune, parent: haiphong}\n"
    "implements: [haiphong/142-KH-UBND]",
    check=parent_jurisdiction_mismatch,
)

RULES = [
    UNKNOWN_OFFICIAL_CODE,
    JURISDICTION_NAME_MISMATCH,
    COMMUNE_OUTSIDE_PROVINCE,
    JURISDICTION_LEVEL_MISMATCH,
    SUCCESSOR_MISMATCH,
    PARENT_JURISDICTION_MISMATCH,
]
