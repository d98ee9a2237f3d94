"""Cases a fresh adversarial round found (issue 13): each failed on the code before its fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancheck.cli import app

from .conftest import EXAMPLE

runner = CliRunner()
WARD = Path("plans/ward/KH-2.yaml")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _edit(tree: Path, rel: Path, old: str, new: str) -> None:
    path = tree / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_coverage_prints_plan_text_inert(tree: Path) -> None:
    province = Path("plans/province/KH-1.yaml")
    _edit(tree, province, "number: 1/KH-UBND", 'number: "1/KH\\x1b]0;pwned\\x07\\u202e"')
    _edit(
        tree,
        province,
        "jurisdiction: {code: province, name: Tỉnh Mẫu, level: province}",
        'jurisdiction: {code: province, name: Thành phố Hải Phòng, level: province, official_code: "31"}',
    )
    out = runner.invoke(app, ["coverage", "plans"])
    assert "1/KH" in out.output
    assert out.exit_code == 0, out.output
    assert "\x1b" not in out.output and "\x07" not in out.output and "\u202e" not in out.output


def test_coverage_of_a_path_that_does_not_exist_is_a_usage_error(tree: Path) -> None:
    out = runner.invoke(app, ["coverage", "nope.yaml"])
    assert out.exit_code == 2 and "no such file or folder" in out.output


def test_coverage_names_the_plans_it_leaves_out(tree: Path) -> None:
    _edit(tree, WARD, "year: 2030", "year: 1")
    out = runner.invoke(app, ["coverage", "plans"])
    assert out.exit_code == 0
    assert "left out 1 plan file with errors: plans/ward/KH-2.yaml" in out.stderr


def test_report_names_a_folder_it_could_not_read(tree: Path) -> None:
    moved = tree / "elsewhere"
    (tree / "plans" / "ward").rename(moved)
    (tree / "plans" / "ward").symlink_to(moved, target_is_directory=True)
    out = runner.invoke(app, ["report", "plans", "--as-of", "2026-01-01"])
    assert out.exit_code == 0
    assert "plans/ward" in out.stderr
    assert "- plans/ward" in out.stdout  # the report's own section of what it left out


def test_report_under_a_file_fails_before_any_work(tree: Path) -> None:
    (tree / "afile").write_text("x", encoding="utf-8")
    out = runner.invoke(app, ["report", "plans", "-o", "afile/r.md"])
    assert out.exit_code == 2 and "is not a folder" in out.output
    assert "internal error" not in out.output


def test_tree_shows_a_cycle_no_root_leads_into(tree: Path) -> None:
    for name, other in (("a", "b"), ("b", "a")):
        text = (tree / WARD).read_text(encoding="utf-8")
        text = text.replace("id: ward/KH-2", f"id: cycle/{name}").replace(
            "implements: [national/57-NQ-TW, province/KH-1]", f"implements: [cycle/{other}]"
        )
        (tree / "plans" / "cycle").mkdir(exist_ok=True)
        (tree / "plans" / "cycle" / f"{name}.yaml").write_text(text, encoding="utf-8")
    out = runner.invoke(app, ["tree", "plans"])
    assert out.exit_code == 0
    assert "cycle/a" in out.output and "cycle/b" in out.output


def _run(tree: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "plancheck", *args], cwd=tree, capture_output=True, env=env)


def test_a_path_too_long_for_the_system_is_a_finding_or_one_line(tree: Path) -> None:
    long = f"plans/{'a' * 300}.yaml"
    done = _run(tree, "validate", long, "--no-cache", "-f", "json")
    assert b"Traceback" not in done.stderr and done.returncode == 1
    assert [f["code"] for f in json.loads(done.stdout)["findings"]] == ["PC011"]
    for args in (["diff", long, str(WARD)], ["coverage", long]):
        done = _run(tree, *args)
        assert b"Traceback" not in done.stderr and done.returncode == 2, args
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_diff_of_a_file_whose_name_is_not_utf8(tree: Path) -> None:
    name = os.fsdecode(b"plans/ward/b\xffd.yaml")
    shutil.copy(tree / WARD, tree / name)
    done = _run(tree, "diff", name, str(WARD))
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert b"\\xff" in done.stdout
