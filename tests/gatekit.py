"""What the gate's tests share: the example tree as a git repository (`main` the base, `change`
checked out), and running plancheck on it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app

from .conftest import EXAMPLE, git

WARD = Path("plans/ward/KH-2.yaml")
GATE = ["validate", "plans", "--base", "main", "--fail-on-new", "--fail-on", "gap"]
LOWER = ('bound: "> 85"', 'bound: "> 50"')  # the ward falls short of the province's > 85


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / ".gitignore").write_text("cache/\n", encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "base")
    git(tmp_path, "checkout", "-q", "-b", "change")
    return tmp_path


def new_base(repo: Path, message: str) -> None:
    """Commit the work tree and make it the base (`main`)."""
    commit(repo, message)
    git(repo, "branch", "-f", "main")


def findings(*args: str) -> list[dict[str, Any]]:
    result = invoke(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return list(json.loads(result.stdout)["findings"])


def new(*args: str) -> list[dict[str, Any]]:
    return [f for f in findings(*args) if f.get("new")]
