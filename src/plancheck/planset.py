"""Load a tree of plans and the catalogue, validate them, and resolve `implements`."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from plancheck.findings import Finding
from plancheck.inforce import Edge, replacements, resolve
from plancheck.model import Catalogue, Indicator, Plan, Position, Target, Task, Waiver
from plancheck.rules.input import FILE_NAME_NOT_UTF8, FILE_TOO_LARGE, UNREADABLE_FILE
from plancheck.rules.references import (
    CATALOGUE_RELATION_INVALID,
    DUPLICATE_INDICATOR,
    DUPLICATE_PLAN_ID,
    SCHEMA_VIOLATION,
)
from plancheck.yamlio import DEFAULT_MAX_BYTES, Loaded, load_bytes

CATALOGUE_NAME = "indicators.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
MAX_SCHEMA_FINDINGS = 50  # per file: a wholly wrong file must not flood the output
# Lists longer than this are validated a window of items at a time first (see _capped_errors).
LIST_WINDOW = 500

M = TypeVar("M", bound=BaseModel)


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, POSIX separators either way."""
    # string operations rather than PurePath.relative_to: a national tree has thousands of files
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd:
        shown = "."
    elif absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        shown = absolute[len(cwd.rstrip(os.sep)) + 1 :]
    else:
        # outside it (`validate .` run inside plans/, with results/ beside plans/): relative too,
        # so the same file has the same name in a checkout and in the tree `--base` extracts
        shown = os.path.relpath(absolute, cwd)
    return shown.replace(os.sep, "/")


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


@dataclass
class PlanSet:
    root: Path | None
    catalogue_path: str | None
    catalogue: Catalogue | None
    indicators: dict[str, Indicator]
    plans: dict[str, LoadedPlan]  # valid plans by id
    files: list[LoadedPlan]  # every plan file read, valid or not
    findings: list[Finding]  # loader, schema and catalogue findings
    sources: Path | None = None
    # results shared by several rules of one family within one run (e.g. target comparisons)
    memo: dict[Any, Any] = field(default_factory=dict)

    def forget(self, plan_id: str) -> None:
        """Drop memoised results that concern ``plan_id`` (keys are tuples naming plan ids)."""
        stale = [key for key in self.memo if isinstance(key, tuple) and len(key) > 1 and key[1] == plan_id]
        for key in stale:
            del self.memo[key]

    def edges(self, plan: LoadedPlan) -> list[Edge]:
        """The child's parents in force on its issue date, each with its stand-in (see inforce)."""
        if plan.plan is None:
            return []
        # built once per run: a national tree asks for the edges of thousands of plans
        if "documents" not in self.memo:
            docs = {pid: lp.plan for pid, lp in self.plans.items() if lp.plan is not None}
            self.memo["documents"] = docs
            self.memo["replacements"] = replacements(docs)
        return resolve(plan.plan, self.memo["documents"], self.memo["replacements"])

    def parents(self, plan: LoadedPlan) -> list[LoadedPlan]:
        """The parents the child is compared with, as it sees them (see ``parent_view``)."""
        return [
            parent_view(self.plans[e.parent], e, self.plans.get(e.stand_in) if e.stand_in else None)
            for e in self.edges(plan)
            if e.parent in self.plans
        ]


def parent_view(parent: LoadedPlan, edge: Edge, stand_in: LoadedPlan | None) -> LoadedPlan:
    """``parent`` as the child of ``edge`` sees it: the id it cites, and the stand-in's targets.

    The parent itself is returned when nothing differs, so a plain tree pays nothing.
    """
    if edge.cited == edge.parent and edge.stand_in is None:
        return parent
    plan = parent.plan
    if plan is not None and edge.stand_in is not None:
        targets = stand_in.plan.targets if stand_in is not None and stand_in.plan is not None else []
        plan = plan.model_copy(update={"targets": targets})
    return replace(
        parent,
        plan=plan,
        findings=[],
        cited=edge.cited if edge.cited != edge.parent else None,
        stand_in=edge.stand_in,
    )


