"""`plancheck diff OLD NEW`: target by target, direction-aware, in text and Markdown, from files or git."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app

from .conftest import git

EXAMPLE = Path(__file__).resolve().parent / "example" / "plans"
KINDS = {
    "tightened", "relaxed", "changed", "added", "removed", "moved",
    "deadline-earlier", "deadline-later", "deadline-changed",
}  # fmt: skip

OLD = """\
id: province/KH-1
document:
  number: 1/KH-UBND
  kind: Kế hoạch
  title: Kế hoạch thực hiện Nghị quyết 57-NQ/TW
  issuer: UBND tỉnh
  issued: "2025-02-20"
jurisdiction: {code: province, name: Tỉnh Mẫu, level: province}
implements: [national/57-NQ-TW]
targets:
  - id: T1
    indicator: digital-economy-share
    year: 2030
    bound: ">= 40"
    unit: "% GDP"
    label: Quy mô kinh tế số
    source: {section: II}
  - id: T2
    indicator: online-public-service-usage
    year: 2030
    bound: "> 85"
    unit: "%"
    label: dịch vụ công trực tuyến
    source: {section: II}
  - id: T3
    indicator: tfp-contribution
    year: 2030
    bound: "62..65"
    unit: "%"
    label: đóng góp của TFP
    source: {section: II}
  - id: T4
    indicator: innovation-initiatives
    year: 2030
    bound: "60"
    unit: initiatives
    label: sáng kiến
    source: {section: II}
  - id: T5
    indicator: pii-rank-provinces
    year: 2030
    bound: "<= 5"
    unit: rank
    label: xếp hạng PII
    source: {section: II}
  - id: T7
    indicator: digital-economy-share
    year: 2045
    qualitative: "đạt mức cao | nhóm đầu"
    unit: "% GDP"
    label: kinh tế số 2045
    source: {section: II}
tasks:
  - id: IV.1
    title: Ban hành kế hoạch
    lead: Sở Khoa học và Công nghệ
    due: 2025-03
    source: {section: IV}
  - id: IV.2
    title: Tổng kết
    lead: Sở Khoa học và Công nghệ
    due: 2030
    source: {section: IV}
"""

# T1 tightened, T2 relaxed, T3 moved 2030 -> 2035, T4 removed, T5 (rank) "<= 5" -> "<= 3" tightened,
# T6 added, T7 qualitative wording changed, task IV.1 later, task IV.2 unchanged
NEW = (
    OLD.replace('bound: ">= 40"', 'bound: ">= 45"')
    .replace('bound: "> 85"', 'bound: "> 80"')
    .replace('year: 2030\n    bound: "62..65"', 'year: 2035\n    bound: "62..65"')
    .replace(
        '  - id: T4\n    indicator: innovation-initiatives\n    year: 2030\n    bound: "60"\n'
        "    unit: initiatives\n    label: sáng kiến\n    source: {section: II}\n",
        "",
    )
    .replace('bound: "<= 5"', 'bound: "<= 3"')
    .replace(
        "tasks:\n",
        '  - id: T6\n    indicator: online-public-service-usage\n    year: 2025\n    bound: ">= 50"\n'
        '    unit: "%"\n    label: dịch vụ công 2025\n    source: {section: II}\ntasks:\n',
    )
    .replace('qualitative: "đạt mức cao | nhóm đầu"', 'qualitative: "đạt mức rất cao | top `3`"')
    .replace("due: 2025-03", "due: 2025-06")
)

EXPECTED = {
    "T1": "tightened",
    "T2": "relaxed",
    "T3": "moved",
    "T4": "removed",
    "T5": "tightened",
    "T6": "added",
    "T7": "changed",
    "IV.1": "deadline-later",
}


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the example tree (for the catalogue's directions) and old.yaml, new.yaml."""
    shutil.copytree(EXAMPLE, tmp_path / "plans")
    (tmp_path / "old.yaml").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(NEW, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def text_changes(output: str) -> dict[str, str]:
    """item -> kind from the text output (one change per line after the two header lines)."""
    lines = output.splitlines()
    changes: dict[str, str] = {}
    for line in lines[2:]:
        kind, _, rest = line.partition(" ")
        item = rest.strip().split(":", 1)[0]
        assert kind in KINDS, line
        assert item not in changes, f"{item} listed twice"
        changes[item] = kind
    return changes


def cells(row: str) -> list[str]:
    """The cells of one Markdown table row, splitting only on unescaped pipes."""
    stripped = row.strip()
    assert stripped.startswith("|") and stripped.endswith("|") and not stripped.endswith("\\|"), row
    return re.split(r"(?<!\\)\|", stripped[1:-1])


def test_new_text_has_every_edit() -> None:
    assert NEW.count("- id: T4") == 0 and NEW.count("- id: T6") == 1
    assert "year: 2035" in NEW and "due: 2025-06" in NEW and '"<= 3"' in NEW


def test_text_lists_each_change_with_its_kind(work: Path) -> None:
    result = invoke("diff", "old.yaml", "new.yaml")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["--- old.yaml", "+++ new.yaml"]
    assert text_changes(result.stdout) == EXPECTED
    out = result.stdout
    assert re.search(r"^tightened\s+T1: >= 40 -> >= 45$", out, re.M)
    assert re.search(r"^relaxed\s+T2: > 85 -> > 80$", out, re.M)
    assert re.search(r"^moved\s+T3: .*2030 -> 2035", out, re.M)
    assert re.search(r"^tightened\s+T5: <= 5 -> <= 3$", out, re.M)
    assert re.search(r"^deadline-later\s+IV\.1: ", out, re.M)
    # riskiest first: relaxations and later deadlines before tightenings and additions
    order = [line.split()[0] for line in lines[2:]]
    assert order.index("relaxed") < order.index("tightened") < order.index("added")
    assert order.index("deadline-later") < order.index("tightened")


def test_reverse_direction_swaps_the_kinds(work: Path) -> None:
    result = invoke("diff", "new.yaml", "old.yaml")
    assert result.exit_code == 0, result.output
    assert text_changes(result.stdout) == {
        "T1": "relaxed",
        "T2": "tightened",
        "T3": "moved",
        "T4": "added",
        "T5": "relaxed",
        "T6": "removed",
        "T7": "changed",
        "IV.1": "deadline-earlier",
    }


def test_same_file_has_no_changes(work: Path) -> None:
    result = invoke("diff", "old.yaml", "old.yaml")
    assert result.exit_code == 0
    assert "no changes" in result.stdout
    result = invoke("diff", "old.yaml", "old.yaml", "--format", "markdown")
    assert result.exit_code == 0
    assert "|" not in result.stdout


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        ("<= 5", "<= 3", "tightened"),
        ("<= 3", "<= 5", "relaxed"),
        ("<= 3", "< 3", "tightened"),
        ("< 3", "<= 3", "relaxed"),
        ("3", "1..3", "changed"),
    ],
)
def test_rank_direction_is_lower_is_better(work: Path, before: str, after: str, kind: str) -> None:
    old = OLD.replace('bound: "<= 5"', f'bound: "{before}"')
    new = OLD.replace('bound: "<= 5"', f'bound: "{after}"')
    (work / "a.yaml").write_text(old, encoding="utf-8")
    (work / "b.yaml").write_text(new, encoding="utf-8")
    result = invoke("diff", "a.yaml", "b.yaml")
    assert result.exit_code == 0, result.output
    assert text_changes(result.stdout) == {"T5": kind}


