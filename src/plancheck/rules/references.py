"""PC1xx: schema and references — does each file say what the model allows and name what exists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from plancheck.findings import Finding
from plancheck.hints import Suggester
from plancheck.load.inforce import in_force, issue_date, parent_ids, replacements
from plancheck.model import LEVEL_RANK, Measure, Task
from plancheck.rules.base import Rule

if TYPE_CHECKING:  # the plan set names these rules' objects, so it is imported for types only
    from plancheck.load.plan import LoadedPlan
    from plancheck.load.planset import PlanSet


def _plan_finding(
    lp: LoadedPlan, rule: Rule, loc: tuple[str | int, ...], message: str, **ctx: object
) -> Finding:
    line, col = lp.pos(*loc)
    return rule.finding(lp.path, line, col, message, plan=lp.id, ctx=ctx)


# comparisons of unknown indicators with catalogue ids per file for "did you mean": about 50
# distinct slips against the bundled catalogue, far more than a real plan makes, and a bound on
# the work for a file of thousands of near misses (hostile4 #4)
SUGGESTION_BUDGET = 10_000


def unknown_indicator(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None or ps.catalogue is None:
        return
    hints = Suggester(ps.indicators, budget=SUGGESTION_BUDGET)
    for i, target in enumerate(lp.plan.targets):
        if target.indicator not in ps.indicators:
            yield _plan_finding(
                lp,
                UNKNOWN_INDICATOR,
                ("targets", i, "indicator"),
                f"target {target.id}: indicator {target.indicator!r} is not in the catalogue"
                + hints.did_you_mean(target.indicator),
                item=target.id,
                indicator=target.indicator,
            )
    # an aim that names no indicator would silently link nothing
    linked: list[tuple[str, int, Task | Measure]] = [
        *(("tasks", i, t) for i, t in enumerate(lp.plan.tasks)),
        *(("measures", i, m) for i, m in enumerate(lp.plan.measures)),
    ]
    for kind, i, item in linked:
        for j, aim in enumerate(item.aims):
            if aim not in ps.indicators:
                yield _plan_finding(
                    lp,
                    UNKNOWN_INDICATOR,
                    (kind, i, "aims", j),
                    f"{kind[:-1]} {item.id}: aim {aim!r} is not in the catalogue" + hints.did_you_mean(aim),
                    item=item.id,
                    indicator=aim,
                )


def unit_mismatch(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    for i, target in enumerate(lp.plan.targets):
        indicator = ps.indicators.get(target.indicator)
        if indicator is not None and target.unit != indicator.unit:
            yield _plan_finding(
                lp,
                UNIT_MISMATCH,
                ("targets", i, "unit"),
                f"target {target.id}: unit {target.unit!r} but indicator {indicator.id!r} is measured in "
                f"{indicator.unit!r}",
                item=target.id,
                indicator=indicator.id,
                unit=target.unit,
                expected=indicator.unit,
            )


def plan_id_mismatch(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    if lp.expected_id is None:
        yield _plan_finding(
            lp,
            PLAN_ID_MISMATCH,
            ("id",),
            f"plan {lp.plan.id!r} is outside the plan tree (no {'indicators.yaml'} above it), so its id "
            "cannot be checked",
        )
    elif lp.plan.id != lp.expected_id:
        yield _plan_finding(
            lp,
            PLAN_ID_MISMATCH,
            ("id",),
            f"id {lp.plan.id!r} does not match the file's path; expected {lp.expected_id!r}",
            expected=lp.expected_id,
        )


def unknown_parent(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    seen: set[str] = set()
    for i, parent in enumerate(lp.plan.implements):
        if parent == lp.plan.id or parent in seen:
            continue  # a plan implementing itself is a cycle (PC106); a repeat is PC120
        seen.add(parent)
        if parent not in ps.plans:
            yield _plan_finding(
                lp,
                UNKNOWN_PARENT,
                ("implements", i),
                f"implements {parent!r}, but no plan has that id",
                parent=parent,
            )


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
                        yield _plan_finding(
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


def duplicate_parent(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    first: dict[str, int] = {}
    repeats: dict[str, list[int]] = {}
    for i, parent in enumerate(lp.plan.implements):
        if parent in first:
            repeats.setdefault(parent, []).append(i)
        else:
            first[parent] = i
    for parent, where in repeats.items():
        times = len(where) + 1
        yield _plan_finding(
            lp,
            DUPLICATE_PARENT,
            ("implements", where[0]),
            f"implements lists {parent!r} {times} times (first at item {first[parent] + 1}); "
            "it is checked against it once",
            parent=parent,
            times=times,
        )


def parent_below_child(child: LoadedPlan, parent: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if child.plan is None or parent.plan is None:
        return
    c, p = child.plan.jurisdiction.level, parent.plan.jurisdiction.level
    if LEVEL_RANK[p] > LEVEL_RANK[c]:
        cited = parent.cited_id
        index = child.plan.implements.index(cited) if cited in child.plan.implements else 0
        yield _plan_finding(
            child,
            PARENT_BELOW_CHILD,
            ("implements", index),
            f"implements {parent.plan.id!r}, a {p} plan, but this is a {c} plan: a parent cannot sit "
            "below its child",
            parent=parent.plan.id,
        )


def duplicate_item_id(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    groups: tuple[tuple[str, list[str]], ...] = (
        ("targets", [t.id for t in lp.plan.targets]),
        ("tasks", [t.id for t in lp.plan.tasks]),
    )
    for kind, ids in groups:
        first: dict[str, int] = {}
        for i, item_id in enumerate(ids):
            if item_id in first:
                line = lp.pos(kind, first[item_id])[0]
                yield _plan_finding(
                    lp,
                    DUPLICATE_ITEM_ID,
                    (kind, i, "id"),
                    f"{kind[:-1]} id {item_id!r} is used twice (first at line {line})",
                    item=item_id,
                )
            else:
                first[item_id] = i


def missing_catalogue(ps: PlanSet) -> Iterator[Finding]:
    if ps.root is None and ps.files:
        lp = ps.files[0]
        yield MISSING_CATALOGUE.finding(
            lp.path,
            1,
            1,
            "no indicators.yaml in this folder or above it: targets cannot be checked against the "
            "catalogue and plan ids cannot be checked against paths",
        )


def unknown_parent_task(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    for i, task in enumerate(lp.plan.tasks):
        ref = task.implements
        if ref is None:
            continue
        parent = ps.plans.get(ref.plan)
        if ref.plan not in lp.plan.implements:
            yield _plan_finding(
                lp,
                UNKNOWN_PARENT_TASK,
                ("tasks", i, "implements", "plan"),
                f"task {task.id} implements a task of {ref.plan!r}, which this plan does not list in `implements`",
                item=task.id,
                parent=ref.plan,
            )
        elif (
            parent is not None
            and parent.plan is not None
            and parent.plan.tasks
            and all(t.id != ref.task for t in parent.plan.tasks)
        ):
            yield _plan_finding(
                lp,
                UNKNOWN_PARENT_TASK,
                ("tasks", i, "implements", "task"),
                f"task {task.id} implements task {ref.task!r} of {ref.plan!r}, which has no such task",
                item=task.id,
                parent=ref.plan,
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
            yield _plan_finding(
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
        yield _plan_finding(
            lp,
            UNKNOWN_STAND_IN,
            ("document",),
            f"document.targets_from names {named.plan!r}, {problem}: children of this plan are "
            "compared with no targets at all",
            parent=named.plan,
        )


_PLAN = "id: haiphong/142-KH-UBND\n"

SCHEMA_VIOLATION = Rule(
    code="PC101",
    name="schema-violation",
    severity="error",
    scope="loader",
    summary="A plan or the catalogue does not match the model: a missing or unknown key, a wrong type, "
    "an unreadable bound or deadline, an impossible date.",
    why="Every later rule relies on the model; an unknown key is usually a typo that would drop data.",
    example="targets:\n  - id: t1\n    indicatr: digital-economy-share   # typo\n    year: 2030",
    instead="targets:\n  - id: t1\n    indicator: digital-economy-share\n    year: 2030",
)

UNKNOWN_INDICATOR = Rule(
    code="PC102",
    name="unknown-indicator",
    severity="error",
    scope="plan",
    summary="A target names an indicator that is not in `indicators.yaml`.",
    why="Two plans are comparable only through the shared catalogue; an unknown id is never compared.",
    example="indicator: digital-economy   # not catalogued",
    instead="indicator: digital-economy-share",
    check=unknown_indicator,
)

UNIT_MISMATCH = Rule(
    code="PC103",
    name="unit-mismatch",
    severity="error",
    scope="plan",
    summary="A target's `unit` differs from its indicator's catalogue unit.",
    why="Comparing 40 (% GDP) with 40 (%/year) would be meaningless; the unit is checked, not converted.",
    example="indicator: digital-economy-share\nunit: '%'",
    instead="indicator: digital-economy-share\nunit: '% GDP'",
    check=unit_mismatch,
)

PLAN_ID_MISMATCH = Rule(
    code="PC104",
    name="plan-id-mismatch",
    severity="error",
    scope="plan",
    summary="A plan's `id` is not its path under the plan tree without the extension.",
    why="Other plans refer to it by id; a copied file with a stale id would shadow or hide a plan.",
    example=_PLAN + "# in plans/haiphong/89-CTr-TU.yaml",
    instead="id: haiphong/89-CTr-TU",
    check=plan_id_mismatch,
)

UNKNOWN_PARENT = Rule(
    code="PC105",
    name="unknown-parent",
    severity="error",
    scope="plan",
    summary="`implements` names a plan id that no file in the tree has.",
    why="A plan whose parent is missing is silently checked against nothing.",
    example="implements: [national/57-NQ-TW, haiphong/238-KH-UBND]   # not encoded",
    instead="implements: [national/57-NQ-TW, haiphong/142-KH-UBND]\nnotes: [238/KH-UBND is not among the sources]",
    check=unknown_parent,
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

PARENT_BELOW_CHILD = Rule(
    code="PC107",
    name="parent-below-child",
    severity="error",
    scope="edge",
    summary="A plan implements a plan whose jurisdiction level is below its own (a province implementing a ward).",
    why="Targets flow downward; an upside-down edge is an encoding mistake in `implements` or `level`.",
    example="jurisdiction: {level: province}\nimplements: [hongbang/106-KH-UBND]",
    instead="jurisdiction: {level: province}\nimplements: [national/57-NQ-TW]",
    check=parent_below_child,
)

DUPLICATE_ITEM_ID = Rule(
    code="PC108",
    name="duplicate-item-id",
    severity="error",
    scope="plan",
    summary="Two targets, or two tasks, of one plan share an id.",
    why="Ids tie findings, waivers and diffs to one item; a duplicate makes them ambiguous.",
    example="targets:\n  - id: PL2-6-2030\n  - id: PL2-6-2030",
    instead="targets:\n  - id: PL2-6-2030\n  - id: PL2-6-2035",
    check=duplicate_item_id,
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

DUPLICATE_INDICATOR = Rule(
    code="PC110",
    name="duplicate-indicator",
    severity="error",
    scope="loader",
    summary="The catalogue defines the same indicator id twice.",
    why="Two definitions may disagree on unit or direction; which one wins would be an accident.",
    example="indicators:\n  - id: tfp-contribution\n  - id: tfp-contribution",
    instead="indicators:\n  - id: tfp-contribution",
)

CATALOGUE_RELATION_INVALID = Rule(
    code="PC209",
    name="catalogue-relation-invalid",
    severity="error",
    scope="loader",
    summary="A catalogue relation (`relations: [{contains: ...}]`) names an indicator that is not in the "
    "catalogue, relates anything but two shares in one unit, or closes a cycle; or a `close_to` "
    "entry names an indicator that is not in the catalogue.",
    why="The comparison reads '100 % of the whole implies 100 % of the part' from these relations; "
    "a wrong one would turn a real gap into a pass.",
    example="  - id: electronic-work-processing-share\n    relations:\n      - {contains: no-such-indicator, "
    "reason: ...}",
    instead="    relations:\n      - {contains: electronic-work-processing-share-commune-level, reason: "
    "agencies at commune level are among all state administrative agencies}",
)

DUPLICATE_PLAN_ID = Rule(
    code="PC112",
    name="duplicate-plan-id",
    severity="error",
    scope="loader",
    summary="Two files in the plan tree declare the same plan `id`.",
    why="Only one of them can be the plan others implement; the other would be silently ignored.",
    example="# plans/province/KH-9.yaml, a copy\nid: province/KH-1",
    instead="id: province/KH-9",
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

UNKNOWN_PARENT_TASK = Rule(
    code="PC111",
    name="unknown-parent-task",
    severity="info",
    scope="plan",
    summary="A task implements a parent task that the parent plan does not have, or a plan not in `implements`.",
    why="The deadline comparison for that task silently does nothing. Info by default: the Government "
    "programme's own task table is only partly encoded.",
    example="implements: {plan: national/71-NQ-CP, task: '99'}",
    instead="implements: {plan: national/71-NQ-CP, task: '4'}",
    check=unknown_parent_task,
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

DUPLICATE_PARENT = Rule(
    code="PC120",
    name="duplicate-parent",
    severity="warning",
    scope="plan",
    summary="`implements` names the same plan more than once.",
    why="The plan is compared with that parent once; a repeat is usually a copy-paste slip that hides "
    "the parent the encoder meant to name.",
    example="implements: [national/57-NQ-TW, national/57-NQ-TW]",
    instead="implements: [national/57-NQ-TW, national/71-NQ-CP]",
    check=duplicate_parent,
)

RULES = [
    SCHEMA_VIOLATION,
    UNKNOWN_INDICATOR,
    UNIT_MISMATCH,
    PLAN_ID_MISMATCH,
    UNKNOWN_PARENT,
    IMPLEMENTS_CYCLE,
    PARENT_BELOW_CHILD,
    DUPLICATE_ITEM_ID,
    MISSING_CATALOGUE,
    DUPLICATE_INDICATOR,
    CATALOGUE_RELATION_INVALID,
    DUPLICATE_PLAN_ID,
    IMPLEMENTS_NOTHING,
    UNKNOWN_PARENT_TASK,
    IMPLEMENTS_REPLACED_PLAN,
    UNKNOWN_STAND_IN,
    DUPLICATE_PARENT,
]
