"""Hints for the slips people make: "did you mean …" for names that almost match."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.75


class Suggester:
    """A "did you mean" for one set of choices, asked about many words (a plan's indicators).

    The choices are sorted once, a word asked again is answered from memory, and with ``budget``
    at most that many word-to-choice comparisons are made in all: each is a difflib ratio, so
    thousands of near misses in one file (hostile input) against every choice would cost seconds.
    Past the budget a new word gets no suggestion; the finding stands without it.
    """

    def __init__(self, choices: Iterable[str], budget: int | None = None) -> None:
        self._pool = sorted(set(choices))
        self._lowered = {c.lower(): c for c in self._pool}
        self._lowered_pool = sorted(self._lowered)
        # the lower-cased retry is the same search when nothing has upper case: skipped then
        self._retry = self._lowered_pool != self._pool
        self._budget = budget
        self._spent = 0
        self._seen: dict[str, str | None] = {}

    def _affordable(self, pool: list[str]) -> bool:
        if self._budget is not None and self._spent + len(pool) > self._budget:
            return False
        self._spent += len(pool)
        return True

    def closest(self, word: str) -> str | None:
        """The choice nearest to ``word``, if one is near enough to be the one meant."""
        if word in self._seen:
            return self._seen[word]
        if not self._affordable(self._pool):
            return None
        found = difflib.get_close_matches(word, self._pool, n=1, cutoff=CUTOFF)
        best = found[0] if found else None
        if best is None and (self._retry or word != word.lower()) and self._affordable(self._lowered_pool):
            found = difflib.get_close_matches(word.lower(), self._lowered_pool, n=1, cutoff=CUTOFF)
            best = self._lowered[found[0]] if found else None
        self._seen[word] = best
        return best

    def did_you_mean(self, word: str) -> str:
        """``"; did you mean 'x'?"``, or nothing when no choice is close."""
        found = self.closest(word)
        return f"; did you mean {found!r}?" if found is not None else ""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"``, or nothing when no choice is close."""
    return Suggester(choices).did_you_mean(word)
