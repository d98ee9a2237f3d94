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

from plancheck.cli.main import app

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


# Session 21, the pull-request gate (issue 13): a severe finding that leaves a plan counts as
# fixed only on positive evidence on the head that its subject is met. Cases of the round's table
# by number; each passed the gate (exit 0) on the code before the fix.

PROVINCE = Path("plans/province/KH-1.yaml")
GATE = ["validate", "plans", "--base", "main", "--fail-on-new", "--fail-on", "gap", "--as-of", "2026-01-01"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tree: Path) -> Path:
    _git(tree, "init", "-q", "-b", "main")
    _git(tree, "config", "user.email", "t@example.org")
    _git(tree, "config", "user.name", "t")
    _git(tree, "add", "-A")
    _git(tree, "commit", "-q", "-m", "base")
    _git(tree, "checkout", "-q", "-b", "change")
    return tree


def _base(repo: Path, rel: Path, old: str, new: str) -> None:
    """Make the edit part of the base: the finding it gives is an existing one."""
    _edit(repo, rel, old, new)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base finding")
    _git(repo, "branch", "-f", "main")


def _gate(repo: Path) -> tuple[int, list[dict[str, object]]]:
    found = runner.invoke(app, [*GATE, "--format", "json"])
    assert found.exit_code in (0, 1), found.output
    code = runner.invoke(app, GATE).exit_code
    return code, [f for f in json.loads(found.stdout)["findings"] if f["code"] == "PC014"]


def _touch(repo: Path, rel: Path) -> None:
    _edit(repo, rel, "document:\n", "# reviewed 2026-01\ndocument:\n")


W2 = 'bound: "> 85"\n    unit: "%"\n    label: dịch vụ công trực tuyến\n    source: {section: III}'


def test_gate_a_touched_child_does_not_hide_a_catalogue_edit(repo: Path) -> None:
    # #4: the ward falls short of the province (> 82 against > 85); the catalogue then says the
    # indicator does not apply at commune level, and a comment line makes the ward "changed"
    _base(repo, WARD, W2, W2.replace("> 85", "> 82"))
    cat = Path("plans/indicators.yaml")
    usage = "levels: [national, province, commune]\n  - id: tfp-contribution"
    _edit(repo, cat, usage, usage.replace(", commune", ""))
    _touch(repo, WARD)
    code, hits = _gate(repo)
    assert code == 1
    assert any("PC202" in str(h["message"]) and h["path"] == WARD.as_posix() for h in hits), hits


def test_gate_a_touched_child_does_not_hide_a_deleted_parent_target(repo: Path) -> None:
    # #2: the province deletes the target the ward's gap was measured against
    _base(repo, WARD, W2, W2.replace("> 85", "> 82"))
    text = (repo / PROVINCE).read_text(encoding="utf-8")
    start = text.index("  - id: T2\n")
    (repo / PROVINCE).write_text(text[:start] + text[text.index("  - id: T3\n") :], encoding="utf-8")
    _touch(repo, WARD)
    code, hits = _gate(repo)
    assert code == 1
    assert any(h["path"] == WARD.as_posix() and "province/KH-1" in str(h["message"]) for h in hits), hits


def test_gate_a_bound_made_qualitative_is_no_fix(repo: Path) -> None:
    # #5: the gap turns into a 'not comparable' notice
    _base(repo, WARD, W2, W2.replace("> 85", "> 82"))
    _edit(repo, WARD, 'bound: "> 82"', 'qualitative: "khoảng 82%"')
    code, hits = _gate(repo)
    assert code == 1
    assert [h["path"] for h in hits] == [WARD.as_posix()] and "PC202" in str(hits[0]["message"]), hits


def test_gate_a_bound_raised_to_the_parents_level_is_a_fix(repo: Path) -> None:
    _base(repo, WARD, W2, W2.replace("> 85", "> 82"))
    _edit(repo, WARD, 'bound: "> 82"', 'bound: "> 85"')
    assert _gate(repo) == (0, [])
    _edit(repo, WARD, 'bound: "> 85"', 'bound: "> 90"')  # beyond it: exceeds
    assert _gate(repo) == (0, [])


@pytest.mark.parametrize("suffix", [".yml", ".YAML"])
def test_gate_a_renamed_plan_keeps_its_check(repo: Path, suffix: str) -> None:
    # #8, #9: the late ward's date made unknown, and the file renamed in the same change
    _base(repo, WARD, 'issued: "2025-03-10"', 'issued: "2025-04-10"')
    _edit(repo, WARD, 'issued: "2025-04-10"', "issued: unknown")
    _git(repo, "mv", WARD.as_posix(), WARD.with_suffix(suffix).as_posix())
    code, hits = _gate(repo)
    assert code == 1
    assert [h["path"] for h in hits] == [WARD.with_suffix(suffix).as_posix()], hits
    assert "PC302" in str(hits[0]["message"]) and "become info" in str(hits[0]["message"]), hits


