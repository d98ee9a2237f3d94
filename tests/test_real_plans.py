"""The bundled plans: valid, complete by their own coverage counts, traceable, and the real gaps found."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app

from .conftest import REPO, SHARED, need_shared

runner = CliRunner()
PLANS = [
    "national/57-NQ-TW",
    "national/03-NQ-CP",
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
    # 03/NQ-CP's table ("≥ 55") against 57-NQ/TW's "trên 55%": found once, on 03/NQ-CP, which holds
    # the table; 71/NQ-CP has none of its own (its targets stand in from 03) and is not compared
    [hit] = _find(
        findings,
        code="PC203",
        plan="national/03-NQ-CP",
        parent="national/57-NQ-TW",
        indicator="tfp-contribution",
    )
    assert hit["child_bound"] == ">= 55" and hit["parent_bound"] == "> 55" and hit["status"] == "boundary"
    assert _find(findings, plan="national/71-NQ-CP", parent="national/57-NQ-TW") == []


def test_plans_implementing_71_are_compared_with_03s_table(findings: list[dict[str, Any]]) -> None:
    # Hải Phòng's "≥ 80" for online public services against 03's "≥ 80" (row 11.1) meets it; against
    # 57-NQ/TW's "trên 80%" it is a boundary finding. Both are reported under the parent each cites.
    via = _find(findings, plan="haiphong/142-KH-UBND", parent="national/71-NQ-CP")
    assert via and all(f["ctx"]["targets_from"] == "national/03-NQ-CP" for f in via if f.get("indicator"))
    assert _find(findings, plan="haiphong/142-KH-UBND", parent="national/03-NQ-CP") == []
    boundaries = _find(
        findings, code="PC203", plan="haiphong/142-KH-UBND", indicator="online-public-service-usage"
    )
    assert {f["parent"] for f in boundaries} == {"national/57-NQ-TW", "haiphong/89-CTr-TU"}
    # no local plan cites the replaced programme
    assert _find(findings, code="PC125") == []


def test_57_from_its_text(shown: dict[str, dict[str, Any]]) -> None:
    plan = shown["national/57-NQ-TW"]
    assert plan["document"]["source"] == "national-57-NQ-TW-2024-12-22.txt"
    counts = Counter(t["source"]["section"] for t in plan["targets"])
    assert counts == {"II.1": 36, "II.2": 6, "III.3": 1, "III.6": 1}
    by_id = {t["id"]: t for t in plan["targets"]}
    # comparators as the text words them
    assert by_id["II.1-5"]["bound"] == "> 55"  # "ở mức trên 55%"
    assert by_id["II.1-8"]["bound"] == "> 80"  # "đạt trên 80%"
    assert by_id["II.1-9"]["bound"] == "= 80"  # "đạt 80%"
    assert by_id["II.1-11"]["bound"] == "> 0.7"  # "duy trì trên 0,7"
    assert by_id["II.1-13"]["bound"] == "> 60"  # "hơn 60%"
    assert by_id["II.1-14"]["bound"] == ">= 3" and by_id["II.1-14"]["per_year"]  # "ít nhất 3% ... hằng năm"
    assert by_id["III.3"]["bound"] == ">= 15" and by_id["III.3"]["source"]["line"] == 72
    assert not any(t["strive"] for t in plan["targets"])  # the text never says "phấn đấu"
    # the ids other plans, waivers and tests name stay
    kept = {f"II.1-{n}" for n in range(3, 23)} | {f"II.2-{n}" for n in range(23, 28)}
    assert kept | {"II.1-1-sea", "II.1-2-world", "III.6"} <= set(by_id)


def test_71_keeps_no_copy_of_03s_table(shown: dict[str, dict[str, Any]]) -> None:
    plan = shown["national/71-NQ-CP"]
    assert plan["targets"] == []
    assert plan["document"]["targets_from"]["plan"] == "national/03-NQ-CP"
    assert [r["number"] for r in plan["document"]["replaces"]] == ["03/NQ-CP"]
    # task 4, then the 36 other tasks the draft report 402-CV/VPĐU lists (issue 19), by its row numbers
    ids = [t["id"] for t in plan["tasks"]]
    assert ids[0] == "4" and ids[1:] == [f"402-PL1-{n:02d}" for n in range(1, 38) if n != 4]
    assert plan["document"]["lower_plans_due"]["due"] == "2025-03"


def test_hochiminh_has_no_digital_economy_target_for_2030(findings: list[dict[str, Any]]) -> None:
    # Was PC201 'missing'. Issue 17, class 3: 4354/KH-UBND line 37 puts its specific targets in an
    # appendix the text does not contain, so the gap cannot be checked: PC207 'unverifiable'.
    hits = _find(
        findings, code="PC207", plan="hochiminh/4354-KH-UBND", indicator="digital-economy-share", year=2030
    )
    assert {h["parent"] for h in hits} == {"national/57-NQ-TW", "national/71-NQ-CP"}
    assert all(h["status"] == "unverifiable" and "line 37" in h["message"] for h in hits)
    assert _find(findings, code="PC201", plan="hochiminh/4354-KH-UBND") == []


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


def test_aims_of_57_the_reference_page_left_out_are_compared(findings: list[dict[str, Any]]) -> None:
    # Changed with the re-encoding of 57-NQ/TW from its text (issue 15). Three 2030 aims of
    # 57-NQ/TW that the reference page did not list apply to provinces: line 36 "một số lĩnh vực
    # khoa học, công nghệ đạt trình độ quốc tế", line 40 "Hệ thống tổ chức khoa học, công nghệ, đổi
    # mới sáng tạo được sắp xếp lại bảo đảm hiệu lực, hiệu quả", line 42 "Hạ tầng công nghệ số tiên
    # tiến, hiện đại, dung lượng siêu lớn, băng thông siêu rộng". 89-CTr/TU's targets (its section
    # II) state none of them, so each is a new gap; 142/KH-UBND states two of them (Phụ lục 1 rows 3
    # and 23, after 03/NQ-CP's table) as text, so those are not comparable, not missing.
    new_aims = {
        "st-fields-international-level",
        "public-st-organisations-effectiveness",
        "digital-infrastructure-level",
    }
    missing = _find(findings, code="PC201", plan="haiphong/89-CTr-TU", parent="national/57-NQ-TW")
    # Changed with issue 17 (round 5, F015 debatable; round 3, F011 debatable): 89-CTr/TU takes up
    # the reorganisation aim (III.2, line 63) and the fields of international level (III.3, line
    # 68) as solutions, recorded under `measures`: not comparable, not missing
    assert "digital-infrastructure-level" in {f["indicator"] for f in missing}
    by_status = {
        f["indicator"]: f["status"]
        for f in _find(findings, plan="haiphong/142-KH-UBND", parent="national/57-NQ-TW")
        if f.get("indicator") in new_aims
    }
    # Changed with issue 17 (round 5, class 4): 142/KH-UBND takes up the reorganisation aim (line
    # 40, no number) as task PL4-4.9 'Rà soát, điều chỉnh Quy hoạch các tổ chức khoa học công nghệ
    # công lập' (its line 1481), linked by `aims`: a qualitative aim carried by a task is not
    # comparable, not missing. 89-CTr/TU carries it only as solutions (III.2), not encoded as tasks.
    assert by_status == {
        "st-fields-international-level": "not-comparable",
        "digital-infrastructure-level": "not-comparable",
        "public-st-organisations-effectiveness": "not-comparable",
    }


# Issue 17: findings an analyst can trust.


@pytest.fixture(scope="module")
def planset() -> Any:
    from plancheck.load.planset import load_planset

    ps, _ = load_planset([REPO / "plans"])
    return ps


def test_whole_at_100_meets_its_part(findings: list[dict[str, Any]], planset: Any) -> None:
    """142/KH-UBND Phụ lục 1 row 11.7: 100 % of work files online for all state administrative
    agencies; 89-CTr/TU line 24: 100 / 90 / 70 % at city / district / commune level."""
    from plancheck.check.compliance import compare_plans

    edge = compare_plans(planset.plans["haiphong/142-KH-UBND"], planset.plans["haiphong/89-CTr-TU"], planset)
    parts = [c for c in edge if c.indicator.startswith("electronic-work-processing-share-")]
    assert len(parts) == 3
    for c in parts:
        assert c.status in ("meets", "exceeds"), c
        assert c.via == "electronic-work-processing-share" and c.child_target is not None
        assert c.child_target.id == "PL1-11.7" and "⊇" in c.reason
    assert not [
        f
        for f in findings
        if f["plan"] == "haiphong/142-KH-UBND" and "electronic-work-processing" in (f.get("indicator") or "")
    ]


def test_part_says_nothing_about_the_whole(planset: Any) -> None:
    """The reverse never holds: 89-CTr-TU states only the levels, so 03/NQ-CP's whole is missing."""
    from plancheck.check.compliance import compare_plans

    edge = compare_plans(planset.plans["haiphong/89-CTr-TU"], planset.plans["national/03-NQ-CP"], planset)
    [whole] = [c for c in edge if c.indicator == "electronic-work-processing-share"]
    assert whole.status == "missing" and "says nothing about the whole" in whole.reason


