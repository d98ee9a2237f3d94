"""Safe YAML loading that keeps the position of every key and value.

The tree is built from parser events, not with a YAML constructor, so that:
- no tag can construct a Python object (tags are rejected);
- anchors and aliases are rejected, so an alias bomb costs nothing;
- plain scalars resolve by the YAML 1.2 core schema only: ``2025-06-09`` stays text (the
  models parse dates), ``yes``/``no``/``on`` stay text;
- nesting depth and file size are capped before any work is done, and so is the number of
  nodes (keys, items, scalars), which bounds the time and memory of everything after parsing;
- duplicate keys are findings, not silent overwrites.

Positions are 1-based ``(line, column)`` keyed by the path of keys and indices from the root.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from plancheck.findings import Finding

Path = tuple[str | int, ...]
Pos = tuple[int, int]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_DEPTH = 64
# Nodes per file at the default max-file-size. The largest real plan (174 KB) has about 10,000; a
# 5 MB file of `[1,1,1,...]` has 2.6 million, which took 23 s and 3 GB to load and validate.
DEFAULT_MAX_NODES = 100_000
_MAX_INT_DIGITS = 60  # a plan never needs more; Python refuses int() of > 4300 digits anyway

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)$")
_NAN = re.compile(r"^\.(nan|NaN|NAN)$")


@dataclass(slots=True)
class Loaded:
    """A parsed YAML file: its data (None when unusable), positions and input findings."""

    data: Any
    positions: dict[Path, Pos] = field(default_factory=dict)
    key_positions: dict[Path, Pos] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.data is not None and not any(f.severity == "error" for f in self.findings)

    def locate(self, loc: Path, *, prefer_key: bool = False) -> Pos:
        """Position of the deepest existing node along ``loc`` (parts not in the data are skipped)."""
        path: Path = ()
        best = self.positions.get((), (1, 1))
        best_key: Pos | None = None
        for part in loc:
            candidate = (*path, part)
            if candidate in self.positions:
                path = candidate
                best = self.positions[candidate]
                best_key = self.key_positions.get(candidate)
        if prefer_key and best_key is not None:
            return best_key
        return best


def resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema for plain scalars; everything else stays a string."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        digits = text.lstrip("+-")
        if len(digits) > _MAX_INT_DIGITS:
            return text  # kept as text: the schema then says which number it expected
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8) if len(text) <= _MAX_INT_DIGITS else text
    if _HEX.match(text):
        return int(text[2:], 16) if len(text) <= _MAX_INT_DIGITS else text
    if _FLOAT.match(text) and len(text) <= _MAX_INT_DIGITS:
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def _line_col(text: str, index: int) -> Pos:
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return line, index - start + 1


def decode(raw: bytes, path: str) -> tuple[str | None, list[Finding]]:
    """Decode UTF-8 (with or without a BOM); anything else is a positioned finding."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Finding.make("PC003", path, 1, 1, "file is UTF-16; save it as UTF-8")]
    if b"\x00" in raw[:4]:  # "i\0d\0" or "\0i\0d": text saved as UTF-16 without a byte order mark
        return None, [Finding.make("PC003", path, 1, 1, "file looks like UTF-16 (no BOM); save it as UTF-8")]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = _line_col(good, len(good))
        return None, [
            Finding.make(
                "PC003",
                path,
                line,
                col,
                f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not UTF-8; save the file as UTF-8",
            )
        ]
    nul = text.find("\x00")
    if nul >= 0:
        line, col = _line_col(text, nul)
        return None, [Finding.make("PC003", path, line, col, "NUL byte in a text file")]
    return text, []


# YAML 1.2 reads U+2028, U+2029 and U+0085 as ordinary characters; the C parser still follows
# YAML 1.1, where they end a line, so a comment or a quoted string holding one shifted every
# later line number (or broke the file). They are swapped for private-use characters the text
# does not hold, which the parser takes as ordinary, and swapped back in every value.
_SEPARATORS = ("\u2028", "\u2029", "\x85")
_PRIVATE_RANGES = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
_PRIVATE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def _hide_separators(text: str) -> tuple[str, dict[int, int]]:
    """``text`` with the YAML 1.1 line breaks swapped out, and the table that swaps them back."""
    if not any(sep in text for sep in _SEPARATORS):
        return text, {}
    used = set(_PRIVATE.findall(text))  # one pass, however many private-use characters it holds
    candidates = (chr(c) for start, end in _PRIVATE_RANGES for c in range(start, end + 1))
    free = [c for c in itertools.islice((c for c in candidates if c not in used), len(_SEPARATORS))]
    if len(free) < len(_SEPARATORS):  # every private-use character is taken: read as YAML 1.1
        return text, {}
    stand_ins = {ord(sep): ord(c) for sep, c in zip(_SEPARATORS, free, strict=True)}
    return text.translate(stand_ins), {v: k for k, v in stand_ins.items()}