def test_gate_a_late_plan_dated_on_time_is_a_fix(repo: Path) -> None:
    _base(repo, WARD, 'issued: "2025-03-10"', 'issued: "2025-04-10"')
    _edit(repo, WARD, 'issued: "2025-04-10"', 'issued: "2025-03-10"')
    assert _gate(repo) == (0, [])


LINK = "    due: 2025-03\n    implements: {plan: national/57-NQ-TW, task: IV.1}\n"


@pytest.mark.parametrize(
    "new",
    [
        "    due: 2025-06\n",  # 11: the link deleted
        "    due: 2025-06\n    implements: {plan: national/57-NQ-TW, task: IV.9}\n",  # 12: no such task
        '    due: "text: theo tiến độ của Trung ương"\n'  # 20: a deadline made text
        "    implements: {plan: national/57-NQ-TW, task: IV.1}\n",
    ],
    ids=["link-deleted", "link-to-a-missing-task", "deadline-made-text"],
)
def test_gate_a_late_task_detached_from_its_parent_is_no_fix(repo: Path, new: str) -> None:
    _base(repo, PROVINCE, LINK, LINK.replace("2025-03", "2025-06"))
    _edit(repo, PROVINCE, LINK.replace("2025-03", "2025-06"), new)
    code, hits = _gate(repo)
    assert code == 1
    assert [h["path"] for h in hits] == [PROVINCE.as_posix()] and "PC301" in str(hits[0]["message"]), hits


def test_gate_a_task_due_earlier_is_a_fix(repo: Path) -> None:
    _base(repo, PROVINCE, LINK, LINK.replace("2025-03", "2025-06"))
    _edit(repo, PROVINCE, LINK.replace("2025-03", "2025-06"), LINK.replace("2025-03", "2025-02"))
    assert _gate(repo) == (0, [])


def _status(status: str, label: str) -> str:
    return (
        "task_status:\n  - plan: province/KH-1\n    task: IV.1\n"
        f'    status: {status}\n    status_label: "{label}"\n    as_of: 2025-05-24\n'
        "    lead: Sở Khoa học và Công nghệ\n    evidence: e\n    reported_by: r\n    reliability: official\n"
        f"    {_ADDRESS}\n"
    )


_ADDRESS = 'source: {address: "https://example.org/report", ref: "row 1"}'


def _overdue_base(repo: Path) -> Path:
    results = repo / "results" / "tasks.yaml"
    results.parent.mkdir()
    results.write_text(_status("in-progress", "Đang thực hiện"), encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "an overdue task")
    _git(repo, "branch", "-f", "main")
    found = json.loads(runner.invoke(app, [*GATE[:2], "--as-of", "2026-01-01", "-f", "json"]).stdout)
    assert [f["code"] for f in found["findings"] if f["code"] == "PC608"] == ["PC608"]
    return results


@pytest.mark.parametrize("touched", [False, True])
def test_gate_a_task_reported_done_is_a_fix_touched_or_not(repo: Path, touched: bool) -> None:
    # #18: the control (results only) failed and the same edit with a comment line passed. A
    # done status is positive evidence either way, once PC611 finds it in its source text (a
    # later round: a status typed in with a web address cleared the warning unseen)
    results = _overdue_base(repo)
    shutil.copytree(EXAMPLE / "sources", repo / "sources")
    row = "| 1. | Ban hành kế hoạch | Sở Khoa học và Công nghệ | Hoàn thành | e |\n"
    (repo / "sources" / "report.txt").write_text("BÁO CÁO\n" + row, encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "the source texts")
    _git(repo, "branch", "-f", "main")
    results.write_text(_status("done", "Hoàn thành"), encoding="utf-8")
    if touched:
        _touch(repo, PROVINCE)
    code, hits = _gate(repo)
    assert code == 1 and len(hits) == 1 and "could not check against their source" in str(hits[0]["message"])
    cited = "source: {document: report.txt, line: 2}"
    results.write_text(_status("done", "Hoàn thành").replace(_ADDRESS, cited), encoding="utf-8")
    found = runner.invoke(app, [*GATE, "--sources", "sources", "-f", "json"])
    assert not [f for f in json.loads(found.stdout)["findings"] if f["code"] in ("PC014", "PC611")]
    assert runner.invoke(app, [*GATE, "--sources", "sources"]).exit_code == 0


def test_gate_an_overdue_task_made_continuous_is_no_fix(repo: Path) -> None:
    # #21: the overdue warning went without the task being done
    _overdue_base(repo)
    _edit(repo, PROVINCE, LINK, LINK.replace("2025-03", '"continuous"'))
    code, hits = _gate(repo)
    assert code == 1
    assert [h["path"] for h in hits] == [PROVINCE.as_posix()] and "PC608" in str(hits[0]["message"]), hits


