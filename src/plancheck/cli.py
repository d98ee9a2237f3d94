"""The command line: wires options to the loader, the engine and a reporter. No logic lives here."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import gc
import io
import json
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from plancheck import __version__
from plancheck.config import Config, ConfigError, iso_day, load_config, resolve_codes
from plancheck.engine import Result
from plancheck.findings import SEVERITIES, Finding
from plancheck.fsutil import discard_pending, open_atomic, write_atomic
from plancheck.gitutil import GitError
from plancheck.hints import did_you_mean
from plancheck.model import Plan
from plancheck.planset import display_path, find_root, left_out_files, load_catalogue, load_plan
from plancheck.reporters import json_report, text
from plancheck.reporters.text import clean, shown_path
from plancheck.rules.registry import FAMILIES, RULES, lookup, rules_markdown, status_docs
from plancheck.run.cache import Store
from plancheck.run.pipeline import JobsError, Progress, check_tree, default_workers, end_workers
from plancheck.schemas_gen import SCHEMA_FILES, schema_text
from plancheck.show import plan_to_dict, render_plan_text

if TYPE_CHECKING:
    from plancheck.reporters.markdown import EdgeReport

app = typer.Typer(
    name="plancheck",
    help="Check Vietnamese government plans against the plans they implement (Resolution 57-NQ/TW).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain help: no boxes or escape codes (NO_COLOR, screen readers, pipes), no type labels
    rich_markup_mode=None,
)


def _argument_type_label(self: typer.core.TyperArgument, ctx: object) -> str | None:
    return None


# typer labels every argument with its Python type (`<list[Path]>`, `<str>`); the help names them
# by what they are (PATH, PLAN) instead
typer.core.TyperArgument.display_type_rich = _argument_type_label  # type: ignore[method-assign,assignment]


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


class ShowFormat(str, Enum):
    text = "text"
    json = "json"


class RulesFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class DiffFormat(str, Enum):
    text = "text"
    markdown = "markdown"


class Lang(str, Enum):
    vi = "vi"
    en = "en"


class Level(str, Enum):
    error = "error"
    warning = "warning"
    gap = "gap"
    info = "info"


def _no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


def _stdout() -> Console:
    # NO_COLOR: no escape code at all, bold and dim included (rich's no_color keeps those)
    plain = _no_color()
    return Console(
        file=sys.stdout,
        no_color=plain or None,
        color_system=None if plain else "auto",
        highlight=False,
        soft_wrap=True,
    )


def _fail(message: str, code: int = 2) -> typer.Exit:
    # messages quote paths, refs and plan text: one line, inert on a terminal
    typer.echo(f"plancheck: {clean(message)}", err=True)
    return typer.Exit(code)


def _config() -> Config:
    try:
        return load_config()
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def _paths(paths: list[Path] | None, config: Config) -> list[Path]:
    if paths:
        return paths
    return [config.base_dir / p for p in config.paths]


def _require_tree(paths: list[Path]) -> list[Path]:
    """The paths, when they are in a plan tree; otherwise one line and exit 2 (before anything,
    a cache folder included, is written)."""
    existing = [p for p in paths if os.path.exists(p)]
    if not existing:
        shown = ", ".join(display_path(p) for p in paths) or "."
        raise _fail(
            f"{shown}: no such file or folder; run plancheck in a plan tree (a folder with "
            "indicators.yaml and the plans below it) or name one"
        )
    if find_root(existing[0]) is None:
        raise _fail(
            f"{display_path(existing[0])}: not in a plan tree (no indicators.yaml in it or any folder above); "
            "run plancheck in a plan tree or name one"
        )
    return paths


def _sources(option: Path | None, config: Config) -> Path | None:
    if option is not None:
        chosen = option
    elif config.sources:
        chosen = config.base_dir / config.sources
    else:
        return None
    if not chosen.is_dir():
        raise _fail(f"--sources {chosen}: not a folder")
    return Path(os.path.abspath(chosen))


def _base_config_sources(option: Path | None, base_config: Config) -> Path | None:
    """The base configuration's sources folder in this tree; none when this tree lacks it (then
    `run_against_base` takes the folder from the extracted base, for both sides)."""
    if option is None and base_config.sources and not (base_config.base_dir / base_config.sources).is_dir():
        return None
    return _sources(option, base_config)


def _store(config: Config, use_cache: bool, cache_dir: Path | None) -> Store:
    if not use_cache:
        return Store(None)
    env = os.environ.get("PLANCHECK_CACHE_DIR")
    # "~" is the user's home folder wherever the folder is named, as in ruff; never a folder "~"
    try:
        named = cache_dir or (Path(env) if env else config.base_dir / Path(config.cache_dir).expanduser())
        chosen = Path(os.path.abspath(named.expanduser()))
    except RuntimeError:  # no home folder to expand "~" to (HOME unset, no such user)
        raise _fail("the cache folder starts with '~', but there is no home folder to expand it to") from None
    try:
        linked = chosen.is_symlink()
    except (OSError, ValueError):  # a name too long, or with a NUL byte: no usable folder
        return _uncached(chosen, "cannot be used")
    if linked:
        # a checkout can commit a linked .plancheck_cache (git add -f): entries would be written
        # wherever it points, so it is not used at all (a cache costs only speed)
        return _uncached(chosen, "is a symbolic link")
    return Store(chosen)


def _uncached(chosen: Path, why: str) -> Store:
    """No cache for this run, said once on standard error."""
    if chosen not in _LINKED_WARNED:
        _LINKED_WARNED.add(chosen)
        typer.echo(
            f"plancheck: warning: the cache folder {clean(str(chosen))} {why}; running without the cache",
            err=True,
        )
    return Store(None)


_LINKED_WARNED: set[Path] = set()  # one warning a run, however many commands open the store


def _workers() -> int:
    try:
        return default_workers()
    except JobsError as exc:
        raise _fail(str(exc)) from None


def _progress() -> Progress | None:
    """A progress bar on standard error, only when it is a terminal (never in CI logs)."""
    if not sys.stderr.isatty() or _no_color():  # a bar is all escape codes
        return None
    from rich.progress import Progress as Bar

    bar = Bar(console=Console(file=sys.stderr), transient=True)
    task = bar.add_task("checking plans", total=None)
    state = {"started": False}

    def update(done: int, total: int) -> None:
        if total < PROGRESS_MIN:
            return
        if not state["started"]:
            bar.start()
            state["started"] = True
        bar.update(task, completed=done, total=total)
        if done >= total:
            bar.stop()
            state["started"] = False

    return update


def _check(
    paths: list[Path], config: Config, sources: Path | None, use_cache: bool, cache_dir: Path | None
) -> Result:
    return check_tree(
        paths,
        config,
        sources,
        store=_store(config, use_cache, cache_dir),
        workers=_workers(),
        progress=_progress(),
    )


LEFT_OUT_SHOWN = 10  # file names on the "left out" line; the report lists them all


def _require(paths: list[Path]) -> None:
    """`report`, `tree` and `show` on a path that does not exist: a usage error, not an empty answer."""
    for path in paths:
        if not os.path.lexists(path):
            raise _fail(
                f"{clean(str(path))}: no such file or folder; run plancheck in a plan tree (a folder "
                "with indicators.yaml and the plans below it) or name one"
            )


def _note_left_out(result: Result) -> None:
    """Name the plan files a command leaves out because they are not valid plans."""
    files = left_out_files(result.planset)
    if not files:
        return
    shown = ", ".join(clean(f) for f in files[:LEFT_OUT_SHOWN])
    if len(files) > LEFT_OUT_SHOWN:
        shown += f" and {len(files) - LEFT_OUT_SHOWN} more"
    typer.echo(
        f"plancheck: left out {len(files)} plan file{'s' if len(files) != 1 else ''} with errors: "
        f"{shown} (see `plancheck validate`)",
        err=True,
    )


Paths = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Plan files or folders (default: `paths` from [tool.plancheck], else plans/).",
        show_default=False,
        metavar="PATH",
    ),
]
SourcesOpt = Annotated[
    Path | None,
    typer.Option(
        "--sources",
        help="Folder of source texts for the provenance rules (PC5xx).",
        show_default=False,
        metavar="DIR",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help=(
            "The day taken as today: the date the report describes and the progress rules (PC6xx) "
            "judge by (default: as-of from [tool.plancheck], else today)."
        ),
        show_default=False,
        metavar="YYYY-MM-DD",
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the traceback of an internal error.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the cache.")]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Cache folder (default: cache-dir from [tool.plancheck], else .plancheck_cache).",
        show_default=False,
        metavar="DIR",
    ),
]
PROGRESS_MIN = 200  # plans to check before a progress bar is worth showing


def _apply_common(
    config: Config,
    select: list[str] | None,
    ignore: list[str] | None,
    fail_on: Level | None,
    as_of: str | None,
) -> None:
    try:
        if select:
            config.select = resolve_codes([s for item in select for s in item.split(",")], "--select")
        if ignore:
            config.ignore = resolve_codes([s for item in ignore for s in item.split(",")], "--ignore")
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    if fail_on is not None:
        config.fail_on = fail_on.value
    if as_of is not None:
        try:
            config.as_of = iso_day(as_of)
        except ValueError:
            raise _fail(f"--as-of {as_of!r}: expected YYYY-MM-DD") from None


@app.command()
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
    config = _config()
    _workers()  # a bad PLANCHECK_JOBS is a usage error before any work (diffaware reads it too)
    _apply_common(config, select, ignore, fail_on, as_of)
    # `plancheck validate` with no path, outside a plan tree: one line. Files named outside a tree
    # are still checked (each gets a finding saying what cannot be checked), without a cache.
    chosen = _paths(paths, config) if paths else _require_tree(_paths(paths, config))
    if not any(os.path.exists(p) and find_root(p) is not None for p in chosen):
        no_cache = True
    source_dir = _sources(sources, config)
    try:
        if base is not None:
            from plancheck.gitutil import toplevel, verify_ref
            from plancheck.run.diffaware import load_base_config, run_against_base, stricter_fail_on

            # the base is judged by its own [tool.plancheck]; the command line wins on both sides
            base_config = load_base_config(base, config)
            _apply_common(base_config, select, ignore, fail_on, as_of)
            if not paths:
                # `paths` narrowed by the change: the base's paths are checked too (one gone is PC011)
                chosen = list(dict.fromkeys([*chosen, *_paths(None, base_config)]))
            store = _store(config, not no_cache, cache_dir)
            result, new = run_against_base(
                chosen,
                config,
                source_dir,
                base,
                store=store,
                base_config=base_config,
                base_config_sources=_base_config_sources(sources, base_config),
            )
            if fail_on is None:
                config.fail_on = stricter_fail_on(config, base_config)
            # which commit the base was, said once: a ref can name another commit than meant
            commit = verify_ref(base, toplevel(Path.cwd()))
            typer.echo(f"plancheck: compared with the base {clean(base)} at commit {commit}", err=True)
        else:
            result = _check(chosen, config, source_dir, not no_cache, cache_dir)
            new = None
        _report(result, format, config, new)
    except (typer.Exit, BrokenPipeError):
        raise  # a closed pipe (`plancheck report | head`) ends quietly, in main()
    except GitError as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:
        if debug:
            raise
        raise _fail(_internal(exc, "run with --debug for the traceback")) from None
    blocking = result.at_or_above(config.fail_on)
    if new is not None and fail_on_new:
        blocking = [f for f in blocking if new.get(f, False)]
    raise typer.Exit(1 if blocking else 0)


def _report(result: Result, format: Format, config: Config, new: dict[Finding, bool] | None) -> None:
    files = len([f for f in result.planset.files if f.path in result.requested])
    if result.planset.catalogue_path in result.requested:
        files += 1
    if format is Format.json:
        json_report.write(sys.stdout, result.findings, result.counts, new)
    elif format is Format.github:
        from plancheck.reporters import github

        sys.stdout.write(github.render(result.findings, new))
        github.write_step_summary(result, config, new)
    elif format is Format.sarif:
        from plancheck.reporters import sarif

        sarif.write(sys.stdout, result.findings)
    else:
        text.render(_stdout(), result.findings, result.counts, files, new, result.not_compared)


@app.command()
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
    config = _config()
    paths = [root] if root is not None else _paths(None, config)
    files = [Path(p) for p in plans or [] if p.endswith((".yaml", ".yml")) or os.path.isfile(p)]
    if root is None and files:  # `show plans/x/y.yaml`: the tree is the file's
        paths = [files[0]]
    _require(paths)
    # the (cached) check finds which file holds each id; then only the plans shown are read,
    # one at a time, so showing one plan of a national tree stays quick and small
    result = _check(_require_tree(paths), config, None, not no_cache, cache_dir)
    owners = result.planset.plans
    by_file = {lp.file.resolve(): pid for pid, lp in owners.items()}
    wanted = [by_file.get(Path(p).resolve(), p) if Path(p) in files else p for p in plans or []] or sorted(
        owners
    )
    missing = [p for p in wanted if p not in owners]
    if missing:
        holders = sorted(lp.path for lp in result.planset.files if lp.id == missing[0])
        where = f" ({clean(', '.join(holders))} has errors)" if holders else ""
        raise _fail(
            f"no valid plan with id {clean(missing[0])!r}{where} (see `plancheck validate`)"
            f"{did_you_mean(missing[0], owners)}"
        )
    if not plans:
        _note_left_out(result)

    def chosen() -> Iterator[Plan]:
        for plan_id in wanted:
            lp = load_plan(owners[plan_id].file, result.planset.root, config.max_file_size)
            if lp.plan is None:  # edited since it was checked
                raise _fail(f"plan {plan_id!r} no longer validates (see `plancheck validate`)")
            yield lp.plan

    if format is ShowFormat.json:
        # the bytes of json.dumps(list, indent=2), written a plan at a time
        sys.stdout.write("[")
        for i, plan in enumerate(chosen()):
            item = json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=2).replace("\n", "\n  ")
            sys.stdout.write(("," if i else "") + "\n  " + item)
        sys.stdout.write("\n]\n" if wanted else "]\n")
    else:
        console = _stdout()
        if not console.is_terminal:
            console.width = 1000  # a file or a pipe gets whole lines, not lines cut at 80 columns
        for plan in chosen():
            render_plan_text(console, plan)


def _named(result: Result) -> set[str]:
    """The ids of the plans in the files or folders named on the command line."""
    return {pid for pid, lp in result.planset.plans.items() if lp.path in result.requested}


MAX_REPORT_BYTES = 1_000_000  # a single file GitHub still shows, and fits a job summary (1 MiB)


@app.command()
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
    from plancheck.reporters.markdown import MIN_MAX_BYTES, ReportWriter
    from plancheck.run.reports import edge_reports

    config = _config()
    _apply_common(config, None, None, None, as_of)
    source_dir = _sources(sources, config)
    if output is not None and out_dir is not None:
        raise _fail("--output and --out-dir: choose one")
    if max_bytes < 0 or 0 < max_bytes < MIN_MAX_BYTES:
        raise _fail(
            f"--max-bytes {max_bytes}: a size of at least {MIN_MAX_BYTES} bytes (room to say what "
            "is left out), or 0 for no limit"
        )
    if output is not None and str(output) != "-":
        problem = _unwritable(output)
        if problem is not None:
            raise _fail(f"-o {output}: {problem}")
    if out_dir is not None:
        problem = _not_a_folder(out_dir)
        if problem is not None:
            raise _fail(f"--out-dir {clean(str(out_dir))}: {problem}")
    chosen = _paths(paths, config)
    _require(chosen)
    try:
        result = _check(_require_tree(chosen), config, source_dir, not no_cache, cache_dir)
        unknown = [p for p in plan or [] if p not in result.planset.plans]
        if unknown:
            raise _fail(
                f"--plan {clean(unknown[0])!r}: no valid plan with that id"
                f"{did_you_mean(unknown[0], result.planset.plans)}"
            )
        only = set(plan) if plan else None
        if only is None:
            _note_left_out(result)
        if paths:  # the plans named, with their parents known but not reported
            named = _named(result)
            if named != set(result.planset.plans):  # naming the whole tree restricts nothing
                only = named if only is None else only & named
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        # sections are written as they come (a national report is hundreds of megabytes) and
        # the summary, which needs them all, is written before them at the end
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as sections:
            writer = ReportWriter(
                result.planset, lang.value, config.as_of or dt.date.today(), only, sections, out_dir
            )
            for edge in edge_reports(
                result,
                config,
                lang.value,
                only,
                workers=_workers(),
                progress=_progress(),
                store=_store(config, not no_cache, cache_dir),
            ):
                writer.add(edge)
            writer.close()
            if out_dir is not None:
                with open_atomic(out_dir / "index.md", follow=False) as raw:
                    handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    writer.write(handle)
                    handle.detach()
            elif output is None or str(output) == "-":
                writer.write(sys.stdout, max_bytes)
                sys.stdout.flush()
            else:
                with open_atomic(output) as raw:
                    handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    writer.write(handle, max_bytes)
                    handle.detach()  # open_atomic closes the file once it is complete
    except (typer.Exit, BrokenPipeError):
        raise  # a closed pipe (`plancheck report | head`) ends quietly, in main()
    except Exception as exc:
        if debug:
            raise
        raise _fail(_internal(exc, "run with --debug for the traceback")) from None


def _not_a_folder(path: Path) -> str | None:
    """Why ``report --out-dir`` cannot write its pages into ``path`` (checked before any work)."""
    if os.path.islink(path):  # pages would land wherever the link points (a committed link, say)
        return "is a symbolic link; name the folder itself"
    if os.path.isdir(path):
        index = path / "index.md"
        # a link there is replaced, never written through (as every page); a folder cannot be
        if os.path.isdir(index) and not os.path.islink(index):
            return "its index.md is a folder; remove it or choose another folder"
        return None if os.access(path, os.W_OK | os.X_OK) else "the folder is read-only"
    # the folder and its missing parents are made: the nearest existing one must be a folder
    folder = Path(os.path.abspath(path))
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if folder == Path(os.path.abspath(path)):
        return "exists and is not a folder"
    if not os.path.isdir(folder):
        return f"{clean(str(folder))} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{clean(str(folder))} is read-only; the folder cannot be made"
    return None


def _unwritable(
    path: Path, link_advice: str = "name the file itself, or - for standard output"
) -> str | None:
    """Why a file must not be written to ``path`` (checked before any work), or None.

    The report replaces a file by renaming a new one over it, which would replace a read-only
    file and put a file where a symbolic link was; both are refused, as is a folder. A link to a
    device or a pipe (``/dev/stdout`` on a terminal) is written through, as the device would be.
    """
    try:
        if path.is_symlink():
            with contextlib.suppress(OSError):  # a broken link is refused like any other
                target = path.stat()
                if stat.S_ISCHR(target.st_mode) or stat.S_ISFIFO(target.st_mode):
                    return None
            return f"is a symbolic link; {link_advice}"
        # the report is written beside it and renamed over it (missing folders are made): the
        # nearest existing folder must take new files
        folder = Path(os.path.abspath(path)).parent
        while not os.path.lexists(folder) and folder != folder.parent:
            folder = folder.parent
        if not os.path.isdir(folder):
            return f"{clean(str(folder))} is not a folder"
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"its folder {clean(str(folder))} is read-only; nothing can be written there"
        if not os.path.exists(path):
            return None
        info = path.stat()
    except OSError as exc:
        return f"cannot be checked: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder; name a file"
    if stat.S_ISREG(info.st_mode) and (info.st_mode & 0o222 == 0 or not os.access(path, os.W_OK)):
        return "is read-only; it is not replaced"
    return None


def _checked_tree(paths: list[Path] | None, config: Config, no_cache: bool, cache_dir: Path | None) -> Result:
    """The check behind `coverage` and `tree`: paths that exist, in a plan tree, and the plans
    left out because of errors named on standard error (never silently)."""
    chosen = _paths(paths, config)
    _require(chosen)
    result = _check(_require_tree(chosen), config, None, not no_cache, cache_dir)
    _note_left_out(result)
    return result


@app.command()
def coverage(
    paths: Paths = None,
    format: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output format.")] = ShowFormat.text,
    no_cache: NoCacheOpt = False,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Which of the 34 provinces (and communes) have a plan implementing 57-NQ/TW, and since when."""
    from plancheck.coverage import compute, render_text

    config = _config()
    result = _checked_tree(paths, config, no_cache, cache_dir)
    cov = compute({pid: lp.plan for pid, lp in result.planset.plans.items() if lp.plan is not None})
    if format is ShowFormat.json:
        sys.stdout.write(json.dumps(cov.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        # plan text (document numbers, names) reaches a terminal: shown inert, as everywhere else
        sys.stdout.write("\n".join(clean(line) for line in render_text(cov).split("\n")))


@app.command()
def tree(
    paths: Paths = None,
    format: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output format.")] = ShowFormat.text,
    no_cache: NoCacheOpt = False,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Show the hierarchy of plans with, per child and parent, counts of targets by status."""
    from plancheck.run.reports import edge_reports

    config = _config()
    result = _checked_tree(paths, config, no_cache, cache_dir)
    planset = result.planset
    only = _named(result) if paths else None
    store = _store(config, not no_cache, cache_dir)
    summaries = list(edge_reports(result, config, "en", only, render=False, workers=_workers(), store=store))
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
    console = _stdout()
    if not console.is_terminal:
        console.width = 1000  # a file or a pipe gets whole lines, not lines cut at 80 columns
    for line in _tree_lines(roots, children):
        console.print(line, soft_wrap=True)
    console.print(
        "Each plan sits under a plan it implements, with its targets compared with that parent's, "
        'counted by status (worst first). "(its plans are shown above)": a plan met again, whose '
        "own plans are listed where it first appears.",
        style="dim",
        markup=False,
    )


_GUIDE_LEVELS = 12  # levels of guides `tree` draws before it writes the depth as a number


def _tree_lines(roots: list[str], children: dict[str, list[EdgeReport]]) -> Iterator[Text]:
    """The hierarchy as lines with guides, walked with a stack: a chain of thousands of plans
    must not hit the recursion limit, and a plan below several parents is expanded only once, so
    the output grows with the number of links, never with the number of paths through them."""
    from plancheck.reporters.markdown import ranked

    expanded: set[str] = set()
    # plans in a cycle that no root leads into (two plans naming each other, PC106) come last,
    # each cycle from its first plan: never left out
    for root_id in [*roots, *sorted(children)]:
        if root_id in expanded:
            continue
        yield Text(clean(root_id), style="bold")
        expanded.add(root_id)
        # (a plan's child links, the next one to show, their depth, the last guides before them)
        stack: list[tuple[list[EdgeReport], int, int, str]] = [(children.get(root_id, []), 0, 0, "")]
        while stack:
            links, index, depth, guide = stack.pop()
            if index >= len(links):
                continue
            stack.append((links, index + 1, depth, guide))
            s = links[index]
            last = index == len(links) - 1
            counts = ", ".join(f"{s.counts[k]} {k}" for k in ranked(s.counts))
            # deeper than the guides shown, the depth is written as a number: a chain of
            # thousands of plans would otherwise print guides that grow with its square
            shown = guide if depth <= _GUIDE_LEVELS else f"({depth} levels) {guide}"
            line = Text(shown + ("└── " if last else "├── "), style="dim")
            line.append(clean(s.child))
            line.append(f"  ({counts or 'no targets compared'})", style="dim")
            below = children.get(s.child, [])
            if below and s.child in expanded:  # a cycle (PC106) or a second parent: shown once
                line.append("  (its plans are shown above)", style="dim")
            yield line
            if below and s.child not in expanded:
                expanded.add(s.child)
                deeper = (guide + ("    " if last else "│   "))[-4 * _GUIDE_LEVELS :]
                stack.append((below, 0, depth + 1, deeper))


@app.command()
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
    from plancheck.plandiff import (
        DiffInputError,
        diff_plans,
        load_plan_bytes,
        read_spec,
        render_markdown,
        render_text,
    )

    config = _config()
    try:
        old_raw, old_name = read_spec(old, Path.cwd(), config.max_file_size)
        new_raw, new_name = read_spec(new, Path.cwd(), config.max_file_size)
        before = load_plan_bytes(old_raw, old_name, config.max_file_size)
        after = load_plan_bytes(new_raw, new_name, config.max_file_size)
    except (DiffInputError, GitError) as exc:
        raise _fail(str(exc)) from None
    # only the catalogue is needed (directions); without one every indicator is higher-is-better
    paths = _paths(None, config)
    catalogue = load_catalogue(find_root(paths[0]) if paths else None, config.max_file_size)
    changes = diff_plans(before, after, catalogue.indicators)
    render = render_markdown if format is DiffFormat.markdown else render_text
    sys.stdout.write(render(changes, _shown(old_name), _shown(new_name)))


@app.command("rules")
def rules_cmd(
    format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="Output format (markdown: every rule's full docs).")
    ] = RulesFormat.text,
) -> None:
    """List every rule with its code, name, default severity and summary."""
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
    console = _stdout()
    family = ""
    for rule in RULES.values():
        if rule.family != family:
            family = rule.family
            console.print(f"\n[bold]{family}  {FAMILIES[family]}[/bold]")
        console.print(f"  {rule.code}  {rule.name:<32} {rule.severity:<8} {rule.summary}", markup=False)


@app.command()
def explain(
    code: Annotated[
        str,
        typer.Argument(
            help="A rule code (PC201), a rule name (target-missing) or a status (softened).", metavar="RULE"
        ),
    ],
) -> None:
    """Print one rule's documentation, or what a comparison status means."""
    rule = lookup(code)
    if rule is None:
        status = status_docs(code)
        if status is not None:
            sys.stdout.write(status)
            return
        names = [*RULES, *(r.name for r in RULES.values())]
        raise _fail(
            f"no rule or status {code!r}; `plancheck rules` lists them, docs/rules.md the statuses"
            f"{did_you_mean(code, names)}"
        )
    sys.stdout.write(rule.docs())


@app.command()
def schema(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the schemas into.", metavar="DIR")
    ] = Path("schemas"),
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the files differ from the models; write nothing.")
    ] = False,
) -> None:
    """Write the JSON Schemas for plan files and the catalogue, generated from the models."""
    if os.path.exists(out) and not out.is_dir():
        raise _fail(f"--out {out}: is not a folder; name the folder to write the schemas into")
    stale: list[tuple[Path, str]] = []
    try:
        for name in SCHEMA_FILES:
            target = out / name
            wanted = schema_text(name)
            current = target.read_text(encoding="utf-8") if target.is_file() else None
            if current != wanted:
                stale.append((target, wanted))
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"--out {out}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if not check:
        # every file is checked before any is written, as `report -o` checks its one file: a
        # rename over a link or a read-only file would silently replace it
        for target, _ in stale:
            problem = _unwritable(target, "it is not replaced (remove it, or name another folder)")
            if problem is not None:
                raise _fail(f"--out {out}: {target.as_posix()} {problem}")
        try:
            for target, wanted in stale:
                write_atomic(target, wanted)
        except OSError as exc:
            raise _fail(f"--out {out}: {exc.strerror or exc}") from None
    for target, _ in stale:
        typer.echo(f"{'stale' if check else 'wrote'} {target.as_posix()}")
    if check and stale:
        raise typer.Exit(1)


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"plancheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """plancheck: compliance checks for plans implementing Resolution 57-NQ/TW."""


_MAIN_PID = os.getpid()
# a closed terminal (SIGHUP) ends a run as Ctrl-C and SIGTERM do: pending files are removed
_SIGNAL_EXITS: dict[int, tuple[str, int]] = {
    signal.SIGINT: ("interrupted", 130),
    signal.SIGHUP: ("hung up", 129),
}


def _on_signal(signum: int, frame: object) -> None:
    """Ctrl-C (exit 130) or SIGTERM (exit 143): one line, never a traceback, no worker left.

    Everything is done here rather than by raising: an exception raised from a signal handler
    is swallowed when the signal lands in a finaliser or an at-fork hook (both run while worker
    processes start), and the run would go on.
    """
    if os.getpid() != _MAIN_PID:  # a worker just forked, before it set its own handlers
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second signal must not interrupt this one
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    with contextlib.suppress(Exception):
        end_workers()
    with contextlib.suppress(Exception):
        discard_pending()  # a half-written report or cache entry is removed, never left behind
    what, code = _SIGNAL_EXITS.get(signum, ("terminated", 143))
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(OSError):
        os.write(2, f"plancheck: {what}\n".encode())
    os._exit(code)


def main() -> None:
    """Console-script entry point: exit 2 with one line for anything unexpected."""
    # A run is short and builds many objects that form no reference cycles (findings, plan
    # summaries, parsed plans); the cyclic collector found nothing to free in them and took a
    # third of a warm national run. Worker processes turn it back on (pipeline._init_worker).
    gc.disable()
    _tolerant_streams()
    signal.signal(signal.SIGTERM, _on_signal)
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # nohup keeps it ignored
        signal.signal(signal.SIGHUP, _on_signal)
    # plancheck._entry may have replaced Python's handler already; SIG_IGN (nohup, &) is kept
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _on_signal)
    try:
        try:
            app()
        finally:
            # a full device fails here, said in one line, rather than at exit with a traceback
            sys.stdout.flush()
    except KeyboardInterrupt:
        _on_signal(signal.SIGINT, None)
    except BrokenPipeError:
        _quiet_exit()
    except Exception as exc:
        # the one safety net: whatever a command did not turn into a finding or a usage error
        # becomes one line, never a traceback (unless asked for): not every command takes
        # --debug, so the hint names the variable every command reads
        if "--debug" in sys.argv or os.environ.get("PLANCHECK_DEBUG") == "1":
            raise
        typer.echo(f"plancheck: {_internal(exc, 'set PLANCHECK_DEBUG=1 for the traceback')}", err=True)
        sys.exit(2)


def _tolerant_streams() -> None:
    """Plan text is Vietnamese: on a terminal or pipe that cannot encode it (a C locale,
    PYTHONIOENCODING=ascii) the findings are still written, with `\\uXXXX` for what it cannot
    show, rather than the run dying on the first quotation mark. Standard output is guarded
    against a reader that goes away (see _PipeGuard)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")
    out = sys.stdout
    if type(out) is io.TextIOWrapper:
        with contextlib.suppress(ValueError, OSError):
            line_buffering = out.line_buffering
            encoding, errors = out.encoding, out.errors
            out.flush()
            sys.stdout = _PipeGuard(
                out.detach(), encoding=encoding, errors=errors, line_buffering=line_buffering
            )


class _PipeGuard(io.TextIOWrapper):
    """Standard output that ends the run quietly (exit 141, as a shell gives for SIGPIPE) the
    moment its reader goes away: click would otherwise catch the broken pipe itself and exit 1,
    which reads as "findings" (`plancheck validate -f json | head`)."""

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except BrokenPipeError:
            _quiet_exit()
            raise  # not reached: _quiet_exit ends the run

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            _quiet_exit()


# errors of the device written to, not of plancheck: a full disk or quota, /dev/full
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS})


def _internal(exc: BaseException, hint: str) -> str:
    """The one line for an exception no command turned into a finding or a usage error."""
    if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
        where = f" {_shown(str(exc.filename))}" if exc.filename is not None else ""
        return f"cannot write{where}: {exc.strerror}"
    return f"internal error: {type(exc).__name__}: {_shown(str(exc))} ({hint})"


def _shown(name: str) -> str:
    """A file name for a terminal: bytes that are not UTF-8 (kept by Python as surrogates) as
    `\\xNN`, controls and bidi characters inert."""
    return shown_path(os.fsencode(name).decode("utf-8", "backslashreplace"))


def _quiet_exit() -> None:
    """The reader went away (`plancheck report | head`): no traceback and no "Exception ignored"
    when Python flushes standard output at exit; the status a shell gives for SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)


# SEVERITIES is part of the public vocabulary of --fail-on; keep the enum in step with it
assert [lvl.value for lvl in Level] == list(SEVERITIES)
