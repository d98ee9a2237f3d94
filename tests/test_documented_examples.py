"""The documented `example` of every rule fails with that rule and its `instead` passes.

A rule's docs (`plancheck explain CODE`, docs/rules.md) show an example and what to write instead.
Where the example is a whole file (loader rules), it runs here as written, through the rule case
machinery of tests/test_rule_cases.py. Most examples are fragments, elided with `...`: for those
the rule's case file holds the cases `documented-example` (finds the rule) and `documented-instead`
(passes), built from the docs; tests/test_rule_cases.py runs them, and this file checks they exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plancheck.check.engine import run
from plancheck.config import from_table
from plancheck.load.planset import load_planset
from plancheck.rules.registry import RULES
from tests.test_rule_cases import CASE_FILES, _apply

# rule -> the file the example is: the whole text of it (`\xNN` stands for a byte, as in `raw`)
WHOLE_FILE = {
    "PC001": "province/KH-9.yaml",
    "PC002": "province/KH-9.yaml",
    "PC003": "province/KH-9.yaml",
    "PC005": "province/KH-9.yaml",
    "PC006": "province/KH-9.yaml",
    "PC007": "province/KH-9.yaml",
    "PC008": "province/KH-9.yaml",
    "PC010": "province/KH-9.yaml",
}

# rules whose docs cannot be made into a case, with the reason
EXEMPT = {
    # reported by `validate --base` only, which compares two trees; a case file holds one
    "PC014": "needs two trees (tests/test_wrong_passes.py)",
    # its example is a 50 MB file, described, not written out
    "PC004": "a file over the limit is generated in tests/test_hostile.py (50 MB and 100 MB files)",
    # its example is thousands of labels against thousands of lines, described, not written out
    "PC506": "generated in tests/test_hostile_s21.py (see GENERATED_ONLY in test_rule_cases.py)",
}

# rules whose `instead` is no plan text but advice ("nothing to change"): only the example runs
INSTEAD_IS_ADVICE: dict[str, str] = {
    "PC401": "encode both, or waive PC401: a waived finding is still reported (as waived)",
    "PC205": "nothing to change: counts are compared only within one jurisdiction",
    "PC206": "nothing to change: the indicator does not apply at the plan's level",
    "PC207": "nothing to change: the declaration is what makes the target unverifiable, not a gap",
    "PC602": "nothing to change: the finding is informational",
    "PC603": "nothing to change in the plan: the finding reports a result",
    "PC605": "nothing to change: the finding reports that the results keep pace",
    "PC606": "nothing to change in the plan: the finding reports the pace of the results",
}


def _findings(rule: str, case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    sources = _apply(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    config = from_table({}, tmp_path)
    planset, requested = load_planset([tmp_path / "plans"], sources=sources, max_bytes=config.max_file_size)
    return [
        f"{f.path}:{f.line} {f.message}" for f in run(planset, requested, config).findings if f.code == rule
    ]


@pytest.mark.parametrize("rule", sorted(WHOLE_FILE))
@pytest.mark.parametrize("which", ["example", "instead"])
def test_whole_file_example_runs(
    rule: str, which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = getattr(RULES[rule], which).strip() + "\n"
    found = _findings(rule, {"raw": {WHOLE_FILE[rule]: text}}, tmp_path, monkeypatch)
    if which == "example":
        assert found, f"{rule}'s documented example does not find {rule}:\n{text}"
    else:
        assert not found, f"{rule}'s documented instead still finds {rule}: {found}"


def test_every_rule_runs_its_documented_example() -> None:
    cases = {doc["rule"]: {case["name"]: case for case in doc["cases"]} for doc in CASE_FILES.values()}
    missing = []
    for code in sorted(RULES):
        if code in WHOLE_FILE or code in EXEMPT:
            continue
        example = cases.get(code, {}).get("documented-example")
        instead = cases.get(code, {}).get("documented-instead")
        if example is None or not example.get("expect"):
            missing.append(f"{code}: no failing case documented-example")
        if code not in INSTEAD_IS_ADVICE and (instead is None or instead.get("expect") != []):
            missing.append(f"{code}: no passing case documented-instead")
    assert not missing, "\n".join(missing)
