"""Rule cases in the style of sqlfluff's yaml test cases: one file per rule code in tests/rules/.

Each case writes its files over a copy of tests/example/plans (and its sources over a copy of
tests/example/sources), runs every rule, and compares the findings of the file's rule with
``expect`` exactly. Keys of a case:

- ``name``: the test id is ``PCxxx-<name>``;
- ``files``: path under ``plans/`` -> text, written as UTF-8;
- ``raw``: path under ``plans/`` -> bytes: either text in which ``\\xNN`` escapes stand for single
  bytes (everything else is written as UTF-8), or ``{base64: ...}``; ``\\xNN`` in the path
  stands for a byte of the file's name too (names that are not UTF-8);
- ``delete``: paths under ``plans/`` to remove from the copy;
- ``symlinks``: path under the temporary folder (``plans/...`` or ``sources/...``) -> link target;
- ``sources``: file name -> text, added to the sources folder; ``sources: null`` runs without one;
- ``results``: path under ``results/`` (beside ``plans/``) -> text; the folder exists only in cases
  that give this key, so the progress rules (PC6xx) run only there;
- ``config``: a ``[tool.plancheck]`` table (``max-file-size``, ``select``...);
- ``paths``: paths to check, relative to the temporary folder (default ``[plans]``);
- ``expect``: ``{path, line, column?, message}`` for every finding of the rule; ``[]`` for a passing
  case. ``message`` is a part of the finding's message that must stand in it: what and where, so
  that another finding at the same position does not match;
- ``extend``: path under ``plans/`` -> text appended to that file of the ``base`` (below).

A case file may give, beside ``rule`` and ``cases``, a ``base``: the keys a case may give (but
``name``, ``expect`` and ``extend``) that every case of the file starts from, so that a case shows
only what differs. A case's ``files``, ``raw``, ``symlinks``, ``sources``, ``results`` and
``config`` are merged with the base's entry by entry, the case's entry winning, and an entry
given as ``null`` removing the base's (``files: {province/KH-9.yaml: null}``: this case writes no
such file); any other key, and a whole key given as ``null`` (``sources: null``), replaces the
base's. ``extend`` appends to a base file, so the lines of the case's text are numbered after the
base's: each case file with a base says in a comment how many lines its base file holds.
"""

from __future__ import annotations

import base64
import codecs
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from plancheck.check.engine import run
from plancheck.config import from_table
from plancheck.load.planset import load_planset
from plancheck.report.json_report import render
from plancheck.rules.registry import RULES
from plancheck.run.cache import Store
from plancheck.run.pipeline import check_tree

HERE = Path(__file__).parent
CASES_DIR = HERE / "rules"
EXAMPLE = HERE / "example"
CASE_KEYS = {"name", "files", "raw", "delete", "symlinks", "sources", "results", "config", "paths", "expect"}
EXPECT_KEYS = {"path", "line", "column", "message"}
# merged with the base's entry by entry; any other key of a case replaces the base's
MERGED_KEYS = {"files", "raw", "symlinks", "sources", "results", "config"}
BASE_KEYS = CASE_KEYS - {"name", "expect"}


def _load_case_files() -> dict[Path, dict[str, Any]]:
    yaml = YAML(typ="safe", pure=True)
    return {path: yaml.load(path.read_text(encoding="utf-8")) for path in sorted(CASES_DIR.glob("*.yaml"))}


CASE_FILES = _load_case_files()


def _params() -> list[Any]:
    params = []
    for doc in CASE_FILES.values():
        for case in doc.get("cases") or []:
            params.append(
                pytest.param(doc["rule"], doc.get("base"), case, id=f"{doc['rule']}-{case['name']}")
            )
    return params


def with_base(base: dict[str, Any] | None, case: dict[str, Any]) -> dict[str, Any]:
    """The case as it runs: its file's ``base`` with the case's keys over it (module docstring)."""
    if base is None:
        assert "extend" not in case, "extend: the case file has no base"
        return case
    unknown = set(base) - BASE_KEYS
    assert not unknown, f"unknown base keys {sorted(unknown)}"
    merged = dict(base)
    for key, value in case.items():
        if key == "extend":
            continue
        if key in MERGED_KEYS and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
        if isinstance(merged[key], dict) and key in MERGED_KEYS:
            merged[key] = {k: v for k, v in merged[key].items() if v is not None}
    for rel, text in (case.get("extend") or {}).items():
        files = dict(base.get("files") or {})
        assert rel in files, f"extend: {rel} is not a file of the base"
        assert rel not in (case.get("files") or {}), f"{rel} is both extended and replaced"
        merged["files"] = {**merged.get("files", {}), rel: files[rel] + text}
    return merged


def _raw_bytes(value: Any) -> bytes:
    if isinstance(value, dict):
        assert set(value) == {"base64"}, f"raw value must be text or {{base64: ...}}, not {value!r}"
        return base64.b64decode(value["base64"])
    assert isinstance(value, str)
    return codecs.escape_decode(value.encode("utf-8"))[0]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    path.write_bytes(data)


def _apply(case: dict[str, Any], tmp: Path) -> Path | None:
    plans = tmp / "plans"
    shutil.copytree(EXAMPLE / "plans", plans)
    for rel in case.get("delete") or []:
        target = plans / rel
        assert target.exists(), f"delete: {rel} is not in the example tree"
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    for rel, text in (case.get("files") or {}).items():
        _write(plans / rel, text.encode("utf-8"))
    for rel, value in (case.get("raw") or {}).items():
        _write(plans / os.fsdecode(_raw_bytes(rel)), _raw_bytes(value))
    if "results" in case:
        (tmp / "results").mkdir()
        for rel, text in (case["results"] or {}).items():
            _write(tmp / "results" / rel, text.encode("utf-8"))
    sources = tmp / "sources"
    shutil.copytree(EXAMPLE / "sources", sources)
    for name, text in (case.get("sources") or {}).items():
        _write(sources / name, text.encode("utf-8"))
    for rel, target in (case.get("symlinks") or {}).items():
        link = tmp / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    return None if "sources" in case and case["sources"] is None else sources


