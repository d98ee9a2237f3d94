"""PC1xx: schema and references — does each file say what the model allows and name what exists."""

from __future__ import annotations

from collections.abc import Iterator

from plancheck.findings import Finding
from plancheck.hints import Suggester
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.model import LEVEL_RANK, Measure, Task
from plancheck.rules.base import Rule
from plancheck.rules.hierarchy import (
    IMPLEMENTS_CYCLE,
    IMPLEMENTS_NOTHING,
    IMPLEMENTS_REPLACED_PLAN,
    MISSING_CATALOGUE,
    UNKNOWN_STAND_IN,
    plan_finding,
)
from plancheck.rules.schema import (
    CATALOGUE_RELATION_INVALID,
    DUPLICATE_INDICATOR,
    DUPLICATE_PLAN_ID,
    SCHEMA_VIOLATION,
)

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
            yield plan_finding(
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
                yield plan_finding(
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
            yield plan_finding(
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
        yield plan_finding(
            lp,
            PLAN_ID_MISMATCH,
            ("id",),
            f"plan {lp.plan.id!r} is outside the plan tree (no {'indicators.yaml'} above it), so its id "
            "cannot be checked",
        )
    elif lp.plan.id != lp.expected_id:
        yield plan_finding(
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
            yield plan_finding(
                lp,
                UNKNOWN_PARENT,
                ("implements", i),
                f"implements {parent!r}, but no plan has that id",
                parent=parent,
            )


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
        yield plan_finding(
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
        yield plan_finding(
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
                yield plan_finding(
                    lp,
                    DUPLICATE_ITEM_ID,
                    (kind, i, "id"),
                    f"{kind[:-1]} id {item_id!r} is used more than once (first at line {line})",
                    item=item_id,
                )
            else:
                first[item_id] = i


def unknown_parent_task(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    for i, task in enumerate(lp.plan.tasks):
        ref = task.implements
        if ref is None:
            continue
        parent = ps.plans.get(ref.plan)
        if ref.plan not in lp.plan.implements:
            yield plan_finding(
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
            yield plan_finding(
                lp,
                UNKNOWN_PARENT_TASK,
                ("tasks", i, "implements", "task"),
                f"task {task.id} implements task {ref.task!r} of {ref.plan!r}, which has no such task",
                item=task.id,
                parent=ref.plan,
            )


_PLAN = "id: haiphong/142-KH-UBND\n"


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
    summary="Two targets, or two tasks, of one plan share an id; or two values of one results file.",
    why="Ids tie findings, waivers and diffs to one item; a duplicate makes them ambiguous.",
    example="targets:\n  - id: PL2-6-2030\n  - id: PL2-6-2030",
    instead="targets:\n  - id: PL2-6-2030\n  - id: PL2-6-2035",
    check=duplicate_item_id,
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


# the whole PC1xx family, as the registry collects it: the loader's rules are defined in
# rules/schema.py, those on the hierarchy as a whole in rules/hierarchy.py
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
