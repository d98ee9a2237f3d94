"""The plan document: one YAML file under ``plans/<place>/``.

Field descriptions are part of the generated JSON Schema, so an editor shows them on hover.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from plancheck.model.bound import Bound
from plancheck.model.deadline import Deadline

Level = Literal["national", "province", "district", "commune"]
LEVEL_RANK: dict[str, int] = {"national": 0, "province": 1, "district": 2, "commune": 3}

PlanId = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)+$",
        description="Path of the plan file under plans/ without '.yaml', e.g. 'haiphong/142-KH-UBND'.",
    ),
]
ItemId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        max_length=80,
        description="The source's own numbering, e.g. 'PL2-19-2030' or 'IV.3.1'.",
    ),
]
ShortText = Annotated[str, Field(min_length=1, max_length=2000)]


def _decimal_year(value: object) -> object:
    """A year in plain decimal digits: ``0x7EE``, ``+2030`` or ``02030`` read as 2030 in YAML."""
    written = getattr(value, "yaml_text", None)
    if written is not None:
        raise ValueError(f"write the year in decimal digits, such as 2030, not {written}")
    return value


# strict: the text "2030", 2030.0 or true are not years, they are slips
Year = Annotated[int, Field(ge=1945, le=2100, strict=True), BeforeValidator(_decimal_year)]

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD text (or a date) is a date.

    pydantic on its own reads 0 and "0" as 1970-01-01 (seconds since the epoch) and takes
    "2025-06-09T00:00:00" for a day: an `issued: 0` would silently become a date decades before
    every deadline, and hide the late-issue gap.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return value  # pydantic turns it into a date and rejects impossible ones (2025-02-30)
    turned = (
        re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", value)
        if isinstance(value, str)
        else None
    )
    if turned is not None:  # the Vietnamese day/month/year order: say what to write instead
        day, month, year = turned.groups()
        raise ValueError(
            f'a date is written YYYY-MM-DD: write "{year}-{int(month):02d}-{int(day):02d}", not {value!r}'
        )
    raise ValueError(f"a date is written YYYY-MM-DD, e.g. '2025-06-09', not {value!r}")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_day)]


class Strict(BaseModel):
    """Base for every model: unknown keys are errors, values are not coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


class Position(BaseModel):
    """Where an item starts in its YAML file (1-based). Filled by the loader, never by authors."""

    line: int
    column: int


class Source(Strict):
    """Where in the source document a target or task comes from."""

    section: ShortText = Field(
        description="Section, appendix or table of the source, e.g. 'Phụ lục 2' or 'II.1.b'. "
        "Coverage counts are per section."
    )
    ref: ShortText | None = Field(
        default=None, description="Row, cell or item inside the section, e.g. 'row 19, 2030'."
    )
    line: int | None = Field(
        default=None, ge=1, description="1-based line of the label in the source text file."
    )
    document: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="File name, in the sources folder, of the document this item comes from when "
        "it is not the plan's own `document.source` (e.g. a report that lists the plan's tasks); "
        "`line` is then a line of that file.",
    )


class Replaced(Strict):
    """An earlier document that this one replaces."""

    number: ShortText
    issued: IsoDate | Literal["unknown"]


class LowerPlansDue(Strict):
    """A deadline this document sets for lower levels to issue their own implementing plans."""

    due: Deadline
    label: ShortText = Field(description="The wording in the source, e.g. 'chậm nhất trong tháng 3/2025'.")
    source: Source


class StandIn(Strict):
    """Another plan whose targets are compared in place of this plan's own, and why."""

    plan: PlanId = Field(description="Id of the plan whose targets stand in, e.g. 'national/03-NQ-CP'.")
    reason: ShortText = Field(
        description="Why: e.g. this document's own table is not available and it replaced that plan."
    )


class Document(Strict):
    number: ShortText | None = Field(
        description="Number and symbol, e.g. '142/KH-UBND'; null when the source does not say."
    )
    kind: ShortText = Field(
        description="Kind of document in Vietnamese, e.g. 'Kế hoạch', 'Chương trình hành động'."
    )
    title: ShortText
    issuer: ShortText
    issued: IsoDate | Literal["unknown"] = Field(description="Date of issue (YYYY-MM-DD) or 'unknown'.")
    source: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="File name of the source text inside the sources folder (no folders).",
    )
    replaces: list[Replaced] = Field(default_factory=list)
    lower_plans_due: LowerPlansDue | None = None
    targets_from: StandIn | None = Field(
        default=None,
        description="When this document's own targets are not available: the plan whose targets "
        "children are compared with instead. The plan then lists no targets of its own.",
    )


