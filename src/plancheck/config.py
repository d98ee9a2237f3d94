"""Configuration from ``[tool.plancheck]`` in pyproject.toml; command-line options override it."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plancheck.findings import SEVERITIES, Severity
from plancheck.load.yamlio import DEFAULT_MAX_BYTES


class ConfigError(ValueError):
    """Bad configuration: reported as one line with exit code 2."""


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_day(text: str) -> dt.date:
    """A YYYY-MM-DD date and nothing else (``date.fromisoformat`` also takes 20250101, 2025-W01-1)."""
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return dt.date.fromisoformat(text)


@dataclass
class Config:
    paths: list[str] = field(default_factory=lambda: ["plans"])
    select: list[str] = field(default_factory=list)  # codes or prefixes ("PC2"); empty: all
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity = "error"
    as_of: dt.date | None = None
    sources: str | None = None
    max_file_size: int = DEFAULT_MAX_BYTES
    cache_dir: str = ".plancheck_cache"
    base_dir: Path = field(default_factory=Path.cwd)
    # the file this came from, and its text: `validate --base` points at the line of a setting
    pyproject: Path | None = None
    text: str = ""

    def judged(self) -> tuple[object, ...]:
        """The settings that decide which findings are reported and how severe (not where)."""
        return (
            tuple(self.select),
            tuple(self.ignore),
            tuple(sorted(self.severity.items())),
            self.as_of,
            self.sources,
            self.max_file_size,
        )

    def enabled(self, code: str) -> bool:
        from plancheck.rules.registry import guarded

        if guarded(code):  # input, schema, reference and encoding errors always run
            return True
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        return not any(code.startswith(s) for s in self.ignore)

    def severity_of(self, code: str, default: Severity) -> Severity:
        from plancheck.rules.registry import guarded

        chosen = self.severity.get(code, default)
        if guarded(code) and SEVERITIES.index(chosen) > SEVERITIES.index(default):
            return default  # raised, never lowered (SEVERITIES runs from error down to info)
        return chosen


def _severity(value: Any, where: str) -> Severity:
    if value not in SEVERITIES:
        raise ConfigError(f"{where}: severity must be one of {', '.join(SEVERITIES)}, not {value!r}")
    return value  # type: ignore[no-any-return]


def _codes(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of rule codes")
    return resolve_codes(value, where)


def resolve_codes(items: list[str], where: str) -> list[str]:
    """Rule codes, code prefixes (``PC2``) or rule names, as codes; anything else is an error
    (as in ruff: a misspelt code must not silently select or ignore nothing)."""
    from plancheck.hints import did_you_mean
    from plancheck.rules.registry import RULES, lookup

    out = []
    for item in items:
        key = item.strip()
        if not key:
            continue
        rule = lookup(key)
        if rule is not None:
            out.append(rule.code)
        elif any(code.startswith(key.upper()) for code in RULES) and key.upper().startswith("PC"):
            out.append(key.upper())
        else:
            names = [*RULES, *(r.name for r in RULES.values())]
            raise ConfigError(
                f"{where}: unknown rule code or name {key!r}{did_you_mean(key, names)} "
                "(`plancheck rules` lists them)"
            )
    return out


def _all_codes() -> set[str]:
    from plancheck.rules.registry import RULES

    return set(RULES)


def find_pyproject(start: Path) -> Path | None:
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate / "pyproject.toml"
    return None


def load_config(start: Path | None = None) -> Config:
    pyproject = find_pyproject(start or Path.cwd())
    if pyproject is None:
        return Config()
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{pyproject.name}: cannot read: {exc}") from None
    return from_text(text, pyproject)


def from_text(text: str, pyproject: Path) -> Config:
    """The configuration in the text of ``pyproject`` (defaults when it has no [tool.plancheck])."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject.name}: cannot read: {exc}") from None
    except RecursionError:  # tomllib recurses into nested arrays and tables
        raise ConfigError(f"{pyproject.name}: cannot read: nested too deeply") from None
    tool = data.get("tool", {})
    table = tool.get("plancheck") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{pyproject.name}: [tool.plancheck] must be a table")
    config = Config(base_dir=pyproject.parent) if table is None else from_table(table, pyproject.parent)
    config.pyproject, config.text = pyproject, text
    return config


_HEADER = re.compile(r"\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")


def _bare(key: str) -> str:
    """A dotted TOML key as TOML reads it: quotes dropped, a basic string's escapes decoded
    (`"\\u0070lancheck"` is `plancheck`)."""
    return ".".join(_part(part.strip()) for part in key.split("."))


def _part(part: str) -> str:
    if len(part) >= 2 and part[0] == part[-1] == '"':
        try:
            return str(tomllib.loads(f"k = {part}")["k"])
        except tomllib.TOMLDecodeError:
            return part.strip('"')
    return part.strip("'")


