"""Normalised views of plans for `plancheck show`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from plancheck.model import Plan
from plancheck.report.text import clean


def write_json(out: TextIO, plans: Iterable[Plan]) -> None:
    """The bytes of ``json.dumps(list, indent=2)``, written a plan at a time: showing a national
    tree never holds it in memory."""
    out.write("[")
    written = False
    for plan in plans:
        item = json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=2).replace("\n", "\n  ")
        out.write(("," if written else "") + "\n  " + item)
        written = True
    out.write("\n]\n" if written else "]\n")


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    data = plan.model_dump(mode="json")
    for target in data["targets"]:
        target["bound"] = target["bound"]  # canonical string or None (serialised by Bound.__str__)
    return data


def _t(text: object) -> Text:
    """Plan text as a rich ``Text``: never read as markup, controls and bidi characters escaped."""
    return Text(clean(str(text)))


def render_plan_text(console: Console, plan: Plan) -> None:
    doc = plan.document
    head = Text(clean(plan.id), style="bold")
    head.append(f"  {clean(doc.number or '(number unknown)')}  issued {clean(str(doc.issued))}", style="")
    console.print(head)
    console.print(_t(f"{doc.kind} — {doc.issuer} — {plan.jurisdiction.level} {plan.jurisdiction.name}"))
    if plan.implements:
        console.print(_t("implements: " + ", ".join(plan.implements)))
    if plan.targets:
        table = Table(
            "id", "indicator", "year", "bound", "unit", "label", title="targets", title_justify="left"
        )
        for t in plan.targets:
            bound = str(t.bound) if t.bound is not None else f"“{t.qualitative or ''}”"
            table.add_row(_t(t.id), _t(t.indicator), _t(t.year), _t(bound), _t(t.unit), _t(t.label))
        console.print(table)
    if plan.tasks:
        table = Table("id", "due", "lead", "title", title="tasks", title_justify="left")
        for task in plan.tasks:
            table.add_row(_t(task.id), _t(task.due), _t(task.lead or "—"), _t(task.title))
        console.print(table)
    console.print()
