"""Shared paths for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLE = REPO / "tests" / "example"


@pytest.fixture
def repo_cwd(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, as a user of the bundled plans would."""
    monkeypatch.chdir(REPO)
    return REPO
