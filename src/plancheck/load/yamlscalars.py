"""Plain scalars by the YAML 1.2 core schema: numbers, booleans and null, everything else text."""

from __future__ import annotations

import math
import re
from typing import Any

_MAX_INT_DIGITS = 60  # a plan never needs more; Python refuses int() of > 4300 digits anyway

_WORDS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}

_NUMBER_START = frozenset("0123456789+-.")  # every number, infinity and NaN starts with one

_INT = re.compile(r"^[-+]?[0-9]+$")

_OCT = re.compile(r"^0o[0-7]+$")

_HEX = re.compile(r"^0x[0-9a-fA-F]+$")

_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")

_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)$")

_NAN = re.compile(r"^\.(nan|NaN|NAN)$")


class PlainInt(int):
    """An int written otherwise than in plain decimal digits (``0x7EE``, ``+2030``, ``02030``):
    ``yaml_text`` keeps how, so that a year or a bound can refuse it (see model.bound, model.plan)."""

    yaml_text: str

    def __new__(cls, value: int, text: str) -> PlainInt:
        obj = super().__new__(cls, value)
        obj.yaml_text = text
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (PlainInt, (int(self), self.yaml_text))


class PlainFloat(float):
    """A float read from a plain scalar, with its text: ``39.99999999999999999`` is not 40.0 as a
    bound, and ``4e1`` is an exponent, which bounds refuse."""

    yaml_text: str

    def __new__(cls, value: float, text: str) -> PlainFloat:
        obj = super().__new__(cls, value)
        obj.yaml_text = text
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (PlainFloat, (float(self), self.yaml_text))


def resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema for plain scalars; everything else stays a string."""
    if text in _WORDS:
        return _WORDS[text]
    if text[0] not in _NUMBER_START:  # most values are words: no pattern needs to run
        return text
    if _INT.match(text):
        digits = text.lstrip("+-")
        if len(digits) > _MAX_INT_DIGITS:
            return text  # kept as text: the schema then says which number it expected
        number = int(text)
        return number if str(number) == text else PlainInt(number, text)
    if _OCT.match(text):
        return PlainInt(int(text[2:], 8), text) if len(text) <= _MAX_INT_DIGITS else text
    if _HEX.match(text):
        return PlainInt(int(text[2:], 16), text) if len(text) <= _MAX_INT_DIGITS else text
    if _FLOAT.match(text) and len(text) <= _MAX_INT_DIGITS:
        return PlainFloat(float(text), text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text
