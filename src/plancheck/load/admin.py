"""The administrative map: today's units from the registry, and the 2025 reorganisation table.

The registry is the `vietnam-provinces` package (34 province-level units and 3,321 communes and
wards since 1 July 2025, with their official codes; its data ships with it, so nothing is
fetched at run time). It knows only today's units; ``reorganisation()`` adds the units merged
away and the dates units were established, from ``data/reorganisation.yaml``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from plancheck.load.registry_data import REGISTRY_PACKAGE, registry_bytes
from plancheck.load.yamlio import load_bytes
from plancheck.model.admin import Establishment, Merger, Reorganisation

TABLE = "reorganisation.yaml"


@dataclass(frozen=True)
class Unit:
    """A unit of today's map."""

    code: str  # official code, zero-padded: '31', '11311'
    name: str  # as the registry writes it: 'Thành phố Hải Phòng', 'Ninh Bình', 'Phường Hồng Bàng'
    level: str  # 'province' or 'commune'
    kind: str  # the registry's division type: tỉnh, thành phố trung ương, xã, phường, đặc khu
    province: str | None  # a commune's province code


@dataclass(frozen=True)
class Registry:
    provinces: dict[str, Unit]
    communes: dict[str, Unit]

    def get(self, code: str) -> Unit | None:
        return self.provinces.get(code) or self.communes.get(code)

    def communes_of(self, province: str) -> list[Unit]:
        return sorted((u for u in self.communes.values() if u.province == province), key=lambda u: u.code)


@lru_cache(maxsize=1)
def registry_version() -> str:
    """The registry package's name and version, as reports state it."""
    from importlib.metadata import version  # costs an import of its own: only when reported

    return f"{REGISTRY_PACKAGE} {version(REGISTRY_PACKAGE)}"


@lru_cache(maxsize=1)
def registry() -> Registry:
    data = json.loads(registry_bytes())
    provinces: dict[str, Unit] = {}
    communes: dict[str, Unit] = {}
    for p in data:
        pcode = f"{p['code']:02d}"
        provinces[pcode] = Unit(pcode, p["name"], "province", p["division_type"], None)
        for w in p["wards"]:
            wcode = f"{w['code']:05d}"
            communes[wcode] = Unit(wcode, w["name"], "commune", w["division_type"], pcode)
    return Registry(provinces, communes)


def load_table(raw: bytes, shown: str) -> Reorganisation:
    """The table from its YAML bytes; a broken table is plancheck's own bug, so it raises."""
    loaded = load_bytes(raw, shown)
    if loaded.findings or loaded.data is None:
        raise ValueError(f"{shown}: {'; '.join(f.message for f in loaded.findings) or 'empty'}")
    return Reorganisation.model_validate(loaded.data)


@lru_cache(maxsize=1)
def reorganisation() -> Reorganisation:
    raw = resources.files("plancheck").joinpath("data", TABLE).read_bytes()
    return load_table(raw, f"plancheck/data/{TABLE}")


@dataclass(frozen=True)
class Former:
    """A unit merged away: its former code and name, and where it went."""

    code: str
    name: str
    merger: Merger


def former(code: str) -> Former | None:
    for merger in reorganisation().mergers:
        for unit in merger.merged:
            if unit.code == code:
                return Former(unit.code, unit.name, merger)
    return None


def establishment(code: str | None) -> Establishment | None:
    if code is None:
        return None
    return next((e for e in reorganisation().established if e.code == code), None)


def predecessors(code: str) -> list[Former]:
    """Units merged into the unit ``code`` of today."""
    return [
        Former(unit.code, unit.name, merger)
        for merger in reorganisation().mergers
        if merger.into.code == code
        for unit in merger.merged
    ]


def level_of_code(code: str) -> str:
    return {2: "province", 3: "district"}.get(len(code), "commune")


_PREFIXES = (
    "thành phố",
    "tỉnh",
    "phường",
    "xã",
    "đặc khu",
    "thị trấn",
    "quận",
    "huyện",
    "thị xã",
    "tp.",
    "tp",
)
# tone marks on "oa", "oe", "uy": the old placement ("hoà") and the new ("hòa") are one name
_TONE = re.compile("([oOuU])([\u0300\u0301\u0303\u0309\u0323])([aAeEyY])")


def name_key(name: str) -> str:
    """A name reduced to what identifies it: no unit-type prefix, case, spacing or tone placement."""
    text = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    for prefix in _PREFIXES:
        if text.startswith(prefix + " "):
            text = text[len(prefix) + 1 :]
            break
    text = unicodedata.normalize("NFD", text)
    text = _TONE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), text)
    text = text.replace("–", "-").replace(" - ", "-")
    return unicodedata.normalize("NFC", text)


def existed_on(code: str | None, day: dt.date) -> bool | None:
    """Whether the unit ``code`` existed on ``day``: None when the table says nothing either way."""
    if code is None:
        return None
    est = establishment(code)
    if est is not None and day < est.established:
        return False
    gone = former(code)
    if gone is not None and day >= gone.merger.effective:
        return False
    return True if (est is not None or gone is not None) else None
