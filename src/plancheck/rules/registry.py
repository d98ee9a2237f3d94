"""The explicit registry of rules, keyed by stable code."""

from __future__ import annotations

from plancheck.rules import input as input_rules
from plancheck.rules import consistency, provenance, references, targets, tasks
from plancheck.rules.base import Rule

FAMILIES: dict[str, str] = {
    "PC0xx": "input",
    "PC1xx": "schema and references",
    "PC2xx": "targets against parents",
    "PC3xx": "tasks and deadlines",
    "PC4xx": "consistency inside one plan",
    "PC5xx": "provenance",
}


def _collect(*groups: list[Rule]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for group in groups:
        for rule in group:
            if rule.code in rules:
                raise RuntimeError(f"rule code {rule.code} registered twice")
            rules[rule.code] = rule
    return dict(sorted(rules.items()))


RULES: dict[str, Rule] = _collect(
    input_rules.RULES, references.RULES, targets.RULES, tasks.RULES, consistency.RULES, provenance.RULES
)
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES.values()}


def lookup(code_or_name: str) -> Rule | None:
    key = code_or_name.strip()
    return RULES.get(key.upper()) or BY_NAME.get(key.lower())
