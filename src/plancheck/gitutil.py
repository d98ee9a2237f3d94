"""The few git questions plancheck asks, through the real `git` binary."""

from __future__ import annotations

import io
import subprocess
import tarfile
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
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return done.stdout


def _not_an_option(ref: str) -> None:
    """A ref from the command line must never reach git as an option (``--output=FILE`` writes)."""
    if ref.startswith("-"):
        raise GitError(f"{ref!r} is not a git ref: refs cannot begin with '-'")


def toplevel(cwd: Path) -> Path:
    return Path(git("rev-parse", "--show-toplevel", cwd=cwd).decode().strip())


def verify_ref(ref: str, cwd: Path) -> str:
    _not_an_option(ref)
    try:
        return (
            git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", cwd=cwd)
            .decode()
            .strip()
        )
    except GitError:  # --quiet leaves git's stderr empty: say which ref
        raise GitError(f"{ref!r} is not a commit in this repository") from None


def changed_files(ref: str, top: Path) -> set[Path]:
    """Files that differ between ``ref`` and the working tree, plus untracked ones (absolute)."""
    out = git("diff", "--name-only", "-z", "--no-renames", ref, "--", cwd=top)
    names = {n for n in out.decode("utf-8", "surrogateescape").split("\0") if n}
    untracked = git("ls-files", "--others", "--exclude-standard", "-z", cwd=top)
    names |= {n for n in untracked.decode("utf-8", "surrogateescape").split("\0") if n}
    return {top / n for n in names}


def extract(ref: str, top: Path, dest: Path) -> None:
    """Write the tree of ``ref`` into ``dest`` (no .git); safe against paths leaving ``dest``."""
    data = git("archive", "--format=tar", ref, cwd=top, binary=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(dest, filter="data")


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
