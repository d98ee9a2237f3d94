"""Issue 13, "wrong passes": a broken or shrinking plan tree, or a trick, never passes the gate.

Each test here failed on the code before the fix (a wrong pass, or a silent omission).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from plancheck.check.algebra import compare_bounds, worst_edge
from plancheck.cli.main import app
from plancheck.config import ConfigError, from_table
from plancheck.model import Bound, Plan
from plancheck.rules import provenance
from plancheck.run import cache

from .conftest import EXAMPLE, REPO, git

runner = CliRunner()
WARD = Path("plans/ward/KH-2.yaml")
PROVINCE = Path("plans/province/KH-1.yaml")
GATE = ["validate", "plans", "--base", "main", "--fail-on-new", "--fail-on", "gap"]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def edit(root: Path, rel: Path, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def repo(tree: Path) -> Path:
    git(tree, "init", "-q", "-b", "main")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "base")
    git(tree, "checkout", "-q", "-b", "change")
    return tree


def _json(*args: str) -> list[dict[str, Any]]:
    result = invoke(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]  # type: ignore[no-any-return]


# 1. --base when the change deletes a plan or the catalogue


def test_base_deleting_a_parent_plan_fails_the_gate(repo: Path) -> None:
    (repo / PROVINCE).unlink()  # the ward implements it
    found = _json("validate", "plans", "--base", "main")
    orphaned = [f for f in found if f["code"] == "PC105" and f["path"] == WARD.as_posix()]
    assert orphaned and all(f["new"] for f in orphaned), found
    assert invoke(*GATE).exit_code == 1
    git(repo, "commit", "-q", "-am", "delete the province plan")
    assert invoke(*GATE).exit_code == 1


def test_base_deleting_the_catalogue_fails_the_gate(repo: Path) -> None:
    (repo / "plans" / "indicators.yaml").unlink()
    found = _json("validate", "plans", "--base", "main")
    assert any(f["code"] == "PC109" and f["new"] for f in found), found
    result = invoke(*GATE)
    assert result.exit_code == 1
    assert "0 files checked" not in result.output


def test_base_deleting_the_whole_tree_fails_the_gate(repo: Path) -> None:
    shutil.rmtree(repo / "plans")
    assert invoke(*GATE).exit_code == 1


def test_base_a_gap_made_worse_is_new(repo: Path) -> None:
    # the base already falls short (> 70 against the province's > 85); the change lowers it
    # further: the same code, plan, parent, indicator and year, but a different claim
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 70"')
    git(repo, "commit", "-q", "-am", "an existing gap")
    git(repo, "branch", "-f", "main")
    edit(repo, WARD, 'bound: "> 70"', 'bound: "> 50"')
    found = _json("validate", "plans", "--base", "main")
    worse = [f for f in found if f["code"] == "PC202" and f["indicator"] == "online-public-service-usage"]
    assert worse and all(f["new"] for f in worse), worse
    assert invoke(*GATE).exit_code == 1
    # an unchanged gap stays existing and does not fail --fail-on-new
    edit(repo, WARD, 'bound: "> 50"', 'bound: "> 70"')
    assert invoke(*GATE).exit_code == 0


def test_base_changing_a_plan_id_puts_the_children_of_the_old_id_in_scope(repo: Path) -> None:
    # the province file keeps its path but takes another id: the ward's parent is gone
    edit(repo, PROVINCE, "id: province/KH-1", "id: province/KH-1b")
    found = _json("validate", "plans", "--base", "main")
    assert any(f["code"] == "PC105" and f["path"] == WARD.as_posix() and f["new"] for f in found), found


# 2. waivers apply to their own plan file only; a duplicate id is an error in both files


def test_a_second_file_with_the_same_id_cannot_waive_the_first(tree: Path) -> None:
    # the real ward plan lives in a .yml file and falls short of the province (W1 >= 35 < 40)
    real = tree / "plans" / "ward" / "KH-2.yml"
    (tree / WARD).rename(real)
    text = real.read_text(encoding="utf-8").replace('bound: ">= 40"', 'bound: ">= 35"')
    real.write_text(text, encoding="utf-8")
    assert invoke("validate", "plans", "--fail-on", "gap").exit_code == 1
    # a second file claims the same id (it sorts first, so it takes the id) and waives everything
    impostor = (
        "id: ward/KH-2\n"
        "document: {number: 2/KH-UBND, kind: Kế hoạch, title: t, issuer: UBND phường, issued: '2025-03-10'}\n"
        "jurisdiction: {code: ward, name: Phường Mẫu, level: commune}\n"
        "implements: [national/57-NQ-TW, province/KH-1]\n"
        "waivers:\n"
        "  - {rule: PC112, reason: r, approved_by: a}\n"
        "  - {rule: PC201, reason: r, approved_by: a}\n"
        "  - {rule: PC206, reason: r, approved_by: a}\n"
    )
    (tree / WARD).write_text(impostor, encoding="utf-8")
    result = invoke("validate", "plans", "--fail-on", "gap")
    assert result.exit_code == 1, result.output  # it passed, the copy's PC112 waived by the impostor
    found = _json("validate", "plans", "--fail-on", "gap")
    duplicate = [f for f in found if f["code"] == "PC112"]
    # the duplicate id is an error, unwaived, in both files
    assert sorted(f["path"] for f in duplicate) == ["plans/ward/KH-2.yaml", "plans/ward/KH-2.yml"]
    assert all(f["severity"] == "error" and f["status"] != "waived" for f in duplicate), duplicate
    # nothing in the real file is waived by the other file's waivers
    assert [f for f in found if f["path"] == "plans/ward/KH-2.yml" and f["status"] == "waived"] == []


def test_waivers_mark_only_findings_of_their_own_file(tree: Path) -> None:
    # a copy with a stale id: its own findings are never waived by the plan whose id it took
    edit(
        tree,
        PROVINCE,
        "tasks:\n",
        "waivers:\n  - {rule: PC104, reason: r, approved_by: a}\n  - {rule: PC112, reason: r, approved_by: a}\n"
        "tasks:\n",
    )
    copy = (tree / WARD).read_text(encoding="utf-8").replace("id: ward/KH-2", "id: province/KH-1")
    (tree / "plans" / "ward" / "KH-9.yaml").write_text(copy, encoding="utf-8")
    found = _json("validate", "plans")
    in_copy = [f for f in found if f["path"] == "plans/ward/KH-9.yaml"]
    assert "PC112" in {f["code"] for f in in_copy}
    assert all(f["status"] != "waived" for f in in_copy), in_copy


# 3. dates are strict YYYY-MM-DD


def _plan(**document: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "province/KH-9",
        "document": {"number": "9", "kind": "k", "title": "t", "issuer": "i", "issued": "2025-03-01"},
        "jurisdiction": {"code": "province", "name": "n", "level": "province"},
        "implements": ["national/57-NQ-TW"],
    }
    base["document"].update(document)
    return base


@pytest.mark.parametrize(
    "value",
    [
        0,
        1735689600,
        "0",
        "2025-06-09T00:00:00",
        "2025-06-09T00:00:00Z",
        "20250609",
        "2025-6-9",
        "２０２５-06-09",
    ],
)
def test_every_date_field_is_strict(value: Any) -> None:
    from pydantic import ValidationError

    for data in (
        _plan(issued=value),
        _plan(replaces=[{"number": "44/KH-UBND", "issued": value}]),
    ):
        with pytest.raises(ValidationError):
            Plan.model_validate(data)
    successor = _plan()
    successor["jurisdiction"]["successor"] = {"code": "x", "name": "y", "since": value}
    with pytest.raises(ValidationError):
        Plan.model_validate(successor)
    assert Plan.model_validate(_plan(issued="2025-06-09")).document.issued == dt.date(2025, 6, 9)


@pytest.mark.parametrize(
    "value", ["２０２５-03", "٢٠٢٥", "2025..２０３０", "annual from ２０２５", "2025-0３-01"]
)
def test_deadlines_are_ascii_digits_only(value: str) -> None:
    from plancheck.model import Deadline, DeadlineError

    with pytest.raises(DeadlineError):
        Deadline.parse(value)


def test_issued_zero_is_a_finding_not_1970(tree: Path) -> None:
    edit(tree, WARD, 'issued: "2025-03-10"', "issued: 0")
    found = _json("validate", "plans")
    assert any(f["code"] == "PC101" and f["path"] == WARD.as_posix() for f in found), found
    assert invoke("validate", "plans").exit_code == 1


def test_as_of_is_strict(tree: Path) -> None:
    assert invoke("validate", "plans", "--as-of", "20260101").exit_code == 2
    assert invoke("validate", "plans", "--as-of", "2026-W01-1").exit_code == 2
    with pytest.raises(ConfigError):
        from_table({"as-of": dt.datetime(2026, 1, 1, 12, 0)}, tree)
    with pytest.raises(ConfigError):
        from_table({"as-of": "20260101"}, tree)


# 4. zero is a number


def test_zero_at_the_end_of_a_range_counts() -> None:
    # lower is better: "-5..0" accepts 0, which is worse than the parent's "<= -1"
    assert worst_edge(Bound.parse("-5..0"), "lower").value == 0
    assert compare_bounds(Bound.parse("-5..0"), Bound.parse("<= -1"), "lower") == "weaker"
    assert compare_bounds(Bound.parse("0..5"), Bound.parse(">= 1"), "higher") == "weaker"
    assert worst_edge(Bound.parse("5..0"), "higher").value == 0


def test_zero_range_end_on_a_lower_is_better_indicator_is_a_gap(tree: Path) -> None:
    catalogue = tree / "plans" / "indicators.yaml"
    catalogue.write_text(
        catalogue.read_text(encoding="utf-8") + "  - id: energy-intensity-change\n"
        "    name_vi: Thay đổi cường độ năng lượng\n"
        "    name_en: Change in energy intensity\n"
        '    unit: "%/year"\n'
        "    direction: lower\n"
        "    kind: rate\n"
        "    counts: change in energy used per unit of output\n"
        "    population: the jurisdiction's economy\n"
        "    scope: whole jurisdiction\n"
        "    carry_over: not-kept\n"
        "    relations: []\n"
        "    reasons: {population: a test, scope: a test, direction: a test, carry_over: a test, relations: a test}\n"
        "    levels: [national, province, commune]\n",
        encoding="utf-8",
    )
    target = (
        "  - id: {id}\n    indicator: energy-intensity-change\n    year: 2030\n"
        '    bound: "{bound}"\n    unit: "%/year"\n    label: cường độ năng lượng\n'
        "    source: {{section: {section}}}\n"
    )
    edit(
        tree,
        Path("plans/national/57-NQ-TW.yaml"),
        "tasks:\n",
        target.format(id="E1", bound="<= -1", section="II.1") + "tasks:\n",
    )
    ward = tree / WARD
    ward.write_text(
        ward.read_text(encoding="utf-8") + target.format(id="W9", bound="-5..0", section="III"),
        encoding="utf-8",
    )
    found = _json("validate", "plans", "--fail-on", "gap")
    weaker = [f for f in found if f["code"] == "PC202" and f["indicator"] == "energy-intensity-change"]
    assert [(f["ctx"]["item"], f["child_bound"], f["parent_bound"]) for f in weaker] == [
        ("W9", "-5..0", "<= -1")
    ]


TRUTH_TEST_ON_HIGH = re.compile(r"\.high\s+(or|and)\b|\b(if|not|and|or)\s+[\w.]*\.high\s*(:|\)|$|and\b|or\b)")


def test_no_truth_test_on_a_decimal_high() -> None:
    """`high or value` read a range's upper end of 0 as missing; the code must not do that again."""
    src = REPO / "src" / "plancheck"
    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted(src.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TRUTH_TEST_ON_HIGH.search(line)
    ]
    assert offenders == []


