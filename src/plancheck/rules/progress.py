"""PC6xx: progress — reported results and task statuses (``results/``) against the plans, as of a date.

These rules run only when a results folder sits beside the plan tree; see ``plancheck.check.progress``.
They are pure: each takes the prepared ``Progress`` and yields its findings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from plancheck.findings import Finding
from plancheck.model.bound import format_number
from plancheck.rules.base import Rule
from plancheck.rules.provenance import LINE_WINDOW, SourceText, _read_source, fold, source_path

if TYPE_CHECKING:  # the results model is imported only by runs that have a results folder
    from plancheck.check.progress import Progress
    from plancheck.load.results import Placed
    from plancheck.model.results import ResultSource


def target_progress(progress: Progress) -> Iterator[Finding]:
    """One finding per judged target, by its status (PC602-PC607), at the year of a milestone
    that has passed and at the bound of a target still ahead."""
    for a in progress.targets():
        judged = TARGET_STATUS.get(a.status)
        if judged is None:
            continue
        rule, key = judged
        line, col = a.lp.pos("targets", a.target._index, key)
        used = [f"{v.at.path}:{v.at.line}" for v in a.used]
        ctx = {**a.ctx, "item": a.target.id, "results": used}
        yield rule.finding(a.lp.path, line, col, a.message, plan=a.plan, ctx=ctx)


def task_progress(progress: Progress) -> Iterator[Finding]:
    """One finding per task past its deadline and not reported done (PC608, PC609)."""
    for a in progress.tasks():
        rule = TASK_OUTCOME.get(a.outcome)
        if rule is None:
            continue
        line, col = a.lp.pos("tasks", a.task._index, "due")
        ctx: dict[str, object] = {"item": a.task.id, "status": a.outcome, "child_bound": str(a.task.due)}
        if a.report is not None:
            ctx["report"] = f"{a.report.at.path}:{a.report.at.line}"
            ctx["reported_status"] = a.report.item.status
            ctx["reported_as_of"] = a.report.item.as_of.isoformat()
        yield rule.finding(a.lp.path, line, col, a.message, plan=a.plan, ctx=ctx)


def unknown_references(progress: Progress) -> Iterator[Finding]:
    places = {lp.plan.jurisdiction.code for lp in progress.plans.values() if lp.plan is not None}
    for v in progress.results.values:
        if v.item.jurisdiction not in places:
            # kept for when a plan of that place is encoded; said, so that a renamed code shows
            yield RESULT_REFERENCE_UNKNOWN.finding(
                v.at.path,
                v.at.line,
                v.at.column,
                f"value {v.item.id}: no plan has jurisdiction {v.item.jurisdiction!r}; it is not compared",
                ctx={"item": v.item.id, "jurisdiction": v.item.jurisdiction},
                severity="info",
            )
        if v.item.indicator is not None and v.item.indicator not in progress.indicators:
            yield RESULT_REFERENCE_UNKNOWN.finding(
                v.at.path,
                v.at.line,
                v.at.column,
                f"value {v.item.id}: indicator {v.item.indicator!r} is not in the catalogue",
                ctx={"item": v.item.id, "indicator": v.item.indicator},
            )
    for s in progress.results.statuses:
        lp = progress.plans.get(s.item.plan)
        if lp is None:
            message = f"status of task {s.item.task}: no plan {s.item.plan!r}"
        elif lp.plan is not None and all(t.id != s.item.task for t in lp.plan.tasks):
            message = f"status of task {s.item.task}: {s.item.plan} has no such task"
        else:
            continue
        yield RESULT_REFERENCE_UNKNOWN.finding(
            s.at.path,
            s.at.line,
            s.at.column,
            message,
            ctx={"item": s.item.task, "parent": s.item.plan},
        )


def not_comparable(progress: Progress) -> Iterator[Finding]:
    from plancheck.check.progress import not_comparable_reason

    for v in progress.results.values:
        indicator = progress.indicators.get(v.item.indicator or "")
        if indicator is None:
            continue
        reason = not_comparable_reason(v.item, indicator)
        if reason is not None:
            yield RESULT_NOT_COMPARABLE.finding(
                v.at.path,
                v.at.line,
                v.at.column,
                f"value {v.item.id} on {indicator.id} is not comparable: {reason}; it is never compared "
                "with a target",
                ctx={"item": v.item.id, "indicator": indicator.id, "status": "not-comparable"},
            )


# The wording of Vietnamese progress reports (the 402-CV-VPDU draft's "TIẾN ĐỘ" column and its
# summary: "hoàn thành", "đang thực hiện trong hạn", "đang thực hiện quá hạn") and the statuses
# each allows. "Đang thực hiện" allows overdue as well: a task in progress past its deadline is
# both, and saying overdue claims no more progress than the report does.
STATUS_LABELS: dict[str, frozenset[str]] = {
    "hoàn thành": frozenset({"done"}),
    "đã hoàn thành": frozenset({"done"}),
    "đang thực hiện": frozenset({"in-progress", "overdue"}),
    "đang triển khai": frozenset({"in-progress", "overdue"}),
    "đang thực hiện trong hạn": frozenset({"in-progress"}),
    "quá hạn": frozenset({"overdue"}),
    "đang thực hiện quá hạn": frozenset({"overdue"}),
    "chậm tiến độ": frozenset({"overdue"}),
    "chưa thực hiện": frozenset({"not-started", "overdue"}),
    "chưa triển khai": frozenset({"not-started", "overdue"}),
    "chưa hoàn thành": frozenset({"in-progress", "overdue", "not-started"}),
}


# letters that look like Đ/đ in the report's font: a label spelt with one must still read as the
# word it imitates (U+00D0 Ð and U+0189 Ɖ fold to ð and ɖ)
_LOOK_ALIKE = str.maketrans({"ð": "đ", "ɖ": "đ"})


def label_key(label: str) -> str:
    """A label as the table above spells it: compatibility forms folded (NFKC), lower case,
    look-alike letters of đ folded, punctuation (an ellipsis, a quotation mark) and invisible
    characters dropped, single spaces."""
    folded = unicodedata.normalize("NFKC", label).casefold().translate(_LOOK_ALIKE)
    kept = "".join(
        " " if unicodedata.category(c)[0] in "PSZ" else c
        for c in folded
        if unicodedata.category(c) not in ("Cf", "Cc")
    )
    return " ".join(unicodedata.normalize("NFC", kept).split())


DONE = frozenset({"done"})


def labels_contradicted(progress: Progress) -> Iterator[Finding]:
    for s in progress.results.statuses:
        allowed = STATUS_LABELS.get(label_key(s.item.status_label))
        if allowed is not None and s.item.status in allowed:
            continue
        if allowed is None and s.item.status != "done":
            continue  # another wording is not judged: it may be right, and it clears nothing
        # `done` is the status that clears an overdue warning: it needs a label that says so
        says = (
            f"says {' or '.join(sorted(allowed))}"
            if allowed is not None
            else "is not a wording that says done ('Hoàn thành', 'Đã hoàn thành')"
        )
        yield TASK_STATUS_CONTRADICTS_LABEL.finding(
            s.at.path,
            s.at.line,
            s.at.column,
            f"status of task {s.item.task} ({s.item.plan}) on {s.item.as_of} is {s.item.status}, but its "
            f"label {s.item.status_label!r} {says}",
            plan=None,
            ctx={"item": s.item.task, "parent": s.item.plan, "status": s.item.status},
        )


def number_forms(value: Decimal) -> set[str]:
    """How a number may be written in a source: 27.7 or 27,7; 12106, 12.106 or 12,106."""
    text = format_number(value)
    whole, _, decimals = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    forms = {text, text.replace(".", ",")}
    if len(digits) > 3:
        groups: list[str] = []
        while digits:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        for thousands, point in ((".", ","), (",", ".")):
            forms.add(sign + thousands.join(groups) + (point + decimals if decimals else ""))
    return forms


def _near(lines: tuple[str, ...], line: int) -> list[str]:
    return list(lines[max(0, line - 1 - LINE_WINDOW) : line + LINE_WINDOW])


def written(form: str, text: str) -> bool:
    """``form`` stands in ``text`` as a number of its own: "4,6" is not written in "14,6" or "4,65"."""
    return re.search(rf"(?<!\d)(?<!\d[.,]){re.escape(form)}(?!\d)(?![.,]\d)", text) is not None


def _source_problem(
    progress: Progress, src: ResultSource, at: Placed, what: str, item: str
) -> Iterator[Finding]:
    """Findings when ``src`` names a source text that is missing, or gives no line or one past its end."""
    if progress.sources is None or src.document is None:
        return
    path = source_path(progress.sources, src.document)
    text = _read_source(path, path.stat().st_mtime_ns) if path is not None and path.is_file() else None
    if text is None:
        yield RESULT_NOT_IN_SOURCE.finding(
            at.path,
            at.line,
            at.column,
            f"{what}: source {src.document!r} is not in the sources folder",
            ctx={"item": item, "source": src.document},
        )
        return
    if src.line is None:
        yield RESULT_NOT_IN_SOURCE.finding(
            at.path,
            at.line,
            at.column,
            f"{what}: source {src.document} is named without a line, so it cannot be checked there",
            ctx={"item": item, "source": src.document},
        )
        return
    if src.line > len(text.lines):
        yield RESULT_NOT_IN_SOURCE.finding(
            at.path,
            at.line,
            at.column,
            f"{what}: {src.document} has {len(text.lines)} lines, not {src.line}",
            ctx={"item": item, "source": src.document},
        )


def _checked_text(progress: Progress, src: ResultSource) -> tuple[SourceText, int] | None:
    """The source text and line of an entry whose `_source_problem` found nothing, else None."""
    if progress.sources is None or src.document is None or src.line is None:
        return None
    path = source_path(progress.sources, src.document)
    text = _read_source(path, path.stat().st_mtime_ns) if path is not None and path.is_file() else None
    return (text, src.line) if text is not None and src.line <= len(text.lines) else None


def _task_row(progress: Progress, plan: str, task: str, src: ResultSource, line: str) -> str | None:
    """Why the cited line is not the row of the task, or None when it is (or cannot be told).

    The task's own source names its row when it cites the same document; otherwise its title
    must stand on the line. A status taken from the row above or below says nothing of this task.
    """
    lp = progress.plans.get(plan)
    found = None if lp is None or lp.plan is None else next((t for t in lp.plan.tasks if t.id == task), None)
    if found is None:
        return None  # an unknown task is PC601's
    own = found.source
    if own is not None and own.document == src.document and own.line is not None:
        if own.line != src.line:
            return f"the task's own source puts its row at line {own.line}, not {src.line}"
        return None
    # a title is an excerpt: its start (before any elision) is what the row must hold
    title = fold(found.title).split("…")[0].split("...")[0].rstrip(" .;:")[:60]
    if title and title not in line:
        return f"line {src.line} does not hold the task's title"
    return None


def _target_lines(progress: Progress) -> dict[str, dict[int, str]]:
    """Per source text, the lines where a plan states a target ("plan target"): a number there
    is a promise, and no evidence of a result."""
    out: dict[str, dict[int, str]] = {}
    for pid, lp in sorted(progress.plans.items()):
        if lp.plan is None:
            continue
        for t in lp.plan.targets:
            doc = t.source.document or lp.plan.document.source
            if doc is not None and t.source.line is not None:
                out.setdefault(doc, {}).setdefault(t.source.line, f"{pid} ({t.id})")
    return out


def _own_phrase(label: str, row: str) -> bool:
    """The status wording stands as a phrase of its own: a table cell or a sentence's end, not the
    start of a longer phrase ("hoàn thành trong tháng 3/2025" is a deadline, not a status)."""
    return re.search(rf"(?<!\w){re.escape(label)}\s*(?:$|[|.;,)\]])", row) is not None


def results_provenance(progress: Progress) -> Iterator[Finding]:
    targets_at = _target_lines(progress)
    for v in progress.results.values:
        src = v.item.source
        problems = list(_source_problem(progress, src, v.at, f"value {v.item.id}", v.item.id))
        yield from problems
        checked = None if problems else _checked_text(progress, src)
        if checked is None:
            continue
        text, line = checked
        forms = number_forms(v.item.value)
        first = max(1, line - LINE_WINDOW)
        holding = [
            n
            for n, row in enumerate(_near(text.lines, line), start=first)
            if any(written(form, row) for form in forms)
        ]
        if not holding:
            yield RESULT_NOT_IN_SOURCE.finding(
                v.at.path,
                v.at.line,
                v.at.column,
                f"value {v.item.id}: {format_number(v.item.value)} is not written near line {line} of "
                f"{src.document}",
                ctx={"item": v.item.id, "source": src.document, "line": line},
            )
            continue
        promised = targets_at.get(src.document or "", {})
        if all(n in promised for n in holding):
            yield RESULT_NOT_IN_SOURCE.finding(
                v.at.path,
                v.at.line,
                v.at.column,
                f"value {v.item.id}: {format_number(v.item.value)} stands near line {line} of "
                f"{src.document} only where {promised[holding[0]]} states a target: a promise, not a result",
                ctx={"item": v.item.id, "source": src.document, "line": line},
            )
    for s in progress.results.statuses:
        src = s.item.source
        what = f"status of task {s.item.task}"
        problems = list(_source_problem(progress, src, s.at, what, s.item.task))
        yield from problems
        checked = None if problems else _checked_text(progress, src)
        if checked is None:
            continue
        text, line = checked
        # a status is one row of a report's table: its wording and result stand on that line
        row = text.lines[line - 1]
        wrong = _task_row(progress, s.item.plan, s.item.task, src, row)
        if wrong is not None:
            yield RESULT_NOT_IN_SOURCE.finding(
                s.at.path,
                s.at.line,
                s.at.column,
                f"{what}: line {line} of {src.document} is not that task's row: {wrong}",
                ctx={"item": s.item.task, "source": src.document, "line": line},
            )
        for label, quoted in (("status_label", s.item.status_label), ("evidence", s.item.evidence)):
            if quoted is not None and fold(quoted) not in row:
                yield RESULT_NOT_IN_SOURCE.finding(
                    s.at.path,
                    s.at.line,
                    s.at.column,
                    f"{what}: {label} {quoted[:80]!r} is not on line {line} of {src.document}",
                    ctx={"item": s.item.task, "source": src.document, "line": line},
                )
            elif label == "status_label" and quoted is not None and not _own_phrase(fold(quoted), row):
                yield RESULT_NOT_IN_SOURCE.finding(
                    s.at.path,
                    s.at.line,
                    s.at.column,
                    f"{what}: status_label {quoted[:80]!r} stands on line {line} of {src.document} only "
                    "inside a longer phrase, not as a status of its own (a table cell or a sentence's end)",
                    ctx={"item": s.item.task, "source": src.document, "line": line},
                )


def unverified(progress: Progress) -> set[tuple[str, int]]:
    """Where the results entries stand (file, line) that this run could not check against a
    source text: no sources folder, a page address only, or a PC611 finding. A change whose only
    evidence is such an entry is not shown to be a fix (see ``plancheck.diffaware``)."""
    out = {(f.path, f.line) for f in results_provenance(progress)}
    entries = [(v.item.source, v.at) for v in progress.results.values]
    entries += [(s.item.source, s.at) for s in progress.results.statuses]
    for src, at in entries:
        if _checked_text(progress, src) is None:
            out.add((at.path, at.line))
    return out


def _conflicts(
    groups: dict[tuple[object, ...], list[tuple[str, Placed]]],
) -> Iterator[tuple[str, Placed, str]]:
    """Each report of a group whose reports do not all say the same: what it says, where, and
    what the others say (``path:line``); sorted, so the order of files never shows."""
    for reports in groups.values():
        if len({said for said, _ in reports}) < 2:
            continue
        for said, at in reports:
            others = sorted(f"{o} at {a.path}:{a.line}" for o, a in reports if a != at and o != said)
            yield said, at, "; ".join(others)


def results_conflict(progress: Progress) -> Iterator[Finding]:
    """PC613: two reports of one task on one day, or two figures of one indicator for one period
    reported on one day, that disagree."""
    tasks: dict[tuple[object, ...], list[tuple[str, Placed]]] = {}
    for s in progress.results.statuses:
        tasks.setdefault((s.item.plan, s.item.task, s.item.as_of), []).append((s.item.status, s.at))
    by_at = {s.at: s for s in progress.results.statuses}
    for said, at, others in _conflicts(tasks):
        item = by_at[at].item
        yield RESULTS_CONFLICT.finding(
            at.path,
            at.line,
            at.column,
            f"task {item.task} ({item.plan}) on {item.as_of} is {said} here, but {others}: reports of "
            "the same day disagree, and which one counts must not depend on file names",
            ctx={"item": item.task, "parent": item.plan, "status": said},
        )
    values: dict[tuple[object, ...], list[tuple[str, Placed]]] = {}
    for v in progress.results.values:
        if v.item.indicator is None:
            continue  # never compared, so never chosen between
        key = (v.item.indicator, v.item.jurisdiction, v.item.unit, v.item.population, v.item.period)
        said = (
            f"{v.item.qualifier + ' ' if v.item.qualifier else ''}{format_number(v.item.value)} {v.item.unit}"
        )
        values.setdefault((*key, v.item.reported_on), []).append((said, v.at))
    by_place = {v.at: v for v in progress.results.values}
    for said, at, others in _conflicts(values):
        value = by_place[at].item
        when = f"reported on {value.reported_on}" if value.reported_on else "with no reporting date"
        yield RESULTS_CONFLICT.finding(
            at.path,
            at.line,
            at.column,
            f"value {value.id} of {value.indicator} ({value.jurisdiction}, {value.period}, {when}) is "
            f"{said} here, but {others}: figures of the same period and day disagree, and which one "
            "counts must not depend on file names",
            ctx={"item": value.id, "indicator": value.indicator, "jurisdiction": value.jurisdiction},
        )


_PLAN = (
    "# plans/haiphong/142-KH-UBND.yaml\n"
    "targets:\n  - {id: PL2-1-2025, indicator: 5g-coverage-urban, year: 2025, bound: '>= 60', ...}\n"
)
_VALUE = (
    "# results/haiphong.yaml\n"
    "values:\n  - id: H1\n    indicator: 5g-coverage-urban\n    jurisdiction: haiphong\n"
)

RESULT_REFERENCE_UNKNOWN = Rule(
    code="PC601",
    name="result-reference-unknown",
    severity="warning",
    scope="progress",
    summary="A reported value names an indicator that is not in the catalogue, or a task status names a "
    "plan or a task that does not exist. A value for a jurisdiction no plan has is reported as "
    "`info`: it is kept for when such a plan is encoded, but compared with nothing.",
    why="A result that points nowhere is never compared: the progress it reports would be lost "
    "without a word.",
    example="task_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-99', status: done, ...}   # no such task",
    instead="task_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-25', status: overdue, ...}",
    check=unknown_references,
)

MILESTONE_ACHIEVED = Rule(
    code="PC602",
    name="milestone-achieved",
    severity="info",
    scope="progress",
    summary="A target whose year has passed (as of `--as-of`) is met by the latest comparable result "
    "reported for a period ending in that year.",
    why="Progress is half the picture: a plan that promises enough and delivers it is the good case, "
    "and the report shows it with the result and its source.",
    example=_PLAN + _VALUE + "    value: '62'\n    unit: '%'\n    period: '2025'",
    instead="# nothing to change: this finding is informational",
    check=target_progress,
    emits=("PC602", "PC603", "PC604", "PC605", "PC606", "PC607"),
)

MILESTONE_MISSED = Rule(
    code="PC603",
    name="milestone-missed",
    severity="warning",
    scope="progress",
    summary="A target whose year has passed is not met by the latest comparable result reported for a "
    "period ending in that year; the message says by how much.",
    why="A missed milestone is what an analyst of implementation most needs to see, with the figure "
    "and the source it rests on.",
    example=_PLAN + _VALUE + "    value: '41.5'\n    unit: '%'\n    period: '2025'",
    instead="# the plan is not wrong: the finding reports a result. Record a later result when one exists.",
)

MILESTONE_NO_DATA = Rule(
    code="PC604",
    name="milestone-no-data",
    severity="info",
    scope="progress",
    summary="A target whose year has passed has no comparable result for a period ending in that year "
    "(or the only one, such as 'over 51 %', cannot settle the bound).",
    why="A milestone nobody reports on is neither met nor missed; saying so keeps silence from "
    "passing for success.",
    example=_PLAN + "# results/: no value on 5g-coverage-urban for haiphong in 2025",
    instead=_VALUE
    + "    value: '62'\n    unit: '%'\n    period: '2025'\n    source: {address: 'https://...'}",
)

TARGET_ON_TRACK = Rule(
    code="PC605",
    name="target-on-track",
    severity="info",
    scope="progress",
    summary="A target still ahead is on track: the latest comparable result already meets it, or the "
    "yearly change between the last two results is at least the yearly change needed from the "
    "latest result to reach the target by its year (Open SDG's progress measure).",
    why="It says which targets need no attention yet, and on what evidence.",
    example="# results: 40 % in 2024, 46 % in 2025; target >= 60 % by 2027 needs +7 a year, observed +6",
    instead="# results: 40 % in 2024, 48 % in 2025: observed +8 a year, needed +6",
)

TARGET_OFF_TRACK = Rule(
    code="PC606",
    name="target-off-track",
    severity="warning",
    scope="progress",
    summary="A target still ahead is not on track: the yearly change between the last two comparable "
    "results is less than the yearly change needed from the latest result to reach the target "
    "by its year. The message gives both rates and the values they come from.",
    why="A target that cannot be reached at the observed pace is better known years before its "
    "deadline than after it.",
    example="# 57-NQ/TW: digital economy >= 30 % of GDP by 2030; reported 18.3 (2024), 18.72 (2025)\n"
    "# needed +2.26 a year, observed +0.42",
    instead="# nothing to change in the plan: the finding reports the pace of the results",
)

TARGET_TREND_UNKNOWN = Rule(
    code="PC607",
    name="target-trend-unknown",
    severity="info",
    scope="progress",
    summary="A target still ahead has one comparable result that does not meet it: the yearly change "
    "needed is stated, but with no earlier value the pace cannot be judged.",
    why="One value is not a trend; the finding says what would be needed, and that a second value "
    "would settle it.",
    example="# results: one value, about 33 % (2025-06); target >= 70 % by 2030",
    instead="# add an earlier or later comparable value, with its source",
)

TASK_OVERDUE = Rule(
    code="PC608",
    name="task-overdue",
    severity="warning",
    scope="progress",
    summary="A task past its deadline (as of `--as-of`) whose latest status report does not say done.",
    why="Tasks are the plan's commitments with a date and an agency; one past due and not done is "
    "the first thing a monitoring system shows, and the report cites the status report.",
    example="# task 402-PL1-25 due 2025-03; results: status overdue ('Quá hạn') on 2025-05-24",
    instead="task_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-25', status: done, as_of: 2025-09-30, ...}",
    check=task_progress,
    emits=("PC608", "PC609"),
)

TASK_STATUS_UNREPORTED = Rule(
    code="PC609",
    name="task-status-unreported",
    severity="info",
    scope="progress",
    summary="A task past its deadline for which no status report exists: it may be done or late; "
    "nothing says which.",
    why="Calling a task late without evidence would be as wrong as assuming it done; the finding "
    "names the gap in reporting instead.",
    example="# task PL4-2.3 due 2025-06; results/: no status report for it",
    instead="task_status:\n  - {plan: haiphong/142-KH-UBND, task: PL4-2.3, status: done, as_of: 2025-07-01, ...}",
)

RESULT_NOT_COMPARABLE = Rule(
    code="PC610",
    name="result-not-comparable",
    severity="warning",
    scope="progress",
    summary="A reported value on a catalogue indicator is in another unit, or counts another population, "
    "than the indicator: it is never compared with a target.",
    why="A count of enterprises is not enterprises per 1,000 people, and the provinces' average is "
    "not the national share; comparing them silently would give a false verdict.",
    example="values:\n  - {id: N12, indicator: digital-tech-enterprise-density, value: '75908', unit: enterprises, ...}",
    instead="values:\n  - {id: N12, indicator: null, what: digital technology enterprises, value: '75908', "
    "unit: enterprises, ...}",
    check=not_comparable,
)

RESULT_NOT_IN_SOURCE = Rule(
    code="PC611",
    name="result-not-in-source",
    severity="error",
    scope="progress",
    summary="A reported value or status whose `source.document` is a text in the sources folder: "
    "`source.line` must be given; a value's number (as 27.7 or 27,7; 12106, 12.106 or 12,106) "
    f"must be written within {LINE_WINDOW} lines of it as a number of its own (4,6 is not "
    "written in 14,6 or 4,65), and not only on lines where a plan states a target (a promise, "
    "not a result); a status's wording and evidence must stand on that very line, the wording "
    "as a phrase of its own (a table cell or a sentence's end: 'hoàn thành trong tháng 3/2025' "
    "is a deadline), and the line must be the task's row: the line the task's own `source` "
    "gives in the same document, or else one holding the start of the task's title. Runs only "
    "with a sources folder.",
    why="Results are evidence like the plans; a figure that is not where it is said to come from "
    "cannot be traced, and often was mistyped. A status is read from one row of a report's "
    "table: wording copied from the row above would mark the wrong task done. With "
    "`--base`, a warning that a results change clears counts as fixed only when the entries "
    "that clear it pass this check (PC014).",
    example="values:\n  - {id: N10, value: '27.2', source: {document: national-402-...-draft-report.txt, line: 182}}",
    instead="values:\n  - {id: N10, value: '27.7', source: {document: national-402-...-draft-report.txt, line: 182}}",
    check=results_provenance,
)

TASK_STATUS_CONTRADICTS_LABEL = Rule(
    code="PC612",
    name="task-status-contradicts-label",
    severity="error",
    scope="progress",
    summary="A task status whose `status` contradicts its own `status_label`, the report's wording. Known "
    "wordings: 'Hoàn thành' / 'Đã hoàn thành' (done); 'Đang thực hiện' / 'Đang triển khai' "
    "(in-progress or overdue); 'Đang thực hiện trong hạn' (in-progress); 'Quá hạn' / 'Đang thực "
    "hiện quá hạn' / 'Chậm tiến độ' (overdue); 'Chưa thực hiện' / 'Chưa triển khai' (not-started "
    "or overdue); 'Chưa hoàn thành' (anything but done). Case, spacing, punctuation (an ellipsis "
    "too) and look-alike letters of Đ (Ð U+00D0, Ɖ U+0189) do not matter. A wording not in this "
    "list is not judged, except under `done`: the status that clears an overdue task needs a "
    "label that says done.",
    why="The label is quoted from the report (PC611 checks it there); the status is the encoder's "
    "reading of it, and the one the rules use: `done` under 'Đang thực hiện' makes an overdue "
    "task (PC608) disappear. It is an error, not a warning: like an encoding error it says the "
    "results file contradicts itself, so no configuration lowers or switches it off.",
    example="task_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-03', status: done, "
    "status_label: 'Đang thực hiện', ...}",
    instead="task_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-03', status: in-progress, "
    "status_label: 'Đang thực hiện', ...}",
    check=labels_contradicted,
)

RESULTS_CONFLICT = Rule(
    code="PC613",
    name="results-conflict",
    severity="error",
    scope="progress",
    summary="Two reports in `results/` that disagree: two statuses of one task with the same `as_of`, "
    "or two figures (value or qualifier) of one catalogue indicator for one jurisdiction, unit, "
    "population and period with the same `reported_on`. Each report of the group is a finding "
    "that names the others.",
    why="The rules take the latest report; on a tie, only the order of file names and lines would "
    "decide, so a file named `zz-...` could silently turn an overdue task done or replace a "
    "figure. A check, and a pull-request gate, must not depend on file names. An error: the "
    "results contradict themselves, so no configuration lowers or switches it off.",
    example="# results/a.yaml\ntask_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-03', status: overdue, "
    "as_of: 2025-05-24, ...}\n# results/zz.yaml\ntask_status:\n  - {plan: national/71-NQ-CP, "
    "task: '402-PL1-03', status: done, as_of: 2025-05-24, ...}",
    instead="# keep the report the source gives for that day; a later one has a later as_of",
    check=results_conflict,
)

RULES = [
    RESULT_REFERENCE_UNKNOWN,
    MILESTONE_ACHIEVED,
    MILESTONE_MISSED,
    MILESTONE_NO_DATA,
    TARGET_ON_TRACK,
    TARGET_OFF_TRACK,
    TARGET_TREND_UNKNOWN,
    TASK_OVERDUE,
    TASK_STATUS_UNREPORTED,
    RESULT_NOT_COMPARABLE,
    RESULT_NOT_IN_SOURCE,
    TASK_STATUS_CONTRADICTS_LABEL,
    RESULTS_CONFLICT,
]

# The rule that reports each judgement of a target, and the key of the target it points at
TARGET_STATUS: dict[str, tuple[Rule, str]] = {
    "achieved": (MILESTONE_ACHIEVED, "year"),
    "missed": (MILESTONE_MISSED, "year"),
    "no-data": (MILESTONE_NO_DATA, "year"),
    "on-track": (TARGET_ON_TRACK, "bound"),
    "off-track": (TARGET_OFF_TRACK, "bound"),
    "trend-unknown": (TARGET_TREND_UNKNOWN, "bound"),
}
TASK_OUTCOME: dict[str, Rule] = {"overdue": TASK_OVERDUE, "unreported": TASK_STATUS_UNREPORTED}


def progress_findings(progress: Progress | None) -> Iterator[Finding]:
    """Every progress rule's findings, plus the problems of reading the results files."""
    if progress is None:
        return
    yield from progress.results.findings
    for rule in RULES:
        if rule.check is not None:
            yield from rule.check(progress)
