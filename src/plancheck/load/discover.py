"""Finding the plan files: the tree's root, the files under the paths given, and how a path is shown."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from plancheck.findings import Finding
from plancheck.rules.input import FILE_NAME_NOT_UTF8, UNREADABLE_FILE

CATALOGUE_NAME = "indicators.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, POSIX separators either way."""
    # string operations rather than PurePath.relative_to: a national tree has thousands of files
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd:
        shown = "."
    elif absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        shown = absolute[len(cwd.rstrip(os.sep)) + 1 :]
    else:
        # outside it (`validate .` run inside plans/, with results/ beside plans/): relative too,
        # so the same file has the same name in a checkout and in the tree `--base` extracts
        shown = os.path.relpath(absolute, cwd)
    return shown.replace(os.sep, "/")


def absolute_path(path: Path) -> Path:
    """Absolute without resolving symbolic links, so one file has one name everywhere."""
    return Path(os.path.abspath(path))


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds the catalogue."""
    here = absolute_path(start)
    if os.path.isfile(here):
        here = here.parent
    for candidate in (here, *here.parents):
        if os.path.isfile(candidate / CATALOGUE_NAME):
            return candidate
    return None


def _utf8_name(path: str) -> bool:
    """Whether a path decoded from the file system is valid UTF-8 (undecodable bytes become
    lone surrogates, which no output can write)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_bytes(path: str) -> str:
    """A path that is not valid UTF-8, shown with its odd bytes as ``\\xNN`` escapes."""
    return display_path(Path(path)).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _bad_name(path: str) -> Finding:
    return FILE_NAME_NOT_UTF8.finding(
        shown_bytes(path),
        1,
        1,
        "the name is not valid UTF-8; rename it (nothing under this name is checked)",
    )


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Finding]]:
    """Every YAML file under ``paths``, sorted; symlinked folders are not followed (no loops).

    A file or folder whose name is not valid UTF-8 is reported (PC015) and left out; the rest of
    the tree is checked as usual.
    """
    found: set[Path] = set()
    problems: list[Finding] = []
    for start in paths:
        start = absolute_path(start)
        # the name as findings show it (relative to the working folder): a folder above the
        # tree whose name is not UTF-8 is never shown, so it does not stop the check
        if not _utf8_name(display_path(start)):
            problems.append(_bad_name(str(start)))
            continue
        if not os.path.isdir(start) and (os.path.exists(start) or os.path.islink(start)):
            found.add(start)  # read_file reports broken links, FIFOs and devices
            continue
        if not os.path.isdir(start):
            problems.append(UNREADABLE_FILE.finding(display_path(start), 1, 1, "no such file or folder"))
            continue

        def on_error(exc: OSError, start: Path = start) -> None:
            name = exc.filename if isinstance(exc.filename, str) else str(start)
            problems.append(
                UNREADABLE_FILE.finding(display_path(Path(name)), 1, 1, f"cannot read folder: {exc.strerror}")
            )

        for folder, dirs, files in os.walk(start, onerror=on_error, followlinks=False):
            kept = []
            for d in sorted(dirs):
                if d.startswith("."):
                    # not read (tool folders live there), but a plan moved into one must not
                    # leave the check unnoticed
                    if d != ".git" and _holds_yaml(os.path.join(folder, d)):
                        problems.append(
                            UNREADABLE_FILE.finding(
                                display_path(Path(folder) / d),
                                1,
                                1,
                                "a hidden folder is not read, yet it holds YAML files: the plans in it are "
                                "not checked",
                            )
                        )
                    continue
                if not _utf8_name(d):
                    problems.append(_bad_name(os.path.join(folder, d)))
                elif os.path.islink(os.path.join(folder, d)):
                    # never followed (no loops, nothing outside the tree), but never silent: a
                    # folder of plans swapped for a link would otherwise drop out unchecked
                    problems.append(
                        UNREADABLE_FILE.finding(
                            display_path(Path(folder) / d),
                            1,
                            1,
                            "a symbolic link to a folder is not followed: the plans in it are not checked",
                        )
                    )
                else:
                    kept.append(d)
            dirs[:] = kept
            for name in files:
                # any case of the suffix (.YAML, .Yml), and hidden files too: a plan renamed so
                # that it is not read would otherwise leave the tree unnoticed
                if name.lower().endswith(YAML_SUFFIXES) and not _editor_lock(folder, name):
                    if _utf8_name(name):
                        found.add(Path(folder) / name)
                    else:
                        problems.append(_bad_name(os.path.join(folder, name)))
    return sorted(found, key=lambda p: p.as_posix()), problems


def _holds_yaml(folder: str) -> bool:
    walked = os.walk(folder, followlinks=False)
    return any(name.lower().endswith(YAML_SUFFIXES) for _, _, files in walked for name in files)


def _editor_lock(folder: str, name: str) -> bool:
    """A hidden link to nowhere (an editor's lock file, `.#KH-9.yaml`): not a plan."""
    path = os.path.join(folder, name)
    return name.startswith(".") and os.path.islink(path) and not os.path.exists(path)


@dataclass
class TreeFiles:
    root: Path | None
    requested: list[Path]  # the files asked for
    plan_files: list[Path]  # every plan file of the tree, sorted (the catalogue excluded)
    problems: list[Finding]  # paths that cannot be read as folders
    problem_paths: set[str]


def tree_files(paths: list[Path]) -> TreeFiles:
    """The files asked for and every plan file of the tree around them."""
    root = find_root(paths[0]) if paths else None
    requested, problems = discover(paths)
    # a path given that cannot be read is reported, never silently dropped as "not requested"
    problem_paths = {f.path for f in problems}
    context = list(requested)
    if root is not None and [absolute_path(p) for p in paths] != [root]:
        context_files, more = discover([root])
        problems.extend(more)
        context = sorted(set(context) | set(context_files), key=lambda p: p.as_posix())
    catalogue_file = root / CATALOGUE_NAME if root is not None else None
    plan_files = [f for f in context if f != catalogue_file]
    return TreeFiles(root, requested, plan_files, problems, problem_paths)


def expected_id(file: Path, root: Path | None) -> str | None:
    """The id a plan file at ``file`` should have: its path in the tree at ``root``, without `.yaml`."""
    if root is None:
        return None
    try:
        rel = absolute_path(file).relative_to(root)
    except ValueError:
        return None
    return rel.with_suffix("").as_posix()
