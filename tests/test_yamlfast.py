"""The fast line reader agrees with the exact event loader whenever it accepts a text."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plancheck.yamlfast import fast_load
from plancheck.yamlio import DEFAULT_MAX_NODES, decode, load_events

from .conftest import EXAMPLE, REPO, SHARED, need_shared

SUITE = SHARED / "corpora" / "yaml-test-suite"


def _norm(value: Any) -> Any:
    """Comparable form: types kept (1 is not 1.0 nor True), NaN equal to itself."""
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return (type(value).__name__, value)


def _agree(text: str) -> bool:
    """True when the fast reader accepted ``text``; fails when it disagrees with the exact one."""
    fast = fast_load(text, max_nodes=DEFAULT_MAX_NODES)
    if fast is None:
        return False
    exact = load_events(text, "x.yaml")
    assert exact.findings == [], f"fast reader accepted a text the exact loader rejects: {exact.findings}"
    assert _norm(fast.data) == _norm(exact.data)
    assert fast.positions == exact.positions
    assert fast.key_positions == exact.key_positions
    return True


def _text(path: Path) -> str | None:
    text, _ = decode(path.read_bytes(), str(path))
    return text


PLAN_FILES = sorted((REPO / "plans").rglob("*.yaml")) + sorted((EXAMPLE / "plans").rglob("*.yaml"))


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_bundled_plans_take_the_fast_path(path: Path) -> None:
    text = _text(path)
    assert text is not None
    assert _agree(text), "a bundled plan fell back to the slow loader"


def test_generated_national_plans_take_the_fast_path(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    generate.generate(tmp_path, provinces=1, communes=3, seed=5, plant=0)
    files = sorted(tmp_path.rglob("*.yaml"))
    assert len(files) >= 5
    for path in files:
        text = _text(path)
        assert text is not None and _agree(text), path


def test_yaml_test_suite_never_disagrees() -> None:
    files = sorted(need_shared(SUITE).rglob("in.yaml"))
    assert len(files) > 300, "the YAML test suite is missing"
    accepted = 0
    for path in files:
        text = _text(path)
        if text is not None and _agree(text):
            accepted += 1
    assert accepted > 0  # some plain documents are in the subset; most are not


SNIPPETS = [
    " ", "  ", "-", "- ", ":", ": ", "#", " #", "'", '"', "''", "\\", '\\"', "\\n", "[", "]", "{", "}",
    ",", "\n", "\n  ", "\n    ", "?", "&a", "*a", "!", "!!str ", "|", ">", "%", "@", "`", "---", "...",
    "x: y", "1", "-1", "null", "~", "yes", ".nan", "0x1F", "1e3", "\u00a0", "é", "\u2028", "\x85", "\t",
    "key:", "a: b: c", "- a", "{a: b}", "[a, b]", "{a: [b, c]}", '"a, b"', "'it''s'", "a #b", "a#b",
    "\ufeff", "a:b", "- - x", "-5", "[]", "{}", "[a,]", "k" * 1100, "\u2029", "# \u2028x",
]  # fmt: skip

BASES = [
    (EXAMPLE / "plans" / "province" / "KH-1.yaml").read_text(encoding="utf-8"),
    (EXAMPLE / "plans" / "national" / "57-NQ-TW.yaml").read_text(encoding="utf-8"),
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(BASES)).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, len(lines) - 1))
        line = lines[k]
        op = draw(st.integers(0, 3))
        if op == 0:
            p = draw(st.integers(0, len(line)))
            lines[k] = line[:p] + draw(st.sampled_from(SNIPPETS)) + line[p:]
        elif op == 1 and line:
            p = draw(st.integers(0, len(line) - 1))
            lines[k] = line[:p] + line[p + draw(st.integers(1, 4)) :]
        elif op == 2:
            lines.insert(k, lines[draw(st.integers(0, len(lines) - 1))])
        else:
            lines[k] = " " * draw(st.integers(0, 6)) + line.lstrip(" ")
    return "\n".join(lines)


@settings(
    max_examples=int(os.environ.get("PLANCHECK_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated())
def test_mutated_plans_never_disagree(text: str) -> None:
    _agree(text)


LONG_KEY_CONTEXTS = [
    "{key}: 1\n",
    "a: {{{key}: 1}}\n",
    "a: [{{{key}: 1}}]\n",
    "a:\n  - {{b: 2, {key}: 1}}\n",
    "a:\n  b: {{c: {{{key}: x}}}}\n",
]


@pytest.mark.parametrize("length", [999, 1000, 1001, 1023, 1024, 1025, 1100, 5000])
@pytest.mark.parametrize("context", LONG_KEY_CONTEXTS)
def test_long_keys_read_alike(context: str, length: int) -> None:
    """YAML limits implicit keys to 1024 characters: the fast reader declined a 1,100-character
    key only in block mappings, and in a flow mapping gave data where the exact loader gives an
    error. Whatever each reader does, the result of `load_text` is the exact loader's."""
    from plancheck.yamlio import load_text

    text = context.format(key="k" * length)
    _agree(text)
    exact = load_events(text, "x.yaml")
    chosen = load_text(text, "x.yaml")
    assert _norm(chosen.data) == _norm(exact.data)
    assert [(f.code, f.line, f.column) for f in chosen.findings] == [
        (f.code, f.line, f.column) for f in exact.findings
    ]
