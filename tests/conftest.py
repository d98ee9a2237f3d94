"""Shared paths for the test suite."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLE = REPO / "tests" / "example"
REQUIRE_SHARED = "PLANCHECK_REQUIRE_SHARED"


def need_shared(path: Path) -> Path:
    """``path`` under ``../shared``, or skip the test with the reason shown in pytest's summary.

    A fresh clone has nothing beside it, and its test command must still pass; CI sets
    PLANCHECK_REQUIRE_SHARED=1 (in `.ci/run`) so that there a missing file fails instead.
    """
    if path.exists():
        return path
    message = f"needs {path.relative_to(REPO.parent)} beside the repository (not found)"
    if os.environ.get(REQUIRE_SHARED) == "1":
        pytest.fail(f"{message}; {REQUIRE_SHARED}=1 requires it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _cache_secret(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The secret that signs cache entries lives in a folder of the test session, never in $HOME."""
    from plancheck.run import cache

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
