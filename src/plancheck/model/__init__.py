"""Pydantic models of the domain: plans, targets and bounds, tasks and deadlines, indicators."""

from plancheck.model.bound import Bound, BoundError
from plancheck.model.deadline import Deadline, DeadlineError
from plancheck.model.indicator import INTENSIVE_KINDS, Catalogue, Indicator, Reasons, Relation
from plancheck.model.plan import (
    LEVEL_RANK,
    Coverage,
    Document,
    Elsewhere,
    Jurisdiction,
    Measure,
    Plan,
    Position,
    Source,
    Target,
    Task,
    TaskRef,
    Waiver,
)

__all__ = [
    "INTENSIVE_KINDS",
    "LEVEL_RANK",
    "Bound",
    "BoundError",
    "Catalogue",
    "Coverage",
    "Deadline",
    "DeadlineError",
    "Document",
    "Elsewhere",
    "Indicator",
    "Jurisdiction",
    "Measure",
    "Plan",
    "Position",
    "Reasons",
    "Relation",
    "Source",
    "Target",
    "Task",
    "TaskRef",
    "Waiver",
]
