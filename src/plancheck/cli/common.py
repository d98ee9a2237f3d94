"""What the commands share: configuration and the options over it, the plan tree they run in,
the cache, the workers and the progress bar, and the check of a tree with what it left out."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from plancheck.check.result import Result
from plancheck.cli.app import Level
from plancheck.cli.errors import fail
from plancheck.config import Config, ConfigError, iso_day, load_config, resolve_codes
from plancheck.load.discover import display_path, find_root
from plancheck.report.text import clean
from plancheck.run.cache import Store
from plancheck.run.pipeline import check_tree
from plancheck.run.workers import JobsError, Progress, default_workers

if TYPE_CHECKING:
    from rich.console import Console


def _no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


def stdout_console() -> Console:
    from rich.console import Console  # rich only for text output (a JSON run has no use for it)

    # NO_COLOR: no escape code at all, bold and dim included (rich's no_color keeps those)
    plain = _no_color()
    return Console(
        file=sys.stdout,
        no_color=plain or None,
        color_system=None if plain else "auto",
        highlight=False,
        soft_wrap=True,
    )


def read_config() -> Config:
    try:
        return load_config()
    except ConfigError as exc:
        raise fail(str(exc)) from None


def chosen_paths(paths: list[Path] | None, config: Config) -> list[Path]:
    if paths:
        return paths
    if not config.paths and config.pyproject is not None:
        # `paths = []` names nothing to check: said as such, not as a missing folder "."
        raise fail(
            f"paths in [tool.plancheck] of {display_path(config.pyproject)} is empty: name a plan tree"
        )
    return [config.base_dir / p for p in config.paths]


def require_tree(paths: list[Path]) -> list[Path]:
    """The paths, when they are in a plan tree; otherwise one line and exit 2 (before anything,
    a cache folder included, is written)."""
    existing = [p for p in paths if os.path.exists(p)]
    if not existing:
        shown = ", ".join(display_path(p) for p in paths) or "."
        raise fail(
            f"{shown}: no such file or folder; run plancheck in a plan tree (a folder with "
            "indicators.yaml and the plans below it) or name one"
        )
    if find_root(existing[0]) is None:
        raise fail(
            f"{display_path(existing[0])}: not in a plan tree (no indicators.yaml in it or any folder above); "
            "run plancheck in a plan tree or name one"
        )
    return paths


def sources_folder(option: Path | None, config: Config) -> Path | None:
    if option is not None:
        chosen = option
    elif config.sources:
        chosen = config.base_dir / config.sources
    else:
        return None
    if not chosen.is_dir():
        raise fail(f"--sources {chosen}: not a folder")
    return Path(os.path.abspath(chosen))


def base_sources_folder(option: Path | None, base_config: Config) -> Path | None:
    """The base configuration's sources folder in this tree; none when this tree lacks it (then
    `run_against_base` takes the folder from the extracted base, for both sides)."""
    if option is None and base_config.sources and not (base_config.base_dir / base_config.sources).is_dir():
        return None
    return sources_folder(option, base_config)


def cache_store(config: Config, use_cache: bool, cache_dir: Path | None) -> Store:
    if not use_cache:
        return Store(None)
    env = os.environ.get("PLANCHECK_CACHE_DIR")
    if cache_dir is not None and str(cache_dir) in ("", "."):
        # `--cache-dir ''` becomes the path "."; the cache's folders would land in the working
        # folder (the checkout): an empty value means the default, as an empty variable does
        cache_dir = None
    # "~" is the user's home folder wherever the folder is named, as in ruff; never a folder "~"
    try:
        named = cache_dir or (Path(env) if env else config.base_dir / Path(config.cache_dir).expanduser())
        chosen = Path(os.path.abspath(named.expanduser()))
    except RuntimeError:  # no home folder to expand "~" to (HOME unset, no such user)
        raise fail("the cache folder starts with '~', but there is no home folder to expand it to") from None
    try:
        linked = chosen.is_symlink()
    except (OSError, ValueError):  # a name too long, or with a NUL byte: no usable folder
        return _uncached(chosen, "cannot be used")
    if linked:
        # a checkout can commit a linked .plancheck_cache (git add -f): entries would be written
        # wherever it points, so it is not used at all (a cache costs only speed)
        return _uncached(chosen, "is a symbolic link")
    if os.path.lexists(chosen) and not chosen.is_dir():
        # every write would fail, silently (a cache costs only speed): said once instead
        return _uncached(chosen, "is not a folder")
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


def worker_count() -> int:
    try:
        return default_workers()
    except JobsError as exc:
        raise fail(str(exc)) from None


def progress_bar() -> Progress | None:
    """A progress bar on standard error, only when it is a terminal (never in CI logs)."""
    # a bar is all escape codes; with standard error closed (`2>&-`) there is nowhere to draw it
    if sys.stderr is None or not sys.stderr.isatty() or _no_color():
        return None
    from rich.console import Console
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


def run_check(
    paths: list[Path], config: Config, sources: Path | None, use_cache: bool, cache_dir: Path | None
) -> Result:
    return check_tree(
        paths,
        config,
        sources,
        store=cache_store(config, use_cache, cache_dir),
        workers=worker_count(),
        progress=progress_bar(),
    )


LEFT_OUT_SHOWN = 10  # file names on the "left out" line; the report lists them all


def require_paths(paths: list[Path]) -> None:
    """`report`, `tree` and `show` on a path that does not exist: a usage error, not an empty answer."""
    for path in paths:
        if not os.path.lexists(path):
            raise fail(
                f"{clean(str(path))}: no such file or folder; run plancheck in a plan tree (a folder "
                "with indicators.yaml and the plans below it) or name one"
            )


def note_left_out(result: Result) -> None:
    """Name the plan files a command leaves out because they are not valid plans."""
    from plancheck.load.planset import left_out_files

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


PROGRESS_MIN = 200  # plans to check before a progress bar is worth showing


def apply_common(
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
        raise fail(str(exc)) from None
    if fail_on is not None:
        config.fail_on = fail_on.value
    if as_of is not None:
        try:
            config.as_of = iso_day(as_of)
        except ValueError:
            raise fail(f"--as-of {as_of!r}: expected YYYY-MM-DD") from None


def named_plans(result: Result) -> set[str]:
    """The ids of the plans in the files or folders named on the command line."""
    return {pid for pid, lp in result.planset.plans.items() if lp.path in result.requested}


def checked_tree(paths: list[Path] | None, config: Config, no_cache: bool, cache_dir: Path | None) -> Result:
    """The check behind `coverage` and `tree`: paths that exist, in a plan tree, and the plans
    left out because of errors named on standard error (never silently)."""
    chosen = chosen_paths(paths, config)
    require_paths(chosen)
    result = run_check(require_tree(chosen), config, None, not no_cache, cache_dir)
    note_left_out(result)
    return result
