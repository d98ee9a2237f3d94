"""The reorganisation table: changes of the 2025 administrative map that matter for the plans.

The registry (the vietnam-provinces package) holds only today's units. This small, sourced table
adds what it cannot say: which units were merged away and into which, and which units of today
were established on a given date, each with the resolution that made the change.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from plancheck.model.plan import OfficialCode, ShortText, Strict


class Resolution(Strict):
    """The legal act that made a change. A number is never guessed: unknown is null, with a note."""

    number: ShortText | None = Field(description="e.g. '202/2025/QH15'; null when the source gives none.")
    issued: dt.date | None = None
    note: ShortText | None = Field(default=None, description="What is known when the number is not.")

    @model_validator(mode="after")
    def _number_or_note(self) -> Resolution:
        if self.number is None and self.note is None:
            raise ValueError("a resolution without a number says in `note` what is known of it")
        return self


class UnitRef(Strict):
    code: OfficialCode
    name: ShortText


class Merger(Strict):
    """Units merged into one: those in `merged` ceased to exist on `effective`."""

    into: UnitRef = Field(description="The unit of today (it keeps its code).")
    merged: list[UnitRef] = Field(
        min_length=1, description="Units that ceased to exist, with their former codes."
    )
    level: Literal["province", "commune"]
    effective: dt.date
    resolution: Resolution
    source: ShortText = Field(description="Where the change and the former codes are stated.")


class Establishment(Strict):
    """A unit of today that did not exist before `established`."""

    code: OfficialCode
    name: ShortText
    level: Literal["province", "commune"]
    province: OfficialCode | None = Field(default=None, description="For a commune: its province's code.")
    established: dt.date
    resolution: Resolution
    source: ShortText


class Reorganisation(Strict):
    """The whole table (src/plancheck/data/reorganisation.yaml)."""

    mergers: list[Merger] = Field(default_factory=list)
    established: list[Establishment] = Field(default_factory=list)
