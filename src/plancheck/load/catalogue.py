"""The indicator catalogue (``indicators.yaml``): loading it and checking its relations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plancheck.findings import Finding
from plancheck.load.discover import CATALOGUE_NAME, display_path
from plancheck.load.files import read_file
from plancheck.load.schema import validate_model
from plancheck.load.yamlio import Loaded
from plancheck.model import Catalogue, Indicator
from plancheck.rules.schema import CATALOGUE_RELATION_INVALID, DUPLICATE_INDICATOR


@dataclass
class CatalogueLoad:
    file: Path | None
    shown: str | None
    catalogue: Catalogue | None
    indicators: dict[str, Indicator]
    positions: dict[str, tuple[int, int]]
    findings: list[Finding]


def load_catalogue(root: Path | None, max_bytes: int) -> CatalogueLoad:
    """The catalogue of the tree at ``root``, its indicators by id, and its findings (PC110...)."""
    catalogue_file = root / CATALOGUE_NAME if root is not None else None
    out = CatalogueLoad(catalogue_file, None, None, {}, {}, [])
    if catalogue_file is None:
        return out
    out.shown = display_path(catalogue_file)
    loaded = read_file(catalogue_file, out.shown, max_bytes)
    out.findings.extend(loaded.findings)
    if loaded.data is not None:
        out.catalogue, more_findings = validate_model(Catalogue, loaded, out.shown, None)
        out.findings.extend(more_findings)
    if out.catalogue is not None:
        for index, indicator in enumerate(out.catalogue.indicators):
            pos = loaded.positions.get(("indicators", index), (1, 1))
            if indicator.id in out.indicators:
                out.findings.append(
                    DUPLICATE_INDICATOR.finding(
                        out.shown,
                        *pos,
                        f"indicator {indicator.id!r} is defined more than once",
                        ctx={"indicator": indicator.id},
                    )
                )
                continue
            out.indicators[indicator.id] = indicator
            out.positions[indicator.id] = pos
        out.findings.extend(relation_findings(out.catalogue, loaded, out.shown, out.indicators))
    return out


def relation_findings(
    catalogue: Catalogue, loaded: Loaded, shown: str, indicators: dict[str, Indicator]
) -> list[Finding]:
    """PC209: a relation the comparison could not use soundly (unknown part, other unit or kind, a cycle)."""
    out: list[Finding] = []
    component = _cycles(indicators)
    for index, whole in enumerate(catalogue.indicators):
        for j, relation in enumerate(whole.relations):
            pos = loaded.positions.get(("indicators", index, "relations", j), (1, 1))
            part = indicators.get(relation.contains)
            problem = None
            if part is None:
                problem = f"names {relation.contains!r}, which is not in the catalogue"
            elif part.unit != whole.unit or part.kind != "share" or whole.kind != "share":
                problem = (
                    f"relates {whole.id} ({whole.kind}, {whole.unit}) and {part.id} ({part.kind}, "
                    f"{part.unit}); only shares in one unit can be related"
                )
            elif component[part.id] == component[whole.id]:  # the part reaches the whole
                problem = f"{part.id} also contains {whole.id}, directly or not: a cycle"
            if problem:
                out.append(
                    CATALOGUE_RELATION_INVALID.finding(
                        shown,
                        *pos,
                        f"relation of {whole.id}: {problem}",
                        ctx={"indicator": whole.id},
                    )
                )
        for j, close in enumerate(whole.close_to):
            if close.indicator not in indicators:
                pos = loaded.positions.get(("indicators", index, "close_to", j), (1, 1))
                out.append(
                    CATALOGUE_RELATION_INVALID.finding(
                        shown,
                        *pos,
                        f"close_to of {whole.id}: names {close.indicator!r}, which is not in the catalogue",
                        ctx={"indicator": whole.id},
                    )
                )
    return out


def _cycles(indicators: dict[str, Indicator]) -> dict[str, int]:
    """The strongly connected component of every indicator along `contains` relations (Tarjan).

    A relation whole -> part closes a cycle exactly when the part reaches the whole, that is when
    both lie in one component. One pass over the graph: a search per relation took minutes on a
    catalogue of 500 indicators each containing the next 30. Iterative, so that a long chain of
    relations cannot exhaust Python's recursion limit.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in indicators:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter([r.contains for r in indicators[root].relations]))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in indicators:
                    continue  # an unknown part is reported on its own and leads nowhere
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter([r.contains for r in indicators[child].relations])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component[member] = index[node]
                        if member == node:
                            break
    return component
