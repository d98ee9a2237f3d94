"""Smoke test of the benchmark: the generator's planted findings are all reported, and run.py runs."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"

# the run script takes minutes on a slow machine: `pytest -m "not slow"` leaves this file out
pytestmark = pytest.mark.slow


def _listing(folder: Path) -> list[str]:
    """Every path under the repository but .git, to see that a run leaves nothing behind."""
    return sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if ".git" not in p.relative_to(folder).parts[:1]
    )


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


def test_planted_findings_are_reported(tmp_path: Path) -> None:
    gen = _generator()
    tree = tmp_path / "tree"
    summary = gen.generate(tree, provinces=2, communes=6, seed=57)
    expected = json.loads((tree / "expected.json").read_text(encoding="utf-8"))
    assert expected["planted"] == summary["planted"]
    assert {p["code"] for p in expected["planted"]} == set(gen.PLANTED_CODES)
    assert len({p["path"] for p in expected["planted"]}) == len(expected["planted"])  # one per commune

    result = CliRunner().invoke(app, ["validate", str(tree), "--format", "json", "--no-cache"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    found, missing, unplanned = gen.check_findings(findings, expected)
    assert not missing, missing
    assert len(found) == len(expected["planted"])
    assert not unplanned, [(f["code"], f["path"], f["message"]) for f in unplanned]


def test_generator_is_deterministic(tmp_path: Path) -> None:
    gen = _generator()
    gen.generate(tmp_path / "a", provinces=1, communes=6, seed=5)
    gen.generate(tmp_path / "b", provinces=1, communes=6, seed=5)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_run_script_small_scale(tmp_path: Path) -> None:
    before = _listing(REPO)
    # --no-peer: the comparison with check-jsonschema would install it into benchmarks/.venv-peer,
    # and a test installs nothing inside the repository; the scratch folder (TMPDIR), the tree
    # (--keep) and the working folder are all under tmp_path
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--scale",
            "small",
            "--runs",
            "1",
            "--no-peer",
            "--keep",
            "tree",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=tmp_path,
        env={**os.environ, "TMPDIR": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "| step | median s | min s | max s |" in proc.stdout
    assert "| validate, cold, --no-cache |" in proc.stdout
    assert "Planted findings reported:" in proc.stdout
    assert (tmp_path / "tree" / "expected.json").is_file()
    assert f"into {tmp_path / 'tree'}" in proc.stderr
    assert _listing(REPO) == before  # nothing installed or left behind in the repository
