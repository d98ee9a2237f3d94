"""Findings: structured results of rules, independent of how they are reported."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Severity = Literal["error", "warning", "gap", "info"]
SEVERITY_ORDER: dict[str, int] = {"info": 0, "gap": 1, "warning": 2, "error": 3}
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "gap", "info")

# Keys of `ctx` that cross-plan rules fill; reporters print them as top-level JSON fields.
CROSS_KEYS: tuple[str, ...] = ("parent", "indicator", "year", "child_bound", "parent_bound", "status")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place. ``ctx`` holds structured context (like pydantic's ErrorDetails).

    Findings are made by their rule (``Rule.finding`` in ``plancheck.rules.base``), which fills in
    the code, the name and the default severity; this module knows no rule.
    """

    code: str
    rule: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    plan: str | None = None
    ctx: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    waived: str | None = None  # the waiver's reason when a waiver covers this finding

    def with_(self, **changes: Any) -> Finding:
        return replace(self, **changes)

    @property
    def status(self) -> str | None:
        if self.waived is not None:
            return "waived"
        status = self.ctx.get("status")
        return str(status) if status is not None else None

    def sort_key(self) -> tuple[Any, ...]:
        return (self.path, self.line, self.column, self.code, self.message)

    def identity(self) -> tuple[Any, ...]:
        """What makes a finding 'the same' across edits: no line numbers, but the bounds compared,
        so a gap made worse (or a parent raised) is a new claim, not the old one."""
        return (
            self.code,
            self.plan or self.path,
            self.ctx.get("parent"),
            self.ctx.get("indicator"),
            self.ctx.get("year"),
            self.ctx.get("item"),
            self.ctx.get("child_bound"),
            self.ctx.get("parent_bound"),
            # why a comparison failed: "reaches the parent's level only in 2045" is a worse gap
            # than "only in 2031" with the same bounds
            self.ctx.get("reason"),
            self.message if not self.ctx.get("item") and not self.ctx.get("indicator") else "",
        )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def encode_finding(finding: Finding, home: str) -> list[Any]:
    """A finding as a list; its path is left out (None) when it is the plan's own ``home``."""
    return [
        finding.code,
        finding.severity,
        finding.message,
        finding.line,
        finding.column,
        finding.end_line,
        finding.end_column,
        finding.plan,
        finding.ctx,
        None if finding.path == home else finding.path,
    ]