def test_higher_direction_for_contrast(work: Path) -> None:
    old = OLD
    new = OLD.replace('bound: ">= 40"', 'bound: ">= 30"')
    (work / "a.yaml").write_text(old, encoding="utf-8")
    (work / "b.yaml").write_text(new, encoding="utf-8")
    assert text_changes(invoke("diff", "a.yaml", "b.yaml").stdout) == {"T1": "relaxed"}


def test_markdown_table_rows_have_the_same_number_of_cells(work: Path) -> None:
    result = invoke("diff", "old.yaml", "new.yaml", "--format", "markdown")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + len(EXPECTED)  # header, separator, one per change
    widths = {len(cells(row)) for row in rows}
    assert widths == {4}, rows
    assert [c.strip() for c in cells(rows[0])] == ["change", "item", "before", "after"]
    body = {cells(r)[1].strip().replace("\\", ""): cells(r)[0].strip() for r in rows[2:]}
    assert body == EXPECTED
    # the qualitative text with a pipe and a backtick stays inside its cell
    t7 = next(r for r in rows[2:] if cells(r)[1].strip() == "T7")
    assert "nhóm đầu" in cells(t7)[2] and "top" in cells(t7)[3]


def test_ref_path_form_in_git(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = work
    git(repo, "init", "-q", "-b", "main")
    plan = repo / "plans" / "province" / "KH-1.yaml"
    plan.write_text(OLD, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old")
    plan.write_text(NEW, encoding="utf-8")

    spec = "main:plans/province/KH-1.yaml"
    result = invoke("diff", spec, "plans/province/KH-1.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [f"--- {spec}", "+++ plans/province/KH-1.yaml"]
    assert text_changes(result.stdout) == EXPECTED

    # both sides from git
    git(repo, "commit", "-q", "-am", "new")
    result = invoke("diff", "HEAD~1:plans/province/KH-1.yaml", "HEAD:plans/province/KH-1.yaml")
    assert result.exit_code == 0, result.output
    assert text_changes(result.stdout) == EXPECTED

    # REF:path is relative to the working directory, as with `git show REF:./path`; the catalogue
    # (for the rank's direction) is still found above it
    monkeypatch.chdir(repo / "plans" / "province")
    result = invoke("diff", "HEAD~1:KH-1.yaml", "KH-1.yaml")
    assert result.exit_code == 0, result.output
    assert text_changes(result.stdout) == EXPECTED


def test_bad_inputs_exit_2_with_one_line(work: Path) -> None:
    git(work, "init", "-q", "-b", "main")
    (work / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    for args in (
        ["diff", "missing.yaml", "new.yaml"],
        ["diff", "no-such-ref:old.yaml", "new.yaml"],
        ["diff", "broken.yaml", "new.yaml"],
        ["diff", "plans/indicators.yaml", "new.yaml"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stdout == "", args
        assert len(result.stderr.splitlines()) == 1, (args, result.stderr)
        assert result.stderr.startswith("plancheck: "), args
