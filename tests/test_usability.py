"""Issue 18: errors a non-programmer can act on, and the command line's small courtesies."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app

from .conftest import EXAMPLE, REPO

runner = CliRunner()
ESCAPE = re.compile(r"\x1b")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edit(tree: Path, rel: str, old: str, new: str) -> None:
    path = tree / "plans" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _messages(tree: Path) -> list[str]:
    result = runner.invoke(app, ["validate", "plans", "-f", "json", "--no-cache"])
    assert result.exit_code in (0, 1), result.output
    return [f"{f['code']} {f['message']}" for f in json.loads(result.output)["findings"]]


# --- hints -------------------------------------------------------------------------------------


def test_unquoted_bound_says_quote_the_bound(tree: Path) -> None:
    _edit(tree, "ward/KH-2.yaml", 'bound: ">= 40"', "bound: > 80")
    (msg,) = [m for m in _messages(tree) if m.startswith("PC001")]
    assert "quote the bound" in msg and 'bound: ">= 80"' in msg


def test_unicode_comparison_with_unit_says_what_to_write(tree: Path) -> None:
    _edit(tree, "ward/KH-2.yaml", 'bound: ">= 40"', "bound: ≥ 80%")
    (msg,) = [m for m in _messages(tree) if m.startswith("PC101")]
    assert 'write bound: ">= 80"' in msg and "the unit goes in `unit`" in msg


def test_date_not_yyyy_mm_dd_gets_the_format_and_the_date_turned_round(tree: Path) -> None:
    _edit(tree, "ward/KH-2.yaml", 'issued: "2025-03-10"', "issued: 10/03/2025")
    (msg,) = [m for m in _messages(tree) if m.startswith("PC101")]
    assert "YYYY-MM-DD" in msg and '"2025-03-10"' in msg


def test_messages_name_the_item_by_id_and_1_based_number(tree: Path) -> None:
    _edit(tree, "ward/KH-2.yaml", '    year: 2030\n    bound: "> 85"', '    year: "soon"\n    bound: "> 85"')
    (msg,) = [m for m in _messages(tree) if m.startswith("PC101")]
    assert msg.startswith("PC101 target 2 (id 'W2'), year:"), msg
    assert "targets.1" not in msg


def test_misspelt_indicator_and_plan_id_get_did_you_mean(tree: Path) -> None:
    _edit(tree, "ward/KH-2.yaml", "indicator: digital-economy-share", "indicator: digital-econmy-share")
    _edit(tree, "ward/KH-2.yaml", "province/KH-1]", "province/KH1]")
    messages = _messages(tree)
    assert any(m.startswith("PC102") and "did you mean 'digital-economy-share'?" in m for m in messages)
    assert any(m.startswith("PC105") and "did you mean 'province/KH-1'?" in m for m in messages)


def test_a_parent_with_errors_is_named_as_such_and_counted(tree: Path) -> None:
    _edit(tree, "province/KH-1.yaml", 'issued: "2025-02-20"', 'issued: "2025-02-30"')
    messages = _messages(tree)
    pc105 = [m for m in messages if m.startswith("PC105")]
    assert pc105 and "no plan has that id" not in pc105[0]
    assert "whose file plans/province/KH-1.yaml has errors" in pc105[0]
    text = runner.invoke(app, ["validate", "plans", "--no-cache"]).output
    assert "1 child–parent comparison could not run because the parent has errors" in text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--select", "PC99"], "--select: unknown rule code or name 'PC99'"),
        (["--ignore", "target-mising"], "did you mean 'target-missing'?"),
    ],
)
def test_unknown_rule_codes_are_a_usage_error(tree: Path, args: list[str], said: str) -> None:
    result = runner.invoke(app, ["validate", "plans", *args])
    assert result.exit_code == 2
    assert said in result.output and len(result.output.strip().splitlines()) == 1


def test_unknown_rule_in_configuration_is_a_usage_error(tree: Path) -> None:
    (tree / "pyproject.toml").write_text('[tool.plancheck]\nignore = ["PC2O1"]\n', encoding="utf-8")
    result = runner.invoke(app, ["validate", "plans"])
    assert result.exit_code == 2 and "unknown rule code or name 'PC2O1'" in result.output


def test_rule_names_work_wherever_codes_do(tree: Path) -> None:
    _edit(tree, "ward/KH-2.yaml", 'bound: ">= 40"', 'bound: ">= 1"')  # a PC202 weaker gap
    (tree / "pyproject.toml").write_text(
        '[tool.plancheck]\nseverity = { target-weaker = "error" }\n', encoding="utf-8"
    )
    assert runner.invoke(app, ["validate", "plans", "--no-cache"]).exit_code == 1
    by_name = runner.invoke(app, ["validate", "plans", "--no-cache", "--ignore", "target-weaker"])
    by_code = runner.invoke(app, ["validate", "plans", "--no-cache", "--ignore", "PC202"])
    assert by_name.exit_code == by_code.exit_code == 0
    assert by_name.output == by_code.output


def test_explain_suggests_the_rule_meant() -> None:
    result = runner.invoke(app, ["explain", "PC2011"])
    assert result.exit_code == 2 and "did you mean 'PC201'?" in result.output


# --- the command line ---------------------------------------------------------------------------


def test_report_into_a_closed_pipe_ends_quietly() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "plancheck", "report", "--no-cache", "--max-bytes", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `head -1` does
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert err == ""
    assert proc.returncode != 2


def test_no_color_removes_every_escape_code(tree: Path) -> None:
    _edit(tree, "ward/KH-2.yaml", 'bound: ">= 40"', 'bound: ">= 1"')
    # FORCE_COLOR makes rich write styles as on a terminal
    styled = runner.invoke(app, ["validate", "plans", "--no-cache"], env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert ESCAPE.search(styled.output)
    for command in (["validate", "plans", "--no-cache"], ["tree", "--no-cache"], ["show"], ["rules"]):
        out = runner.invoke(app, command, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).output
        assert out and not ESCAPE.search(out), (command, out[:300])


@pytest.mark.parametrize(
    "command", ["validate", "report", "show", "tree", "diff", "explain", "schema", "rules"]
)
def test_help_shows_no_python_types(command: str) -> None:
    out = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).output
    assert not re.search(r"<(bool|str|int|path|list\[[^\]]*\]|Path)>", out), out
    assert not ESCAPE.search(out)


def test_fail_on_gap_is_explained_in_help() -> None:
    out = " ".join(runner.invoke(app, ["validate", "--help"], env={"COLUMNS": "200"}).output.split())
    assert "'gap' on gaps, warnings and errors" in out


def test_show_writes_full_width_to_a_pipe_and_accepts_file_paths(tree: Path) -> None:
    long = "Quy mô kinh tế số " * 12
    _edit(tree, "ward/KH-2.yaml", "label: Quy mô kinh tế số", f"label: {long.strip()}")
    result = runner.invoke(app, ["show", "plans/ward/KH-2.yaml"])
    assert result.exit_code == 0, result.output
    assert "ward/KH-2" in result.output
    assert long.strip() in result.output  # on one line, not cut at 80 columns


def test_outside_a_plan_tree_one_line_exit_2_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["validate"], ["report"], ["tree"], ["show"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert "plan tree" in result.output
    assert list(tmp_path.iterdir()) == []
