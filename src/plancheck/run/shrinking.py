"""`--base`: changes that shrink the check without raising a target (PC014): configuration,
waivers, stand-ins, deleted plans and parents.
"""

from __future__ import annotations

from collections import Counter

from plancheck.check.plandiff import diff_plans
from plancheck.config import Config, setting_line
from plancheck.findings import SEVERITY_ORDER, Finding, sort_findings
from plancheck.load.discover import display_path
from plancheck.load.plan import LoadedPlan, load_plan
from plancheck.load.planset import PlanSet
from plancheck.model import Elsewhere, Waiver
from plancheck.rules.input import CHANGE_SHRINKS_THE_CHECK
from plancheck.run.evidence import about


def _setting(f: Finding, lowered: bool, head: Config, base: Config) -> tuple[str, tuple[str, ...]]:
    """The key of [tool.plancheck] (and the code under it) that hides or lowers ``f``."""
    from plancheck.rules.registry import RULES

    code = f.code
    if not lowered and not head.enabled(code):
        if head.select and not any(code.startswith(s) for s in head.select):
            return "select", ()
        return "ignore", ()
    # set lower here, or set higher on the base and no longer here
    if lowered and head.severity.get(code) != base.severity.get(code):
        rule = RULES.get(code)
        return "severity", (code, rule.name) if rule is not None else (code,)
    if head.max_file_size < base.max_file_size:
        return "max-file-size", ()
    if head.as_of != base.as_of:
        return "as-of", ()
    if head.sources != base.sources:
        return "sources", ()
    return "", ()


def config_shrinks(
    judged: list[Finding], current: list[Finding], head: Config, base: Config, before: list[Finding]
) -> list[Finding]:
    """PC014 at the line of each setting of the head's [tool.plancheck] that removes or lowers a
    finding the base's configuration gives on the same tree; a laxer fail-on too. The findings
    named first are those the base did not have (what the setting lets this change add unseen),
    the most severe first."""
    was = Counter(f.identity() for f in before)
    now: dict[tuple[object, ...], list[Finding]] = {}
    for f in current:
        if f.waived is None:
            now.setdefault(f.identity(), []).append(f)
    hidden: dict[tuple[str, tuple[str, ...]], list[tuple[Finding, bool]]] = {}
    for f in sort_findings(judged):
        if f.waived is not None:
            continue
        same = now.get(f.identity())
        match = same.pop(0) if same else None
        if match is not None and SEVERITY_ORDER[match.severity] >= SEVERITY_ORDER[f.severity]:
            continue
        lowered = match is not None
        hidden.setdefault(_setting(f, lowered, head, base), []).append((f, lowered))
    where = head.pyproject or base.pyproject
    path = display_path(where) if where is not None else "pyproject.toml"
    out: list[Finding] = []
    for (key, subs), items in sorted(hidden.items()):
        gone = sum(1 for _, lowered in items if not lowered)
        label = f"{key}.{subs[0]}" if subs else key or "[tool.plancheck]"
        what = " and ".join(
            part
            for part in (
                f"hides {gone} finding{'s' if gone != 1 else ''}" if gone else "",
                f"lowers {len(items) - gone} finding{'s' if len(items) - gone != 1 else ''}"
                if len(items) - gone
                else "",
            )
            if part
        )
        codes = Counter(f.code for f, _ in items)
        fresh = {id(f) for f, _ in items if was[f.identity()] == 0}
        items.sort(key=lambda item: (id(item[0]) not in fresh, -SEVERITY_ORDER[item[0].severity]))
        named = "; ".join(
            f"{f.code} {f.severity}{' (new)' if id(f) in fresh else ''} in {f.path}: {f.message[:100]}"
            for f, _ in items[:5]
        )
        if fresh:
            what += f" ({len(fresh)} of them not on the base)"
        more = f"; and {len(items) - 5} more" if len(items) > 5 else ""
        out.append(
            CHANGE_SHRINKS_THE_CHECK.finding(
                path,
                setting_line(head.text, key, subs) if head.text and key else 1,
                1,
                f"this change's configuration ({label}) {what} that the base's own configuration "
                f"reports on this tree ({', '.join(f'{c} x{n}' for c, n in sorted(codes.items()))}): "
                f"{named}{more}",
                ctx={"setting": label},
            )
        )
    if SEVERITY_ORDER[head.fail_on] > SEVERITY_ORDER[base.fail_on]:
        out.append(
            CHANGE_SHRINKS_THE_CHECK.finding(
                path,
                setting_line(head.text, "fail-on") if head.text else 1,
                1,
                f"this change's configuration fails on {head.fail_on} and above only, where the base's "
                f"failed on {base.fail_on}: without --fail-on, --base keeps the stricter",
                ctx={"setting": "fail-on"},
            )
        )
    return out


