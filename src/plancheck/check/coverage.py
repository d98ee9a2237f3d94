"""Coverage: which units of the 2025 map have a plan implementing 57-NQ/TW, and since when.

For each of the 34 provinces, and for the communes of every province that has a plan in the
tree: the plans of the unit (and of the units merged into it) that implement 57-NQ/TW directly
or through their parents, the earliest issue date of each (its `replaces` chain counts), that
date against the deadline for local plans, and the unit's succession status from the
reorganisation table. Works on plan summaries (no targets or tasks are needed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from plancheck.load import admin, inforce
from plancheck.model import LEVEL_RANK, Plan
from plancheck.rules.tasks import effective_issue_date

ROOT_NUMBER = "57-NQ/TW"


@dataclass(frozen=True)
class PlanEntry:
    id: str
    number: str | None
    issued: str  # ISO date or 'unknown'
    first_issued: dt.date | None  # the earliest date of its `replaces` chain, or its own
    replaces: tuple[tuple[str, str], ...]  # (number, ISO date or 'unknown'), as encoded
    unit: str  # official code of the plan's own unit (a predecessor's for a merged-away unit)
    unit_name: str

    def chain(self, replaces: str = "replaces") -> str:
        """'142/KH-UBND (2025-06-09) replaces 44/KH-UBND (2025-02-28)'."""
        text = f"{self.number or self.id} ({self.issued})"
        if self.replaces:
            text += f" {replaces} " + ", ".join(f"{n} ({d})" for n, d in self.replaces)
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "issued": self.issued,
            "first_issued": self.first_issued.isoformat() if self.first_issued else None,
            "replaces": [{"number": n, "issued": d} for n, d in self.replaces],
            "official_code": self.unit,
            "unit": self.unit_name,
        }


@dataclass(frozen=True)
class Deadline:
    plan: str  # the plan that sets it
    due: str
    end: dt.date


@dataclass
class UnitCoverage:
    code: str
    name: str
    level: str
    province: str | None
    plans: list[PlanEntry] = field(default_factory=list)  # of the unit itself
    predecessor_plans: list[PlanEntry] = field(default_factory=list)  # of units merged into it
    deadline: Deadline | None = None
    timing: str = "no-plan"  # on-time | late | not-applicable | unknown | no-plan
    succession: str = "current"  # current | merged | established
    succession_units: list[str] = field(default_factory=list)  # 'Tỉnh Hà Nam (35)' merged into it
    succession_date: dt.date | None = None
    succession_resolution: str | None = None  # None: not yet sourced

    @property
    def succession_note(self) -> str:
        return succession_text(self, WORDS["en"])

    @property
    def covered(self) -> bool:
        return bool(self.plans or self.predecessor_plans)

    @property
    def first_issued(self) -> dt.date | None:
        """The earliest issue date of its own plans (of its predecessors' when it has none)."""
        dates = [p.first_issued for p in self.plans or self.predecessor_plans if p.first_issued is not None]
        return min(dates) if dates else None

    def as_json(self) -> dict[str, Any]:
        return {
            "official_code": self.code,
            "name": self.name,
            "level": self.level,
            "province": self.province,
            "has_plan": self.covered,
            "own_plan": bool(self.plans),
            "plans": [p.as_json() for p in self.plans],
            "predecessor_plans": [p.as_json() for p in self.predecessor_plans],
            "first_issued": self.first_issued.isoformat() if self.first_issued else None,
            "deadline": (
                {"plan": self.deadline.plan, "due": self.deadline.due, "end": self.deadline.end.isoformat()}
                if self.deadline
                else None
            ),
            "timing": self.timing,
            "succession": self.succession,
            "succession_note": self.succession_note,
        }


@dataclass
class Coverage:
    provinces: list[UnitCoverage]
    communes: dict[str, list[UnitCoverage]]  # province code -> its communes
    unplaced: list[str]  # plans implementing 57-NQ/TW whose unit has no (known) official code
    replaced: list[tuple[str, str, tuple[tuple[str, str], ...]]]  # (plan, its number/date, what it replaces)

    def totals(self) -> dict[str, Any]:
        provinces = {
            "total": len(self.provinces),
            "with_plan": sum(u.covered for u in self.provinces),
            "with_own_plan": sum(bool(u.plans) for u in self.provinces),
        }
        communes = {
            code: {
                "total": len(units),
                "with_plan": sum(u.covered for u in units),
            }
            for code, units in sorted(self.communes.items())
        }
        return {"provinces": provinces, "communes": communes}

    def as_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "registry": admin.registry_version(),
            "root": ROOT_NUMBER,
            "totals": self.totals(),
            "provinces": [u.as_json() for u in self.provinces],
            "communes": {code: [u.as_json() for u in units] for code, units in sorted(self.communes.items())},
            "unplaced_plans": self.unplaced,
            "replaced": [
                {"plan": pid, "document": doc, "replaces": [{"number": n, "issued": d} for n, d in chain]}
                for pid, doc, chain in self.replaced
            ],
        }


