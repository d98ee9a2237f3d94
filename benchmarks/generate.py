#!/usr/bin/env python3
"""Generate a synthetic national plan tree for benchmarking plancheck.

    python benchmarks/generate.py OUT_DIR [--provinces 34] [--communes 3321] [--seed 57] [--plant 20]

OUT_DIR receives a copy of ``plans/indicators.yaml`` and ``plans/national/*.yaml`` (verbatim), one
plan per province (``pNN/KH-UBND.yaml``, shaped like Hải Phòng's 142/KH-UBND: about 300 targets on
2025..2045 milestones and about 100 tasks) and one per commune (``pNN/cNNNNN/KH-UBND.yaml``, shaped
like a ward plan: about 130 targets and 40 tasks). Provinces and communes are the real units of the
2025 registry (the vietnam-provinces package, read through ``plancheck.load.admin``): their official
codes (``NN``, ``NNNNN``), names, and the real number of communes of each province; the plans
themselves are invented.

The tree is consistent on purpose: provinces meet the national targets, communes meet or exceed their
province's, every deadline fits, so the only errors and gaps are the ones planted. The planted
findings (PC001 YAML syntax, PC102 unknown indicator, PC103 unit mismatch, PC201 missing target,
PC202 weaker target; ``--plant`` of each, in distinct communes) are listed in ``OUT_DIR/expected.json``.
The output is a function of the arguments, the real catalogue and national plans, and the registry.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from plancheck.load.admin import Unit, registry

REPO = Path(__file__).resolve().parent.parent
PLANS = REPO / "plans"
MILESTONES = (2025, 2030, 2035, 2040, 2045)
NATIONAL_IDS = ("national/57-NQ-TW", "national/71-NQ-CP")
# 71/NQ-CP's table is 03/NQ-CP's (document.targets_from), and a province issued before 71 is
# compared with 03 itself: generated plans meet the targets of all three
NATIONAL_TABLES = (*NATIONAL_IDS, "national/03-NQ-CP")
INTENSIVE = frozenset({"share", "density", "rate", "index"})
PLANTED_CODES = ("PC001", "PC102", "PC103", "PC201", "PC202")

# --------------------------------------------------------------------------------------------
# Reading the real catalogue and national plans: a line reader for their regular block style.
# --------------------------------------------------------------------------------------------


def _scalar(text: str) -> str:
    text = text.strip()
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    if " #" in text:
        text = text.split(" #", 1)[0].rstrip()
    return text


def _items(path: Path, section: str) -> list[dict[str, str]]:
    """The ``  - key: value`` blocks of a top-level list, as flat dicts of raw scalars."""
    items: list[dict[str, str]] = []
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            inside = line.split(":", 1)[0] == section
            continue
        if not inside:
            continue
        m = re.match(r"^  - (\w+):\s*(.*)$", line)
        if m:
            items.append({m.group(1): _scalar(m.group(2))})
            continue
        m = re.match(r"^    (\w+):\s*(.*)$", line)
        if m and items:
            items[-1][m.group(1)] = _scalar(m.group(2))
    return items


@dataclass(frozen=True)
class Indicator:
    id: str
    name_vi: str
    unit: str
    kind: str
    direction: str
    levels: tuple[str, ...]
    monotonic: bool  # the catalogue's carry_over: kept


def read_catalogue(path: Path) -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for raw in _items(path, "indicators"):
        levels = tuple(s.strip() for s in raw.get("levels", "").strip("[]").split(",") if s.strip())
        out[raw["id"]] = Indicator(
            raw["id"],
            raw.get("name_vi", raw["id"]),
            raw["unit"],
            raw["kind"],
            raw["direction"],
            levels,
            raw.get("carry_over", "not-kept") == "kept",
        )
    return out


@dataclass(frozen=True)
class Bound:
    op: str  # ">=", ">", "=", "<=", ".."
    lo: int  # in units of 10**-decimals
    hi: int | None = None


def parse_bound(text: str, decimals: int) -> Bound | None:
    text = text.strip().replace("≥", ">=").replace("≤", "<=")
    m = re.match(r"^([\d.]+)\s*\.\.\s*([\d.]+)$", text)
    scale = 10**decimals
    if m:
        return Bound("..", round(float(m.group(1)) * scale), round(float(m.group(2)) * scale))
    m = re.match(r"^(>=|>|<=|<|=)?\s*([\d.]+)$", text)
    if not m:
        return None
    return Bound(m.group(1) or "=", round(float(m.group(2)) * scale))


def read_national(cat: dict[str, Indicator]) -> tuple[dict[tuple[str, int], list[Bound]], set[str]]:
    """Numeric national targets by (indicator, year), and every indicator a national plan names."""
    numeric: dict[tuple[str, int], list[Bound]] = {}
    named: set[str] = set()
    for plan_id in NATIONAL_TABLES:
        path = PLANS / (plan_id + ".yaml")
        for raw in _items(path, "targets"):
            ind = cat.get(raw.get("indicator", ""))
            if ind is None:
                continue
            named.add(ind.id)
            if "bound" in raw:
                bound = parse_bound(raw["bound"], profile(ind).decimals)
                if bound is not None:
                    numeric.setdefault((ind.id, int(raw["year"])), []).append(bound)
    return numeric, named


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    start: tuple[float, float]  # value range in 2025
    step: tuple[float, float]  # change per five years (negative for ranks)
    cap: float | None
    decimals: int
    floor: float = 0


_COUNT_START = {
    "enterprises": (10, 120),
    "organisations": (3, 30),
    "initiatives": (20, 150),
    "centres": (1, 8),
    "products": (5, 40),
    "projects": (5, 30),
    "students": (3, 20),
    "people": (500, 3000),
    "tasks": (10, 60),
    "works": (2, 12),
    "papers": (50, 400),
    "applications": (20, 300),
    "patents": (5, 50),
    "facilities": (1, 2),
    "data exchanges": (1, 3),
    "localities": (1, 5),
}
_OVERRIDES = {
    "rd-spending-share": Profile((0.5, 1.2), (0.3, 0.6), 5, 1),
    "digital-economy-share": Profile((12, 22), (5, 9), 60, 0),
    "manufacturing-share": Profile((15, 25), (2, 4), 45, 0),
    "st-budget-share": Profile((2, 3), (0.3, 0.8), 10, 1),
    "hdi": Profile((0.72, 0.76), (0.01, 0.03), 1, 2),
}


def profile(ind: Indicator) -> Profile:
    if ind.id in _OVERRIDES:
        return _OVERRIDES[ind.id]
    if ind.kind == "rank":
        return Profile((15, 40), (-6, -2), None, 0, floor=1)
    if ind.kind == "count":
        lo, hi = _COUNT_START.get(ind.unit, (5, 50))
        return Profile((lo, hi), (max(1, lo * 0.3), max(1, hi * 0.4)), None, 0, floor=1)
    if ind.unit == "% GDP":
        return Profile((5, 20), (2, 6), 60, 0)
    if ind.unit == "%/year":
        return Profile((5, 10), (1, 3), 40, 0)
    if ind.unit == "index":
        return Profile((0.55, 0.7), (0.03, 0.06), 1, 2)
    if ind.unit == "level":
        return Profile((2, 3), (1, 1), 5, 0)
    if ind.unit == "per 1,000 people":
        return Profile((0.3, 0.6), (0.2, 0.3), None, 1)
    if ind.unit == "per 10,000 people":
        return Profile((7, 10), (3, 8), None, 0)
    return Profile((20, 75), (4, 12), 100, 0)  # shares in %


def fmt(value: int, decimals: int) -> str:
    if decimals == 0:
        return str(value)
    text = f"{value / 10**decimals:.{decimals}f}".rstrip("0").rstrip(".")
    return text


def bound_text(b: Bound, decimals: int) -> str:
    if b.op == "..":
        assert b.hi is not None
        return f"{fmt(b.lo, decimals)}..{fmt(b.hi, decimals)}"
    if b.op == "=":
        return fmt(b.lo, decimals)
    return f"{b.op} {fmt(b.lo, decimals)}"


def worst(b: Bound, direction: str) -> tuple[int, bool]:
    """(worst accepted value, strict) as plancheck's algebra reads it."""
    if b.op == "..":
        assert b.hi is not None
        return (min(b.lo, b.hi), False) if direction == "higher" else (max(b.lo, b.hi), False)
    return b.lo, b.op in (">", "<")


