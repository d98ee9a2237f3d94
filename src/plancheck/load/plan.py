"""Loading one plan file: the plan, its positions and its findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from plancheck.findings import Finding
from plancheck.load.discover import display_path, expected_id
from plancheck.load.files import read_file
from plancheck.load.schema import validate_model
from plancheck.load.yamlio import DEFAULT_MAX_BYTES, Loaded, load_bytes
from plancheck.model import Plan, Position, Target, Task, Waiver


@dataclass
class LoadedPlan:
    file: Path
    path: str  # display path used in findings
    expected_id: str | None
    loaded: Loaded
    plan: Plan | None = None
    findings: list[Finding] = field(default_factory=list)
    # set on a parent as a child sees it (see inforce): the id the child cites, when another
    # version is in force, and the plan whose targets stand in for this one's
    cited: str | None = None
    stand_in: str | None = None
    # the source texts the plan and its items cite, kept when a summary drops targets and tasks
    documents: tuple[str, ...] | None = None

    @property
    def cited_id(self) -> str | None:
        """The id the child names in `implements` for this parent."""
        return self.cited or self.id

    @property
    def id(self) -> str | None:
        if self.plan is not None:
            return self.plan.id
        return self.expected_id

    def pos(self, *loc: str | int, prefer_key: bool = False) -> tuple[int, int]:
        return self.loaded.locate(loc, prefer_key=prefer_key)


def attach_positions(plan: Plan, loaded: Loaded) -> None:
    def place(kind: str, items: Sequence[Target | Task | Waiver]) -> None:
        for index, item in enumerate(items):
            line, col = loaded.positions.get((kind, index), (1, 1))
            item._pos = Position(line=line, column=col)
            item._index = index

    place("targets", plan.targets)
    place("tasks", plan.tasks)
    place("waivers", plan.waivers)


def load_plan(file: Path, root: Path | None, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedPlan:
    shown = display_path(file)
    return plan_from_loaded(file, shown, expected_id(file, root), read_file(file, shown, max_bytes))


def plan_from_bytes(
    file: Path, shown: str, plan_id: str | None, raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> LoadedPlan:
    """What ``load_plan`` gives for a regular file that holds ``raw``."""
    return plan_from_loaded(file, shown, plan_id, load_bytes(raw, shown, max_bytes=max_bytes))


def plan_from_loaded(file: Path, shown: str, plan_id: str | None, loaded: Loaded) -> LoadedPlan:
    lp = LoadedPlan(file=file, path=shown, expected_id=plan_id, loaded=loaded)
    lp.findings.extend(loaded.findings)
    if loaded.data is None:
        return lp
    plan, problems = validate_model(Plan, loaded, shown, lp.expected_id)
    lp.findings.extend(problems)
    if plan is not None:
        attach_positions(plan, loaded)
        lp.plan = plan
    # the raw tree has served: the model holds the values, the position tables the places;
    # after validation only top-level keys are ever pointed at, so deeper key positions go too
    loaded.data = {}
    loaded.key_positions = {k: v for k, v in loaded.key_positions.items() if len(k) == 1}
    return lp