def _implements_root(plans: dict[str, Plan]) -> set[str]:
    """Ids of plans that implement 57-NQ/TW directly or through their parents (not the root itself)."""
    roots = {pid for pid, p in plans.items() if p.document.number == ROOT_NUMBER}
    children: dict[str, list[str]] = {}
    for pid, plan in plans.items():
        for parent in plan.implements:
            children.setdefault(parent, []).append(pid)
    # downward from the root: a cycle (PC106) is visited once, never followed forever
    found: set[str] = set()
    stack = sorted(roots)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found - roots


def _entry(pid: str, plan: Plan) -> PlanEntry:
    doc = plan.document
    return PlanEntry(
        id=pid,
        number=doc.number,
        issued=doc.issued.isoformat() if isinstance(doc.issued, dt.date) else "unknown",
        first_issued=effective_issue_date(plan),
        replaces=tuple(
            (r.number, r.issued.isoformat() if isinstance(r.issued, dt.date) else "unknown")
            for r in doc.replaces
        ),
        unit=plan.jurisdiction.official_code or "",
        unit_name=plan.jurisdiction.name,
    )


def _in_force(
    candidates: list[str], on: dt.date | None, plans: dict[str, Plan], repl: dict[str, inforce.Replacement]
) -> list[str]:
    """The version of each candidate in force on ``on``, as PC302 compares a plan issued that day.

    A plan issued before a replacement answers to the programme it replaced, where it cites that
    programme (a plan of 2025-02-25 citing 03/NQ-CP, to 03's deadline, not to that of 71/NQ-CP,
    which replaced it on 2025-04-01); with no date (the national plans every locality answers to,
    a unit without a plan), the versions in force now.
    """
    if on is None:
        return [pid for pid in candidates if pid not in repl]
    return [inforce.in_force(pid, on, plans, repl) for pid in candidates]


def _deadline(candidates: list[str], plans: dict[str, Plan]) -> Deadline | None:
    """The earliest deadline for lower plans among ``candidates``."""
    best: Deadline | None = None
    for pid in sorted(set(candidates)):
        plan = plans.get(pid)
        if plan is None:
            continue
        due = plan.document.lower_plans_due
        if due is None or due.due.end is None:
            continue
        if best is None or (due.due.end, LEVEL_RANK[plan.jurisdiction.level]) < (
            best.end,
            LEVEL_RANK[plans[best.plan].jurisdiction.level],
        ):
            best = Deadline(pid, str(due.due), due.due.end)
    return best


def _timing(unit: UnitCoverage) -> str:
    if not unit.covered:
        return "no-plan"
    est = admin.establishment(unit.code)
    if unit.deadline is not None and est is not None and unit.deadline.end < est.established:
        return "not-applicable"
    first = unit.first_issued
    if first is None:
        return "unknown"
    if unit.deadline is None:
        return "no-deadline"
    return "on-time" if first <= unit.deadline.end else "late"


def _succession(unit: UnitCoverage) -> None:
    est = admin.establishment(unit.code)
    if est is not None:
        unit.succession = "established"
        unit.succession_date, unit.succession_resolution = est.established, _resolution(est.resolution)
        return
    merged = admin.predecessors(unit.code)
    if merged:
        unit.succession = "merged"
        m = merged[0].merger
        unit.succession_units = [f"{f.name} ({f.code})" for f in merged]
        unit.succession_date, unit.succession_resolution = m.effective, _resolution(m.resolution)


def _resolution(res: Any) -> str | None:
    if res.number is not None:
        return str(res.number) + (f" ({res.issued.isoformat()})" if res.issued else "")
    return None


def succession_text(u: UnitCoverage, w: dict[str, str]) -> str:
    if u.succession == "current" or u.succession_date is None:
        return ""
    res = u.succession_resolution or w["no_resolution"]
    return w["note_" + u.succession].format(
        units=", ".join(u.succession_units), date=u.succession_date.isoformat(), res=res
    )


