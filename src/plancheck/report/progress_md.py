"""The progress section of the Markdown report: per plan, milestones due, targets ahead, overdue tasks.

Rendered by its own template (``templates/progress.md.j2``) from the same assessments the PC6xx
rules report, so the report and ``validate`` never disagree. Empty when there is no results folder.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from decimal import Decimal
from typing import Any, Literal

from plancheck.check.algebra import worst_edge
from plancheck.check.progress import Progress, TargetAssessment, TaskAssessment, as_reported, prepare
from plancheck.load.planset import PlanSet
from plancheck.load.results import Value
from plancheck.model.bound import format_number
from plancheck.report.mdtext import md, normalise, template

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "progress": "Tiến độ thực hiện theo kết quả báo cáo",
        "intro": "Kết quả báo cáo trong `results/`: {values} giá trị, {statuses} báo cáo trạng thái nhiệm vụ "
        "({drafts} từ bản dự thảo). Chỉ những giá trị cùng địa bàn, cùng chỉ tiêu, cùng đơn vị và "
        "phạm vi, mô tả giai đoạn kết thúc không muộn hơn ngày {as_of}, được so sánh.",
        "due": "Chỉ tiêu đã đến hạn",
        "ahead": "Chỉ tiêu chưa đến hạn",
        "achieved": "đạt",
        "missed": "không đạt",
        "no-data": "không có số liệu",
        "on-track": "đúng tiến độ",
        "off-track": "chậm tiến độ",
        "trend-unknown": "chưa đủ số liệu để đánh giá xu hướng",
        "qualitative": "định tính hoặc hằng năm, không đánh giá",
        "target": "Chỉ tiêu",
        "status": "Đánh giá",
        "detail": "Chi tiết",
        "no_data_ids": "Không có số liệu",
        "tasks": "Nhiệm vụ đã quá hạn",
        "task": "Nhiệm vụ",
        "due_on": "Hạn",
        "lead": "Cơ quan chủ trì",
        "report": "Báo cáo gần nhất",
        "done": "Đã hoàn thành theo báo cáo",
        "unreported": "Đã qua hạn, chưa có báo cáo trạng thái",
        "nothing": "Không có chỉ tiêu đến hạn, nhiệm vụ quá hạn hay số liệu nào để đánh giá.",
        "chart": "Biểu đồ",
        "chart_caption": "Đường thứ nhất: lộ trình thẳng từ giá trị báo cáo đầu tiên ({first}, {first_year}) đến "
        "chỉ tiêu {goal} năm {year}. Đường thứ hai: các giá trị báo cáo ({reported}), sau đó ngoại suy theo "
        "tốc độ quan sát được ({rate} mỗi năm). Nguồn:",
        "draft": "dự thảo",
        "official": "chính thức",
        "press": "báo chí",
    },
    "en": {
        "progress": "Progress against reported results",
        "intro": "Reported results in `results/`: {values} values, {statuses} task status reports "
        "({drafts} from a draft). Only values for the plan's own jurisdiction, on the target's indicator, "
        "in its unit and population, for a period ending by {as_of}, are compared.",
        "due": "Milestones due",
        "ahead": "Targets still ahead",
        "achieved": "achieved",
        "missed": "not achieved",
        "no-data": "no data",
        "on-track": "on track",
        "off-track": "not on track",
        "trend-unknown": "too few values to judge the pace",
        "qualitative": "qualitative or yearly, not judged",
        "target": "Target",
        "status": "Assessment",
        "detail": "Detail",
        "no_data_ids": "No data",
        "tasks": "Overdue tasks",
        "task": "Task",
        "due_on": "Due",
        "lead": "Lead",
        "report": "Latest report",
        "done": "Done according to a report",
        "unreported": "Past due with no status report",
        "nothing": "No milestone due, overdue task or reported value to judge.",
        "chart": "Chart",
        "chart_caption": "First line: the straight path from the first reported value ({first}, {first_year}) to "
        "the target {goal} in {year}. Second line: the reported values ({reported}), then extrapolated at "
        "the observed pace ({rate} a year). Sources:",
        "draft": "draft",
        "official": "official",
        "press": "press",
    },
}

DUE = ("achieved", "missed", "no-data")
AHEAD = ("on-track", "off-track", "trend-unknown")


def render_progress(ps: PlanSet, lang: str, as_of: dt.date, only: set[str] | None) -> str:
    """The progress section, or '' when the tree has no results folder."""
    progress = prepare(ps, as_of)
    if progress is None:
        return ""
    w = WORDS[lang]
    by_plan: dict[str, list[TargetAssessment]] = {}
    for a in progress.targets():
        by_plan.setdefault(a.plan, []).append(a)
    tasks_by_plan: dict[str, list[TaskAssessment]] = {}
    for t in progress.tasks():
        tasks_by_plan.setdefault(t.plan, []).append(t)
    sections = []
    for plan_id, lp in sorted(progress.plans.items()):
        if only and plan_id not in only:
            continue
        plan = lp.plan
        assert plan is not None
        judged = by_plan.get(plan_id, [])
        tasks = tasks_by_plan.get(plan_id, [])
        counts: Counter[str] = Counter(a.status for a in judged)
        due_year = [t for t in plan.targets if t.year < as_of.year]
        not_judged = len([t for t in due_year if t.bound is None or t.per_year])
        sections.append(
            {
                "title": md(plan_id),
                "document": md(f"{plan.document.number or '?'} — {plan.document.issuer}"),
                "due_text": "; ".join(
                    [f"{w[k]} {counts[k]}" for k in DUE]
                    + ([f"{w['qualitative']} {not_judged}"] if not_judged else [])
                ),
                "ahead_text": "; ".join(f"{w[k]} {counts[k]}" for k in AHEAD)
                if any(counts[k] for k in AHEAD)
                else "",
                "due_rows": [_row(a, w) for a in judged if a.status in ("achieved", "missed")],
                "no_data": [md(a.target.id) for a in judged if a.status == "no-data"],
                "ahead_rows": [_row(a, w) for a in judged if a.status in AHEAD],
                "overdue": [_task_row(t, w) for t in tasks if t.outcome == "overdue"],
                "done": len([t for t in tasks if t.outcome == "done"]),
                "unreported": [md(t.task.id) for t in tasks if t.outcome == "unreported"],
                "charts": _charts(judged, progress, lang),
            }
        )
    drafts = len([s for s in progress.results.statuses if s.item.reliability == "draft"]) + len(
        [v for v in progress.results.values if v.item.reliability == "draft"]
    )
    intro = w["intro"].format(
        values=len(progress.results.values),
        statuses=len(progress.results.statuses),
        drafts=drafts,
        as_of=as_of.isoformat(),
    )
    text = template("progress.md.j2").render(w=w, intro=intro, sections=sections)
    return normalise(text)


def _row(a: TargetAssessment, w: dict[str, str]) -> dict[str, str]:
    target = a.target
    return {
        "target": md(f"{target.id}: {target.indicator} {target.bound} {target.unit} ({target.year})"),
        "status": w[a.status],
        "detail": md(a.message.split(": ", 1)[1] if ": " in a.message else a.message),
        "sources": ", ".join(md(_cite(v, w)) for v in a.used),
    }


def _cite(v: Value, w: dict[str, str]) -> str:
    src = v.item.source
    if src.address is not None:
        where = src.address
    elif src.line is not None:
        where = f"{src.document}:{src.line}"
    else:
        where = src.document or ""
    return f"{v.item.id} ({w[v.item.reliability]}) {where}"


def _task_row(t: TaskAssessment, w: dict[str, str]) -> dict[str, str]:
    report = t.report
    return {
        "task": md(f"{t.task.id}: {t.task.title[:120]}{'…' if len(t.task.title) > 120 else ''}"),
        "due": md(str(t.task.due)),
        "lead": md(report.item.lead if report and report.item.lead else t.task.lead or "—"),
        "report": md(
            f"{report.item.status_label} ({report.item.as_of}, {w[report.item.reliability]}; "
            f"{report.item.source.document or report.item.source.address}"
            f"{':' + str(report.item.source.line) if report.item.source.line else ''})"
        )
        if report
        else "—",
    }


def _charts(judged: list[TargetAssessment], progress: Progress, lang: str) -> list[dict[str, Any]]:
    """One chart per indicator whose pace is judged: the target path against the reported values."""
    w = WORDS[lang]
    seen: set[str] = set()
    out = []
    for a in sorted(judged, key=lambda a: (a.target.indicator, a.target.year)):
        if a.status not in ("on-track", "off-track") or a.target.indicator in seen or len(a.used) < 2:
            continue
        if a.used[0].item.period.end.year >= a.target.year:
            continue  # values inside the target's own year: no span of years to draw a path over
        seen.add(a.target.indicator)
        indicator = progress.indicators[a.target.indicator]
        first, latest = a.used[0].item, a.used[-1].item
        goal = _goal(a, indicator.direction)
        start_year, end_year = first.period.end.year, a.target.year
        years = list(range(start_year, end_year + 1))
        span = Decimal(end_year - start_year)
        path = [first.value + (goal - first.value) * Decimal(y - start_year) / span for y in years]
        observed = Decimal(str(a.ctx["observed"]))
        reported = {v.item.period.end.year: v.item.value for v in a.used}
        series = []
        for y in years:
            if y in reported:
                series.append(reported[y])
            elif y > latest.period.end.year:
                series.append(latest.value + observed * (y - latest.period.end.year))
            else:  # a year between two reported values: on the straight line between them
                known = Decimal(latest.period.end.year - start_year)
                series.append(first.value + (latest.value - first.value) * (y - start_year) / known)
        top = max([goal, *path, *series])
        out.append(
            {
                "title": _chart_text(f"{a.target.indicator}, {a.plan}"),
                "years": ", ".join(str(y) for y in years),
                "unit": _chart_text(indicator.unit),
                "top": math.ceil(float(top) * 1.1),
                "path": ", ".join(_num(x) for x in path),
                "series": ", ".join(_num(x) for x in series),
                "caption": w["chart_caption"].format(
                    first=as_reported(first),
                    first_year=start_year,
                    goal=format_number(goal),
                    year=end_year,
                    reported=", ".join(f"{as_reported(v.item)} ({v.item.period})" for v in a.used),
                    rate=a.ctx["observed"],
                ),
                "sources": [md(_cite(v, w)) for v in a.used],
            }
        )
    return out


def _goal(a: TargetAssessment, direction: Literal["higher", "lower"]) -> Decimal:
    assert a.target.bound is not None
    edge = worst_edge(a.target.bound, direction).value
    assert edge is not None
    return edge


def _chart_text(text: str) -> str:
    """Text inside a quoted Mermaid string: no quotes, brackets or line breaks to break out of it."""
    return re.sub(r"[^\w ./:%,+-]", "_", " ".join(text.split()), flags=re.UNICODE)


def _num(x: Decimal) -> str:
    # chart points: reported values exactly, derived points (path, extrapolation) to two decimals
    exact = format_number(x)
    # counted on the exact text: quantize fails past the decimal context's 28 digits
    if len(exact.partition(".")[2]) <= 2:
        return exact
    return f"{x:.2f}"
