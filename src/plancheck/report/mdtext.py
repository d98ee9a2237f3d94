"""Markdown text for the reports: escaping plan text for tables and HTML, Mermaid labels, plan names
and page names, and the jinja2 templates shipped in the package."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import cache, lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from plancheck.inert import inert
from plancheck.report.i18n import TEXT

MD_TABLE = {ord(c): "\\" + c for c in "\\`*_{}[]()#+!|~>"}


_SCHEME = re.compile(r"(?i)\b(javascript|data|vbscript):")


def md(text: object) -> str:
    """Plan text made inert inside a Markdown table cell: no HTML, links, code or cell breaks."""
    value = "" if text is None else str(text)
    return _md(value)


@lru_cache(maxsize=65536)
def _md(value: str) -> str:
    # the same labels come back for every child of a parent: escaping is cached
    # controls, escapes and bidi overrides shown as visible escapes (plancheck.inert), never interpreted
    value = " ".join(inert(value, keep="\t\n\r\x0b\x0c").split())
    value = value.translate(MD_TABLE)
    if ":" in value:
        # "javascript:" and friends cannot form a link once brackets are escaped; break bare schemes too
        value = _SCHEME.sub(r"\1&#58;", value)
    return value


def mermaid_label(text: object) -> str:
    value = " ".join(str(text).split())
    return re.sub(r"[^\w ./:+·%-]", "_", value, flags=re.UNICODE)


def plan_date(plan: Any, lang: str) -> str:
    issued = plan.document.issued
    if not isinstance(issued, dt.date):
        return str(TEXT[lang]["date_unknown"])
    return issued.strftime("%d/%m/%Y") if lang == "vi" else issued.isoformat()


def plan_name(plan: Any, lang: str) -> str:
    """How people name a plan: number · issuer · date (Markdown-escaped)."""
    if plan is None:
        return ""
    doc = plan.document
    first = doc.number or doc.title
    return " · ".join(md(x) for x in (first, doc.issuer, plan_date(plan, lang)))


def plan_short(plan: Any) -> str:
    """Number and place, for the diagram's nodes."""
    if plan is None:
        return ""
    return f"{plan.document.number or plan.document.kind} · {plan.jurisdiction.name}"


def small(text: str) -> str:
    return f"<sub>{text}</sub>"


def page_name(plan_id: str) -> str:
    """The file of a plan's page in ``--out-dir``: its id with the folder turned into a prefix.

    One id, one name: ``_`` is written ``_-`` and ``/`` is written ``__``, so ``hong__bang/x``
    and ``hong/bang__x`` never share a page (ids hold only letters, digits, ``._-/``).
    """
    escaped = "".join("_-" if ch == "_" else "__" if ch == "/" else ch for ch in plan_id)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", escaped)
    if len(name) > _MAX_PAGE_STEM:
        # file systems take names of at most 255 bytes: a long id keeps its start and a digest
        # of the whole id, so two long ids still never share a page
        digest = hashlib.sha256(plan_id.encode("utf-8")).hexdigest()[:16]
        name = f"{name[: _MAX_PAGE_STEM - 17]}-{digest}"
    return name + ".md"


# a page name's stem, well under the 255 bytes file systems allow (the ASCII of page_name), with
# room for the temporary name written beside it (fsutil.open_atomic)
_MAX_PAGE_STEM = 160


@cache
def template(name: str) -> Template:
    env = Environment(
        loader=PackageLoader("plancheck", "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # Markdown, not HTML: every plan string is escaped by `md` instead
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template(name)


def normalise(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text)
