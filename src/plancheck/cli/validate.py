"""`plancheck validate` and `plancheck report`: the check of a tree, its findings and its gap report."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from plancheck.check.result import Result
from plancheck.cli.app import (
    AsOfOpt,
    CacheDirOpt,
    DebugOpt,
    Format,
    Lang,
    Level,
    NoCacheOpt,
    Paths,
    SourcesOpt,
)
from plancheck.cli.common import (
    apply_common,
    base_sources_folder,
    cache_store,
    chosen_paths,
    named_plans,
    note_left_out,
    progress_bar,
    read_config,
    require_paths,
    require_tree,
    run_check,
    sources_folder,
    stdout_console,
    worker_count,
)
from plancheck.cli.errors import fail, internal_errors
from plancheck.cli.writable import not_a_folder, unwritable
from plancheck.config import Config
from plancheck.findings import Finding
from plancheck.gitutil import GitError
from plancheck.hints import did_you_mean
from plancheck.load.discover import YAML_SUFFIXES, find_root
from plancheck.report import json_report, text
from plancheck.report.text import clean, write_out


def validate(
    paths: Paths = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    fail_on: Annotated[
        Level | None,
        typer.Option(
            "--fail-on",
            help=(
                "Exit 1 on findings at or above this severity, in the order info < gap < warning < "
                "error: 'error' (the default) fails on errors only; 'warning' on warnings and errors; "
                "'gap' on gaps, warnings and errors; 'info' on any finding."
            ),
            show_default=False,
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            help="Only these rules: codes, prefixes or names (PC2, PC201, target-missing); repeatable.",
            show_default=False,
            metavar="CODE",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            help="Skip these rules: codes, prefixes or names; repeatable.",
            show_default=False,
            metavar="CODE",
        ),
    ] = None,
    sources: SourcesOpt = None,
    as_of: AsOfOpt = None,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Git ref: report findings in plans changed since it, marked new or existing.",
            show_default=False,
            metavar="REF",
        ),
    ] = None,
    fail_on_new: Annotated[
        bool, typer.Option("--fail-on-new", help="With --base: fail only on new findings.")
    ] = False,
    no_cache: NoCacheOpt = False,
    cache_dir: CacheDirOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Validate plans: schema, references, targets and deadlines against every parent."""
    config = read_config()
    worker_count()  # a bad PLANCHECK_JOBS is a usage error before any work (diffaware reads it too)
    apply_common(config, select, ignore, fail_on, as_of)
    # `plancheck validate` with no path, outside a plan tree: one line. Files named outside a tree
    # are still checked (each gets a finding saying what cannot be checked), without a cache.
    chosen = chosen_paths(paths, config) if paths else require_tree(chosen_paths(paths, config))
    if not any(os.path.exists(p) and find_root(p) is not None for p in chosen):
        no_cache = True
    source_dir = sources_folder(sources, config)
    with internal_errors(debug, usage=(GitError,)):
        if base is not None:
            from plancheck.gitutil import toplevel, verify_ref
            from plancheck.run.diffaware import load_base_config, run_against_base, stricter_fail_on

            # the base is judged by its own [tool.plancheck]; the command line wins on both sides
            base_config = load_base_config(base, config)
            apply_common(base_config, select, ignore, fail_on, as_of)
            if not paths:
                # `paths` narrowed by the change: the base's paths are checked too (one gone is PC011)
                chosen = list(dict.fromkeys([*chosen, *chosen_paths(None, base_config)]))
            store = cache_store(config, not no_cache, cache_dir)
            result, new = run_against_base(
                chosen,
                config,
                source_dir,
                base,
                store=store,
                base_config=base_config,
                base_config_sources=base_sources_folder(sources, base_config),
            )
            if fail_on is None:
                config.fail_on = stricter_fail_on(config, base_config)
            # which commit the base was, said once: a ref can name another commit than meant
            commit = verify_ref(base, toplevel(Path.cwd()))
            typer.echo(f"plancheck: compared with the base {clean(base)} at commit {commit}", err=True)
        else:
            result = run_check(chosen, config, source_dir, not no_cache, cache_dir)
            new = None
        _report(result, format, config, new)
    if new is None:
        blocking = result.blocks(config.fail_on)  # from the counts: a stored result stays encoded
    else:
        above = result.at_or_above(config.fail_on)
        blocking = any(new.get(f, False) for f in above) if fail_on_new else bool(above)
    raise typer.Exit(1 if blocking else 0)