def series(
    rng: random.Random, ind: Indicator, years: list[int], national: dict[tuple[str, int], list[Bound]]
) -> dict[int, int]:
    """Strictly improving values (until a cap) at ``years``, meeting every national bound."""
    p = profile(ind)
    scale = 10**p.decimals
    cap = round(p.cap * scale) if p.cap is not None else None
    value = round(rng.uniform(*p.start) * scale)
    step = rng.uniform(*p.step)
    out: dict[int, int] = {}
    previous: int | None = None
    for year in MILESTONES:
        v = value + round(step * (year - 2025) / 5 * scale)
        for nb in national.get((ind.id, year), []):
            need, strict = worst(nb, ind.direction)
            if ind.direction == "higher":
                v = max(
                    v,
                    need + (1 if strict else 0) + (rng.randint(0, 3) if cap is None or need + 4 < cap else 0),
                )
            else:
                v = min(v, need - (1 if strict else 0))
        if previous is not None:  # strictly better than the previous milestone, unless at the cap
            v = max(v, previous + 1) if ind.direction == "higher" else min(v, previous - 1)
        if cap is not None:
            v = min(v, cap)
        v = max(v, round(p.floor * scale))
        out[year] = v
        previous = v
    return {y: out[y] for y in years}


def choose_op(rng: random.Random, ind: Indicator, v: int, cap: int | None) -> Bound:
    if ind.direction == "lower":
        return Bound("<=", v)
    if cap is not None and v >= cap:
        return Bound("=", cap)
    r = rng.random()
    if r < 0.55:
        return Bound(">=", v)
    if r < 0.8:
        return Bound("=", v)
    if r < 0.9:
        return Bound(">", v)
    width = max(1, round(v * 0.05))
    hi = v + width if cap is None else min(cap, v + width)
    return Bound("..", v, hi) if hi > v else Bound(">=", v)


