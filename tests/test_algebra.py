"""Bound and deadline algebra: unit cases and properties checked against sampled values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plancheck.check.algebra import accepts, accepts_or_better, compare_bounds, compare_deadlines
from plancheck.model import Bound, BoundError, Deadline, DeadlineError

NUM = st.integers(min_value=-20, max_value=120).map(Decimal)
DIRECTION = st.sampled_from(["higher", "lower"])


@st.composite
def bounds(draw: st.DrawFn) -> Bound:
    op = draw(st.sampled_from([">=", ">", "<=", "<", "=", ".."]))
    a = draw(NUM)
    if op == "..":
        b = draw(NUM)
        return Bound("..", min(a, b), max(a, b))
    return Bound(op, a)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("child", "parent", "direction", "verdict"),
    [
        (">= 30", ">= 40", "higher", "weaker"),
        (">= 40", ">= 40", "higher", "meets"),
        (">= 45", ">= 40", "higher", "exceeds"),
        (">= 80", "> 80", "higher", "boundary"),
        ("> 80", ">= 80", "higher", "exceeds"),
        ("80", "> 79", "higher", "exceeds"),
        ("80", "80", "higher", "meets"),
        ("62..65", "> 55", "higher", "exceeds"),
        ("62..65", "62..65", "higher", "meets"),
        ("<= 3", "<= 5", "lower", "exceeds"),
        ("<= 10", "<= 3", "lower", "weaker"),
        ("3", "<= 3", "lower", "meets"),
        ("200..300", "<= 200", "lower", "weaker"),
        ("<= 50", ">= 40", "higher", "weaker"),
    ],
)
def test_compare_bounds_cases(child: str, parent: str, direction: str, verdict: str) -> None:
    assert compare_bounds(Bound.parse(child), Bound.parse(parent), direction) == verdict  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    bounds(),
    bounds(),
    DIRECTION,
    st.lists(NUM | NUM.map(lambda n: n + Decimal("0.5")), min_size=1, max_size=30),
)
def test_meets_agrees_with_sampled_values(
    child: Bound, parent: Bound, direction: str, samples: list[Decimal]
) -> None:
    """When the child meets the parent, every value the child accepts the parent accepts (or better)."""
    verdict = compare_bounds(child, parent, direction)  # type: ignore[arg-type]
    if verdict in ("meets", "exceeds"):
        for value in samples:
            if accepts(child, value):
                assert accepts_or_better(parent, value, direction)  # type: ignore[arg-type]
    if verdict == "boundary":
        # the only values the child admits and the parent does not are at the boundary
        edge_values = [
            v for v in samples if accepts(child, v) and not accepts_or_better(parent, v, direction)
        ]  # type: ignore[arg-type]
        assert all(v == (parent.value if parent.op != ".." else parent.low) for v in edge_values)


@settings(max_examples=300, deadline=None)
@given(bounds(), DIRECTION)
def test_reflexive(bound: Bound, direction: str) -> None:
    assert compare_bounds(bound, bound, direction) == "meets"  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(bounds(), bounds(), bounds(), DIRECTION)
def test_transitive(a: Bound, b: Bound, c: Bound, direction: str) -> None:
    good = ("meets", "exceeds")
    if compare_bounds(a, b, direction) in good and compare_bounds(b, c, direction) in good:  # type: ignore[arg-type]
        assert compare_bounds(a, c, direction) in good  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(bounds())
def test_canonical_form_round_trips(bound: Bound) -> None:
    assert Bound.parse(str(bound)) == bound


@pytest.mark.parametrize("text", ["> 0,7", "about 40", "40%", ">> 3", "", "1" * 50])
def test_unreadable_bounds_are_errors(text: str) -> None:
    with pytest.raises(BoundError):
        Bound.parse(text)


def test_folded_block_bound_is_rejected() -> None:
    # `bound: > 80` unquoted is a YAML folded block: the loader sees "80\n"
    with pytest.raises(BoundError):
        Bound.parse("80\n")


@pytest.mark.parametrize(
    ("text", "canonical", "end"),
    [
        ("2025-03", "2025-03", "2025-03-31"),
        ("2024-02", "2024-02", "2024-02-29"),
        ("2025-Q2", "2025-Q2", "2025-06-30"),
        ("2025", "2025", "2025-12-31"),
        ("2025..2030", "2025..2030", "2030-12-31"),
        ("2025-06-15", "2025-06-15", "2025-06-15"),
        ("annual", "annual", None),
        ("annual from 2025", "annual from 2025", None),
        ("continuous", "continuous", None),
        ("text:  Theo thời gian tại các Nghị quyết", "text: Theo thời gian tại các Nghị quyết", None),
    ],
)
def test_deadline_forms(text: str, canonical: str, end: str | None) -> None:
    deadline = Deadline.parse(text)
    assert str(deadline) == canonical
    assert (deadline.end.isoformat() if deadline.end else None) == end
    assert Deadline.parse(str(deadline)) == deadline


@pytest.mark.parametrize("text", ["2025-13", "2025-02-30", "2030..2025", "Tháng 3/2025", "hằng năm", "text:"])
def test_bad_deadlines(text: str) -> None:
    with pytest.raises(DeadlineError):
        Deadline.parse(text)


@pytest.mark.parametrize(
    ("child", "parent", "verdict"),
    [
        ("2025-03", "2025-03", "on-time"),
        ("2025-04", "2025-03", "later"),
        ("2025-Q1", "2025-03", "on-time"),
        ("2025..2030", "2030", "on-time"),
        ("2025..2031", "2030", "later"),
        ("annual", "continuous", "on-time"),
        ("annual", "2025", "not-comparable"),
        ("text: khi có yêu cầu", "2025", "not-comparable"),
    ],
)
def test_compare_deadlines(child: str, parent: str, verdict: str) -> None:
    assert compare_deadlines(Deadline.parse(child), Deadline.parse(parent)) == verdict