def _abs(path: Path) -> Path:
    """Absolute without resolving symbolic links, so one file has one name everywhere."""
    return Path(os.path.abspath(path))


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds the catalogue."""
    here = _abs(start)
    if os.path.isfile(here):
        here = here.parent
    for candidate in (here, *here.parents):
        if os.path.isfile(candidate / CATALOGUE_NAME):
            return candidate
    return None


def _utf8_name(path: str) -> bool:
    """Whether a path decoded from the file system is valid UTF-8 (undecodable bytes become
    lone surrogates, which no output can write)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_bytes(path: str) -> str:
    """A path that is not valid UTF-8, shown with its odd bytes as ``\\xNN`` escapes."""
    return display_path(Path(path)).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _bad_name(path: str) -> Finding:
    return FILE_NAME_NOT_UTF8.finding(
        shown_bytes(path),
        1,
        1,
        "the name is not valid UTF-8; rename it (nothing under this name is checked)",
    )


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Finding]]:
    """Every YAML file under ``paths``, sorted; symlinked folders are not followed (no loops).

    A file or folder whose name is not valid UTF-8 is reported (PC015) and left out; the rest of
    the tree is checked as usual.
    """
    found: set[Path] = set()
    problems: list[Finding] = []
    for start in paths:
        start = _abs(start)
        # the name as findings show it (relative to the working folder): a folder above the
        # tree whose name is not UTF-8 is never shown, so it does not stop the check
        if not _utf8_name(display_path(start)):
            problems.append(_bad_name(str(start)))
            continue
        if not os.path.isdir(start) and (os.path.exists(start) or os.path.islink(start)):
            found.add(start)  # read_file reports broken links, FIFOs and devices
            continue
        if not os.path.isdir(start):
            problems.append(UNREADABLE_FILE.finding(display_path(start), 1, 1, "no such file or folder"))
            continue

        def on_error(exc: OSError, start: Path = start) -> None:
            name = exc.filename if isinstance(exc.filename, str) else str(start)
            problems.append(
                UNREADABLE_FILE.finding(display_path(Path(name)), 1, 1, f"cannot read folder: {exc.strerror}")
            )

        for folder, dirs, files in os.walk(start, onerror=on_error, followlinks=False):
            kept = []
            for d in sorted(dirs):
                if d.startswith("."):
                    # not read (tool folders live there), but a plan moved into one must not
                    # leave the check unnoticed
                    if d != ".git" and _holds_yaml(os.path.join(folder, d)):
                        problems.append(
                            UNREADABLE_FILE.finding(
                                display_path(Path(folder) / d),
                                1,
                                1,
                                "a hidden folder is not read, yet it holds YAML files: the plans in it are "
                                "not checked",
                            )
                        )
                    continue
                if not _utf8_name(d):
                    problems.append(_bad_name(os.path.join(folder, d)))
                elif os.path.islink(os.path.join(folder, d)):
                    # never followed (no loops, nothing outside the tree), but never silent: a
                    # folder of plans swapped for a link would otherwise drop out unchecked
                    problems.append(
                        UNREADABLE_FILE.finding(
                            display_path(Path(folder) / d),
                            1,
                            1,
                            "a symbolic link to a folder is not followed: the plans in it are not checked",
                        )
                    )
                else:
                    kept.append(d)
            dirs[:] = kept
            for name in files:
                # any case of the suffix (.YAML, .Yml), and hidden files too: a plan renamed so
                # that it is not read would otherwise leave the tree unnoticed
                if name.lower().endswith(YAML_SUFFIXES) and not _editor_lock(folder, name):
                    if _utf8_name(name):
                        found.add(Path(folder) / name)
                    else:
                        problems.append(_bad_name(os.path.join(folder, name)))
    return sorted(found, key=lambda p: p.as_posix()), problems


def _holds_yaml(folder: str) -> bool:
    walked = os.walk(folder, followlinks=False)
    return any(name.lower().endswith(YAML_SUFFIXES) for _, _, files in walked for name in files)


def _editor_lock(folder: str, name: str) -> bool:
    """A hidden link to nowhere (an editor's lock file, `.#KH-9.yaml`): not a plan."""
    path = os.path.join(folder, name)
    return name.startswith(".") and os.path.islink(path) and not os.path.exists(path)


def _regular_size(file: Path, shown: str, max_bytes: int) -> int | Loaded:
    """The size of a plan file that can be read, or a Loaded holding the finding that says why not."""
    info = regular_stat(file, shown, max_bytes)
    return info if isinstance(info, Loaded) else info.st_size