def _parser_events(text: str) -> Iterator[Any]:
    try:
        yaml = YAML(typ="safe", pure=False)
    except Exception:  # pragma: no cover - the C extension is optional
        yaml = YAML(typ="safe", pure=True)
    return iter(yaml.parse(text))


class _Stop(Exception):
    """Raised inside the event loop when the file is unusable; the finding is already recorded."""


def load_text(
    text: str, path: str, *, max_depth: int = DEFAULT_MAX_DEPTH, max_nodes: int = DEFAULT_MAX_NODES
) -> Loaded:
    """Build the data tree and positions from ``text``; ``path`` is used in findings only.

    Plain plan files take the fast line reader (several times faster); anything it does not
    accept, and every file with a problem, takes the exact event loader.
    """
    from plancheck.yamlfast import fast_load  # imported here: yamlfast builds on this module

    if max_depth >= DEFAULT_MAX_DEPTH:
        fast = fast_load(text, max_nodes=max_nodes)
        if fast is not None:
            return fast
    return load_events(text, path, max_depth=max_depth, max_nodes=max_nodes)


def load_events(
    text: str, path: str, *, max_depth: int = DEFAULT_MAX_DEPTH, max_nodes: int = DEFAULT_MAX_NODES
) -> Loaded:
    """The exact loader: the data tree and positions built from the C parser's events."""
    out = Loaded(data=None)
    findings = out.findings

    def at(mark: Any) -> Pos:
        return (mark.line + 1, mark.column + 1)

    # Each frame: [container, path, pending_key or None, expecting_key(bool)]
    stack: list[list[Any]] = []
    root: Any = None
    have_root = False
    documents = 0
    nodes = 0
    # sentinel for keys that are not scalars: kept apart so they never match a field name
    bad_key = object()

    def attach(value: Any, pos: Pos, is_key_scalar: str | None) -> Path | None:
        """Attach a finished value to its parent; returns the value's path (None for keys)."""
        nonlocal root, have_root
        if not stack:
            root = value
            have_root = True
            out.positions[()] = pos
            return ()
        frame = stack[-1]
        container, cpath = frame[0], frame[1]
        if isinstance(container, list):
            index = len(container)
            container.append(value)
            vpath = (*cpath, index)
            out.positions[vpath] = pos
            return vpath
        if frame[3]:  # expecting a key
            frame[3] = False
            if is_key_scalar is None:
                findings.append(Finding.make("PC001", path, *pos, "a mapping key must be plain text"))
                frame[2] = (bad_key, pos)
                return None
            if is_key_scalar in container:
                first = out.key_positions.get((*cpath, is_key_scalar), pos)
                findings.append(
                    Finding.make(
                        "PC002",
                        path,
                        *pos,
                        f"duplicate key {is_key_scalar!r} (first at line {first[0]})",
                        ctx={"key": is_key_scalar, "first_line": first[0]},
                    )
                )
                frame[2] = (bad_key, pos)
                return None
            frame[2] = (is_key_scalar, pos)
            return None
        key, kpos = frame[2]
        frame[2] = None
        frame[3] = True
        if key is bad_key:
            return None
        container[key] = value
        vpath = (*cpath, key)
        out.key_positions[vpath] = kpos
        out.positions[vpath] = pos
        return vpath

    def child_path() -> Path:
        if not stack:
            return ()
        frame = stack[-1]
        if isinstance(frame[0], list):
            return (*frame[1], len(frame[0]))
        if frame[3] or frame[2] is None or frame[2][0] is bad_key:
            return (*frame[1], "?")
        return (*frame[1], frame[2][0])

    parsed, back = _hide_separators(text)

    def restore(value: str) -> str:
        return value.translate(back) if back else value

    try:
        for event in _parser_events(parsed):
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    findings.append(
                        Finding.make(
                            "PC007",
                            path,
                            *at(event.start_mark),
                            "more than one YAML document in a plan file; keep one plan per file",
                        )
                    )
                    raise _Stop
                version = getattr(event, "version", None)
                if version is not None and tuple(version) != (1, 2):
                    findings.append(
                        Finding.make(
                            "PC010",
                            path,
                            *at(event.start_mark),
                            f"%YAML {version[0]}.{version[1]} directive ignored: plancheck reads YAML 1.2 "
                            "(yes/no/on/off are text, dates are text)",
                        )
                    )
                continue
            if isinstance(event, AliasEvent):
                findings.append(
                    Finding.make(
                        "PC005",
                        path,
                        *at(event.start_mark),
                        f"alias *{restore(event.anchor)} not allowed: write the value out in full",
                    )
                )
                raise _Stop
            if isinstance(event, ScalarEvent | CollectionStartEvent):
                if event.anchor is not None:
                    findings.append(
                        Finding.make(
                            "PC005",
                            path,
                            *at(event.start_mark),
                            f"anchor &{restore(event.anchor)} not allowed: plan files do not use anchors or aliases",
                        )
                    )
                    raise _Stop
                tag = event.tag
                if tag is not None and not (
                    isinstance(event, ScalarEvent) and tag in ("!", "tag:yaml.org,2002:str")
                ):
                    findings.append(
                        Finding.make(
                            "PC006",
                            path,
                            *at(event.start_mark),
                            f"tag {restore(tag)} not allowed in plan files",
                        )
                    )
                    raise _Stop
            if isinstance(event, ScalarEvent | CollectionStartEvent):
                nodes += 1
                if nodes > max_nodes:
                    findings.append(
                        Finding.make(
                            "PC004",
                            path,
                            *at(event.start_mark),
                            f"file holds more than {max_nodes:,} keys and values; real plans hold a few "
                            "thousand (raising max-file-size raises this limit in proportion)",
                            ctx={"nodes": nodes, "limit": max_nodes},
                        )
                    )
                    raise _Stop
            if isinstance(event, ScalarEvent):
                pos = at(event.start_mark)
                scalar = restore(event.value)
                expecting_key = bool(stack) and isinstance(stack[-1][0], dict) and stack[-1][3]
                if expecting_key:
                    attach(scalar, pos, scalar)
                    continue
                plain = event.style in (None, "") and event.tag is None
                value = resolve_plain(scalar) if plain else scalar
                attach(value, pos, None)
            elif isinstance(event, MappingStartEvent | SequenceStartEvent):
                pos = at(event.start_mark)
                if len(stack) >= max_depth:
                    findings.append(
                        Finding.make("PC009", path, *pos, f"nesting deeper than {max_depth} levels")
                    )
                    raise _Stop
                is_key = bool(stack) and isinstance(stack[-1][0], dict) and stack[-1][3]
                container: Any = {} if isinstance(event, MappingStartEvent) else []
                cpath = child_path()
                stack.append([container, cpath, None, True, pos, is_key])
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                frame = stack.pop()
                container, _cpath, _k, _e, pos, is_key = frame
                if is_key:
                    attach(container, pos, None)  # records "a mapping key must be plain text"
                else:
                    attach(container, pos, None)
    except _Stop:
        return out
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = at(mark) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        problem += _syntax_hint(text, line)
        findings.append(Finding.make("PC001", path, line, col, f"YAML syntax error: {problem}"))
        return out
    except YAMLError as exc:
        position = getattr(exc, "position", None)
        line, col = _line_col(text, position) if isinstance(position, int) else (1, 1)
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        findings.append(Finding.make("PC001", path, line, col, f"YAML error: {reason}"))
        return out
    if not have_root or root is None:
        findings.append(Finding.make("PC008", path, 1, 1, "the file holds no data"))
        return out
    out.data = root
    return out


_UNQUOTED_OPERATOR = re.compile(r"^\s*(?:-\s+)?[\w-]+:\s*[<>]")


def _syntax_hint(text: str, line: int) -> str:
    """What the common slip behind a syntax error is: ``bound: > 80`` unquoted, where YAML reads
    ``>`` as the start of a folded block."""
    lines = text.splitlines()
    for number in (line, line - 1):
        if 1 <= number <= len(lines) and _UNQUOTED_OPERATOR.match(lines[number - 1]):
            return f' (line {number}: quote the bound, e.g. bound: ">= 80"; YAML reads a leading > or < as syntax)'
    return ""


def load_bytes(raw: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    if len(raw) > max_bytes:
        return Loaded(
            data=None,
            findings=[
                Finding.make(
                    "PC004",
                    path,
                    1,
                    1,
                    f"file is {len(raw):,} bytes; the limit is {max_bytes:,} (setting max-file-size)",
                    ctx={"size": len(raw), "limit": max_bytes},
                )
            ],
        )
    text, problems = decode(raw, path)
    if text is None:
        return Loaded(data=None, findings=problems)
    scale = max(1, max_bytes // DEFAULT_MAX_BYTES)
    return load_text(text, path, max_nodes=DEFAULT_MAX_NODES * scale)
