"""The few git questions plancheck asks, through the real `git` binary."""

from __future__ import annotations

import os
import posixpath
import subprocess
from pathlib import Path


class GitError(RuntimeError):
    """git failed or is missing: reported as one line with exit code 2."""


def git(*args: str, cwd: Path, binary: bool = False) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=120)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} timed out") from None
    if done.returncode != 0:
        # the whole of git's message on one line: its last line alone can be a bare hint (a
        # `git config ... safe.directory` command without the "dubious ownership" it answers)
        lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        message = " ".join(lines)[:500] if lines else "failed"
        raise GitError(f"git {' '.join(args[:2])}: {message}")
    return done.stdout


def _not_an_option(ref: str) -> None:
    """A ref from the command line must never reach git as an option (``--output=FILE`` writes)."""
    if ref.startswith("-"):
        raise GitError(f"{ref!r} is not a git ref: refs cannot begin with '-'")


def toplevel(cwd: Path) -> Path:
    return Path(git("rev-parse", "--show-toplevel", cwd=cwd).decode().strip())


def verify_ref(ref: str, cwd: Path) -> str:
    """The commit ``ref`` names; an ambiguous name is refused (a tag ``origin/main`` pushed by
    anyone who may push tags would otherwise stand for the branch ``refs/remotes/origin/main``)."""
    _not_an_option(ref)
    try:
        done = subprocess.run(
            [
                "git",
                "-c",
                "core.warnAmbiguousRefs=true",
                "rev-parse",
                "--verify",
                "--end-of-options",
                f"{ref}^{{commit}}",
            ],
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError("git rev-parse timed out") from None
    if done.returncode != 0:
        raise GitError(f"{ref!r} is not a commit in this repository")
    if b"ambiguous" in done.stderr and not _full_ref(ref, cwd):
        raise GitError(
            f"{ref!r} is ambiguous: more than one ref has that name (a tag and a branch?); "
            "name it in full, e.g. refs/remotes/origin/main, or give the commit"
        )
    return done.stdout.decode().strip()


def _full_ref(ref: str, cwd: Path) -> bool:
    """A name that starts with ``refs/`` and exists as written is already full: rev-parse tries
    the name as written first, so a tag ``refs/tags/refs/heads/main`` cannot stand for it."""
    if not ref.startswith("refs/"):
        return False
    try:
        git("show-ref", "--verify", "--quiet", ref, cwd=cwd)
    except GitError:
        return False
    return True


def changed_files(ref: str, top: Path, untracked_under: tuple[Path, ...] = ()) -> set[Path]:
    """Files that differ between ``ref`` and the working tree, plus untracked ones (absolute).

    Under ``untracked_under`` (the plan tree, results/) untracked files count even when git
    ignores them: plancheck reads them all the same, so an ignore rule must not hide one.
    """
    out = git("diff", "--name-only", "-z", "--no-renames", ref, "--", cwd=top)
    names = {n for n in out.decode("utf-8", "surrogateescape").split("\0") if n}
    untracked = git("ls-files", "--others", "--exclude-standard", "-z", cwd=top)
    names |= {n for n in untracked.decode("utf-8", "surrogateescape").split("\0") if n}
    specs = [f":(literal){p.relative_to(top).as_posix()}" for p in untracked_under if _inside(p, top)]
    if specs:
        ignored = git("ls-files", "--others", "-z", "--", *specs, cwd=top)
        names |= {n for n in ignored.decode("utf-8", "surrogateescape").split("\0") if n}
    # files marked assume-unchanged (a lower-case tag) or skip-worktree (S): git diff does not
    # look at them, yet plancheck reads them as they are; they count as changed
    flagged = git("ls-files", "-v", "-z", cwd=top).decode("utf-8", "surrogateescape")
    names |= {
        entry[2:]
        for entry in flagged.split("\0")
        if len(entry) > 2 and (entry[0].islower() or entry[0] == "S")
    }
    return {top / n for n in names}


def _inside(path: Path, top: Path) -> bool:
    try:
        path.relative_to(top)
    except ValueError:
        return False
    return path.exists() and path != top


def gitlinks(ref: str | None, top: Path) -> dict[str, str]:
    """Submodules (gitlinks) as path -> commit: in ``ref``'s tree, or in the index when None."""
    if ref is None:
        out = git("ls-files", "--stage", "-z", cwd=top)
    else:
        _not_an_option(ref)
        out = git("ls-tree", "-r", "-z", "--full-tree", "--end-of-options", ref, cwd=top)
    links: dict[str, str] = {}
    for entry in out.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if fields and fields[0] == "160000":
            links[path] = fields[1] if ref is None else fields[2]
    return links


def extract(ref: str, top: Path, dest: Path) -> None:
    """Write the tree of ``ref`` into ``dest`` (no .git), as stored: no `export-ignore` or other
    attribute applies (`git archive` would leave out what the base's .gitattributes names).

    Symbolic links are made again when they point inside ``dest`` by a relative path and skipped
    otherwise (never followed, never an error); submodules are not extracted (see ``gitlinks``).
    """
    _not_an_option(ref)
    listing = git("ls-tree", "-r", "-z", "--full-tree", "--end-of-options", ref, cwd=top)
    entries: list[tuple[str, str, str]] = []
    for entry in listing.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == "blob" and _safe(path):
            entries.append((fields[0], fields[2], path))
    if not entries:
        return
    request = "".join(f"{oid}\n" for _, oid, _ in entries).encode()
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=top,
            input=request,
            capture_output=True,
            check=False,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        raise GitError("git cat-file timed out") from None
    if done.returncode != 0:
        raise GitError("git cat-file: failed")
    data, at = done.stdout, 0
    root = os.path.abspath(dest)
    links: list[tuple[str, bytes]] = []
    for mode, _oid, path in entries:
        header_end = data.index(b"\n", at)
        size = int(data[at:header_end].split()[2])
        body = data[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
        if mode == "120000":
            links.append((path, body))
            continue
        target = os.path.join(root, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(os.fsencode(target), "wb") as out:
            out.write(body)
    # links last, so that no file above is written through one
    made: list[str] = []
    for path, body in links:
        where = os.path.join(root, *path.split("/"))
        pointed = os.fsdecode(body)
        if os.path.isabs(pointed):
            continue
        resolved = os.path.normpath(os.path.join(os.path.dirname(where), pointed))
        if not resolved.startswith(root + os.sep):
            continue
        os.makedirs(os.path.dirname(where), exist_ok=True)
        os.symlink(pointed, where)
        made.append(where)
    # a link through another (`a -> .`, `b -> a/../x`) can leave by a path that reads as inside
    real_root = os.path.realpath(root)
    for _ in range(2):
        for where in made:
            real = os.path.realpath(where)
            if os.path.islink(where) and not real.startswith(real_root + os.sep):
                os.unlink(where)


def _safe(path: str) -> bool:
    """A tree path that stays inside the extraction folder (git refuses others; checked anyway)."""
    parts = path.split("/")
    return bool(path) and not posixpath.isabs(path) and all(p not in ("", ".", "..", ".git") for p in parts)


def _blob(spec: str) -> str:
    ref, _, path = spec.partition(":")
    _not_an_option(ref)
    rel = path if path.startswith(("/", "./")) else f"./{path}"
    return f"{ref}:{rel}"


def blob_size(spec: str, cwd: Path) -> int | None:
    """The size of ``REF:path`` in bytes, or None when git cannot tell (``show_file`` says why)."""
    try:
        return int(git("cat-file", "-s", "--end-of-options", _blob(spec), cwd=cwd).decode().strip())
    except (GitError, ValueError):
        return None


def show_file(spec: str, cwd: Path) -> bytes:
    """Contents of ``REF:path`` (path relative to the working directory, as git accepts with ./)."""
    return git("show", "--end-of-options", _blob(spec), cwd=cwd, binary=True)