def regular_stat(file: Path, shown: str, max_bytes: int) -> os.stat_result | Loaded:
    """The status of a plan file that can be read (links followed), or a Loaded holding the
    finding that says why it cannot; an OSError when it cannot even be looked at."""
    if file.is_symlink() and not file.exists():
        return Loaded(
            None, findings=[UNREADABLE_FILE.finding(shown, 1, 1, "broken or looping symbolic link")]
        )
    info = file.stat()
    if not stat.S_ISREG(info.st_mode):
        # opening a FIFO blocks forever; a device (a link to /dev/zero) is not a plan either
        return Loaded(None, findings=[UNREADABLE_FILE.finding(shown, 1, 1, "not a regular file")])
    size = info.st_size
    if size > max_bytes:
        return Loaded(
            None,
            findings=[
                FILE_TOO_LARGE.finding(
                    shown,
                    1,
                    1,
                    f"file is {size:,} bytes; the limit is {max_bytes:,} (setting max-file-size)",
                    ctx={"size": size, "limit": max_bytes},
                )
            ],
        )
    return info


def _unreadable(shown: str, exc: OSError) -> Loaded:
    return Loaded(
        None, findings=[UNREADABLE_FILE.finding(shown, 1, 1, f"cannot read file: {exc.strerror or exc}")]
    )


def read_raw(file: Path, shown: str, max_bytes: int) -> bytes | Loaded:
    """The bytes of a plan file, or a Loaded holding the finding that says why it cannot be read."""
    try:
        size = _regular_size(file, shown, max_bytes)
        if isinstance(size, Loaded):
            return size
        with file.open("rb") as handle:
            # ask for what the file holds (one byte more shows growth), not for the limit: a
            # 5 MB buffer per read, shrunk afterwards, fragments the heap over thousands of files
            return handle.read(min(size, max_bytes) + 1)
    except OSError as exc:
        return _unreadable(shown, exc)


def hash_file(file: Path, shown: str, max_bytes: int, head: int = 8192) -> tuple[str, bytes] | Loaded:
    """The SHA-256 of a plan file and its first ``head`` bytes, without holding the whole file.

    The same as hashing what ``read_raw`` returns, for a file that does not change meanwhile.
    """
    try:
        size = _regular_size(file, shown, max_bytes)
        if isinstance(size, Loaded):
            return size
        with file.open("rb") as handle:
            start = handle.read(head)
            digest = hashlib.sha256(start)
            while chunk := handle.read(1 << 18):
                digest.update(chunk)
        return digest.hexdigest(), start
    except OSError as exc:
        return _unreadable(shown, exc)


def read_file(file: Path, shown: str, max_bytes: int) -> Loaded:
    raw = read_raw(file, shown, max_bytes)
    if isinstance(raw, Loaded):
        return raw
    return load_bytes(raw, shown, max_bytes=max_bytes)


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


def _attach_positions(plan: Plan, loaded: Loaded) -> None:
    def place(kind: str, items: Sequence[Target | Task | Waiver]) -> None:
        for index, item in enumerate(items):
            line, col = loaded.positions.get((kind, index), (1, 1))
            item._pos = Position(line=line, column=col)
            item._index = index

    place("targets", plan.targets)
    place("tasks", plan.tasks)
    place("waivers", plan.waivers)


def expected_id(file: Path, root: Path | None) -> str | None:
    if root is None:
        return None
    try:
        rel = _abs(file).relative_to(root)
    except ValueError:
        return None
    return rel.with_suffix("").as_posix()


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
        _attach_positions(plan, loaded)
        lp.plan = plan
    # the raw tree has served: the model holds the values, the position tables the places;
    # after validation only top-level keys are ever pointed at, so deeper key positions go too
    loaded.data = {}
    loaded.key_positions = {k: v for k, v in loaded.key_positions.items() if len(k) == 1}
    return lp


@dataclass
class CatalogueLoad:
    file: Path | None
    shown: str | None
    catalogue: Catalogue | None
    indicators: dict[str, Indicator]
    positions: dict[str, tuple[int, int]]
    findings: list[Finding]


