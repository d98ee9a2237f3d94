"""PC5xx: provenance — a target's label, a task's title and an `elsewhere` declaration's label
occur in the source text, where recorded.

The source text is the plan's `document.source`, or for one item its `source.document` (a report
that lists a plan's tasks, for instance).

Only runs when a sources folder is given (`--sources DIR` or `[tool.plancheck] sources`).
"""

from __future__ import annotations

import unicodedata
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from plancheck.findings import Finding
from plancheck.load.plan import LoadedPlan
from plancheck.load.planset import PlanSet
from plancheck.load.sources import MAX_SOURCE_BYTES, source_path
from plancheck.rules.base import Rule

FAMILY = "PC5"  # the prefix of the provenance rules' codes
LINE_WINDOW = 3  # a recorded line may be this far from where the label occurs
# Lines a plan's label searches may read in one source text: about a second. Only a text of a
# few words repeated over and over (every line a candidate for every label) comes near it.
SEARCH_BUDGET = 3_000_000
_NONE: array[int] = array("I")
GRAM_INDEX_CHARS = 4_000_000  # about a second to build, and tens of megabytes


def fold(text: str) -> str:
    """NFC, case-folded, whitespace collapsed: how labels and sources are compared."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass(frozen=True)
class SourceText:
    lines: tuple[str, ...]  # folded, index 0 is line 1
    # built on first use: the lines holding each word, and the answers given so far
    _words: dict[str, array[int]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _found: dict[str, tuple[int, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)
    # the lines holding each three-character run, for labels of one or two words
    _grams: dict[str, array[int]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def occurrences(self, needle: str) -> list[int]:
        folded = fold(needle)
        if not folded:
            return []
        found = self._found.get(folded)
        if found is None:
            found = self._found[folded] = tuple(
                i + 1 for i in self._candidates(folded) if folded in self.lines[i]
            )
        return list(found)

    def cost(self, needle: str) -> int:
        """How many lines a search for ``needle`` reads: what a plan's search budget counts
        (the same whether the answer is already known, so the findings never depend on which
        plan a worker checked first)."""
        folded = fold(needle)
        return len(self._candidates(folded)) if folded else 0

    def near(self, needle: str, line: int) -> bool:
        """``needle`` occurs within LINE_WINDOW lines of ``line``."""
        folded = fold(needle)
        return bool(folded) and any(
            folded in text for text in self.lines[max(0, line - 1 - LINE_WINDOW) : line + LINE_WINDOW]
        )

    def _candidates(self, folded: str) -> Sequence[int]:
        words = folded.split(" ")
        if len(words) < 3:
            # no whole word to look up: a three-character run of the label is in every line
            # that holds it; the lines of its rarest run are searched. 200 plans of two-word
            # labels against a text of 85,000 one-word lines read every line for every label.
            grams = self._gram_index()
            if grams is None or len(folded) < 3:
                return range(len(self.lines))
            return min((grams.get(folded[i : i + 3], _NONE) for i in range(len(folded) - 2)), key=len)
        # a word strictly inside the needle is a whole word of every line that holds the
        # needle: only the lines of its rarest such word are searched. Searching every line
        # for every item took 23 s for 4,000 items against a 25,000-line text.
        index = self._index()
        return min((index.get(word, _NONE) for word in words[1:-1]), key=len)

    def _gram_index(self) -> dict[str, array[int]] | None:
        """Built on first use, for texts up to GRAM_INDEX_CHARS (a bigger one is searched line by
        line, within the plan's search budget, PC506)."""
        if "" not in self._grams:  # "" and "\0" are no label's three-character runs: markers
            self._grams[""] = _NONE
            if sum(len(line) for line in self.lines) > GRAM_INDEX_CHARS:
                self._grams["\0"] = _NONE
            for i, line in enumerate(self.lines if "\0" not in self._grams else ()):
                for gram in {line[j : j + 3] for j in range(len(line) - 2)}:
                    lines = self._grams.get(gram)
                    if lines is None:
                        lines = self._grams[gram] = array("I")
                    lines.append(i)
        return None if "\0" in self._grams else self._grams

    def _index(self) -> dict[str, array[int]]:
        if not self._words:
            for i, line in enumerate(self.lines):
                for word in set(line.split(" ")):
                    lines = self._words.get(word)
                    if lines is None:
                        lines = self._words[word] = array("I")
                    lines.append(i)
        return self._words


@lru_cache(maxsize=64)
def read_source(path: Path, mtime_ns: int) -> SourceText | None:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError:
        return None
    text = raw[:MAX_SOURCE_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    return SourceText(tuple(fold(line) for line in text.splitlines()))


def _source_of(lp: LoadedPlan, ps: PlanSet) -> tuple[SourceText | None, Finding | None]:
    assert lp.plan is not None
    name = lp.plan.document.source
    if ps.sources is None or name is None:
        return None, None
    return _named_source(lp, ps.sources, name, ("document", "source"))


def _named_source(
    lp: LoadedPlan, sources: Path, name: str, loc: tuple[str | int, ...]
) -> tuple[SourceText | None, Finding | None]:
    """The text of source file ``name``, or the finding (at ``loc``) that says why there is none."""
    line, col = lp.pos(*loc)
    path = source_path(sources, name)
    if path is None:
        return None, SOURCE_OUTSIDE_FOLDER.finding(
            lp.path, line, col, f"source {name!r} points outside the sources folder", plan=lp.id
        )
    if not path.is_file():
        where = (
            "is a folder in the sources folder, not a text"
            if path.is_dir()
            else "is not in the sources folder"
        )
        return None, SOURCE_NOT_FOUND.finding(
            lp.path,
            line,
            col,
            f"source {name!r} {where}",
            plan=lp.id,
            ctx={"source": name},
        )
    text = read_source(path, path.stat().st_mtime_ns)
    if text is None:
        return None, SOURCE_NOT_FOUND.finding(
            lp.path, line, col, f"source {name!r} cannot be read", plan=lp.id
        )
    return text, None


def _items(lp: LoadedPlan) -> Iterator[tuple[tuple[str | int, ...], str, str, int | None, str | None]]:
    """(yaml location, item id, text that must occur, recorded line, other source document)."""
    assert lp.plan is not None
    for i, target in enumerate(lp.plan.targets):
        yield ("targets", i), target.id, target.label, target.source.line, target.source.document
    for i, task in enumerate(lp.plan.tasks):
        yield ("tasks", i), task.id, task.title, task.source.line, task.source.document
    for i, measure in enumerate(lp.plan.measures):
        yield ("measures", i), measure.id, measure.title, measure.source.line, measure.source.document
    due = lp.plan.document.lower_plans_due
    if due is not None:
        yield (
            ("document", "lower_plans_due"),
            "lower_plans_due",
            due.label,
            due.source.line,
            due.source.document,
        )
    # a declaration that excuses gaps must be as traceable as a target
    for i, declared in enumerate(lp.plan.elsewhere):
        yield (
            ("elsewhere", i),
            f"elsewhere[{i}]",
            declared.label,
            declared.source.line,
            declared.source.document,
        )


def cited_documents(lp: LoadedPlan) -> list[str]:
    """Every source text the provenance rules read for ``lp``: its own and its items' others."""
    if lp.documents is not None:  # a summary, whose targets and tasks stayed with the worker
        return list(lp.documents)
    if lp.plan is None:
        return []
    names = {other for *_, other in _items(lp) if other is not None}
    if lp.plan.document.source is not None:
        names.add(lp.plan.document.source)
    return sorted(names)


def check_provenance(lp: LoadedPlan, ps: PlanSet) -> Iterator[Finding]:
    if lp.plan is None:
        return
    own, problem = _source_of(lp, ps)
    if problem is not None:
        yield problem
    others: dict[str, SourceText | None] = {}
    spent: dict[str | None, int] = {}  # lines read per source text, against SEARCH_BUDGET
    for loc, item, needle, recorded, other in _items(lp):
        # an item taken from another document (source.document) is checked against that text
        text, name = own, lp.plan.document.source
        if other is not None and ps.sources is not None:
            if other not in others:
                others[other], problem = _named_source(lp, ps.sources, other, (*loc, "source", "document"))
                if problem is not None:
                    yield problem
            text, name = others[other], other
        if text is None:
            continue
        field = "title" if loc[0] in ("tasks", "measures") else "label"
        if recorded is not None and text.near(needle, recorded):
            continue  # where it is said to be: nothing to report, and no need to look further
        spent[name] = spent.get(name, 0) + text.cost(needle)
        if spent[name] > SEARCH_BUDGET:
            line, col = lp.pos(*loc, field)
            yield SOURCE_TOO_REPETITIVE.finding(
                lp.path,
                line,
                col,
                f"{item}: {field} not searched in {name}: the plan's searches would read more than "
                f"{SEARCH_BUDGET:,} of its lines (a text of a few words repeated?)",
                plan=lp.id,
                ctx={"item": item},
            )
            continue
        found = text.occurrences(needle)
        if not found:
            line, col = lp.pos(*loc, field)
            yield LABEL_NOT_IN_SOURCE.finding(
                lp.path,
                line,
                col,
                f"{item}: {field} not found in {name}: {needle[:80]!r}",
                plan=lp.id,
                ctx={"item": item},
            )
            continue
        if recorded is None:
            line, col = lp.pos(*loc, "source")
            yield SOURCE_LINE_MISSING.finding(
                lp.path,
                line,
                col,
                f"{item}: no source line recorded; the {field} occurs at line {found[0]}",
                plan=lp.id,
                ctx={"item": item, "found": found[:5]},
            )
            continue
        nearest = min(found, key=lambda n: (abs(n - recorded), n))
        if abs(nearest - recorded) > LINE_WINDOW:
            line, col = lp.pos(*loc, "source", "line")
            yield SOURCE_LINE_OFF.finding(
                lp.path,
                line,
                col,
                f"{item}: source line {recorded}, but the {field} occurs at line "
                f"{', '.join(str(n) for n in found[:5])}",
                plan=lp.id,
                ctx={"item": item, "recorded": recorded, "found": found[:5]},
            )


_EX = "document:\n  source: haiphong-142-KH-UBND-2025-06-09.txt\ntargets:\n  - id: PL2-1-2025\n"

LABEL_NOT_IN_SOURCE = Rule(
    code="PC501",
    name="label-not-in-source",
    severity="error",
    scope="plan",
    summary="A target's `label`, a task's `title` or an `elsewhere` declaration's `label` does not occur "
    "in the source text (compared after Unicode NFC, case folding and whitespace folding).",
    why="Labels are how an analyst finds a number in the document; one that is not there cannot be "
    "traced, and often means the number came from somewhere else.",
    example=_EX + "    label: Tỷ lệ phủ sóng 5G toàn thành phố   # paraphrased",
    instead=_EX + "    label: Tỷ lệ phủ sóng 5G trong khu đô thị   # verbatim",
    check=check_provenance,
    emits=("PC501", "PC502", "PC503", "PC504", "PC505", "PC506"),
)

SOURCE_LINE_OFF = Rule(
    code="PC502",
    name="source-line-off",
    severity="error",
    scope="plan",
    summary=f"The recorded `source.line` is more than {LINE_WINDOW} lines from where the label occurs.",
    why="A wrong line sends a reviewer to the wrong row, where a different number stands.",
    example=_EX + "    source: {section: Phụ lục 2, line: 12}",
    instead=_EX + "    source: {section: Phụ lục 2, line: 489}",
)

SOURCE_NOT_FOUND = Rule(
    code="PC503",
    name="source-not-found",
    severity="error",
    scope="plan",
    summary="`document.source`, or an item's `source.document`, names a file that is not in the sources folder.",
    why="Provenance cannot be checked against a document that is not there.",
    example="document:\n  source: haiphong-142.txt   # misspelt",
    instead="document:\n  source: haiphong-142-KH-UBND-2025-06-09.txt",
)

SOURCE_OUTSIDE_FOLDER = Rule(
    code="PC504",
    name="source-outside-folder",
    severity="error",
    scope="plan",
    summary="`document.source`, or an item's `source.document`, resolves to a place outside the sources "
    "folder (via `..` or a link).",
    why="A plan file from an untrusted pull request must not make plancheck read arbitrary files.",
    example="# sources/hongbang-106-KH-UBND-2025-10-03.txt -> ../../etc/passwd   # a link out\n"
    "document:\n  source: hongbang-106-KH-UBND-2025-10-03.txt",
    instead="# sources/hongbang-106-KH-UBND-2025-10-03.txt: the text itself, a regular file\n"
    "document:\n  source: hongbang-106-KH-UBND-2025-10-03.txt",
)

SOURCE_LINE_MISSING = Rule(
    code="PC505",
    name="source-line-missing",
    severity="warning",
    scope="plan",
    summary="A target or task of a plan with a source text records no `source.line`.",
    why="Without a line a reviewer must search the document; with it, provenance is checked exactly.",
    example=_EX + "    source: {section: Phụ lục 2}",
    instead=_EX + "    source: {section: Phụ lục 2, line: 489}",
)

SOURCE_TOO_REPETITIVE = Rule(
    code="PC506",
    name="source-too-repetitive-to-search",
    severity="error",
    scope="plan",
    summary="The label searches of one plan in one source text would read more than "
    f"{SEARCH_BUDGET:,} lines: the items past that point are reported, not searched. Only a "
    "text of a few words repeated on every line, with many labels made of those words and "
    "not where their `source.line` says, comes near it.",
    why="Provenance is checked within bounded time on any input; an item that was not checked is "
    "said, never passed. It is an error, so a gate does not pass on a check it skipped.",
    example="# 4,000 labels made of ten words, against a text whose 25,000 lines all hold those words",
    instead="# labels as the source writes them, with the line where they stand",
)

RULES = [
    LABEL_NOT_IN_SOURCE,
    SOURCE_LINE_OFF,
    SOURCE_NOT_FOUND,
    SOURCE_OUTSIDE_FOLDER,
    SOURCE_LINE_MISSING,
    SOURCE_TOO_REPETITIVE,
]
