"""Validating loaded YAML against the models: schema findings with positions, capped per file."""

from __future__ import annotations

import re
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from plancheck.findings import Finding
from plancheck.load.yamlio import Loaded
from plancheck.rules.schema import SCHEMA_VIOLATION

MAX_SCHEMA_FINDINGS = 50  # per file: a wholly wrong file must not flood the output
# Lists longer than this are validated a window of items at a time first (see _capped_errors).
LIST_WINDOW = 500

M = TypeVar("M", bound=BaseModel)


def schema_findings(
    exc: ValidationError | list[Any], loaded: Loaded, path: str, plan_id: str | None, more: str | None = None
) -> list[Finding]:
    out: list[Finding] = []
    errors = exc.errors(include_url=False) if isinstance(exc, ValidationError) else exc
    placed: set[tuple[int, int]] = set()
    for err in errors[:MAX_SCHEMA_FINDINGS]:
        loc = tuple(err["loc"])
        line, col = loaded.locate(loc, prefer_key=err["type"] == "extra_forbidden")
        if (line, col) in placed and err["type"] in ("literal_error", "enum"):
            continue  # the other branch of a union (`date | 'unknown'`) adds nothing at the same spot
        placed.add((line, col))
        where = _where([p for p in loc if _is_data_part(p, loaded, loc)], loaded.data)
        msg = err["msg"]
        if err["type"] == "missing":
            msg = f"missing required key {loc[-1]!r}"
        elif err["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
        elif err["type"].startswith(("date_", "datetime_")):
            msg += _date_hint(err.get("input"))
        ctx = {"type": err["type"], "loc": [str(p) for p in loc]}
        out.append(SCHEMA_VIOLATION.finding(path, line, col, f"{where}: {msg}", plan=plan_id, ctx=ctx))
    if len(errors) > MAX_SCHEMA_FINDINGS or more:
        out.append(
            SCHEMA_VIOLATION.finding(
                path,
                1,
                1,
                more or f"{len(errors) - MAX_SCHEMA_FINDINGS} more schema errors not shown",
                plan=plan_id,
                ctx={"type": "truncated"},
            )
        )
    return out


_ADAPTERS: dict[tuple[type[BaseModel], str], TypeAdapter[Any]] = {}


def _capped_errors(model: type[BaseModel], data: Any) -> list[Any] | None:
    """The first schema errors in the items of long lists, or None when there are at most the cap
    (then the whole model is validated as usual, and reports them all).

    pydantic reports every error at once, about 1 KB each: `targets: [{}, {}, ...]` in a 5 MB file
    made millions of them (seconds and gigabytes). Validating windows of items and stopping past
    the cap bounds that; a plan whose lists are all short never pays for it.
    """
    errors: list[Any] = []
    _window_errors(model, data, (), errors)
    return errors if len(errors) > MAX_SCHEMA_FINDINGS else None


def _window_errors(model: type[BaseModel], data: Any, prefix: tuple[Any, ...], errors: list[Any]) -> None:
    """Collect errors of long lists under ``data`` (also inside nested models such as `document`)."""
    if not isinstance(data, dict):
        return
    for name, field_info in model.model_fields.items():
        items = data.get(name)
        if isinstance(items, dict):
            for sub in (field_info.annotation, *get_args(field_info.annotation)):
                if isinstance(sub, type) and issubclass(sub, BaseModel):
                    _window_errors(sub, items, (*prefix, name), errors)
            if len(errors) > MAX_SCHEMA_FINDINGS:
                return
            continue
        if not isinstance(items, list) or len(items) <= LIST_WINDOW or field_info.annotation is None:
            continue
        key = (model, name)
        if key not in _ADAPTERS:
            strip = bool(model.model_config.get("str_strip_whitespace", False))
            _ADAPTERS[key] = TypeAdapter(field_info.annotation, config=ConfigDict(str_strip_whitespace=strip))
        for start in range(0, len(items), LIST_WINDOW):
            try:
                _ADAPTERS[key].validate_python(items[start : start + LIST_WINDOW])
            except ValidationError as exc:
                for err in exc.errors(include_url=False):
                    loc = tuple(err["loc"])
                    if loc and isinstance(loc[0], int):
                        loc = (loc[0] + start, *loc[1:])
                    errors.append({**err, "loc": (*prefix, name, *loc)})
            if len(errors) > MAX_SCHEMA_FINDINGS:
                return


_SINGULAR = {"targets": "target", "tasks": "task", "waivers": "waiver", "coverage": "coverage entry"}
_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def _where(loc: list[Any], data: Any) -> str:
    """A schema error's place as people count: ``target 5 (id 'III.2'), bound`` for
    ``targets.4.bound`` (1-based, with the item's id when it has one)."""
    parts: list[str] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, int) and isinstance(node, list):
            name = str(loc[i - 1]) if i else "item"
            if parts and parts[-1] == name:
                parts.pop()
            item = node[part] if 0 <= part < len(node) else None
            label = f"{_SINGULAR.get(name, name + ' item')} {part + 1}"
            if isinstance(item, dict) and isinstance(item.get("id"), str | int):
                label += f" (id {str(item['id'])!r})"
            parts.append(label)
            node = item
            continue
        if parts and not parts[-1].endswith(")") and not parts[-1][-1].isdigit():
            parts[-1] += f".{part}"  # keys read as a path: document.issued
        else:
            parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    return ", ".join(parts) or "(top level)"


def _date_hint(value: Any) -> str:
    """How to write a date: YYYY-MM-DD, with the digits given turned round when they read as
    day/month/year."""
    if isinstance(value, str):
        m = _DMY.match(value)
        if m:
            day, month, year = (int(x) for x in m.groups())
            return f'; write dates as YYYY-MM-DD, quoted: "{year:04d}-{month:02d}-{day:02d}"'
    return '; write dates as YYYY-MM-DD, quoted (e.g. "2025-03-10")'


def _is_data_part(part: Any, loaded: Loaded, loc: tuple[Any, ...]) -> bool:
    # union and validator tags such as 'function-plain[parse()]' are not keys of the data
    return isinstance(part, int) or not (
        isinstance(part, str) and ("[" in part or part in ("literal", "date"))
    )


def validate_model(
    model: type[M], loaded: Loaded, path: str, plan_id: str | None
) -> tuple[M | None, list[Finding]]:
    try:
        capped = _capped_errors(model, loaded.data)
        if capped is not None:
            more = "more schema errors not shown (validation stopped early)"
            return None, schema_findings(capped, loaded, path, plan_id, more=more)
        return model.model_validate(loaded.data), []
    except ValidationError as exc:
        return None, schema_findings(exc, loaded, path, plan_id)
    except (ValueError, TypeError, RecursionError) as exc:  # defensive: never a traceback for data
        return None, [SCHEMA_VIOLATION.finding(path, 1, 1, f"cannot validate: {exc}", plan=plan_id)]
