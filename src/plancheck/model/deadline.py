"""Deadlines as plans write them, each with one canonical string form.

=================  ==========================  ===================================
form               canonical                   source wording
=================  ==========================  ===================================
day                ``2025-06-15``              "trước ngày 15/6/2025"
month              ``2025-03``                 "Tháng 3/2025", "11/2026"
quarter            ``2025-Q2``                 "Quý II/2025"
year               ``2025``                    "Năm 2025"
period             ``2025..2030``              "2025 - 2030" (due at the end of 2030)
annual             ``annual`` or ``annual from 2025``   "Hằng năm", "Năm 2025 và những năm tiếp theo"
continuous         ``continuous``              "Thường xuyên"
text               ``text: <wording>``          "Theo thời gian tại các Nghị quyết"
=================  ==========================  ===================================

Free text must be written with the ``text:`` prefix so that a typo in a date is an error
instead of silently becoming text that is never compared.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

Form = Literal["day", "month", "quarter", "year", "period", "annual", "continuous", "text"]

# [0-9], not \d (which takes "２０２５" and other scripts' digits), and \Z, not $ (which takes
# a final line break): a deadline is exactly one of these forms
_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})\Z")
_QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])\Z")
_YEAR = re.compile(r"^([0-9]{4})\Z")
_PERIOD = re.compile(r"^([0-9]{4}) *\.\. *([0-9]{4})\Z")
_ANNUAL = re.compile(r"^annual(?: from ([0-9]{4}))?\Z")
_MAX_TEXT = 500


class DeadlineError(ValueError):
    """A deadline that cannot be read."""


@dataclass(frozen=True, slots=True)
class Deadline:
    form: Form
    start: dt.date | None = None  # first day of the period the deadline names
    end: dt.date | None = None  # last day: the deadline proper
    text: str | None = None

    def __str__(self) -> str:
        if self.form == "text":
            return f"text: {self.text}"
        if self.form == "continuous":
            return "continuous"
        if self.form == "annual":
            return f"annual from {self.start.year}" if self.start else "annual"
        assert self.end is not None and self.start is not None
        if self.form == "day":
            return self.end.isoformat()
        if self.form == "month":
            return f"{self.end.year:04d}-{self.end.month:02d}"
        if self.form == "quarter":
            return f"{self.end.year:04d}-Q{(self.end.month - 1) // 3 + 1}"
        if self.form == "year":
            return f"{self.end.year:04d}"
        return f"{self.start.year:04d}..{self.end.year:04d}"

    @property
    def is_recurring(self) -> bool:
        return self.form in ("annual", "continuous")

    @classmethod
    def parse(cls, raw: object) -> Deadline:
        if isinstance(raw, Deadline):
            return raw
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise DeadlineError(
                "a deadline is text such as '2025-03', '2025', '2025..2030', 'annual', "
                "'continuous' or 'text: <wording>'"
            )
        text = str(raw).strip()
        if text.startswith("text:"):
            wording = " ".join(text[5:].split())
            if not wording:
                raise DeadlineError("'text:' needs the wording of the deadline after it")
            if len(wording) > _MAX_TEXT:
                raise DeadlineError(f"deadline text is at most {_MAX_TEXT} characters")
            return cls("text", text=wording)
        if text == "continuous":
            return cls("continuous")
        try:
            if m := _ANNUAL.match(text):
                return cls("annual", start=dt.date(int(m.group(1)), 1, 1) if m.group(1) else None)
            if m := _DAY.match(text):
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                return cls("day", start=day, end=day)
            if m := _MONTH.match(text):
                year, month = int(m.group(1)), int(m.group(2))
                last = calendar.monthrange(year, month)[1]
                return cls("month", start=dt.date(year, month, 1), end=dt.date(year, month, last))
            if m := _QUARTER.match(text):
                year, quarter = int(m.group(1)), int(m.group(2))
                first_month = 3 * quarter - 2
                last_month = first_month + 2
                last = calendar.monthrange(year, last_month)[1]
                return cls(
                    "quarter", start=dt.date(year, first_month, 1), end=dt.date(year, last_month, last)
                )
            if m := _YEAR.match(text):
                year = int(m.group(1))
                return cls("year", start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
            if m := _PERIOD.match(text):
                first, last_year = int(m.group(1)), int(m.group(2))
                if last_year < first:
                    raise DeadlineError(f"period {text!r} ends before it starts")
                return cls("period", start=dt.date(first, 1, 1), end=dt.date(last_year, 12, 31))
        except ValueError as exc:
            if isinstance(exc, DeadlineError):
                raise
            raise DeadlineError(f"impossible date in deadline {text!r}: {exc}") from None
        raise DeadlineError(
            f"cannot read deadline {text!r}: write '2025-06-15', '2025-03', '2025-Q2', '2025', "
            "'2025..2030', 'annual', 'annual from 2025', 'continuous' or 'text: <wording>'"
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
                    "pattern": r"^(\d{4}(-\d{2}(-\d{2})?|-Q[1-4]|\s*\.\.\s*\d{4})?|annual( from \d{4})?"
                    r"|continuous|text:.+)$",
                },
                {"type": "integer"},
            ],
            "description": "'2025-06-15', '2025-03', '2025-Q2', '2025', '2025..2030', 'annual', "
            "'annual from 2025', 'continuous' or 'text: <wording>'",
            "examples": [
                "2025-03",
                "2025..2030",
                "annual",
                "continuous",
                "text: Theo thời gian tại các Nghị quyết",
            ],
        }
