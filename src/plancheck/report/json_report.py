"""Stable, versioned JSON output of findings."""

from __future__ import annotations

import io
import json
from typing import Any, TextIO

from plancheck import __version__
from plancheck.findings import CROSS_KEYS, Finding

JSON_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": finding.code,
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "plan": finding.plan,
    }
    for key in CROSS_KEYS:
        if key in finding.ctx or key == "status":
            data[key] = finding.ctx.get(key)
    data["status"] = finding.status
    if finding.waived is not None:
        data["waiver_reason"] = finding.waived
    data["ctx"] = {k: v for k, v in sorted(finding.ctx.items()) if k not in CROSS_KEYS}
    return data


def render(findings: list[Finding], counts: dict[str, int], new: dict[Any, bool] | None = None) -> str:
    out = io.StringIO()
    write(out, findings, counts, new)
    return out.getvalue()


def write(
    out: TextIO, findings: list[Finding], counts: dict[str, int], new: dict[Any, bool] | None = None
) -> None:
    """One finding per line inside a pretty header: readable, diffable, and fast (C encoder).

    Written line by line: joining tens of thousands of lines into one string first took longer
    than encoding them.
    """
    head = {
        "version": JSON_VERSION,
        "tool": {"name": "plancheck", "version": __version__},
        "summary": {"findings": len(findings), "by_severity": dict(sorted(counts.items()))},
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    out.write(text[:-2] + ',\n  "findings": ')
    if not findings:
        out.write("[]\n}\n")
        return
    # one encoder for every line: json.dumps with options builds a new one per call
    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    separator = "[\n    "
    for f in findings:
        out.write(separator)
        out.write(encode(_with_new(finding_dict(f), f, new)))
        separator = ",\n    "
    out.write("\n  ]\n}\n")


def _with_new(data: dict[str, Any], finding: Finding, new: dict[Any, bool] | None) -> dict[str, Any]:
    if new is not None:
        data["new"] = bool(new.get(finding, False))
    return data
