"""GitHub Actions output: workflow-command annotations and a Markdown job summary.

Annotations are ``::error file=..,line=..::message`` lines on standard output; the runner turns
them into inline comments on the pull request. Escaping follows ``@actions/core`` (command.ts)
so that plan text can never end a command early or start a new one.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from typing import TYPE_CHECKING

from plancheck.findings import Finding
from plancheck.inert import inert
from plancheck.report.text import clean

if TYPE_CHECKING:
    from plancheck.check.result import Result
    from plancheck.config import Config

# Most severe first. GitHub caps annotations per level (10 errors, 10 warnings per step), so the
# ones that block a merge go out before the ones that inform. Waived findings come last.
_RANK: dict[str, int] = {"error": 0, "gap": 1, "warning": 2, "info": 3}
_LEVEL: dict[str, str] = {"error": "error", "warning": "warning", "gap": "warning", "info": "notice"}

SUMMARY_ROWS = 100
# GitHub refuses a step's summary over 1 MiB; stay well below it whatever the tree
SUMMARY_MAX_BYTES = 256 * 1024
MESSAGE_CHARS = 500


def _no_controls(text: str) -> str:
    # \n and \r are escaped as %0A/%0D by the command syntax; every other control, separator
    # and bidi character is made visible by the shared escaping
    return inert(text, keep="\n\r")


def escape_data(text: str) -> str:
    """A command's message, as ``escapeData`` in @actions/core (controls made visible first)."""
    return _no_controls(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value, as ``escapeProperty`` in @actions/core."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _order(findings: list[Finding], new: dict[Finding, bool] | None = None) -> list[Finding]:
    def key(f: Finding) -> tuple[int, int, int, str, int, int, str]:
        fresh = 0 if new is None or new.get(f, False) else 1  # with --base, new findings lead
        return (
            fresh,
            1 if f.waived is not None else 0,
            _RANK.get(f.severity, 9),
            f.path,
            f.line,
            f.column,
            f.code,
        )

    return sorted(findings, key=key)  # sorted() is stable: equal keys keep the engine's order


def _message(finding: Finding, new: dict[Finding, bool] | None) -> str:
    text = finding.message
    if new is not None:
        text = ("[new] " if new.get(finding, False) else "[existing] ") + text
    if finding.waived is not None:
        text += f" (waived: {finding.waived})"
    return text


def annotation(finding: Finding, new: dict[Finding, bool] | None = None) -> str:
    """One workflow command for one finding."""
    level = "notice" if finding.waived is not None else _LEVEL.get(finding.severity, "warning")
    props: list[tuple[str, object]] = [
        ("file", finding.path),
        ("line", max(1, finding.line)),
        ("col", max(1, finding.column)),
    ]
    if finding.end_line is not None:
        props.append(("endLine", finding.end_line))
    if finding.end_column is not None:
        props.append(("endColumn", finding.end_column))
    props.append(("title", f"{finding.code} {finding.rule}"))
    rendered = ",".join(f"{name}={escape_property(str(value))}" for name, value in props)
    return f"::{level} {rendered}::{escape_data(_message(finding, new))}"


def render(findings: list[Finding], new: dict[Finding, bool] | None = None, limit: int = 50) -> str:
    """Workflow commands, most severe first, at most ``limit`` of them plus a notice for the rest.

    With ``new`` (``validate --base``) only new findings are annotated: existing ones would fill
    GitHub's few annotation slots and hide what the pull request changed. They are counted in a
    notice and listed, folded, in the job summary.
    """
    existing = 0
    if new is not None:
        existing = sum(1 for f in findings if not new.get(f, False))
        findings = [f for f in findings if new.get(f, False)]
    ordered = _order(findings)
    shown = ordered[: max(0, limit)]
    lines = [annotation(f, new) for f in shown]
    left = len(ordered) - len(shown)
    if left:
        noun = "finding" if left == 1 else "findings"
        kind = "new " if new is not None else ""
        lines.append(
            f"::notice title=plancheck::{left} more {kind}{noun} not annotated; "
            "see the job summary or run plancheck validate locally"
        )
    if existing:
        noun = "finding" if existing == 1 else "findings"
        lines.append(
            f"::notice title=plancheck::{existing} existing {noun} (already there before this change) "
            "not annotated; they are listed in the job summary"
        )
    return "".join(line + "\n" for line in lines)


# ---------------------------------------------------------------------------------------------
# Job summary ($GITHUB_STEP_SUMMARY): GitHub-flavoured Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_cell(text: str) -> str:
    """Text made safe for one cell of a Markdown table: literal, on one line, no HTML."""
    text = _no_controls(text.replace("\r\n", " ").replace("\r", " ").replace("\n", " "))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _counts_line(counts: dict[str, int]) -> str:
    parts = [f"{counts[k]} {k}" for k in ("error", "warning", "gap", "info", "waived") if counts.get(k)]
    parts += [
        f"{v} {md_cell(k)}" for k, v in sorted(counts.items()) if k not in _RANK and k != "waived" and v
    ]
    return ", ".join(parts) if parts else "no findings"


def _counts(findings: list[Finding]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in findings:
        key = "waived" if f.waived is not None else f.severity
        counts[key] = counts.get(key, 0) + 1
    return counts


def _row(f: Finding) -> str:
    severity = f"{f.severity} (waived)" if f.waived is not None else f.severity
    message = f.message if f.waived is None else f"{f.message} (waived: {f.waived})"
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    return (
        f"| {md_cell(severity)} | {md_cell(f.code)} {md_cell(f.rule)} "
        f"| {md_cell(f.path)}:{f.line} | {md_cell(message)} |"
    )


def _table(findings: list[Finding], budget: int) -> tuple[list[str], int]:
    """Table lines for the first findings that fit in ``SUMMARY_ROWS`` rows and ``budget`` bytes."""
    out = ["| Severity | Code | Location | Message |", "| --- | --- | --- | --- |"]
    used = sum(len(line.encode()) + 1 for line in out)
    shown = 0
    for f in findings[:SUMMARY_ROWS]:
        row = _row(f)
        size = len(row.encode()) + 1
        if used + size > budget:
            break
        out.append(row)
        used += size
        shown += 1
    return out, shown


def summary_markdown(
    result: Result, config: Config | None = None, new: dict[Finding, bool] | None = None
) -> str:
    """The job summary: a count line, then a table; at most ``SUMMARY_MAX_BYTES`` bytes.

    With ``new`` the count line gives new and existing findings apart, the table holds the new
    ones, and the existing ones follow folded (``<details>``).
    """
    findings = _order(result.findings, new)
    total = len(findings)
    fails = f" (fails on {md_cell(str(config.fail_on))} and above)" if config is not None else ""
    out = ["## plancheck", ""]
    if new is None:
        head, rest = findings, []
        out.append(
            f"**{total} {'finding' if total == 1 else 'findings'}:** {_counts_line(result.counts)}{fails}"
        )
    else:
        head = [f for f in findings if new.get(f, False)]
        rest = [f for f in findings if not new.get(f, False)]
        out.append(
            f"**{len(head)} new {'finding' if len(head) == 1 else 'findings'}:** "
            f"{_counts_line(_counts(head))}{fails} · **{len(rest)} existing:** {_counts_line(_counts(rest))}"
        )
    out.append("")
    budget = SUMMARY_MAX_BYTES - 2048  # room for the headings and notes around the tables
    if head:
        if new is not None:
            out += ["### New findings", ""]
        lines, shown = _table(head, budget // 2 if rest else budget)
        out += lines
        budget -= sum(len(line.encode()) + 1 for line in lines)
        if shown < len(head):
            out += [
                "",
                f"{len(head) - shown} more not shown; run `plancheck validate` locally for all of them.",
            ]
        out.append("")
    elif new is not None:
        out += ["No new findings.", ""]
    if rest:
        noun = "finding" if len(rest) == 1 else "findings"
        out += [
            "<details>",
            f"<summary>{len(rest)} existing {noun} (there before this change; not annotated)</summary>",
            "",
        ]
        lines, shown = _table(rest, budget)
        out += lines
        if shown < len(rest):
            out += [
                "",
                f"{len(rest) - shown} more not shown; run `plancheck validate` locally for all of them.",
            ]
        out += ["", "</details>", ""]
    return "\n".join(out) + "\n"


def write_step_summary(result: Result, config: Config, new: dict[Finding, bool] | None = None) -> None:
    """Append a Markdown summary to $GITHUB_STEP_SUMMARY when it is set; otherwise do nothing."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    text = summary_markdown(result, config, new)
    try:
        # non-blocking, then only a regular file is written: a FIFO nobody reads would otherwise
        # hold the run in open() forever, as the cache guards its entries
        flags = (
            os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        )
        fd = os.open(target, flags, 0o666)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
            os.set_blocking(fd, True)
            handle.write(text)
    except OSError as exc:
        # the summary is a convenience; the annotations and the exit code are what count
        why = exc.strerror or str(exc)
        if sys.stderr is not None:  # closed (`2>&-`): the summary's absence says it
            print(f"plancheck: could not write the job summary to {clean(target)}: {why}", file=sys.stderr)