# 5. a commune or province plan that implements nothing


@pytest.mark.parametrize("level", ["commune", "province", "district"])
def test_a_lower_plan_that_implements_nothing_fails(tree: Path, level: str) -> None:
    edit(tree, WARD, "implements: [national/57-NQ-TW, province/KH-1]", "implements: []")
    edit(tree, WARD, "level: commune", f"level: {level}")
    found = _json("validate", "plans")
    assert [f["code"] for f in found if f["code"] == "PC113"] == ["PC113"], found
    assert invoke("validate", "plans").exit_code == 1


# 6. report, tree and show name what they leave out, and fail on what does not exist


def _break_ward(tree: Path) -> None:
    edit(tree, WARD, "kind: Kế hoạch\n", "kind: Kế hoạch\n  nonsense: 1\n")


@pytest.mark.parametrize("command", [["report", "plans"], ["tree", "plans"], ["show", "--root", "plans"]])
def test_left_out_plans_are_named(tree: Path, command: list[str]) -> None:
    _break_ward(tree)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "plans/ward/KH-2.yaml" in result.stderr, result.stderr
    assert "left out" in result.stderr


def test_the_report_itself_lists_left_out_plans(tree: Path) -> None:
    _break_ward(tree)
    result = CliRunner().invoke(app, ["report", "plans", "--lang", "en"])
    assert "plans/ward/KH-2.yaml" in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["report", "plans/nowhere"],
        ["report", "plans", "--plan", "nope/x"],
        ["tree", "plans/nowhere"],
        ["show", "--root", "plans/nowhere"],
        ["show", "nope/x", "--root", "plans"],
        ["report", "plans/ward/KH-9.yaml"],
        ["tree", "nowhere"],
    ],
)
def test_asking_for_what_does_not_exist_fails(tree: Path, command: list[str]) -> None:
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_show_of_a_broken_plan_by_id_fails(tree: Path) -> None:
    _break_ward(tree)
    result = CliRunner().invoke(app, ["show", "ward/KH-2", "--root", "plans"])
    assert result.exit_code == 2
    assert "plans/ward/KH-2.yaml" in result.stderr


# 7. the cache: entries are bound to this user's secret and checked against a schema


def _entries(tree: Path) -> list[Path]:
    # the findings' entries (the report's rows and sections are signed alike: test_cache.py)
    return sorted((tree / "cache" / cache.LAYOUT).rglob("*.json"))


def _gap_run() -> list[str]:
    return sorted(f"{f['code']} {f['path']}" for f in _json("validate", "plans", "--fail-on", "gap"))


def test_a_well_formed_but_altered_entry_is_not_trusted(tree: Path) -> None:
    edit(tree, WARD, 'bound: ">= 40"', 'bound: ">= 35"')
    expected = _gap_run()
    assert "PC202 plans/ward/KH-2.yaml" in expected
    entries = _entries(tree)
    assert entries
    altered = 0
    for entry in entries:
        text = entry.read_text(encoding="utf-8")
        data = json.loads(text)
        if not any("PC202" in v for v in data["results"].values()):
            continue
        # the findings wiped, the entry still well-formed and under its own key
        data["results"] = {k: "[]" for k in data["results"]}
        entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        altered += 1
    assert altered == 1
    assert _gap_run() == expected
    assert invoke("validate", "plans", "--fail-on", "gap").exit_code == 1


