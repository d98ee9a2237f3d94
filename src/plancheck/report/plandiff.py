"""`plancheck diff` as text and as Markdown, from the changes ``plancheck.check.plandiff`` finds."""

from __future__ import annotations

from plancheck.check.plandiff import Change
from plancheck.report.mdtext import md
from plancheck.report.text import clean


def render_text(changes: list[Change], old_name: str, new_name: str) -> str:
    lines = [f"--- {clean(old_name)}", f"+++ {clean(new_name)}"]
    if not changes:
        lines.append("no changes to targets or task deadlines")
    for c in changes:
        lines.append(f"{c.kind:<17} {clean(c.item)}: {clean(c.detail)}")
    return "\n".join(lines) + "\n"


def render_markdown(changes: list[Change], old_name: str, new_name: str) -> str:
    out = [f"### plancheck diff: `{md(old_name)}` → `{md(new_name)}`", ""]
    if not changes:
        out.append("No changes to targets or task deadlines.")
        return "\n".join(out) + "\n"
    out += ["| change | item | before | after |", "|---|---|---|---|"]
    for c in changes:
        out.append(f"| {c.kind} | {md(c.item)} | {md(c.before or '—')} | {md(c.after or '—')} |")
    return "\n".join(out) + "\n"
