"""The text before parsing: decoding the bytes (UTF-8, UTF-16, UTF-32 by their marks), and the line
separators libyaml would count as line breaks hidden behind private-use characters."""

from __future__ import annotations

import itertools
import re

from plancheck.findings import Finding
from plancheck.rules.input import (
    INVALID_ENCODING,
)

KeyPath = tuple[str | int, ...]

Pos = tuple[int, int]


# YAML 1.2's line breaks: CR LF, CR alone, LF (U+2028, U+2029 and U+0085 are text)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_col(text: str, index: int) -> Pos:
    """1-based line and column of ``index``, counting lines as YAML does (a file of CR-only line
    ends put everything on line 1)."""
    line, start = 1, 0
    for brk in LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, brk.end()
    return line, index - start + 1


def decode(raw: bytes, path: str) -> tuple[str | None, list[Finding]]:
    """Decode UTF-8 (with or without a BOM); anything else is a positioned finding."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16's, which it starts with
        return None, [INVALID_ENCODING.finding(path, 1, 1, "file is UTF-32; save it as UTF-8")]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [INVALID_ENCODING.finding(path, 1, 1, "file is UTF-16; save it as UTF-8")]
    if b"\x00" in raw[:4]:  # "i\0d\0" or "\0i\0d": text saved as UTF-16 without a byte order mark
        return None, [
            INVALID_ENCODING.finding(path, 1, 1, "file looks like UTF-16 (no BOM); save it as UTF-8")
        ]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = line_col(good, len(good))
        return None, [
            INVALID_ENCODING.finding(
                path,
                line,
                col,
                f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not UTF-8; save the file as UTF-8",
            )
        ]
    nul = text.find("\x00")
    if nul >= 0:
        line, col = line_col(text, nul)
        return None, [INVALID_ENCODING.finding(path, line, col, "NUL byte in a text file")]
    return text, []


# YAML 1.2 reads U+2028, U+2029 and U+0085 as ordinary characters; libyaml (and ruamel.yaml's
# pure-Python parser) still follow YAML 1.1, where they end a line, so a comment or a quoted string holding one shifted every
# later line number (or broke the file). They are swapped for private-use characters the text
# does not hold, which the parser takes as ordinary, and swapped back in every value.
_SEPARATORS = ("\u2028", "\u2029", "\x85")

_PRIVATE_RANGES = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))

_PRIVATE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def hide_separators(text: str) -> tuple[str, dict[int, int]]:
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
