"""The status index (issue 14): a file whose status is unchanged is not hashed again, and any
doubt (a ctime, an inode, a racily clean time, a damaged index) means hashing it."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app
from plancheck.run import planfiles, statindex
from plancheck.run.cache import Store, write_signed
from plancheck.run.statindex import INDEX_LAYOUT, StatIndex, file_stat, index_key

from .conftest import EXAMPLE

runner = CliRunner()
LATER = 60 * 10**9  # a run that starts a minute after the files were written: none is racy


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    ward = (tmp_path / "plans" / "ward" / "KH-2.yaml").read_text(encoding="utf-8")
    for i in range(3, 6):
        text = ward.replace("ward/KH-2", f"ward/KH-{i}").replace('bound: ">= 40"', f'bound: ">= {25 + i}"')
        (tmp_path / "plans" / "ward" / f"KH-{i}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The plan files hashed in this test, in order (the catalogue left out)."""
    seen: list[str] = []
    real = planfiles.hash_file

    def counting(file: Path, *args: object, **kwargs: object) -> object:
        if file.name != "indicators.yaml":
            seen.append(file.relative_to(Path.cwd()).as_posix())
        return real(file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(planfiles, "hash_file", counting)
    return seen


def _later(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statindex, "run_start_ns", lambda: time.time_ns() + LATER)


def _run(*extra: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["validate", "plans", "-f", "json", *extra])
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, object]] = json.loads(result.output)["findings"]
    return findings


def _index_file(tree: Path) -> Path:
    files = list((tree / "cache" / INDEX_LAYOUT).glob("*.json"))
    assert len(files) == 1, files
    return files[0]


def _edit_keeping_size_and_mtime(path: Path, old: str, new: str, *, replace: bool = False) -> None:
    """Change ``old`` to ``new`` (as long) in ``path`` and set its mtime back to what it was; with
    ``replace``, as a new file renamed over it (a new inode)."""
    assert len(old) == len(new)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    if replace:
        other = path.with_suffix(".new")
        other.write_text(text.replace(old, new), encoding="utf-8")
        os.replace(other, path)
    else:
        path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_unchanged_files_are_not_hashed_again(
    tree: Path, hashed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _later(monkeypatch)
    cold = _run()
    assert len(hashed) == 6  # every plan file, once
    hashed.clear()
    assert _run() == cold
    assert hashed == []
    assert _run("--no-cache") == cold


@pytest.mark.parametrize("replace", [False, True], ids=["ctime", "inode"])
def test_an_edit_keeping_size_and_mtime_is_hashed(
    tree: Path, hashed: list[str], monkeypatch: pytest.MonkeyPatch, replace: bool
) -> None:
    _later(monkeypatch)
    before = _run()
    ward = tree / "plans" / "ward" / "KH-3.yaml"
    _edit_keeping_size_and_mtime(ward, 'bound: "> 85"', 'bound: "> 10"', replace=replace)
    hashed.clear()
    after = _run()
    assert hashed == ["plans/ward/KH-3.yaml"]
    assert after != before
    assert any(
        f["plan"] == "ward/KH-3" and f["code"] == "PC202" and f["child_bound"] == "> 10" for f in after
    )
    assert after == _run("--no-cache")


def test_an_edit_within_the_racy_window_is_hashed(
    tree: Path, hashed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a file system whose clock ticks too coarsely to tell two writes apart: the edit below keeps
    # every time the index compares; only the racy rule can see it
    monkeypatch.setattr(statindex, "file_stat", lambda i: (i.st_size, i.st_mtime_ns, 0, i.st_ino, i.st_dev))
    before = _run()  # the files were written just now: all of them racily clean
    ward = tree / "plans" / "ward" / "KH-3.yaml"
    _edit_keeping_size_and_mtime(ward, 'bound: "> 85"', 'bound: "> 10"')
    hashed.clear()
    after = _run()
    assert "plans/ward/KH-3.yaml" in hashed
    assert after != before
    assert after == _run("--no-cache")
    # the same edit once the index's run is well after the files' times goes unseen: the rule
    # above, not luck, is what saw it
    _later(monkeypatch)
    _run()
    _edit_keeping_size_and_mtime(ward, 'bound: "> 10"', 'bound: "> 85"')
    hashed.clear()
    assert _run() == after
    assert hashed == []


def _read_index(index_file: Path) -> dict[str, Any]:
    text = index_file.read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads("{" + text[text.index('",') + 2 :])  # past the signature
    return data


@pytest.mark.parametrize("damage", ["sound", "tampered", "foreign", "malformed", "garbage"])
def test_a_damaged_or_foreign_index_is_ignored(
    tree: Path, hashed: list[str], monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    _later(monkeypatch)
    expected = _run("--no-cache")
    _run()
    index_file = _index_file(tree)
    key = index_key(tree / "plans")
    assert index_file.name == f"{key}.json"
    ward = tree / "plans" / "ward" / "KH-3.yaml"
    _edit_keeping_size_and_mtime(ward, 'bound: "> 85"', 'bound: "> 10"')
    expected_after = _run("--no-cache")
    assert expected_after != expected
    # the attack: an index that vouches for the edited file's new status with its old content
    data = _read_index(index_file)
    old_sha = data["files"][str(ward)][5]
    data["files"][str(ward)] = [*file_stat(ward.stat()), old_sha]
    if damage == "sound":
        write_signed(index_file, key, data)  # as only this user's secret can sign it
    elif damage == "tampered":
        text = index_file.read_text(encoding="utf-8")
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        index_file.write_text(text[: text.index('",') + 2] + body[1:], encoding="utf-8")
    elif damage == "foreign":
        other = index_key(tree / "other")  # signed, but for another tree
        write_signed(index_file, other, {**data, "key": other})
    elif damage == "malformed":
        write_signed(index_file, key, {**data, "extra": 1})  # signed, not what plancheck writes
    else:
        index_file.write_text("{not json", encoding="utf-8")
    hashed.clear()
    if damage == "sound":
        # the control: an index that is trusted decides what is hashed, so the checks above matter
        assert _run() == expected
        assert hashed == []
        return
    assert _run() == expected_after
    assert len(hashed) == 6  # every file hashed: nothing of the index was used
    hashed.clear()
    assert _run() == expected_after  # and a sound index was written again
    assert hashed == []


def _stat(size: int = 10, mtime: int = 1, ctime: int = 1, ino: int = 7, dev: int = 3) -> os.stat_result:
    return os.stat_result((0o100644, ino, dev, 1, 0, 0, size, 0, 0, 0, 0.0, 0.0, 0.0, 0, mtime, ctime))


def test_lookup_trusts_only_an_identical_status_well_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "cache")
    start = 100 * 10**9
    monkeypatch.setattr(statindex, "run_start_ns", lambda: start)
    first = StatIndex(store, tmp_path)
    assert first.lookup("/p.yaml", _stat()) is None  # nothing known yet
    first.record("/p.yaml", _stat(), "a" * 64)
    first.record("/racy.yaml", _stat(mtime=start - 1), "b" * 64)
    first.save()
    again = StatIndex(store, tmp_path)
    assert again.lookup("/p.yaml", _stat()) == "a" * 64
    for changed in (_stat(size=11), _stat(mtime=2), _stat(ctime=2), _stat(ino=8), _stat(dev=4)):
        assert again.lookup("/p.yaml", changed) is None
    assert again.lookup("/racy.yaml", _stat(mtime=start - 1)) is None
    assert again.lookup("/other.yaml", _stat()) is None
    assert StatIndex(store, tmp_path / "elsewhere").lookup("/p.yaml", _stat()) is None
