"""The rule is the unit: its code is written once, in the module that defines it, and its
findings are made by the rule object, so ``findings.py`` knows no rule.

The layout shows the flow (issue 14): no module over 400 lines, no import cycle (imports inside
functions counted), and every module named in the README's layout section."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plancheck.check import engine
from plancheck.config import from_table
from plancheck.load.planset import load_planset
from plancheck.rules import progress as progress_rules
from plancheck.rules.base import Rule
from plancheck.rules.consistency import UNUSED_WAIVER
from plancheck.rules.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "plancheck"
SEEDS = ROOT.parent / "shared" / "seeds"
CODE = re.compile(r"PC\d{3}")
# the registry collects the rules by code, so it may name them
MAY_NAME_ANY = {"rules/registry.py"}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (of the module, a class or a function)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def code_literals(source: str) -> Iterator[tuple[int, str]]:
    """(line, code) of every string constant in code that is a rule code, docstrings aside
    (comments are not in the tree at all)."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docs
            and CODE.fullmatch(node.value)
        ):
            yield node.lineno, node.value


def defined_codes(source: str) -> set[str]:
    """The codes of the ``Rule(code=...)`` calls in ``source``."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Rule":
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    out.add(str(keyword.value.value))
    return out


def _modules() -> dict[str, str]:
    return {path.relative_to(PACKAGE).as_posix(): path.read_text("utf-8") for path in PACKAGE.rglob("*.py")}


def test_the_scanner_finds_a_code_in_code_and_not_in_a_docstring_or_comment() -> None:
    source = '"""PC101 in a docstring."""\n\ndef f():\n    """PC102 too."""\n    # PC103 in a comment\n    return "PC104"\n'
    assert list(code_literals(source)) == [(6, "PC104")]
    assert defined_codes('X = Rule(code="PC201", name="x")\n') == {"PC201"}


def test_every_rule_is_defined_in_exactly_one_module() -> None:
    where: dict[str, list[str]] = {}
    for name, source in _modules().items():
        for code in defined_codes(source):
            where.setdefault(code, []).append(name)
    assert {code: names for code, names in where.items() if len(names) > 1} == {}
    assert set(where) == set(RULES)


def test_no_rule_code_literal_outside_its_rules_module() -> None:
    modules = _modules()
    home = {code: name for name, source in modules.items() for code in defined_codes(source)}
    stray = [
        f"{name}:{line}: {code!r} (defined in {home.get(code, 'no module')})"
        for name, source in sorted(modules.items())
        if name not in MAY_NAME_ANY
        for line, code in code_literals(source)
        if home.get(code) != name
    ]
    assert stray == [], "take the rule object from the module that defines it:\n" + "\n".join(stray)


def _imported(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, at any depth (inside functions and TYPE_CHECKING too)."""
    package = "plancheck." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                parts = package.rstrip(".").split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def test_findings_imports_nothing_from_the_rules() -> None:
    imported = sorted(set(_imported(PACKAGE / "findings.py")))
    assert [m for m in imported if m == "plancheck.rules" or m.startswith("plancheck.rules.")] == []


def test_rule_base_is_a_leaf() -> None:
    imported = {m for m in _imported(PACKAGE / "rules" / "base.py") if m.startswith("plancheck")}
    assert imported <= {"plancheck.findings", "plancheck.findings.Finding", "plancheck.findings.Severity"}


def test_rules_are_built_by_keyword() -> None:
    with pytest.raises(TypeError):
        Rule("PC999", "x", "error", "plan", "s", "w", "e", "i")  # type: ignore[misc]


def test_a_rule_makes_its_findings_with_its_name_and_severity() -> None:
    rule = RULES["PC202"]
    finding = rule.finding("plans/a.yaml", 0, 3, "weaker", plan="a", ctx={"indicator": "x"})
    assert (finding.code, finding.rule, finding.severity) == ("PC202", rule.name, rule.severity)
    assert (finding.line, finding.column, finding.ctx) == (1, 3, {"indicator": "x"})
    assert rule.finding("a.yaml", 1, 1, "m", severity="info").severity == "info"


def test_each_code_is_emitted_by_one_check_and_every_checked_rule_is_emitted() -> None:
    emitted: dict[str, list[str]] = {}
    for rule in RULES.values():
        for code in rule.codes:
            emitted.setdefault(code, []).append(rule.code)
        if rule.emits:
            assert rule.check is not None and rule.code in rule.emits, rule.code
    assert {code: by for code, by in emitted.items() if len(by) > 1} == {}
    assert set(emitted) <= set(RULES)
    # rules no check emits: the loader's, and the unused waivers the engine reports
    silent = {code for code, rule in RULES.items() if code not in emitted and rule.scope != "loader"}
    assert silent == {UNUSED_WAIVER.code}
    for rule in RULES.values():
        assert all(RULES[code].scope == rule.scope for code in rule.codes), rule.code


