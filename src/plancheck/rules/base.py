"""What a rule is: a stable code, a name that names the problem, a severity, docs and a check.

A leaf module: it imports nothing from plancheck but the findings a rule makes, so the loader,
the plan set and every rule module can hold rule objects without importing one another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from plancheck.findings import Finding, Severity

Scope = Literal["loader", "plan", "edge", "tree", "progress"]


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A rule. Its findings are made by :meth:`finding`, which fills in code, name and severity.

    ``check`` is called by scope: ``(plan, planset)`` for `plan`, ``(child, parent, planset)``
    for `edge`, ``(planset)`` for `tree`, ``(progress)`` for `progress`. It is None for rules
    whose findings something else makes: the loader (PC0xx), the engine (unused waivers), or
    another rule's check that lists the code in its ``emits``.

    ``emits`` names every code a check yields when it is more than the rule's own: one pass
    over the data finds several problems (a coverage entry's two counts, a plan's provenance),
    and running it once per code would only filter its findings.

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
    check: Any = None
    emits: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        return self.code[:3] + "xx"

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the findings this rule's check yields."""
        if self.check is None:
            return ()
        return self.emits or (self.code,)

    def finding(
        self,
        path: str,
        line: int,
        column: int,
        message: str,
        *,
        plan: str | None = None,
        ctx: Mapping[str, Any] | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule, at its default severity unless ``severity`` is given."""
        return Finding(
            code=self.code,
            rule=self.name,
            severity=severity or self.severity,
            message=message,
            path=path,
            line=max(1, line),
            column=max(1, column),
            plan=plan,
            ctx=dict(ctx or {}),
        )

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
