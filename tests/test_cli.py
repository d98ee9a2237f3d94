"""The command line, end to end with CliRunner: exit codes, output formats, rules and docs."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app
from plancheck.rules.registry import RULES

from .conftest import EXAMPLE

runner = CliRunner()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    shutil.copytree(EXAMPLE / "sources", tmp_path / "sources")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_valid_tree_exits_0(tree: Path) -> None:
    result = runner.invoke(app, ["validate", "plans", "--sources", "sources"])
    assert result.exit_code == 0, result.output
    assert "4 files checked: 3 info" in result.output  # not-applicable and not-comparable notes only


def test_error_exits_1_with_position(tree: Path) -> None:
    ward = tree / "plans" / "ward" / "KH-2.yaml"
    ward.write_text(
        ward.read_text(encoding="utf-8").replace("unit: initiatives", "unit: sáng kiến"), encoding="utf-8"
    )
    result = runner.invoke(app, ["validate", "plans"])
    assert result.exit_code == 1
    line = next(
        n
        for n, text in enumerate(ward.read_text(encoding="utf-8").splitlines(), 1)
        if "sáng kiến" in text and "unit" in text
    )
    assert f"plans/ward/KH-2.yaml:{line}:11 PC103" in result.output


def test_json_output_fields_and_order(tree: Path) -> None:
    province = tree / "plans" / "province" / "KH-1.yaml"
    text = province.read_text(encoding="utf-8")
    province.write_text(
        text.replace('bound: ">= 40"', 'bound: ">= 20"').replace(
            "lead: Sở Khoa học và Công nghệ", "lead: null"
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", "plans", "--format", "json"])
    assert result.exit_code == 0  # a gap and a warning do not fail by default
    data = json.loads(result.output)
    assert data["version"] == 1
    codes = [f["code"] for f in data["findings"]]
    assert "PC202" in codes and "PC304" in codes
    weaker = next(f for f in data["findings"] if f["code"] == "PC202")
    assert weaker["parent"] == "national/57-NQ-TW"
    assert weaker["indicator"] == "digital-economy-share"
    assert weaker["year"] == 2030
    assert weaker["child_bound"] == ">= 20" and weaker["parent_bound"] == ">= 30"
    assert weaker["status"] == "weaker"
    for f in data["findings"]:
        assert {"code", "rule", "severity", "message", "path", "line", "column", "plan"} <= f.keys()
        assert f["line"] >= 1 and f["column"] >= 1
    keys = [(f["path"], f["line"], f["column"], f["code"]) for f in data["findings"]]
    assert keys == sorted(keys)
    assert runner.invoke(app, ["validate", "plans", "--fail-on", "gap"]).exit_code == 1


def test_output_is_byte_identical_across_runs(tree: Path) -> None:
    first = runner.invoke(app, ["validate", "plans", "-f", "json"]).output
    second = runner.invoke(app, ["validate", "plans", "-f", "json"]).output
    assert first == second


def test_select_ignore_and_severity_config(tree: Path) -> None:
    province = tree / "plans" / "province" / "KH-1.yaml"
    province.write_text(
        province.read_text(encoding="utf-8").replace("lead: Sở Khoa học và Công nghệ", "lead: null"),
        encoding="utf-8",
    )
    assert "PC304" not in runner.invoke(app, ["validate", "plans", "--ignore", "PC3"]).output
    assert "PC304" in runner.invoke(app, ["validate", "plans", "--select", "PC304"]).output
    (tree / "pyproject.toml").write_text(
        '[tool.plancheck]\nseverity = { PC304 = "error" }\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["validate", "plans"])
    assert result.exit_code == 1 and "PC304 [error]" in result.output
    (tree / "pyproject.toml").write_text('[tool.plancheck]\nfail-on = "nonsense"\n', encoding="utf-8")
    bad = runner.invoke(app, ["validate", "plans"])
    assert bad.exit_code == 2 and "fail-on" in bad.output


def test_waiver_marks_finding_and_unused_waiver_warns(tree: Path) -> None:
    province = tree / "plans" / "province" / "KH-1.yaml"
    text = province.read_text(encoding="utf-8").replace('bound: ">= 40"', 'bound: ">= 20"')
    text = text.replace(
        "tasks:\n",
        "waivers:\n  - {rule: PC202, parent: national/57-NQ-TW, indicator: digital-economy-share, year: 2030,"
        " reason: tỉnh nông nghiệp, approved_by: Bộ KH&CN}\n"
        "  - {rule: PC201, indicator: tfp-contribution, reason: không áp dụng, approved_by: Bộ KH&CN}\n"
        "tasks:\n",
    )
    province.write_text(text, encoding="utf-8")
    data = json.loads(runner.invoke(app, ["validate", "plans", "-f", "json", "--fail-on", "gap"]).output)
    weaker = next(f for f in data["findings"] if f["code"] == "PC202")
    assert weaker["status"] == "waived" and "tỉnh nông nghiệp" in weaker["waiver_reason"]
    assert any(f["code"] == "PC406" for f in data["findings"])
    # a waived gap does not fail --fail-on gap
    assert runner.invoke(app, ["validate", "plans", "--fail-on", "gap", "--ignore", "PC406"]).exit_code == 0


def test_bad_invocation_exits_2_with_one_line(tree: Path) -> None:
    result = runner.invoke(app, ["validate", "plans", "--sources", "nowhere"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert runner.invoke(app, ["validate", "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["explain", "PC999"]).exit_code == 2


def test_show_json(tree: Path) -> None:
    result = runner.invoke(app, ["show", "province/KH-1", "--format", "json", "--root", "plans"])
    assert result.exit_code == 0, result.output
    [plan] = json.loads(result.output)
    assert plan["id"] == "province/KH-1"
    assert plan["document"]["number"] == "1/KH-UBND" and plan["document"]["issued"] == "2025-02-20"
    assert [t["bound"] for t in plan["targets"]] == [">= 40", "> 85", "62..65", "= 60"]
    assert plan["tasks"][0]["due"] == "2025-03" and plan["tasks"][0]["lead"] == "Sở Khoa học và Công nghệ"
    assert runner.invoke(app, ["show", "nope/x", "--root", "plans"]).exit_code == 2


@pytest.mark.parametrize(
    "status",
    [
        "exceeds",
        "meets",
        "boundary",
        "weaker",
        "later",
        "missing",
        "softened",
        "unverifiable",
        "not-comparable",
        "not-applicable",
    ],
)
def test_explain_describes_every_status(status: str) -> None:
    """Issue 17: `plancheck explain` and docs/rules.md describe every comparison status."""
    result = runner.invoke(app, ["explain", status])
    assert result.exit_code == 0 and result.output.startswith(f"# status {status}\n")
    rules_md = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert f"\n| {status} | " in rules_md


def test_rules_and_explain() -> None:
    listing = runner.invoke(app, ["rules"]).output
    for code in RULES:
        assert code in listing
    page = runner.invoke(app, ["explain", "PC203"]).output
    for section in ("## What it checks", "## Why it matters", "## Example", "## Use instead"):
        assert section in page
    assert runner.invoke(app, ["explain", "target-weaker"]).output.startswith("# PC202 target-weaker")


def test_every_rule_has_complete_docs() -> None:
    for rule in RULES.values():
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.summary and rule.why and rule.example.strip() and rule.instead.strip()
        assert rule.code[:3] in {"PC0", "PC1", "PC2", "PC3", "PC4", "PC5", "PC6"}


def test_tree_counts(tree: Path) -> None:
    result = runner.invoke(app, ["tree", "plans", "--format", "json"])
    assert result.exit_code == 0
    edges = {(e["child"], e["parent"]): e for e in json.loads(result.output)}
    ward_city = edges[("ward/KH-2", "province/KH-1")]
    # the ward's 10 initiatives against the province's 60: a count across jurisdictions
    assert ward_city["counts"].get("not-comparable") == 1
    assert "weaker" not in ward_city["counts"]


def test_python_dash_m(tree: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "plancheck", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.startswith("plancheck ")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_for_many_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    from plancheck.cli import common as cli

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli.progress_bar() is None  # a pipe or a CI log gets no progress bar
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    update = cli.progress_bar()
    assert update is not None
    update(5, 10)
    assert screen.getvalue() == ""  # ten plans are not worth a bar
    update(100, cli.PROGRESS_MIN * 2)
    update(cli.PROGRESS_MIN * 2, cli.PROGRESS_MIN * 2)
    assert "checking plans" in screen.getvalue()


@pytest.mark.parametrize("command", ["validate", "report", "tree"])
def test_help_keeps_square_brackets(command: str) -> None:
    # rich reads "[tool.plancheck]" as markup unless it is escaped; the help must show it
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "[tool.plancheck]" in result.output


def test_text_output_is_the_same_on_a_terminal_and_in_a_pipe(tree: Path) -> None:
    from rich.console import Console

    from plancheck.config import Config
    from plancheck.report import text
    from plancheck.run.pipeline import check_tree

    (tree / "plans" / "ward" / "KH-2.yaml").write_text(
        (tree / "plans" / "ward" / "KH-2.yaml").read_text(encoding="utf-8").replace('">= 40"', '">= 1"'),
        encoding="utf-8",
    )
    result = check_tree([tree / "plans"], Config(base_dir=tree), None)
    assert result.findings
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, color_system=None, width=10_000, soft_wrap=True)
    text.render(terminal, result.findings, result.counts, 4)
    pipe = io.StringIO()
    text.render(Console(file=pipe, force_terminal=False), result.findings, result.counts, 4)
    assert screen.getvalue() == pipe.getvalue()
    assert "PC202 [gap]" in pipe.getvalue()


# --- a fresh clone: tests that need ../shared ----------------------------------------------------


def test_need_shared_skips_with_a_reason_on_a_fresh_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import REPO, need_shared

    monkeypatch.delenv("PLANCHECK_REQUIRE_SHARED", raising=False)
    absent = REPO.parent / "shared" / "no-such-corpus-for-this-test"
    with pytest.raises(pytest.skip.Exception, match=r"needs shared/no-such-corpus-for-this-test"):
        need_shared(absent)


def test_need_shared_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import REPO, need_shared

    monkeypatch.setenv("PLANCHECK_REQUIRE_SHARED", "1")
    with pytest.raises(pytest.fail.Exception, match="PLANCHECK_REQUIRE_SHARED=1 requires it"):
        need_shared(REPO.parent / "shared" / "no-such-corpus-for-this-test")


def test_ci_requires_shared() -> None:
    from .conftest import REPO

    run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "PLANCHECK_REQUIRE_SHARED=1 pytest" in run


def test_validate_as_of_changes_what_the_progress_rules_say(repo_cwd: Path) -> None:
    # --as-of on validate is offered because it changes something: the day the progress rules
    # (PC6xx) take as today. Before 2026 the 2025 milestones and May 2025 tasks are not yet due.
    def progress(day: str) -> list[tuple[str, str]]:
        out = runner.invoke(
            app, ["validate", "plans", "--no-cache", "--select", "PC6", "-f", "json", "--as-of", day]
        )
        assert out.exit_code in (0, 1), out.output
        return sorted((f["code"], f["message"]) for f in json.loads(out.stdout)["findings"])

    before, after = progress("2025-03-01"), progress("2026-12-01")
    assert before != after
    assert not any(code == "PC608" for code, _ in before)  # nothing was overdue on 1 March 2025
    assert any(code == "PC608" for code, _ in after)
    assert "--as-of" in runner.invoke(app, ["validate", "--help"]).output
    assert "--as-of" in runner.invoke(app, ["report", "--help"]).output


def test_report_takes_its_date_from_configuration(tree: Path) -> None:
    (tree / "pyproject.toml").write_text('[tool.plancheck]\nas-of = "2027-02-03"\n', encoding="utf-8")
    out = runner.invoke(app, ["report", "plans"]).output
    assert "**2027-02-03**" in out


def test_an_internal_error_of_any_command_names_a_switch_that_command_takes() -> None:
    # the safety net's hint was "run with --debug", which `rules`, `show` or `tree` refuse
    import os
    import subprocess

    code = (
        "import sys; import plancheck.cli.main as c, plancheck.rules.registry as r\n"
        "def broken(*a, **k): raise RuntimeError('boom')\n"
        "r.rules_markdown = broken; sys.argv = ['plancheck', 'rules', '--format', 'markdown']; c.main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PLANCHECK_DEBUG"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        "plancheck: internal error: RuntimeError: boom (set PLANCHECK_DEBUG=1 for the traceback)"
    )
    env["PLANCHECK_DEBUG"] = "1"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1 and "Traceback" in done.stderr and "RuntimeError: boom" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["show", "nope\x1by\u202e", "--no-cache"],
        ["report", "plans", "--plan", "nope\x1by\u202e", "--no-cache"],
    ],
    ids=["show", "report"],
)
def test_an_unknown_id_is_quoted_escaped_once(tree: Path, args: list[str]) -> None:
    """A control or bidi character of an id named on the command line is shown as one escape
    (`\\x1b`), not escaped twice (`\\\\x1b`)."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "'nope\\x1by\\u202e'" in result.output, result.output
    assert "\\\\" not in result.output and "\x1b" not in result.output


