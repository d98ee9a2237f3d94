"""Human output: findings grouped by file, `path:line:col CODE message`."""

from __future__ import annotations

import re
from itertools import groupby

from rich.console import Console
from rich.text import Text

from plancheck.findings import Finding

_STYLE = {"error": "bold red", "warning": "yellow", "gap": "magenta", "info": "cyan"}
# C0/C1 control characters (ESC included) from plan text must never reach a terminal
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text).replace("\n", " ")


def render(
    console: Console,
    findings: list[Finding],
    counts: dict[str, int],
    files_checked: int,
    new: dict[Finding, bool] | None = None,
) -> None:
    for path, group in groupby(findings, key=lambda f: f.path):
        console.print(Text(clean(path), style="bold underline"))
        for f in group:
            line = Text()
            line.append(f"{clean(f.path)}:{f.line}:{f.column} ", style="dim")
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
    summary = ", ".join(
        f"{counts[k]} {k}" for k in ("error", "warning", "gap", "info", "waived") if counts.get(k)
    )
    noun = "file" if files_checked == 1 else "files"
    console.print(f"{files_checked} {noun} checked: " + (summary or "no findings"), highlight=False)