# --------------------------------------------------------------------------------------------
# Plan content
# --------------------------------------------------------------------------------------------

PROVINCE_LEADS = [
    "Sở Khoa học và Công nghệ",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Công Thương",
    "Văn phòng UBND tỉnh",
    "Công an tỉnh",
    "Sở Tư pháp",
    "Sở Nông nghiệp và Môi trường",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Xây dựng",
    "Ban Quản lý các Khu công nghiệp",
    "Trung tâm Phục vụ hành chính công tỉnh",
    "Ngân hàng Nhà nước chi nhánh khu vực",
]
COMMUNE_LEADS = [
    "UBND {unit}",
    "Văn phòng HĐND và UBND {unit}",
    "Phòng Văn hóa - Xã hội",
    "Phòng Kinh tế",
    "Công an {unit}",
    "Trung tâm Phục vụ hành chính công {unit}",
    "Ban Chỉ đạo của {unit}",
]
VERBS = [
    "Xây dựng và triển khai",
    "Hoàn thiện",
    "Tổ chức thực hiện",
    "Đẩy mạnh",
    "Rà soát, sửa đổi",
    "Triển khai",
    "Nâng cấp",
    "Phát triển",
    "Tăng cường",
    "Kiện toàn",
    "Đầu tư",
    "Ứng dụng",
    "Số hóa",
    "Tuyên truyền về",
]
OBJECTS = [
    "hạ tầng số dùng chung",
    "nền tảng tích hợp, chia sẻ dữ liệu",
    "chương trình đào tạo kỹ năng số cho cán bộ, công chức",
    "cơ sở dữ liệu chuyên ngành",
    "Trung tâm giám sát, điều hành thông minh",
    "hệ thống thông tin giải quyết thủ tục hành chính",
    "dịch vụ công trực tuyến toàn trình",
    "phong trào Bình dân học vụ số",
    "mạng lưới khởi nghiệp đổi mới sáng tạo",
    "cơ chế hỗ trợ doanh nghiệp công nghệ số",
    "hồ sơ sức khỏe điện tử",
    "thanh toán không dùng tiền mặt",
    "hạ tầng mạng 5G",
    "chữ ký số cho người dân",
    "kho dữ liệu số dùng chung",
    "an toàn, an ninh mạng",
    "hệ thống quản lý văn bản và điều hành",
    "học liệu số trong trường học",
    "chuyển đổi số trong nông nghiệp",
    "sàn giao dịch công nghệ",
    "Quỹ phát triển khoa học và công nghệ",
    "chính sách thu hút nhân lực chất lượng cao",
]
OUTPUTS = [
    "Kế hoạch",
    "Đề án",
    "Báo cáo",
    "Quyết định",
    "Nghị quyết",
    "Hệ thống được vận hành",
    "Chương trình",
    "Văn bản hướng dẫn",
]
QUALITATIVE = [
    "Đạt mức cao của cả nước",
    "Thuộc nhóm dẫn đầu cả nước",
    "Một số lĩnh vực đạt trình độ quốc tế",
]
UNKNOWN_INDICATORS = [
    "digital-village-share",
    "commune-digital-index",
    "smart-agriculture-share",
    "online-public-service-usge",
    "ty-le-ho-gia-dinh-co-internet",
    "community-digital-tech-teams",
    "digital-household-share",
]
QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}
PROVINCE_TITLE = (
    "Thực hiện Nghị quyết 57-NQ/TW và Nghị quyết 71/NQ-CP về đột phá phát triển khoa học, công nghệ, "
    "đổi mới sáng tạo và chuyển đổi số"
)
COMMUNE_TITLE = (
    "Thực hiện Nghị quyết số 57-NQ/TW của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, "
    "đổi mới sáng tạo và chuyển đổi số"
)


def q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def unit_display(unit: Unit) -> tuple[str, str]:
    """(name as a plan writes it, the unit's type in lower case) for a registry unit."""
    if unit.level == "province":
        kind = "thành phố" if unit.kind == "thành phố trung ương" else "tỉnh"
        name = unit.name if unit.name.lower().startswith(kind) else f"{kind.capitalize()} {unit.name}"
        return name, kind
    return unit.name, unit.kind


@dataclass
class Deadline:
    due: str
    label: str
    end: date | None  # last day; None for recurring and text
    recurring: bool = False


def _month_end(y: int, m: int) -> date:
    return date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)