def test_a_catalogue_that_is_no_regular_file_is_not_said_to_be_missing(tree: Path) -> None:
    """A FIFO named indicators.yaml: the catalogue "not a regular file" (PC011), and the tree has
    no catalogue to check against, said as such rather than "no indicators.yaml"."""
    catalogue = tree / "plans" / "indicators.yaml"
    catalogue.unlink()
    os.mkfifo(catalogue)
    result = runner.invoke(app, ["validate", "plans", "-f", "json", "--no-cache"])
    found = {(f["code"], f["message"]) for f in json.loads(result.output)["findings"]}
    assert ("PC011", "not a regular file") in found
    assert any(code == "PC109" and "no indicators.yaml (a regular file)" in m for code, m in found), found


@pytest.mark.parametrize("target", ["plans/ward/KH-2.yaml", "plans/new-report.YML", "plans/indicators.yaml"])
def test_report_is_never_written_over_a_yaml_file_of_the_tree(tree: Path, target: str) -> None:
    """`report -o` onto a plan file replaced the evidence with Markdown (adversarial round of
    issue 13); a new YAML file in the tree would be read as a plan by the next run."""
    before = (tree / target).read_bytes() if (tree / target).exists() else None
    result = runner.invoke(app, ["report", "plans", "--no-cache", "-o", target])
    assert result.exit_code == 2
    assert "a YAML file in the plan tree; write the report elsewhere" in result.output
    after = (tree / target).read_bytes() if (tree / target).exists() else None
    assert after == before
    ok = runner.invoke(app, ["report", "plans", "--no-cache", "-o", "plans/report.md"])
    assert ok.exit_code == 0, ok.output
