"""A warm `validate` (the tree's entry answers) imports only what it needs to print the stored
result: no model, no rule, no report template and no worker pool (issue 14: a warm run near the
floor). Every command module keeps its own imports light for this (see ``cli.main``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLE

HEAVY = (
    "plancheck.model",  # the pydantic models (typer itself imports pydantic, not them)
    "plancheck.rules.registry",
    "plancheck.check.engine",
    "plancheck.run.filewise",
    "plancheck.run.checker",
    "jinja2",
    "rich",
    "concurrent.futures.process",
)

_PROBE = """
import contextlib, io, json, sys
sys.argv = ["plancheck", "validate", "plans", "--format", sys.argv[1]]
from plancheck.cli.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main()
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m.startswith(HEAVY))}))
"""


def _probe(tree: Path, format: str) -> dict[str, object]:
    code = f"HEAVY = {HEAVY!r}\n{_PROBE}"
    env = {**os.environ, "PLANCHECK_CACHE_DIR": str(tree / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", code, format], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    data: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return data


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    return tmp_path


def test_a_warm_json_run_imports_no_model_rule_or_template(tree: Path) -> None:
    cold = _probe(tree, "json")
    assert "plancheck.model" in cold["loaded"]  # type: ignore[operator]  # the probe sees imports
    warm = _probe(tree, "json")
    assert warm["code"] == cold["code"]
    assert warm["loaded"] == [], warm["loaded"]


def test_a_warm_text_run_decodes_with_the_rules(tree: Path) -> None:
    _probe(tree, "json")
    warm = _probe(tree, "text")  # text needs the findings and the plan set: decoded, not checked
    assert "plancheck.rules.registry" in warm["loaded"]  # type: ignore[operator]
