"""The audits in audits/: every file holds against today's check (issue 17).

A labelled audit fails here when a finding its readers labelled false comes back, one labelled
true disappears, a recall entry's status changes, or the figures it states (precision, recall)
disagree with its labels. An unlabelled sample only has to be well formed.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from plancheck.check.audit import (
    allocate,
    audit_files,
    check_audit,
    draw,
    figures,
    finding_key,
    unlabelled_audit,
)
from plancheck.cli.main import app

from .conftest import REPO, SHARED

runner = CliRunner()
AUDITS = REPO / "audits"


@pytest.fixture(scope="module")
def findings() -> list[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = runner.invoke(
            app, ["validate", "plans", "--sources", str(SHARED / "seeds"), "-f", "json", "--no-cache"]
        )
    assert result.exit_code == 0, result.output[-2000:]
    return json.loads(result.output)["findings"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def status_of() -> dict[tuple[str, str, str], str]:
    from plancheck.check.compliance import compare_plans
    from plancheck.load.planset import load_planset

    ps, _ = load_planset([REPO / "plans"])
    out = {}
    for child in ps.plans.values():
        for parent in ps.parents(child):
            for c in compare_plans(child, parent, ps):
                out[(child.id, parent.id, c.parent_target.id)] = c.status
    return out


def _load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def test_there_is_an_audit() -> None:
    assert audit_files(AUDITS), "audits/ holds at least the drawn sample"


@pytest.mark.parametrize("path", audit_files(AUDITS), ids=lambda p: p.name)
def test_audit_holds(path: Path, findings: list[dict[str, Any]], status_of: dict[Any, str]) -> None:
    assert check_audit(_load(path), findings, status_of, path.name) == []


def test_the_audit_of_record_is_large_enough_and_quoted() -> None:
    """The latest audit (not superseded) holds at least 60 labelled findings and 25 recall
    targets, and the README quotes its figures."""
    [latest] = [p for p in audit_files(AUDITS) if not _load(p).get("superseded_by")]
    audit = _load(latest)
    assert audit["labelled"] is True
    assert len(audit["findings"]) >= 60 and len(audit["recall"]) >= 25
    results = audit["results"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert latest.name in readme
    for key in ("precision", "recall", "debatable_share"):
        assert f"{results[key] * 100:.1f} %" in readme, key


def _labelled(findings: list[dict[str, Any]]) -> dict[str, Any]:
    audit = unlabelled_audit(findings, 10, 5, "plancheck validate ...", "0", dt.date(2026, 1, 1))
    audit["labelled"] = True
    for i, entry in enumerate(audit["findings"]):
        entry["verdict"] = "debatable" if i == 0 else "true"
        entry["quotes"] = [{"file": "x.txt", "line": 1, "text": "q"}]
    audit["results"] = {
        "true": 9,
        "false": 0,
        "debatable": 1,
        "precision": 1.0,
        "debatable_share": 0.1,
        "recall": None,
        "recall_targets": 0,
    }
    return audit


def test_labelled_audit_with_consistent_figures_passes(findings: list[dict[str, Any]]) -> None:
    assert check_audit(_labelled(findings), findings, {}, "t") == []


def test_stated_precision_must_match_the_labels(findings: list[dict[str, Any]]) -> None:
    audit = _labelled(findings)
    audit["results"]["precision"] = 0.95
    assert any("results.precision" in p for p in check_audit(audit, findings, {}, "t"))


def test_a_finding_labelled_false_must_not_come_back(findings: list[dict[str, Any]]) -> None:
    audit = _labelled(findings)
    entry = audit["findings"][1]
    entry.update(verdict="false", wrong="w", fix="f")
    audit["results"].update(true=8, false=1, precision=round(8 / 9, 3))
    problems = check_audit(audit, findings, {}, "t")
    assert len(problems) == 1 and "reports it again" in problems[0]
    fixed = [f for f in findings if finding_key(f) != finding_key(entry)]
    assert check_audit(audit, fixed, {}, "t") == []


def test_a_finding_labelled_true_must_stay(findings: list[dict[str, Any]]) -> None:
    audit = _labelled(findings)
    gone = [f for f in findings if finding_key(f) != finding_key(audit["findings"][1])]
    assert any("no longer reports it" in p for p in check_audit(audit, gone, {}, "t"))


def test_recall_status_change_fails(findings: list[dict[str, Any]]) -> None:
    audit = _labelled(findings)
    audit["recall"] = [
        {"child": "c", "parent": "p", "parent_item": "T1", "expected": "meets", "reported": "meets"},
        {"child": "c", "parent": "p", "parent_item": "T2", "expected": "missing", "reported": "meets"},
    ]
    audit["results"].update(recall=0.5, recall_targets=2)
    now = {("c", "p", "T1"): "meets", ("c", "p", "T2"): "meets"}
    assert check_audit(audit, findings, now, "t") == []
    assert figures(audit).recall == 0.5
    now[("c", "p", "T2")] = "missing"
    assert any("is now 'missing'" in p for p in check_audit(audit, findings, now, "t"))


def test_unlabelled_audit_needs_no_figures_but_no_verdicts(findings: list[dict[str, Any]]) -> None:
    audit = unlabelled_audit(findings, 12, 9, "cmd", "0", dt.date(2026, 1, 1))
    assert check_audit(audit, findings, {}, "t") == []
    sneaky = copy.deepcopy(audit)
    sneaky["findings"][0]["verdict"] = "true"
    sneaky["findings"][0]["quotes"] = [{"file": "x", "line": 1}]
    assert any("unlabelled but carries verdicts" in p for p in check_audit(sneaky, findings, {}, "t"))


def test_draw_is_seeded_and_stratified(findings: list[dict[str, Any]]) -> None:
    one, again, other = draw(findings, 60, 1), draw(findings, 60, 1), draw(findings, 60, 2)
    assert one == again and one != other and len(one) == 60
    assert all(f["severity"] in ("gap", "warning") for f in one)
    population = Counter((f["code"], f["plan"]) for f in findings if f["severity"] in ("gap", "warning"))
    drawn = Counter((f["code"], f["plan"]) for f in one)
    assert set(drawn) == set(population)  # every (rule, plan) stratum is represented
    assert len({finding_key(f) for f in one}) == 60


def test_allocation() -> None:
    assert allocate({("a", "x"): 100, ("b", "x"): 1, ("c", "y"): 9}, 10) == {
        ("a", "x"): 7,  # one each, then the 7 left by largest remainder over what is left
        ("b", "x"): 1,
        ("c", "y"): 2,
    }
    assert sum(allocate({("a", ""): 3, ("b", ""): 2}, 50).values()) == 5
    assert allocate({("a", ""): 5, ("b", ""): 5, ("c", ""): 5}, 2) == {
        ("a", ""): 1,
        ("b", ""): 1,
        ("c", ""): 0,
    }


def test_recall_counts_the_class_and_states_the_exact_agreement(findings: list[dict[str, Any]]) -> None:
    audit = _labelled(findings)
    audit["recall"] = [
        {
            "child": "c",
            "parent": "p",
            "parent_item": "T1",
            "expected": "not-applicable",
            "reported": "not-comparable",
        },
        {"child": "c", "parent": "p", "parent_item": "T2", "expected": "meets", "reported": "missing"},
        {"child": "c", "parent": "p", "parent_item": "T3", "expected": "boundary", "reported": "boundary"},
    ]
    got = figures(audit)
    assert (got.recall, got.recall_exact_share) == (round(2 / 3, 3), round(1 / 3, 3))
    audit["results"].update(recall=0.667, recall_targets=3, recall_exact=0.5)
    now = {("c", "p", t): r["reported"] for t, r in zip(("T1", "T2", "T3"), audit["recall"], strict=True)}
    assert any("results.recall_exact" in p for p in check_audit(audit, findings, now, "t"))


def test_a_superseded_audit_still_guards_its_false_findings(findings: list[dict[str, Any]]) -> None:
    audit = _labelled(findings)
    audit["superseded_by"] = "a later audit"
    true_entry, false_entry = audit["findings"][1], audit["findings"][2]
    false_entry.update(verdict="false", wrong="w", fix="f")
    audit["results"].update(true=8, false=1, precision=round(8 / 9, 3))
    gone = [f for f in findings if finding_key(f) != finding_key(true_entry)]
    assert not any("no longer reports it" in p for p in check_audit(audit, gone, {}, "t"))
    assert any("reports it again" in p for p in check_audit(audit, gone, {}, "t"))


def test_recall_draw_skips_a_parent_with_no_applicable_target() -> None:
    # with the national texts, some (child, parent) pairs have no applicable target (71/NQ-CP's
    # own table is a stand-in's): such a pair is no stratum, and the draw does not fail on it
    from plancheck.check.audit import recall_sample
    from plancheck.load.planset import load_planset

    ps, _ = load_planset([REPO / "plans"])
    drawn = recall_sample(ps, 30, 602917)
    assert len(drawn) == 30
    assert recall_sample(ps, 30, 602917) == drawn


def test_recall_rows_of_a_stand_in_point_at_the_stand_ins_text() -> None:
    from plancheck.check.audit import recall_sample
    from plancheck.load.planset import load_planset

    ps, _ = load_planset([REPO / "plans"])
    rows = [r for r in recall_sample(ps, 200, 1) if r["parent"] == "national/71-NQ-CP"]
    assert rows and all(r["parent_source"].startswith("national-03-NQ-CP") for r in rows), rows[:2]
