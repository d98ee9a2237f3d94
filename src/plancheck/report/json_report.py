"""Stable, versioned JSON output of findings."""

from __future__ import annotations

import codecs
import io
import json
from typing import Any, TextIO

from plancheck import __version__
from plancheck.findings import CROSS_KEYS, SEVERITY_ORDER, Finding

JSON_VERSION = 1
# between two findings' lines, as the output prints them
LINE_SEPARATOR = ",\n    "
# one encoder for every line: json.dumps with options builds a new one per call
_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


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


class FindingLines:
    """Findings already in the output's form: ``count`` lines, joined by ``LINE_SEPARATOR``, as
    UTF-8 ``data`` (written as they are to a UTF-8 stream: decoding and encoding tens of
    megabytes again took longer than the rest of a warm run's output)."""

    def __init__(self, data: bytes | memoryview, count: int) -> None:
        self.data = data
        self.count = count

    @property
    def text(self) -> str:
        return str(self.data, "utf-8")


def finding_line(finding: Finding) -> str:
    """The line of ``finding`` in the output (without ``new``: that depends on the base)."""
    return _encode(finding_dict(finding))


_INTS = ("line", "column")
_OPTIONAL_INTS = ("end_line", "end_column")
_OPTIONAL_STRS = ("plan", "waiver_reason")


def finding_from_dict(data: Any) -> Finding:
    """The finding whose output is ``data`` (``finding_dict``'s), ValueError when it is not one.

    The output is not the whole finding: a waived finding's own ``status`` and a cross key set
    to null in ``ctx`` do not show. Whoever keeps findings in this form keeps those aside.
    """
    if (
        type(data) is not dict
        or not isinstance(data.get("code"), str)
        or not isinstance(data.get("rule"), str)
        or data.get("severity") not in SEVERITY_ORDER
        or not isinstance(data.get("message"), str)
        or not isinstance(data.get("path"), str)
        or not all(type(data.get(k)) is int for k in _INTS)
        or not all(data.get(k) is None or type(data.get(k)) is int for k in _OPTIONAL_INTS)
        or not all(data.get(k) is None or isinstance(data.get(k), str) for k in _OPTIONAL_STRS)
        or type(data.get("ctx")) is not dict
    ):
        raise ValueError("not a finding of plancheck's JSON output")
    ctx = dict(data["ctx"])
    for key in CROSS_KEYS:
        if key in data and key != "status":
            ctx[key] = data[key]
    waived = data.get("waiver_reason")
    if waived is None and data.get("status") is not None:
        ctx["status"] = data["status"]
    return Finding(
        code=data["code"],
        rule=data["rule"],
        severity=data["severity"],
        message=data["message"],
        path=data["path"],
        line=data["line"],
        column=data["column"],
        end_line=data.get("end_line"),
        end_column=data.get("end_column"),
        plan=data.get("plan"),
        ctx=ctx,
        waived=waived,
    )


def render(findings: list[Finding], counts: dict[str, int], new: dict[Any, bool] | None = None) -> str:
    out = io.StringIO()
    write(out, findings, counts, new)
    return out.getvalue()


def write(
    out: TextIO,
    findings: list[Finding],
    counts: dict[str, int],
    new: dict[Any, bool] | None = None,
    lines: FindingLines | None = None,
) -> None:
    """One finding per line inside a pretty header: readable, diffable, and fast (C encoder).

    Written line by line: joining tens of thousands of lines into one string first took longer
    than encoding them. ``lines``: the findings' lines already joined (a stored result's), written
    as they are when no finding is marked new; ``findings`` is then not looked at.
    """
    if new is not None:
        lines = None  # each line then says whether its finding is new
    head = {
        "version": JSON_VERSION,
        "tool": {"name": "plancheck", "version": __version__},
        "summary": {
            "findings": len(findings) if lines is None else lines.count,
            "by_severity": dict(sorted(counts.items())),
        },
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    out.write(text[:-2] + ',\n  "findings": ')
    if lines is not None and lines.count:
        out.write("[\n    ")
        buffer = _utf8_buffer(out)
        if buffer is None:
            out.write(lines.text)
        else:
            out.flush()  # what the text layer holds goes first
            buffer.write(lines.data)
        out.write("\n  ]\n}\n")
        return
    if lines is not None or not findings:
        out.write("[]\n}\n")
        return
    separator = "[\n    "
    for f in findings:
        out.write(separator)
        out.write(_encode(_with_new(finding_dict(f), f, new)))
        separator = LINE_SEPARATOR
    out.write("\n  ]\n}\n")


def _utf8_buffer(out: TextIO) -> Any:
    """The byte stream under ``out`` when ``out`` writes UTF-8 to it (else None)."""
    buffer = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None)
    if buffer is None or not isinstance(encoding, str):
        return None
    try:
        return buffer if codecs.lookup(encoding).name == "utf-8" else None
    except LookupError:
        return None


def _with_new(data: dict[str, Any], finding: Finding, new: dict[Any, bool] | None) -> dict[str, Any]:
    if new is not None:
        data["new"] = bool(new.get(finding, False))
    return data
