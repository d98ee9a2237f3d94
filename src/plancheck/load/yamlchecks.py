"""The checks the loader's event loop makes: anchors, tags, node count, documents and directives,
and the hint for the commonest syntax slip."""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.events import (
    ScalarEvent,
)

from plancheck.findings import Finding
from plancheck.load.yamltext import LINE_BREAK, line_col
from plancheck.rules.input import (
    ANCHOR_OR_ALIAS,
    FILE_TOO_LARGE,
    FORBIDDEN_TAG,
    MULTIPLE_DOCUMENTS,
    YAML_VERSION_DIRECTIVE,
)


class Stop(Exception):
    """Raised inside the event loop when the file is unusable; the finding is already recorded."""


_STR_TAGS = ("!", "tag:yaml.org,2002:str")


def check_node(
    event: Any, path: str, nodes: int, max_nodes: int, back: dict[int, int], findings: list[Finding]
) -> None:
    """Stop at an anchor, a tag other than a string's, or one node too many (in that order)."""
    mark = event.start_mark
    pos = (mark.line + 1, mark.column + 1)
    if event.anchor is not None:
        anchor = event.anchor.translate(back) if back else event.anchor
        findings.append(
            ANCHOR_OR_ALIAS.finding(
                path,
                *pos,
                f"anchor &{anchor} not allowed: plan files do not use anchors or aliases",
            )
        )
        raise Stop
    tag = event.tag  # the property: a plain string whichever parser made the event
    if tag is not None and not (type(event) is ScalarEvent and tag in _STR_TAGS):
        shown = tag.translate(back) if back else tag
        findings.append(FORBIDDEN_TAG.finding(path, *pos, f"tag {shown} not allowed in plan files"))
        raise Stop
    if nodes > max_nodes:
        findings.append(
            FILE_TOO_LARGE.finding(
                path,
                *pos,
                f"file holds more than {max_nodes:,} keys and values; real plans hold a few "
                "thousand (raising max-file-size raises this limit in proportion)",
                ctx={"nodes": nodes, "limit": max_nodes},
            )
        )
        raise Stop


_YAML_DIRECTIVE = re.compile(r"^%YAML", re.MULTILINE)


def check_document(event: Any, documents: int, text: str, path: str, findings: list[Finding]) -> None:
    """One document per file; a ``%YAML`` directive other than 1.2 is ignored, and said so."""
    mark = event.start_mark
    pos = (mark.line + 1, mark.column + 1)
    if documents > 1:
        findings.append(
            MULTIPLE_DOCUMENTS.finding(
                path,
                *pos,
                "more than one YAML document in a plan file; keep one plan per file",
            )
        )
        raise Stop
    version = getattr(event, "version", None)
    if version is not None and tuple(version) != (1, 2):
        # at the directive, which libyaml's event starts at and the pure-Python parser's does not
        directive = _YAML_DIRECTIVE.search(text)
        if directive is not None:
            pos = line_col(text, directive.start())
        findings.append(
            YAML_VERSION_DIRECTIVE.finding(
                path,
                *pos,
                f"%YAML {version[0]}.{version[1]} directive ignored: plancheck reads YAML 1.2 "
                "(yes/no/on/off are text, dates are text)",
            )
        )


_UNQUOTED_OPERATOR = re.compile(r"^\s*(?:-\s+)?[\w-]+:\s*[<>]")


def syntax_hint(text: str, line: int) -> str:
    """What the common slip behind a syntax error is: ``bound: > 80`` unquoted, where YAML reads
    ``>`` as the start of a folded block."""
    lines = LINE_BREAK.split(text)  # as the parser counts lines: U+2028 in a comment is text
    for number in (line, line - 1):
        if 1 <= number <= len(lines) and _UNQUOTED_OPERATOR.match(lines[number - 1]):
            return f' (line {number}: quote the bound, e.g. bound: ">= 80"; YAML reads a leading > or < as syntax)'
    return ""
