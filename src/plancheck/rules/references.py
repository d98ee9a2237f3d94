"""PC1xx: schema and references — does each file say what the model allows and name what exists."""

from __future__ import annotations

from collections.abc import Iterator

from plancheck.findings import Finding
from plancheck.hints import Suggester
from plancheck.inforce import in_force, issue_date, replacements
from plancheck.model import LEVEL_RANK, Measure, Task
from plancheck.planset import LoadedPlan, PlanSet, parent_ids
from plancheck.rules.base import Rule


def _plan_finding(
    lp: LoadedPlan, code: str, loc: tuple[str | int, ...], message: str, **ctx: object
) -> Finding:
    line, col = lp.pos(*loc)
    return Finding.make(code, lp.path, line, col, message, plan=lp.id, ctx=dict(ctx))


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
                "PC102",
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
                    "PC102",
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
                "PC103",
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
            "PC104",
            ("id",),
            f"plan {lp.plan.id!r} is outside the plan tree (no {'indicators.yaml'} above it), so its id "
            "cannot be checked",
        )
    elif lp.plan.id != lp.expected_id:
        yield _plan_finding(
            lp,
            "PC104",
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
                "PC105",
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
                            "PC106",
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
            "PC120",
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
            "PC107",
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
                    "PC108",
                    (kind, i, "id"),
                    f"{kind[:-1]} id {item_id!r} is used twice (first at line {line})",
                    item=item_id,
                )
            else:
                first[item_id] = i


