"""Hints for the slips people make: "did you mean …" for names that almost match."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The choice nearest to ``word``, if one is near enough to be the one meant."""
    pool = sorted(set(choices))
    found = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    if not found:
        lowered = {c.lower(): c for c in pool}
        found = difflib.get_close_matches(word.lower(), sorted(lowered), n=1, cutoff=cutoff)
        return lowered[found[0]] if found else None
    return found[0]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"``, or nothing when no choice is close."""
    found = closest(word, choices)
    return f"; did you mean {found!r}?" if found is not None else ""
