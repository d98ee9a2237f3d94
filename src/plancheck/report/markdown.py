"""The Markdown gap report for analysts, rendered with jinja2 templates shipped in the package."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import shutil
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from plancheck import __version__
from plancheck.check.coverage import compute
from plancheck.check.result import Result
from plancheck.check.status import GAP_STATUSES
from plancheck.fsutil import open_atomic
from plancheck.load.planset import PlanSet, left_out_files
from plancheck.report.coverage import render_markdown
from plancheck.report.i18n import LANGS, STATUS_NAMES, TEXT
from plancheck.report.mdfit import (
    TAIL_ROWS_BOUNDED,
    copy_bytes,
    fit_parts,
    heading_parts,
    share_range,
    shown_size,
    utf8_size,
    worst_key,
)
from plancheck.report.mdtext import (
    MD_TABLE,
    md,
    mermaid_label,
    normalise,
    page_name,
    plan_name,
    plan_short,
    template,
)
from plancheck.report.progress_md import render_progress
from plancheck.report.rows import (
    HIDDEN,
    MERMAID_MAX_EDGES,
    NONE_COMPARED,
    SHARE_SCALE,
    EdgeReport,
    edge_report,
    ranked,
    share_colour,
    status_name,
)
from plancheck.report.summary import edges

MD_TABLE.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;"})


class ReportWriter:
    """Assembles the report from edge reports given in order, writing sections as they come.

    At national scale the sections are hundreds of megabytes: they go to ``sections`` (a file)
    as they arrive, and only the summary's figures are kept in memory. With ``pages`` (a folder,
    `report --out-dir`) each child plan's sections go to a page of their own instead.
    """

    WORST_SHOWN = 15

    def __init__(
        self,
        ps: PlanSet,
        lang: str,
        as_of: dt.date,
        only: set[str] | None,
        sections: TextIO,
        pages: Path | None = None,
    ):
        if lang not in LANGS:
            raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGS)}")
        self.ps, self.lang, self.as_of, self.only, self.sections = ps, lang, as_of, only, sections
        self.pages = pages
        self.totals: Counter[str] = Counter()
        self.worst_rows: list[dict[str, Any]] = []
        self.gap_count = 0
        self.links: list[tuple[str, str, dict[str, int], str]] = []
        # (child id, bytes of its sections, gaps) in the order written: where a bounded
        # single-file report may stop, and the index of `--out-dir`
        self.children: list[tuple[str, int, int]] = []
        self._page: io.TextIOWrapper | None = None
        self._page_file: contextlib.ExitStack | None = None
        # each child's page, told apart where a file system ignores case (ids may differ by case)
        self.page_names: dict[str, str] = {}
        self._used_names: set[str] = set()

    def add(self, er: EdgeReport) -> None:
        self.totals.update(er.counts)
        self.links.append((er.child, er.parent, er.counts, er.worst))
        self.gap_count += len(er.gap_rows)
        self.worst_rows = sorted([*self.worst_rows, *er.gap_rows], key=worst_key)[: self.WORST_SHOWN]
        text = er.section
        if not self.children or self.children[-1][0] != er.child:
            self._start_page(er.child)
            self.children.append((er.child, 0, 0))
            text = er.child_heading + text
        child, size, gaps = self.children[-1]
        self.children[-1] = (child, size + len(text.encode("utf-8")), gaps + len(er.gap_rows))
        (self._page or self.sections).write(text)

    def _start_page(self, child: str) -> None:
        if self.pages is None:
            return
        self.close()
        name = page_name(child)
        here = self.pages / name
        if name.casefold() in self._used_names or (here.is_dir() and not here.is_symlink()):
            name = f"{name[:-3]}-{hashlib.sha256(child.encode()).hexdigest()[:10]}.md"
        self._used_names.add(name.casefold())
        self.page_names[child] = name
        # written to a temporary file renamed into place when complete: a run ended by a signal
        # leaves no half page (fsutil.discard_pending), and a link planted as a page is
        # replaced, never written through
        stack = contextlib.ExitStack()
        raw = stack.enter_context(open_atomic(self.pages / name, follow=False))
        page = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        page.write(f"[{TEXT[self.lang]['back']}](index.md)\n\n")
        self._page, self._page_file = page, stack

    def close(self) -> None:
        if self._page is not None and self._page_file is not None:
            self._page.write(self._plan_tail(self.children[-1][0]))
            self._page.flush()
            self._page.detach()  # open_atomic closes the file, then renames it into place
            self._page_file.close()
            self._page, self._page_file = None, None

    def head(self) -> str:
        t = TEXT[self.lang]
        names = STATUS_NAMES[self.lang]
        ps, only = self.ps, self.only
        ids = {pid: f"p{i}" for i, pid in enumerate(sorted(ps.plans))}
        shown = sorted({pid for link in self.links for pid in link[:2]})
        nodes = [{"id": ids[pid], "label": mermaid_label(plan_short(ps.plans[pid].plan))} for pid in shown]
        links = []
        for child, parent, counts, _worst in self.links:
            gaps = sum(counts.get(k, 0) for k in GAP_STATUSES)
            compared = sum(n for k, n in counts.items() if k not in HIDDEN)
            colour, _ = share_colour(gaps, compared)
            pct = f" · {round(100 * gaps / compared)}%" if compared else ""
            links.append(
                {
                    "from": ids[child],
                    "to": ids[parent],
                    # no parent target compared: a share would claim what nobody checked
                    "label": mermaid_label(
                        t["share"].format(gaps=gaps, total=compared) + pct
                        if compared
                        else t["nothing_compared"]
                    ),
                    "colour": colour,
                }
            )
        legend = [
            {"mark": mark, "text": share_range(i)} for i, (_, _colour, mark) in enumerate(SHARE_SCALE)
        ] + [{"mark": NONE_COMPARED[1], "text": t["legend_none"]}]
        totals = self.totals
        context = {
            "t": t,
            "lang": self.lang,
            "version": __version__,
            "as_of": self.as_of.isoformat(),
            "plans": len([p for p in ps.plans if not only or p in only]),
            "edges": len(self.links),
            "status_totals": [
                {"name": status_name(names, k), "count": totals[k]} for k in ranked(totals) if totals[k]
            ],
            "total": sum(totals.values()),
            "gap_total": sum(totals.get(k, 0) for k in GAP_STATUSES),
            "worst": self.worst_rows,
            "worst_more": max(0, self.gap_count - self.WORST_SHOWN),
            "diagram": len(links) <= MERMAID_MAX_EDGES,
            "too_big": t["diagram_too_big"].format(n=len(links)),
            "nodes": nodes,
            "links": links,
            "legend": legend,
            "index": [
                {
                    "name": plan_name(ps.plans[child].plan, self.lang),
                    "id": md(child),
                    "page": self.page_names.get(child, page_name(child)),
                    "gaps": gaps,
                }
                for child, _, gaps in self.children
            ]
            if self.pages is not None
            else [],
        }
        return normalise(template("report-head.md.j2").render(**context))

    def _waivers_and_caveats(self, plan_ids: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        t = TEXT[self.lang]
        waivers = []
        caveats = []
        for plan_id in plan_ids:
            plan = self.ps.plans[plan_id].plan
            assert plan is not None
            for w in plan.waivers:
                waivers.append(
                    {
                        "plan": md(plan_id),
                        "rule": md(w.rule),
                        "what": md(
                            " ".join(str(x) for x in (w.parent, w.indicator, w.year, w.task) if x is not None)
                        ),
                        "reason": md(w.reason),
                        "approved_by": md(w.approved_by),
                    }
                )
            if plan.notes or any(c.in_source != c.encoded for c in plan.coverage):
                caveats.append(
                    {
                        "plan": plan_name(plan, self.lang),
                        "id": md(plan_id),
                        "notes": [md(n) for n in plan.notes],
                        "coverage": [
                            {
                                "section": md(c.section),
                                "kind": t["items_" + c.items],
                                "in_source": c.in_source,
                                "encoded": c.encoded,
                            }
                            for c in plan.coverage
                        ],
                    }
                )
        return waivers, caveats

    def _render_tail(self, plan_ids: list[str], limit: int | None = None, whole: bool = False) -> str:
        waivers, caveats = self._waivers_and_caveats(plan_ids)
        # the plan files left out because of errors, when the report is about the whole tree
        left_out = [md(path) for path in left_out_files(self.ps)] if whole and not self.only else []
        more = 0
        if limit is not None:
            more = max(0, len(waivers) - limit) + max(0, len(caveats) - limit)
            waivers, caveats = waivers[:limit], caveats[:limit]
        return normalise(
            template("report-tail.md.j2").render(
                t=TEXT[self.lang],
                lang=self.lang,
                waivers=waivers,
                caveats=caveats,
                more=more,
                left_out=left_out,
            )
        )

    def _plan_tail(self, plan_id: str) -> str:
        return self._render_tail([plan_id])

    def tail(self, limit: int | None = None) -> str:
        ids = [p for p in sorted(self.ps.plans) if not self.only or p in self.only]
        if self.pages is not None:  # each page carries its own plan's; the index the rest
            written = {c for c, _, _ in self.children}
            ids = [p for p in ids if p not in written]
        plans = {pid: lp.plan for pid, lp in self.ps.plans.items() if lp.plan is not None}
        # a report bounded in size keeps the coverage totals; `plancheck coverage` has the tables
        coverage = render_markdown(compute(plans), self.lang, brief=limit is not None)
        progress = render_progress(self.ps, self.lang, self.as_of, self.only)
        return coverage + progress + self._render_tail(ids, limit, whole=True)

    def write(self, out: TextIO, max_bytes: int = 0) -> None:
        """Head, sections and tail to ``out``; with ``max_bytes`` (at least MIN_MAX_BYTES), at
        most that many bytes in all.

        When all of it does not fit, the tail is shortened (TAIL_ROWS_BOUNDED) and then kept in
        parts, each from its ``##`` heading: the head's parts (summary, hierarchy), then the
        tail's (coverage, progress, waivers, caveats) while they fit, then whole plans' sections.
        What is left out is named, with the hint to use ``--out-dir``.
        """
        t = TEXT[self.lang]
        head = self.head()
        if max_bytes <= 0:
            out.write(head)
            self.sections.seek(0)
            shutil.copyfileobj(self.sections, out)
            out.write(self.tail())
            return
        sections_size = sum(size for _child, size, _gaps in self.children)
        tail = self.tail()
        if utf8_size(head) + sections_size + utf8_size(tail) <= max_bytes:
            out.write(head)
            self.sections.seek(0)
            shutil.copyfileobj(self.sections, out)
            out.write(tail)
            return
        tail = self.tail(limit=TAIL_ROWS_BOUNDED)  # it does not fit: the bounded tail first
        head_parts, tail_parts = heading_parts(head), heading_parts(tail)
        # room for the notices at their longest: every plan and every part left out
        many = 10 ** len(str(len(head) + len(tail)))  # more subsections than any part has
        every = [
            t["truncated_in_part"].format(name=name or "…", n=many, total=many)
            for name, _ in head_parts + tail_parts
        ]
        budget = max_bytes - utf8_size(self._cut_notice(max_bytes, len(self.children), every))
        kept_head, left_head, budget = fit_parts(head_parts, budget, self.lang)
        kept_tail, left_tail, budget = fit_parts(tail_parts, budget, self.lang)
        keep = 0
        shown = 0
        for _child, size, _gaps in self.children:
            if keep + size > budget:
                break
            keep += size
            shown += 1
        out.write(kept_head)
        self.sections.seek(0)
        copy_bytes(self.sections, out, keep)
        left = len(self.children) - shown
        if left:
            out.write("> " + t["truncated"].format(size=shown_size(max_bytes), n=left) + "\n\n")
        out.write(kept_tail)
        if left_head or left_tail:
            parts = ", ".join(left_head + left_tail)
            out.write("\n> " + t["truncated_parts"].format(size=shown_size(max_bytes), parts=parts) + "\n")

    def _cut_notice(self, max_bytes: int, plans: int, parts: list[str]) -> str:
        t = TEXT[self.lang]
        size = shown_size(max_bytes)
        return (
            "> " + t["truncated"].format(size=size, n=plans) + "\n\n"
            "\n> " + t["truncated_parts"].format(size=size, parts=", ".join(parts)) + "\n"
        )


def render(
    result: Result, lang: str = "vi", as_of: dt.date | None = None, only: set[str] | None = None
) -> str:
    """The whole report of a plan set held in memory."""
    sections = io.StringIO()
    writer = ReportWriter(result.planset, lang, as_of or dt.date.today(), only, sections)
    for summary in edges(result.planset, result, only):
        writer.add(edge_report(summary, lang, indicators=result.planset.indicators))
    out = io.StringIO()
    writer.write(out)
    return out.getvalue()