def test_entries_from_another_user_or_machine_are_not_trusted(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache folder written elsewhere (committed, restored in CI) was signed with another secret."""
    edit(tree, WARD, 'bound: ">= 40"', 'bound: ">= 35"')
    expected = _gap_run()
    # "another machine": its own secret, and it wiped the findings and re-signed its entries
    monkeypatch.setenv("XDG_STATE_HOME", str(tree / "elsewhere"))
    cache.secret.cache_clear()
    for entry in _entries(tree):
        data = json.loads(entry.read_text(encoding="utf-8"))
        data.pop("mac", None)
        data["results"] = {k: "[]" for k in data["results"]}
        cache.Store(tree / "cache").put(data["key"], data["file"], data["results"])
    forged = _gap_run()
    assert "PC202 plans/ward/KH-2.yaml" not in forged  # that machine trusts its own entries
    monkeypatch.setenv("XDG_STATE_HOME", str(tree / "home-state"))
    cache.secret.cache_clear()
    assert _gap_run() == expected


def test_entry_schema_rejects_what_a_worker_never_writes() -> None:
    good: dict[str, Any] = {
        "magic": cache.MAGIC,
        "key": "a" * 64,
        "file": {
            "findings": [],
            "plan": None,
            "readable": True,
            "positions": [],
            "keys": [],
            "documents": [],
        },
        "results": {"b" * 64: "[]"},
    }
    assert cache.entry_problem(good, "a" * 64) is None
    bad_cases: list[dict[str, Any]] = [
        {**good, "extra": 1},
        {**good, "key": "c" * 64},
        {**good, "results": {"not-a-hash": "[]"}},
        {**good, "results": {"b" * 64: []}},
        {**good, "results": {f"{i:064x}": "[]" for i in range(cache.KEEP_CONTEXTS + 1)}},
        {**good, "file": {**good["file"], "more": 1}},
        {**good, "file": {**good["file"], "readable": "yes"}},
        {**good, "file": {**good["file"], "documents": [1]}},
        {**good, "file": {**good["file"], "positions": [[["id"], 0, 1]]}},
        {
            **good,
            "file": {**good["file"], "findings": [["PC101", "error", "m", 1, 1, None, None, None, {}, "x"]]},
        },
    ]
    for bad in bad_cases:
        assert cache.entry_problem(bad, "a" * 64) is not None, bad
    # each finding's fields are checked as it is decoded from an entry
    from plancheck.run.records import RecordError, decode_finding

    ok = ["PC101", "error", "m", 1, 1, None, None, None, {}, None]
    assert decode_finding(ok, "f.yaml", own_file=True).path == "f.yaml"
    for wrong in (
        [*ok[:3], 0, *ok[4:]],
        [*ok[:5], -1, *ok[6:]],
        [*ok[:3], True, *ok[4:]],
        ["PC999", *ok[1:]],
    ):
        with pytest.raises(RecordError):
            decode_finding(wrong, "f.yaml", own_file=True)


def test_the_gating_workflow_computes_its_own_results() -> None:
    workflow = YAML(typ="safe", pure=True).load(
        (REPO / ".github" / "workflows" / "plancheck.yml").read_text(encoding="utf-8")
    )
    steps = workflow["jobs"]["plancheck"]["steps"]
    assert not any("cache" in str(step.get("uses", "")) for step in steps if "uses" in step)
    runs = [step["run"] for step in steps if "run" in step and "plancheck " in step["run"]]
    gate = [r for r in runs if "--base" in r]
    assert len(gate) == 1
    for run in runs:
        # never the checkout's own cache folder (a pull request could commit one)
        assert "--no-cache" in run or '--cache-dir "$RUNNER_TEMP/' in run, run
    assert 'rm -rf "$RUNNER_TEMP/plancheck-cache"' in gate[0]
    # the pull request's own copy of plancheck never judges it
    installs = [step["run"] for step in steps if "pip install" in step.get("run", "")]
    assert installs and all("pip install ." not in run for run in installs)
    assert any("refs/remotes/origin/${{ github.base_ref }}" in run for run in installs)


def test_readme_states_the_cache_threat_model() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "### Cache threat model" in readme
    section = readme.split("### Cache threat model", 1)[1].split("\n## ", 1)[0]
    for word in ("secret", "schema", "does not protect", "pull request", "--no-cache"):
        assert word in section, word


def test_secret_is_private(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tree / "state"))
    cache.secret.cache_clear()
    first = cache.secret()
    path = tree / "state" / "plancheck" / "cache-secret"
    assert path.is_file() and (path.stat().st_mode & 0o077) == 0
    cache.secret.cache_clear()
    assert cache.secret() == first
    # a secret others can write is not one: a fresh one per process, so nothing old is trusted
    os.chmod(path, 0o666)
    cache.secret.cache_clear()
    assert cache.secret() != first


# waivers cannot vouch for a broken encoding


def test_a_plan_cannot_waive_implementing_nothing_or_a_missing_parent(tree: Path) -> None:
    edit(tree, WARD, "implements: [national/57-NQ-TW, province/KH-1]", "implements: []")
    edit(
        tree,
        WARD,
        "targets:\n",
        "waivers:\n  - {rule: PC113, reason: r, approved_by: a}\n  - {rule: PC105, reason: r, approved_by: a}\n"
        "targets:\n",
    )
    found = _json("validate", "plans")
    (pc113,) = [f for f in found if f["code"] == "PC113"]
    assert pc113["status"] != "waived"
    assert len([f for f in found if f["code"] == "PC406" and "never waived" in f["message"]]) == 2
    assert invoke("validate", "plans").exit_code == 1


def test_base_deleting_a_parent_and_waiving_the_orphan_still_fails(repo: Path) -> None:
    (repo / PROVINCE).unlink()
    edit(repo, WARD, "targets:\n", "waivers:\n  - {rule: PC105, reason: r, approved_by: a}\ntargets:\n")
    assert invoke(*GATE).exit_code == 1


def test_base_changing_a_source_text_puts_its_plan_in_scope(repo: Path) -> None:
    sources = repo / "sources"
    shutil.copytree(EXAMPLE / "sources", sources)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "sources")
    (sources / "province.txt").write_text("nothing the plan cites\n", encoding="utf-8")
    found = _json("validate", "plans", "--sources", "sources", "--base", "HEAD")
    assert any(f["code"] == "PC501" and f["path"] == PROVINCE.as_posix() and f["new"] for f in found), found


# Found by the adversarial round of issue 13 (each passed the gate before)


def test_configuration_cannot_switch_off_or_lower_encoding_errors(tree: Path) -> None:
    edit(tree, WARD, 'bound: "> 85"', 'bound: ">= 170"')  # a share above 100: PC403, an error
    for table in ('ignore = ["PC4"]', 'select = ["PC2"]', 'severity = { PC403 = "info" }', 'ignore = ["PC"]'):
        (tree / "pyproject.toml").write_text(f"[tool.plancheck]\n{table}\n", encoding="utf-8")
        found = _json("validate", "plans")
        assert [f["severity"] for f in found if f["code"] == "PC403"] == ["error"], table
        assert invoke("validate", "plans").exit_code == 1, table
    (tree / "pyproject.toml").unlink()
    assert invoke("validate", "plans", "--ignore", "PC403").exit_code == 1
    assert invoke("validate", "plans", "--select", "PC201").exit_code == 1


def test_encoding_errors_are_never_waived(tree: Path) -> None:
    edit(tree, WARD, 'bound: "> 85"', 'bound: ">= 170"')
    edit(
        tree,
        WARD,
        "targets:\n",
        "waivers:\n  - {rule: PC403, task: W2, reason: r, approved_by: a}\ntargets:\n",
    )
    found = _json("validate", "plans")
    assert [f.get("status") for f in found if f["code"] == "PC403"] != ["waived"]
    assert any(f["code"] == "PC406" and "never waived" in f["message"] for f in found)
    assert invoke("validate", "plans").exit_code == 1


def test_a_waiver_must_name_what_it_waives(tree: Path) -> None:
    edit(tree, WARD, 'bound: "> 85"', 'bound: "> 50"')  # a gap against the province's > 85
    edit(tree, WARD, "targets:\n", "waivers:\n  - {rule: PC202, reason: r, approved_by: a}\ntargets:\n")
    found = _json("validate", "plans")
    gaps = [f for f in found if f["code"] == "PC202"]
    assert gaps and all(f.get("status") != "waived" for f in gaps), gaps
    assert any(f["code"] == "PC406" and "too broad" in f["message"] for f in found)
    assert invoke("validate", "plans", "--fail-on", "gap").exit_code == 1


def test_a_rank_is_better_when_lower(tree: Path) -> None:
    catalogue = tree / "plans" / "indicators.yaml"
    text = catalogue.read_text(encoding="utf-8")
    assert "kind: rank" in text and "    direction: lower\n    kind: rank" in text
    catalogue.write_text(
        text.replace("    direction: lower\n    kind: rank", "    direction: higher\n    kind: rank", 1),
        encoding="utf-8",
    )
    found = _json("validate", "plans")
    assert any(f["code"] == "PC101" and "a rank is better when lower" in f["message"] for f in found), found
    assert invoke("validate", "plans").exit_code == 1


def _value(vid: str, period: str, value: str) -> str:
    return (
        f"  - id: {vid}\n    indicator: digital-economy-share\n    what: digital economy, share of GRDP\n"
        f'    jurisdiction: province\n    value: "{value}"\n    unit: "% GDP"\n    period: "{period}"\n'
        "    reported_by: a statistics office\n    reported_on: null\n    reliability: official\n"
        '    source: {address: "https://example.org/report", ref: "row 1"}\n'
    )


def test_base_a_changed_result_puts_the_plans_it_names_in_scope(repo: Path) -> None:
    # results/ feeds the progress rules of plans that did not change: a new value that makes a
    # target go off track is a new finding on the province plan, which the change never touched
    results = repo / "results"
    results.mkdir()
    (results / "values.yaml").write_text(
        "values:\n" + _value("V1", "2024-12", "39") + _value("V2", "2025-12", "39.5"), encoding="utf-8"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "results")
    git(repo, "branch", "-f", "main")
    assert invoke(*GATE).exit_code == 0
    with (results / "values.yaml").open("a", encoding="utf-8") as handle:
        handle.write(_value("V3", "2026-06", "20"))
    found = _json("validate", "plans", "--base", "main")
    off = [f for f in found if f["code"] == "PC606" and f["path"] == PROVINCE.as_posix()]
    assert off and all(f["new"] for f in off), [f for f in found if f["code"].startswith("PC6")]
    assert invoke(*GATE).exit_code == 1


def test_base_run_inside_the_plan_folder_sees_no_change_as_new(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = repo / "results"
    results.mkdir()
    (results / "values.yaml").write_text("values:\n" + _value("V1", "2025-12", "39"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "results")
    git(repo, "branch", "-f", "main")
    monkeypatch.chdir(repo / "plans")
    # results/ lies outside the working folder: its findings must have the same path in the
    # checkout and in the extracted base, or every one of them counts as new
    result = invoke("validate", ".", "--base", "main", "--fail-on-new", "--fail-on", "info")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", ["KH-2.YAML", "KH-2.Yml", ".KH-2.yaml"])
def test_a_plan_renamed_out_of_sight_is_still_read(tree: Path, name: str) -> None:
    (tree / WARD).rename(tree / WARD.parent / name)
    edit(tree, WARD.parent / name, 'bound: "> 85"', 'bound: "> 50"')  # a gap against the province
    found = _json("validate", "plans", "--fail-on", "gap")
    assert any(f["code"] == "PC202" for f in found), found
    assert invoke("validate", "plans", "--fail-on", "gap").exit_code == 1


def test_a_folder_swapped_for_a_link_is_reported(tree: Path) -> None:
    moved = tree / "elsewhere"
    (tree / "plans" / "ward").rename(moved)
    (tree / "plans" / "ward").symlink_to(moved, target_is_directory=True)
    found = _json("validate", "plans")
    assert any(f["code"] == "PC011" and f["path"] == "plans/ward" for f in found), found
    assert invoke("validate", "plans").exit_code == 1


def test_base_deleting_a_leaf_plan_is_reported(repo: Path) -> None:
    # nothing implements the ward: before, its gaps left with it and the gate passed
    (repo / WARD).unlink()
    found = _json("validate", "plans", "--base", "main")
    assert [(f["code"], f["path"], f["new"]) for f in found if f["code"] == "PC014"] == [
        ("PC014", WARD.as_posix(), True)
    ]
    assert invoke(*GATE).exit_code == 1


def test_base_dropping_a_parent_is_reported(repo: Path) -> None:
    edit(repo, WARD, "implements: [national/57-NQ-TW, province/KH-1]", "implements: [national/57-NQ-TW]")
    found = _json("validate", "plans", "--base", "main")
    [hit] = [f for f in found if f["code"] == "PC014"]
    assert hit["new"] and "province/KH-1" in hit["message"]
    assert invoke(*GATE).exit_code == 1


def test_base_a_new_declaration_that_excuses_gaps_is_reported(repo: Path) -> None:
    edit(
        repo,
        WARD,
        "targets:\n",
        "elsewhere:\n  - {items: targets, where: Phụ lục, label: Chi tiết tại Phụ lục, source: {section: II}}\n"
        "targets:\n",
    )
    found = _json("validate", "plans", "--base", "main")
    assert any(f["code"] == "PC014" and f["new"] and "targets" in f["message"] for f in found), found
    assert invoke(*GATE).exit_code == 1
    git(repo, "commit", "-q", "-am", "declared")
    git(repo, "branch", "-f", "main")
    assert invoke(*GATE).exit_code == 0  # on the next change, it is the base's own


def test_base_a_parent_lowered_makes_the_childs_gap_leave_the_check_visibly(repo: Path) -> None:
    # the ward's gap against the province (> 50 against > 85) goes when the province lowers its
    # own target: the ward did not change, so the gap's going is reported
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 50"')
    git(repo, "commit", "-q", "-am", "a gap")
    git(repo, "branch", "-f", "main")
    edit(repo, PROVINCE, 'bound: "> 85"', 'bound: "> 40"')
    found = _json("validate", "plans", "--base", "main")
    gone = [f for f in found if f["code"] == "PC014" and f["path"] == WARD.as_posix()]
    assert gone and all(f["new"] for f in gone) and "did not change" in gone[0]["message"], found
    assert invoke(*GATE).exit_code == 1


def test_base_a_broad_waiver_of_a_parent_covers_nothing(repo: Path) -> None:
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 50"')
    edit(
        repo,
        WARD,
        "targets:\n",
        "waivers:\n  - {rule: PC202, parent: province/KH-1, reason: r, approved_by: a}\ntargets:\n",
    )
    found = _json("validate", "plans", "--base", "main")
    assert [f for f in found if f["code"] == "PC202" and f.get("status") != "waived"]
    assert any(f["code"] == "PC406" and "too broad" in f["message"] for f in found)
    assert invoke(*GATE).exit_code == 1


def test_base_a_new_stand_in_or_an_earlier_first_version_is_reported(repo: Path) -> None:
    # the ward's own targets go and a stand-in takes their place: none of its gaps is reported
    # any more, since a plan whose table stands in elsewhere is not compared with its parents
    text = (repo / WARD).read_text(encoding="utf-8")
    text = text[: text.index("targets:\n")] + "targets: []\n"
    text = text.replace(
        '  issued: "2025-03-10"\n',
        '  issued: "2025-03-10"\n  replaces: [{number: 0001/KH-UBND, issued: "2024-01-01"}]\n'
        "  targets_from: {plan: province/KH-1, reason: r}\n",
    )
    (repo / WARD).write_text(text, encoding="utf-8")
    found = _json("validate", "plans", "--base", "main")
    messages = [f["message"] for f in found if f["code"] == "PC014"]
    assert any("stand in" in m for m in messages), found
    assert any("2024-01-01" in m for m in messages), found
    assert invoke(*GATE).exit_code == 1


# Found by the adversarial round of session 21 (cache): a cited text other than the plan's own


@pytest.mark.parametrize("linked", [False, True], ids=["same-size-old-mtime", "symlinked"])
def test_a_warm_cache_sees_an_edit_of_an_items_other_source_text(tree: Path, linked: bool) -> None:
    sources = tree / "sources"
    shutil.copytree(EXAMPLE / "sources", sources)
    text = (sources / "province.txt").read_text(encoding="utf-8")
    other = sources / "other.txt"
    if linked:  # the cited name is a link into a subfolder: the folder listing never saw the target
        (sources / "store").mkdir()
        other = sources / "store" / "other.txt"
        (sources / "other.txt").symlink_to(Path("store") / "other.txt")
    other.write_text(text, encoding="utf-8")
    edit(
        tree,
        PROVINCE,
        "source: {section: II, line: 3}",
        "source: {section: II, line: 3, document: other.txt}",
    )
    args = ("validate", "plans", "--sources", "sources", "--select", "PC5")
    assert not [f for f in _json(*args) if f["code"] == "PC501"]  # the cache is warm now
    stamp = other.stat()
    other.write_text(text.replace("Quy mô kinh tế số", "Quy mô kinh tế xố"), encoding="utf-8")
    assert other.stat().st_size == stamp.st_size
    if not linked:
        os.utime(other, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    provenance.read_source.cache_clear()  # each real run is a process of its own
    warm = [f["message"] for f in _json(*args) if f["code"] == "PC501"]
    cold = [f["message"] for f in _json(*args, "--no-cache") if f["code"] == "PC501"]
    assert warm == cold and len(cold) == 1, (warm, cold)


@pytest.mark.parametrize("cites", ["province/KH-0", "province/KH-1, province/KH-0"])
def test_a_warm_cache_sees_a_task_renamed_in_a_cited_replaced_plan(tree: Path, cites: str) -> None:
    # the ward cites province/KH-0, which KH-1 replaced before the ward's issue date: it is
    # compared with KH-1, but its task still names KH-0's task IV.1 (adversarial round s21, cache #8);
    # citing KH-1 too leaves one edge for both (inforce.resolve), yet KH-0's file is still read
    # (recheck of cache #8b)
    old = (tree / PROVINCE).read_text(encoding="utf-8")
    old = old.replace("id: province/KH-1", "id: province/KH-0").replace(
        "number: 1/KH-UBND", "number: 0/KH-UBND"
    )
    (tree / "plans/province/KH-0.yaml").write_text(
        old.replace('issued: "2025-02-20"', 'issued: "2025-01-20"')
    )
    edit(
        tree,
        PROVINCE,
        "  source: province.txt\n",
        '  source: province.txt\n  replaces: [{number: 0/KH-UBND, issued: "2025-01-20"}]\n',
    )
    edit(
        tree,
        WARD,
        "implements: [national/57-NQ-TW, province/KH-1]",
        f"implements: [national/57-NQ-TW, {cites}]",
    )
    text = (tree / WARD).read_text(encoding="utf-8")
    assert "\ntasks:" not in text
    text += (
        "tasks:\n  - id: W-T\n    title: t\n    lead: UBND phường\n    due: 2025-06\n"
        "    implements: {plan: province/KH-0, task: IV.1}\n    source: {section: IV}\n"
    )
    (tree / WARD).write_text(text, encoding="utf-8")

    def pc111() -> list[str]:
        return [
            f["message"]
            for f in _json("validate", "plans")
            if f["code"] == "PC111" and f["plan"] == "ward/KH-2"
        ]

    assert pc111() == []  # warm from here on
    edit(tree, Path("plans/province/KH-0.yaml"), "  - id: IV.1\n", "  - id: IV.9\n")
    assert len(pc111()) == 1


# --base judges the base with the base's own [tool.plancheck]; what the head's configuration
# hides or lowers is reported at the line of the setting that does it


def _pyproject(repo: Path, body: str, *, commit: bool) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.plancheck]\n' + body, encoding="utf-8"
    )
    if commit:
        git(repo, "add", "pyproject.toml")
        git(repo, "commit", "-q", "-m", "config")
        git(repo, "branch", "-f", "main")


def _config_hits(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in found if f["code"] == "PC014" and f["path"] == "pyproject.toml"]


@pytest.mark.parametrize(
    "setting",
    ['ignore = ["PC2"]\n', 'select = ["PC0", "PC1"]\n', '[tool.plancheck.severity]\nPC202 = "info"\n'],
)
def test_base_a_config_that_hides_a_new_gap_fails_the_gate(repo: Path, setting: str) -> None:
    _pyproject(repo, 'paths = ["plans"]\n', commit=True)
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 50"')  # a new gap against both parents
    _pyproject(repo, 'paths = ["plans"]\n' + setting, commit=False)
    found = _json("validate", "plans", "--base", "main")
    [hit] = _config_hits(found)
    key = setting.splitlines()[-1]
    lines = (repo / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    assert lines[hit["line"] - 1] == key, (hit, lines)
    assert hit["new"] and "PC202" in hit["message"] and WARD.as_posix() in hit["message"], hit
    assert invoke(*GATE).exit_code == 1


def test_base_a_smaller_max_file_size_fails_the_gate(repo: Path) -> None:
    # every file becomes PC004 on both sides when both are judged by the head's setting, so the
    # PC004s were "existing" and the gaps they hide left unseen
    _pyproject(repo, "max-file-size = 10\n", commit=False)
    text = (repo / WARD).read_text(encoding="utf-8")
    (repo / WARD).write_text(text.replace('bound: "> 85"', 'bound: "> 50"'), encoding="utf-8")
    found = _json("validate", "plans", "--base", "main")
    [hit] = _config_hits(found)
    assert hit["line"] == 5 and "max-file-size" in hit["message"], hit
    assert any(f["code"] == "PC004" and f["new"] for f in found), found
    assert invoke(*GATE).exit_code == 1


def test_base_a_config_that_only_adds_to_the_check_is_no_finding(repo: Path) -> None:
    _pyproject(repo, 'paths = ["plans"]\n', commit=True)
    _pyproject(repo, 'paths = ["plans"]\n[tool.plancheck.severity]\nPC202 = "warning"\n', commit=False)
    assert _config_hits(_json("validate", "plans", "--base", "main")) == []
    assert invoke(*GATE).exit_code == 0


def test_base_a_config_the_base_already_had_is_its_own(repo: Path) -> None:
    _pyproject(repo, 'ignore = ["PC2"]\n', commit=True)
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 50"')
    assert _config_hits(_json("validate", "plans", "--base", "main")) == []
    assert invoke(*GATE).exit_code == 0
    # the command line still wins over both configurations (--ignore replaces the setting)
    assert invoke(*GATE, "--ignore", "PC5").exit_code == 1


def test_base_an_earlier_as_of_is_reported(repo: Path) -> None:
    # tasks past their deadline as of today are not yet due in 2020: their findings go
    (repo / "results").mkdir()
    (repo / "results" / "r.yaml").write_text("values: []\n", encoding="utf-8")
    git(repo, "add", "results")
    _pyproject(repo, 'paths = ["plans"]\n', commit=True)
    _pyproject(repo, 'paths = ["plans"]\nas-of = "2020-01-01"\n', commit=False)
    [hit] = _config_hits(_json("validate", "plans", "--base", "main"))
    assert hit["line"] == 6 and "as-of" in hit["message"] and "PC609" in hit["message"], hit
    assert invoke(*GATE).exit_code == 1


def test_base_a_laxer_fail_on_is_reported(repo: Path) -> None:
    _pyproject(repo, 'fail-on = "gap"\n', commit=True)
    _pyproject(repo, 'fail-on = "error"\n', commit=False)
    found = _json("validate", "plans", "--base", "main")
    [hit] = _config_hits(found)
    assert hit["line"] == 5 and "fail-on" in hit["message"], hit
    # without --fail-on on the command line the stricter of the two applies
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 50"')
    assert invoke("validate", "plans", "--base", "main", "--fail-on-new").exit_code == 1


def test_a_task_status_flipped_against_its_label_fails_a_plain_validate(tree: Path) -> None:
    # the real draft report's statuses: 402-PL1-03 is 'Đang thực hiện' (in progress); setting it
    # done while its label stays made its overdue finding disappear without a word
    name = "national-71-NQ-CP-tasks-2025-05-24-draft.yaml"
    (tree / "results").mkdir()
    text = (REPO / "results" / name).read_text(encoding="utf-8")
    (tree / "results" / name).write_text(text, encoding="utf-8")
    assert not [f for f in _json("validate", "plans") if f["code"] == "PC612"]
    at = text.index('task: "402-PL1-03"')
    flipped = text[:at] + text[at:].replace("status: in-progress", "status: done", 1)
    (tree / "results" / name).write_text(flipped, encoding="utf-8")
    [hit] = [f for f in _json("validate", "plans") if f["code"] == "PC612"]
    assert hit["severity"] == "error" and "402-PL1-03" in hit["message"], hit
    assert "Đang thực hiện" in hit["message"]
    assert invoke("validate", "plans", "--ignore", "PC6").exit_code == 1  # no configuration hides it


def test_a_plan_moved_into_a_hidden_folder_is_reported(tree: Path) -> None:
    (tree / "plans" / ".archive").mkdir()
    (tree / WARD).rename(tree / "plans" / ".archive" / "KH-2.yaml")
    found = _json("validate", "plans")
    assert any(f["code"] == "PC011" and f["path"] == "plans/.archive" for f in found), found
    assert invoke("validate", "plans").exit_code == 1


def test_a_setting_is_found_however_toml_spells_it() -> None:
    from plancheck.config import setting_line

    text = (
        'tool.plancheck.ignore = ["PC2"]\n[project]\nname = "x"\n[tool.plancheck]\n"max-file-size" = 10\n'
        'severity.PC203 = "info"\n[tool.plancheck.severity]\ntarget-weaker = "info"\n'
    )
    assert setting_line(text, "ignore") == 1
    assert setting_line(text, "max-file-size") == 5
    assert setting_line(text, "severity", ("PC203", "x")) == 6
    assert setting_line(text, "severity", ("PC202", "target-weaker")) == 8
    assert setting_line(text, "as-of") == 4  # not set: the table's header


def test_base_a_plan_renamed_in_the_tree_is_no_deletion(repo: Path) -> None:
    # `git mv KH-2.yaml KH-2.yml`: the plan is still read, its gaps stay existing; a gap made
    # worse in the same change is still new
    git(repo, "mv", WARD.as_posix(), WARD.with_suffix(".yml").as_posix())
    found = _json("validate", "plans", "--base", "main")
    assert not [f for f in found if f["code"] == "PC014"], found
    assert invoke(*GATE).exit_code == 0
    edit(repo, WARD.with_suffix(".yml"), 'bound: "> 85"', 'bound: "> 50"')
    assert invoke(*GATE).exit_code == 1


def test_base_paths_narrowed_in_the_configuration_still_checks_the_base_paths(repo: Path) -> None:
    _pyproject(repo, 'paths = ["plans"]\n', commit=True)
    edit(repo, WARD, 'bound: "> 85"', 'bound: "> 50"')
    _pyproject(repo, 'paths = ["plans/national"]\n', commit=False)
    gate = ["validate", "--base", "main", "--fail-on-new", "--fail-on", "gap"]
    assert invoke(*gate).exit_code == 1


def _results_base(repo: Path, values: str) -> Path:
    results = repo / "results"
    results.mkdir()
    (results / "values.yaml").write_text("values:\n" + values, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "results")
    git(repo, "branch", "-f", "main")
    return results


def test_base_a_reported_value_edited_in_place_is_no_fix_without_its_source(repo: Path) -> None:
    # third adversarial round: typing a better figure over an off-track one cleared PC606, exit 0
    shutil.copytree(EXAMPLE / "sources", repo / "sources")
    report = repo / "sources" / "report.txt"
    report.write_text("BÁO CÁO\nKinh tế số 6 tháng đầu năm 2026 đạt 45% GRDP.\n", encoding="utf-8")
    off = _value("V1", "2024-12", "39") + _value("V2", "2025-12", "39.5") + _value("V3", "2026-06", "20")
    results = _results_base(repo, off)
    assert [f for f in _json("validate", "plans") if f["code"] == "PC606"]
    edit(repo, Path("results/values.yaml"), 'value: "20"', 'value: "45"')
    for sources in ([], ["--sources", "sources"]):
        found = _json("validate", "plans", "--base", "main", *sources)
        [hit] = [f for f in found if f["code"] == "PC014"]
        assert hit["ctx"]["was"] == "PC606" and "could not check against their source" in hit["message"], hit
        assert "results/values.yaml:" in hit["message"], hit
        assert invoke(*GATE, *sources).exit_code == 1
    # the same figure cited from a source text that holds it, checked with --sources, is a fix
    text = (results / "values.yaml").read_text(encoding="utf-8")
    at = text.index("id: V3")
    address = 'source: {address: "https://example.org/report", ref: "row 1"}'
    text = text[:at] + text[at:].replace(address, "source: {document: report.txt, line: 2}", 1)
    (results / "values.yaml").write_text(text, encoding="utf-8")
    found = _json("validate", "plans", "--base", "main", "--sources", "sources")
    assert not [f for f in found if f["code"] in ("PC014", "PC611")], found
    assert invoke(*GATE, "--sources", "sources").exit_code == 0
    assert invoke(*GATE).exit_code == 1  # without the sources it is not checked
    # and a source that holds it only inside another number ("45" in "145") is no evidence
    report.write_text("BÁO CÁO\nKinh tế số 6 tháng đầu năm 2026 đạt 145% GRDP.\n", encoding="utf-8")
    assert invoke(*GATE, "--sources", "sources").exit_code == 1


def test_base_a_task_reported_done_in_a_new_file_is_no_fix_without_its_source(repo: Path) -> None:
    # third adversarial round: a later `done` report, in a file of its own, cleared PC608, exit 0
    status = (
        "task_status:\n  - plan: province/KH-1\n    task: IV.1\n    status: {status}\n"
        "    status_label: {label}\n    as_of: {day}\n    lead: null\n    evidence: null\n"
        "    reported_by: a\n    reliability: draft\n    source: {{address: 'https://example.org/r'}}\n"
    )
    results = repo / "results"
    results.mkdir()
    (results / "a.yaml").write_text(
        status.format(status="in-progress", label="Đang thực hiện", day="2025-06-01"), encoding="utf-8"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "results")
    git(repo, "branch", "-f", "main")
    assert [f for f in _json("validate", "plans") if f["code"] == "PC608"]
    (results / "b.yaml").write_text(
        status.format(status="done", label="Hoàn thành", day="2025-07-01"), encoding="utf-8"
    )
    found = _json("validate", "plans", "--base", "main")
    assert not [f for f in found if f["code"] == "PC608"], found
    [hit] = [f for f in found if f["code"] == "PC014"]
    assert hit["ctx"]["was"] == "PC608" and "results/b.yaml:2" in hit["message"], hit
    assert invoke(*GATE).exit_code == 1


# A fresh adversarial round (session 22, gate-plans): a comparison the base met has no finding,
# so a change that both takes it out of the check and weakens the plan passed with exit 0. Each
# edit list is (file, old, new), applied in order, old occurring once (or the first of several).
_UNJUDGED = {
    "a-level-dropped-from-the-catalogue": [
        ("plans/indicators.yaml", "levels: [national, province, commune]", "levels: [national, province]"),
        (WARD.as_posix(), 'bound: ">= 40"', 'bound: ">= 5"'),
    ],
    "a-province-relabelled-a-commune": [
        (PROVINCE.as_posix(), "level: province}", "level: commune}"),
        (PROVINCE.as_posix(), 'bound: "62..65"', 'bound: "1..2"'),
    ],
    "a-task-deadline-made-text": [
        (PROVINCE.as_posix(), "    due: 2025-03", '    due: "text: Theo thời gian tại các Nghị quyết"'),
    ],
    "a-task-link-deleted-and-the-task-made-later": [
        (PROVINCE.as_posix(), "    implements: {plan: national/57-NQ-TW, task: IV.1}\n", ""),
        (PROVINCE.as_posix(), "    due: 2025-03", "    due: 2026-12"),
    ],
    "a-direction-flipped-and-the-bound-turned": [
        ("plans/indicators.yaml", "direction: higher", "direction: lower"),
        (WARD.as_posix(), 'bound: ">= 40"', 'bound: "<= 40"'),
    ],
    "the-parents-deadline-made-text-and-the-plan-late": [
        ("plans/national/57-NQ-TW.yaml", "    due: 2025-03", '    due: "text: Theo hướng dẫn"'),
        (WARD.as_posix(), '  issued: "2025-03-10"', '  issued: "2025-11-10"'),
    ],
}


@pytest.mark.parametrize("case", sorted(_UNJUDGED))
def test_base_a_comparison_met_on_the_base_cannot_leave_the_check_unseen(repo: Path, case: str) -> None:
    for rel, old, new in _UNJUDGED[case]:
        path = repo / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    found = _json("validate", "plans", "--base", "main")
    hits = [f for f in found if f["code"] == "PC014"]
    assert any("takes a comparison the base met out of the check" in h["message"] for h in hits), found
    assert invoke(*GATE).exit_code == 1


def test_base_a_relation_added_that_alone_keeps_a_target_met_is_reported(repo: Path) -> None:
    # the province deletes its TFP target; a relation invented in the catalogue makes its
    # online-services target "contain" it, so the national TFP target still read as met
    catalogue = repo / "plans" / "indicators.yaml"
    text = catalogue.read_text(encoding="utf-8")
    at = text.index("  - id: online-public-service-usage")
    end = text.index("  - id: ", at + 1)
    entry = text[at:end].replace(
        "relations: []", "relations: [{contains: tfp-contribution, reason: whole contains part}]", 1
    )
    catalogue.write_text(text[:at] + entry + text[end:], encoding="utf-8")
    province = repo / PROVINCE
    text = province.read_text(encoding="utf-8")
    start = text.index("  - id: T3\n")
    stop = text.index("  - id: ", start + 1)
    # 100 % of the whole implies 100 % of every part: the relation reads T2 as meeting TFP
    province.write_text(
        (text[:start] + text[stop:]).replace('bound: "> 85"', 'bound: "100"'), encoding="utf-8"
    )
    edit(repo, WARD, 'bound: "> 85"', 'bound: "100"')
    hits = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert any(
        "only under the changed catalogue" in h["message"] and "II.1-5" in h["message"] for h in hits
    ), hits
    assert invoke(*GATE).exit_code == 1


def test_base_an_unrelated_edit_reports_no_comparison_leaving(repo: Path) -> None:
    # the other side: raising a parent's target that the child still meets, and a comment, are
    # no loss; nothing is reported
    edit(repo, PROVINCE, "document:\n", "# reviewed\ndocument:\n")
    assert not [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert invoke(*GATE).exit_code == 0


def test_base_an_error_in_a_file_git_calls_unchanged_is_shown(repo: Path) -> None:
    # gate-config #15: a .gitattributes encoding made a plan unreadable in a fresh checkout while
    # git still called it unchanged; the gate said "0 files checked", exit 0. Here git is told
    # the same way (assume-unchanged) while the file no longer reads.
    git(repo, "update-index", "--assume-unchanged", WARD.as_posix())
    (repo / WARD).write_bytes((repo / WARD).read_text(encoding="utf-8").encode("utf-16"))
    found = _json("validate", "plans", "--base", "main")
    assert any(f["code"] == "PC003" and f["new"] and f["path"] == WARD.as_posix() for f in found), found
    assert invoke(*GATE).exit_code == 1


def test_base_a_source_text_the_change_adds_is_no_evidence(repo: Path) -> None:
    # gate-config #13/#14: a pull request adding its own "report" to sources/ and a done status
    # citing it cleared the overdue warning
    shutil.copytree(EXAMPLE / "sources", repo / "sources")
    status = (
        "task_status:\n  - plan: province/KH-1\n    task: IV.1\n    status: {status}\n"
        "    status_label: {label}\n    as_of: {day}\n    lead: null\n    evidence: null\n"
        "    reported_by: a\n    reliability: draft\n    source: {source}\n"
    )
    results = repo / "results"
    results.mkdir()
    (results / "a.yaml").write_text(
        status.format(
            status="in-progress",
            label="Đang thực hiện",
            day="2025-06-01",
            source="{address: 'https://example.org/r'}",
        ),
        encoding="utf-8",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "results")
    git(repo, "branch", "-f", "main")
    (repo / "sources" / "extra.txt").write_text(
        "BÁO CÁO BỔ SUNG\n| 1. | Ban hành kế hoạch | Sở | Hoàn thành |\n", encoding="utf-8"
    )
    (results / "b.yaml").write_text(
        status.format(
            status="done", label="Hoàn thành", day="2025-07-01", source="{document: extra.txt, line: 2}"
        ),
        encoding="utf-8",
    )
    found = _json("validate", "plans", "--base", "main", "--sources", "sources")
    assert not [f for f in found if f["code"] == "PC611"], found
    [hit] = [f for f in found if f["code"] == "PC014"]
    assert hit["ctx"]["was"] == "PC608" and "does not add or edit" in hit["message"], hit
    assert invoke(*GATE, "--sources", "sources").exit_code == 1


def test_base_removing_a_plans_source_text_is_reported(repo: Path) -> None:
    # gate-config #7: without document.source no provenance rule runs on the plan
    edit(repo, PROVINCE, "  source: province.txt\n", "")
    hits = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert [h["ctx"].get("source") for h in hits] == ["province.txt"], hits
    assert invoke(*GATE).exit_code == 1


@pytest.mark.parametrize(
    ("written", "code"),
    [
        # hostile 8: read as the float 40.0, so "= 40" met ">= 40" and the gate passed
        ("39.99999999999999999", "PC202"),
        # hostile 9: YAML number notations read as 40; a bound takes decimal digits only
        ("4e1", "PC101"),
        ("0x28", "PC101"),
        ("0o50", "PC101"),
    ],
)
def test_an_unquoted_bound_is_read_as_written(tree: Path, written: str, code: str) -> None:
    edit(tree, WARD, 'bound: ">= 40"', f"bound: {written}")
    found = [f for f in _json("validate", "plans") if f["code"] == code and f["path"] == WARD.as_posix()]
    assert found, written
    assert invoke("validate", "plans", "--fail-on", "gap").exit_code == 1


@pytest.mark.parametrize("written", ["0x7EE", "+2030", "02030"])
def test_a_year_in_another_notation_is_refused(tree: Path, written: str) -> None:
    # hostile 9: read as 2030 without a word
    text = (tree / WARD).read_text(encoding="utf-8").replace("year: 2030", f"year: {written}", 1)
    (tree / WARD).write_text(text, encoding="utf-8")
    [hit] = [f for f in _json("validate", "plans") if f["code"] == "PC101"]
    assert f"write the year in decimal digits, such as 2030, not {written}" in hit["message"], hit


def test_base_a_results_provenance_error_cannot_leave_by_citing_an_address(repo: Path) -> None:
    # gate-config #3: a mistyped figure (PC611 on the base) left the check when its source became
    # a web address, which PC611 never reads; the figure still fed the progress rules
    shutil.copytree(EXAMPLE / "sources", repo / "sources")
    (repo / "sources" / "report.txt").write_text("BÁO CÁO\nKinh tế số đạt 12% GRDP.\n", encoding="utf-8")
    cited = _value("V1", "2025-12", "13").replace(
        'source: {address: "https://example.org/report", ref: "row 1"}',
        "source: {document: report.txt, line: 2}",
    )
    results = _results_base(repo, cited)
    assert [f for f in _json("validate", "plans", "--sources", "sources") if f["code"] == "PC611"]
    text = (results / "values.yaml").read_text(encoding="utf-8")
    moved = text.replace(
        "source: {document: report.txt, line: 2}", 'source: {address: "https://example.org/x"}'
    )
    (results / "values.yaml").write_text(moved, encoding="utf-8")
    found = _json("validate", "plans", "--base", "main", "--sources", "sources")
    [hit] = [f for f in found if f["code"] == "PC014"]
    assert hit["ctx"]["was"] == "PC611" and hit["path"] == "results/values.yaml", hit
    assert invoke(*GATE, "--sources", "sources").exit_code == 1


def test_a_setting_is_found_in_an_inline_table_and_not_inside_a_string() -> None:
    # gate-config #5: the PC014 of a loosening setting was put at line 1 (an inline table at the
    # root) or inside [project].description (text that looked like the table)
    from plancheck.config import setting_line

    inline = '# 1\n# 2\n# 3\ntool = { plancheck = { paths = ["plans"], ignore = ["PC202"] } }\n\n[project]\nname = "x"\n'
    assert setting_line(inline, "ignore") == 4
    assert setting_line('[tool]\nplancheck = { ignore = ["PC2"] }\n', "ignore") == 2
    quoted = (
        '[project]\nname = "p"\nversion = "0"\ndescription = """\n[tool.plancheck]\nignore = ["PC202"]\n"""\n\n'
        '[tool.plancheck]\npaths = ["plans"]\nsources = "sources"\nas-of = "2026-06-01"\nignore = ["target-weaker"]\n'
    )
    assert setting_line(quoted, "ignore") == 13
    assert setting_line("[project]\nx = '''\n[tool.plancheck]\n'''\n", "ignore") == 1


def test_base_a_later_gap_made_later_is_new(repo: Path) -> None:
    # gate-plans round 2, #8: the year the plan reaches the parent's level was in no field of a
    # finding's identity, so "only in 2031" pushed to "only in 2045" stayed existing
    text = (repo / WARD).read_text(encoding="utf-8")
    (repo / WARD).write_text(text.replace("year: 2030", "year: 2031", 1), encoding="utf-8")  # W1's
    git(repo, "commit", "-qam", "later")
    git(repo, "branch", "-f", "main")
    later = [f for f in _json("validate", "plans") if f["code"] == "PC204"]
    assert later and all("only in 2031" in f["message"] for f in later), later
    text = (repo / WARD).read_text(encoding="utf-8")
    (repo / WARD).write_text(text.replace("year: 2031", "year: 2045", 1), encoding="utf-8")
    found = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC204"]
    assert found and all(f["new"] and "only in 2045" in f["message"] for f in found), found
    assert invoke(*GATE).exit_code == 1


def test_a_severity_setting_is_found_in_any_case() -> None:
    # gate-config round 2, #12b: `pc608 = "info"` in a severity sub-table was put at the header
    from plancheck.config import setting_line

    text = '[tool.plancheck]\npaths = ["plans"]\n\n[tool.plancheck.severity]\nPC202 = "gap"\npc608 = "info"\n'
    assert setting_line(text, "severity", ("PC608", "task-overdue")) == 6


def test_base_a_reported_figure_renamed_makes_no_new_finding(repo: Path) -> None:
    # gate-config round 2, #11: renaming a figure's id (nothing else) made its PC606 new
    off = _value("V1", "2024-12", "39") + _value("V2", "2025-12", "39.5") + _value("V3", "2026-06", "20")
    _results_base(repo, off)
    edit(repo, Path("results/values.yaml"), "id: V3", "id: V9")
    off_track = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC606"]
    assert off_track and not any(f["new"] for f in off_track), off_track
    assert invoke(*GATE).exit_code == 0


# The second fresh adversarial round of session 22 (gate-plans, gate-config): each a change the
# gate passed with exit 0.
_T5 = (
    '  - id: T5\n    indicator: online-public-service-usage\n    year: 2025\n    bound: ">= 50"\n'
    '    unit: "%"\n    label: dịch vụ công trực tuyến\n    source: {section: II, line: 4}\n'
)
_W4 = (
    '  - id: W4\n    indicator: online-public-service-usage\n    year: 2025\n    bound: ">= 50"\n'
    '    unit: "%"\n    label: dịch vụ công trực tuyến\n    source: {section: III}\n'
)


def _rebase(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "branch", "-f", "main")


def test_base_a_stand_ins_target_deleted_is_reported(repo: Path) -> None:
    # gate-plans #2: the ward met T5 of the province's table, kept in province/KH-0 (a stand-in);
    # deleting T5 there took the comparison out unseen (the same deletion in KH-1 was PC014)
    province = (repo / PROVINCE).read_text(encoding="utf-8").replace("tasks:\n", _T5 + "tasks:\n", 1)
    table = province.replace("id: province/KH-1", "id: province/KH-0", 1).replace("1/KH-UBND", "0/KH-UBND", 1)
    (repo / "plans" / "province" / "KH-0.yaml").write_text(table, encoding="utf-8")
    head, rest = province.split("targets:\n", 1)
    head = head.replace(
        "  source: province.txt\n",
        "  source: province.txt\n  targets_from: {plan: province/KH-0, reason: its table is that of KH-0}\n",
    )
    (repo / PROVINCE).write_text(head + "targets: []\n" + rest[rest.index("tasks:\n") :], encoding="utf-8")
    ward = repo / WARD
    ward.write_text(ward.read_text(encoding="utf-8").rstrip("\n") + "\n" + _W4, encoding="utf-8")
    _rebase(repo)
    edit(repo, Path("plans/province/KH-0.yaml"), _T5, "")
    hits = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert any(h["path"] == WARD.as_posix() and "T5" in h["message"] for h in hits), hits
    assert invoke(*GATE).exit_code == 1


def test_base_a_task_newly_claimed_carried_over_is_reported(repo: Path) -> None:
    # gate-plans #11: a `carried_from` added made a PC303 warning leave with the deadline
    # still before the plan's issue date
    edit(
        repo,
        PROVINCE,
        '  issued: "2025-02-20"\n',
        '  issued: "2025-04-01"\n  replaces:\n    - {number: 0/KH-UBND, issued: "2025-02-01"}\n',
    )
    _rebase(repo)
    edit(
        repo,
        PROVINCE,
        "    due: 2025-03\n",
        '    due: 2025-03\n    carried_from: {number: 0/KH-UBND, task: "9"}\n',
    )
    [hit] = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert "carried over from 0/KH-UBND" in hit["message"] and hit["ctx"]["item"] == "IV.1", hit
    assert invoke(*GATE).exit_code == 1


def test_base_an_edit_behind_an_existing_error_is_reported(repo: Path) -> None:
    # gate-plans #14: a plan invalid on the base is compared on neither side: lowering its
    # targets passed behind the error already there
    ward = repo / WARD
    ward.write_text(
        ward.read_text(encoding="utf-8") + "remark: a key the schema does not know\n", encoding="utf-8"
    )
    _rebase(repo)
    edit(repo, WARD, 'bound: ">= 40"', 'bound: ">= 5"')
    hits = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert [h["path"] for h in hits] == [WARD.as_posix()] and "has errors on the base" in hits[0]["message"]
    assert invoke(*GATE).exit_code == 1


def test_base_the_root_plan_made_looser_is_reported(repo: Path) -> None:
    # gate-plans #15: the national resolution weakened together with every plan below: each
    # comparison stayed met, and nothing judges the root
    national = Path("plans/national/57-NQ-TW.yaml")
    text = (repo / national).read_text(encoding="utf-8")
    (repo / national).write_text(text.replace('bound: ">= 30"', 'bound: ">= 5"'), encoding="utf-8")
    edit(repo, PROVINCE, 'bound: ">= 40"', 'bound: ">= 5"')
    edit(repo, WARD, 'bound: ">= 40"', 'bound: ">= 5"')
    hits = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert any(h["path"] == national.as_posix() and "relaxed II.1-7" in h["message"] for h in hits), hits
    assert invoke(*GATE).exit_code == 1


def test_base_a_new_plans_elsewhere_declaration_is_reported(repo: Path) -> None:
    # gate-plans #17: a new commune plan with no targets and `elsewhere: targets` turned its
    # gaps into information
    new = repo / "plans" / "ward2" / "KH-3.yaml"
    new.parent.mkdir()
    new.write_text(
        "id: ward2/KH-3\ndocument: {number: 3/KH-UBND, kind: Kế hoạch, title: K, issuer: UBND phường Hai, "
        'issued: "2025-03-12"}\njurisdiction: {code: ward2, name: Phường Hai, level: commune}\n'
        "implements: [national/57-NQ-TW, province/KH-1]\nelsewhere:\n  - items: targets\n"
        "    where: Phụ lục kèm theo\n    label: Chi tiết tại Phụ lục kèm theo\n    source: {section: II}\n",
        encoding="utf-8",
    )
    hits = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert any("declares the plan's targets to be in" in h["message"] for h in hits), hits
    assert invoke(*GATE).exit_code == 1


def test_base_a_label_fixed_by_editing_its_source_text_is_reported(repo: Path) -> None:
    # gate-config round 1 #6 and round 2 #4: the source text edited to hold a misquoted label,
    # and a comment line in the plan, cleared PC501
    shutil.copytree(EXAMPLE / "sources", repo / "sources")
    edit(repo, PROVINCE, "label: đóng góp của TFP", "label: đóng góp to lớn của TFP")
    _rebase(repo)
    assert [f for f in _json("validate", "plans", "--sources", "sources") if f["code"] == "PC501"]
    edit(repo, Path("sources/province.txt"), "đóng góp của TFP", "đóng góp to lớn của TFP")
    edit(repo, PROVINCE, "document:\n", "# checked\ndocument:\n")
    [hit] = [
        f
        for f in _json("validate", "plans", "--base", "main", "--sources", "sources")
        if f["code"] == "PC014"
    ]
    assert (
        hit["ctx"]["was"] == "PC501" and "by an edit of its source text (province.txt)" in hit["message"]
    ), hit
    assert invoke(*GATE, "--sources", "sources").exit_code == 1


def test_base_a_linked_pyproject_is_read_through_its_link(repo: Path) -> None:
    # gate-config round 3, #1: `git show REF:pyproject.toml` gave the link's own text; the base
    # was judged by the defaults, so removing `sources` (which found a misquoted label) went unseen
    shutil.copytree(EXAMPLE / "sources", repo / "sources")
    edit(repo, PROVINCE, "label: đóng góp của TFP", "label: đóng góp to lớn của TFP")
    (repo / "config").mkdir()
    (repo / "config" / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.plancheck]\nsources = "sources"\n', encoding="utf-8"
    )
    (repo / "pyproject.toml").symlink_to("config/pyproject.toml")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a linked configuration")
    git(repo, "branch", "-f", "main")
    edit(repo, Path("config/pyproject.toml"), 'sources = "sources"\n', "")
    hits = _config_hits(_json("validate", "plans", "--base", "main"))
    assert hits and "PC501" in hits[0]["message"], hits
    assert invoke(*GATE).exit_code == 1


def test_an_empty_paths_setting_is_said_as_such(tree: Path) -> None:
    # gate-config round 3, #4: "plancheck: .: no such file or folder"
    (tree / "pyproject.toml").write_text("[tool.plancheck]\npaths = []\n", encoding="utf-8")
    result = invoke("validate")
    assert result.exit_code == 2 and "paths in [tool.plancheck] of pyproject.toml is empty" in result.output


def test_base_the_root_made_looser_behind_a_new_parent_is_reported(repo: Path) -> None:
    # gate-plans round 3, #5: an empty plan named as the root's parent in the same change
    # turned the root check off
    national = repo / "plans" / "national" / "57-NQ-TW.yaml"
    text = national.read_text(encoding="utf-8").replace('bound: ">= 30"', 'bound: ">= 5"')
    line = "jurisdiction: {code: vn, name: Việt Nam, level: national}\n"
    assert line in text
    national.write_text(text.replace(line, line + "implements: [national/empty]\n"), encoding="utf-8")
    (repo / "plans" / "national" / "empty.yaml").write_text(
        'id: national/empty\ndocument: {number: 0/NQ, kind: Nghị quyết, title: R, issuer: X, issued: "2024-01-01"}\n'
        "jurisdiction: {code: vn, name: Việt Nam, level: national}\nimplements: []\n",
        encoding="utf-8",
    )
    hits = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert any("relaxed II.1-7" in h["message"] for h in hits), hits
    assert invoke(*GATE).exit_code == 1


def test_base_a_root_target_made_an_aspiration_is_reported(repo: Path) -> None:
    # gate-plans round 3, #11: `strive: true` on the root's target, and then on every plan below
    national = Path("plans/national/57-NQ-TW.yaml")
    edit(repo, national, 'bound: ">= 30"\n', 'bound: ">= 30"\n    strive: true\n')
    hits = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert any("softened II.1-7" in h["message"] for h in hits), hits
    assert invoke(*GATE).exit_code == 1


def test_base_an_edit_under_a_parent_with_errors_is_reported(repo: Path) -> None:
    # gate-plans round 3, #2: the province has an error on the base; the ward, compared with it
    # on neither side, lowered its target unseen
    province = repo / PROVINCE
    province.write_text(province.read_text(encoding="utf-8") + "remark: unknown key\n", encoding="utf-8")
    git(repo, "commit", "-qam", "a broken province")
    git(repo, "branch", "-f", "main")
    edit(repo, WARD, 'bound: ">= 40"', 'bound: ">= 31"')
    hits = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert any(
        h["path"] == WARD.as_posix() and "compared with province/KH-1 on neither side" in h["message"]
        for h in hits
    )
    assert invoke(*GATE).exit_code == 1


def test_a_setting_is_found_after_triple_quotes_inside_a_one_line_string() -> None:
    # gate-config round 4, #4: `description = "uses ''' quotes"` was read as opening a
    # multi-line string, and the PC014 went to line 1
    from plancheck.config import setting_line

    text = (
        '[project]\nname = "x"\ndescription = "uses \'\'\' in text"\n\n[tool.plancheck]\nignore = ["PC2"]\n'
    )
    assert setting_line(text, "ignore") == 6


def test_base_an_unrelated_recurring_target_does_not_make_a_milestone_recur(repo: Path) -> None:
    # gate-plans round 5, #6: any earlier `per_year` target made the latest earlier milestone
    # count as recurring, so a 2030 target moved to 2029 passed beside a `>= 1` yearly target
    recurring = (
        "targets:\n  - id: W0\n    indicator: digital-economy-share\n    year: 2025\n    per_year: true\n"
        '    bound: ">= 1"\n    unit: "% GDP"\n    label: Quy mô kinh tế số hằng năm\n    source: {section: III}\n'
    )
    text = (repo / WARD).read_text(encoding="utf-8")
    assert 'year: 2030\n    bound: ">= 40"' in text
    text = text.replace('year: 2030\n    bound: ">= 40"', 'year: 2029\n    bound: ">= 40"', 1)
    (repo / WARD).write_text(text.replace("targets:\n", recurring, 1), encoding="utf-8")
    hits = [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC014"]
    assert hits, "the 2030 target moved to 2029 is not seen"
    assert invoke(*GATE).exit_code == 1


def test_base_a_plan_marked_skip_worktree_is_still_checked(repo: Path) -> None:
    # gate-config round 6, #10: git diff skips files marked skip-worktree or assume-unchanged;
    # plancheck read the weakened plan and said "0 files checked"
    git(repo, "update-index", "--skip-worktree", WARD.as_posix())
    edit(repo, WARD, 'bound: ">= 40"', 'bound: ">= 5"')
    assert [f for f in _json("validate", "plans", "--base", "main") if f["code"] == "PC202" and f["new"]]
    assert invoke(*GATE).exit_code == 1


def test_a_relative_xdg_state_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # cache round 6, #4: a relative XDG_STATE_HOME put the signing secret in the working folder
    # (or in the cache folder itself); the XDG spec says to ignore it
    from plancheck.run import cache

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", ".c")
    getattr(cache.secret, "cache_clear", lambda: None)()
    cache.secret()
    getattr(cache.secret, "cache_clear", lambda: None)()
    assert not (tmp_path / ".c").exists()
    assert (tmp_path / "home" / ".local" / "state" / "plancheck" / "cache-secret").is_file()


def test_a_setting_is_found_under_a_header_written_with_an_escape() -> None:
    # gate-config round 7, #1: `[tool."\u0070lancheck"]` is [tool.plancheck] to TOML; the PC014
    # of a setting in it was put at line 1
    from plancheck.config import setting_line

    text = '[project]\nname = "x"\n\n[tool."\\u0070lancheck"]\nignore = ["PC202"]\n'
    assert setting_line(text, "ignore") == 5