class Successor(Strict):
    code: ShortText
    name: ShortText
    since: IsoDate


OfficialCode = Annotated[
    str,
    Field(
        pattern=r"^([0-9]{2}|[0-9]{3}|[0-9]{5})$",
        description="Official code of the administrative unit (mã đơn vị hành chính, Tổng cục Thống kê), "
        "quoted: two digits for a province ('31'), five for a commune or ward ('11311'); three for a "
        "district of before 1 July 2025. Units of today are those of the 2025 registry "
        "(the vietnam-provinces package); a unit merged away keeps its code of before the "
        "reorganisation and names its `successor`.",
    ),
]


class Jurisdiction(Strict):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] = Field(
        description="The plan tree's own short name for the place (its folder, e.g. 'haiphong'): "
        "what `parent` and `successor` name and what tells two plans of one place apart. "
        "'vn' for the country."
    )
    official_code: OfficialCode | None = Field(
        default=None,
        description="The official code (see OfficialCode). Required for province, district and "
        "commune plans; absent at national level: Việt Nam has no code in the registry.",
    )
    name: ShortText
    level: Level
    parent: str | None = Field(default=None, description="Code of the jurisdiction above, if any.")
    successor: Successor | None = Field(
        default=None, description="Where the jurisdiction went when it was merged away."
    )


class Target(Strict):
    id: ItemId
    indicator: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    year: Year = Field(description="The deadline: by the end of this year.")
    bound: Bound | None = Field(default=None, description="The numeric bound; omit for a qualitative target.")
    qualitative: ShortText | None = Field(
        default=None, description="The target's wording when it has no number."
    )
    unit: ShortText = Field(description="Must equal the catalogue unit of the indicator.")
    label: ShortText = Field(description="The indicator's wording in the source (a short verbatim excerpt).")
    strive: bool = Field(default=False, description="'Phấn đấu': an aspiration rather than a commitment.")
    per_year: bool = Field(default=False, description="The target recurs every year ('hằng năm').")
    year_inferred: ShortText | None = Field(
        default=None,
        description="The source states no year for this target: why `year` was chosen (e.g. the "
        "resolution's horizon). Findings on it say the year is inferred.",
    )
    monitored_by: ShortText | None = Field(
        default=None,
        description="The agency the source names to monitor and assess the target "
        "('Cơ quan chủ trì theo dõi, đánh giá'), as printed; omit when the source names none.",
    )
    note: ShortText | None = None
    source: Source
    _pos: Position | None = PrivateAttr(default=None)
    _index: int = PrivateAttr(default=-1)  # position in its list, set by the loader

    @model_validator(mode="after")
    def _bound_or_text(self) -> Target:
        if (self.bound is None) == (self.qualitative is None):
            raise ValueError("a target has exactly one of `bound` (a number) or `qualitative` (text)")
        return self


class TaskRef(Strict):
    plan: PlanId
    task: ItemId


class CarriedFrom(Strict):
    """A task of a replaced document that a task repeats unchanged, deadline included."""

    number: ShortText = Field(description="The replaced document's number, as in `document.replaces`.")
    task: ItemId = Field(description="The task's number in that document, e.g. '75'.")


