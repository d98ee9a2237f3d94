"""Safe YAML loading that keeps the position of every key and value.

One loader: a loop over the events of libyaml's parser (ruamel.yaml's C extension; where that is
not installed, ruamel.yaml's pure-Python parser through the same loop, slower and otherwise alike).
The tree is built from the events, not with a YAML constructor, so that:
- no tag can construct a Python object (tags are rejected);
- anchors and aliases are rejected, so an alias bomb costs nothing;
- plain scalars resolve by the YAML 1.2 core schema only: ``2025-06-09`` stays text (the
  models parse dates), ``yes``/``no``/``on`` stay text;
- nesting depth and file size are capped before any work is done, and so is the number of
  nodes (keys, items, scalars), which bounds the time and memory of everything after parsing;
- duplicate keys are findings, not silent overwrites.

Positions are 1-based ``(line, column)``, counted in characters, keyed by the path of keys and
indices from the root (a ``KeyPath``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

try:
    from ruamel.yaml.cyaml import CParser as _CParser  # type: ignore[attr-defined]
except ImportError:  # ruamel.yaml.clib is optional: without it the pure-Python parser is used
    _CParser = None
from plancheck.findings import Finding
from plancheck.load.yamlchecks import Stop, check_document, check_node, syntax_hint
from plancheck.load.yamlscalars import resolve_plain
from plancheck.load.yamltext import KeyPath, Pos, decode, hide_separators, line_col
from plancheck.rules.input import (
    ANCHOR_OR_ALIAS,
    DUPLICATE_KEY,
    EMPTY_FILE,
    FILE_TOO_LARGE,
    NESTING_TOO_DEEP,
    YAML_SYNTAX_ERROR,
)

# Which parser reads the events: "libyaml" (the C extension) or "python" (without it).
PARSER = "libyaml" if _CParser is not None else "python"


DEFAULT_MAX_BYTES = 5 * 1024 * 1024


DEFAULT_MAX_DEPTH = 64


# Nodes per file at the default max-file-size. The largest real plan (174 KB) has about 10,000; a
# 5 MB file of `[1,1,1,...]` has 2.6 million, which took 23 s and 3 GB to load and validate.
DEFAULT_MAX_NODES = 100_000


@dataclass(slots=True)
class Loaded:
    """A parsed YAML file: its data (None when unusable), positions and input findings."""

    data: Any
    positions: dict[KeyPath, Pos] = field(default_factory=dict)
    key_positions: dict[KeyPath, Pos] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.data is not None and not any(f.severity == "error" for f in self.findings)

    def locate(self, loc: KeyPath, *, prefer_key: bool = False) -> Pos:
        """Position of the deepest existing node along ``loc`` (parts not in the data are skipped)."""
        path: KeyPath = ()
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


# A mapping key that is dropped (a duplicate, or not a scalar): kept apart so it never matches a
# field name, and its value is read (for its own findings) but attached nowhere.
_BAD_KEY = object()


def _event_source(text: str) -> Callable[[], Any]:
    """The function that returns the next parser event of ``text``: libyaml's, or ruamel.yaml's
    pure-Python parser's when the C extension is not installed."""
    if _CParser is not None:
        return _CParser(text).get_event  # type: ignore[no-any-return]
    events: Iterator[Any] = YAML(typ="safe", pure=True).parse(text)
    return events.__next__