def missing_catalogue(ps: PlanSet) -> Iterator[Finding]:
    if ps.root is None and ps.files:
        lp = ps.files[0]
        yield Finding.make(
            "PC109",
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
                "PC111",
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
                "PC111",
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
    yield Finding.make(
        "PC113",
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
                "PC125",
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
            "PC126",
            ("document",),
            f"document.targets_from names {named.plan!r}, {problem}: children of this plan are "
            "compared with no targets at all",
            parent=named.plan,
        )


_PLAN = "id: haiphong/142-KH-UBND\n"

RULES = [
    Rule(
        "PC101",
        "schema-violation",
        "error",
        "loader",
        "A plan or the catalogue does not match the model: a missing or unknown key, a wrong type, "
        "an unreadable bound or deadline, an impossible date.",
        "Every later rule relies on the model; an unknown key is usually a typo that would drop data.",
        "targets:\n  - id: t1\n    indicatr: digital-economy-share   # typo\n    year: 2030",
        "targets:\n  - id: t1\n    indicator: digital-economy-share\n    year: 2030",
    ),
    Rule(
        "PC102",
        "unknown-indicator",
        "error",
        "plan",
        "A target names an indicator that is not in `indicators.yaml`.",
        "Two plans are comparable only through the shared catalogue; an unknown id is never compared.",
        "indicator: digital-economy   # not catalogued",
        "indicator: digital-economy-share",
        unknown_indicator,
    ),
    Rule(
        "PC103",
        "unit-mismatch",
        "error",
        "plan",
        "A target's `unit` differs from its indicator's catalogue unit.",
        "Comparing 40 (% GDP) with 40 (%/year) would be meaningless; the unit is checked, not converted.",
        "indicator: digital-economy-share\nunit: '%'",
        "indicator: digital-economy-share\nunit: '% GDP'",
        unit_mismatch,
    ),
    Rule(
        "PC104",
        "plan-id-mismatch",
        "error",
        "plan",
        "A plan's `id` is not its path under the plan tree without the extension.",
        "Other plans refer to it by id; a copied file with a stale id would shadow or hide a plan.",
        _PLAN + "# in plans/haiphong/89-CTr-TU.yaml",
        "id: haiphong/89-CTr-TU",
        plan_id_mismatch,
    ),
    Rule(
        "PC105",
        "unknown-parent",
        "error",
        "plan",
        "`implements` names a plan id that no file in the tree has.",
        "A plan whose parent is missing is silently checked against nothing.",
        "implements: [national/57-NQ-TW, haiphong/238-KH-UBND]   # not encoded",
        "implements: [national/57-NQ-TW, haiphong/142-KH-UBND]\nnotes: [238/KH-UBND is not among the sources]",
        unknown_parent,
    ),
    Rule(
        "PC106",
        "implements-cycle",
        "error",
        "tree",
        "Following `implements` from a plan leads back to it.",
        "A hierarchy with a loop has no top; every comparison along it would be circular.",
        "id: a/x\nimplements: [a/x]",
        "id: a/x\nimplements: [national/57-NQ-TW]",
        implements_cycle,
    ),
    Rule(
        "PC107",
        "parent-below-child",
        "error",
        "edge",
        "A plan implements a plan whose jurisdiction level is below its own (a province implementing a ward).",
        "Targets flow downward; an upside-down edge is an encoding mistake in `implements` or `level`.",
        "jurisdiction: {level: province}\nimplements: [hongbang/106-KH-UBND]",
        "jurisdiction: {level: province}\nimplements: [national/57-NQ-TW]",
        parent_below_child,
    ),
    Rule(
        "PC108",
        "duplicate-item-id",
        "error",
        "plan",
        "Two targets, or two tasks, of one plan share an id.",
        "Ids tie findings, waivers and diffs to one item; a duplicate makes them ambiguous.",
        "targets:\n  - id: PL2-6-2030\n  - id: PL2-6-2030",
        "targets:\n  - id: PL2-6-2030\n  - id: PL2-6-2035",
        duplicate_item_id,
    ),
    Rule(
        "PC109",
        "missing-catalogue",
        "error",
        "tree",
        "No `indicators.yaml` in the folder of the given paths or above it.",
        "Without the catalogue no target can be compared and no plan id checked.",
        "plans/haiphong/89-CTr-TU.yaml   # but no plans/indicators.yaml",
        "plans/indicators.yaml",
        missing_catalogue,
    ),
    Rule(
        "PC110",
        "duplicate-indicator",
        "error",
        "loader",
        "The catalogue defines the same indicator id twice.",
        "Two definitions may disagree on unit or direction; which one wins would be an accident.",
        "indicators:\n  - id: tfp-contribution\n  - id: tfp-contribution",
        "indicators:\n  - id: tfp-contribution",
    ),
    Rule(
        "PC209",
        "catalogue-relation-invalid",
        "error",
        "loader",
        "A catalogue relation (`relations: [{contains: ...}]`) names an indicator that is not in the "
        "catalogue, relates anything but two shares in one unit, or closes a cycle; or a `close_to` "
        "entry names an indicator that is not in the catalogue.",
        "The comparison reads '100 % of the whole implies 100 % of the part' from these relations; "
        "a wrong one would turn a real gap into a pass.",
        "  - id: electronic-work-processing-share\n    relations:\n      - {contains: no-such-indicator, "
        "reason: ...}",
        "    relations:\n      - {contains: electronic-work-processing-share-commune-level, reason: "
        "agencies at commune level are among all state administrative agencies}",
    ),
    Rule(
        "PC112",
        "duplicate-plan-id",
        "error",
        "loader",
        "Two files in the plan tree declare the same plan `id`.",
        "Only one of them can be the plan others implement; the other would be silently ignored.",
        "# plans/province/KH-9.yaml, a copy\nid: province/KH-1",
        "id: province/KH-9",
    ),
    Rule(
        "PC113",
        "implements-nothing",
        "error",
        "plan",
        "A province, district or commune plan has an empty (or no) `implements`.",
        "Every lower plan implements at least one higher plan; with none, no target or deadline of it "
        "is ever compared, so a plan that drops its `implements` would pass every check.",
        "id: hongbang/106-KH-UBND\njurisdiction: {level: commune}\nimplements: []",
        "id: hongbang/106-KH-UBND\njurisdiction: {level: commune}\n"
        "implements: [national/57-NQ-TW, national/71-NQ-CP, haiphong/142-KH-UBND]",
        implements_nothing,
    ),
    Rule(
        "PC111",
        "unknown-parent-task",
        "info",
        "plan",
        "A task implements a parent task that the parent plan does not have, or a plan not in `implements`.",
        "The deadline comparison for that task silently does nothing. Info by default: the Government "
        "programme's own task table is only partly encoded.",
        "implements: {plan: national/71-NQ-CP, task: '99'}",
        "implements: {plan: national/71-NQ-CP, task: '4'}",
        unknown_parent_task,
    ),
    Rule(
        "PC125",
        "implements-replaced-plan",
        "warning",
        "tree",
        "A plan implements a programme that another plan of the tree had already replaced when this "
        "plan was issued (`document.replaces` of the newer one names it, and the newer one was issued "
        "on or before this plan's date). The plan is compared with the version in force on its issue "
        "date, not with the one it cites.",
        "A replaced programme is history: its targets and deadlines no longer bind anyone, so a plan "
        "that cites it was probably drafted against the old text, or names the wrong parent.",
        "# 71/NQ-CP (2025-04-01) replaces 03/NQ-CP\ndocument: {issued: '2025-06-09', ...}\n"
        "implements: [national/57-NQ-TW, national/03-NQ-CP]",
        "document: {issued: '2025-06-09', ...}\nimplements: [national/57-NQ-TW, national/71-NQ-CP]",
        cites_replaced_plan,
    ),
    Rule(
        "PC126",
        "unknown-stand-in",
        "error",
        "tree",
        "`document.targets_from` names a plan id that no file in the tree has, a plan that names a "
        "stand-in itself (a chain or a cycle).",
        "The plan has no targets of its own, so its children would be compared with nothing and every "
        "gap would go unreported.",
        "document:\n  targets_from: {plan: national/03-NQCP, reason: ...}   # misspelt",
        "document:\n  targets_from: {plan: national/03-NQ-CP, reason: ...}",
        unknown_stand_in,
    ),
    Rule(
        "PC120",
        "duplicate-parent",
        "warning",
        "plan",
        "`implements` names the same plan more than once.",
        "The plan is compared with that parent once; a repeat is usually a copy-paste slip that hides "
        "the parent the encoder meant to name.",
        "implements: [national/57-NQ-TW, national/57-NQ-TW]",
        "implements: [national/57-NQ-TW, national/71-NQ-CP]",
        duplicate_parent,
    ),
]