class Task(Strict):
    id: ItemId
    title: ShortText = Field(description="A short verbatim excerpt of the task's wording in the source.")
    lead: ShortText | None = Field(description="Lead agency; null only when the source names none.")
    partners: list[ShortText] = Field(default_factory=list)
    output: ShortText | None = None
    due: Deadline
    due_label: ShortText | None = Field(
        default=None, description="The deadline's wording in the source, e.g. 'Hằng năm'."
    )
    implements: TaskRef | None = Field(default=None, description="The parent task this one implements.")
    carried_from: CarriedFrom | None = Field(
        default=None,
        description="The task of a document this one replaces (`document.replaces`) that this task "
        "repeats with the same deadline: the deadline then counts from that document's issue date "
        "(PC303).",
    )
    issuer_act: ShortText | None = Field(
        default=None,
        description="Why the source names no lead: the task is the issuer's own act (setting up its "
        "own steering committee), which only the issuer can do. `lead` stays null; PC304 is not "
        "reported.",
    )
    aims: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]] = Field(
        default_factory=list,
        description="Catalogue indicators whose parent aim this task takes up, where the plan states "
        "no target on them: a qualitative aim, or one whose year the parent does not state, is then "
        "`not-comparable` (naming this task) rather than missing.",
    )
    note: ShortText | None = None
    source: Source
    _pos: Position | None = PrivateAttr(default=None)
    _index: int = PrivateAttr(default=-1)  # position in its list, set by the loader


class Measure(Strict):
    """A solution the source lists without lead or deadline (not a task), recorded only because it
    takes up a parent aim: a qualitative aim so taken up is `not-comparable`, not missing."""

    id: ItemId
    title: ShortText = Field(description="A short verbatim excerpt of the measure's wording in the source.")
    aims: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]] = Field(
        min_length=1, description="Catalogue indicators whose parent aim the measure takes up."
    )
    note: ShortText | None = None
    source: Source
    _pos: Position | None = PrivateAttr(default=None)
    _index: int = PrivateAttr(default=-1)  # position in its list, set by the loader


class Waiver(Strict):
    """A declared exception: a parent target or task that does not apply to this plan."""

    rule: Annotated[str, Field(pattern=r"^PC[0-9]{3}$")]
    parent: PlanId | None = None
    indicator: str | None = None
    year: Year | None = None
    task: ItemId | None = None
    reason: ShortText
    approved_by: ShortText
    _pos: Position | None = PrivateAttr(default=None)
    _index: int = PrivateAttr(default=-1)  # position in its list, set by the loader


class Elsewhere(Strict):
    """The source says that some of its content is in a part the text does not contain.

    A parent target without counterpart is then `unverifiable` rather than missing (targets),
    and a task without a lead is not reported (leads).
    """

    items: Literal["targets", "leads"] = Field(
        description="'targets': the plan's specific targets; 'leads': the lead agencies of its tasks."
    )
    where: ShortText = Field(description="Where the source says they are, e.g. 'Phụ lục kèm theo'.")
    label: ShortText = Field(description="A short verbatim excerpt of the sentence that says so.")
    tasks: list[ItemId] = Field(
        default_factory=list,
        description=(
            "With items 'leads': only these tasks (e.g. the duties under a heading that names their "
            "agency and was lost when the source was transcribed); empty: every task of the plan."
        ),
    )
    source: Source


class Coverage(Strict):
    """How many items a section of the source has and how many were encoded."""

    section: ShortText
    items: Literal["targets", "tasks"]
    in_source: int = Field(ge=0)
    encoded: int = Field(ge=0)
    note: ShortText | None = None


class Plan(Strict):
    """One plan document, hand-encoded from its source."""

    id: PlanId
    document: Document
    jurisdiction: Jurisdiction
    implements: list[PlanId] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    measures: list[Measure] = Field(
        default_factory=list,
        description="Solutions without lead or deadline that take up a parent aim (see Measure); "
        "not tasks, so no task rule reads them.",
    )
    waivers: list[Waiver] = Field(default_factory=list)
    coverage: list[Coverage] = Field(default_factory=list)
    elsewhere: list[Elsewhere] = Field(
        default_factory=list,
        description="Parts the source refers to but does not contain (an appendix of targets, "
        "a table of lead agencies), each with the source line that says so.",
    )
    notes: list[ShortText] = Field(
        default_factory=list, description="Encoding caveats: misprints, missing appendices."
    )

    @model_validator(mode="after")
    def _one_copy_of_the_targets(self) -> Plan:
        # two copies of one table drift apart; the stand-in is read from its own file
        if self.document.targets_from is not None and self.targets:
            raise ValueError(
                "a plan whose targets stand in from another (`document.targets_from`) lists no targets"
            )
        if self.document.targets_from is not None and self.document.targets_from.plan == self.id:
            raise ValueError("`document.targets_from` names the plan itself")
        return self
