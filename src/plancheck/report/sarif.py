"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF viewers.

Locations are relative to the unresolved base id ``%SRCROOT%`` (the viewer supplies the checkout),
so no machine path is embedded. Each result carries a fingerprint built from the finding's
identity, which has no line numbers, so an alert survives edits elsewhere in the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path, PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from plancheck import __version__
from plancheck.findings import CROSS_KEYS, Finding, sort_findings
from plancheck.rules.base import Rule
from plancheck.rules.registry import FAMILIES, RULES

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://plancheck.invalid/docs"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "plancheckIdentity/v1"

_LEVEL: dict[str, str] = {"error": "error", "warning": "warning", "gap": "warning", "info": "note"}


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", "-").split("-") if part)


def _descriptor(rule: Rule) -> dict[str, Any]:
    docs = rule.docs()
    return {
        "id": rule.code,
        "name": _pascal(rule.name),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
        "help": {"text": docs, "markdown": docs},
        "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "warning")},
        "properties": {"tags": [rule.family, FAMILIES.get(rule.family, rule.family)]},
    }


def artifact_location(path: str) -> dict[str, Any]:
    """A path as a URI reference: relative to %SRCROOT% when possible, else a file: URI."""
    posix = path.replace(os.sep, "/") if os.sep != "/" else path
    if Path(path).is_absolute():
        try:
            posix = Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return {"uri": Path(path).as_uri()}  # outside the working tree: nothing to be relative to
    posix = str(PurePosixPath(posix))  # drops "./" and doubled slashes
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def fingerprint(finding: Finding) -> str:
    data = json.dumps(list(finding.identity()), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _region(finding: Finding) -> dict[str, int]:
    region = {"startLine": max(1, finding.line), "startColumn": max(1, finding.column)}
    if finding.end_line is not None:
        region["endLine"] = max(region["startLine"], finding.end_line)
    if finding.end_column is not None:
        region["endColumn"] = max(1, finding.end_column)
    return region


def _result(
    finding: Finding, rule_index: dict[str, int], print_: str, where: dict[str, Any] | None = None
) -> dict[str, Any]:
    properties: dict[str, Any] = {"severity": finding.severity, "plan": finding.plan}
    for key in CROSS_KEYS:
        if key in finding.ctx:
            properties[key] = finding.ctx[key]
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": "note" if finding.waived is not None else _LEVEL.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": dict(where or artifact_location(finding.path)),
                    "region": _region(finding),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: print_},
        "properties": properties,
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if finding.waived is not None:
        result["suppressions"] = [{"kind": "external", "justification": finding.waived}]
    return result


_RESULTS = "\x00results\x00"  # stands in for the results in the log's skeleton
_RESULT_INDENT = " " * 8  # where the items of runs[0].results stand in the indented skeleton


def render(findings: list[Finding]) -> str:
    out = io.StringIO()
    write(out, findings)
    return out.getvalue()


def write(out: TextIO, findings: list[Finding]) -> None:
    """The log, streamed: the skeleton indented, each result on a line of its own.

    One ``json.dumps(indent=2)`` of the whole log runs the pure-Python encoder over every node
    and holds the whole text (50 MB for 40,000 findings) at once, several times over; each
    result encoded alone by the C encoder keeps time linear and memory to one result.
    """
    ordered = sort_findings(findings)
    codes = sorted({f.code for f in ordered if f.code in RULES})
    rules = [_descriptor(RULES[code]) for code in codes]
    rule_index = {code: i for i, code in enumerate(codes)}
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "plancheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {
                    SRCROOT: {
                        "description": {"text": "The root of the checked-out repository plancheck ran in."}
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_RESULTS] if ordered else [],
            }
        ],
    }
    skeleton = json.dumps(log, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    if not ordered:
        out.write(skeleton)
        return
    marker = f"{_RESULT_INDENT}{json.dumps(_RESULTS)}\n"
    head, tail = skeleton.split(marker)
    out.write(head)
    # two findings with the same identity would share a fingerprint and be merged into one
    # alert; number the repeats in file order, as GitHub does for its own line hashes
    seen: dict[str, int] = {}
    locations: dict[str, dict[str, Any]] = {}
    last = len(ordered) - 1
    for i, finding in enumerate(ordered):
        digest = fingerprint(finding)
        seen[digest] = seen.get(digest, 0) + 1
        print_ = digest if seen[digest] == 1 else f"{digest}:{seen[digest]}"
        where = locations.get(finding.path)
        if where is None:
            where = locations[finding.path] = artifact_location(finding.path)
        result = _result(finding, rule_index, print_, where)
        text = json.dumps(result, ensure_ascii=False, sort_keys=True, default=str)
        out.write(f"{_RESULT_INDENT}{text}{',' if i < last else ''}\n")
    out.write(tail)