def waived_new(f: Finding) -> Finding:
    """PC014 for a finding new on the head that a waiver covers (one already on the base, or
    one added with it): a waiver naming only a rule and an indicator would otherwise absorb
    every later weakening on that indicator, for every year and parent, unseen."""
    return CHANGE_SHRINKS_THE_CHECK.finding(
        f.path,
        f.line,
        f.column,
        f"this change adds a {f.severity} that a waiver hides (waived: {f.waived}): a waiver "
        f"covers the findings it was approved for, not a new one: {f.code} {f.message}",
        plan=f.plan,
        ctx={
            "was": f.code,
            "waiver": f.code,
            **about(f),
        },
    )


def _at_key(lp: LoadedPlan, key: str, message: str, **ctx: str) -> Finding:
    line, column = lp.pos(key, prefer_key=True)
    return CHANGE_SHRINKS_THE_CHECK.finding(lp.path, line, column, message, plan=lp.id, ctx=ctx or None)


def _stand_in(lp: LoadedPlan, plan: str) -> Finding:
    return _at_key(
        lp,
        "document",
        f"this change makes {plan} stand in for the plan's targets: it is not compared with its "
        "parents on targets of its own",
        targets_from=plan,
    )


def _waiver_scope(w: Waiver) -> tuple[object, ...]:
    return (w.rule, w.parent, w.indicator, w.year, w.task)


def _new_waivers(lp: LoadedPlan, before: set[tuple[object, ...]]) -> list[Finding]:
    """A waiver new on the head (or one whose scope changed, which may widen it) turns findings
    into 'waived' as quietly as a setting would: it needs review like configuration."""
    assert lp.plan is not None
    out: list[Finding] = []
    for i, w in enumerate(lp.plan.waivers):
        if _waiver_scope(w) in before:
            continue
        line, column = lp.pos("waivers", i)
        scope = ", ".join(
            f"{k} {v}"
            for k, v in (("parent", w.parent), ("indicator", w.indicator), ("year", w.year), ("task", w.task))
            if v is not None
        )
        out.append(
            CHANGE_SHRINKS_THE_CHECK.finding(
                lp.path,
                line,
                column,
                f"this change waives {w.rule}{' for ' + scope if scope else ''} (approved by {w.approved_by}): "
                "the findings it covers are no longer counted",
                plan=lp.id,
                ctx={"waiver": w.rule},
            )
        )
    return out


def shrinking(then: PlanSet, now: PlanSet, changed: set[str]) -> list[Finding]:
    """PC014: what the change removes from the check without raising any target."""
    out: list[Finding] = []
    present = {lp.path for lp in now.files}
    for lp in then.files:
        # a plan renamed or moved within the tree (`git mv`, .yaml to .yml) is still checked
        if lp.path in changed and lp.path not in present and lp.id and lp.id not in now.plans:
            out.append(
                CHANGE_SHRINKS_THE_CHECK.finding(
                    lp.path,
                    1,
                    1,
                    f"this change deletes the plan {lp.id}: its findings leave the check with it",
                    plan=lp.id,
                )
            )
    out += _edited_while_invalid(then, now, changed)
    for pid, lp in sorted(now.plans.items()):
        old = then.plans.get(pid)
        if lp.plan is None or (old is not None and old.plan is None):
            continue
        if old is None or old.plan is None:
            # a new plan: what it declares that removes it from the check needs review as well
            if lp.plan.document.targets_from is not None:
                out.append(_stand_in(lp, lp.plan.document.targets_from.plan))
            out += _new_waivers(lp, set())
            out += [_elsewhere(lp, e) for e in lp.plan.elsewhere]
            continue
        if lp.path not in changed and old.path not in changed:
            continue
        out += _full_changes(old, lp, then, now)
        for parent in lp.plan.implements:
            if _unusable(parent, now) and _unusable(parent, then):
                # compared with that parent on neither side: the edit is unchecked against it
                out.append(
                    _at_key(
                        lp,
                        "implements",
                        f"this change edits a plan that is compared with {parent} on neither side: "
                        "that parent has errors (or is missing) on the base and here",
                        parent=parent,
                    )
                )
        for parent in sorted(set(old.plan.implements) - set(lp.plan.implements)):
            out.append(
                _at_key(
                    lp,
                    "implements",
                    f"this change drops {parent} from implements: the plan is no longer compared with it",
                    parent=parent,
                )
            )
        # a stand-in named or changed: the plan is no longer compared with its parents on its own
        # targets, and its children meet another table
        was, now_from = old.plan.document.targets_from, lp.plan.document.targets_from
        if now_from is not None and (was is None or was.plan != now_from.plan):
            out.append(_stand_in(lp, now_from.plan))
        out += _new_waivers(lp, {_waiver_scope(w) for w in old.plan.waivers})
        if old.plan.document.source is not None and lp.plan.document.source is None:
            out.append(
                _at_key(
                    lp,
                    "document",
                    f"this change removes document.source ({old.plan.document.source}): the plan's "
                    "labels are no longer checked against its text",
                    source=old.plan.document.source,
                )
            )
        # an earlier document added to `replaces` moves the date the deadline rules count from
        earliest_before = min((str(r.issued) for r in old.plan.document.replaces), default=None)
        earliest_now = min((str(r.issued) for r in lp.plan.document.replaces), default=None)
        if earliest_now is not None and (earliest_before is None or earliest_now < earliest_before):
            out.append(
                _at_key(
                    lp,
                    "document",
                    f"this change dates the plan's first version {earliest_now} (document.replaces): "
                    "deadlines are now counted from it",
                    replaces=earliest_now,
                )
            )
        # a declaration widened to more tasks excuses more: it counts as added
        before = {(e.items, e.where, tuple(e.tasks)) for e in old.plan.elsewhere}
        added = [e for e in lp.plan.elsewhere if (e.items, e.where, tuple(e.tasks)) not in before]
        out += [_elsewhere(lp, e) for e in added]
    return out


