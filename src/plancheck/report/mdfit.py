"""A gap report bounded in size (``--max-bytes``): which parts fit, and the notice of what is left out."""

from __future__ import annotations

import re
from typing import Any, TextIO

from plancheck.report.i18n import TEXT
from plancheck.report.rows import SHARE_SCALE, weight

TAIL_ROWS_BOUNDED = 200


def copy_bytes(src: TextIO, out: TextIO, size: int) -> None:
    """Copy the first ``size`` bytes (UTF-8) of ``src``, which ends at a section's end."""
    while size > 0:
        line = src.readline()
        if not line:
            return
        out.write(line)
        size -= len(line.encode("utf-8"))


def shown_size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} kB"


def share_range(i: int) -> str:
    upper = SHARE_SCALE[i][0]
    if i == 0:
        return "0%"
    lower = SHARE_SCALE[i - 1][0]
    return f"{round(lower * 100)}–{round(upper * 100)}%"


MIN_MAX_BYTES = 2000  # room for the notice of what a bounded report leaves out


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def heading_parts(text: str, level: str = "## ") -> list[tuple[str, str]]:
    """``text`` cut before each heading of ``level``, as (heading, part); the parts join to ``text``."""
    parts = re.split(f"(?m)^(?={level})", text)
    return [(part.split("\n", 1)[0].lstrip("#").strip(), part) for part in parts if part]


def fit_parts(parts: list[tuple[str, str]], budget: int, lang: str) -> tuple[str, list[str], int]:
    """The parts that fit in ``budget`` bytes, in order (one too large is skipped, the next may
    fit), the names of those left out, and the budget left. A part too large is kept in part
    when its ``###`` subsections can be (one plan's 600 notes leave the other plans' in)."""
    kept = []
    left = []
    for name, text in parts:
        size = utf8_size(text)
        if size <= budget:
            kept.append(text)
            budget -= size
            continue
        subs = heading_parts(text, "### ")
        intro = subs[0][1]
        if len(subs) < 2 or intro.startswith("### ") or utf8_size(intro) > budget:
            left.append(name or "…")
            continue
        kept.append(intro)
        budget -= utf8_size(intro)
        dropped = 0
        for _sub, sub_text in subs[1:]:
            sub_size = utf8_size(sub_text)
            if sub_size <= budget:
                kept.append(sub_text)
                budget -= sub_size
            else:
                dropped += 1
        left.append(TEXT[lang]["truncated_in_part"].format(name=name, n=dropped, total=len(subs) - 1))
    return "".join(kept), left, budget


def worst_key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (
        weight(str(r["status_key"])),
        -float(r.get("severity", 0.0)),
        str(r["child_plan"]),
        str(r["parent_plan"]),
        str(r["indicator"]),
        str(r["year"]).zfill(4),
    )
