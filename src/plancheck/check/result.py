"""The result of a check: its findings, counts and plan set, for every reporter.

A leaf module (findings and counts, no rule and no model): a warm run that reads its result from
the cache (``run.treecache``) imports no more than it needs to print it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from plancheck.findings import SEVERITY_ORDER, Finding

if TYPE_CHECKING:
    from plancheck.load.planset import PlanSet
    from plancheck.report.json_report import FindingLines


@dataclass
class Result:
    findings: list[Finding]
    planset: PlanSet
    requested: set[str]
    suppressed: int = 0  # findings dropped by select/ignore
    counts: dict[str, int] = field(default_factory=dict)
    not_compared: int = 0  # child–parent comparisons that could not run: the parent has errors
    # set by run.pipeline.check_tree: each plan file's key (by file path) and the catalogue's hash,
    # what a cached report section depends on
    file_keys: dict[str, str] = field(default_factory=dict)
    catalogue_sha: str = ""
    # the file-by-file check's own checker (run.filewise), whose parsed parents a report reuses
    checker: Any = None
    # and each plan's context key: where the report finds the rows its check cached
    contexts: dict[str, str] = field(default_factory=dict)

    def at_or_above(self, threshold: str) -> list[Finding]:
        level = SEVERITY_ORDER[threshold]
        return [f for f in self.findings if f.waived is None and SEVERITY_ORDER[f.severity] >= level]

    def blocks(self, threshold: str) -> bool:
        """Whether a finding not waived is at or above ``threshold`` (from the counts alone)."""
        level = SEVERITY_ORDER[threshold]
        return any(n and SEVERITY_ORDER.get(sev, -1) >= level for sev, n in self.counts.items())

    def finding_lines(self) -> FindingLines | None:
        """The findings as the JSON output's lines, when they are at hand without encoding them
        (a result read from the tree entry: see ``run.treecache``)."""
        return None