def test_level_kept_carries_over(findings: list[dict[str, Any]]) -> None:
    """142 Phụ lục 2 row 48 (records digitised, 100 % to 2045) against the ward's 100 % in 2030:
    the ward's 2030 level is kept, so 2035-2045 are met (they were PC201 'does not carry over')."""
    assert not _find(
        findings,
        plan="hongbang/106-KH-UBND",
        parent="haiphong/142-KH-UBND",
        indicator="admin-records-digitised-share",
    )


def test_leads_assigned_elsewhere(findings: list[dict[str, Any]], shown: dict[str, dict[str, Any]]) -> None:
    # 106/KH-UBND line 619 assigns the leads in appendices the text does not contain
    assert _find(findings, code="PC304", plan="hongbang/106-KH-UBND") == []
    # 4354/KH-UBND: section III names no lead next to its tasks; section IV assigns the duties
    # agency by agency, and the agency headings of IV.2 (repaired: lines 234-238), IV.3, IV.4 and
    # IV.6 were lost in the scrape. Two independent readings found PC304 on section III false or
    # debatable where a section IV duty matches the task, so the plan declares its leads to be in
    # a part the text no longer contains (elsewhere: leads, line 230): no PC304 for it.
    assert _find(findings, code="PC304", plan="hochiminh/4354-KH-UBND") == []
    # Hà Nam's party programme hands the doing to the People's Committee's implementing plan
    # (IV.4, line 187), which assigns the agencies; readers found its PC304 true only to the letter
    assert _find(findings, code="PC304", plan="hanam/CTrHD-TU-NQ57") == []
    # 89-CTr/TU names the responsible body for every item but IV.1 (the steering committee). Changed
    # with issue 17 (round 5, F056 debatable): setting up its own steering committee chaired by the
    # Party Secretary is the issuer's own act, recorded as `issuer_act` (lead stays null): no PC304
    assert _find(findings, code="PC304", plan="haiphong/89-CTr-TU") == []
    [iv1] = [t for t in shown["haiphong/89-CTr-TU"]["tasks"] if t["id"] == "IV.1"]
    assert iv1["lead"] is None and iv1["issuer_act"]


