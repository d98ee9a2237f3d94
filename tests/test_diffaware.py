"""`validate --base REF`: findings in changed plans, marked new or existing, against real git repositories."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app

from .conftest import git

EXAMPLE = Path(__file__).resolve().parent / "example" / "plans"
WARD = Path("plans/ward/KH-2.yaml")
PROVINCE = Path("plans/province/KH-1.yaml")
CHECK = ["validate", "plans", "--base", "main", "--format", "json"]
GATE = ["validate", "plans", "--base", "main", "--fail-on-new", "--fail-on", "gap"]


def edit(repo: Path, rel: Path, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main: the example tree, with the ward's W1 weaker than the province's T1 (an existing gap)."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shutil.copytree(EXAMPLE, root / "plans")
    # W1: ">= 40" -> ">= 35": still meets the national ">= 30", weaker than the province's ">= 40"
    edit(root, WARD, 'bound: ">= 40"', 'bound: ">= 35"')
    commit(root, "base with an existing gap")
    monkeypatch.chdir(root)
    return root


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def findings(*args: str) -> list[dict[str, Any]]:
    result = invoke(*args)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    return data["findings"]  # type: ignore[no-any-return]


def gaps(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in found if f["code"] == "PC202"]


def test_base_has_the_existing_gap(repo: Path) -> None:
    found = findings("validate", "plans", "--format", "json")
    assert [(f["plan"], f["ctx"]["item"], f["parent"]) for f in gaps(found)] == [
        ("ward/KH-2", "W1", "province/KH-1")
    ]
    # without --base there is no "new" field at all
    assert all("new" not in f for f in found)


def test_pull_request_lowering_one_target_reports_exactly_one_new_gap(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "lower-w2")
    # W2: "> 85" -> "> 82": still above the national "> 80", below the province's "> 85"
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 82"')
    commit(repo, "lower W2")

    found = findings(*CHECK)
    assert all(isinstance(f["new"], bool) for f in found)
    new = [f for f in found if f["new"]]
    assert len(new) == 1, new
    (only,) = new
    assert only["code"] == "PC202"
    assert (only["plan"], only["ctx"]["item"], only["indicator"], only["parent"]) == (
        "ward/KH-2",
        "W2",
        "online-public-service-usage",
        "province/KH-1",
    )
    existing = [f for f in found if not f["new"]]
    assert [(f["ctx"]["item"], f["parent"]) for f in gaps(existing)] == [("W1", "province/KH-1")]
    # the info findings that were already there stay existing too
    assert {f["code"] for f in existing} >= {"PC202", "PC205", "PC206"}

    gate = invoke(*GATE)
    assert gate.exit_code == 1, gate.output
    # the existing gap alone would also block without --fail-on-new
    assert invoke("validate", "plans", "--base", "main", "--fail-on", "gap").exit_code == 1


def test_base_is_the_same_in_text_and_uncommitted_changes_count(repo: Path) -> None:
    """The working tree (not only HEAD) is compared: an uncommitted lowering is new too."""
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 82"')
    new = [f for f in findings(*CHECK) if f["new"]]
    assert [(f["code"], f["ctx"]["item"]) for f in new] == [("PC202", "W2")]
    assert invoke(*GATE).exit_code == 1


def test_comment_only_change_has_no_new_finding(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "comment")
    edit(repo, WARD, "targets:\n", "# reviewed with the province's office\ntargets:\n")
    commit(repo, "comment only")

    found = findings(*CHECK)
    assert found, "the ward changed, so its (existing) findings are in scope"
    assert [f for f in found if f["new"]] == []
    assert [f["ctx"]["item"] for f in gaps(found)] == ["W1"]
    gate = invoke(*GATE)
    assert gate.exit_code == 0, gate.output


def test_moving_a_target_block_creates_no_new_finding(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "move")
    path = repo / WARD
    text = path.read_text(encoding="utf-8")
    head, _, targets = text.partition("targets:\n")
    blocks = ["  - id:" + b for b in targets.split("  - id:") if b]
    assert [b.split("\n", 1)[0] for b in blocks] == ["  - id: W1", "  - id: W2", "  - id: W3"]
    # W1 (the gap) goes last, behind a few blank and comment lines: its line numbers change
    moved = head + "targets:\n" + blocks[1] + blocks[2] + "  # moved below\n\n" + blocks[0]
    path.write_text(moved, encoding="utf-8")
    commit(repo, "reorder targets")

    before = {f["ctx"]["item"]: f["line"] for f in gaps(findings("validate", "plans", "--format", "json"))}
    found = findings(*CHECK)
    assert [f for f in found if f["new"]] == []
    (w1,) = gaps(found)
    assert w1["ctx"]["item"] == "W1" and w1["new"] is False
    assert w1["line"] == before["W1"]
    # the line really moved compared with main
    git(repo, "checkout", "-q", "main")
    (on_main,) = gaps(findings("validate", "plans", "--format", "json"))
    assert on_main["line"] != w1["line"]
    git(repo, "checkout", "-q", "move")
    assert invoke(*GATE).exit_code == 0


def test_unchanged_plans_are_out_of_scope(repo: Path) -> None:
    """Nothing changed: nothing in scope, nothing reported, exit 0 even with --fail-on gap."""
    git(repo, "checkout", "-q", "-b", "nothing")
    found = findings(*CHECK)
    assert found == []
    assert invoke("validate", "plans", "--base", "main", "--fail-on", "gap").exit_code == 0


def test_change_in_province_puts_its_child_ward_in_scope(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "province")
    # the province raises T2 above the ward's W2 ("> 85"): the ward now falls short, though it did not change
    edit(repo, PROVINCE, 'bound: "> 85"', 'bound: "> 90"')
    commit(repo, "province raises T2")
    assert "plans/ward/KH-2.yaml" not in git(repo, "diff", "--name-only", "main")

    found = findings(*CHECK)
    ward = [f for f in found if f["path"] == "plans/ward/KH-2.yaml"]
    assert ward, "findings in the child of a changed plan are in scope"
    new = [f for f in found if f["new"]]
    assert [(f["code"], f["plan"], f["ctx"]["item"], f["parent"]) for f in new] == [
        ("PC202", "ward/KH-2", "W2", "province/KH-1")
    ]
    assert [f["ctx"]["item"] for f in gaps(ward) if not f["new"]] == ["W1"]
    assert invoke(*GATE).exit_code == 1


def test_change_in_ward_does_not_put_its_parents_in_scope(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "ward-only")
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 82"')
    commit(repo, "lower W2")
    paths = {f["path"] for f in findings(*CHECK)}
    assert paths == {"plans/ward/KH-2.yaml"}


def test_base_from_a_subfolder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths are relative to the working directory, which may be below the top of the repository."""
    git(repo, "checkout", "-q", "-b", "sub")
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 82"')
    commit(repo, "lower W2")
    monkeypatch.chdir(repo / "plans")
    found = findings("validate", ".", "--base", "main", "--format", "json")
    new = [f for f in found if f["new"]]
    assert [(f["code"], f["ctx"]["item"]) for f in new] == [("PC202", "W2")]
    assert [f["ctx"]["item"] for f in gaps(found) if not f["new"]] == ["W1"]


