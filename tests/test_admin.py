"""The administrative map: the registry dependency, the reorganisation table, and the bundled plans on it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app
from plancheck.load import admin
from plancheck.load.planset import load_planset
from plancheck.load.yamlio import load_bytes

from .conftest import REPO

runner = CliRunner()


def test_registry_is_the_2025_map() -> None:
    reg = admin.registry()
    assert len(reg.provinces) == 34
    assert len(reg.communes) == 3321
    assert len(reg.communes_of("31")) == 114  # the new Hải Phòng (national-targets.md)
    ward = reg.get("11311")
    assert ward is not None and ward.name == "Phường Hồng Bàng" and ward.province == "31"


def test_reorganisation_table_agrees_with_the_registry() -> None:
    reg = admin.registry()
    table = admin.reorganisation()
    for merger in table.mergers:
        assert reg.get(merger.into.code) is not None, merger.into
        assert admin.name_key(reg.provinces[merger.into.code].name) == admin.name_key(merger.into.name)
        for unit in merger.merged:
            assert reg.get(unit.code) is None, f"{unit} was merged away but is in the registry"
    for est in table.established:
        unit = reg.get(est.code)
        assert unit is not None and unit.level == est.level and unit.province == est.province
        assert admin.name_key(unit.name) == admin.name_key(est.name)
    # the changes issue 16 names, each with its resolution (or what is known of it)
    merged_into = {u.name: m.into.name for m in table.mergers for u in m.merged}
    assert merged_into == {
        "Tỉnh Hà Nam": "Tỉnh Ninh Bình",
        "Tỉnh Nam Định": "Tỉnh Ninh Bình",
        "Tỉnh Hải Dương": "Thành phố Hải Phòng",
        "Tỉnh Bình Dương": "Thành phố Hồ Chí Minh",
        "Tỉnh Bà Rịa - Vũng Tàu": "Thành phố Hồ Chí Minh",
    }
    assert {m.resolution.number for m in table.mergers} == {"202/2025/QH15"}
    hong_bang = admin.establishment("11311")
    assert hong_bang is not None and hong_bang.established == dt.date(2025, 7, 1)
    assert hong_bang.resolution.number is None and hong_bang.resolution.note  # never guessed


def test_table_validates_against_its_committed_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "schemas" / "reorganisation.schema.json").read_text(encoding="utf-8"))
    raw = resources.files("plancheck").joinpath("data", "reorganisation.yaml").read_bytes()
    loaded = load_bytes(raw, "reorganisation.yaml")
    assert not loaded.findings
    # dates stay text in the YAML 1.2 core schema, as an editor's language server reads them
    jsonschema.validate(loaded.data, schema)


def test_a_resolution_without_number_must_say_what_is_known() -> None:
    raw = b'established:\n  - {code: "11311", name: x, level: commune, established: 2025-07-01, resolution: {number: null}, source: s}\n'
    with pytest.raises(ValueError, match="what is known"):
        admin.load_table(raw, "t.yaml")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Tỉnh Thanh Hoá", "Thanh Hóa", True),
        ("Thành phố Hải Phòng", "thành phố  Hải Phòng", True),
        ("Tỉnh Bà Rịa - Vũng Tàu", "Bà Rịa–Vũng Tàu", True),
        ("Phường Hồng Bàng", "Phường Lê Chân", False),
    ],
)
def test_name_key(a: str, b: str, same: bool) -> None:
    assert (admin.name_key(a) == admin.name_key(b)) is same


def test_every_bundled_plan_is_on_the_map() -> None:
    ps, _ = load_planset([REPO / "plans"])
    assert ps.plans
    for plan_id, lp in sorted(ps.plans.items()):
        assert lp.plan is not None
        j = lp.plan.jurisdiction
        if j.level == "national":
            assert j.official_code is None, plan_id
            continue
        assert j.official_code is not None, f"{plan_id} carries no official code"
        assert admin.registry().get(j.official_code) or admin.former(j.official_code), plan_id
    hanam = ps.plans["hanam/CTrHD-TU-NQ57"].plan
    assert hanam is not None and hanam.jurisdiction.successor is not None
    assert hanam.jurisdiction.successor.since == dt.date(2025, 7, 1)


def test_ward_deadline_before_it_existed_is_not_a_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["validate", "plans", "--select", "PC302", "-f", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    found = [f for f in json.loads(result.output)["findings"] if f["plan"] == "hongbang/106-KH-UBND"]
    assert [(f["severity"], f["status"]) for f in found] == [("info", "not-applicable")]
    assert "before Phường Hồng Bàng was established (2025-07-01)" in found[0]["message"]


def test_parent_task_due_before_the_unit_existed_is_information(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    shutil.copytree(Path(__file__).parent / "example" / "plans", plans)
    (plans / "ward" / "KH-9.yaml").write_text(
        "id: ward/KH-9\n"
        'document: {number: 9/KH-UBND, kind: Kế hoạch, title: K, issuer: UBND, issued: "2025-10-03"}\n'
        'jurisdiction: {code: hongbang, official_code: "11311", name: Phường Hồng Bàng, level: commune}\n'
        "implements: [national/57-NQ-TW]\n"
        "tasks:\n"
        "  - {id: A, title: a, lead: b, due: 2025-12, implements: {plan: national/57-NQ-TW, task: IV.1}, "
        "source: {section: IV}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["validate", str(plans), "--select", "PC301,PC302", "-f", "json", "--no-cache"]
    )
    found = sorted(
        (f["code"], f["severity"], f["status"])
        for f in json.loads(result.output)["findings"]
        if f["plan"] == "ward/KH-9"
    )
    assert found == [("PC301", "info", "not-applicable"), ("PC302", "info", "not-applicable")]
