"""The typer app, the choices and the options several commands share, and ``--version``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from plancheck import __version__
from plancheck.findings import SEVERITIES

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


# typer labels every argument with its Python type (`<list[Path]>`, `<str>`); the help names them
# by what they are (PATH, PLAN) instead
typer.core.TyperArgument.display_type_rich = _argument_type_label  # type: ignore[method-assign,assignment]

# SEVERITIES is part of the public vocabulary of --fail-on; keep the enum in step with it
assert [lvl.value for lvl in Level] == list(SEVERITIES)
