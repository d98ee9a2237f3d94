"""Stable, versioned JSON output of findings."""

from __future__ import annotations

import json
from typing import Any

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
    """One finding per line inside a pretty header: readable, diffable, and fast (C encoder)."""
    head = {
        "version": JSON_VERSION,
        "tool": {"name": "plancheck", "version": __version__},
        "summary": {"findings": len(findings), "by_severity": dict(sorted(counts.items()))},
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    # one encoder for every line: json.dumps with options builds a new one per call
    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    lines = [encode(_with_new(finding_dict(f), f, new)) for f in findings]
    body = "[]" if not lines else "[\n    " + ",\n    ".join(lines) + "\n  ]"
    return text[:-2] + ',\n  "findings": ' + body + "\n}\n"


def _with_new(data: dict[str, Any], finding: Finding, new: dict[Any, bool] | None) -> dict[str, Any]:
    if new is not None:
        data["new"] = bool(new.get(finding, False))
    return data
