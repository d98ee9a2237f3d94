"""Normalised views of plans for `plancheck show`."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from plancheck.model import Plan
from plancheck.reporters.text import clean


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    data = plan.model_dump(mode="json")
    for target in data["targets"]:
        target["bound"] = target["bound"]  # canonical string or None (serialised by Bound.__str__)
    return data


def render_plan_text(console: Console, plan: Plan) -> None:
    doc = plan.document
    console.print(
        f"[bold]{clean(plan.id)}[/bold]  {clean(doc.number or '(number unknown)')}  issued {doc.issued}"
    )
    console.print(
        f"{clean(doc.kind)} — {clean(doc.issuer)} — {plan.jurisdiction.level} {clean(plan.jurisdiction.name)}"
    )
    if plan.implements:
        console.print("implements: " + ", ".join(plan.implements))
    if plan.targets:
        table = Table(
            "id", "indicator", "year", "bound", "unit", "label", title="targets", title_justify="left"
        )
        for t in plan.targets:
            bound = str(t.bound) if t.bound is not None else f"“{clean(t.qualitative or '')}”"
            table.add_row(clean(t.id), t.indicator, str(t.year), bound, clean(t.unit), clean(t.label))
        console.print(table)
    if plan.tasks:
        table = Table("id", "due", "lead", "title", title="tasks", title_justify="left")
        for task in plan.tasks:
            table.add_row(clean(task.id), str(task.due), clean(task.lead or "—"), clean(task.title))
        console.print(table)
    console.print()
