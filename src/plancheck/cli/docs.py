"""`plancheck rules`, `explain` and `schema`: the rules' documentation and the JSON Schemas."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from plancheck.cli.app import RulesFormat
from plancheck.cli.common import stdout_console
from plancheck.cli.errors import fail
from plancheck.cli.writable import unwritable
from plancheck.fsutil import write_atomic
from plancheck.hints import did_you_mean


def rules_cmd(
    format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="Output format (markdown: every rule's full docs).")
    ] = RulesFormat.text,
) -> None:
    """List every rule with its code, name, default severity and summary."""
    from plancheck.rules.registry import FAMILIES, RULES, rules_markdown

    if format is RulesFormat.markdown:
        sys.stdout.write(rules_markdown())
        return
    if format is RulesFormat.json:
        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity,
                "family": FAMILIES[r.family],
                "summary": r.summary,
            }
            for r in RULES.values()
        ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    console = stdout_console()
    family = ""
    for rule in RULES.values():
        if rule.family != family:
            family = rule.family
            console.print(f"\n[bold]{family}  {FAMILIES[family]}[/bold]")
        console.print(f"  {rule.code}  {rule.name:<32} {rule.severity:<8} {rule.summary}", markup=False)


def explain(
    code: Annotated[
        str,
        typer.Argument(
            help="A rule code (PC201), a rule name (target-missing) or a status (softened).", metavar="RULE"
        ),
    ],
) -> None:
    """Print one rule's documentation, or what a comparison status means."""
    from plancheck.rules.registry import RULES, lookup, status_docs

    rule = lookup(code)
    if rule is None:
        status = status_docs(code)
        if status is not None:
            sys.stdout.write(status)
            return
        names = [*RULES, *(r.name for r in RULES.values())]
        raise fail(
            f"no rule or status {code!r}; `plancheck rules` lists them, docs/rules.md the statuses"
            f"{did_you_mean(code, names)}"
        )
    sys.stdout.write(rule.docs())


def schema(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the schemas into.", metavar="DIR")
    ] = Path("schemas"),
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the files differ from the models; write nothing.")
    ] = False,
) -> None:
    """Write the JSON Schemas for plan files and the catalogue, generated from the models."""
    from plancheck.load.schemas_gen import SCHEMA_FILES, schema_text

    if os.path.exists(out) and not out.is_dir():
        raise fail(f"--out {out}: is not a folder; name the folder to write the schemas into")
    stale: list[tuple[Path, str]] = []
    try:
        for name in SCHEMA_FILES:
            target = out / name
            wanted = schema_text(name)
            current = target.read_text(encoding="utf-8") if target.is_file() else None
            if current != wanted:
                stale.append((target, wanted))
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"--out {out}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if not check:
        # every file is checked before any is written, as `report -o` checks its one file: a
        # rename over a link or a read-only file would silently replace it
        for target, _ in stale:
            problem = unwritable(target, "it is not replaced (remove it, or name another folder)")
            if problem is None and os.path.lexists(target) and not os.path.isfile(target):
                # a FIFO or device where a schema file goes: written through, it hung the run
                problem = "is not a regular file; it is not replaced (remove it, or name another folder)"
            if problem is not None:
                raise fail(f"--out {out}: {target.as_posix()} {problem}")
        try:
            for target, wanted in stale:
                write_atomic(target, wanted)
        except OSError as exc:
            raise fail(f"--out {out}: {exc.strerror or exc}") from None
    for target, _ in stale:
        typer.echo(f"{'stale' if check else 'wrote'} {target.as_posix()}")
    if check and stale:
        raise typer.Exit(1)
