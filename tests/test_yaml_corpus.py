"""Every `in.yaml` of the official YAML test suite through `plancheck validate`.

None of these files is a plan; most are odd, many are invalid YAML. Whatever they hold, plancheck
must answer with findings (exit 0 or 1), never an internal error (exit 2) or a traceback, and every
finding must point at a real place: line >= 1 and column >= 1. The CLI runs in-process through
typer's CliRunner: one subprocess per file would take minutes.

The corpus lives beside the repository, in `../shared/corpora/yaml-test-suite/` (see its README:
one folder per case, some with numbered sub-cases `00/`, `01/`, ...). When it is missing this test
fails: a skipped corpus test is a corpus test that silently stopped running.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app
from plancheck.load.yamlio import load_bytes

from .conftest import SHARED, need_shared

CORPUS = SHARED / "corpora" / "yaml-test-suite"
PER_FILE_SECONDS = 2.0  # a correctness bound (no pathological input), not a benchmark
MIN_CASES = 300  # the suite (data branch 2022-01-17) has 402 in.yaml files


def corpus_files() -> list[Path]:
    need_shared(CORPUS)  # skips on a fresh clone; fails under PLANCHECK_REQUIRE_SHARED=1
    assert CORPUS.is_dir(), f"YAML test suite not found at {CORPUS}"
    files = sorted(CORPUS.rglob("in.yaml"))
    assert len(files) >= MIN_CASES, f"only {len(files)} in.yaml files under {CORPUS}; is the corpus complete?"
    return files


def _lines(raw: bytes) -> int:
    return raw.count(b"\n") + 1


def test_corpus_is_present_with_subcases() -> None:
    files = corpus_files()
    # the README's layout: some cases keep their variants in numbered sub-folders
    assert any(f.parent.parent != CORPUS for f in files), "no numbered sub-cases found (00/, 01/, ...)"


def test_every_case_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = corpus_files()
    monkeypatch.chdir(tmp_path)  # no pyproject.toml applies; no cache lands in the repository
    runner = CliRunner()
    bad_exit: list[str] = []
    tracebacks: list[str] = []
    bad_output: list[str] = []
    bad_positions: list[str] = []
    slow: list[str] = []
    for file in files:
        name = file.relative_to(CORPUS).as_posix()
        start = time.perf_counter()
        result = runner.invoke(app, ["validate", str(file), "--format", "json", "--no-cache"])
        seconds = time.perf_counter() - start
        if seconds > PER_FILE_SECONDS:
            slow.append(f"{name}: {seconds:.2f}s")
        escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
        if result.exit_code not in (0, 1) or escaped:
            bad_exit.append(
                f"{name}: exit {result.exit_code}, {result.exception!r}, {result.stderr.strip()[:200]}"
            )
            continue
        if "Traceback" in result.output:
            tracebacks.append(name)
            continue
        try:
            report = json.loads(result.stdout)
        except ValueError as exc:
            bad_output.append(f"{name}: not JSON ({exc}): {result.stdout[:200]!r}")
            continue
        findings = report["findings"]
        if not findings:
            # a YAML test case is never a valid plan: silence would mean the file was not read
            bad_output.append(f"{name}: no findings at all")
        limit = _lines(file.read_bytes()) + 1
        for f in findings:
            if not (isinstance(f["line"], int) and isinstance(f["column"], int)):
                bad_positions.append(f"{name}: {f['code']} without a position")
            elif f["line"] < 1 or f["column"] < 1 or f["line"] > limit:
                bad_positions.append(f"{name}: {f['code']} at {f['line']}:{f['column']} ({limit - 1} lines)")
            if f["code"].startswith("PC0") and not f["path"].endswith("in.yaml"):
                bad_positions.append(f"{name}: {f['code']} names path {f['path']!r}")
    assert not bad_exit, "internal errors (exit 2 or an escaped exception):\n" + "\n".join(bad_exit)
    assert not tracebacks, "tracebacks in output:\n" + "\n".join(tracebacks)
    assert not bad_output, "\n".join(bad_output)
    assert not bad_positions, "findings at impossible positions:\n" + "\n".join(bad_positions)
    assert not slow, f"slower than {PER_FILE_SECONDS}s per file:\n" + "\n".join(slow)


def test_loader_rejects_or_positions_every_case() -> None:
    """The loader alone: every input either loads or yields a positioned PC0xx finding."""
    problems: list[str] = []
    for file in corpus_files():
        name = file.relative_to(CORPUS).as_posix()
        raw = file.read_bytes()
        loaded = load_bytes(raw, name)
        limit = _lines(raw) + 1
        if loaded.data is None and not loaded.findings:
            problems.append(f"{name}: no data and no finding")
        for f in loaded.findings:
            if not f.code.startswith("PC0"):
                problems.append(f"{name}: loader emitted {f.code}")
            if not (1 <= f.line <= limit and f.column >= 1):
                problems.append(f"{name}: {f.code} at {f.line}:{f.column}")
        for path, (line, col) in {**loaded.positions, **loaded.key_positions}.items():
            if not (1 <= line <= limit and col >= 1):
                problems.append(f"{name}: position {line}:{col} of {path!r}")
    assert not problems, "\n".join(problems)


def test_suite_error_cases_are_never_silently_accepted_as_plans(tmp_path: Path) -> None:
    """Cases the suite marks `error` (invalid YAML) must never validate cleanly as a plan.

    The C parser accepts a few of them (for example 9C9N, flow sequence indentation); that is
    tolerated, but the data they yield is then checked against the plan schema, which rejects it.
    """
    accepted: list[str] = []
    for file in corpus_files():
        if not (file.parent / "error").exists():
            continue
        loaded = load_bytes(file.read_bytes(), file.name)
        if loaded.ok:
            from plancheck.model import Plan

            try:
                Plan.model_validate(loaded.data)
            except ValueError:
                continue
            accepted.append(file.relative_to(CORPUS).as_posix())
    assert not accepted, "invalid YAML accepted as a valid plan:\n" + "\n".join(accepted)
