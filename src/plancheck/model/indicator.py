"""The indicator catalogue: the vocabulary that makes two plans comparable.

Every indicator states what it counts, over whom, over which part of a jurisdiction, which way
is better, whether a level once reached is kept, and which narrower indicators it contains,
each with a one-line reason, so that a comparison between two plans can be argued from the
catalogue alone.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from plancheck.model.plan import Level, ShortText, Strict

Kind = Literal["share", "density", "rate", "index", "count", "rank"]
INTENSIVE_KINDS: frozenset[str] = frozenset({"share", "density", "rate", "index"})
IndicatorId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
OneLine = Annotated[str, Field(min_length=1, max_length=400, pattern=r"^[^\n]+$")]


class Relation(Strict):
    """This indicator is a whole that contains the named one as a part.

    Used one way only: 100 % of the whole implies 100 % of every part; a share of a part says
    nothing about the whole, and a share of the whole below 100 % says nothing about a part.
    """

    contains: IndicatorId = Field(description="Id of the narrower indicator (the part).")
    reason: OneLine = Field(description="Why 100 % of this one implies 100 % of the part.")


class CloseMeasure(Strict):
    """A different measure of the same aim: a child target on it neither meets nor misses a
    parent target on this indicator, so the comparison is left to the analyst."""

    indicator: IndicatorId = Field(description="Id of the closely related indicator.")
    reason: OneLine = Field(description="Why the two are close, and why neither implies the other.")


class Reasons(Strict):
    """One line per catalogue decision, so a reader can check it without the encoder."""

    population: OneLine
    scope: OneLine
    direction: OneLine
    carry_over: OneLine
    relations: OneLine


class Indicator(Strict):
    id: IndicatorId
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
    counts: ShortText = Field(
        description="What is counted or measured, e.g. 'work files processed end to end online'."
    )
    population: ShortText = Field(
        description="Over whom (the denominator of a share: 'adults', 'state administrative agencies "
        "at commune level') or, for a rank, among whom ('provinces-vn', 'world')."
    )
    scope: ShortText = Field(
        description="Which part of the plan's jurisdiction: 'whole jurisdiction', 'commune level', "
        "'urban areas'."
    )
    carry_over: Literal["kept", "not-kept"] = Field(
        description="'kept': a level once reached stays (records digitised, coverage built), so an "
        "earlier target also covers later years; 'not-kept': the value can fall back (a share of "
        "spending, a growth rate, a rank)."
    )
    relations: list[Relation] = Field(
        description="Narrower indicators this one contains (whole ⊇ part); empty when none."
    )
    close_to: list[CloseMeasure] = Field(
        default_factory=list,
        description="Different measures of the same aim (online use vs dossiers handled online): a "
        "parent target on this indicator that the child states only on one of them is "
        "`not-comparable`, naming the child's target, not missing.",
    )
    parts_cover_whole: bool = Field(
        default=False,
        description="The parts under `relations` together make up the whole, so every part at 100 % "
        "means the whole at 100 % (say why in reasons.relations).",
    )
    share_of_units: Literal["commune"] | None = Field(
        default=None,
        description="The share counts the jurisdiction's own units of this level (its communes): a "
        "parent's share below 100 % binds no one of them, so a plan of that level is not compared "
        "with it (100 % of all of them still binds each one).",
    )
    reasons: Reasons = Field(description="A one-line reason for each decision above.")
    levels: list[Level] = Field(min_length=1, description="Levels at which the indicator applies.")
    note: ShortText | None = None

    @property
    def monotonic(self) -> bool:
        return self.carry_over == "kept"

    @model_validator(mode="after")
    def _no_self_relation(self) -> Indicator:
        if any(c.indicator == self.id for c in self.close_to):
            raise ValueError(f"indicator {self.id} cannot be close to itself")
        if any(r.contains == self.id for r in self.relations):
            raise ValueError(f"indicator {self.id} cannot contain itself")
        if self.parts_cover_whole and len(self.relations) < 2:
            raise ValueError("parts_cover_whole needs at least two parts under relations")
        if self.kind == "rank" and self.direction != "lower":
            # a rank is a position: 1 is first. 'higher' would turn every rank gap the other way
            raise ValueError(f"indicator {self.id}: a rank is better when lower; direction must be 'lower'")
        return self


class Catalogue(Strict):
    """The file plans/indicators.yaml."""

    indicators: list[Indicator]
