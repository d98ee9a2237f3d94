"""Writing the gap report as it is made: sections as their edges come (a national report is
hundreds of megabytes), then the summary, which needs them all, before them in the output."""

from __future__ import annotations

import datetime as dt
import io
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from plancheck.fsutil import open_atomic
from plancheck.load.planset import PlanSet
from plancheck.report.markdown import ReportWriter
from plancheck.report.rows import EdgeReport


def write_report(
    planset: PlanSet,
    lang: str,
    as_of: dt.date,
    only: set[str] | None,
    edges: Iterable[EdgeReport],
    *,
    output: Path | None,
    out_dir: Path | None,
    max_bytes: int,
) -> None:
    """The report of ``edges`` to standard output (``output`` None or ``-``), to the file
    ``output``, or as an index.md and one page per plan in ``out_dir``; files are written whole
    or not at all."""
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as sections:
        writer = ReportWriter(planset, lang, as_of, only, sections, out_dir)
        for edge in edges:
            writer.add(edge)
        writer.close()
        if out_dir is not None:
            with open_atomic(out_dir / "index.md", follow=False) as raw:
                handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer.write(handle)
                handle.detach()
        elif output is None or str(output) == "-":
            writer.write(sys.stdout, max_bytes)
            sys.stdout.flush()
        else:
            with open_atomic(output) as raw:
                handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer.write(handle, max_bytes)
                handle.detach()  # open_atomic closes the file once it is complete
