"""Human output: findings grouped by file, `path:line:col CODE message`."""

from __future__ import annotations

from itertools import groupby
from typing import IO, TYPE_CHECKING

from plancheck.findings import Finding
from plancheck.inert import inert

if TYPE_CHECKING:
    from rich.console import Console

_STYLE = {"error": "bold red", "warning": "yellow", "gap": "magenta", "info": "cyan"}


def write_out(stream: IO[str], text: str, piece: int = 1 << 16) -> None:
    """Write ``text`` in pieces: one write of megabytes into a pipe whose reader has gone may
    end without the broken pipe ever being raised, the rest of the output silently lost and
    the run's exit code kept (`plancheck validate | head` would exit 0)."""
    for start in range(0, len(text), piece):
        stream.write(text[start : start + piece])


def clean(text: str) -> str:
    """Plan text on one line, inert on a terminal (controls and bidi characters escaped)."""
    return inert(text.replace("\n", " "))


def shown_path(path: str) -> str:
    """A file name inert on a terminal, a line feed in it shown as ``\\x0a``: ``x\\n.yaml``
    and ``x .yaml`` are two files and must not look alike."""
    return inert(path, keep="")


def render(
    console: Console,
    findings: list[Finding],
    counts: dict[str, int],
    files_checked: int,
    new: dict[Finding, bool] | None = None,
    not_compared: int = 0,
) -> None:
    if not console.is_terminal:
        # a file or a pipe gets the same text without styles; written directly, since rich
        # takes seconds for the tens of thousands of lines of a national tree
        write_out(console.file, plain(findings, counts, files_checked, new, not_compared))
        console.file.flush()
        return
    from rich.text import Text

    for path, group in groupby(findings, key=lambda f: f.path):
        console.print(Text(shown_path(path), style="bold underline"))
        for f in group:
            line = Text()
            line.append(f"{shown_path(f.path)}:{f.line}:{f.column} ", style="dim")
            line.append(f.code, style=_STYLE.get(f.severity, ""))
            line.append(f" [{f.severity}] ")
            if new is not None:
                line.append(
                    "(new) " if new.get(f, False) else "(existing) ", style="bold" if new.get(f) else "dim"
                )
            line.append(clean(f.message))
            if f.waived is not None:
                line.append(f" (waived: {clean(f.waived)})", style="dim")
            console.print(line, soft_wrap=True)
        console.print()
    console.print(_summary(counts, files_checked, not_compared), highlight=False)


def plain(
    findings: list[Finding],
    counts: dict[str, int],
    files_checked: int,
    new: dict[Finding, bool] | None,
    not_compared: int = 0,
) -> str:
    """The text of `render` without styles."""
    lines: list[str] = []
    for path, group in groupby(findings, key=lambda f: f.path):
        lines.append(shown_path(path))
        for f in group:
            parts = [f"{shown_path(f.path)}:{f.line}:{f.column} {f.code} [{f.severity}] "]
            if new is not None:
                parts.append("(new) " if new.get(f, False) else "(existing) ")
            parts.append(clean(f.message))
            if f.waived is not None:
                parts.append(f" (waived: {clean(f.waived)})")
            lines.append("".join(parts))
        lines.append("")
    lines.append(_summary(counts, files_checked, not_compared))
    return "\n".join(lines) + "\n"


def _summary(counts: dict[str, int], files_checked: int, not_compared: int = 0) -> str:
    summary = ", ".join(
        f"{counts[k]} {k}" for k in ("error", "warning", "gap", "info", "waived") if counts.get(k)
    )
    noun = "file" if files_checked == 1 else "files"
    line = f"{files_checked} {noun} checked: " + (summary or "no findings")
    if not_compared:
        pairs = "comparison" if not_compared == 1 else "comparisons"
        line += f"; {not_compared} child–parent {pairs} could not run because the parent has errors"
    return line