def load_catalogue(root: Path | None, max_bytes: int) -> CatalogueLoad:
    """The catalogue of the tree at ``root``, its indicators by id, and its findings (PC110...)."""
    catalogue_file = root / CATALOGUE_NAME if root is not None else None
    out = CatalogueLoad(catalogue_file, None, None, {}, {}, [])
    if catalogue_file is None:
        return out
    out.shown = display_path(catalogue_file)
    loaded = read_file(catalogue_file, out.shown, max_bytes)
    out.findings.extend(loaded.findings)
    if loaded.data is not None:
        out.catalogue, more_findings = validate_model(Catalogue, loaded, out.shown, None)
        out.findings.extend(more_findings)
    if out.catalogue is not None:
        for index, indicator in enumerate(out.catalogue.indicators):
            pos = loaded.positions.get(("indicators", index), (1, 1))
            if indicator.id in out.indicators:
                out.findings.append(
                    DUPLICATE_INDICATOR.finding(
                        out.shown,
                        *pos,
                        f"indicator {indicator.id!r} is defined twice",
                        ctx={"indicator": indicator.id},
                    )
                )
                continue
            out.indicators[indicator.id] = indicator
            out.positions[indicator.id] = pos
        out.findings.extend(relation_findings(out.catalogue, loaded, out.shown, out.indicators))
    return out


def relation_findings(
    catalogue: Catalogue, loaded: Loaded, shown: str, indicators: dict[str, Indicator]
) -> list[Finding]:
    """PC209: a relation the comparison could not use soundly (unknown part, other unit or kind, a cycle)."""
    out: list[Finding] = []
    component = _cycles(indicators)
    for index, whole in enumerate(catalogue.indicators):
        for j, relation in enumerate(whole.relations):
            pos = loaded.positions.get(("indicators", index, "relations", j), (1, 1))
            part = indicators.get(relation.contains)
            problem = None
            if part is None:
                problem = f"names {relation.contains!r}, which is not in the catalogue"
            elif part.unit != whole.unit or part.kind != "share" or whole.kind != "share":
                problem = (
                    f"relates {whole.id} ({whole.kind}, {whole.unit}) and {part.id} ({part.kind}, "
                    f"{part.unit}); only shares in one unit can be related"
                )
            elif component[part.id] == component[whole.id]:  # the part reaches the whole
                problem = f"{part.id} also contains {whole.id}, directly or not: a cycle"
            if problem:
                out.append(
                    CATALOGUE_RELATION_INVALID.finding(
                        shown,
                        *pos,
                        f"relation of {whole.id}: {problem}",
                        ctx={"indicator": whole.id},
                    )
                )
        for j, close in enumerate(whole.close_to):
            if close.indicator not in indicators:
                pos = loaded.positions.get(("indicators", index, "close_to", j), (1, 1))
                out.append(
                    CATALOGUE_RELATION_INVALID.finding(
                        shown,
                        *pos,
                        f"close_to of {whole.id}: names {close.indicator!r}, which is not in the catalogue",
                        ctx={"indicator": whole.id},
                    )
                )
    return out


