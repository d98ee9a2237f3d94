"""PC1xx rules the loader emits (``plancheck.load``): a file that does not match the model, an id
used twice, an invalid catalogue relation. They have no check of their own."""

from __future__ import annotations

from plancheck.rules.base import Rule

SCHEMA_VIOLATION = Rule(
    code="PC101",
    name="schema-violation",
    severity="error",
    scope="loader",
    summary="A plan or the catalogue does not match the model: a missing or unknown key, a wrong type, "
    "an unreadable bound or deadline, an impossible date.",
    why="Every later rule relies on the model; an unknown key is usually a typo that would drop data.",
    example="targets:\n  - id: t1\n    indicatr: digital-economy-share   # typo\n    year: 2030",
    instead="targets:\n  - id: t1\n    indicator: digital-economy-share\n    year: 2030",
)


DUPLICATE_INDICATOR = Rule(
    code="PC110",
    name="duplicate-indicator",
    severity="error",
    scope="loader",
    summary="The catalogue defines the same indicator id twice.",
    why="Two definitions may disagree on unit or direction; which one wins would be an accident.",
    example="indicators:\n  - id: tfp-contribution\n  - id: tfp-contribution",
    instead="indicators:\n  - id: tfp-contribution",
)


CATALOGUE_RELATION_INVALID = Rule(
    code="PC209",
    name="catalogue-relation-invalid",
    severity="error",
    scope="loader",
    summary="A catalogue relation (`relations: [{contains: ...}]`) names an indicator that is not in the "
    "catalogue, relates anything but two shares in one unit, or closes a cycle; or a `close_to` "
    "entry names an indicator that is not in the catalogue.",
    why="The comparison reads '100 % of the whole implies 100 % of the part' from these relations; "
    "a wrong one would turn a real gap into a pass.",
    example="  - id: electronic-work-processing-share\n    relations:\n      - {contains: no-such-indicator, "
    "reason: ...}",
    instead="    relations:\n      - {contains: electronic-work-processing-share-commune-level, reason: "
    "agencies at commune level are among all state administrative agencies}",
)


DUPLICATE_PLAN_ID = Rule(
    code="PC112",
    name="duplicate-plan-id",
    severity="error",
    scope="loader",
    summary="Two files in the plan tree declare the same plan `id`.",
    why="Only one of them can be the plan others implement; the other would be silently ignored.",
    example="# plans/province/KH-9.yaml, a copy\nid: province/KH-1",
    instead="id: province/KH-9",
)