def _report(result: Result, format: Format, config: Config, new: dict[Finding, bool] | None) -> None:
    if format is Format.json:
        lines = result.finding_lines() if new is None else None
        json_report.write(sys.stdout, [] if lines else result.findings, result.counts, new, lines)
    elif format is Format.github:
        from plancheck.report import github

        write_out(sys.stdout, github.render(result.findings, new))
        github.write_step_summary(result, config, new)
    elif format is Format.sarif:
        from plancheck.report import sarif

        sarif.write(sys.stdout, result.findings)
    else:
        files = len([f for f in result.planset.files if f.path in result.requested])
        if result.planset.catalogue_path in result.requested:
            files += 1
        text.render(stdout_console(), result.findings, result.counts, files, new, result.not_compared)


MAX_REPORT_BYTES = 1_000_000  # a single file GitHub still shows, and fits a job summary (1 MiB)


def report(
    paths: Paths = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to this file (default: standard output).",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            help="Write an index.md and one page per plan into this folder (for large trees).",
            show_default=False,
            metavar="DIR",
        ),
    ] = None,
    max_bytes: Annotated[
        int,
        typer.Option(
            "--max-bytes",
            help="Bound a single-file report to this size, leaving out whole plans and parts, named; 0: no limit.",
            metavar="BYTES",
        ),
    ] = MAX_REPORT_BYTES,
    plan: Annotated[
        list[str] | None,
        typer.Option(
            "--plan", help="Only these plans (ids) as children; repeatable.", show_default=False, metavar="ID"
        ),
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.vi,
    sources: SourcesOpt = None,
    as_of: AsOfOpt = None,
    no_cache: NoCacheOpt = False,
    cache_dir: CacheDirOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Write the Markdown gap report: per plan, its gaps against each parent, worst first."""
    from plancheck.report.mdfit import MIN_MAX_BYTES
    from plancheck.report.stream import write_report
    from plancheck.run.reports import edge_reports

    config = read_config()
    apply_common(config, None, None, None, as_of)
    source_dir = sources_folder(sources, config)
    if output is not None and out_dir is not None:
        raise fail("--output and --out-dir: choose one")
    if max_bytes < 0 or 0 < max_bytes < MIN_MAX_BYTES:
        raise fail(
            f"--max-bytes {max_bytes}: a size of at least {MIN_MAX_BYTES} bytes (room to say what "
            "is left out), or 0 for no limit"
        )
    if output is not None and str(output) != "-":
        problem = unwritable(output)
        if problem is not None:
            raise fail(f"-o {output}: {problem}")
    if out_dir is not None:
        problem = not_a_folder(out_dir)
        if problem is not None:
            raise fail(f"--out-dir {clean(str(out_dir))}: {problem}")
    chosen = chosen_paths(paths, config)
    require_paths(chosen)
    if output is not None and str(output) != "-" and _in_tree_as_yaml(output, chosen):
        # a plan file (or one the next run would read as a plan) replaced by a Markdown report
        raise fail(f"-o {output}: a YAML file in the plan tree; write the report elsewhere")
    with internal_errors(debug):
        result = run_check(require_tree(chosen), config, source_dir, not no_cache, cache_dir)
        unknown = [p for p in plan or [] if p not in result.planset.plans]
        if unknown:
            raise fail(
                f"--plan {unknown[0]!r}: no valid plan with that id"
                f"{did_you_mean(unknown[0], result.planset.plans)}"
            )
        only = set(plan) if plan else None
        if only is None:
            note_left_out(result)
        if paths:  # the plans named, with their parents known but not reported
            named = named_plans(result)
            if named != set(result.planset.plans):  # naming the whole tree restricts nothing
                only = named if only is None else only & named
        edges = edge_reports(
            result,
            config,
            lang.value,
            only,
            workers=worker_count(),
            progress=progress_bar(),
            store=cache_store(config, not no_cache, cache_dir),
        )
        write_report(
            result.planset,
            lang.value,
            config.as_of or dt.date.today(),
            only,
            edges,
            output=output,
            out_dir=out_dir,
            max_bytes=max_bytes,
        )


def _in_tree_as_yaml(output: Path, paths: list[Path]) -> bool:
    """Whether ``output`` is a YAML file (by its name) inside the plan tree around ``paths``."""
    root = find_root(paths[0]) if paths else None
    if root is None or not output.name.lower().endswith(YAML_SUFFIXES):
        return False
    target = os.path.realpath(output)
    return os.path.commonpath([target, os.path.realpath(root)]) == os.path.realpath(root)