def test_a_parent_that_contradicts_itself_is_not_a_gap_of_the_child(findings: list[dict[str, Any]]) -> None:
    # 142/KH-UBND states kindergartens at DT level 2 for 2030 as '> 90' (Phụ lục 1 row 36.1) and
    # '>= 90' (Phụ lục 2 row 15); the ward writes '>= 90'. An independent reading labelled the
    # boundary gap debatable: which of the parent's figures binds is the parent's question
    [hit] = _find(
        findings,
        code="PC205",
        plan="hongbang/106-KH-UBND",
        parent="haiphong/142-KH-UBND",
        indicator="kindergarten-dt-level2-share",
        year=2030,
    )
    assert "twice with different figures" in hit["message"]


def test_softened_budget_share(findings: list[dict[str, Any]]) -> None:
    """57-NQ/TW 'bố trí ít nhất 3%' (firm) against 89-CTr/TU's 'phấn đấu' 3 %."""
    [hit] = _find(
        findings,
        code="PC208",
        plan="haiphong/89-CTr-TU",
        parent="national/57-NQ-TW",
        indicator="st-budget-share",
    )
    assert hit["status"] == "softened" and hit["severity"] == "warning"


SPEAKING = {"missing", "weaker", "boundary", "later", "softened", "unverifiable", "not-comparable"}


