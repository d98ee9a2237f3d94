"""A fast reader for the plain shape of YAML that plan files are written in.

The event-based loader in ``yamlio`` is exact but spends most of its time creating one Python
object per parser event; at national scale (3,000+ files, 130 MB) that dominated a run. Plan
files use a small, regular subset of YAML: block mappings with identifier keys, block sequences,
one-line flow collections, plain and quoted one-line scalars, comments. This module reads exactly
that subset line by line and gives the same data and the same positions as the event loader.

It is deliberately conservative: on anything outside the subset (tabs, multi-line scalars, block
scalars, anchors, tags, directives, document markers, escapes other than a few, duplicate keys,
deep nesting, too many nodes, odd characters...) it declines by returning None, and the caller
uses the exact loader, which also produces every finding. A differential test checks that
whenever this reader accepts a text, its result equals the exact loader's.
"""

from __future__ import annotations

import re
from typing import Any

from plancheck.yamlio import Loaded, Path, Pos, resolve_plain

# Characters the C parser treats specially or refuses (line breaks other than \n, C1 controls,
# a byte-order mark inside the text, non-printables): any of them and the exact loader decides.
_UNSAFE = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]*):(?= |$)")
# in flow context the C parser also ends a plain scalar at "?", which YAML 1.2 would allow
_FLOW_PLAIN = re.compile(r"(?:[^\s,\[\]{}#:'\"!&*|>%@`?\-]|-(?=[0-9A-Za-z]))[^,\[\]{}#:?]*")
_DQ_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t"}
_INDICATOR_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_MAX_DEPTH = 20  # real plans nest four levels; deeper files go to the exact loader
# YAML limits implicit keys to 1024 characters and the C parser refuses longer ones, in block and
# flow mappings alike; longer keys go to the exact loader, which reports them
_MAX_KEY = 1000


class _Decline(Exception):
    """The text is outside the subset: the exact loader takes over."""


def fast_load(text: str, *, max_nodes: int) -> Loaded | None:
    """The data and positions of ``text`` when it is in the plain subset, else None."""
    if _UNSAFE.search(text) is not None:
        return None
    try:
        return _Reader(text, max_nodes).read()
    except (_Decline, IndexError, RecursionError):
        return None


