"""Bound and deadline algebra: when does a child's target or deadline meet its parent's?

A bound is the set of values it accepts. For a directional indicator what matters is the worst
value a plan still accepts, its *floor* (for higher-is-better) or *ceiling* (for lower-is-better,
as for ranks): a child meets its parent when every value the child accepts is one the parent
accepts or better. A plain value ("đạt 80%") is read as reaching at least that value; a range
``62..65`` has floor 62 (exceeding a range's top is not falling short of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from plancheck.model import Bound, Deadline

Direction = Literal["higher", "lower"]
Verdict = Literal["exceeds", "meets", "boundary", "weaker"]


@dataclass(frozen=True, slots=True)
class Edge:
    """The worst accepted value, in 'goodness' orientation. ``None`` value: no limit at all."""

    value: Decimal | None
    strict: bool  # True when the worst value itself is excluded (">" / "<")


def _high(bound: Bound) -> Decimal:
    # not a truth test on `high`: a range ending at 0 ("-5..0") would lose its end
    return bound.high if bound.high is not None else bound.value


def worst_edge(bound: Bound, direction: Direction) -> Edge:
    op = bound.op
    if direction == "higher":
        if op in (">=", "="):
            return Edge(bound.value, False)
        if op == ">":
            return Edge(bound.value, True)
        if op == "..":
            return Edge(min(bound.value, _high(bound)), False)
        return Edge(None, False)  # "<= v" on a higher-is-better indicator accepts anything below v
    if op in ("<=", "="):
        return Edge(bound.value, False)
    if op == "<":
        return Edge(bound.value, True)
    if op == "..":
        return Edge(max(bound.value, _high(bound)), False)
    return Edge(None, False)


def _better(a: Decimal, b: Decimal, direction: Direction) -> bool:
    return a > b if direction == "higher" else a < b


def compare_bounds(child: Bound, parent: Bound, direction: Direction) -> Verdict:
    """How the child's bound stands against the parent's, for an indicator with ``direction``."""
    c, p = worst_edge(child, direction), worst_edge(parent, direction)
    if p.value is None:
        return "meets" if c.value is None else "exceeds"
    if c.value is None:
        return "weaker"
    if _better(c.value, p.value, direction):
        return "exceeds"
    if c.value == p.value:
        if c.strict == p.strict:
            return "meets"
        return "exceeds" if c.strict else "boundary"
    return "weaker"


def accepts(bound: Bound, value: Decimal) -> bool:
    """Whether ``value`` is in the set ``bound`` literally denotes (used by property tests)."""
    if bound.op == ">=":
        return value >= bound.value
    if bound.op == ">":
        return value > bound.value
    if bound.op == "<=":
        return value <= bound.value
    if bound.op == "<":
        return value < bound.value
    if bound.op == "=":
        return value == bound.value
    assert bound.high is not None
    return bound.value <= value <= bound.high


def accepts_or_better(bound: Bound, value: Decimal, direction: Direction) -> bool:
    """``value`` is accepted by ``bound`` or better than some value it accepts (direction-closed)."""
    edge = worst_edge(bound, direction)
    if edge.value is None:
        return True
    if direction == "higher":
        return value > edge.value or (value == edge.value and not edge.strict)
    return value < edge.value or (value == edge.value and not edge.strict)


DeadlineVerdict = Literal["on-time", "later", "not-comparable"]


def compare_deadlines(child: Deadline, parent: Deadline) -> DeadlineVerdict:
    """Dated deadlines compare by their last day; recurring ones only with recurring ones."""
    if child.form == "text" or parent.form == "text":
        return "not-comparable"
    if child.is_recurring or parent.is_recurring:
        if child.is_recurring and parent.is_recurring:
            return "on-time"
        return "not-comparable"
    assert child.end is not None and parent.end is not None
    return "later" if child.end > parent.end else "on-time"