def test_no_silent_drops(findings: list[dict[str, Any]], planset: Any) -> None:
    """Per child and parent: one status per parent target, each with a reason, and every status
    an analyst must see has exactly one finding (not-applicable ones are counted in PC206)."""
    from plancheck.check.compliance import compare_plans
    from plancheck.check.status import STATUS_ORDER

    edges = 0
    for child in planset.plans.values():
        if child.plan.document.targets_from is not None:
            # its table is another plan's (71/NQ-CP: 03/NQ-CP's), compared on that plan's own edges
            assert all(not compare_plans(child, p, planset) for p in planset.parents(child))
            continue
        for parent in planset.parents(child):
            edges += 1
            comparisons = compare_plans(child, parent, planset)
            assert len(comparisons) == len(parent.plan.targets)
            statuses = Counter(c.status for c in comparisons)
            assert set(statuses) <= set(STATUS_ORDER)
            assert sum(statuses.values()) == len(parent.plan.targets)
            assert all(c.reason for c in comparisons)
            mine = [f for f in findings if f["plan"] == child.id and f.get("parent") == parent.id]
            by_item = Counter(f["ctx"].get("parent_item") for f in mine if f["code"] != "PC206")
            for c in comparisons:
                want = 1 if c.status in SPEAKING else 0
                assert by_item.get(c.parent_target.id, 0) == want, (child.id, parent.id, c)
            applicable = sum(f["ctx"]["targets"] for f in mine if f["code"] == "PC206")
            assert applicable == statuses["not-applicable"]
    assert edges >= 10


def test_parts_that_make_up_the_whole(planset: Any) -> None:
    """142 Phụ lục 1 part II row 43: 100 % of education institutions and authorities at DT level 2
    by 2045; the ward states 100 % for general schools (2035) and for kindergartens and
    authorities (2040), the parts the catalogue says make up that whole."""
    from plancheck.check.compliance import compare_plans

    edge = compare_plans(
        planset.plans["hongbang/106-KH-UBND"], planset.plans["haiphong/142-KH-UBND"], planset
    )
    [c] = [c for c in edge if c.parent_target.id == "PL1-II-43"]
    assert c.status == "meets" and c.via == "school-dt-level2-share + kindergarten-dt-level2-share"


def test_a_share_of_the_citys_communes_binds_no_one_ward(findings: list[dict[str, Any]]) -> None:
    # 142/KH-UBND Phụ lục 2 row 57: >= 60 % (2025) and 90 % (2030) of the city's commune-level
    # party committees and governments on the unified software; the ward states its own (100 % in
    # 2035). Which 60 %? An independent reading labelled the 'later' gaps debatable; now they are
    # not comparable, with the reason, and 100 % of all communes would still bind the ward
    hits = _find(
        findings,
        plan="hongbang/106-KH-UBND",
        parent="haiphong/142-KH-UBND",
        indicator="unified-management-software-commune-share",
    )
    assert {(f["code"], f["year"]) for f in hits} == {("PC205", 2025), ("PC205", 2030)}
    assert all("binds no one commune" in f["message"] for f in hits)


# Issue 17, the debatable classes of round 5 (audits/2026-12-02-round5-seed118806.yaml): each
# class fixed for every finding of it on the bundled plans, by catalogue, encoding or rule.


def test_users_reached_by_broadband_cover_every_commune(findings: list[dict[str, Any]]) -> None:
    # 142 PL1-23.1 / PL2-3: 100 % of users able to reach fixed broadband above 1 Gb/s (2030); 89
    # line 30 asks 100 % of communes covered: the whole implies the part (catalogue relation).
    # Households are not implied (a household without a user is outside 'users'): the two are close
    # measures (catalogue close_to), so not comparable, naming 142's target (round 4 F002 debatable)
    common = {"plan": "haiphong/142-KH-UBND", "parent": "haiphong/89-CTr-TU"}
    assert _find(findings, indicator="broadband-commune-coverage", **common) == []
    [household] = _find(findings, indicator="broadband-household-coverage", **common)
    assert (household["code"], household["ctx"]["item"]) == ("PC205", "PL1-23.1")


def test_round5_false_findings_stay_fixed(findings: list[dict[str, Any]]) -> None:
    # F012: 89 line 33 also states cashless transactions above 85 %; F006: 142 PL1 row 38 is the
    # city's 2045 rank among world cities
    assert (
        _find(findings, code="PC201", plan="haiphong/89-CTr-TU", indicator="cashless-transaction-share") == []
    )
    assert (
        _find(
            findings,
            code="PC201",
            plan="haiphong/142-KH-UBND",
            indicator="innovation-ecosystem-rank-world-cities",
            year=2045,
        )
        == []
    )


def test_a_close_measure_is_not_comparable_and_named(findings: list[dict[str, Any]]) -> None:
    # the ward's '100% hồ sơ thủ tục hành chính xử lý trực tuyến' (line 213) against online-service
    # use: a different measure of the same aim (catalogue close_to), information naming the item
    hits = _find(findings, plan="hongbang/106-KH-UBND", indicator="online-public-service-usage", year=2030)
    assert {f["parent"] for f in hits} == {"national/57-NQ-TW", "national/71-NQ-CP", "haiphong/142-KH-UBND"}
    assert {(f["code"], f["severity"], f["status"], f["ctx"]["item"]) for f in hits} == {
        ("PC205", "info", "not-comparable", "III.2.2-e-4")
    }


