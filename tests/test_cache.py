"""The content-hash cache and parallel loading: same findings cold, warm, serial and parallel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancheck.cache import _entry_path, cached_loader, parallel_load
from plancheck.cli import app
from plancheck.config import Config
from plancheck.planset import discover, find_root, load_plan

from .conftest import EXAMPLE

runner = CliRunner()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    # a few more communes so there is something to share between processes
    ward = (tmp_path / "plans" / "ward" / "KH-2.yaml").read_text(encoding="utf-8")
    for i in range(3, 12):
        text = ward.replace("ward/KH-2", f"ward/KH-{i}").replace('bound: ">= 40"', f'bound: ">= {25 + i}"')
        (tmp_path / "plans" / "ward" / f"KH-{i}.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "plans" / "ward" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _run(*extra: str) -> str:
    result = runner.invoke(app, ["validate", "plans", "-f", "json", *extra])
    assert result.exit_code == 1, result.output  # the broken file is an error
    return result.output


def test_cold_warm_and_uncached_are_identical(tree: Path) -> None:
    cold = _run()
    assert list((tree / "cache").rglob("*.json")), "the cold run filled the cache"
    warm = _run()
    uncached = _run("--no-cache")
    assert cold == warm == uncached
    codes = {f["code"] for f in json.loads(cold)["findings"]}
    assert {"PC001", "PC202"} <= codes


def test_corrupt_and_foreign_entries_are_ignored(tree: Path) -> None:
    expected = _run("--no-cache")
    _run()  # fill the cache
    entries = sorted((tree / "cache").rglob("*.json"))
    entries[0].write_text("{not json", encoding="utf-8")
    foreign = json.loads(entries[1].read_text(encoding="utf-8"))
    foreign["sha256"] = "0" * 64  # an entry written for other content
    entries[1].write_text(json.dumps(foreign), encoding="utf-8")
    tampered = json.loads(entries[2].read_text(encoding="utf-8"))
    if tampered["plan"] is not None:
        tampered["plan"]["targets"] = "not a list"
    entries[2].write_text(json.dumps(tampered), encoding="utf-8")
    assert _run() == expected
    assert _run() == expected  # and the bad entries were rebuilt


def test_changed_file_is_reloaded(tree: Path) -> None:
    _run()
    ward = tree / "plans" / "ward" / "KH-3.yaml"
    ward.write_text(
        ward.read_text(encoding="utf-8").replace('bound: "> 85"', 'bound: "> 10"'), encoding="utf-8"
    )
    after = json.loads(_run())["findings"]
    assert any(
        f["plan"] == "ward/KH-3" and f["code"] == "PC202" and f["child_bound"] == "> 10" for f in after
    )


def test_parallel_equals_serial(tree: Path) -> None:
    root = find_root(tree / "plans")
    files, _ = discover([tree / "plans"])
    files = [f for f in files if f.name != "indicators.yaml"]
    serial = [load_plan(f, root, 5_000_000) for f in files]
    parallel = parallel_load(files, root, 5_000_000, workers=2)
    assert [(p.path, p.plan, p.findings) for p in serial] == [(p.path, p.plan, p.findings) for p in parallel]
    loader = cached_loader(Config(base_dir=tree), enabled=True)
    assert [(p.path, p.plan) for p in loader(files, root, 5_000_000)] == [(p.path, p.plan) for p in serial]


def test_entry_is_written_atomically_under_its_hash(tree: Path) -> None:
    _run()
    for entry in (tree / "cache").rglob("*.json"):
        data = json.loads(entry.read_text(encoding="utf-8"))
        assert entry == _entry_path(tree / "cache", data["sha256"])
    assert not list((tree / "cache").rglob("*.tmp"))
