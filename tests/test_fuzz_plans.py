"""Property: however a valid plan is mangled, plancheck answers with well-placed findings.

Start from tests/example/plans/province/KH-1.yaml and apply one to four mutations: drop a key,
duplicate a key, retype a value (int, str, list, map, null, bool), swap two values, or insert a YAML
syntax character anywhere. Then run the loader, schema validation, every rule of the engine and
every reporter over a copy of the example tree (with its sources, so provenance runs too).

No exception may escape, and every finding must have 1 <= line <= lines in its file + 1 and
column >= 1.

150 examples by default; for a longer run set PLANCHECK_FUZZ_EXAMPLES (see CONTRIBUTING.md):

    PLANCHECK_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz_plans.py -q --hypothesis-show-statistics
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from plancheck.check.engine import run
from plancheck.config import Config
from plancheck.load.planset import load_planset
from plancheck.report import github, json_report, sarif, text

from .conftest import EXAMPLE

MAX_EXAMPLES = int(os.environ.get("PLANCHECK_FUZZ_EXAMPLES", "150"))
PLAN_REL = Path("plans") / "province" / "KH-1.yaml"
BASE = (EXAMPLE / PLAN_REL).read_text(encoding="utf-8")
SYNTAX = [*list(":[]{}&*!|>%@`"), "#", "'", '"', "-", "?", ",", "\t", "\n", " "]
RETYPED = [
    "42",
    "-7",
    "3.5",
    "1e999",
    '"text"',
    "text",
    "[1, 2]",
    "[]",
    "{a: 1}",
    "{}",
    "null",
    "~",
    "true",
    "''",
    ".nan",
    "2025-13-45",
    '">= 40"',
    "[[1]]",
    "{id: {x: [1]}}",
]

_BLOCK = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?P<key>[A-Za-z_]+):(?: (?P<value>.*))?$", re.M)
_FLOW = re.compile(r"(?P<sep>[{,] ?)(?P<key>[A-Za-z_]+): (?P<value>[^,{}\[\]\n]*)")


@dataclass(frozen=True)
class Pair:
    """A `key: value` in the text: block (one line) or inside a flow mapping."""

    flow: bool
    start: int  # where the pair starts (block: start of the line)
    key_start: int
    value_start: int
    value_end: int
    end: int  # block: end of the pair's whole block, children included (after the newline)
    indent: int  # block: column of the key
    dash: bool = False  # block: the key follows "- " (the first key of a list item)


def pairs(source: str) -> list[Pair]:
    out: list[Pair] = []
    for m in _BLOCK.finditer(source):
        key_col = len(m["indent"]) + (2 if m["dash"] else 0)
        end = m.end() + 1 if m.end() < len(source) else m.end()
        # children: following lines indented deeper than the key (or blank)
        while end < len(source):
            nl = source.find("\n", end)
            line = source[end : nl if nl >= 0 else len(source)]
            if line.strip() and len(line) - len(line.lstrip(" ")) <= key_col:
                break
            end = nl + 1 if nl >= 0 else len(source)
        vstart = m.start("value") if m["value"] is not None else m.end()
        out.append(Pair(False, m.start(), m.start("key"), vstart, m.end(), end, key_col, bool(m["dash"])))
    for m in _FLOW.finditer(source):
        out.append(
            Pair(True, m.start("key"), m.start("key"), m.start("value"), m.end("value"), m.end("value"), 0)
        )
    return out


def drop_key(source: str, p: Pair) -> str:
    if p.flow:
        # "{a: 1, b: 2}": drop "b: 2" with the separator before it, or "a: 1, " when it is first
        if source[p.end : p.end + 2] == ", ":
            return source[: p.start] + source[p.end + 2 :]
        before = source.rfind(",", 0, p.start)
        cut = before if before >= 0 and source[before : p.start].strip(", ") == "" else p.start
        return source[:cut] + source[p.end :]
    if p.dash:  # "  - key: value": keep the dash on the next sibling
        rest = source[p.end :]
        sibling = " " * p.indent
        if rest.startswith(sibling) and rest[len(sibling) : len(sibling) + 1].strip():
            return source[: p.key_start] + rest[len(sibling) :]
        return source[: p.key_start] + "{}\n" + rest  # it was the item's only key
    return source[: p.start] + source[p.end :]


def duplicate_key(source: str, p: Pair) -> str:
    if p.flow:
        return source[: p.end] + ", " + source[p.key_start : p.end] + source[p.end :]
    block = source[p.start : p.end]
    if p.dash:  # a dashed first key: repeat it without the dash
        block = " " * p.indent + source[p.key_start : p.end]
    if not block.endswith("\n"):
        block = "\n" + block
    return source[: p.end] + block + source[p.end :]


def retype(source: str, p: Pair, value: str) -> str:
    if not p.flow and p.value_start == p.value_end:  # a parent key: replace its children too
        return source[: p.value_start] + " " + value + "\n" + source[p.end :]
    return source[: p.value_start] + value + source[p.value_end :]


def swap(source: str, a: Pair, b: Pair) -> str:
    if a.value_start > b.value_start:
        a, b = b, a
    if a.value_end > b.value_start:  # nested spans: nothing sensible to swap
        return source
    va, vb = source[a.value_start : a.value_end], source[b.value_start : b.value_end]
    return source[: a.value_start] + vb + source[a.value_end : b.value_start] + va + source[b.value_end :]


@st.composite
def mutated_plans(draw: st.DrawFn) -> str:
    source = BASE
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        found = pairs(source)
        kind = draw(st.sampled_from(["drop", "duplicate", "retype", "swap", "syntax"]))
        if kind == "syntax" or not found:
            at = draw(st.integers(min_value=0, max_value=len(source)))
            source = source[:at] + draw(st.sampled_from(SYNTAX)) + source[at:]
            continue
        p = draw(st.sampled_from(found))
        if kind == "drop":
            source = drop_key(source, p)
        elif kind == "duplicate":
            source = duplicate_key(source, p)
        elif kind == "retype":
            source = retype(source, p, draw(st.sampled_from(RETYPED)))
        else:
            source = swap(source, p, draw(st.sampled_from(found)))
    return source


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(EXAMPLE / "plans", root / "plans")
    shutil.copytree(EXAMPLE / "sources", root / "sources")
    return root


def _line_count(file: Path) -> int:
    return file.read_bytes().count(b"\n") + 1


def check_plan_text(root: Path, source: str) -> None:
    (root / PLAN_REL).write_text(source, encoding="utf-8")
    planset, requested = load_planset([root / "plans"], sources=root / "sources")
    result = run(planset, requested, Config())
    lines: dict[Path, int] = {}
    for f in result.findings:
        file = Path(f.path) if Path(f.path).is_absolute() else Path.cwd() / f.path
        if file not in lines:
            lines[file] = _line_count(file) if file.is_file() else 1
        assert 1 <= f.line <= lines[file] + 1, (f, lines[file])
        assert f.column >= 1, f
    # every reporter must cope with whatever the findings say
    json.loads(json_report.render(result.findings, result.counts))
    text.render(Console(file=io.StringIO(), width=100), result.findings, result.counts, 4)
    github.render(result.findings, None)
    json.loads(sarif.render(result.findings))


def test_base_plan_is_valid(tree: Path) -> None:
    check_plan_text(tree, BASE)
    planset, _ = load_planset([tree / "plans"])
    assert "province/KH-1" in planset.plans
    assert len(pairs(BASE)) > 40  # the mutators see block and flow keys


@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=mutated_plans())
@example(source=BASE.replace('bound: "62..65"', 'bound: "65..62"'))
@example(source=BASE.replace("year: 2030", "year: [[[]]]", 1))
@example(source=BASE.replace("targets:", "targets: &a", 1).replace("tasks:", "tasks: *a"))
@example(source=BASE + "\n" + BASE)
@example(source=BASE.replace("\n", "\n\t", 3))
def test_mutated_plan_never_escapes(tree: Path, source: str) -> None:
    check_plan_text(tree, source)