def deadline(rng: random.Random, issued: date, latest: date | None = None) -> Deadline:
    """A deadline after ``issued`` (and, with ``latest``, dated no later than it)."""
    first = issued + timedelta(days=30)
    last = latest if latest is not None else date(2030, 12, 31)
    r = rng.random()
    if latest is None:
        if r < 0.25:
            return Deadline("continuous", "Thường xuyên", None, True)
        if r < 0.42:
            return Deadline("annual", rng.choice(["Hằng năm", "Hàng năm"]), None, True)
        if r < 0.47:
            y = issued.year
            return Deadline(f"annual from {y}", f"Năm {y} và những năm tiếp theo", None, True)
        if r < 0.50:
            return Deadline("text: Theo tiến độ của Trung ương", "Theo tiến độ của Trung ương", None)
        if r < 0.58:
            a = rng.choice([first.year, first.year + 1])
            b = rng.choice([2027, 2030])
            if b > a:
                return Deadline(f"{a}..{b}", f"{a} - {b}", date(b, 12, 31))
    if last < first:
        last = first
    span = (last - first).days
    day = first + timedelta(days=rng.randint(0, max(0, span)))
    r = rng.random()
    if r < 0.6 and _month_end(day.year, day.month) <= last:
        return Deadline(
            f"{day.year}-{day.month:02d}", f"Tháng {day.month}/{day.year}", _month_end(day.year, day.month)
        )
    quarter = (day.month - 1) // 3 + 1
    q_end = _month_end(day.year, quarter * 3)
    if r < 0.75 and q_end <= last:
        return Deadline(f"{day.year}-Q{quarter}", f"Quý {QUARTERS[quarter]}/{day.year}", q_end)
    if r < 0.85 and date(day.year, 12, 31) <= last:
        return Deadline(f"{day.year}", f"Năm {day.year}", date(day.year, 12, 31))
    return Deadline(day.isoformat(), f"Trước ngày {day.day}/{day.month}/{day.year}", day)


@dataclass
class Target:
    id: str
    indicator: Indicator
    year: int
    bound: Bound | None
    qualitative: str | None
    unit: str
    section: str
    ref: str
    strive: bool = False


@dataclass
class Task:
    id: str
    title: str
    lead: str
    partners: list[str]
    output: str
    dl: Deadline
    section: str
    implements: tuple[str, str] | None = None


@dataclass
class PlanDoc:
    id: str
    number: str
    title: str
    issuer: str
    issued: date
    source: str
    code: str
    official_code: str
    name: str
    level: str
    parent: str | None
    implements: list[str]
    targets: list[Target] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    lower_plans_due: Deadline | None = None
    notes: list[str] = field(default_factory=list)


def short_label(text: str) -> str:
    """A short excerpt of an indicator's name, as ward plans quote their rows."""
    text = text.split("(")[0].split(",")[0].strip()
    words = text.split()
    return " ".join(words[:6])


def render(plan: PlanDoc, compact: bool = False) -> str:
    """The plan as YAML text, in the block style of the hand-encoded plans.

    ``compact`` (communes) quotes shorter labels and leaves out ``ref``, so that a national tree of
    3,321 communes stays near 100 MB.
    """
    depth = plan.id.count("/")
    out = [
        f"# yaml-language-server: $schema={'../' * (depth + 1)}schemas/plan.schema.json",
        f"id: {plan.id}",
        "document:",
        f"  number: {plan.number}",
        "  kind: Kế hoạch",
        f"  title: {q(plan.title)}",
        f"  issuer: {q(plan.issuer)}",
        f'  issued: "{plan.issued.isoformat()}"',
        f"  source: {plan.source}",
    ]
    if plan.lower_plans_due is not None:
        d = plan.lower_plans_due
        out += [
            "  lower_plans_due:",
            f'    due: "{d.due}"',
            f"    label: {q('Hoàn thành chậm nhất trong ' + d.label.lower())}",
            '    source: {section: IV, ref: "IV.2", line: 96}',
        ]
    parent = f", parent: {plan.parent}" if plan.parent else ""
    out.append(
        f'jurisdiction: {{code: {plan.code}, official_code: "{plan.official_code}", name: {q(plan.name)}, '
        f"level: {plan.level}{parent}}}"
    )
    out.append(f"implements: [{', '.join(plan.implements)}]")
    out.append("targets:")
    line = 150
    for t in plan.targets:
        dec = profile(t.indicator).decimals
        out.append(f"  - id: {t.id}")
        out.append(f"    indicator: {t.indicator.id}")
        out.append(f"    year: {t.year}")
        if t.bound is not None:
            out.append(f'    bound: "{bound_text(t.bound, dec)}"')
        else:
            out.append(f"    qualitative: {q(t.qualitative or '')}")
        out.append(f"    unit: {q(t.unit)}")
        out.append(f"    label: {q(short_label(t.indicator.name_vi) if compact else t.indicator.name_vi)}")
        if t.strive:
            out.append("    strive: true")
        if compact:
            out.append(f"    source: {{section: {t.section}, line: {line}}}")
        else:
            out.append(f'    source: {{section: {t.section}, ref: "{t.ref}", line: {line}}}')
        line += 3
    out.append("tasks:")
    for k in plan.tasks:
        out.append(f"  - id: {k.id}")
        out.append(f"    title: {q(k.title)}")
        out.append(f"    lead: {q(k.lead)}")
        if k.partners:
            out.append(f"    partners: [{', '.join(q(p) for p in k.partners)}]")
        if k.output:
            out.append(f"    output: {q(k.output)}")
        out.append(f"    due: {q(k.dl.due)}")
        out.append(f"    due_label: {q(k.dl.label)}")
        if k.implements:
            out.append(f'    implements: {{plan: {k.implements[0]}, task: "{k.implements[1]}"}}')
        if compact:
            out.append(f"    source: {{section: {q(k.section)}, line: {line}}}")
        else:
            out.append(f'    source: {{section: {q(k.section)}, ref: "{k.id}", line: {line}}}')
        line += 4
    out.append("waivers: []")
    out.append("coverage:")
    for items, seq in (("targets", plan.targets), ("tasks", plan.tasks)):
        counts: dict[str, int] = {}
        for item in seq:
            counts[item.section] = counts.get(item.section, 0) + 1
        for section, n in counts.items():
            out.append(f"  - {{section: {q(section)}, items: {items}, in_source: {n}, encoded: {n}}}")
    out.append("notes:")
    for note in plan.notes:
        out.append(f"  - {q(note)}")
    if not plan.notes:
        out[-1] = "notes: []"
    return "\n".join(out) + "\n"


