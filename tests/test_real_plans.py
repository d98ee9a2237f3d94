"""The bundled plans: valid, complete by their own coverage counts, traceable, and the real gaps found."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from typer.testing import CliRunner

from plancheck.cli import app

from .conftest import REPO, SHARED, need_shared

runner = CliRunner()
PLANS = [
    "national/57-NQ-TW",
    "national/71-NQ-CP",
    "haiphong/89-CTr-TU",
    "haiphong/142-KH-UBND",
    "hongbang/106-KH-UBND",
    "hanam/CTrHD-TU-NQ57",
    "hochiminh/4354-KH-UBND",
]


@pytest.fixture(scope="module")
def findings() -> list[dict[str, Any]]:
    seeds = need_shared(SHARED / "seeds")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = runner.invoke(
            app, ["validate", "plans", "--sources", str(seeds), "-f", "json", "--no-cache"]
        )
    assert result.exit_code == 0, result.output[-2000:]
    return json.loads(result.output)["findings"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def shown() -> dict[str, dict[str, Any]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = runner.invoke(app, ["show", "--format", "json"])
    assert result.exit_code == 0, result.output[-2000:]
    return {plan["id"]: plan for plan in json.loads(result.output)}


def test_every_seed_plan_is_encoded(shown: dict[str, dict[str, Any]]) -> None:
    assert sorted(shown) == sorted(PLANS)


def test_no_errors_and_provenance_passes(findings: list[dict[str, Any]]) -> None:
    errors = [f for f in findings if f["severity"] == "error"]
    assert errors == []
    assert [f for f in findings if f["code"].startswith("PC5")] == []


@pytest.mark.parametrize("plan_id", PLANS)
def test_coverage_counts_agree(shown: dict[str, dict[str, Any]], plan_id: str) -> None:
    plan = shown[plan_id]
    assert plan["coverage"], f"{plan_id} states no coverage"
    for cov in plan["coverage"]:
        items = plan[cov["items"]]
        actual = sum(1 for item in items if item["source"]["section"] == cov["section"])
        assert cov["encoded"] == actual, cov
        assert cov["in_source"] == cov["encoded"], cov
    # every target and task belongs to a section whose count is stated
    sections = {(c["items"], c["section"]) for c in plan["coverage"]}
    for kind in ("targets", "tasks"):
        for item in plan[kind]:
            assert (kind, item["source"]["section"]) in sections, (plan_id, item["id"])


def test_haiphong_142_appendix_sizes(shown: dict[str, dict[str, Any]]) -> None:
    counts = Counter(t["source"]["section"] for t in shown["haiphong/142-KH-UBND"]["targets"])
    assert counts["Phụ lục 1"] == 61 and counts["Phụ lục 2"] == 248
    tasks = Counter(t["source"]["section"] for t in shown["haiphong/142-KH-UBND"]["tasks"])
    assert tasks["Phụ lục 3"] == 24 and tasks["Phụ lục 4"] == 97


def test_every_target_and_task_says_where_it_comes_from(shown: dict[str, dict[str, Any]]) -> None:
    for plan in shown.values():
        has_text = plan["document"]["source"] is not None
        for item in plan["targets"] + plan["tasks"]:
            assert item["source"]["section"]
            if has_text:
                assert item["source"]["line"], (plan["id"], item["id"])


def _find(findings: list[dict[str, Any]], **want: Any) -> list[dict[str, Any]]:
    return [f for f in findings if all(f.get(k) == v for k, v in want.items())]


def test_government_tfp_is_a_boundary_finding(findings: list[dict[str, Any]]) -> None:
    [hit] = _find(
        findings,
        code="PC203",
        plan="national/71-NQ-CP",
        parent="national/57-NQ-TW",
        indicator="tfp-contribution",
    )
    assert hit["child_bound"] == ">= 55" and hit["parent_bound"] == "> 55" and hit["status"] == "boundary"


def test_hochiminh_has_no_digital_economy_target_for_2030(findings: list[dict[str, Any]]) -> None:
    hits = _find(
        findings, code="PC201", plan="hochiminh/4354-KH-UBND", indicator="digital-economy-share", year=2030
    )
    assert {h["parent"] for h in hits} == {"national/57-NQ-TW", "national/71-NQ-CP"}
    assert all(h["status"] == "missing" for h in hits)


def test_142_tasks_due_before_issue(findings: list[dict[str, Any]]) -> None:
    hits = _find(findings, code="PC303", plan="haiphong/142-KH-UBND")
    dues = {h["message"].split(" is due ")[1].split(",")[0] for h in hits}
    assert {"2025-03", "2025-05"} <= dues


def test_ward_initiatives_not_weaker_than_city(findings: list[dict[str, Any]]) -> None:
    weaker = [
        f
        for f in findings
        if f["plan"] == "hongbang/106-KH-UBND"
        and f["code"] in ("PC202", "PC203")
        and "initiatives" in (f.get("indicator") or "")
    ]
    assert weaker == []
    assert _find(
        findings,
        code="PC205",
        plan="hongbang/106-KH-UBND",
        parent="haiphong/142-KH-UBND",
        indicator="public-sector-initiatives",
    )


def test_gaps_fail_only_with_fail_on_gap(findings: list[dict[str, Any]]) -> None:
    assert any(f["severity"] == "gap" for f in findings)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        assert runner.invoke(app, ["validate"]).exit_code == 0
        assert runner.invoke(app, ["validate", "--fail-on", "gap"]).exit_code == 1


def test_every_target_names_a_catalogued_indicator_in_its_unit(shown: dict[str, dict[str, Any]]) -> None:
    from ruamel.yaml import YAML

    catalogue = YAML(typ="safe", pure=True).load(
        (REPO / "plans" / "indicators.yaml").read_text(encoding="utf-8")
    )
    units = {i["id"]: i["unit"] for i in catalogue["indicators"]}
    for plan in shown.values():
        for target in plan["targets"]:
            assert target["indicator"] in units, (plan["id"], target["id"])
            assert target["unit"] == units[target["indicator"]], (plan["id"], target["id"])
