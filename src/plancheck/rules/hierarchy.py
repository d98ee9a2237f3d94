"""PC1xx rules on the hierarchy of plans as a whole: a loop in ``implements``, no catalogue, a plan
that implements nothing, a replaced programme cited, a stand-in that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from plancheck.findings import Finding
from plancheck.load.inforce import in_force, issue_date, parent_ids, replacements
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.rules.base import Rule


def plan_finding(
    lp: LoadedPlan, rule: Rule, loc: tuple[str | int, ...], message: str, **ctx: object
) -> Finding:
    line, col = lp.pos(*loc)
    return rule.finding(lp.path, line, col, message, plan=lp.id, ctx=ctx)


def implements_cycle(ps: PlanSet) -> Iterator[Finding]:
    state: dict[str, int] = {}  # 0 visiting, 1 done
    reported: set[frozenset[str]] = set()
    for start in sorted(ps.plans):
        if start in state:
            continue
        # iterative depth-first search: plan trees from thousands of files must not hit recursion limits
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = []
        while stack:
            node, index = stack.pop()
            plan = ps.plans[node].plan
            assert plan is not None
            if index == 0:
                state[node] = 0
                trail.append(node)
            parents = [p for p in parent_ids(plan) if p in ps.plans]
            if index < len(parents):
                stack.append((node, index + 1))
                nxt = parents[index]
                if state.get(nxt) == 0:
                    cycle = trail[trail.index(nxt) :]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        first = min(cycle)
                        lp = ps.plans[first]
                        loop = " -> ".join(
                            [*cycle[cycle.index(first) :], *cycle[: cycle.index(first)], first]
                        )
                        yield plan_finding(
                            lp,
                            IMPLEMENTS_CYCLE,
                            ("implements",),
                            f"`implements` forms a cycle: {loop}",
                            cycle=sorted(cycle),
                        )
                elif nxt not in state:
                    stack.append((nxt, 0))
            else:
                state[node] = 1
                trail.pop()


def missing_catalogue(ps: PlanSet) -> Iterator[Finding]:
    if ps.root is None and ps.files:
        lp = ps.files[0]
        yield MISSING_CATALOGUE.finding(
            lp.path,
            1,
            1,
            "no indicators.yaml (a regular file) in this folder or above it: targets cannot be checked "
            "against the catalogue and plan ids cannot be checked against paths",
        )


def implements_nothing(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None or lp.plan.implements or lp.plan.jurisdiction.level == "national":
        return
    level = lp.plan.jurisdiction.level
    if ("implements",) in lp.loaded.key_positions:
        line, col = lp.pos("implements", prefer_key=True)
    else:
        line, col = lp.pos("id", prefer_key=True)
    yield IMPLEMENTS_NOTHING.finding(
        lp.path,
        line,
        col,
        f"a {level} plan that implements nothing is checked against no parent; list the plans it "
        "implements in `implements`",
        plan=lp.id,
        ctx={"level": level},
    )


def cites_replaced_plan(ps: PlanSet) -> Iterator[Finding]:
    """A child issued on or after the day a plan it implements was replaced."""
    docs = {pid: lp.plan for pid, lp in ps.plans.items() if lp.plan is not None}
    repl = replacements(docs)
    for pid in sorted(ps.plans):
        lp = ps.plans[pid]
        assert lp.plan is not None
        on = issue_date(lp.plan)
        if on is None:
            continue
        for i, cited in enumerate(lp.plan.implements):
            r = repl.get(cited)
            if r is None or r.on > on or cited == pid:
                continue
            now = in_force(cited, on, docs, repl)
            yield plan_finding(
                lp,
                IMPLEMENTS_REPLACED_PLAN,
                ("implements", i),
                f"implements {cited!r}, which {r.by!r} replaced on {r.on.isoformat()}; this plan was "
                f"issued on {on.isoformat()}, when it was no longer in force, so it is compared with "
                f"{now!r}, the version in force",
                parent=cited,
                replaced_by=r.by,
                in_force=now,
            )


def unknown_stand_in(ps: PlanSet) -> Iterator[Finding]:
    for pid in sorted(ps.plans):
        lp = ps.plans[pid]
        assert lp.plan is not None
        named = lp.plan.document.targets_from
        if named is None:
            continue
        other = ps.plans.get(named.plan)
        if other is None:
            problem = "but no plan has that id"
        elif other.plan is None or named.plan == pid or other.plan.document.targets_from is not None:
            # a chain or a cycle of stand-ins ends in no table at all
            problem = "a plan that has no table of its own (it names a stand-in itself)"
        else:
            continue
        yield plan_finding(
            lp,
            UNKNOWN_STAND_IN,
            ("document",),
            f"document.targets_from names {named.plan!r}, {problem}: children of this plan are "
            "compared with no targets at all",
            parent=named.plan,
        )


IMPLEMENTS_CYCLE = Rule(
    code="PC106",
    name="implements-cycle",
    severity="error",
    scope="tree",
    summary="Following `implements` from a plan leads back to it.",
    why="A hierarchy with a loop has no top; every comparison along it would be circular.",
    example="id: a/x\nimplements: [a/x]",
    instead="id: a/x\nimplements: [national/57-NQ-TW]",
    check=implements_cycle,
)


MISSING_CATALOGUE = Rule(
    code="PC109",
    name="missing-catalogue",
    severity="error",
    scope="tree",
    summary="No `indicators.yaml` in the folder of the given paths or above it.",
    why="Without the catalogue no target can be compared and no plan id checked.",
    example="plans/haiphong/89-CTr-TU.yaml   # but no plans/indicators.yaml",
    instead="plans/indicators.yaml",
    check=missing_catalogue,
)


IMPLEMENTS_NOTHING = Rule(
    code="PC113",
    name="implements-nothing",
    severity="error",
    scope="plan",
    summary="A province, district or commune plan has an empty (or no) `implements`.",
    why="Every lower plan implements at least one higher plan; with none, no target or deadline of it "
    "is ever compared, so a plan that drops its `implements` would pass every check.",
    example="id: hongbang/106-KH-UBND\njurisdiction: {level: commune}\nimplements: []",
    instead="id: hongbang/106-KH-UBND\njurisdiction: {level: commune}\n"
    "implements: [national/57-NQ-TW, national/71-NQ-CP, haiphong/142-KH-UBND]",
    check=implements_nothing,
)


IMPLEMENTS_REPLACED_PLAN = Rule(
    code="PC125",
    name="implements-replaced-plan",
    severity="warning",
    scope="tree",
    summary="A plan implements a programme that another plan of the tree had already replaced when this "
    "plan was issued (`document.replaces` of the newer one names it, and the newer one was issued "
    "on or before this plan's date). The plan is compared with the version in force on its issue "
    "date, not with the one it cites.",
    why="A replaced programme is history: its targets and deadlines no longer bind anyone, so a plan "
    "that cites it was probably drafted against the old text, or names the wrong parent.",
    example="# 71/NQ-CP (2025-04-01) replaces 03/NQ-CP\ndocument: {issued: '2025-06-09', ...}\n"
    "implements: [national/57-NQ-TW, national/03-NQ-CP]",
    instead="document: {issued: '2025-06-09', ...}\nimplements: [national/57-NQ-TW, national/71-NQ-CP]",
    check=cites_replaced_plan,
)


UNKNOWN_STAND_IN = Rule(
    code="PC126",
    name="unknown-stand-in",
    severity="error",
    scope="tree",
    summary="`document.targets_from` names a plan id that no file in the tree has, a plan that names a "
    "stand-in itself (a chain or a cycle).",
    why="The plan has no targets of its own, so its children would be compared with nothing and every "
    "gap would go unreported.",
    example="document:\n  targets_from: {plan: national/03-NQCP, reason: ...}   # misspelt",
    instead="document:\n  targets_from: {plan: national/03-NQ-CP, reason: ...}",
    check=unknown_stand_in,
)
