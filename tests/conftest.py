"""Shared paths for the test suite."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLE = REPO / "tests" / "example"


@pytest.fixture(autouse=True)
def _cache_secret(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The secret that signs cache entries lives in a folder of the test session, never in $HOME."""
    from plancheck import cache

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "state"))
    cache.secret.cache_clear()


@pytest.fixture
def repo_cwd(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, as a user of the bundled plans would."""
    monkeypatch.chdir(REPO)
    return REPO


def git(repo: Path, *args: str) -> str:
    """The real git binary, with an identity, in a test repository; fails loudly."""
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout
