"""Progress against reported results: the results model, the bundled results, the report section."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from ruamel.yaml import YAML
from typer.testing import CliRunner

from plancheck.cli.main import app
from plancheck.model.results import Period, ResultsFile
from plancheck.rules.result_sources import number_forms

from .conftest import REPO, SHARED

runner = CliRunner()
AS_OF = "2026-11-25"  # the date of the committed reports
DRAFT = "results/national-71-NQ-CP-tasks-2025-05-24-draft.yaml"


def _results(name: str) -> ResultsFile:
    return ResultsFile.model_validate(YAML(typ="safe").load((REPO / name).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def findings() -> list[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = runner.invoke(
            app,
            [
                "validate",
                "plans",
                "--sources",
                str(SHARED / "seeds"),
                "-f",
                "json",
                "--no-cache",
                "--as-of",
                AS_OF,
            ],
        )
    assert result.exit_code == 0, result.output[-2000:]
    return json.loads(result.output)["findings"]  # type: ignore[no-any-return]


def test_periods() -> None:
    assert (Period.parse("2024").start, Period.parse("2024").end.isoformat()) == (
        Period.parse("2024-01").start,
        "2024-12-31",
    )
    assert Period.parse("2025-02").end.isoformat() == "2025-02-28"
    span = Period.parse("2025-07-01..2025-08-19")
    assert (str(span.start), str(span.end)) == ("2025-07-01", "2025-08-19")
    open_start = Period.parse("..2025-10")
    assert (open_start.start, str(open_start.end), str(open_start)) == (None, "2025-10-31", "..2025-10")
    for bad in ("2025-13", "2025-08..2025-07", "mid 2025", "2025-02-30"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_a_result_needs_a_source_and_a_line_needs_a_document() -> None:
    base = {
        "id": "X",
        "indicator": None,
        "what": "x",
        "jurisdiction": "vn",
        "value": "1",
        "unit": "%",
        "period": "2025",
        "reported_by": "a",
        "reported_on": None,
        "reliability": "press",
    }
    with pytest.raises(ValidationError, match="address"):
        ResultsFile.model_validate({"values": [{**base, "source": {"ref": "somewhere"}}]})
    with pytest.raises(ValidationError, match="document"):
        ResultsFile.model_validate({"values": [{**base, "source": {"address": "https://a.b/", "line": 3}}]})


def test_number_forms() -> None:
    assert {"27.7", "27,7"} <= number_forms(Decimal("27.7"))
    assert {"12106", "12.106", "12,106"} <= number_forms(Decimal("12106"))
    assert "1.227" in number_forms(Decimal("1227"))


def test_draft_task_statuses_are_the_draft_table() -> None:
    statuses = _results(DRAFT).task_status
    assert len(statuses) == 37
    assert Counter(s.status for s in statuses) == {"done": 21, "in-progress": 14, "overdue": 2}
    assert {s.reliability for s in statuses} == {"draft"}
    assert {str(s.as_of) for s in statuses} == {"2025-05-24"}
    overdue = {s.task: s.lead for s in statuses if s.status == "overdue"}
    assert overdue == {"402-PL1-25": "Bộ Công an", "402-PL1-34": "Bộ Y tế"}
    lines = (SHARED / "seeds" / "national-402-CV-VPDU-2025-05-25-draft-report.txt").read_text().splitlines()
    for s in statuses:
        assert s.source.line is not None and s.status_label in lines[s.source.line - 1]


def test_every_reported_value_of_the_reference_page_is_encoded() -> None:
    values = _results("results/national.yaml").values + _results("results/provinces.yaml").values
    refs = {v.source.ref.split("reported-results.md ")[-1][:3].strip(" ('") for v in values if v.source.ref}
    assert {f"N{i}" for i in range(1, 16)} | {f"P{i}" for i in range(1, 8)} <= refs
    by_id = {v.id: v for v in values}
    assert (by_id["N1"].value, by_id["N1"].qualifier, str(by_id["N1"].period)) == (
        Decimal("18.3"),
        "about",
        "2024",
    )
    assert (by_id["N2"].value, str(by_id["N2"].period)) == (Decimal("18.72"), "2025")
    assert by_id["N10"].reliability == "draft" and by_id["N10"].source.line == 182


def test_bundled_progress_findings(findings: list[dict[str, Any]]) -> None:
    progress = [f for f in findings if f["code"].startswith("PC6")]
    unknown = [f for f in progress if f["code"] in ("PC601", "PC611") and f["severity"] != "info"]
    assert not unknown, "results refer to real indicators, plans and tasks"
    elsewhere = {f["ctx"]["jurisdiction"] for f in progress if f["code"] == "PC601"}
    assert elsewhere == {"quangtri", "hanoi"}, "national values name the national plans' jurisdiction"
    assert not [f for f in findings if f["severity"] == "error"]
    off = [f for f in progress if f["code"] == "PC606" and f["plan"] == "national/57-NQ-TW"]
    # the digital economy at >= 30 % of GDP by 2030
    message = next(
        f["message"] for f in off if (f["indicator"], f["year"]) == ("digital-economy-share", 2030)
    )
    assert "needs +2.26 (% GDP) a year" in message and "observed +0.42" in message
    overdue = {f["ctx"]["item"] for f in progress if f["code"] == "PC608"}
    assert len(overdue) == 16 and "402-PL1-25" in overdue and "402-PL1-34" in overdue
    not_comparable = {f["ctx"]["item"] for f in progress if f["code"] == "PC610"}
    assert not_comparable == {"N10", "N12"}


def test_report_has_a_progress_section_with_a_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["report", "--lang", "en", "--as-of", AS_OF, "--no-cache"])
    assert result.exit_code == 0, result.output[-2000:]
    section = result.output.split("## Progress against reported results", 1)[1].split("\n## ", 1)[0]
    assert "xychart-beta" in section
    assert "line [18.3, 20.25, 22.2, 24.15, 26.1, 28.05, 30]" in section
    assert "**Overdue tasks (16)**" in section
    assert "### national/57-NQ-TW" in section and "### haiphong/142-KH-UBND" in section


def test_no_results_folder_no_progress(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "tests" / "example")
    result = runner.invoke(app, ["validate", "plans", "-f", "json", "--no-cache", "--as-of", "2031-01-01"])
    assert not [f for f in json.loads(result.output)["findings"] if f["code"].startswith("PC6")]


def _value(value: str, qualifier: str | None) -> Any:
    from plancheck.model.results import ReportedValue

    return ReportedValue.model_validate(
        {
            "id": "X",
            "indicator": "r",
            "what": "x",
            "jurisdiction": "vn",
            "value": value,
            "qualifier": qualifier,
            "unit": "rank",
            "period": "2030",
            "reported_by": "a",
            "reported_on": None,
            "reliability": "press",
            "source": {"address": "https://a.b/"},
        }
    )


@pytest.mark.parametrize(
    ("value", "qualifier", "expected"),
    [
        ("30", None, True),
        ("31", "about", False),
        ("30", "under", True),  # a rank under 30 is better than 30
        ("31", "under", None),  # could be 30 or 5, or 30.5
        ("30", "over", False),  # worse than 30
        ("29", "over", None),
        ("31", "nearly", None),
    ],
)
def test_qualified_values_against_a_lower_is_better_bound(
    value: str, qualifier: str | None, expected: Any
) -> None:
    from plancheck.check.progress import meets
    from plancheck.model import Target

    target = Target.model_validate(
        {
            "id": "T",
            "indicator": "r",
            "year": 2030,
            "bound": "<= 30",
            "unit": "rank",
            "label": "x",
            "source": {"section": "I"},
        }
    )
    assert meets(target, "lower", _value(value, qualifier)) is expected


def test_bad_results_files_give_positioned_findings(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    shutil.copytree(REPO / "tests" / "example" / "plans", tmp_path / "plans")
    results = tmp_path / "results"
    results.mkdir()
    (results / "a-syntax.yaml").write_text("values: [\n", encoding="utf-8")
    (results / "b-schema.yaml").write_text(
        "values:\n  - id: V1\n    value: lots\n    period: mid 2025\n", encoding="utf-8"
    )
    (results / "c-bytes.yaml").write_bytes(b"values: \xff\xfe\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "plans", "-f", "json", "--no-cache", "--as-of", "2026-01-01"])
    assert result.exit_code == 1, result.output[-2000:]
    found = json.loads(result.output)["findings"]
    by_file = {f["path"] for f in found if f["path"].startswith("results/") and f["severity"] == "error"}
    assert by_file == {"results/a-syntax.yaml", "results/b-schema.yaml", "results/c-bytes.yaml"}
    schema = [f for f in found if f["path"] == "results/b-schema.yaml"]
    assert {f["line"] for f in schema} >= {2, 3, 4} and all(f["column"] >= 1 for f in schema)
    assert any("period" in f["message"] for f in schema)