def _left_open(line: str) -> str:
    """The delimiter of a multi-line string that ``line`` opens and does not close, else "".
    Quotes inside one-line strings and comments do not count (`x = "a ''' b"`)."""
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == "#":
            return ""
        if line.startswith(('"""', "'''"), i):
            delimiter = line[i : i + 3]
            end = line.find(delimiter, i + 3)
            if end < 0:
                return delimiter
            i = end + 3
            continue
        if ch in "\"'":
            j = i + 1
            while j < n and line[j] != ch:
                j += 2 if ch == '"' and line[j] == "\\" else 1
            i = j + 1
            continue
        i += 1
    return ""


def setting_line(text: str, key: str, subs: tuple[str, ...] = ()) -> int:
    """The line of ``key`` (or of ``key.SUB``, for any of ``subs``: a code or its rule name) in
    [tool.plancheck] of a pyproject text; else the line of the table's header; else 1. A light
    scan: tomllib keeps no positions."""
    sub = bool(subs)
    # codes are read in any case (`pc608 = "info"`): so is the key that names one
    wanted = {f"tool.plancheck.{key}.{s}".casefold() for s in subs} if subs else {f"tool.plancheck.{key}"}
    header_line = 0
    table = ""
    fallback = 0
    open_string = ""  # the delimiter of a multi-line string the scan is inside, if any
    for number, line in enumerate(text.splitlines(), 1):
        if open_string:
            # text inside a string is no key, whatever it looks like
            if line.count(open_string) % 2:
                open_string = ""
            continue
        open_string = _left_open(line)
        if line.lstrip().startswith("[["):
            table = ""
            continue
        m = _HEADER.match(line)
        if m:
            table = _bare(m.group(1))
            if table == "tool.plancheck" and not header_line:
                header_line = number
            if sub and table == f"tool.plancheck.{key}":  # the table itself, when no key follows
                fallback = fallback or number
            continue
        left, eq, _ = line.partition("=")
        key_text = _bare(left.strip())
        # `tool.plancheck.ignore = [...]` before any table header is a dotted key of the root
        name = f"{table}.{key_text}" if table else key_text
        if eq and name in ("tool", "tool.plancheck") and "plancheck" in f"{name}{line[len(left) :]}":
            # `plancheck = { ignore = [...] }` under [tool], or `tool = { plancheck = {...} }`:
            # an inline table, whose settings are all on this line
            header_line = header_line or number
        if not eq or not name.startswith("tool."):
            continue
        if name.casefold() in wanted:
            return number
        # `severity = { PC204 = "info" }` or `severity.PC204 = ...` seen from the key alone
        if sub and name == f"tool.plancheck.{key}":
            fallback = fallback or number
    return fallback or header_line or 1


def from_table(table: dict[str, Any], base: Path) -> Config:
    config = Config(base_dir=base)
    known = {
        "paths",
        "select",
        "ignore",
        "severity",
        "fail-on",
        "as-of",
        "sources",
        "max-file-size",
        "cache-dir",
    }
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"[tool.plancheck]: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    if "paths" in table:
        if not isinstance(table["paths"], list) or not all(isinstance(p, str) for p in table["paths"]):
            raise ConfigError("[tool.plancheck] paths: expected a list of paths")
        config.paths = list(table["paths"])
    if "select" in table:
        config.select = _codes(table["select"], "[tool.plancheck] select")
    if "ignore" in table:
        config.ignore = _codes(table["ignore"], "[tool.plancheck] ignore")
    if "severity" in table:
        if not isinstance(table["severity"], dict):
            raise ConfigError("[tool.plancheck] severity: expected a table of CODE = 'severity'")
        config.severity = {}
        for k, v in table["severity"].items():
            where = f"[tool.plancheck] severity.{k}"
            code = resolve_codes([str(k)], where)
            if not code or code[0] not in _all_codes():
                raise ConfigError(f"{where}: name one rule (a code such as PC203, or its name), not a prefix")
            config.severity[code[0]] = _severity(v, where)
    if "fail-on" in table:
        config.fail_on = _severity(table["fail-on"], "[tool.plancheck] fail-on")
    if "as-of" in table:
        value = table["as-of"]
        if isinstance(value, str):
            try:
                value = iso_day(value)
            except ValueError:
                raise ConfigError(f"[tool.plancheck] as-of: not a YYYY-MM-DD date: {value!r}") from None
        # a TOML date-time is a datetime, itself a date: it is not a day
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ConfigError("[tool.plancheck] as-of: expected a date (YYYY-MM-DD)")
        config.as_of = value
    if "sources" in table:
        if not isinstance(table["sources"], str):
            raise ConfigError("[tool.plancheck] sources: expected a folder path")
        config.sources = table["sources"]
    if "max-file-size" in table:
        value = table["max-file-size"]
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigError("[tool.plancheck] max-file-size: expected a positive number of bytes")
        config.max_file_size = value
    if "cache-dir" in table:
        if not isinstance(table["cache-dir"], str):
            raise ConfigError("[tool.plancheck] cache-dir: expected a folder path")
        config.cache_dir = table["cache-dir"]
    return config