def compute(plans: dict[str, Plan]) -> Coverage:
    """Coverage of the tree whose valid plans are ``plans`` (by id)."""
    reg = admin.registry()
    implementing = _implements_root(plans)
    repl = inforce.replacements(plans)
    national = [pid for pid, p in plans.items() if p.jurisdiction.level == "national"]
    own: dict[str, list[str]] = {}
    unplaced: list[str] = []
    for pid in sorted(implementing):
        code = plans[pid].jurisdiction.official_code
        if plans[pid].jurisdiction.level == "national":
            continue
        if code is None or (reg.get(code) is None and admin.former(code) is None):
            unplaced.append(pid)
        else:
            own.setdefault(code, []).append(pid)

    def unit_row(u: admin.Unit, extra_candidates: list[str]) -> UnitCoverage:
        row = UnitCoverage(u.code, u.name, u.level, u.province)
        row.plans = [_entry(pid, plans[pid]) for pid in own.get(u.code, [])]
        for former in admin.predecessors(u.code):
            row.predecessor_plans += [_entry(pid, plans[pid]) for pid in own.get(former.code, [])]
        # what the national plans set for every locality, what the parents of the unit's plans
        # set (as PC302 reads them) and, for a commune without a plan, what its province's set
        candidates: list[str] = []
        for e in row.plans or row.predecessor_plans:
            on = inforce.issue_date(plans[e.id])
            candidates += _in_force(plans[e.id].implements, on, plans, repl)
        candidates += _in_force([*national, *([] if row.plans else extra_candidates)], None, plans, repl)
        row.deadline = _deadline(candidates, plans)
        row.timing = _timing(row)
        _succession(row)
        return row

    provinces = [unit_row(u, []) for _, u in sorted(reg.provinces.items())]
    communes: dict[str, list[UnitCoverage]] = {}
    for prov in provinces:
        if not prov.covered and not any(
            reg.communes.get(c) and reg.communes[c].province == prov.code for c in own
        ):
            continue
        province_plans = [e.id for e in prov.plans]
        communes[prov.code] = [unit_row(u, province_plans) for u in reg.communes_of(prov.code)]
    chains = [
        (pid, f"{p.document.number or pid} ({_iso(p.document.issued)})", _entry(pid, p).replaces)
        for pid, p in sorted(plans.items())
        if p.document.replaces
    ]
    return Coverage(provinces, communes, unplaced, chains)


def _iso(value: dt.date | str) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Coverage",
        "intro": "Units of the 2025 administrative map ({registry}) with a plan implementing 57-NQ/TW "
        "(directly or through its parents); the earliest date of a `replaces` chain counts.",
        "provinces_total": "{n} of {total} provinces have a plan ({own} their own, {pred} only a "
        "predecessor's plan)",
        "communes_total": "{name}: {n} of {total} communes and wards have a plan",
        "code": "Code",
        "unit": "Unit",
        "plans": "Plans",
        "deadline": "Deadline for local plans",
        "timing": "Issued",
        "succession": "Succession",
        "none": "—",
        "no-plan": "no plan",
        "on-time": "on time",
        "late": "late",
        "not-applicable": "not applicable (established after the deadline)",
        "unknown": "date unknown",
        "no-deadline": "no deadline",
        "current": "unchanged",
        "merged": "merged",
        "established": "new unit",
        "predecessor": "plan of a predecessor",
        "note_merged": "{units} merged into it on {date} ({res})",
        "note_established": "established {date} ({res})",
        "no_resolution": "resolution not yet sourced",
        "communes": "Communes and wards with a plan",
        "replaced_title": "Replaced plans",
        "replaced_note": "A replaced plan is history; the plan that replaces it is in force from its issue date.",
        "plan": "Plan",
        "replaces": "Replaces",
        "unplaced": "Plans implementing 57-NQ/TW that are not on the map (no known official code): {ids}",
    },
    "vi": {
        "title": "Độ bao phủ",
        "intro": "Các đơn vị hành chính năm 2025 ({registry}) có kế hoạch thực hiện Nghị quyết 57-NQ/TW "
        "(trực tiếp hoặc qua kế hoạch cấp trên); tính ngày sớm nhất của chuỗi văn bản thay thế.",
        "provinces_total": "{n} trên {total} tỉnh, thành phố có kế hoạch ({own} của chính đơn vị, {pred} "
        "chỉ có kế hoạch của đơn vị cũ)",
        "communes_total": "{name}: {n} trên {total} xã, phường, đặc khu có kế hoạch",
        "code": "Mã",
        "unit": "Đơn vị",
        "plans": "Kế hoạch",
        "deadline": "Thời hạn ban hành kế hoạch",
        "timing": "Ban hành",
        "succession": "Sắp xếp",
        "none": "—",
        "no-plan": "chưa có kế hoạch",
        "on-time": "đúng hạn",
        "late": "muộn",
        "not-applicable": "không áp dụng (thành lập sau thời hạn)",
        "unknown": "không rõ ngày",
        "no-deadline": "không có thời hạn",
        "current": "giữ nguyên",
        "merged": "hợp nhất",
        "established": "đơn vị mới",
        "predecessor": "kế hoạch của đơn vị cũ",
        "note_merged": "{units} hợp nhất vào từ ngày {date} ({res})",
        "note_established": "thành lập từ ngày {date} ({res})",
        "no_resolution": "chưa có số nghị quyết trong nguồn",
        "communes": "Xã, phường có kế hoạch",
        "replaced_title": "Kế hoạch được thay thế",
        "replaced_note": "Kế hoạch đã được thay thế chỉ còn giá trị lịch sử; kế hoạch thay thế có hiệu lực từ ngày ban hành.",
        "plan": "Kế hoạch",
        "replaces": "Thay thế",
        "unplaced": "Kế hoạch thực hiện Nghị quyết 57-NQ/TW chưa có mã đơn vị hành chính: {ids}",
    },
}
