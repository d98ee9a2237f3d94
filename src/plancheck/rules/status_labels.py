"""PC612: a task status whose ``status`` contradicts its own ``status_label``, the report's wording."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

from plancheck.findings import Finding
from plancheck.rules.base import Rule

if TYPE_CHECKING:  # the results model is imported only by runs that have a results folder
    from plancheck.check.progress import Progress


# The wording of Vietnamese progress reports (the 402-CV-VPDU draft's "TIẾN ĐỘ" column and its
# summary: "hoàn thành", "đang thực hiện trong hạn", "đang thực hiện quá hạn") and the statuses
# each allows. "Đang thực hiện" allows overdue as well: a task in progress past its deadline is
# both, and saying overdue claims no more progress than the report does.
STATUS_LABELS: dict[str, frozenset[str]] = {
    "hoàn thành": frozenset({"done"}),
    "đã hoàn thành": frozenset({"done"}),
    "đang thực hiện": frozenset({"in-progress", "overdue"}),
    "đang triển khai": frozenset({"in-progress", "overdue"}),
    "đang thực hiện trong hạn": frozenset({"in-progress"}),
    "quá hạn": frozenset({"overdue"}),
    "đang thực hiện quá hạn": frozenset({"overdue"}),
    "chậm tiến độ": frozenset({"overdue"}),
    "chưa thực hiện": frozenset({"not-started", "overdue"}),
    "chưa triển khai": frozenset({"not-started", "overdue"}),
    "chưa hoàn thành": frozenset({"in-progress", "overdue", "not-started"}),
}


# letters that look like Đ/đ in the report's font: a label spelt with one must still read as the
# word it imitates (U+00D0 Ð and U+0189 Ɖ fold to ð and ɖ)
_LOOK_ALIKE = str.maketrans({"ð": "đ", "ɖ": "đ"})


def label_key(label: str) -> str:
    """A label as the table above spells it: compatibility forms folded (NFKC), lower case,
    look-alike letters of đ folded, punctuation (an ellipsis, a quotation mark) and invisible
    characters dropped, single spaces."""
    folded = unicodedata.normalize("NFKC", label).casefold().translate(_LOOK_ALIKE)
    kept = "".join(
        " " if unicodedata.category(c)[0] in "PSZ" else c
        for c in folded
        if unicodedata.category(c) not in ("Cf", "Cc")
    )
    return " ".join(unicodedata.normalize("NFC", kept).split())


DONE = frozenset({"done"})


def labels_contradicted(progress: Progress) -> Iterator[Finding]:
    for s in progress.results.statuses:
        allowed = STATUS_LABELS.get(label_key(s.item.status_label))
        if allowed is not None and s.item.status in allowed:
            continue
        if allowed is None and s.item.status != "done":
            continue  # another wording is not judged: it may be right, and it clears nothing
        # `done` is the status that clears an overdue warning: it needs a label that says so
        says = (
            f"says {' or '.join(sorted(allowed))}"
            if allowed is not None
            else "is not a wording that says done ('Hoàn thành', 'Đã hoàn thành')"
        )
        yield TASK_STATUS_CONTRADICTS_LABEL.finding(
            s.at.path,
            s.at.line,
            s.at.column,
            f"status of task {s.item.task} ({s.item.plan}) on {s.item.as_of} is {s.item.status}, but its "
            f"label {s.item.status_label!r} {says}",
            plan=None,
            ctx={"item": s.item.task, "parent": s.item.plan, "status": s.item.status},
        )


TASK_STATUS_CONTRADICTS_LABEL = Rule(
    code="PC612",
    name="task-status-contradicts-label",
    severity="error",
    scope="progress",
    summary="A task status whose `status` contradicts its own `status_label`, the report's wording. Known "
    "wordings: 'Hoàn thành' / 'Đã hoàn thành' (done); 'Đang thực hiện' / 'Đang triển khai' "
    "(in-progress or overdue); 'Đang thực hiện trong hạn' (in-progress); 'Quá hạn' / 'Đang thực "
    "hiện quá hạn' / 'Chậm tiến độ' (overdue); 'Chưa thực hiện' / 'Chưa triển khai' (not-started "
    "or overdue); 'Chưa hoàn thành' (anything but done). Case, spacing, punctuation (an ellipsis "
    "too) and look-alike letters of Đ (Ð U+00D0, Ɖ U+0189) do not matter. A wording not in this "
    "list is not judged, except under `done`: the status that clears an overdue task needs a "
    "label that says done.",
    why="The label is quoted from the report (PC611 checks it there); the status is the encoder's "
    "reading of it, and the one the rules use: `done` under 'Đang thực hiện' makes an overdue "
    "task (PC608) disappear. It is an error, not a warning: like an encoding error it says the "
    "results file contradicts itself, so no configuration lowers or switches it off.",
    example="task_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-03', status: done, "
    "status_label: 'Đang thực hiện', ...}",
    instead="task_status:\n  - {plan: national/71-NQ-CP, task: '402-PL1-03', status: in-progress, "
    "status_label: 'Đang thực hiện', ...}",
    check=labels_contradicted,
)
