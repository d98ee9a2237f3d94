"""Issue 13, the gate's wrong passes of adversarial round s21c (gate4a, gate4b): a catalogue edit
taken as evidence of a fix, an existing waiver absorbing a new gap, the catalogue behind a link,
and a full base name shadowed by a tag. Each test here passed the gate (or broke it) on the code
before the fix.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import git
from .gatekit import GATE, LOWER, WARD, commit, edit, invoke, new_base, repo
from .gatekit import findings as _findings
from .gatekit import new as _new

__all__ = ["repo"]  # the fixture is used by name, not referenced: keep its import

CATALOGUE = Path("plans/indicators.yaml")
# online-public-service-usage read as lower-is-better: the ward's > 50 then "meets" > 85
FLIP = (
    "    direction: higher\n    kind: share\n    counts: applications submitted online\n",
    "    direction: lower\n    kind: share\n    counts: applications submitted online\n",
)


def _ward_gap(repo: Path) -> None:
    edit(repo / WARD, *LOWER)
    new_base(repo, "the ward falls short")
    assert any(f["code"] == "PC202" for f in _findings("validate", "plans"))
    assert invoke(*GATE).exit_code == 0  # unchanged tree


# gate4a #1, #2, gate4b #12: the catalogue alone makes a gap "met"


def test_a_direction_flip_that_removes_a_gap_is_pc014(repo: Path) -> None:
    _ward_gap(repo)
    edit(repo / CATALOGUE, *FLIP)
    assert not any(f["code"] == "PC202" for f in _findings("validate", "plans"))  # gone on the head
    found = [f for f in _new(*GATE[:4]) if f["code"] == "PC014"]
    assert any("catalogue" in f["message"] and "PC202" in f["message"] for f in found), found
    assert invoke(*GATE).exit_code == 1


WHOLE = (
    "  - id: tfp-contribution\n",
    "  - id: public-service-results-electronic\n"
    '    name_vi: x\n    name_en: x\n    unit: "%"\n    direction: higher\n    kind: share\n'
    "    counts: applications whose result is returned electronically\n"
    "    population: applications for public services\n    scope: whole jurisdiction\n"
    "    carry_over: not-kept\n    relations: []\n"
    "    reasons: {population: example, scope: example, direction: example, carry_over: example, "
    "relations: none}\n    levels: [national, province, commune]\n"
    "  - id: tfp-contribution\n",
)
# the ward states only the whole (results returned electronically), not the part the parents ask
WARD_WHOLE = (
    "  - id: W2\n    indicator: online-public-service-usage\n",
    "  - id: W2\n    indicator: public-service-results-electronic\n",
)
RELATION = (
    "    carry_over: not-kept\n    relations: []\n    reasons: {population: example, scope: example, "
    "direction: example, carry_over: example, relations: none}\n    levels: [national, province, "
    "commune]\n  - id: tfp-contribution\n",
    "    carry_over: not-kept\n    relations:\n      - {contains: online-public-service-usage, "
    "reason: example}\n    reasons: {population: example, scope: example, "
    "direction: example, carry_over: example, relations: none}\n    levels: [national, province, "
    "commune]\n  - id: tfp-contribution\n",
)


def test_a_relation_that_makes_a_gap_met_is_pc014(repo: Path) -> None:
    edit(repo / CATALOGUE, *WHOLE)
    edit(repo / WARD, *WARD_WHOLE)
    edit(repo / WARD, 'bound: "> 85"', 'bound: "100"')
    new_base(repo, "the ward states a whole the catalogue does not relate")
    assert any(f["code"] == "PC201" for f in _findings("validate", "plans"))
    edit(repo / CATALOGUE, *RELATION)  # no plan changes
    assert not any(f["code"] == "PC201" for f in _findings("validate", "plans"))  # met through it
    found = [f for f in _new(*GATE[:4]) if f["code"] == "PC014"]
    assert any("catalogue" in f["message"] and "PC201" in f["message"] for f in found), found
    assert invoke(*GATE).exit_code == 1


def test_a_genuine_fix_with_a_catalogue_edit_still_passes(repo: Path) -> None:
    _ward_gap(repo)
    edit(repo / WARD, LOWER[1], LOWER[0])  # the ward raises its bound back
    edit(repo / CATALOGUE, "name_en: Online public service usage", "name_en: Online public services used")
    assert not [f for f in _new(*GATE[:4]) if f["code"] == "PC014"]
    assert invoke(*GATE).exit_code == 0


# gate4a #5: an existing broad waiver absorbs a new gap

WAIVER = (
    "targets:\n",
    "waivers:\n  - rule: PC202\n    indicator: online-public-service-usage\n"
    '    reason: "the ward reaches the province\'s level later"\n'
    '    approved_by: "UBND phường, 2025-10-10"\ntargets:\n',
)


def test_a_new_gap_under_an_existing_waiver_is_pc014(repo: Path) -> None:
    edit(repo / WARD, 'bound: "> 85"', 'bound: "> 80"')
    edit(repo / WARD, *WAIVER)
    new_base(repo, "a waived lag")
    assert invoke(*GATE).exit_code == 0  # the existing waived finding stays as it is
    edit(repo / WARD, 'bound: "> 80"', 'bound: "> 50"')  # weaker still; the waiver is untouched
    found = [f for f in _new(*GATE[:4]) if f["code"] == "PC014"]
    assert any("waiver hides" in f["message"] and "PC202" in f["message"] for f in found), found
    assert invoke(*GATE).exit_code == 1


# gate4b #15: the catalogue behind a symbolic link


def test_an_edit_of_a_linked_catalogue_is_a_catalogue_change(repo: Path) -> None:
    (repo / "catalogue").mkdir()
    git(repo, "mv", CATALOGUE.as_posix(), "catalogue/indicators.yaml")
    (repo / CATALOGUE).symlink_to(Path("../catalogue/indicators.yaml"))
    new_base(repo, "the catalogue kept elsewhere, linked from the tree")
    assert invoke(*GATE).exit_code == 0
    # git names only catalogue/indicators.yaml; no plan changed, yet the province's
    # tfp-contribution target now falls out of its level: every plan must be in scope
    edit(
        repo / "catalogue" / "indicators.yaml",
        "    levels: [national, province]\n",
        "    levels: [national]\n",
    )
    plain = {(f["code"], f["path"]) for f in _findings("validate", "plans") if f["severity"] != "info"}
    gated = {(f["code"], f["path"]) for f in _findings(*GATE[:4]) if f["severity"] != "info"}
    assert plain <= gated, (plain, gated)
    assert any(f["path"] == "plans/province/KH-1.yaml" for f in _findings(*GATE[:4]))


# gate4b #18: a full base name shadowed by a tag


def test_a_full_base_name_is_not_shadowed_by_a_tag(repo: Path) -> None:
    edit(repo / WARD, *LOWER)
    commit(repo, "lower")
    git(repo, "tag", "refs/heads/main", "change")  # refs/tags/refs/heads/main, the change itself
    full = invoke("validate", "plans", "--base", "refs/heads/main", "--fail-on-new", "--fail-on", "gap")
    assert full.exit_code == 1, full.output  # compared with the branch, so the gap is new
    sha = git(repo, "rev-parse", "refs/heads/main").strip()
    assert f"at commit {sha}" in full.stderr
    git(repo, "tag", "origin/main", "change")
    git(repo, "update-ref", "refs/remotes/origin/main", "main")
    short = invoke("validate", "plans", "--base", "origin/main", "--fail-on-new", "--fail-on", "gap")
    assert short.exit_code == 2 and "ambiguous" in short.stderr