def _cycles(indicators: dict[str, Indicator]) -> dict[str, int]:
    """The strongly connected component of every indicator along `contains` relations (Tarjan).

    A relation whole -> part closes a cycle exactly when the part reaches the whole, that is when
    both lie in one component. One pass over the graph: a search per relation took minutes on a
    catalogue of 500 indicators each containing the next 30. Iterative, so that a long chain of
    relations cannot exhaust Python's recursion limit.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in indicators:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter([r.contains for r in indicators[root].relations]))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in indicators:
                    continue  # an unknown part is reported on its own and leads nowhere
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter([r.contains for r in indicators[child].relations])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component[member] = index[node]
                        if member == node:
                            break
    return component


@dataclass
class TreeFiles:
    root: Path | None
    requested: list[Path]  # the files asked for
    plan_files: list[Path]  # every plan file of the tree, sorted (the catalogue excluded)
    problems: list[Finding]  # paths that cannot be read as folders
    problem_paths: set[str]


def tree_files(paths: list[Path]) -> TreeFiles:
    """The files asked for and every plan file of the tree around them."""
    root = find_root(paths[0]) if paths else None
    requested, problems = discover(paths)
    # a path given that cannot be read is reported, never silently dropped as "not requested"
    problem_paths = {f.path for f in problems}
    context = list(requested)
    if root is not None and [_abs(p) for p in paths] != [root]:
        context_files, more = discover([root])
        problems.extend(more)
        context = sorted(set(context) | set(context_files), key=lambda p: p.as_posix())
    catalogue_file = root / CATALOGUE_NAME if root is not None else None
    plan_files = [f for f in context if f != catalogue_file]
    return TreeFiles(root, requested, plan_files, problems, problem_paths)


def owners(loaded_plans: Sequence[LoadedPlan]) -> tuple[dict[str, LoadedPlan], list[Finding]]:
    """Valid plans by id, and every plan file's findings (with PC112 for a second use of an id).

    A file whose path matches its id owns that id, wherever it sorts; a copy is reported instead.
    The owner is reported too: which of two files is "the" plan is for its authors to settle,
    and an error in one file only could be waived from the other.
    """
    plans: dict[str, LoadedPlan] = {}
    findings: list[Finding] = []
    for lp in sorted(loaded_plans, key=lambda lp: lp.plan is None or lp.plan.id != lp.expected_id):
        findings.extend(lp.findings)
        if lp.plan is None:
            continue
        if lp.plan.id in plans:
            other = plans[lp.plan.id]
            id_line, id_col = lp.pos("id")
            findings.append(
                DUPLICATE_PLAN_ID.finding(
                    lp.path,
                    id_line,
                    id_col,
                    f"plan id {lp.plan.id!r} is already used by {other.path}; this file is not checked further",
                    plan=lp.plan.id,
                    ctx={"other": other.path},
                )
            )
            id_line, id_col = other.pos("id")
            findings.append(
                DUPLICATE_PLAN_ID.finding(
                    other.path,
                    id_line,
                    id_col,
                    f"plan id {lp.plan.id!r} is also used by {lp.path}; this file is checked as that plan",
                    plan=lp.plan.id,
                    ctx={"other": lp.path},
                )
            )
            continue
        plans[lp.plan.id] = lp
    return plans, findings


def left_out_files(ps: PlanSet) -> list[str]:
    """Display paths of plan files that are not a plan of ``ps``: invalid, or a second use of an id.

    `report`, `tree` and `show` work on valid plans only; they name these instead of dropping them.
    """
    out = [lp.path for lp in ps.files if lp.plan is None or ps.plans.get(lp.plan.id) is not lp]
    # files and folders that could not be read at all (no permission, a link not followed, a name
    # that is not UTF-8): their plans are left out just the same
    out += [f.path for f in ps.findings if f.code in (UNREADABLE_FILE.code, FILE_NAME_NOT_UTF8.code)]
    return sorted(set(out))


def shown_paths(
    tree: TreeFiles, paths: list[Path], catalogue: CatalogueLoad, findings: list[Finding]
) -> set[str]:
    """Display paths whose findings are reported: the files asked for, and a broken catalogue."""
    shown_requested = {display_path(p) for p in tree.requested} | tree.problem_paths
    # the catalogue is shown when asked for, and always when it is broken: every plan depends on it
    catalogue_file, catalogue_shown = catalogue.file, catalogue.shown
    if (
        catalogue_shown is not None
        and catalogue_file is not None
        and (
            any(_abs(p) == catalogue_file or _abs(p) == catalogue_file.parent for p in paths)
            or any(f.path == catalogue_shown for f in findings)
        )
    ):
        shown_requested.add(catalogue_shown)
    return shown_requested


def load_planset(
    paths: list[Path],
    *,
    sources: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[PlanSet, set[str]]:
    """Load the whole tree around ``paths``; returns the set and the display paths requested."""
    tree = tree_files(paths)
    catalogue = load_catalogue(tree.root, max_bytes)
    findings: list[Finding] = [*tree.problems, *catalogue.findings]
    loaded_plans = [load_plan(f, tree.root, max_bytes) for f in tree.plan_files]
    plans, plan_findings = owners(loaded_plans)
    findings.extend(plan_findings)
    planset = make_planset(tree.root, catalogue, plans, loaded_plans, findings, sources)
    return planset, shown_paths(tree, paths, catalogue, findings)


def make_planset(
    root: Path | None,
    catalogue: CatalogueLoad,
    plans: dict[str, LoadedPlan],
    files: list[LoadedPlan],
    findings: list[Finding],
    sources: Path | None,
) -> PlanSet:
    return PlanSet(
        root=root,
        catalogue_path=catalogue.shown,
        catalogue=catalogue.catalogue,
        indicators=catalogue.indicators,
        plans=plans,
        files=files,
        findings=findings,
        sources=sources,
    )
