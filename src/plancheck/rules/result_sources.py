"""PC611: a reported value or status must stand in the source text it cites, on the line it gives
(a figure as a number of its own, a status's wording on the task's own row)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from plancheck.findings import Finding
from plancheck.load.sources import source_path
from plancheck.model.bound import format_number
from plancheck.rules.base import Rule
from plancheck.rules.provenance import LINE_WINDOW, SourceText, fold, read_source

if TYPE_CHECKING:  # the results model is imported only by runs that have a results folder
    from plancheck.check.progress import Progress
    from plancheck.load.results import Placed
    from plancheck.model.results import ResultSource


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


def written(form: str, text: str, sign: str = "") -> bool:
    """``form`` stands in ``text`` as a number of its own: "4,6" is not written in "14,6" or "4,65";
    with ``sign``, followed by it ("18,3%", "18,3 %")."""
    after = rf"\s?{re.escape(sign)}" if sign else r"(?!\d)(?![.,]\d)"
    return re.search(rf"(?<!\d)(?<!\d[.,]){re.escape(form)}{after}", text) is not None


def _cited(progress: Progress, src: ResultSource) -> tuple[SourceText, int] | str | None:
    """The source text and line an entry cites; why they cannot be used (a document named but
    missing, without a line, or shorter); None when it cites no text of the sources folder."""
    if progress.sources is None or src.document is None:
        return None
    path = source_path(progress.sources, src.document)
    text = read_source(path, path.stat().st_mtime_ns) if path is not None and path.is_file() else None
    if text is None:
        return f"source {src.document!r} is not in the sources folder"
    if src.line is None:
        return f"source {src.document} is named without a line, so it cannot be checked there"
    if src.line > len(text.lines):
        return f"{src.document} has {len(text.lines)} lines, not {src.line}"
    return text, src.line


def _source_problem(
    progress: Progress, src: ResultSource, at: Placed, what: str, item: str
) -> Iterator[Finding]:
    """The finding when ``src`` names a source text that cannot be used (see ``_cited``)."""
    cited = _cited(progress, src)
    if isinstance(cited, str):
        yield RESULT_NOT_IN_SOURCE.finding(
            at.path, at.line, at.column, f"{what}: {cited}", ctx={"item": item, "source": src.document}
        )


def _checked_text(progress: Progress, src: ResultSource) -> tuple[SourceText, int] | None:
    """The source text and line of an entry whose `_source_problem` found nothing, else None."""
    cited = _cited(progress, src)
    return None if cited is None or isinstance(cited, str) else cited


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


@lru_cache(maxsize=4096)
def _own_phrase(label: str, row: str) -> bool:
    """The status wording stands as a phrase of its own: a table cell or a sentence's end, not the
    start of a longer phrase ("hoàn thành trong tháng 3/2025" is a deadline, not a status).
    Remembered: a thousand statuses citing one long row scanned it a thousand times."""
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
        # a share is written with its sign: "2025" in "năm 2025" is no 2025 % of GDP
        percent = v.item.unit.lstrip().startswith("%")
        first = max(1, line - LINE_WINDOW)
        holding = [
            n
            for n, row in enumerate(_near(text.lines, line), start=first)
            if any(written(form, row, "%" if percent else "") for form in forms)
        ]
        if not holding:
            yield RESULT_NOT_IN_SOURCE.finding(
                v.at.path,
                v.at.line,
                v.at.column,
                f"value {v.item.id}: {format_number(v.item.value)}{'%' if percent else ''} is not written "
                f"near line {line} of {src.document}",
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
            continue
        year = str(v.item.period.end.year)
        # on a line where the figure stands: a year two lines off may be another figure's
        if not any(written(year, text.lines[n - 1]) for n in holding):
            # the period decides which target year a figure counts for, and the pace between two
            yield RESULT_NOT_IN_SOURCE.finding(
                v.at.path,
                v.at.line,
                v.at.column,
                f"value {v.item.id}: its period's year {year} is not written on a line near {line} of "
                f"{src.document} that holds the figure",
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


RESULT_NOT_IN_SOURCE = Rule(
    code="PC611",
    name="result-not-in-source",
    severity="error",
    scope="progress",
    summary="A reported value or status whose `source.document` is a text in the sources folder: "
    "`source.line` must be given; a value's number (as 27.7 or 27,7; 12106, 12.106 or 12,106) "
    f"must be written within {LINE_WINDOW} lines of it as a number of its own (4,6 is not "
    "written in 14,6 or 4,65), with its % sign when the unit is a share, and not only on lines "
    "where a plan states a target (a promise, not a result); the year its period ends must be "
    "written within the same lines; a status's wording and evidence must stand on that very line, the wording "
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
