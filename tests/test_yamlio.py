"""The YAML loader against an independent reader: ruamel.yaml's own round-trip loader.

Whenever `load_text` accepts a text (no finding), its data and every position must equal what
ruamel's pure-Python round-trip parser composes from the same text: on the bundled plans,
generated national plans, the YAML test suite, the hostile inputs and mutated plans. The same loop
must work, and read alike, on ruamel's pure-Python parser when libyaml's is not installed.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from plancheck.load import yamlio
from plancheck.load.yamlio import DEFAULT_MAX_NODES, Loaded, load_bytes, load_text
from plancheck.load.yamlscalars import resolve_plain
from plancheck.load.yamltext import KeyPath, Pos, decode, hide_separators

from .conftest import EXAMPLE, REPO, SHARED, need_shared
from .hostile import generators as gen

SUITE = SHARED / "corpora" / "yaml-test-suite"


def _norm(value: Any) -> Any:
    """Comparable form: types kept (1 is not 1.0 nor True), NaN equal to itself, key order kept."""
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    if isinstance(value, dict):
        return ("dict", [(k, _norm(v)) for k, v in value.items()])
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):  # a PlainInt is an int written another way (see below)
        return ("int" if isinstance(value, int) else "float", value)
    return (type(value).__name__, value)


class Reference:
    """Data and positions as ruamel's round-trip parser reads a text."""

    def __init__(self, text: str) -> None:
        self.positions: dict[KeyPath, Pos] = {}
        self.keys: dict[KeyPath, Pos] = {}
        # Where an empty scalar (a null written as nothing) is, the two parsers differ: libyaml
        # places it just after its indicator (``c:`` of ``c:\n``), ruamel at the next token
        # (the line below). Those positions are compared by presence only.
        self.empty: set[KeyPath] = set()
        self.empty_keys: set[KeyPath] = set()
        # the reference is a YAML 1.1 reader on this point too: U+2028 and kin end its lines
        self.hidden, self.back = hide_separators(text)
        root = YAML(typ="rt", pure=True).compose(self.hidden)
        self.data = None if root is None else self._build(root, ())

    def _build(self, node: Node, path: KeyPath) -> Any:
        self.positions[path] = _at(node)
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = key_node.value.translate(self.back)
                self.keys[(*path, key)] = _at(key_node)
                if key_node.value == "" and key_node.style is None:
                    self.empty_keys.add((*path, key))
                out[key] = self._build(value_node, (*path, key))
            return out
        if isinstance(node, SequenceNode):
            return [self._build(item, (*path, i)) for i, item in enumerate(node.value)]
        value = node.value.translate(self.back)
        if node.style == ">":  # the round-trip parser marks where it folded a line, with BEL
            value = value.replace("\a", "")
        tagged = self.hidden.startswith("!", node.start_mark.index)  # a tagged node starts at its tag
        if node.style is None and not tagged:
            if value == "":
                self.empty.add(path)
            return resolve_plain(value)
        return value