def test_checks_yield_only_the_codes_they_declare(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check of the bundled plans (with the seed texts when they are there, and the
    results) yields findings of its own rule, or of the codes its ``emits`` names."""
    seen: dict[str, set[str]] = {}

    def watched(rule: Rule) -> Rule:
        def check(*args: Any) -> Iterator[Any]:
            for finding in rule.check(*args):
                seen.setdefault(rule.code, set()).add(finding.code)
                yield finding

        return dataclasses.replace(rule, check=check)

    for name in ("PLAN_RULES", "EDGE_RULES", "TREE_RULES"):
        monkeypatch.setattr(engine, name, [watched(rule) for rule in getattr(engine, name)])
    monkeypatch.setattr(progress_rules, "RULES", [watched(r) if r.check else r for r in progress_rules.RULES])
    config = from_table({"as-of": "2026-11-25"}, ROOT)
    sources = SEEDS if SEEDS.is_dir() else None
    planset, requested = load_planset([ROOT / "plans"], sources=sources, max_bytes=config.max_file_size)
    engine.run(planset, requested, config)
    wrong = {code: codes - set(RULES[code].codes) for code, codes in seen.items()}
    assert {code: codes for code, codes in wrong.items() if codes} == {}
    # the bundled plans exercise checks that find several problems in one pass
    assert any(len(codes) > 1 for codes in seen.values()), seen


# --- the layout (issue 14) -----------------------------------------------------------------------

MAX_MODULE_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    sizes = {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text("utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    over = {name: lines for name, lines in sorted(sizes.items()) if lines > MAX_MODULE_LINES}
    assert over == {}, f"modules over {MAX_MODULE_LINES} lines (split them by responsibility): {over}"


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:``: they are never imported at run time."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return out


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports when it runs: at module level and inside
    functions, relative imports resolved, ``from pkg import module`` as an import of the module.
    Imports under ``if TYPE_CHECKING:`` are left out: they never run."""
    paths = {_module_name(path, package): path for path in package.rglob("*.py")}
    root = package.name
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text("utf-8"))
        own_package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        skipped = _type_checking_only(tree)
        found: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = own_package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1])
                    module = f"{base}.{node.module}" if node.module else base
                else:
                    module = node.module or ""
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in found if m in paths and m != name and m.split(".")[0] == root}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (the first repeated at the end), or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        # iterative depth-first search, the path on a stack
        path: list[str] = [start]
        on_path = {start}
        todo = [iter(sorted(graph[start]))]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                todo.pop()
                done.add(path[-1])
                on_path.discard(path.pop())
            elif nxt in on_path:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                todo.append(iter(sorted(graph[nxt])))
    return None


def test_the_import_graph_sees_imports_in_functions_relative_and_from_package(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("from . import c\n")
    (package / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\nfrom ..a import f\n"
    )
    graph = import_graph(package)
    assert graph["pkg.a"] == {"pkg.sub", "pkg.sub.b"}
    assert graph["pkg.sub.b"] == {"pkg.sub", "pkg.sub.c"}
    assert graph["pkg.sub.c"] == {"pkg.a"}  # the TYPE_CHECKING import is not an edge
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.sub.c", "pkg.a"]
    assert find_cycle({"x": {"y"}, "y": set()}) is None


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph(PACKAGE))
    assert cycle is None, "import cycle (move the code to where it belongs): " + " -> ".join(cycle or [])


def private_imports(source: str) -> list[str]:
    """The names starting with one underscore that ``source`` imports from a plancheck module."""
    return [
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("plancheck")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]


def test_no_module_imports_another_modules_private_names() -> None:
    assert private_imports("def f():\n    from plancheck.x import a, _b\n") == ["_b"]
    found = {name: names for name, source in sorted(_modules().items()) if (names := private_imports(source))}
    assert found == {}, f"private names imported from other modules (make them public): {found}"


def _layout_section() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    return readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_layout_names_every_module() -> None:
    """One line per module, its path under src/plancheck/ first, then what it holds."""
    named = set(re.findall(r"^  (\S+\.py)\s", _layout_section(), flags=re.MULTILINE))
    modules = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")}
    assert sorted(modules - named) == [], "modules the README's layout section does not name"
    assert sorted(named - modules) == [], "modules the README's layout section names that do not exist"