def _matches(expected: dict[str, Any], actual: tuple[str, int, int, str]) -> bool:
    """``message``, when given, is a part of the finding's message that must stand in it."""
    path, line, column, message = actual
    return (
        (expected["path"], expected["line"]) == (path, line)
        and expected.get("column", column) == column
        and expected.get("message", "") in message
    )


@pytest.mark.parametrize(("rule", "base", "case"), _params())
def test_rule_case(
    rule: str,
    base: dict[str, Any] | None,
    case: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unknown = set(case) - CASE_KEYS - {"extend"}
    assert not unknown, f"unknown case keys {sorted(unknown)}"
    case = with_base(base, case)
    sources = _apply(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    config = from_table(case.get("config") or {}, tmp_path)
    paths = [tmp_path / p for p in case.get("paths") or ["plans"]]
    planset, requested = load_planset(paths, sources=sources, max_bytes=config.max_file_size)
    result = run(planset, requested, config)
    # `validate` checks plan by plan with a cache (pipeline); it must agree with the engine on
    # every case, cold and warm
    store = Store(tmp_path / "cache")
    cold = check_tree(paths, config, sources, store=store)
    warm = check_tree(paths, config, sources, store=store)
    expected_json = render(result.findings, result.counts)
    assert render(cold.findings, cold.counts) == expected_json
    assert render(warm.findings, warm.counts) == expected_json
    # a message never shows a missing value as Python writes it (round 2: "(line None)")
    assert not [f.message for f in result.findings if "None" in f.message]
    found = [f for f in result.findings if f.code == rule]
    actual = sorted((f.path, f.line, f.column, f.message) for f in found)
    expected = sorted(case["expect"] or [], key=lambda e: (e["path"], e["line"], e.get("column", 0)))
    for entry in expected:
        assert set(entry) <= EXPECT_KEYS and {"path", "line", "message"} <= set(entry), (
            f"bad expect entry {entry!r}"
        )
    # match the entries that name a column first, then the rest
    unmatched = list(actual)
    missing = []
    for entry in sorted(expected, key=lambda e: ("message" not in e, "column" not in e)):
        hit = next((a for a in unmatched if _matches(entry, a)), None)
        if hit is None:
            missing.append(entry)
        else:
            unmatched.remove(hit)
    details = "\n".join(f"  {f.path}:{f.line}:{f.column} {f.code} {f.message}" for f in found)
    assert not missing and not unmatched, (
        f"expected {expected}\nmissing {missing}\nunexpected {unmatched}\nfindings of {rule}:\n{details}"
    )


# reported by `validate --base` only, which compares two trees: its failing cases are in
# tests/test_wrong_passes.py (a case file holds one tree)
BASE_ONLY = {"PC014"}
# needs a plan of thousands of labels and a text of thousands of lines to fail: its failing case
# is tests/test_hostile_s21.py::test_a_text_of_a_few_words_repeated_is_searched_within_a_budget
GENERATED_ONLY = {"PC506"}


def test_every_rule_has_cases() -> None:
    by_rule: dict[str, dict[str, Any]] = {}
    for path, doc in CASE_FILES.items():
        assert isinstance(doc, dict), f"{path.name}: not a mapping"
        assert {"rule", "cases"} <= set(doc) <= {"rule", "base", "cases"}, (
            f"{path.name}: keys are rule, base and cases"
        )
        assert doc["rule"] in RULES, f"{path.name} names unknown rule {doc['rule']!r}"
        assert path.stem == doc["rule"], f"{path.name} holds cases for {doc['rule']}"
        names = [case["name"] for case in doc["cases"]]
        assert len(names) == len(set(names)), f"{path.name}: case names repeat"
        by_rule[doc["rule"]] = doc
    missing = sorted(set(RULES) - set(by_rule))
    assert not missing, f"rules without a case file: {missing}"
    for code, doc in by_rule.items():
        expects = [case.get("expect") for case in doc["cases"]]
        assert any(e == [] for e in expects), f"{code}: no passing case (expect: [])"
        if code not in BASE_ONLY | GENERATED_ONLY:
            assert any(e for e in expects), f"{code}: no failing case"


def test_a_case_extends_or_overrides_its_base() -> None:
    base = {
        "files": {"a.yaml": "id: a\n", "b.yaml": "id: b\n"},
        "sources": {"s.txt": "x\n"},
        "config": {"as-of": "2026-01-01"},
    }
    extended = with_base(
        base, {"name": "n", "extend": {"a.yaml": "implements: []\n"}, "files": {"b.yaml": None}}
    )
    assert extended["files"] == {"a.yaml": "id: a\nimplements: []\n"}
    assert extended["sources"] == {"s.txt": "x\n"}
    replaced = with_base(
        base, {"name": "n", "files": {"a.yaml": "id: z\n"}, "sources": None, "config": {"select": ["PC1"]}}
    )
    assert replaced["files"] == {"a.yaml": "id: z\n", "b.yaml": "id: b\n"}
    assert replaced["sources"] is None
    assert replaced["config"] == {"as-of": "2026-01-01", "select": ["PC1"]}
    with pytest.raises(AssertionError, match="not a file of the base"):
        with_base(base, {"name": "n", "extend": {"c.yaml": "x"}})