def year_set(
    rng: random.Random, required: set[int], spread: tuple[float, float, float] = (0.45, 0.65, 0.75)
) -> list[int]:
    """Milestone years: ``required`` and 2030, grown to 1, 2, 3 or 5 years (cumulative odds ``spread``)."""
    r = rng.random()
    k = 1 if r < spread[0] else 2 if r < spread[1] else 3 if r < spread[2] else 5
    years = set(required) | {2030}
    others = [y for y in MILESTONES if y not in years]
    rng.shuffle(others)
    while len(years) < k and others:
        years.add(others.pop())
    return sorted(years)


@dataclass
class Context:
    cat: dict[str, Indicator]
    national: dict[tuple[str, int], list[Bound]]
    national_named: set[str]
    seed: int


def make_province(ctx: Context, index: int, code: str, unit: Unit) -> PlanDoc:
    rng = random.Random(f"{ctx.seed}/province/{index}")
    name, kind = unit_display(unit)
    issued = date(2025, 2, 1) + timedelta(days=rng.randint(0, 58))  # before 71/NQ-CP's 2025-03 deadline
    number = rng.randint(20, 350)
    plan = PlanDoc(
        id=f"{code}/KH-UBND",
        number=f"{number}/KH-UBND",
        title=PROVINCE_TITLE,
        issuer=f"UBND {kind} {name[len(kind) + 1 :]}",
        issued=issued,
        source=f"{code}-KH-UBND.txt",
        code=code,
        official_code=unit.code,
        name=name,
        level="province",
        parent=None,
        implements=list(NATIONAL_IDS),
        lower_plans_due=Deadline("2025-12", "tháng 12/2025", date(2025, 12, 31)),
        notes=[f"Synthetic plan generated by benchmarks/generate.py (seed {ctx.seed}); not a real document."],
    )
    national_years: dict[str, set[int]] = {}
    for ind_id, year in ctx.national:
        national_years.setdefault(ind_id, set()).add(year)
    provincial = [i for i in ctx.cat.values() if "province" in i.levels]
    must = [i for i in provincial if i.id in ctx.national_named or "commune" in i.levels]
    optional = [i for i in provincial if i not in must]
    rng.shuffle(optional)
    chosen = must + optional
    for row, ind in enumerate(chosen, start=1):
        if len(plan.targets) >= 300 and ind not in must:
            break
        # indicators that communes carry get fewer milestones, so a commune has about 130 targets
        odds = (0.49, 0.76, 0.87) if "commune" in ind.levels else (0.45, 0.65, 0.75)
        years = year_set(rng, national_years.get(ind.id, set()), odds)
        p = profile(ind)
        cap = round(p.cap * 10**p.decimals) if p.cap is not None else None
        values = series(rng, ind, years, ctx.national)
        qualitative = ind.kind == "rank" and (
            ind.id == "st-fields-international-level" or rng.random() < 0.15
        )
        section = "Phụ lục 2" if len(years) > 1 else "Phụ lục 1"
        strive = rng.random() < 0.1
        for year in years:
            tid = f"PL2-{row}-{year}" if section == "Phụ lục 2" else f"PL1-{row}"
            if qualitative:
                text = (
                    "Một số lĩnh vực đạt trình độ quốc tế"
                    if ind.id == "st-fields-international-level"
                    else rng.choice(QUALITATIVE[:2])
                )
                plan.targets.append(
                    Target(tid, ind, year, None, text, ind.unit, section, f"row {row}, {year}")
                )
            else:
                plan.targets.append(
                    Target(
                        tid,
                        ind,
                        year,
                        choose_op(rng, ind, values[year], cap),
                        None,
                        ind.unit,
                        section,
                        f"row {row}, {year}",
                        strive,
                    )
                )
    n_tasks = rng.randint(90, 110)
    for n in range(1, n_tasks + 1):
        section = "Phụ lục 3" if n <= 20 else "Phụ lục 4"
        group = 1 + (n - 1) // 12
        tid = f"PL3-{n}.a" if n <= 20 else f"PL4-{group}.{(n - 1) % 12 + 1}"
        lead = rng.choice(PROVINCE_LEADS)
        partners = rng.sample([x for x in PROVINCE_LEADS if x != lead], rng.randint(0, 3))
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} của {kind.lower()}"
        plan.tasks.append(
            Task(tid, title, lead, partners, rng.choice(OUTPUTS), deadline(rng, issued), section)
        )
    return plan