def _at(node: Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _reference(text: str) -> Reference | None:
    """The reference reading of ``text``, or None when ruamel's round-trip parser refuses it."""
    try:
        return Reference(text)
    except (YAMLError, NotImplementedError):  # NotImplementedError: its comment handling, on odd input
        return None


def _accepted(loaded: Loaded) -> bool:
    return loaded.data is not None and not loaded.findings


def _without(positions: dict[KeyPath, Pos], paths: set[KeyPath]) -> dict[KeyPath, Pos]:
    return {k: v for k, v in positions.items() if k not in paths}


def _check(text: str, loaded: Loaded | None = None, *, reference_reads: bool = True) -> bool:
    """True when the loader accepts ``text``; fails when it then disagrees with the reference.

    ``reference_reads=False`` allows texts that ruamel's parser refuses where libyaml does not
    (tabs, some block scalars); those cannot be compared.
    """
    loaded = loaded if loaded is not None else load_text(text, "x.yaml")
    for finding in loaded.findings:
        assert finding.code.startswith("PC0") and finding.line >= 1 and finding.column >= 1, finding
    if not _accepted(loaded):
        return False
    ref = _reference(text)
    if ref is None:
        assert not reference_reads, "the loader accepted a text ruamel's round-trip parser refuses"
        return True
    assert _norm(loaded.data) == _norm(ref.data)
    assert loaded.positions.keys() == ref.positions.keys()
    positions, keys = (
        _as_reference_counts(text, loaded.positions),
        _as_reference_counts(text, loaded.key_positions),
    )
    assert _without(positions, ref.empty) == _without(ref.positions, ref.empty)
    assert loaded.key_positions.keys() == ref.keys.keys()
    assert _without(keys, ref.empty_keys) == _without(ref.keys, ref.empty_keys)
    return True


def _as_reference_counts(text: str, positions: dict[KeyPath, Pos]) -> dict[KeyPath, Pos]:
    """Columns as ruamel's pure-Python reader counts them: it skips U+FEFF inside a line.

    The loader counts it, as libyaml and editors do (an editor's cursor steps over it), so a
    position after an inner U+FEFF is one column further on than the reference says.
    """
    if "\ufeff" not in text[1:]:
        return positions
    lines = re.split(r"\r\n|\r|\n", text[1:] if text.startswith("\ufeff") else text)
    out = {}
    for path, (line, col) in positions.items():
        before = lines[line - 1][: col - 1] if line <= len(lines) else ""
        out[path] = (line, col - before.count("\ufeff"))
    return out


def _text(path: Path) -> str:
    text, problems = decode(path.read_bytes(), str(path))
    assert text is not None, problems
    return text


PLAN_FILES = sorted((REPO / "plans").rglob("*.yaml")) + sorted((EXAMPLE / "plans").rglob("*.yaml"))


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_bundled_plans_read_as_the_reference_reads_them(path: Path) -> None:
    assert _check(_text(path)), load_text(_text(path), "x.yaml").findings


def test_generated_national_plans_read_as_the_reference_reads_them(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    generate.generate(tmp_path, provinces=1, communes=3, seed=5, plant=0)
    # the catalogue and national plans are copies of the bundled ones, compared above
    files = sorted(tmp_path.glob("p*/**/*.yaml"))
    assert len(files) >= 4
    for path in files:
        assert _check(_text(path)), path


def test_yaml_test_suite_reads_as_the_reference_reads_it() -> None:
    files = sorted(need_shared(SUITE).rglob("in.yaml"))
    assert len(files) > 300, "the YAML test suite is missing"
    accepted = 0
    unread: set[str] = set()
    for path in files:
        loaded = load_bytes(path.read_bytes(), "x.yaml")
        text, _ = decode(path.read_bytes(), "x.yaml")
        if text is not None and _check(text, loaded, reference_reads=False):
            accepted += 1
            if _reference(text) is None:
                unread.add(path.parent.name)
    assert accepted > 150  # most single plain documents; not anchors, tags, streams or errors
    assert unread <= REFERENCE_REFUSES, sorted(unread - REFERENCE_REFUSES)


# Valid YAML that libyaml (and so the loader) reads and ruamel's pure-Python parser refuses.
REFERENCE_REFUSES = {
    # a tab where YAML 1.2 allows one as separation ("while scanning for the next token")
    "05", "DC7X", "HS5T", "J3BT", "K54U", "NB6Z", "UV7Q",
    # a block scalar whose first lines are empty and less indented than a later one
    "4QFQ", "DWX9", "S98Z", "T26H", "X4QW",
    # comments between an explicit key and its value ("overlap in comment")
    "P94K",
}  # fmt: skip


# What the loader must say about each hostile input (tests/hostile/generators.py): the code and
# position of its first finding, or None where the file is a plan the loader reads as the
# reference does.
HOSTILE: dict[str, tuple[str, int, int] | str | None] = {
    "alias-bomb.yaml": ("PC005", 1, 5),
    "deep-flow.yaml": ("PC009", 1, 73),
    "deep-block.yaml": ("PC009", 2, 127),
    "deep-block-mapping.yaml": ("PC009", 65, 65),  # the 65th mapping, at its first key
    "random.yaml": ("PC003", 1, 2),
    "random-text.yaml": ("PC001", 1, 2),
    "utf16.yaml": ("PC003", 1, 1),
    "utf16-le.yaml": ("PC003", 1, 1),
    "latin1.yaml": ("PC003", 5, 17),  # the é of "été"
    "nul.yaml": ("PC003", 5, 18),
    "bom.yaml": None,
    "yaml11.yaml": ("PC010", 1, 1),
    "tag-python.yaml": ("PC006", 7, 11),
    "tag-binary.yaml": ("PC006", 5, 10),
    "tag-custom.yaml": ("PC006", 6, 11),
    "multi.yaml": ("PC007", 18, 1),
    "huge-int.yaml": None,
    "nan.yaml": None,
    "inf.yaml": None,
    "date-quoted.yaml": None,
    "date-plain.yaml": None,
    "long-label.yaml": None,
    "many-targets.yaml": ("PC004", 1, 1),  # 12 MB: refused before it is read
    "self.yaml": None,
    "passwd.yaml": None,
    # read, and not compared: the pure-Python reference takes 20 s on each of these 1 MB files
    "same-parent.yaml": "read",
    "same-child.yaml": "read",
    "duplicate-parent.yaml": "read",
    "control-text.yaml": None,
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    assert gen.main([str(out)]) == 0
    return out / "hostile"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_inputs(hostile: Path, name: str) -> None:
    raw = (hostile / name).read_bytes()
    loaded = load_bytes(raw, name)
    expected = HOSTILE[name]
    if expected == "read":
        assert _accepted(loaded), loaded.findings[:3]
        return
    if expected is None:
        text, _ = decode(raw, name)
        assert text is not None and _check(text, loaded), loaded.findings[:3]
        return
    assert isinstance(expected, tuple)
    assert [(f.code, f.line, f.column) for f in loaded.findings[:1]] == [expected]
    if expected[0] == "PC010":  # only a warning: the data is read, and read right
        text, _ = decode(raw, name)
        ref = _reference(text or "")
        assert ref is not None and [f.code for f in loaded.findings] == ["PC010"]
        assert _norm(loaded.data) == _norm(ref.data)
        assert (loaded.positions, loaded.key_positions) == (ref.positions, ref.keys)
    else:
        assert not loaded.ok


def test_hostile_chain_reads_as_the_reference_reads_it(hostile: Path) -> None:
    files = sorted((hostile / "chain").glob("*.yaml"))
    assert len(files) == 1000
    for path in files[:50]:
        assert _check(_text(path)), path


SNIPPETS = [
    " ", "  ", "-", "- ", ":", ": ", "#", " #", "'", '"', "''", "\\", '\\"', "\\n", "[", "]", "{", "}",
    ",", "\n", "\n  ", "\n    ", "?", "&a", "*a", "!", "!!str ", "|", ">", "%", "@", "`", "---", "...",
    "x: y", "1", "-1", "null", "~", "yes", ".nan", "0x1F", "1e3", "\u00a0", "é", "\u2028", "\x85", "\t",
    "key:", "a: b: c", "- a", "{a: b}", "[a, b]", "{a: [b, c]}", '"a, b"', "'it''s'", "a #b", "a#b",
    "\ufeff", "a:b", "- - x", "-5", "[]", "{}", "[a,]", "k" * 1100, "\u2029", "# \u2028x", "\x01", "😀",
    "\r", "\r\n", "!foo ", "? ", "-.5", "1_000", "+0x1F", "\ue000",
]  # fmt: skip

BASES = [
    (EXAMPLE / "plans" / "province" / "KH-1.yaml").read_text(encoding="utf-8"),
    (EXAMPLE / "plans" / "national" / "57-NQ-TW.yaml").read_text(encoding="utf-8"),
    # a real plan, cut to its head and first targets and tasks so that an example stays fast
    "\n".join(
        (REPO / "plans" / "haiphong" / "142-KH-UBND.yaml").read_text(encoding="utf-8").split("\n")[:120]
    ),
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
@example("id: x\nnote: -.5\nn: [1_000, +0x1F, '\u2028', \"\u2029\", \ue000]\n# \u2028 \x85\nlast: 1\n")
def test_mutated_plans_read_as_the_reference_reads_them(text: str) -> None:
    _check(text, reference_reads=False)


LONG_KEY_CONTEXTS = [
    "{key}: 1\n",
    "a: {{{key}: 1}}\n",
    "a: [{{{key}: 1}}]\n",
    "a:\n  - {{b: 2, {key}: 1}}\n",
    "a:\n  b: {{c: {{{key}: x}}}}\n",
]


@pytest.mark.parametrize("length", [999, 1000, 1001, 1023, 1024, 1025, 1100, 5000])
@pytest.mark.parametrize("context", LONG_KEY_CONTEXTS)
def test_long_keys(context: str, length: int) -> None:
    """YAML limits implicit keys to 1024 characters: up to it the key is read, with its position;
    beyond it the file is a syntax error at a position, in block and flow mappings alike."""
    text = context.format(key="k" * length)
    loaded = load_text(text, "x.yaml")
    if length <= 1024:
        assert _check(text, loaded), loaded.findings
    else:
        assert [f.code for f in loaded.findings] == ["PC001"]
        assert loaded.data is None


def test_resolve_plain_is_the_yaml_12_core_schema() -> None:
    cases: list[tuple[str, Any]] = [
        ("", None), ("~", None), ("null", None), ("NULL", None), ("true", True), ("False", False),
        ("1", 1), ("-1", -1), ("+7", 7), ("0o17", 15), ("0x1F", 31), ("1e3", 1000.0), (".5", 0.5),
        ("-.5", -0.5), ("2.", 2.0), (".inf", math.inf), ("-.Inf", -math.inf),
        ("yes", "yes"), ("on", "on"), ("2025-06-09", "2025-06-09"), ("1_000", "1_000"),
        ("0b101", "0b101"), ("+0x1F", "+0x1F"), ("nan", "nan"), ("9" * 61, "9" * 61), ("Tỷ lệ", "Tỷ lệ"),
    ]  # fmt: skip
    for text, value in cases:
        assert _norm(resolve_plain(text)) == _norm(value), text
    assert math.isnan(resolve_plain(".NaN"))
    # a number not written in plain decimal digits keeps its text, for years and bounds to refuse
    for text in ("+7", "0o17", "0x1F", "007", "1e3", ".5", "2.", "39.99999999999999999"):
        assert getattr(resolve_plain(text), "yaml_text", None) == text, text
    assert not hasattr(resolve_plain("2030"), "yaml_text") and type(resolve_plain("2030")) is int


# ---- positions the loader must get right where libyaml alone does not ----


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_yaml_12_line_separators_are_text(separator: str) -> None:
    text = f'a: "x{separator}y" # c{separator}d\nb: \'p{separator}q\'\nc: [1, "{separator}"]\nd: 2\n'
    loaded = load_text(text, "x.yaml")
    assert loaded.ok, loaded.findings
    assert loaded.data == {"a": f"x{separator}y", "b": f"p{separator}q", "c": [1, separator], "d": 2}
    assert loaded.positions[("d",)] == (4, 4)
    assert loaded.positions[("c", 1)] == (3, 8)
    assert _check(text, loaded)


def test_separators_beside_private_use_characters() -> None:
    """The stand-ins for the separators are private-use characters the text does not hold."""
    text = 'a: "\ue000\ue001\u2028"\nb: 1\n'
    loaded = load_text(text, "x.yaml")
    assert loaded.data == {"a": "\ue000\ue001\u2028", "b": 1}
    assert loaded.positions[("b",)] == (2, 4)


def test_bom_is_not_part_of_the_text() -> None:
    text = "id: x\nlabel: Tỷ lệ\n"
    plain = load_bytes(text.encode(), "x.yaml")
    with_bom = load_bytes(b"\xef\xbb\xbf" + text.encode(), "x.yaml")
    assert plain.ok and with_bom.ok
    assert (with_bom.data, with_bom.positions, with_bom.key_positions) == (
        plain.data,
        plain.positions,
        plain.key_positions,
    )


def test_columns_count_characters_not_bytes() -> None:
    text = 'tên: "Tỷ lệ 😀"\nsố: [😀, Hà Nội, 3]\n'
    loaded = load_text(text, "x.yaml")
    assert loaded.positions[("số", 2)] == (2, 17)  # 17 characters in, 24 bytes
    assert loaded.key_positions[("số",)] == (2, 1)
    assert _check(text, loaded)


def test_control_character_is_placed_where_it_is() -> None:
    """libyaml gives the offset of a character it refuses in bytes of UTF-8; the finding was
    placed by that offset read as characters, lines away after Vietnamese text."""
    text = 'tiêu đề: Kế hoạch số hóa\nghi chú: "x\x01"\nn: 1\n'
    loaded = load_text(text, "x.yaml")
    assert [(f.code, f.line, f.column) for f in loaded.findings] == [("PC001", 2, 12)]
    assert "control characters" in loaded.findings[0].message


def test_invalid_utf8_is_placed_by_characters() -> None:
    raw = "a: Tỷ lệ\nb: ".encode() + b"\xff\n"
    loaded = load_bytes(raw, "x.yaml")
    assert [(f.code, f.line, f.column) for f in loaded.findings] == [("PC003", 2, 4)]
    assert "byte 0xff at offset 16" in loaded.findings[0].message


def test_tabs() -> None:
    loaded = load_text('a:\t1\nb: "\tx"\n', "x.yaml")
    assert loaded.data == {"a": 1, "b": "\tx"}
    assert loaded.positions[("a",)] == (1, 4)
    indented = load_text("a:\n\tb: 1\n", "x.yaml")
    assert [(f.code, f.line, f.column) for f in indented.findings] == [("PC001", 2, 1)]


def test_duplicate_key_keeps_the_first_value() -> None:
    loaded = load_text("a: 1\nb: {x: 2}\na: {y: 3}\n", "x.yaml")
    assert [(f.code, f.line, f.column, f.message) for f in loaded.findings] == [
        ("PC002", 3, 1, "duplicate key 'a' (first at line 1)")
    ]
    assert loaded.data == {"a": 1, "b": {"x": 2}}
    assert loaded.positions[("a",)] == (1, 4)


def test_node_limit_is_counted_before_reading_on() -> None:
    text = "a: [" + "1, " * 20 + "1]\n"
    loaded = load_text(text, "x.yaml", max_nodes=10)
    assert [(f.code, f.line, f.column) for f in loaded.findings] == [
        ("PC004", 1, 26)
    ]  # the 11th node: the 8th item
    assert loaded.data is None
    assert load_text(text, "x.yaml", max_nodes=DEFAULT_MAX_NODES).ok


# ---- without libyaml: ruamel's pure-Python parser through the same loop ----


def _outcome(loaded: Loaded) -> tuple[Any, ...]:
    return (
        _norm(loaded.data),
        loaded.positions,
        loaded.key_positions,
        [(f.code, f.line, f.column) for f in loaded.findings],
    )


PURE_CASES = [
    "id: x\nlabel: Tỷ lệ\nn: [1, 2.5, null, yes]\n",
    "a: &x 1\n",
    "a: *x\n",
    "a: !!python/object:os.system x\n",
    "%YAML 1.1\n---\na: yes\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\na: 2\n",
    "? [a]\n: 1\n",
    "~\n",
    "a: [1\n",
    'a: "x\u2028y"\nb: 1\n',
]


def test_pure_python_parser_reads_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [*PURE_CASES, *(_text(path) for path in PLAN_FILES)]
    with_c = [_outcome(load_text(text, "x.yaml")) for text in texts]
    monkeypatch.setattr(yamlio, "_CParser", None)
    pure = [_outcome(load_text(text, "x.yaml")) for text in texts]
    assert pure == with_c


def test_without_the_c_extension(tmp_path: Path) -> None:
    """A Python without ruamel.yaml.clib: the loader imports and reads plans with the pure parser."""
    plan = EXAMPLE / "plans" / "province" / "KH-1.yaml"
    script = (
        "import sys, json\n"
        "sys.modules['_ruamel_yaml'] = None\n"
        "sys.modules['_ruamel_yaml_clibz'] = None\n"
        "from plancheck.load import yamlio\n"
        "loaded = yamlio.load_bytes(open(sys.argv[1], 'rb').read(), 'x.yaml')\n"
        "broken = yamlio.load_text('a: [1\\n', 'x.yaml')\n"
        "print(json.dumps({'parser': yamlio.PARSER, 'data': loaded.data,\n"
        "    'positions': [[list(k), v] for k, v in loaded.positions.items()],\n"
        "    'broken': [[f.code, f.line, f.column] for f in broken.findings]}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(plan)], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    got = json.loads(done.stdout)
    assert yamlio.PARSER == "libyaml"
    assert got["parser"] == "python"
    with_c = load_bytes(plan.read_bytes(), "x.yaml")
    assert got["data"] == json.loads(json.dumps(with_c.data))
    assert got["positions"] == [[list(k), list(v)] for k, v in with_c.positions.items()]
    assert got["broken"] == [[f.code, f.line, f.column] for f in load_text("a: [1\n", "x.yaml").findings]


def test_an_inner_byte_order_mark_counts_as_a_column() -> None:
    """Found by the fuzz test in CI: after a U+FEFF inside a line, columns count it, as editors do."""
    text = "a: 1\ni\ufeffd: x\n"
    loaded = load_text(text, "x.yaml")
    assert _accepted(loaded) and loaded.data == {"a": 1, "i\ufeffd": "x"}
    assert loaded.positions[("i\ufeffd",)] == (2, 6)
    assert _check(text, loaded)


@pytest.mark.parametrize("text", ["%YAML 1.3\n---\na: 1\n", 'a: "\\UFFFFFFFF"\n'])
def test_the_pure_python_parser_fails_as_a_finding(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ruamel.yaml.clib (a supported install) these ended in an internal error."""
    monkeypatch.setattr(yamlio, "_CParser", None)
    loaded = load_text(text, "x.yaml")
    assert [f.code for f in loaded.findings] == ["PC001"] and loaded.data is None
