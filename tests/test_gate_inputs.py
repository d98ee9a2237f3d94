"""Issue 13, the gate's inputs (adversarial round s21, gate3b): what git hands the gate — the
changed paths, the base ref, the extracted base tree, submodules — and the environment it prints
into. Each test here passed the gate (or broke it) on the code before the fix.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from .conftest import EXAMPLE, REPO, git
from .gatekit import GATE, LOWER, WARD, commit, edit, invoke, new_base, repo
from .gatekit import new as _new

__all__ = ["repo"]  # the fixture is used by name, not referenced: keep its import


# 1. a plan file that is a link: an edit of its target changes the plan


def test_an_edit_through_a_linked_plan_file_is_in_scope(repo: Path) -> None:
    (repo / "data").mkdir()
    git(repo, "mv", WARD.as_posix(), "data/KH-2.yaml")
    (repo / WARD).symlink_to(Path("../../data/KH-2.yaml"))
    new_base(repo, "the ward plan kept elsewhere, linked from the tree")
    assert invoke(*GATE).exit_code == 0
    edit(repo / "data" / "KH-2.yaml", *LOWER)  # git names only data/KH-2.yaml
    assert any(f["code"] == "PC202" and f["path"] == WARD.as_posix() for f in _new(*GATE[:4]))
    assert invoke(*GATE).exit_code == 1
    commit(repo, "lower through the link")
    assert invoke(*GATE).exit_code == 1


# 7. a plan git ignores is read by plancheck, so it is in scope too


def test_a_plan_git_ignores_is_still_in_scope(repo: Path) -> None:
    extra = repo / "plans" / "ward" / "KH-3.yaml"
    text = (repo / WARD).read_text(encoding="utf-8").replace("ward/KH-2", "ward/KH-3")
    extra.write_text(text.replace(*LOWER), encoding="utf-8")
    (repo / ".git" / "info" / "exclude").write_text("plans/**/KH-3.yaml\n", encoding="utf-8")
    assert git(repo, "status", "--porcelain") == ""  # git does not see it
    assert any(f["path"] == "plans/ward/KH-3.yaml" for f in _new(*GATE[:4]))
    assert invoke(*GATE).exit_code == 1


# 2. the base ref: an ambiguous name is refused, and the commit used is said


def test_a_tag_shadowing_the_base_branch_is_refused(repo: Path) -> None:
    edit(repo / WARD, *LOWER)
    commit(repo, "lower")
    git(repo, "update-ref", "refs/remotes/origin/main", "main")
    gate = ["validate", "plans", "--base", "origin/main", "--fail-on-new", "--fail-on", "gap"]
    assert invoke(*gate).exit_code == 1
    git(repo, "tag", "origin/main", "change")  # the change's own commit, by the same short name
    result = invoke(*gate)
    assert result.exit_code == 2
    assert "ambiguous" in result.stderr and "refs/remotes/origin/main" in result.stderr
    full = invoke(
        "validate", "plans", "--base", "refs/remotes/origin/main", "--fail-on-new", "--fail-on", "gap"
    )
    assert full.exit_code == 1
    sha = git(repo, "rev-parse", "main").strip()
    assert f"compared with the base refs/remotes/origin/main at commit {sha}" in full.stderr


# 4. the base is extracted as stored: its .gitattributes cannot hide files from it


def test_export_ignore_on_the_base_does_not_hide_a_deleted_plan(repo: Path) -> None:
    (repo / ".gitattributes").write_text("plans/ward/** export-ignore\n", encoding="utf-8")
    new_base(repo, "slim release archives")
    (repo / WARD).unlink()
    found = _new(*GATE[:4])
    assert any(f["code"] == "PC014" and "deletes the plan ward/KH-2" in f["message"] for f in found), found
    assert invoke(*GATE).exit_code == 1


# 12. links in the base are made again inside the extraction, or skipped; never an error


def test_links_in_the_base_are_not_an_error(repo: Path) -> None:
    (repo / "docs").mkdir()
    (repo / "docs" / "seeds").symlink_to("/nonexistent/absolute/seeds")
    (repo / "docs" / "up").symlink_to("../..")
    (repo / "docs" / "plans").symlink_to("../plans")
    new_base(repo, "links")
    edit(repo / WARD, *LOWER)
    result = invoke(*GATE)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output


# 8. plans in a submodule are never compared: a submodule under the plan tree is a finding


def test_a_submodule_under_the_plan_tree_is_reported(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    sub = tmp_path_factory.mktemp("sub")
    shutil.copy(repo / WARD, sub / "KH-2.yaml")
    git(sub, "init", "-q", "-b", "main")
    commit(sub, "v1")
    git(repo, "rm", "-q", "-r", "plans/ward")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "plans/ward")
    commit(repo, "the ward's plans in a submodule")
    found = _new(*GATE[:4])
    assert any(
        f["code"] == "PC011" and f["path"] == "plans/ward" and "submodule" in f["message"] for f in found
    )
    git(repo, "branch", "-f", "main")
    assert invoke(*GATE).exit_code == 0  # the same submodule at the same commit: not new
    edit(sub / "KH-2.yaml", *LOWER)
    commit(sub, "v2")
    ward = repo / "plans" / "ward"
    git(ward, "-c", "protocol.file.allow=always", "pull", "-q", str(sub), "main")
    commit(repo, "bump")
    assert invoke(*GATE).exit_code == 1  # a bumped submodule is new again
    # a checkout without submodules (an empty folder) says so all the same
    shutil.rmtree(ward)
    ward.mkdir()
    assert invoke(*GATE).exit_code == 1


# 10. the base's own sources folder, deleted with the setting that named it


def test_deleting_the_sources_folder_with_its_setting_hides_nothing(repo: Path) -> None:
    shutil.copytree(EXAMPLE / "sources", repo / "sources")
    text = (repo / "sources" / "province.txt").read_text(encoding="utf-8")
    (repo / "sources" / "province.txt").write_text("\n" * 20 + text, encoding="utf-8")  # every line off
    (repo / "pyproject.toml").write_text('[tool.plancheck]\nsources = "sources"\n', encoding="utf-8")
    new_base(repo, "vendored sources, cited at the wrong lines")
    shutil.rmtree(repo / "sources")
    (repo / "pyproject.toml").write_text("[tool.plancheck]\n", encoding="utf-8")
    found = _new(*GATE[:4])
    assert any(
        f["code"] == "PC014" and "(sources)" in f["message"] and "PC502" in f["message"] for f in found
    ), found
    assert invoke(*GATE).exit_code == 1


# 14. an output encoding that cannot show Vietnamese still gets the findings


def test_an_ascii_output_still_gets_the_findings(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    edit(tmp_path / WARD, "- id: W2", "- id: W2“Đ”")  # an error that quotes the id
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C", "NO_COLOR": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from plancheck._entry import main; main()",
            "validate",
            "plans",
            "--no-cache",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert b"internal error" not in done.stderr
    assert b"W2\\u201c\\u0110\\u201d" in done.stdout and b"4 files checked: 1 error" in done.stdout


# 18 and 2. the workflow: retargeted pull requests are checked again, the base named in full


def test_the_workflow_names_the_base_in_full_and_rechecks_a_retarget() -> None:
    text = (REPO / ".github" / "workflows" / "plancheck.yml").read_text(encoding="utf-8")
    workflow = YAML(typ="safe", pure=True).load(text)
    trigger = workflow["on"]["pull_request"]
    assert "edited" in trigger["types"]
    # a link's target, .gitattributes or .github/ can change what is checked: no path filter
    assert "paths" not in trigger
    runs = " ".join(step.get("run", "") for step in workflow["jobs"]["plancheck"]["steps"])
    assert "origin/${{ github.base_ref }}" not in runs.replace(
        "refs/remotes/origin/${{ github.base_ref }}", ""
    )
    assert runs.count("refs/remotes/origin/${{ github.base_ref }}") == 2
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for words in ("the pull request's own copy", "branch protection", "`.github/`", "refs/remotes/origin/"):
        assert words in readme, words


# 15. results/ as a link: never followed (the hostile round's #13), so an edit through it cannot
# change what the gate reads; the link itself is an error on both sides


def test_a_linked_results_folder_is_refused_not_read(repo: Path) -> None:
    (repo / "data" / "results").mkdir(parents=True)
    (repo / "data" / "results" / "r.yaml").write_text(
        "task_status:\n"
        '  - {plan: national/57-NQ-TW, task: IV.1, status: overdue, status_label: "Quá hạn", '
        'as_of: "2025-03-20", lead: Chính phủ, evidence: null, reported_by: a, reliability: draft, '
        'source: {address: "https://example.org/b"}}\n',
        encoding="utf-8",
    )
    (repo / "results").symlink_to("data/results")
    new_base(repo, "results kept elsewhere, linked")
    plain = invoke("validate", "plans", "--format", "json")
    found = json.loads(plain.stdout)["findings"]
    assert plain.exit_code == 1
    assert any(f["code"] == "PC011" and f["path"] == "results" for f in found), found
    assert not any(f["code"] in ("PC608", "PC612") for f in found), found  # nothing read through it


def test_swapping_the_sources_folder_for_another_hides_nothing(repo: Path) -> None:
    shutil.copytree(EXAMPLE / "sources", repo / "sources")
    text = (repo / "sources" / "province.txt").read_text(encoding="utf-8")
    (repo / "sources" / "province.txt").write_text("\n" * 20 + text, encoding="utf-8")
    (repo / "pyproject.toml").write_text('[tool.plancheck]\nsources = "sources"\n', encoding="utf-8")
    new_base(repo, "vendored sources, cited at the wrong lines")
    # the texts moved to a new folder and made to fit the plans' lines; the old folder deleted
    shutil.move(repo / "sources", repo / "texts")
    (repo / "texts" / "province.txt").write_text(text, encoding="utf-8")
    (repo / "pyproject.toml").write_text('[tool.plancheck]\nsources = "texts"\n', encoding="utf-8")
    found = _new(*GATE[:4])
    assert any(f["code"] == "PC014" and "(sources)" in f["message"] for f in found), found
    assert invoke(*GATE).exit_code == 1


def test_a_plan_file_linked_out_of_the_repository_is_always_in_scope(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "KH-2.yaml"
    shutil.move(repo / WARD, outside)
    (repo / WARD).symlink_to(outside)
    new_base(repo, "the ward plan linked from outside the repository")
    edit(outside, *LOWER)  # git sees nothing change
    assert any(f["code"] == "PC202" and f["path"] == WARD.as_posix() for f in _new(*GATE[:4]))
    assert invoke(*GATE).exit_code == 1


def test_a_submodule_holding_the_source_texts_is_reported(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # gate-config round 2, #7: the sources folder in a submodule, moved to a commit whose report
    # says "Hoàn thành": the overdue warning left and nothing named the submodule
    sub = tmp_path_factory.mktemp("texts")
    shutil.copytree(EXAMPLE / "sources", sub, dirs_exist_ok=True)
    git(sub, "init", "-q", "-b", "main")
    commit(sub, "v1")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "sources")
    commit(repo, "the source texts in a submodule")
    git(repo, "branch", "-f", "main")
    assert invoke(*GATE[:4], "--sources", "sources", "--fail-on-new", "--fail-on", "gap").exit_code == 0
    (sub / "province.txt").write_text(
        (sub / "province.txt").read_text(encoding="utf-8") + "x\n", encoding="utf-8"
    )
    commit(sub, "v2")
    git(repo / "sources", "-c", "protocol.file.allow=always", "pull", "-q", str(sub), "main")
    commit(repo, "bump")
    found = _new(*GATE[:4], "--sources", "sources")
    assert any(
        f["code"] == "PC011" and f["path"] == "sources" and "submodule" in f["message"] for f in found
    ), found
    assert invoke(*GATE[:4], "--sources", "sources", "--fail-on-new", "--fail-on", "gap").exit_code == 1
