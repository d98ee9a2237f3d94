"""Atomic writes: whole files or nothing, with the mode an ordinary write would give."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plancheck import fsutil
from plancheck.fsutil import write_atomic


def test_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "report.md", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "report.md").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "report.md").read_text() == "x"


def test_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new", durable=False)
    assert target.stat().st_mode & 0o777 == 0o640
    assert target.read_text() == "new"


def test_interrupted_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")

    def fail(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fsutil.os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