def _off_track_base(repo: Path) -> None:
    """Results on which the province's 40 % of GRDP by 2030 is off track (PC606), on the base."""
    values = repo / "results" / "values.yaml"
    values.parent.mkdir()
    values.write_text(
        "values:\n"
        + "".join(
            f"  - id: {vid}\n    indicator: digital-economy-share\n    what: digital economy, share of GRDP\n"
            f'    jurisdiction: province\n    value: "{value}"\n    unit: "% GDP"\n    period: "{period}"\n'
            "    reported_by: a statistics office\n    reported_on: null\n    reliability: official\n"
            '    source: {address: "https://example.org/report", ref: "row 1"}\n'
            for vid, period, value in (("V1", "2024-12", "39"), ("V2", "2025-12", "20"))
        ),
        encoding="utf-8",
    )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "off track")
    _git(repo, "branch", "-f", "main")


def test_gate_a_jurisdiction_code_renamed_is_no_fix(repo: Path) -> None:
    # #22: the results name the province by its code; renamed, its off-track warning went
    _off_track_base(repo)
    _edit(repo, PROVINCE, "jurisdiction: {code: province,", "jurisdiction: {code: province-2,")
    code, hits = _gate(repo)
    assert code == 1
    assert any(h["path"] == PROVINCE.as_posix() and "PC606" in str(h["message"]) for h in hits), hits


def test_gate_a_new_plan_naming_a_stand_in_is_reported(repo: Path) -> None:
    # #23: a new plan with no targets, its table another plan's, is compared with nothing
    text = (repo / WARD).read_text(encoding="utf-8")
    text = text[: text.index("targets:\n")] + "targets: []\n"
    text = text.replace("id: ward/KH-2", "id: ward/KH-3").replace(
        '  issued: "2025-03-10"\n',
        '  issued: "2025-03-10"\n  targets_from: {plan: national/57-NQ-TW, reason: r}\n',
    )
    (repo / "plans" / "ward" / "KH-3.yaml").write_text(text, encoding="utf-8")
    code, hits = _gate(repo)
    assert code == 1
    assert [h["path"] for h in hits] == ["plans/ward/KH-3.yaml"] and "stand in" in str(hits[0]["message"]), (
        hits
    )


def test_gate_a_new_waiver_is_reported(repo: Path) -> None:
    # #6 (ok in the round, but a waiver has the effect of an `elsewhere` declaration, which is
    # PC014): a gap added together with the waiver that hides it
    _edit(repo, WARD, 'bound: "> 85"', 'bound: "> 82"')
    _edit(
        repo,
        WARD,
        "targets:\n",
        "waivers:\n  - {rule: PC202, parent: province/KH-1, indicator: online-public-service-usage, "
        "year: 2030, reason: r, approved_by: me}\ntargets:\n",
    )
    code, hits = _gate(repo)
    assert code == 1
    assert [h["path"] for h in hits] == [WARD.as_posix()] and "waives PC202" in str(hits[0]["message"]), hits
    _git(repo, "commit", "-q", "-am", "waived")
    _git(repo, "branch", "-f", "main")
    assert _gate(repo) == (0, [])  # on the next change it is the base's own


def test_gate_a_gap_made_worse_is_new_and_no_pc014(repo: Path) -> None:
    # the subject is still reported, as a new gap: its going from the old bound is no shrink
    _base(repo, WARD, W2, W2.replace("> 85", "> 82"))
    _edit(repo, WARD, 'bound: "> 82"', 'bound: "> 70"')
    assert _gate(repo) == (1, [])


@pytest.mark.parametrize(("new", "shrinks"), [('"continuous"', True), ("2025-03", False)])
def test_gate_a_task_due_before_issue_made_continuous_is_no_fix(repo: Path, new: str, shrinks: bool) -> None:
    # the same trick as #21 on PC303 (a deadline before the plan's issue date); a dated deadline
    # after the issue date is the fix
    _base(repo, PROVINCE, LINK, LINK.replace("2025-03", "2025-01"))
    _edit(repo, PROVINCE, LINK.replace("2025-03", "2025-01"), LINK.replace("2025-03", new))
    code, hits = _gate(repo)
    assert (code, [str(h["message"]).split(": ")[1][:5] for h in hits]) == (
        (1, ["PC303"]) if shrinks else (0, [])
    )


def test_gate_an_off_track_target_lowered_until_on_track_is_no_fix(repo: Path) -> None:
    # the province's 40 % by 2030 is off track on the reported 39 then 20; a target of 10 % is
    # "on track", but it is not the target that was off track
    _off_track_base(repo)
    _edit(repo, PROVINCE, 'bound: ">= 40"', 'bound: ">= 10"')
    code, hits = _gate(repo)
    assert code == 1
    assert any(h["path"] == PROVINCE.as_posix() and "PC606" in str(h["message"]) for h in hits), hits