class _Reader:
    __slots__ = ("indents", "keys", "lines", "max_nodes", "n", "next_content", "nodes", "positions")

    def __init__(self, text: str, max_nodes: int) -> None:
        self.lines = lines = text.split("\n")
        self.n = n = len(lines)
        # per line: its indentation; and the first line at or after it that holds content
        self.indents = indents = [0] * n
        self.next_content = nxt = [n] * (n + 1)
        following = n
        for i in range(n - 1, -1, -1):
            line = lines[i]
            stripped = line.lstrip(" ")
            indents[i] = len(line) - len(stripped)
            if stripped and stripped[0] != "#":
                following = i
            nxt[i] = following
        self.positions: dict[Path, Pos] = {}
        self.keys: dict[Path, Pos] = {}
        self.nodes = 0
        self.max_nodes = max_nodes

    def read(self) -> Loaded:
        i = self._skip(0)
        if i >= self.n:
            raise _Decline
        first = self.lines[i]
        if first[0] == " " or first.startswith(("---", "...", "%")) or not _KEY.match(first):
            raise _Decline
        data, pos, i = self._mapping(i, 0, 0, (), 0)
        if self._skip(i) < self.n:
            raise _Decline
        self.positions[()] = pos
        return Loaded(data=data, positions=self.positions, key_positions=self.keys)

    def _count(self) -> None:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise _Decline

    def _skip(self, i: int) -> int:
        """The next line from ``i`` that holds content (not blank, not only a comment)."""
        return self.next_content[i] if i < self.n else self.n

    def _mapping(self, i: int, col: int, indent: int, path: Path, depth: int) -> tuple[Any, Pos, int]:
        """A block mapping whose first key is at line ``i``, column ``col``; later keys at ``col``."""
        if depth > _MAX_DEPTH:
            raise _Decline
        out: dict[str, Any] = {}
        start: Pos = (i + 1, col + 1)
        first = True
        lines = self.lines
        while True:
            if not first:
                i = self._skip(i)
                if i >= self.n:
                    break
                cur = self.indents[i]
                if cur < col:
                    break
                if cur > col:
                    raise _Decline
            line = lines[i]
            match = _KEY.match(line, col)
            if match is None:
                if not first and line.startswith("-", col):
                    break  # an indentless sequence ended by its parent's next item; the parent decides
                raise _Decline
            first = False
            key = match.group(1)
            if key in out or len(key) > _MAX_KEY:
                raise _Decline
            self._count()
            kpos: Pos = (i + 1, col + 1)
            vpath = (*path, key)
            value, vpos, i = self._value(i, match.end(), col, vpath, depth, in_mapping=True)
            out[key] = value
            self.keys[vpath] = kpos
            self.positions[vpath] = vpos
        return out, start, i

    def _sequence(self, i: int, col: int, path: Path, depth: int) -> tuple[Any, Pos, int]:
        """A block sequence whose items start with ``-`` at column ``col``."""
        if depth > _MAX_DEPTH:
            raise _Decline
        out: list[Any] = []
        start: Pos = (i + 1, col + 1)
        lines = self.lines
        while True:
            i = self._skip(i)
            if i >= self.n:
                break
            line = lines[i]
            cur = self.indents[i]
            if cur < col:
                break
            if cur > col:
                raise _Decline
            if not line.startswith("-", col):
                break  # the parent mapping's next key (an indentless sequence), or the parent decides
            after = col + 1
            if after < len(line) and line[after] != " ":
                raise _Decline  # "-5" at item position: a scalar, not an item
            vpath = (*path, len(out))
            value, vpos, i = self._item(i, after, col, vpath, depth)
            out.append(value)
            self.positions[vpath] = vpos
        return out, start, i

    def _item(self, i: int, after: int, col: int, path: Path, depth: int) -> tuple[Any, Pos, int]:
        line = self.lines[i]
        c = after
        while c < len(line) and line[c] == " ":
            c += 1
        if c >= len(line) or line[c] == "#":
            raise _Decline  # an item on the following lines, or an empty item
        if line[c] == "-":
            raise _Decline  # "- - x": nested sequences on one line
        if _KEY.match(line, c):
            return self._mapping(i, c, col, path, depth + 1)
        return self._inline(i, c, col, path, depth)

    def _value(
        self, i: int, c: int, indent: int, path: Path, depth: int, *, in_mapping: bool
    ) -> tuple[Any, Pos, int]:
        """The value after ``key:`` at line ``i`` from column ``c`` (just past the colon)."""
        line = self.lines[i]
        colon_end = c
        while c < len(line) and line[c] == " ":
            c += 1
        if c < len(line) and not (line[c] == "#" and c > colon_end):
            return self._inline(i, c, indent, path, depth)
        if c < len(line) and line[c] == "#" and c == colon_end:
            raise _Decline  # "key:#x" is not a comment
        # nothing on this line: a nested block, or an empty value
        j = self._skip(i + 1)
        if j < self.n:
            nxt = self.lines[j]
            cur = self.indents[j]
            dash = nxt.startswith("-", cur) and (cur + 1 == len(nxt) or nxt[cur + 1] == " ")
            if cur > indent:
                self._count()
                if dash:
                    return self._sequence(j, cur, path, depth + 1)
                if _KEY.match(nxt, cur):
                    return self._mapping(j, cur, cur, path, depth + 1)
                raise _Decline
            if cur == indent and dash and in_mapping:
                self._count()
                return self._sequence(j, cur, path, depth + 1)
        raise _Decline  # an empty value (null): rare in plans, left to the exact loader

    def _inline(self, i: int, c: int, indent: int, path: Path, depth: int) -> tuple[Any, Pos, int]:
        """A scalar or flow collection that starts at column ``c`` and ends on this line."""
        line = self.lines[i]
        ch = line[c]
        pos: Pos = (i + 1, c + 1)
        if ch == '"':
            value, end = self._double(line, c)
        elif ch == "'":
            value, end = self._single(line, c)
        elif ch in "[{":
            value, _, end = self._flow(line, c, i, path, depth + 1)
        else:
            if ch in _INDICATOR_START and not (ch == "-" and c + 1 < len(line) and line[c + 1] not in " "):
                raise _Decline
            end = line.find(" #", c)
            text = (line[c:] if end < 0 else line[c:end]).rstrip(" ")
            if ": " in text or text.endswith(":"):
                raise _Decline
            self._count()
            self._after_scalar(i, indent)
            return resolve_plain(text), pos, i + 1
        rest = line[end:]
        stripped = rest.lstrip(" ")
        if stripped and not (stripped[0] == "#" and len(stripped) < len(rest)):
            raise _Decline
        if ch in "\"'":
            self._count()
        self._after_scalar(i, indent)
        return value, pos, i + 1

    def _after_scalar(self, i: int, indent: int) -> None:
        """A value that ends on line ``i`` must not be followed by a more indented line."""
        j = self._skip(i + 1)
        if j < self.n and self.indents[j] > indent:
            raise _Decline

    @staticmethod
    def _double(line: str, c: int) -> tuple[str, int]:
        """A double-quoted scalar from column ``c``; returns its value and the column after it."""
        parts: list[str] = []
        j = c + 1
        while True:
            q = line.find('"', j)
            b = line.find("\\", j)
            if q < 0:
                raise _Decline  # continues on the next line
            if 0 <= b < q:
                parts.append(line[j:b])
                esc = line[b + 1 : b + 2]
                if esc not in _DQ_ESCAPES:
                    raise _Decline
                parts.append(_DQ_ESCAPES[esc])
                j = b + 2
                continue
            parts.append(line[j:q])
            return "".join(parts), q + 1

    @staticmethod
    def _single(line: str, c: int) -> tuple[str, int]:
        parts: list[str] = []
        j = c + 1
        while True:
            q = line.find("'", j)
            if q < 0:
                raise _Decline
            parts.append(line[j:q])
            if line.startswith("'", q + 1):
                parts.append("'")
                j = q + 2
                continue
            return "".join(parts), q + 1

    def _flow(self, line: str, c: int, i: int, path: Path, depth: int) -> tuple[Any, Pos, int]:
        """A flow sequence or mapping that opens at column ``c`` and closes on the same line."""
        if depth > _MAX_DEPTH:
            raise _Decline
        self._count()
        pos: Pos = (i + 1, c + 1)
        closing = "]" if line[c] == "[" else "}"
        out: Any = [] if closing == "]" else {}
        c = self._spaces(line, c + 1)
        if line[c] == closing:
            return out, pos, c + 1
        while True:
            if closing == "]":
                vpath: Path = (*path, len(out))
                value, vpos, c = self._flow_node(line, c, i, vpath, depth)
                out.append(value)
                self.positions[vpath] = vpos
            else:
                match = _KEY.match(line, c)
                if match is None or not line.startswith(" ", match.end()):
                    raise _Decline
                key = match.group(1)
                if key in out or len(key) > _MAX_KEY:  # the limit holds in flow mappings too
                    raise _Decline
                self._count()
                kpos: Pos = (i + 1, c + 1)
                c = self._spaces(line, match.end())
                if line[c] in ",}":
                    raise _Decline  # an empty value
                vpath = (*path, key)
                value, vpos, c = self._flow_node(line, c, i, vpath, depth)
                out[key] = value
                self.keys[vpath] = kpos
                self.positions[vpath] = vpos
            c = self._spaces(line, c)
            if line[c] == closing:
                return out, pos, c + 1
            if line[c] != ",":
                raise _Decline
            c = self._spaces(line, c + 1)
            if line[c] in "]}":
                raise _Decline  # a trailing comma

    def _flow_node(self, line: str, c: int, i: int, path: Path, depth: int) -> tuple[Any, Pos, int]:
        ch = line[c]
        pos: Pos = (i + 1, c + 1)
        if ch == '"':
            self._count()
            value, end = self._double(line, c)
            return value, pos, end
        if ch == "'":
            self._count()
            value, end = self._single(line, c)
            return value, pos, end
        if ch in "[{":
            return self._flow(line, c, i, path, depth + 1)
        match = _FLOW_PLAIN.match(line, c)
        if match is None:
            raise _Decline
        self._count()
        return resolve_plain(match.group(0).rstrip(" ")), pos, match.end()

    @staticmethod
    def _spaces(line: str, c: int) -> int:
        while line[c] == " ":  # an IndexError (no closing bracket on this line) declines
            c += 1
        return c