def test_new_plan_file_is_all_new(repo: Path) -> None:
    """An untracked plan is in scope, and everything in it is new (it does not exist on the base)."""
    other = repo / "plans" / "ward2"
    other.mkdir()
    text = (repo / WARD).read_text(encoding="utf-8").replace("id: ward/KH-2", "id: ward2/KH-2")
    (other / "KH-2.yaml").write_text(text, encoding="utf-8")
    found = findings(*CHECK)
    assert found and all(f["path"] == "plans/ward2/KH-2.yaml" for f in found)
    assert all(f["new"] for f in found)
    assert [f["ctx"]["item"] for f in gaps(found)] == ["W1"]


def test_unknown_base_ref_exits_2_with_one_line(repo: Path) -> None:
    result = CliRunner().invoke(app, ["validate", "plans", "--base", "no-such-ref"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("plancheck: ")
    assert "no-such-ref" in lines[0]
    assert "Traceback" not in result.output


def test_base_outside_a_git_repository_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(EXAMPLE, plain / "plans")
    monkeypatch.chdir(plain)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = CliRunner().invoke(app, ["validate", "plans", "--base", "main"])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output


def test_change_in_a_stand_in_table_puts_the_plans_below_its_user_in_scope(repo: Path) -> None:
    # national/P-2 has no table of its own: national/P-1's stands in (document.targets_from). The
    # province implements P-2 only, so an edit of P-1 reaches it through the stand-in alone.
    (repo / "plans/national/P-1.yaml").write_text(
        "id: national/P-1\n"
        'document: {number: 1/NQ-CP, kind: Nghị quyết, title: Chương trình 1, issuer: Chính phủ, issued: "2025-01-09"}\n'
        "jurisdiction: {code: vn, name: Việt Nam, level: national}\n"
        "implements: [national/57-NQ-TW]\n"
        "targets:\n"
        '  - {id: R1, indicator: digital-economy-share, year: 2030, bound: ">= 35", unit: "% GDP", '
        "label: kinh tế số, source: {section: PL1}}\n",
        encoding="utf-8",
    )
    (repo / "plans/national/P-2.yaml").write_text(
        "id: national/P-2\n"
        "document:\n"
        "  number: 2/NQ-CP\n"
        "  kind: Nghị quyết\n"
        "  title: Chương trình 2\n"
        "  issuer: Chính phủ\n"
        '  issued: "2025-01-10"\n'
        "  targets_from: {plan: national/P-1, reason: no table of its own}\n"
        "jurisdiction: {code: vn, name: Việt Nam, level: national}\n"
        "implements: [national/57-NQ-TW]\n",
        encoding="utf-8",
    )
    edit(repo, PROVINCE, "implements: [national/57-NQ-TW]", "implements: [national/57-NQ-TW, national/P-2]")
    commit(repo, "a programme whose table is another's")
    git(repo, "checkout", "-q", "-b", "stand-in")
    edit(repo, Path("plans/national/P-1.yaml"), 'bound: ">= 35"', 'bound: ">= 45"')
    commit(repo, "the stand-in table rises above the province's 40")

    new = [f for f in findings(*CHECK) if f["new"]]
    assert [(f["code"], f["plan"], f["parent"], f["ctx"]["targets_from"]) for f in new] == [
        ("PC202", "province/KH-1", "national/P-2", "national/P-1")
    ]
