"""Issue 13, adversarial rounds cache4, gate4b and recheck-a (s21): results files that are links,
the cache folder named with `~` or through links, and an oversized catalogue hashed whole. Each
test failed on the code before its fix. (Same-day results that disagree: tests/rules/PC613.yaml;
a cited plan left out of the context key: tests/test_wrong_passes.py.)
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.test_hostile import EXAMPLE, Outcome, run_command

from .conftest import REPO


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A copy of the bundled plans and results, with the repository's configuration."""
    work = tmp_path / "work"
    for name in ("plans", "results"):
        shutil.copytree(REPO / name, work / name)
    shutil.copy(REPO / "pyproject.toml", work / "pyproject.toml")
    return work


def findings(outcome: Outcome) -> list[dict[str, object]]:
    assert "Traceback" not in outcome.stderr, outcome.stderr[-2000:]
    return list(json.loads(outcome.stdout)["findings"])


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# recheck-a, hostile3 #13 and gate3b #15 variants: one results file (or subfolder) that is a link


def test_a_linked_results_file_is_refused_and_never_read(bundled: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "creds.yml").write_text("aws_secret_access_key: AKIASECRET\n", encoding="utf-8")
    (bundled / "results" / "c2.yaml").symlink_to(secret / "creds.yml")
    outcome = run_command(bundled, ["validate", "--no-cache", "-f", "json"], timeout=60)
    assert outcome.code == 1
    assert "aws_secret" not in outcome.stdout + outcome.stderr
    linked = [f for f in findings(outcome) if f["path"] == "results/c2.yaml"]
    assert [f["code"] for f in linked] == ["PC011"] and "link" in str(linked[0]["message"]), linked


def test_a_linked_results_file_inside_the_repository_is_not_read_either(bundled: Path) -> None:
    # the gate compares what results/ says: a link hides the file the pull request really edits
    results = bundled / "results"
    name = "national-71-NQ-CP-tasks-2025-05-24-draft.yaml"
    (bundled / "data").mkdir()
    shutil.move(results / name, bundled / "data" / name)
    (results / name).symlink_to(Path("..") / "data" / name)
    found = findings(run_command(bundled, ["validate", "--no-cache", "-f", "json"], timeout=60))
    assert [f["code"] for f in found if f["path"] == f"results/{name}"] == ["PC011"]


def test_a_linked_results_subfolder_is_reported(bundled: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "creds.yml").write_text("password: hunter2\n", encoding="utf-8")
    (bundled / "results" / "sub").symlink_to(secret)
    outcome = run_command(bundled, ["validate", "--no-cache", "-f", "json"], timeout=60)
    assert outcome.code == 1
    assert "hunter2" not in outcome.stdout + outcome.stderr
    assert [f["code"] for f in findings(outcome) if f["path"] == "results/sub"] == ["PC011"]


# cache4 #11: `~` in the cache folder's name is the home folder


@pytest.mark.parametrize("how", ["config", "option", "environment"])
def test_a_cache_folder_under_home_is_expanded(tmp_path: Path, how: str) -> None:
    work, home = tmp_path / "work", tmp_path / "home"
    shutil.copytree(EXAMPLE / "plans", work / "plans")
    home.mkdir()
    config = 'cache-dir = "~/.cache/pc"\n' if how == "config" else ""
    (work / "pyproject.toml").write_text(f'[tool.plancheck]\npaths = ["plans"]\n{config}', encoding="utf-8")
    args = ["validate", "-f", "json", *(["--cache-dir", "~/.cache/pc"] if how == "option" else [])]
    env = {"HOME": str(home), "XDG_STATE_HOME": str(tmp_path / "state")}
    if how == "environment":
        env["PLANCHECK_CACHE_DIR"] = "~/.cache/pc"
    else:
        env["PLANCHECK_CACHE_DIR"] = ""
    outcome = run_command(work, args, env=env, timeout=60)
    assert outcome.code in (0, 1), outcome.stderr
    assert not (work / "~").exists()
    assert files_under(home / ".cache" / "pc")


# cache4 #12: nothing is written (or read) through a link in the cache folder


def test_a_linked_cache_folder_is_not_used(tmp_path: Path) -> None:
    work, victim = tmp_path / "work", tmp_path / "victim"
    shutil.copytree(EXAMPLE / "plans", work / "plans")
    victim.mkdir()
    (work / ".plancheck_cache").symlink_to(victim)
    env = {"PLANCHECK_CACHE_DIR": "", "XDG_STATE_HOME": str(tmp_path / "state")}
    outcome = run_command(work, ["validate", "plans", "-f", "json"], env=env, timeout=60)
    assert outcome.code in (0, 1), outcome.stderr
    assert files_under(victim) == []
    warned = [line for line in outcome.stderr.splitlines() if "symbolic link" in line]
    assert len(warned) == 1 and warned[0].startswith("plancheck: warning:"), outcome.stderr
    cold = run_command(work, ["validate", "plans", "-f", "json", "--no-cache"], env=env, timeout=60)
    assert outcome.stdout == cold.stdout