def _section(row: int) -> str:
    return f"III.2.{min(5, 1 + (row - 1) // 12)}"


def make_commune(
    ctx: Context,
    index: int,
    code: str,
    unit: Unit,
    province: PlanDoc,
    plant: str | None,
    expected: list[dict],
) -> tuple[PlanDoc, str]:
    rng = random.Random(f"{ctx.seed}/commune/{index}")
    name, kind = unit_display(unit)
    # communes of the two-level local government exist from 2025-07-01: their plans come later
    # than 71/NQ-CP's deadline for local plans (PC302 gaps, as for the real ward plan; information,
    # not applicable, for the units the reorganisation table dates)
    issued = date(2025, 7, 1) + timedelta(days=rng.randint(10, 150))
    plan_id = f"{province.code}/{code}/KH-UBND"
    plan = PlanDoc(
        id=plan_id,
        number=f"{rng.randint(5, 250)}/KH-UBND",
        title=COMMUNE_TITLE,
        issuer=f"UBND {kind} {name[len(kind) + 1 :]}",
        issued=issued,
        source=f"{province.code}-{code}-KH-UBND.txt",
        code=f"{province.code}-{code}",
        official_code=unit.code,
        name=name,
        level="commune",
        parent=province.code,
        implements=[*NATIONAL_IDS, province.id],
        notes=[f"Synthetic plan generated by benchmarks/generate.py (seed {ctx.seed}); not a real document."],
    )
    # Targets: every province target on an intensive indicator that applies to communes, equal or higher.
    by_ind: dict[str, list[Target]] = {}
    for t in province.targets:
        if "commune" in t.indicator.levels and t.indicator.kind in INTENSIVE and t.bound is not None:
            by_ind.setdefault(t.indicator.id, []).append(t)
    row = 0
    for ind_id, targets in by_ind.items():
        ind = ctx.cat[ind_id]
        p = profile(ind)
        scale = 10**p.decimals
        cap = round(p.cap * scale) if p.cap is not None else None
        delta = 0 if rng.random() < 0.6 else rng.randint(1, 8) * max(1, scale // 10)
        row += 1
        for t in targets:
            assert t.bound is not None
            b = t.bound
            lo = b.lo + delta
            hi = b.hi + delta if b.hi is not None else None
            if cap is not None:
                if lo >= cap or (b.op == ">" and lo >= cap):
                    b2 = Bound("=", cap)
                elif hi is not None:
                    b2 = Bound("..", lo, min(hi, cap)) if min(hi, cap) > lo else Bound(">=", lo)
                else:
                    b2 = Bound(b.op, lo)
            else:
                b2 = Bound(b.op, lo, hi)
            plan.targets.append(
                Target(
                    f"III.{row}-{t.year}", ind, t.year, b2, None, ind.unit, _section(row), f"{row}, {t.year}"
                )
            )
    # The commune's own counts (never compared with the province's: counts stay within one jurisdiction).
    for ind in ctx.cat.values():
        if "commune" in ind.levels and ind.kind == "count" and rng.random() < 0.35:
            row += 1
            years = year_set(rng, set())
            values = series(rng, ind, years, {})
            for year in years:
                scaled = max(1, values[year] // 5)
                plan.targets.append(
                    Target(
                        f"III.{row}-{year}",
                        ind,
                        year,
                        Bound(">=", scaled),
                        None,
                        ind.unit,
                        _section(row),
                        f"{row}, {year}",
                    )
                )
    # Tasks: about 40; some implement a province task, never later than it.
    usable = [k for k in province.tasks if k.dl.end is None or k.dl.end >= issued + timedelta(days=60)]
    for n in range(1, rng.randint(36, 44) + 1):
        group = 1 + (n - 1) // 8
        tid = f"IV.{group}.{(n - 1) % 8 + 1}"
        lead = rng.choice(COMMUNE_LEADS).format(unit=kind)
        partners = [
            p.format(unit=kind)
            for p in rng.sample(COMMUNE_LEADS, rng.choice((0, 0, 1, 2)))
            if p.format(unit=kind) != lead
        ]
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}" + (
            f" trên địa bàn {kind}" if rng.random() < 0.3 else ""
        )
        implements = None
        if usable and rng.random() < 0.4:
            parent = rng.choice(usable)
            implements = (province.id, parent.id)
            if parent.dl.recurring:
                dl = Deadline(parent.dl.due, parent.dl.label, None, True)
            elif parent.dl.end is None:
                dl = deadline(rng, issued)
            else:
                dl = deadline(rng, issued, parent.dl.end)
                if dl.end is None or dl.end > parent.dl.end:
                    dl = parent.dl
        else:
            dl = deadline(rng, issued)
        output = rng.choice(OUTPUTS) if rng.random() < 0.4 else ""
        plan.tasks.append(Task(tid, title, lead, partners, output, dl, "IV", implements))

    path = f"{plan_id}.yaml"
    record = {"code": plant, "path": path, "plan": plan_id} if plant else None
    if plant == "PC201":
        national_inds = ctx.national_named
        choices = [i for i in by_ind if i not in national_inds] or list(by_ind)
        victim = rng.choice(sorted(choices))
        plan.targets = [t for t in plan.targets if t.indicator.id != victim]
        record.update(parent=province.id, indicator=victim)
    elif plant == "PC202":
        candidates = []
        for ind_id, ptargets in sorted(by_ind.items()):
            ind = ctx.cat[ind_id]
            last = max(ptargets, key=lambda t: t.year)
            assert last.bound is not None
            p_floor, _ = worst(last.bound, "higher")
            mine = sorted((t for t in plan.targets if t.indicator.id == ind_id), key=lambda t: t.year)
            prev = mine[-2] if len(mine) > 1 else None
            c_prev = worst(prev.bound, "higher")[0] + 1 if prev and prev.bound else 1
            if p_floor - 1 >= c_prev:
                candidates.append((ind_id, last.year, mine[-1], c_prev, p_floor))
        ind_id, year, target, c_prev, p_floor = rng.choice(candidates)
        weak = max(
            c_prev, p_floor - rng.randint(1, 10) * max(1, 10 ** profile(ctx.cat[ind_id]).decimals // 10)
        )
        target.bound = Bound(">=", min(weak, p_floor - 1))
        record.update(parent=province.id, indicator=ind_id, year=year, item=target.id)
    elif plant == "PC102":
        known = set(ctx.cat)
        name = rng.choice([n for n in UNKNOWN_INDICATORS if n not in known])
        fake = Indicator(
            name,
            "Tỷ lệ thôn, tổ dân phố có tổ công nghệ số cộng đồng",
            "%",
            "share",
            "higher",
            ("commune",),
            False,
        )
        tid = f"III.{row + 1}-2030"
        plan.targets.append(
            Target(tid, fake, 2030, Bound(">=", 60), None, "%", _section(row + 1), f"{row + 1}, 2030")
        )
        record.update(indicator=name, item=tid)
    elif plant == "PC103":
        target = rng.choice(plan.targets)
        wrong = {"%": "%/năm", "% GDP": "%", "index": "điểm"}.get(target.unit, "đơn vị")
        target.unit = wrong
        record.update(indicator=target.indicator.id, item=target.id)
    text = render(plan, compact=True)
    if plant == "PC001":
        text = corrupt(text, rng)
    if record is not None:
        expected.append(record)
    return plan, text


def corrupt(text: str, rng: random.Random) -> str:
    """Break the YAML syntax in one of a few ways an editor might."""
    lines = text.split("\n")
    variant = rng.randrange(4)
    if variant == 0:  # unclosed flow sequence
        i = next(n for n, line in enumerate(lines) if line.startswith("implements: ["))
        lines[i] = lines[i].rstrip("]")
    elif variant == 1:  # a tab used for indentation
        i = next(n for n, line in enumerate(lines) if line.startswith("    year: "))
        lines[i] = "\t" + lines[i].lstrip()
    elif variant == 2:  # a value with an unquoted ': ' after a key
        i = next(n for n, line in enumerate(lines) if line.startswith("  title: "))
        lines[i] = "  title: Kế hoạch: thực hiện: Nghị quyết 57"
    else:  # unclosed flow mapping
        i = next(n for n, line in enumerate(lines) if line.startswith("    source: {section:"))
        lines[i] = lines[i].rstrip("}")
    return "\n".join(lines)


def take(real: list[int], total: int) -> list[int]:
    """How many communes of each province to use: all of them when ``total`` is their sum, else a
    share proportional to the real numbers (largest remainder). Never more than a province has."""
    whole = sum(real)
    if total > whole:
        raise ValueError(f"the chosen provinces have {whole} communes in the registry, not {total}")
    raw = [total * n / whole for n in real] if whole else [0.0 for _ in real]
    counts = [int(x) for x in raw]
    for i in sorted(range(len(real)), key=lambda i: (counts[i] - raw[i], i))[: total - sum(counts)]:
        counts[i] += 1
    return counts


def generate(
    out: Path, provinces: int = 34, communes: int = 3321, seed: int = 57, plant: int | None = None
) -> dict:
    cat = read_catalogue(PLANS / "indicators.yaml")
    national, named = read_national(cat)
    ctx = Context(cat, national, named, seed)
    if plant is None:
        # half the communes stay clean; at least one of each kind when there is room for it
        floor = 1 if communes >= len(PLANTED_CODES) else 0
        plant = min(20, max(floor, communes // (2 * len(PLANTED_CODES))))
    if plant < 0 or plant * len(PLANTED_CODES) > communes:
        raise ValueError(f"cannot plant {plant} of each of {len(PLANTED_CODES)} kinds in {communes} communes")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PLANS / "indicators.yaml", out / "indicators.yaml")
    (out / "national").mkdir(exist_ok=True)
    for f in sorted((PLANS / "national").glob("*.yaml")):
        shutil.copyfile(f, out / "national" / f.name)
    rng = random.Random(f"{seed}/tree")
    reg = registry()
    units = [reg.provinces[c] for c in sorted(reg.provinces)]
    if provinces > len(units):
        raise ValueError(f"the registry has {len(units)} provinces, not {provinces}")
    chosen = units[:provinces]
    communes_of = [reg.communes_of(u.code) for u in chosen]
    per_province = take([len(c) for c in communes_of], communes)
    slots = rng.sample(range(communes), plant * len(PLANTED_CODES))
    planted = {c: PLANTED_CODES[i // plant] for i, c in enumerate(slots)} if plant else {}
    expected: list[dict] = []
    total_bytes = 0
    files = 0
    stats = {"province_targets": 0, "province_tasks": 0, "commune_targets": 0, "commune_tasks": 0}
    commune_index = 0
    for p, unit in enumerate(chosen, 1):
        code = f"p{unit.code}"
        province = make_province(ctx, p, code, unit)
        text = render(province)
        (out / code).mkdir(exist_ok=True)
        (out / code / "KH-UBND.yaml").write_text(text, encoding="utf-8")
        total_bytes += len(text.encode("utf-8"))
        files += 1
        stats["province_targets"] += len(province.targets)
        stats["province_tasks"] += len(province.tasks)
        for cunit in communes_of[p - 1][: per_province[p - 1]]:
            commune_index += 1
            ccode = f"c{cunit.code}"
            plan, text = make_commune(
                ctx, commune_index, ccode, cunit, province, planted.get(commune_index - 1), expected
            )
            folder = out / code / ccode
            folder.mkdir(exist_ok=True)
            (folder / "KH-UBND.yaml").write_text(text, encoding="utf-8")
            total_bytes += len(text.encode("utf-8"))
            files += 1
            stats["commune_targets"] += len(plan.targets)
            stats["commune_tasks"] += len(plan.tasks)
    expected.sort(key=lambda e: (e["code"], e["path"]))
    counts: dict[str, int] = {}
    for e in expected:
        counts[e["code"]] = counts.get(e["code"], 0) + 1
    summary = {
        "generator": {"provinces": provinces, "communes": communes, "seed": seed, "plant": plant},
        "plan_files": files,
        "plan_bytes": total_bytes,
        "stats": stats,
        "counts": counts,
        "planted": expected,
    }
    (out / "expected.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return summary


# --------------------------------------------------------------------------------------------
# Checking plancheck's JSON output against expected.json (used by run.py and the smoke test)
# --------------------------------------------------------------------------------------------


def _norm(path: str) -> str:
    return path.replace("\\", "/")


def matches(finding: dict, planted: dict) -> bool:
    if finding.get("code") != planted["code"]:
        return False
    fpath, ppath = _norm(finding.get("path", "")), planted["path"]
    if not (fpath == ppath or fpath.endswith("/" + ppath)):
        return False
    for key in ("parent", "indicator", "year"):
        if key in planted and finding.get(key) != planted[key]:
            return False
    return not ("item" in planted and (finding.get("ctx") or {}).get("item") != planted["item"])


def check_findings(findings: list[dict], expected: dict) -> tuple[list[dict], list[dict], list[dict]]:
    """(planted found, planted missing, error findings that match nothing planted)."""
    by_code_file: dict[tuple[str, str], list[dict]] = {}
    for f in findings:
        name = _norm(f.get("path", "")).rsplit("/", 3)[-3:]  # pNN/cNNNNN/KH-UBND.yaml at most
        for depth in range(1, len(name) + 1):
            by_code_file.setdefault((f.get("code", ""), "/".join(name[-depth:])), []).append(f)
    found, missing = [], []
    for planted in expected["planted"]:
        pool = by_code_file.get((planted["code"], planted["path"]), [])
        (found if any(matches(f, planted) for f in pool) else missing).append(planted)
    unplanned = [
        f
        for f in findings
        if f.get("severity") == "error" and not any(matches(f, p) for p in expected["planted"])
    ]
    return found, missing, unplanned


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="output folder (created; existing plan files are overwritten)")
    ap.add_argument("--provinces", type=int, default=34)
    ap.add_argument("--communes", type=int, default=3321)
    ap.add_argument("--seed", type=int, default=57)
    ap.add_argument(
        "--plant",
        type=int,
        default=None,
        help="planted findings of each kind (default min(20, communes/10), at least 1)",
    )
    args = ap.parse_args(argv)
    if args.provinces < 1 or args.communes < 0:
        ap.error("need at least one province and a non-negative number of communes")
    try:
        summary = generate(args.out, args.provinces, args.communes, args.seed, args.plant)
    except ValueError as exc:
        ap.error(str(exc))
    mb = summary["plan_bytes"] / 1e6
    print(
        f"wrote {summary['plan_files']} plan files ({mb:.1f} MB) to {args.out}; "
        f"planted {sum(summary['counts'].values())}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(summary["counts"].items())),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
