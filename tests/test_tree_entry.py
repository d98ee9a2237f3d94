"""The tree entry (issue 14): a warm run with nothing changed reads the whole tree's result as one
signed entry; an edit, a tampered or foreign entry, or a results/ folder means the tree is checked
file by file, with the findings a run without the cache gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app
from plancheck.run import cache
from plancheck.run.cache import MAGIC, Store, write_signed
from plancheck.run.treecache import TREE_LAYOUT, tree_entry_problem

from .conftest import EXAMPLE

runner = CliRunner()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _run(*extra: str) -> str:
    result = runner.invoke(app, ["validate", "plans", "-f", "json", *extra])
    assert result.exit_code in (0, 1), result.output
    return result.output


def _entry(tree: Path) -> Path:
    files = list((tree / "cache" / TREE_LAYOUT).glob("*.json"))
    assert len(files) == 1, files
    return files[0]


@pytest.fixture
def per_file(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The per-file entries looked up in this test (none when the tree entry answered)."""
    seen: list[str] = []
    real = Store.get

    def counting(self: Store, key: str) -> dict[str, Any] | None:
        seen.append(key)
        return real(self, key)

    monkeypatch.setattr(Store, "get", counting)
    return seen


def _split(path: Path) -> tuple[str, dict[str, Any]]:
    """The signed entry at ``path``: its key and its data (the signature is not checked here)."""
    text = path.read_text(encoding="utf-8")
    data = json.loads("{" + text[len('{"mac":"') + 64 + 2 :])
    return data["key"], data


def test_a_warm_run_reads_the_tree_entry_alone(tree: Path, per_file: list[str]) -> None:
    cold = _run()
    assert per_file  # the first run looks up each file
    per_file.clear()
    assert _run() == cold
    assert per_file == []  # answered by the tree entry
    assert _run("--no-cache") == cold


def test_a_warm_run_after_an_edit_equals_a_run_without_the_cache(tree: Path, per_file: list[str]) -> None:
    _run()
    ward = tree / "plans" / "ward" / "KH-2.yaml"
    text = ward.read_text(encoding="utf-8")
    assert 'bound: ">= 40"' in text
    ward.write_text(text.replace('bound: ">= 40"', 'bound: ">= 1"'), encoding="utf-8")
    per_file.clear()
    warm = _run()
    assert per_file  # the tree's key changed: checked file by file
    assert warm == _run("--no-cache")
    assert warm != ""
    per_file.clear()
    assert _run() == warm  # and the new result is the tree entry now
    assert per_file == []


def test_configuration_is_part_of_the_key(tree: Path, per_file: list[str]) -> None:
    full = _run()
    only = _run("--select", "PC0")
    assert only != full
    assert only == _run("--select", "PC0", "--no-cache")
    # one entry per configuration (`--base` checks a tree under two): neither replaces the other
    per_file.clear()
    assert _run() == full
    assert _run("--select", "PC0") == only
    assert per_file == []


def test_a_tampered_tree_entry_is_ignored(tree: Path, per_file: list[str]) -> None:
    cold = _run()
    path = _entry(tree)
    text = path.read_text(encoding="utf-8")
    # a finding dropped from the entry, its signature left as it was
    _, data = _split(path)
    assert data["findings"]
    data["findings"] = data["findings"][1:]
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text[: len('{"mac":"') + 64 + 2] + body[1:], encoding="utf-8")
    per_file.clear()
    assert _run() == cold
    assert per_file  # ignored: checked file by file, and rewritten


def test_a_foreign_or_malformed_tree_entry_is_ignored(
    tree: Path, per_file: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _run()
    path = _entry(tree)
    key, data = _split(path)
    # signed with another user's secret: not this user's entry
    data["findings"] = []
    with monkeypatch.context() as m:
        m.setattr(cache, "secret", lambda: b"another user's secret, 32 bytes!")
        write_signed(path, key, data)
    per_file.clear()
    assert _run() == cold
    assert per_file
    # signed with this user's secret but not a tree entry as plancheck writes one
    for bad in ({**data, "counts": {"error": -1}}, {**data, "extra": 1}, {**data, "records": []}):
        write_signed(path, key, bad)
        per_file.clear()
        assert _run() == cold
        assert per_file


def test_a_tree_entry_for_another_state_is_not_read(tree: Path, per_file: list[str]) -> None:
    """An entry signed for one state of the tree, left in place after an edit and the edit undone,
    is never the answer for another state: it is signed for its own key."""
    _run()
    path = _entry(tree)
    old = path.read_bytes()
    ward = tree / "plans" / "ward" / "KH-2.yaml"
    text = ward.read_text(encoding="utf-8")
    ward.write_text(text.replace('bound: ">= 40"', 'bound: ">= 1"'), encoding="utf-8")
    edited = _run("--no-cache")
    path.write_bytes(old)  # the entry of the tree before the edit
    per_file.clear()
    assert _run() == edited
    assert per_file


def test_no_tree_entry_beside_results(tree: Path) -> None:
    (tree / "results").mkdir()
    cold = _run()
    assert not (tree / "cache" / TREE_LAYOUT).exists()
    assert _run() == cold


def test_the_entry_schema() -> None:
    good: dict[str, Any] = {
        "magic": MAGIC,
        "key": "k",
        "records": [None],
        "findings": [["PC001", "error", "m", 1, 1, None, None, None, {}, "a.yaml", None]],
        "counts": {"error": 1},
        "suppressed": 0,
        "not_compared": 0,
        "requested": ["a.yaml"],
        "contexts": {"p": "a" * 64},
        "documents": [["t.txt", "d"]],
    }
    assert tree_entry_problem(good, "k", 1) is None
    for bad in (
        {**good, "key": "other"},
        {**good, "records": [None, None]},
        {**good, "findings": [["PC001"]]},
        {**good, "suppressed": -1},
        {**good, "contexts": {"p": "xyz"}},
        {**good, "documents": [["t.txt"]]},
        {**good, "requested": [1]},
    ):
        assert tree_entry_problem(bad, "k", 1) is not None, bad
