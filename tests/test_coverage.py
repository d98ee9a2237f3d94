"""`plancheck coverage`: which units of the 2025 map have a plan implementing 57-NQ/TW, and since when."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app

from .conftest import REPO

runner = CliRunner()
EXAMPLE = Path(__file__).parent / "example" / "plans"


@pytest.fixture(scope="module")
def bundled() -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = runner.invoke(app, ["coverage", "--format", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def _unit(data: dict[str, Any], code: str) -> dict[str, Any]:
    units = [*data["provinces"], *(u for us in data["communes"].values() for u in us)]
    return next(u for u in units if u["official_code"] == code)


def test_json_totals_and_provinces(bundled: dict[str, Any]) -> None:
    assert bundled["version"] == 1
    assert bundled["totals"]["provinces"] == {"total": 34, "with_plan": 3, "with_own_plan": 2}
    assert len(bundled["provinces"]) == 34
    # communes of every province with a plan in the tree, with the real number of units
    assert bundled["totals"]["communes"] == {
        "31": {"total": 114, "with_plan": 1},
        "37": {"total": 129, "with_plan": 0},
        "79": {"total": 168, "with_plan": 0},
    }
    hanoi = _unit(bundled, "01")
    assert (hanoi["has_plan"], hanoi["timing"], hanoi["deadline"]["plan"]) == (
        False,
        "no-plan",
        "national/71-NQ-CP",
    )


def test_json_replaces_chain_counts_for_the_deadline(bundled: dict[str, Any]) -> None:
    haiphong = _unit(bundled, "31")
    plan = next(p for p in haiphong["plans"] if p["id"] == "haiphong/142-KH-UBND")
    assert plan["replaces"] == [{"number": "44/KH-UBND", "issued": "2025-02-28"}]
    assert plan["first_issued"] == "2025-02-28"
    hcm = _unit(bundled, "79")
    assert (hcm["first_issued"], hcm["timing"]) == ("2025-03-03", "on-time")
    assert hcm["succession"] == "merged"
    assert "Tỉnh Bình Dương (74)" in hcm["succession_note"]
    replaced = {r["plan"]: r["replaces"] for r in bundled["replaced"]}
    assert replaced["national/71-NQ-CP"] == [{"number": "03/NQ-CP", "issued": "2025-01-09"}]
    assert replaced["hochiminh/4354-KH-UBND"] == [{"number": "1413/KH-UBND", "issued": "2025-03-03"}]


def test_json_succession(bundled: dict[str, Any]) -> None:
    ninh_binh = _unit(bundled, "37")
    assert ninh_binh["plans"] == []
    assert [p["id"] for p in ninh_binh["predecessor_plans"]] == ["hanam/CTrHD-TU-NQ57"]
    assert ninh_binh["predecessor_plans"][0]["official_code"] == "35"
    assert ninh_binh["timing"] == "unknown"  # the Hà Nam text gives no date
    ward = _unit(bundled, "11311")
    assert ward["timing"] == "not-applicable"  # the deadline of March 2025 fell before 1 July 2025
    assert ward["succession"] == "established"
    assert ward["succession_note"] == "established 2025-07-01 (resolution not yet sourced)"


def test_text_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["coverage", "--no-cache"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "3 of 34 provinces have a plan (2 their own, 1 only a predecessor's plan)" in out
    assert "Thành phố Hải Phòng: 1 of 114 communes and wards have a plan" in out
    assert (
        "11311 | Phường Hồng Bàng | 106/KH-UBND (2025-10-03) | 2025-03 (national/71-NQ-CP) | "
        "not applicable (established after the deadline) (2025-10-03) | "
        "new unit: established 2025-07-01 (resolution not yet sourced)"
    ) in out
    assert "142/KH-UBND (2025-06-09) replaces 44/KH-UBND (2025-02-28)" in out
    assert "hanam/CTrHD-TU-NQ57 (unknown) (plan of a predecessor: Tỉnh Hà Nam)" in out
    assert "01 | Thành phố Hà Nội | — | 2025-03 (national/71-NQ-CP) | no plan | unchanged" in out


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    plans = tmp_path / "plans"
    shutil.copytree(EXAMPLE, plans)
    for rel, text in files.items():
        (plans / rel).parent.mkdir(parents=True, exist_ok=True)
        (plans / rel).write_text(text, encoding="utf-8")
    return plans


_PLAN = """id: {id}
document: {{number: 9/KH-UBND, kind: Kế hoạch, title: K, issuer: UBND, issued: "{issued}"}}
jurisdiction: {jurisdiction}
implements: [{implements}]
"""


def test_late_plan_and_plans_off_the_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plans = _tree(
        tmp_path,
        {
            "hue/KH-9.yaml": _PLAN.format(
                id="hue/KH-9",
                issued="2025-04-01",
                jurisdiction='{code: hue, official_code: "46", name: Thành phố Huế, level: province}',
                implements="national/57-NQ-TW",
            ),
        },
    )
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["coverage", str(plans), "-f", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    hue = _unit(data, "46")
    # the example's 57-NQ-TW sets 2025-03 for lower plans; 1 April is late
    assert (hue["timing"], hue["first_issued"], hue["deadline"]["due"]) == ("late", "2025-04-01", "2025-03")
    assert data["totals"]["provinces"]["with_plan"] == 1
    assert set(data["communes"]) == {"46"}
    # the example's fictional province and ward carry no official code
    assert data["unplaced_plans"] == ["province/KH-1", "ward/KH-2"]
    text = runner.invoke(app, ["coverage", str(plans), "--no-cache"]).output
    assert "1 of 34 provinces have a plan" in text
    assert "not on the map (no known official code): province/KH-1, ward/KH-2" in text


def test_report_has_the_coverage_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["report", "--lang", "en", "--no-cache"])
    assert result.exit_code == 0, result.output[-2000:]
    section = result.output.split("## Coverage", 1)[1]
    assert "- 3 of 34 provinces have a plan" in section
    assert "### Replaced plans" in section
    assert "| national/71-NQ-CP: 71/NQ-CP \\(2025-04-01\\) | 03/NQ-CP \\(2025-01-09\\) |" in section


def test_deadline_is_that_of_the_programme_in_force_when_the_plan_was_issued(tmp_path: Path) -> None:
    # a plan of 2025-02-25 citing 03/NQ-CP, which 71/NQ-CP replaced only on 2025-04-01: PC302
    # holds it to 03's January deadline, and coverage must say the same (adversarial round s21 #19)
    tree = tmp_path / "t"
    shutil.copytree(REPO / "plans", tree / "plans")
    (tree / "pyproject.toml").write_text("[tool.plancheck]\n", encoding="utf-8")
    p89 = tree / "plans" / "haiphong" / "89-CTr-TU.yaml"
    text = p89.read_text(encoding="utf-8")
    assert "implements: [national/57-NQ-TW]" in text
    p89.write_text(
        text.replace("implements: [national/57-NQ-TW]", "implements: [national/57-NQ-TW, national/03-NQ-CP]"),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tree)
        cov = runner.invoke(app, ["coverage", "--format", "json", "--no-cache"])
        val = runner.invoke(app, ["validate", "--select", "PC302", "--format", "json", "--no-cache"])
    haiphong = _unit(json.loads(cov.output), "31")
    assert (haiphong["deadline"]["plan"], haiphong["timing"]) == ("national/03-NQ-CP", "late")
    late = [f for f in json.loads(val.output)["findings"] if f["code"] == "PC302" and f["severity"] == "gap"]
    assert [(f["plan"], f["parent"]) for f in late] == [("haiphong/89-CTr-TU", "national/03-NQ-CP")]
    # the bundled tree, where 89-CTr/TU cites only 57-NQ/TW, is on time against 71/NQ-CP
