"""`plancheck show`, `tree`, `coverage` and `diff`: the plans, their hierarchy, the units they
cover, and what changed between two versions of one.

Each command imports what it runs when it runs (see ``cli.main``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from plancheck.cli.app import CacheDirOpt, DiffFormat, NoCacheOpt, Paths, ShowFormat
from plancheck.cli.common import (
    cache_store,
    checked_tree,
    chosen_paths,
    named_plans,
    note_left_out,
    read_config,
    require_paths,
    require_tree,
    run_check,
    stdout_console,
    worker_count,
)
from plancheck.cli.errors import fail, shown_name
from plancheck.gitutil import GitError
from plancheck.hints import did_you_mean
from plancheck.load.discover import find_root
from plancheck.report.text import clean

if TYPE_CHECKING:
    from plancheck.model import Plan
    from plancheck.report.rows import EdgeReport


def show(
    plans: Annotated[
        list[str] | None,
        typer.Argument(help="Plan ids or plan files (default: all).", show_default=False, metavar="PLAN"),
    ] = None,
    format: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output format.")] = ShowFormat.text,
    root: Annotated[
        Path | None,
        typer.Option("--root", help="Plan tree (default: plans/).", show_default=False, metavar="DIR"),
    ] = None,
    no_cache: NoCacheOpt = False,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Show plans as plancheck reads them, normalised."""
    from plancheck.load.plan import load_plan
    from plancheck.report.show import render_plan_text, write_json

    config = read_config()
    paths = [root] if root is not None else chosen_paths(None, config)
    files = [Path(p) for p in plans or [] if p.endswith((".yaml", ".yml")) or os.path.isfile(p)]
    if root is None and files:  # `show plans/x/y.yaml`: the tree is the file's
        paths = [files[0]]
    require_paths(paths)
    # the (cached) check finds which file holds each id; then only the plans shown are read,
    # one at a time, so showing one plan of a national tree stays quick and small
    result = run_check(require_tree(paths), config, None, not no_cache, cache_dir)
    owners = result.planset.plans
    by_file = {lp.file.resolve(): pid for pid, lp in owners.items()}
    wanted = [by_file.get(Path(p).resolve(), p) if Path(p) in files else p for p in plans or []] or sorted(
        owners
    )
    missing = [p for p in wanted if p not in owners]
    if missing:
        holders = sorted(lp.path for lp in result.planset.files if lp.id == missing[0])
        where = f" ({clean(', '.join(holders))} has errors)" if holders else ""
        raise fail(
            f"no valid plan with id {missing[0]!r}{where} (see `plancheck validate`)"
            f"{did_you_mean(missing[0], owners)}"
        )
    if not plans:
        note_left_out(result)

    def chosen() -> Iterator[Plan]:
        for plan_id in wanted:
            lp = load_plan(owners[plan_id].file, result.planset.root, config.max_file_size)
            if lp.plan is None:  # edited since it was checked
                raise fail(f"plan {plan_id!r} no longer validates (see `plancheck validate`)")
            yield lp.plan

    if format is ShowFormat.json:
        write_json(sys.stdout, chosen())
    else:
        console = stdout_console()
        if not console.is_terminal:
            console.width = 1000  # a file or a pipe gets whole lines, not lines cut at 80 columns
        for plan in chosen():
            render_plan_text(console, plan)


def coverage(
    paths: Paths = None,
    format: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output format.")] = ShowFormat.text,
    no_cache: NoCacheOpt = False,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Which of the 34 provinces (and communes) have a plan implementing 57-NQ/TW, and since when."""
    from plancheck.check.coverage import compute
    from plancheck.report.coverage import render_text

    config = read_config()
    result = checked_tree(paths, config, no_cache, cache_dir)
    cov = compute({pid: lp.plan for pid, lp in result.planset.plans.items() if lp.plan is not None})
    if format is ShowFormat.json:
        sys.stdout.write(json.dumps(cov.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        # plan text (document numbers, names) reaches a terminal: shown inert, as everywhere else
        sys.stdout.write("\n".join(clean(line) for line in render_text(cov).split("\n")))


def tree(
    paths: Paths = None,
    format: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output format.")] = ShowFormat.text,
    no_cache: NoCacheOpt = False,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Show the hierarchy of plans with, per child and parent, counts of targets by status."""
    from plancheck.report.tree import tree_lines
    from plancheck.run.reports import edge_reports

    config = read_config()
    result = checked_tree(paths, config, no_cache, cache_dir)
    planset = result.planset
    only = named_plans(result) if paths else None
    store = cache_store(config, not no_cache, cache_dir)
    summaries = list(
        edge_reports(result, config, "en", only, render=False, workers=worker_count(), store=store)
    )
    if format is ShowFormat.json:
        data = [
            {"child": s.child, "parent": s.parent, "worst": s.worst, "counts": dict(sorted(s.counts.items()))}
            for s in summaries
        ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    children: dict[str, list[EdgeReport]] = {}
    for s in summaries:
        children.setdefault(s.parent, []).append(s)
    has_parent = {s.child for s in summaries}
    pool = sorted(only) if only is not None else sorted(planset.plans)
    roots = sorted(
        {
            *(s.parent for s in summaries if s.parent not in has_parent),
            *(p for p in pool if p not in has_parent),
        }
    )
    console = stdout_console()
    if not console.is_terminal:
        console.width = 1000  # a file or a pipe gets whole lines, not lines cut at 80 columns
    for line in tree_lines(roots, children):
        console.print(line, soft_wrap=True)
    console.print(
        "Each plan sits under a plan it implements, with its targets compared with that parent's, "
        'counted by status (worst first). "(its plans are shown above)": a plan met again, whose '
        "own plans are listed where it first appears.",
        style="dim",
        markup=False,
    )


def diff(
    old: Annotated[
        str,
        typer.Argument(
            help="The old plan: a file, or REF:path (e.g. main:plans/hongbang/106-KH-UBND.yaml).",
            metavar="OLD",
        ),
    ],
    new: Annotated[str, typer.Argument(help="The new plan: a file, or REF:path.", metavar="NEW")],
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.text,
) -> None:
    """Show what changed between two versions of a plan: targets tightened, relaxed, added, removed, moved."""
    from plancheck.check.plandiff import DiffInputError, diff_plans, load_plan_bytes, read_spec
    from plancheck.load.catalogue import load_catalogue
    from plancheck.report.plandiff import render_markdown, render_text

    config = read_config()
    try:
        old_raw, old_name = read_spec(old, Path.cwd(), config.max_file_size)
        new_raw, new_name = read_spec(new, Path.cwd(), config.max_file_size)
        before = load_plan_bytes(old_raw, old_name, config.max_file_size)
        after = load_plan_bytes(new_raw, new_name, config.max_file_size)
    except (DiffInputError, GitError) as exc:
        raise fail(str(exc)) from None
    # only the catalogue is needed (directions); without one every indicator is higher-is-better
    paths = chosen_paths(None, config)
    catalogue = load_catalogue(find_root(paths[0]) if paths else None, config.max_file_size)
    changes = diff_plans(before, after, catalogue.indicators)
    render = render_markdown if format is DiffFormat.markdown else render_text
    sys.stdout.write(render(changes, shown_name(old_name), shown_name(new_name)))