def test_a_cache_folder_that_is_a_file_is_not_used_and_said(tmp_path: Path) -> None:
    """A cache folder named by PLANCHECK_CACHE_DIR that is a file: every write failed in silence."""
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE / "plans", work / "plans")
    (tmp_path / "a-file").write_text("mine\n", encoding="utf-8")
    env = {"PLANCHECK_CACHE_DIR": str(tmp_path / "a-file"), "XDG_STATE_HOME": str(tmp_path / "state")}
    outcome = run_command(work, ["validate", "plans", "-f", "json"], env=env, timeout=60)
    assert outcome.code in (0, 1), outcome.stderr
    warned = [line for line in outcome.stderr.splitlines() if "is not a folder" in line]
    assert len(warned) == 1 and warned[0].startswith("plancheck: warning:"), outcome.stderr
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "mine\n"
    cold = run_command(work, ["validate", "plans", "-f", "json", "--no-cache"], env=env, timeout=60)
    assert outcome.stdout == cold.stdout


def test_no_entry_is_written_through_a_linked_cache_subfolder(tmp_path: Path) -> None:
    work, victim = tmp_path / "work", tmp_path / "victim"
    shutil.copytree(EXAMPLE / "plans", work / "plans")
    victim.mkdir()
    env = {"PLANCHECK_CACHE_DIR": "", "XDG_STATE_HOME": str(tmp_path / "state")}
    args = ["validate", "plans", "-f", "json"]
    first = run_command(work, args, env=env, timeout=60)
    cache = work / ".plancheck_cache"
    layouts = sorted(p for p in cache.iterdir() if p.is_dir())
    assert layouts
    # one key folder of each layout, and one whole layout folder, swapped for links (the whole
    # folder too for a layout without key folders: the status index, the tree entries)
    for i, layout in enumerate(layouts):
        subs = sorted(p for p in layout.iterdir() if p.is_dir())
        if i == 0 or not subs:
            target = victim if i == 0 else victim / f"{i}"
            target.mkdir(exist_ok=True)
            shutil.rmtree(layout)
            layout.symlink_to(target)
            continue
        sub = subs[0]
        shutil.rmtree(sub)
        os.mkdir(victim / f"{i}")
        sub.symlink_to(victim / f"{i}")
    again = run_command(work, args, env=env, timeout=60)
    assert again.stdout == first.stdout, again.stderr
    assert files_under(victim) == []


# cache4 #13: a catalogue over the size limit is never read to hash it


def test_an_oversized_catalogue_is_not_read_to_hash_it(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    with (tmp_path / "plans" / "indicators.yaml").open("r+b") as handle:
        handle.truncate(400 * 1024 * 1024)  # sparse: costs no disk
    for extra in ([], ["--no-cache"]):
        outcome = run_command(
            tmp_path,
            ["validate", "plans", "-f", "json", *extra],
            env={"PLANCHECK_CACHE_DIR": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")},
            timeout=60,
        )
        assert outcome.code == 1
        assert [f["code"] for f in findings(outcome) if f["path"] == "plans/indicators.yaml"] == ["PC004"]
        assert outcome.rss_mb < 200, f"peak RSS {outcome.rss_mb:.0f} MB"


# The third fresh round (cache5): odd cache folder names and a FIFO at the secret


@pytest.mark.parametrize("name", ["x" * 300, "a\x00b"], ids=["too-long", "nul-byte"])
def test_an_unusable_cache_folder_name_runs_uncached(tmp_path: Path, name: str) -> None:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    if "\x00" in name:  # an argument cannot hold NUL: the configuration can
        (tmp_path / "pyproject.toml").write_text(
            '[tool.plancheck]\ncache-dir = "a\\u0000b"\n', encoding="utf-8"
        )
        args = ["validate", "plans"]
    else:
        args = ["validate", "plans", "--cache-dir", name]
    outcome = run_command(tmp_path, args)
    assert outcome.code == 0, outcome.stderr
    assert "internal error" not in outcome.stderr and "checked" in outcome.stdout


def test_a_fifo_at_the_cache_secret_does_not_hang(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    state = tmp_path / "state"
    (state / "plancheck").mkdir(parents=True)
    os.mkfifo(state / "plancheck" / "cache-secret")
    env = {"XDG_STATE_HOME": str(state), "PLANCHECK_CACHE_DIR": str(tmp_path / "cache")}
    outcome = run_command(tmp_path, ["validate", "plans"], env=env, timeout=20)
    assert outcome.code == 0, outcome.stderr
    assert "checked" in outcome.stdout


# The third fresh round (hostile5): configuration edge values that ended in an internal error


def test_a_huge_max_file_size_does_not_break_diff(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    (tmp_path / "pyproject.toml").write_text("[tool.plancheck]\nmax-file-size = 9223372036854775807\n")
    ward = "plans/ward/KH-2.yaml"
    outcome = run_command(tmp_path, ["diff", ward, ward])
    assert outcome.code == 0, outcome.stderr
    assert "no changes" in outcome.stdout


def test_a_deeply_nested_pyproject_is_a_configuration_error(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    (tmp_path / "pyproject.toml").write_text("[tool.plancheck]\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    outcome = run_command(tmp_path, ["validate", "plans"])
    assert outcome.code == 2
    assert outcome.stderr == "plancheck: pyproject.toml: cannot read: nested too deeply\n", outcome.stderr
