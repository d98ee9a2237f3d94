"""Reported results: values measured for an indicator, and status reports of plan tasks.

One YAML file or more under ``results/`` (beside ``plans/``). Every value and every status
report says where it comes from (an address, or a source text and line) and how far it can be
trusted: ``official`` (a Government or Party document), ``press`` (a newspaper report of an
official meeting or document) or ``draft`` (an internal draft, public only through a copy).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PrivateAttr,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from plancheck.model.bound import MAX_NUMBER_CHARS, NUMBER_PATTERN
from plancheck.model.plan import ItemId, PlanId, Position, ShortText, Strict

Reliability = Literal["official", "press", "draft"]
TaskState = Literal["done", "in-progress", "overdue", "not-started"]
# "about 18.3 %", "over 51 %", "nearly 40 %": kept as reported; they change what a value proves
Qualifier = Literal["about", "over", "nearly", "under"]

_POINT = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_PERIOD_RE = re.compile(rf"^(?:({_POINT})|({_POINT})?\s*\.\.\s*({_POINT}))$")


_VALUE_RE = re.compile(rf"^{NUMBER_PATTERN}$")


def _plain_number(raw: object) -> object:
    """A value as plan bounds are written: digits with a point, no exponent, at most 40 characters.

    An exponent ("1e40", "1e999999999") is no way a Government report gives a figure, and such
    numbers crashed every formatter past the 28 digits of the decimal context.
    """
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        return raw  # the Decimal type names what is wrong
    text = repr(raw) if isinstance(raw, float) else str(raw).strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a value is at most {MAX_NUMBER_CHARS} characters")
    if not _VALUE_RE.match(text):
        raise ValueError(f"a value is a plain number such as '18.72', without an exponent, not {text!r}")
    return text


PlainNumber = Annotated[
    Decimal,
    BeforeValidator(_plain_number),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": f"^{NUMBER_PATTERN}$", "maxLength": MAX_NUMBER_CHARS},
            ]
        }
    ),
]


class PeriodError(ValueError):
    """A period that cannot be read."""


def _first_day(text: str) -> dt.date:
    parts = [int(p) for p in text.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _last_day(text: str) -> dt.date:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return dt.date(parts[0], parts[1], parts[2])
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(parts[0], 12, 31)


@dataclass(frozen=True, slots=True)
class Period:
    """The time a value describes: ``2024``, ``2025-06``, ``2025-12-18``, ``2025-07-01..2025-08-19``,
    or ``..2025-10`` (cumulative up to October 2025, start not stated)."""

    text: str
    start: dt.date | None
    end: dt.date

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, raw: object) -> Period:
        if isinstance(raw, Period):
            return raw
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise PeriodError(
                "a period is text such as '2024', '2025-06', '2025-07-01..2025-08-19' or '..2025-10'"
            )
        text = " ".join(str(raw).split())
        match = _PERIOD_RE.match(text)
        if match is None:
            raise PeriodError(
                f"cannot read period {text!r}: write '2024', '2025-06', '2025-12-18', "
                "'2025-07-01..2025-08-19' or '..2025-10'"
            )
        try:
            if match.group(1):
                return cls(match.group(1), _first_day(match.group(1)), _last_day(match.group(1)))
            first, last = match.group(2), match.group(3)
            start = _first_day(first) if first else None
            end = _last_day(last)
        except ValueError as exc:
            raise PeriodError(f"impossible date in period {text!r}: {exc}") from None
        if start is not None and end < start:
            raise PeriodError(f"period {text!r} ends before it starts")
        return cls(f"{first or ''}..{last}", start, end)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "anyOf": [
                {"type": "string", "pattern": rf"^({_POINT}|({_POINT})?\s*\.\.\s*{_POINT})$"},
                {"type": "integer"},
            ],
            "description": "The time the value describes: '2024', '2025-06', '2025-12-18', "
            "'2025-07-01..2025-08-19', or '..2025-10' when only the end is stated.",
            "examples": ["2024", "2025-06", "2025-07-01..2025-08-19", "..2025-10"],
        }


class ResultSource(Strict):
    """Where a reported value or status comes from: a page address, or a source text and its line."""

    address: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000)] | None = Field(
        default=None, description="Address of the page that carried the figure."
    )
    document: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="File name of the source text in the sources folder, when one exists.",
    )
    line: int | None = Field(default=None, ge=1, description="1-based line of the figure in `document`.")
    ref: ShortText | None = Field(
        default=None,
        description="Section, table row or item, e.g. 'Phụ lục 1, row 25' or 'reported-results.md N1'.",
    )

    @model_validator(mode="after")
    def _somewhere(self) -> ResultSource:
        if self.address is None and self.document is None:
            raise ValueError("a result source needs an `address` or a `document`")
        if self.line is not None and self.document is None:
            raise ValueError("`line` is a line of `document`; name the document")
        return self


class ReportedValue(Strict):
    """One value reported for an indicator in one jurisdiction and period."""

    id: ItemId = Field(description="Stable id inside the results file, e.g. 'N1'.")
    indicator: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] | None = Field(
        description="Catalogue indicator the value measures; null when no catalogue indicator "
        "measures exactly this (the value is kept, never compared)."
    )
    what: ShortText = Field(description="What was measured, in the reporter's words.")
    jurisdiction: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] = Field(
        description="Jurisdiction code, as in the plans (e.g. 'vn', 'haiphong')."
    )
    value: PlainNumber = Field(description="The number as reported (quote it: '18.72').")
    qualifier: Qualifier | None = Field(
        default=None, description="'about', 'over', 'nearly' or 'under' when the report says so."
    )
    unit: ShortText = Field(
        description="Compared with the indicator's unit; a different unit is never compared."
    )
    population: ShortText | None = Field(
        default=None,
        description="What the value counts or ranks when that is not the indicator's own population "
        "(e.g. 'provinces' average'); a value whose population differs is never compared.",
    )
    period: Period
    estimate: bool = Field(default=False, description="The reporter calls the value an estimate.")
    reported_by: ShortText = Field(description="Who reported it, and at what meeting or in what document.")
    reported_on: dt.date | None = Field(
        description="When it was reported (YYYY-MM-DD); null when the source gives no day."
    )
    reliability: Reliability
    source: ResultSource
    note: ShortText | None = None
    _pos: Position | None = PrivateAttr(default=None)


class TaskStatus(Strict):
    """The status of one plan task on one date, as a report gives it."""

    plan: PlanId
    task: ItemId
    status: TaskState = Field(description="done, in-progress, overdue or not-started, as the report says.")
    status_label: ShortText = Field(description="The report's wording, e.g. 'Đang thực hiện'.")
    as_of: dt.date = Field(description="The date the status describes.")
    lead: ShortText | None = Field(description="The agency the report holds responsible.")
    evidence: ShortText | None = Field(
        description="What the report says was done (a verbatim excerpt); null when its cell is empty."
    )
    reported_by: ShortText
    reliability: Reliability
    source: ResultSource
    note: ShortText | None = None
    _pos: Position | None = PrivateAttr(default=None)


class ResultsFile(Strict):
    """One file under results/."""

    values: list[ReportedValue] = Field(default_factory=list)
    task_status: list[TaskStatus] = Field(default_factory=list)
    notes: list[ShortText] = Field(default_factory=list, description="Caveats about the sources.")
