"""`plancheck coverage` as text and the coverage section of the gap report (Markdown), in
Vietnamese or English, from the ``Coverage`` that ``plancheck.check.coverage`` computes."""

from __future__ import annotations

from plancheck.check.coverage import WORDS, Coverage, UnitCoverage, succession_text
from plancheck.load import admin
from plancheck.report.mdtext import md


def _plans_text(u: UnitCoverage, w: dict[str, str], escape: bool) -> str:
    esc = md if escape else str
    word = w["replaces"].lower()
    parts = [esc(e.chain(word)) for e in u.plans]
    parts += [f"{esc(e.chain(word))} ({w['predecessor']}: {esc(e.unit_name)})" for e in u.predecessor_plans]
    return "; ".join(parts) or w["none"]


def _deadline_text(u: UnitCoverage, w: dict[str, str]) -> str:
    return f"{u.deadline.due} ({u.deadline.plan})" if u.deadline else w["none"]


def _row_cells(u: UnitCoverage, w: dict[str, str], escape: bool) -> list[str]:
    esc = md if escape else str
    note = succession_text(u, w)
    succession = w[u.succession] + (f": {note}" if note else "")
    first = u.first_issued
    timing = w[u.timing] + (f" ({first.isoformat()})" if first is not None else "")
    return [
        u.code,
        esc(u.name),
        _plans_text(u, w, escape),
        esc(_deadline_text(u, w)),
        timing,
        esc(succession),
    ]


def _headline(cov: Coverage, w: dict[str, str]) -> list[str]:
    t = cov.totals()["provinces"]
    lines = [
        w["provinces_total"].format(
            n=t["with_plan"],
            total=t["total"],
            own=t["with_own_plan"],
            pred=t["with_plan"] - t["with_own_plan"],
        )
    ]
    names = {u.code: u.name for u in cov.provinces}
    for code, units in sorted(cov.communes.items()):
        lines.append(
            w["communes_total"].format(name=names[code], n=sum(u.covered for u in units), total=len(units))
        )
    return lines


def render_text(cov: Coverage, lang: str = "en") -> str:
    w = WORDS[lang]
    out = [f"{w['title']}: " + w["intro"].format(registry=admin.registry_version()), ""]
    out += _headline(cov, w)
    out.append("")
    header = [w["code"], w["unit"], w["plans"], w["deadline"], w["timing"], w["succession"]]
    out.append(" | ".join(header))
    names = {u.code: u.name for u in cov.provinces}
    for u in cov.provinces:
        out.append(" | ".join(_row_cells(u, w, escape=False)))
    for code, units in sorted(cov.communes.items()):
        covered = [u for u in units if u.covered]
        out.append("")
        out.append(f"{w['communes']}, {names[code]}: {len(covered)}/{len(units)}")
        for u in covered:
            out.append(" | ".join(_row_cells(u, w, escape=False)))
    if cov.replaced:
        out.append("")
        out.append(f"{w['replaced_title']}:")
        for pid, doc, chain in cov.replaced:
            out.append(f"{pid}: {doc} {w['replaces'].lower()} " + ", ".join(f"{n} ({d})" for n, d in chain))
    if cov.unplaced:
        out.append("")
        out.append(w["unplaced"].format(ids=", ".join(cov.unplaced)))
    return "\n".join(out) + "\n"


def render_markdown(cov: Coverage, lang: str = "vi", *, brief: bool = False) -> str:
    """The coverage section; ``brief``: the totals only (a report bounded in size)."""
    w = WORDS[lang]
    out = [f"## {w['title']}", "", w["intro"].format(registry=md(admin.registry_version())), ""]
    out += [f"- {md(line)}" for line in _headline(cov, w)]
    out.append("")
    if brief:
        return "\n".join([*out, "`plancheck coverage`", "", ""])
    header = [w["code"], w["unit"], w["plans"], w["deadline"], w["timing"], w["succession"]]
    out.append("| " + " | ".join(header) + " |")
    out.append("|---" * len(header) + "|")
    names = {u.code: u.name for u in cov.provinces}
    for u in cov.provinces:
        out.append("| " + " | ".join(_row_cells(u, w, escape=True)) + " |")
    for code, units in sorted(cov.communes.items()):
        covered = [u for u in units if u.covered]
        out += ["", f"### {w['communes']}: {md(names[code])} ({len(covered)}/{len(units)})", ""]
        if covered:
            out.append("| " + " | ".join(header) + " |")
            out.append("|---" * len(header) + "|")
            out += ["| " + " | ".join(_row_cells(u, w, escape=True)) + " |" for u in covered]
    if cov.replaced:
        out += ["", f"### {w['replaced_title']}", "", w["replaced_note"], ""]
        out += [f"| {w['plan']} | {w['replaces']} |", "|---|---|"]
        for pid, doc, chain in cov.replaced:
            replaced = md(", ".join(f"{n} ({d})" for n, d in chain))
            out.append(f"| {md(pid)}: {md(doc)} | {replaced} |")
    if cov.unplaced:
        out += ["", md(w["unplaced"].format(ids=", ".join(cov.unplaced)))]
    return "\n".join(out) + "\n\n"
