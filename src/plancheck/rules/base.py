"""What a rule is: a stable code, a name that names the problem, a severity, docs and a check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from plancheck.findings import Finding, Severity

if TYPE_CHECKING:
    from plancheck.planset import LoadedPlan, PlanSet

Scope = Literal["loader", "plan", "edge", "tree", "progress"]

PlanCheck = Callable[["LoadedPlan", "PlanSet"], Iterable[Finding]]
EdgeCheck = Callable[["LoadedPlan", "LoadedPlan", "PlanSet"], Iterable[Finding]]
TreeCheck = Callable[["PlanSet"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A rule. ``check`` is None for rules whose findings the loader emits (PC0xx).

    Docs follow fixed sections (ruff's rule pages): what it checks, why it matters, an example
    that fails, and what to write instead.
    """

    code: str
    name: str
    severity: Severity
    scope: Scope
    summary: str
    why: str
    example: str
    instead: str
    check: Any = None  # PlanCheck | EdgeCheck | TreeCheck, by scope (progress: see rules/progress.py)

    @property
    def family(self) -> str:
        return self.code[:3] + "xx"

    def docs(self) -> str:
        """The rule's documentation page in Markdown."""
        return (
            f"# {self.code} {self.name}\n\n"
            f"Default severity: `{self.severity}`.\n\n"
            f"## What it checks\n\n{self.summary}\n\n"
            f"## Why it matters\n\n{self.why}\n\n"
            f"## Example\n\n```yaml\n{self.example.strip()}\n```\n\n"
            f"## Use instead\n\n```yaml\n{self.instead.strip()}\n```\n"
        )
