"""Bounds: the set of values a target accepts, parsed from the notation people write.

Canonical string forms: ``>= 40``, ``> 80``, ``<= 3``, ``< 5``, ``= 100``, ``62..65``.
Accepted input also includes ``≥``/``≤``, ``=>``/``=<``, a bare number (``100`` is ``= 100``)
and a YAML number. Numbers use a dot as decimal separator; they are kept as ``Decimal`` so
that ``0.7`` stays exactly what the document says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

Op = Literal[">=", ">", "<=", "<", "=", ".."]

NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"  # ASCII digits: \d takes "４０" too
_OP_RE = re.compile(rf"^(>=|=>|≥|<=|=<|≤|>|<|=)?\s*({NUMBER_PATTERN})$")
_RANGE_RE = re.compile(rf"^({NUMBER_PATTERN})\s*\.\.\s*({NUMBER_PATTERN})$")
_OP_ALIASES = {"=>": ">=", "≥": ">=", "=<": "<=", "≤": "<=", None: "="}
MAX_NUMBER_CHARS = 40  # a bound is a human number; anything longer is an encoding slip


class BoundError(ValueError):
    """A bound that cannot be read; the message says what the notation is."""


def format_number(value: Decimal) -> str:
    """Canonical decimal text: no exponent, no trailing zeros (``3.50`` -> ``3.5``)."""
    # exact text, without the decimal context: quantize and normalize fail or round past 28 digits,
    # and a 40-character bound has more
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True, slots=True)
class Bound:
    """A numeric bound. ``low``/``high`` are set for ranges; ``value`` otherwise."""

    op: Op
    value: Decimal
    high: Decimal | None = None

    @property
    def low(self) -> Decimal:
        return self.value

    def __str__(self) -> str:
        if self.op == "..":
            assert self.high is not None
            return f"{format_number(self.value)}..{format_number(self.high)}"
        return f"{self.op} {format_number(self.value)}"

    @property
    def is_inverted(self) -> bool:
        return self.op == ".." and self.high is not None and self.high < self.value

    @classmethod
    def parse(cls, raw: object) -> Bound:
        if isinstance(raw, Bound):
            return raw
        if isinstance(raw, bool):
            raise BoundError("a bound is a number or a comparison such as '>= 40', not true/false")
        if isinstance(raw, int | float | Decimal):
            # a plain YAML number keeps its text (yamlio.PlainFloat): 39.99999999999999999 is
            # not the float 40.0, and 4e1 is an exponent, which a bound refuses
            text = getattr(raw, "yaml_text", None) or str(raw)
        elif isinstance(raw, str):
            text = raw
        else:
            raise BoundError(f"a bound is text such as '>= 40' or '62..65', not {type(raw).__name__}")
        if "\n" in text:
            # `bound: >` with 80 on the next line is a YAML folded block ("80\n"): the operator is lost.
            raise BoundError("a bound is one line of text; quote it in YAML: bound: '> 80'")
        text = " ".join(text.split())
        if len(text) > MAX_NUMBER_CHARS:
            raise BoundError("a bound is at most 40 characters")
        match = _RANGE_RE.match(text)
        try:
            if match:
                return cls("..", Decimal(match.group(1)), Decimal(match.group(2)))
            match = _OP_RE.match(text)
            if match:
                op = _OP_ALIASES.get(match.group(1), match.group(1))
                return cls(op, Decimal(match.group(2)))  # type: ignore[arg-type]
        except InvalidOperation as exc:  # pragma: no cover - the regexes admit only decimals
            raise BoundError(f"not a number in bound {text!r}") from exc
        if any(c in text for c in "≥≤%") or re.search(r"\d\s*[^\d\s.]+$", text):
            raise BoundError(_hint(text))
        raise BoundError(
            f"cannot read bound {text!r}: write '>= 40', '> 80', '<= 3', '< 5', '= 100' (or '100'), "
            "or a range '62..65'; use `qualitative:` for text without a number"
        )

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "anyOf": [
                {
                    "type": "string",
                    "pattern": r"^\s*((>=|=>|≥|<=|=<|≤|>|<|=)?\s*[+-]?(\d+(\.\d+)?|\.\d+)|"
                    r"[+-]?(\d+(\.\d+)?|\.\d+)\s*\.\.\s*[+-]?(\d+(\.\d+)?|\.\d+))\s*$",
                },
                {"type": "number"},
            ],
            "description": "'>= 40', '> 80', '<= 3', '< 5', '= 100' or '100', or a range '62..65'. "
            "Quote it: unquoted, '> 80' is YAML block syntax.",
            "examples": [">= 40", "> 80", "62..65", "<= 3", "100"],
        }


def _hint(text: str) -> str:
    """For ``≥ 80%`` and the like: the notation, with the unit moved to ``unit``."""
    op = text.replace("≥", ">=").replace("≤", "<=")
    number = re.search(r"-?\d+(?:[.,]\d+)?", op)
    ops = re.match(r"\s*(>=|<=|>|<|=)", op)
    wanted = f"{ops.group(1) + ' ' if ops else ''}{number.group().replace(',', '.') if number else '80'}"
    return (
        f'cannot read bound {text!r}: write bound: "{wanted}" (ASCII >= or <=, quoted); '
        "the unit goes in `unit`, not in the bound"
    )