def test_other_close_measures_of_142_against_89(findings: list[dict[str, Any]]) -> None:
    # judged debatable by earlier rounds (round 5 F003, round 4 F003, round 1 F002): 89's e-payment
    # accounts of the population against 142's 15+ bank accounts (PL1-30); 89's data and IoT
    # platform (qualitative) against 142's data shared on LGSP; 89's mobile digital identity against
    # 142's VNeID accounts
    for indicator in ("e-payment-account-population-share", "data-iot-platform", "mobile-digital-identity"):
        [hit] = _find(findings, plan="haiphong/142-KH-UBND", parent="haiphong/89-CTr-TU", indicator=indicator)
        assert (hit["code"], hit["severity"]) == ("PC205", "info"), indicator
        assert "closely related but different measure" in hit["message"]


def test_aims_without_number_or_year_taken_up_as_tasks(findings: list[dict[str, Any]]) -> None:
    # 57-NQ/TW line 40 (reorganise S&T organisations, no number): 03/NQ-CP task 79, 142 PL4-4.9,
    # 89-CTr/TU's solution III.2 (line 63, a measure: no lead, no deadline)
    for plan, task in (
        ("national/03-NQ-CP", "task PL2-79"),
        ("haiphong/142-KH-UBND", "task PL4-4.9"),
        ("haiphong/89-CTr-TU", "measure III.2-5"),
    ):
        [hit] = _find(
            findings, plan=plan, parent="national/57-NQ-TW", indicator="public-st-organisations-effectiveness"
        )
        assert (hit["code"], hit["status"]) == ("PC205", "not-comparable")
        assert task in hit["message"]
    # 57 III.6 '≥ 70%' has no year: 142 repeats it in Phụ lục 3 row 24 (task PL3-24.a)
    [hit] = _find(findings, plan="haiphong/142-KH-UBND", indicator="sectoral-digital-economy-share")
    assert hit["code"] == "PC205" and "task PL3-24.a" in hit["message"]
    # a plan with no such task keeps the gap, which now says the year is inferred
    [gap] = _find(findings, plan="haiphong/89-CTr-TU", indicator="sectoral-digital-economy-share")
    assert gap["code"] == "PC201" and "2030 is inferred" in gap["message"]


def test_a_level_reached_earlier_is_unverifiable(findings: list[dict[str, Any]]) -> None:
    # the ward: 100 % of secondary schools with start-up clubs in 2040 (line 317), nothing for 2045
    [hit] = _find(
        findings,
        plan="hongbang/106-KH-UBND",
        parent="haiphong/142-KH-UBND",
        indicator="secondary-startup-club-share",
    )
    assert (hit["code"], hit["severity"], hit["year"]) == ("PC207", "info", 2045)
    assert "reached earlier" in hit["message"] and hit["ctx"]["item"] == "III.2.4-b-6"


def test_deadlines_carried_from_the_replaced_programme(findings: list[dict[str, Any]]) -> None:
    # 71/NQ-CP tasks 402-PL1-05 and 402-PL1-25 are 03/NQ-CP tasks 8 and 75 with the same deadline;
    # tasks 4, 07, 19 and 23 were set or re-dated by 71 itself (round 5 F053, F054: true)
    items = {f["ctx"]["item"] for f in _find(findings, code="PC303", plan="national/71-NQ-CP")}
    assert items == {"4", "402-PL1-07", "402-PL1-19", "402-PL1-23"}


def test_carried_tasks_match_the_replaced_plan(shown: dict[str, dict[str, Any]]) -> None:
    # what `carried_from` asserts (same task, same deadline) holds where the replaced plan is encoded
    by_number = {p["document"]["number"]: p for p in shown.values()}
    checked = 0
    for plan in shown.values():
        for task in plan["tasks"]:
            ref = task.get("carried_from")
            if ref is None or ref["number"] not in by_number:
                continue
            [theirs] = [t for t in by_number[ref["number"]]["tasks"] if t["id"] == f"PL2-{ref['task']}"]
            assert theirs["due"] == task["due"], (plan["id"], task["id"])
            checked += 1
    assert checked == 2
