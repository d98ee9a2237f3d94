"""Plan text made inert before it reaches a terminal or a report: the one escaping function.

Plan files come from untrusted pull requests. A YAML string can hold any character, so a label
could carry an ANSI escape (``"\\x1b]8;;…"``, ``"\\x07"``) that a terminal acts on, a C1 control
that some terminals read as one, or a bidi override (U+202E) that makes the text shown differ
from the text checked ("Trojan Source"). Every such character is written out as a visible escape
(``\\x1b``, ``\\u202e``) instead. Rich markup is a separate matter: text printed through rich is
also passed through ``rich.markup.escape`` or printed as a ``Text`` (see ``cli`` and ``show``).
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the line and paragraph separators, and the bidi controls: embeddings
# and overrides (U+202A-U+202E), isolates (U+2066-U+2069) and the marks (U+200E, U+200F, U+061C)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def inert(text: str, keep: str = "\t") -> str:
    """``text`` with every control, separator and bidi character escaped, except those in ``keep``."""

    def visible(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    return _UNSAFE.sub(visible, text)
