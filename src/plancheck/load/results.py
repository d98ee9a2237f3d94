"""The ``results/`` folder beside the plan tree: reported values and task status reports, each with
its position, and the findings of reading them. Judging them is ``plancheck.check.progress``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from plancheck.findings import Finding
from plancheck.load.discover import discover, display_path
from plancheck.load.files import read_raw
from plancheck.load.plan import LoadedPlan, load_plan
from plancheck.load.planset import PlanSet
from plancheck.load.schema import validate_model
from plancheck.load.yamlio import DEFAULT_MAX_BYTES, Loaded, load_bytes
from plancheck.model.results import ReportedValue, ResultsFile, TaskStatus
from plancheck.rules.input import UNREADABLE_FILE
from plancheck.rules.references import DUPLICATE_ITEM_ID

RESULTS_DIR = "results"


@dataclass(frozen=True)
class Placed:
    """A value or status report and where it stands in its results file."""

    path: str
    line: int
    column: int


@dataclass(frozen=True)
class Value:
    item: ReportedValue
    at: Placed


@dataclass(frozen=True)
class Status:
    item: TaskStatus
    at: Placed


@dataclass
class Results:
    """Everything read from the results folder."""

    folder: Path
    files: list[str] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # reading and schema problems


def results_folder(ps: PlanSet) -> Path | None:
    """``results/`` beside the plan tree's root, when it exists (a link to one is returned too:
    ``load_results`` reports it rather than letting it vanish)."""
    if ps.root is None:
        return None
    folder = ps.root.parent / RESULTS_DIR
    return folder if folder.is_dir() or folder.is_symlink() else None


def load_results(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Results:
    out = Results(folder)
    if folder.is_symlink():
        # as for a linked plan folder: a pull request can commit `results -> /`, which os.walk
        # would follow (the whole filesystem, files outside the repository printed in findings)
        out.files.append(display_path(folder))  # shown like a results file
        out.findings.append(
            UNREADABLE_FILE.finding(
                display_path(folder),
                1,
                1,
                "the results folder is a symbolic link; it is not followed, and no results are read",
            )
        )
        return out
    files, problems = discover([folder])
    out.findings.extend(problems)
    # a linked subfolder (PC011) is shown like a results file, else the report of it is dropped
    out.files.extend(sorted({f.path for f in problems} - set(out.files)))
    for file in files:
        shown = display_path(file)
        out.files.append(shown)
        if file.is_symlink():
            # as for the linked folder: the link can point out of the repository (its keys would
            # be printed in findings) or at a file the pull request's diff never shows
            out.findings.append(
                UNREADABLE_FILE.finding(
                    shown,
                    1,
                    1,
                    "this results file is a symbolic link; it is not followed, and no results are read from it",
                )
            )
            continue
        raw = read_raw(file, shown, max_bytes)
        loaded = raw if isinstance(raw, Loaded) else load_bytes(raw, shown, max_bytes=max_bytes)
        out.findings.extend(loaded.findings)
        if loaded.data is None:
            continue
        model, schema = validate_model(ResultsFile, loaded, shown, None)
        out.findings.extend(schema)
        if model is None:
            continue
        seen: dict[str, int] = {}
        for i, value in enumerate(model.values):
            at = Placed(shown, *loaded.locate(("values", i)))
            if value.id in seen:
                # ids name a figure in findings and reports: unique in the file, as results/README says
                out.findings.append(
                    DUPLICATE_ITEM_ID.finding(
                        shown,
                        *loaded.locate(("values", i, "id")),
                        f"value id {value.id!r} is used more than once (first at line {seen[value.id]})",
                        ctx={"item": value.id},
                    )
                )
            seen.setdefault(value.id, at.line)
            out.values.append(Value(value, at))
        for i, status in enumerate(model.task_status):
            out.statuses.append(Status(status, Placed(shown, *loaded.locate(("task_status", i)))))
    return out


def full_plans(ps: PlanSet, max_bytes: int) -> dict[str, LoadedPlan]:
    """The valid plans with their targets and tasks.

    The pipeline keeps plan summaries without targets and tasks (they stay in the workers);
    those are read again here, which is why progress runs only when a results folder exists.
    """
    out: dict[str, LoadedPlan] = {}
    for plan_id, lp in sorted(ps.plans.items()):
        if lp.plan is not None and not lp.plan.targets and not lp.plan.tasks:
            again = load_plan(lp.file, ps.root, max_bytes)
            if again.plan is not None and again.plan.id == plan_id:
                again.path = lp.path
                lp = again
        out[plan_id] = lp
    return out