def _elsewhere(lp: LoadedPlan, e: Elsewhere) -> Finding:
    return _at_key(
        lp,
        "elsewhere",
        f"this change declares the plan's {e.items} to be in {e.where!r}: gaps on them become unverifiable",
        items=e.items,
    )


def _edited_while_invalid(then: PlanSet, now: PlanSet, changed: set[str]) -> list[Finding]:
    """A plan file with errors on the base and on the changed tree is compared on neither: an
    edit inside it (a target lowered behind an error already there) goes unchecked."""
    invalid_then = {lp.path for lp in then.files if lp.plan is None}
    return [
        CHANGE_SHRINKS_THE_CHECK.finding(
            lp.path,
            1,
            1,
            "this change edits a plan that has errors on the base and still has them: nothing in "
            "it is compared until they are fixed, so the edit is not checked",
        )
        for lp in now.files
        if lp.plan is None and lp.path in changed and lp.path in invalid_then
    ]


# what a change to a plan that implements nothing (the root, 57-NQ-TW) may do unseen: nothing
# above it judges its targets and deadlines, and its children are held only to what it says
_LOOSER = ("relaxed", "softened", "deadline-later", "removed", "moved", "changed", "deadline-changed")


def _full_changes(old: LoadedPlan, lp: LoadedPlan, then: PlanSet, now: PlanSet) -> list[Finding]:
    """PC014 on what only the plans' targets and tasks show (the summaries hold neither): a task
    newly claimed as carried over, and a root plan made looser."""
    before, after = _full(old, then), _full(lp, now)
    if before is None or after is None:
        return []
    assert before.plan is not None and after.plan is not None
    out: list[Finding] = []
    claimed = {t.id: t.carried_from for t in before.plan.tasks}
    for i, task in enumerate(after.plan.tasks):
        if task.carried_from is not None and claimed.get(task.id) != task.carried_from:
            line, column = after.pos("tasks", i, "carried_from")
            out.append(
                CHANGE_SHRINKS_THE_CHECK.finding(
                    lp.path,
                    line,
                    column,
                    f"this change claims task {task.id} is carried over from {task.carried_from.number}: "
                    "its deadline is now counted from that document's date",
                    plan=lp.id,
                    ctx={"item": task.id},
                )
            )
    # a root on the base: a parent named in the same change (a new, empty plan, say) judges
    # nothing the base's root promised
    if not before.plan.implements:
        looser = [c for c in diff_plans(before.plan, after.plan, now.indicators) if c.kind in _LOOSER]
        was_due, due = before.plan.document.lower_plans_due, after.plan.document.lower_plans_due
        if was_due is not None and str(was_due.due) != (str(due.due) if due is not None else None):
            ends = (was_due.due.end, due.due.end if due is not None else None)
            if ends[1] is None or ends[0] is None or ends[1] > ends[0]:
                out.append(
                    _at_key(
                        lp,
                        "document",
                        f"this change moves lower_plans_due of {lp.id}, a plan that implements nothing on the base, "
                        f"from {was_due.due} to {due.due if due is not None else 'nothing'}: no parent "
                        "judges it, and every plan below is held to it",
                        item="lower_plans_due",
                    )
                )
        for c in looser:
            out.append(
                _at_key(
                    lp,
                    "targets"
                    if c.kind in ("relaxed", "softened", "removed", "moved", "changed")
                    else "tasks",
                    f"this change makes {lp.id}, a plan that implements nothing on the base, looser ({c.kind} "
                    f"{c.item}: {c.detail}): no parent judges it, and every plan below is held to it",
                    item=c.item,
                )
            )
    return out


def _unusable(pid: str, ps: PlanSet) -> bool:
    """No valid plan ``pid`` in the set (it has errors, or no file claims it)."""
    lp = ps.plans.get(pid)
    return lp is None or lp.plan is None


def _full(lp: LoadedPlan, ps: PlanSet) -> LoadedPlan | None:
    """The plan with its targets and tasks (the pipeline keeps summaries without them)."""
    if lp.plan is not None and (lp.plan.targets or lp.plan.tasks):
        return lp
    again = load_plan(lp.file, ps.root)
    return again if again.plan is not None else None
