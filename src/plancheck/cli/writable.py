"""The checks made before any work on the files and folders a command writes (``report -o``,
``report --out-dir``, ``schema --out``): never through a link, never over a read-only file."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from plancheck.report.text import clean


def not_a_folder(path: Path) -> str | None:
    """Why ``report --out-dir`` cannot write its pages into ``path`` (checked before any work)."""
    if os.path.islink(path):  # pages would land wherever the link points (a committed link, say)
        return "is a symbolic link; name the folder itself"
    if os.path.isdir(path):
        index = path / "index.md"
        # a link there is replaced, never written through (as every page); a folder cannot be
        if os.path.isdir(index) and not os.path.islink(index):
            return "its index.md is a folder; remove it or choose another folder"
        if not os.access(path, os.W_OK | os.X_OK):
            return "the folder is read-only"
        # a page is replaced by renaming a new one over it, which a read-only page would not
        # stop: refused as `-o` refuses a read-only file
        for page in sorted(path.glob("*.md")):
            with contextlib.suppress(OSError):
                info = page.lstat()
                if stat.S_ISREG(info.st_mode) and (info.st_mode & 0o222 == 0 or not os.access(page, os.W_OK)):
                    return f"holds a read-only page, {clean(page.name)}; it is not replaced"
        return None
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


def unwritable(path: Path, link_advice: str = "name the file itself, or - for standard output") -> str | None:
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