def load_text(
    text: str, path: str, *, max_depth: int = DEFAULT_MAX_DEPTH, max_nodes: int = DEFAULT_MAX_NODES
) -> Loaded:
    """Build the data tree and positions from ``text``; ``path`` is used in findings only.

    One pass over the parser's events with the open collection in local variables: this loop
    runs once per key and value of every plan, so it avoids calls, closures and isinstance chains
    (and builds paths with ``cpath + (key,)``, three times faster than ``(*cpath, key)``).
    """
    out = Loaded(data=None)
    findings = out.findings
    positions = out.positions
    key_positions = out.key_positions
    parsed, back = hide_separators(text)
    scalar_event, mapping_start, sequence_start = ScalarEvent, MappingStartEvent, SequenceStartEvent
    mapping_end, sequence_end = MappingEndEvent, SequenceEndEvent
    bad_key = _BAD_KEY
    resolve = resolve_plain
    # The open collection (None at the top level), its path, whether it is a mapping and, in a
    # mapping, the key waiting for its value: None while a key is expected.
    container: Any = None
    cpath: KeyPath = ()
    is_map = False
    key: Any = None
    kpos: Pos = (1, 1)
    # Each enclosing collection's state, plus the start of the collection opened inside it and
    # whether that collection stands where a key was expected.
    stack: list[tuple[Any, KeyPath, bool, Any, Pos, Pos, bool]] = []
    root: Any = None
    have_root = False
    documents = 0
    nodes = 0
    try:
        get_event = _event_source(parsed)
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                nodes += 1
                tagged = event.ctag is not None
                if tagged or event.anchor is not None or nodes > max_nodes:
                    check_node(event, path, nodes, max_nodes, back, findings)
                mark = event.start_mark
                pos = (mark.line + 1, mark.column + 1)
                value = event.value
                if back:
                    value = value.translate(back)
                if is_map:
                    if key is None:  # a key: never resolved, "1: x" has the key "1"
                        if value in container:
                            first = key_positions.get(cpath + (value,), pos)  # noqa: RUF005
                            findings.append(
                                DUPLICATE_KEY.finding(
                                    path,
                                    *pos,
                                    f"duplicate key {value!r} (first at line {first[0]})",
                                    ctx={"key": value, "first_line": first[0]},
                                )
                            )
                            key = bad_key
                        else:
                            key = value
                        kpos = pos
                        continue
                    if not tagged and not event.style:
                        value = resolve(value)
                    if key is not bad_key:
                        container[key] = value
                        vpath = cpath + (key,)  # noqa: RUF005
                        positions[vpath] = pos
                        key_positions[vpath] = kpos
                    key = None
                elif container is not None:
                    if not tagged and not event.style:
                        value = resolve(value)
                    positions[cpath + (len(container),)] = pos  # noqa: RUF005
                    container.append(value)
                else:
                    root = value if tagged or event.style else resolve(value)
                    have_root = True
                    positions[()] = pos
            elif kind is mapping_start or kind is sequence_start:
                nodes += 1
                if event.ctag is not None or event.anchor is not None or nodes > max_nodes:
                    check_node(event, path, nodes, max_nodes, back, findings)
                mark = event.start_mark
                pos = (mark.line + 1, mark.column + 1)
                if len(stack) >= max_depth:
                    findings.append(
                        NESTING_TOO_DEEP.finding(path, *pos, f"nesting deeper than {max_depth} levels")
                    )
                    raise Stop
                as_key = False
                if is_map:
                    if key is None or key is bad_key:
                        as_key = key is None
                        inner: KeyPath = cpath + ("?",)  # noqa: RUF005
                    else:
                        inner = cpath + (key,)  # noqa: RUF005
                elif container is not None:
                    inner = cpath + (len(container),)  # noqa: RUF005
                else:
                    inner = ()
                stack.append((container, cpath, is_map, key, kpos, pos, as_key))
                is_map = kind is mapping_start
                container = {} if is_map else []
                cpath = inner
                key = None
            elif kind is mapping_end or kind is sequence_end:
                value = container
                container, cpath, is_map, key, kpos, pos, as_key = stack.pop()
                if as_key:
                    findings.append(YAML_SYNTAX_ERROR.finding(path, *pos, "a mapping key must be plain text"))
                    key = bad_key
                    kpos = pos
                elif is_map:
                    if key is not bad_key:
                        container[key] = value
                        vpath = cpath + (key,)  # noqa: RUF005
                        positions[vpath] = pos
                        key_positions[vpath] = kpos
                    key = None
                elif container is not None:
                    positions[cpath + (len(container),)] = pos  # noqa: RUF005
                    container.append(value)
                else:
                    root = value
                    have_root = True
                    positions[()] = pos
            elif kind is DocumentStartEvent:
                documents += 1
                check_document(event, documents, text, path, findings)
            elif kind is AliasEvent:
                anchor = event.anchor.translate(back) if back else event.anchor
                mark = event.start_mark
                findings.append(
                    ANCHOR_OR_ALIAS.finding(
                        path,
                        mark.line + 1,
                        mark.column + 1,
                        f"alias *{anchor} not allowed: write the value out in full",
                    )
                )
                raise Stop
            elif event is None or kind is StreamEndEvent:
                break
    except Stop:
        return out
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        problem += syntax_hint(text, line)
        findings.append(YAML_SYNTAX_ERROR.finding(path, line, col, f"YAML syntax error: {problem}"))
        return out
    except (AssertionError, OverflowError, ValueError) as exc:
        if _CParser is not None:
            raise
        # the pure-Python parser fails on some texts with a Python error of its own (a `%YAML
        # 1.3` directive, a `\UFFFFFFFF` escape) where libyaml reports a YAML error
        findings.append(YAML_SYNTAX_ERROR.finding(path, 1, 1, f"YAML error: {type(exc).__name__}: {exc}"))
        return out
    except YAMLError as exc:
        position = getattr(exc, "position", None)
        if isinstance(position, int) and _CParser is not None:
            # libyaml counts this offset in bytes of the UTF-8 text (marks count characters)
            position = len(parsed.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
        line, col = line_col(text, position) if isinstance(position, int) else (1, 1)
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        findings.append(YAML_SYNTAX_ERROR.finding(path, line, col, f"YAML error: {reason}"))
        return out
    if not have_root or root is None:
        findings.append(EMPTY_FILE.finding(path, 1, 1, "the file holds no data"))
        return out
    out.data = root
    return out


def load_bytes(raw: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    if len(raw) > max_bytes:
        return Loaded(
            data=None,
            findings=[
                FILE_TOO_LARGE.finding(
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
