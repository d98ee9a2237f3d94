"""The indicator catalogue: the vocabulary that makes two plans comparable."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from plancheck.model.plan import Level, ShortText, Strict

Kind = Literal["share", "density", "rate", "index", "count", "rank"]
INTENSIVE_KINDS: frozenset[str] = frozenset({"share", "density", "rate", "index"})


class Indicator(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
    name_vi: ShortText
    name_en: ShortText
    unit: ShortText = Field(description="Targets on this indicator must use exactly this unit.")
    direction: Literal["higher", "lower"] = Field(
        description="'higher' is better for most; 'lower' for ranks (top 3 beats top 10)."
    )
    kind: Kind = Field(
        description="share/density/rate/index compare across jurisdictions; count only within one; "
        "rank only within the same population."
    )
    population: ShortText | None = Field(
        default=None, description="For ranks: what is ranked, e.g. 'provinces-vn', 'asean', 'world'."
    )
    levels: list[Level] = Field(min_length=1, description="Levels at which the indicator applies.")
    monotonic: bool = Field(
        default=False,
        description="The measured value only moves one way over time, so an earlier target also "
        "covers later years.",
    )
    note: ShortText | None = None


class Catalogue(Strict):
    """The file plans/indicators.yaml."""

    indicators: list[Indicator]
