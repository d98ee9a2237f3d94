"""The parent in force on a child's issue date, and a parent whose targets stand in from another plan.

Each scenario is checked through the in-memory engine and through the pipeline `validate` uses
(cold and warm cache); both must agree, as for the rule cases.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from plancheck.check.engine import run
from plancheck.config import from_table
from plancheck.findings import Finding
from plancheck.load.planset import load_planset
from plancheck.report.json_report import render
from plancheck.run.cache import Store
from plancheck.run.pipeline import check_tree

from .conftest import EXAMPLE

# national/P-2 replaced national/P-1 on 2025-04-01; P-2 has no table of its own
PROGRAMME_1 = """\
id: national/P-1
document: {number: 1/NQ-CP, kind: Nghị quyết, title: Chương trình 1, issuer: Chính phủ, issued: "2025-01-09"}
jurisdiction: {code: vn, name: Việt Nam, level: national}
implements: [national/57-NQ-TW]
targets:
  - {id: R1, indicator: digital-economy-share, year: 2030, bound: ">= 45", unit: "% GDP", label: kinh tế số, source: {section: PL1}}
"""
PROGRAMME_2 = """\
id: national/P-2
document:
  number: 2/NQ-CP
  kind: Nghị quyết
  title: Chương trình 2
  issuer: Chính phủ
  issued: "2025-04-01"
  replaces:
    - {number: 1/NQ-CP, issued: "2025-01-09"}
  targets_from: {plan: national/P-1, reason: the table of 2/NQ-CP is not available}
jurisdiction: {code: vn, name: Việt Nam, level: national}
implements: [national/57-NQ-TW]
"""
PROGRAMME_2_OWN_TABLE = """\
id: national/P-2
document:
  number: 2/NQ-CP
  kind: Nghị quyết
  title: Chương trình 2
  issuer: Chính phủ
  issued: "2025-04-01"
  replaces:
    - {number: 1/NQ-CP, issued: "2025-01-09"}
jurisdiction: {code: vn, name: Việt Nam, level: national}
implements: [national/57-NQ-TW]
targets:
  - {id: S1, indicator: digital-economy-share, year: 2030, bound: ">= 50", unit: "% GDP", label: kinh tế số, source: {section: PL1}}
"""


def _child(issued: str, cites: str) -> str:
    return (
        "id: province/KH-9\n"
        f'document: {{number: 9/KH-UBND, kind: Kế hoạch, title: Kế hoạch 9, issuer: UBND tỉnh, issued: "{issued}"}}\n'
        "jurisdiction: {code: province, name: Tỉnh Mẫu, level: province}\n"
        f"implements: [national/57-NQ-TW, {cites}]\n"
        "targets:\n"
        '  - {id: T1, indicator: digital-economy-share, year: 2030, bound: ">= 40", unit: "% GDP", '
        "label: kinh tế số, source: {section: II}}\n"
    )


def _check(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    for rel, text in files.items():
        (tmp_path / "plans" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "plans" / rel).write_text(text, encoding="utf-8")
    paths = [tmp_path / "plans"]
    config = from_table({}, tmp_path)
    planset, requested = load_planset(paths)
    result = run(planset, requested, config)
    store = Store(tmp_path / "cache")
    for _ in ("cold", "warm"):
        piped = check_tree(paths, config, None, store=store)
        assert render(piped.findings, piped.counts) == render(result.findings, result.counts)
    return result.findings


def _gaps(findings: list[Finding], **want: Any) -> list[Finding]:
    return [
        f
        for f in findings
        if f.plan == "province/KH-9"
        and f.ctx.get("indicator") == "digital-economy-share"
        and all(f.ctx.get(k) == v for k, v in want.items())
    ]


def test_a_parent_standing_in_gives_its_targets_under_the_cited_plan(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    findings = _check(
        tmp_path,
        {
            "national/P-1.yaml": PROGRAMME_1,
            "national/P-2.yaml": PROGRAMME_2,
            "province/KH-9.yaml": _child("2025-06-09", "national/P-2"),
        },
    )
    [weaker] = _gaps(findings, parent="national/P-2")
    assert weaker.code == "PC202"
    assert weaker.ctx["parent_bound"] == ">= 45" and weaker.ctx["targets_from"] == "national/P-1"
    assert "national/P-2 (table of national/P-1)" in weaker.message
    assert _gaps(findings, parent="national/P-1") == []  # one copy of the table, compared once
    assert not [f for f in findings if f.code == "PC125"]
    # the programme itself is not compared on targets: its stand-in is, on its own
    assert not [f for f in findings if f.plan == "national/P-2" and f.code.startswith("PC20")]


def test_a_child_citing_a_replaced_programme_is_compared_with_the_one_in_force(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    findings = _check(
        tmp_path,
        {
            "national/P-1.yaml": PROGRAMME_1,
            "national/P-2.yaml": PROGRAMME_2_OWN_TABLE,
            "province/KH-9.yaml": _child("2025-06-09", "national/P-1"),
        },
    )
    [weaker] = _gaps(findings, parent="national/P-2")
    assert weaker.ctx["parent_bound"] == ">= 50"
    assert _gaps(findings, parent="national/P-1") == []
    [cited] = [f for f in findings if f.code == "PC125"]
    assert (cited.path, cited.line) == ("plans/province/KH-9.yaml", 4)
    assert cited.ctx["parent"] == "national/P-1" and cited.ctx["in_force"] == "national/P-2"


def test_a_child_issued_before_the_replacement_is_compared_with_the_version_then_in_force(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    findings = _check(
        tmp_path,
        {
            "national/P-1.yaml": PROGRAMME_1,
            "national/P-2.yaml": PROGRAMME_2_OWN_TABLE,
            "province/KH-9.yaml": _child("2025-02-25", "national/P-2"),
        },
    )
    [weaker] = _gaps(findings, parent="national/P-1")
    assert weaker.ctx["parent_bound"] == ">= 45"
    assert _gaps(findings, parent="national/P-2") == []
    assert not [f for f in findings if f.code == "PC125"]


def test_a_plan_with_a_stand_in_keeps_no_table_of_its_own(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    both = PROGRAMME_2 + (
        "targets:\n"
        '  - {id: S1, indicator: digital-economy-share, year: 2030, bound: ">= 50", unit: "% GDP", '
        "label: kinh tế số, source: {section: PL1}}\n"
    )
    findings = _check(tmp_path, {"national/P-1.yaml": PROGRAMME_1, "national/P-2.yaml": both})
    [error] = [f for f in findings if f.path == "plans/national/P-2.yaml"]
    assert error.code == "PC101" and "lists no targets" in error.message
