"""The content-hash cache and the pipeline: same findings cold, warm, serial and parallel, and the
same as the in-memory engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancheck.check.engine import run
from plancheck.cli.main import app
from plancheck.config import Config
from plancheck.load.planset import load_planset
from plancheck.report.json_report import render
from plancheck.run import checker, filewise, pipeline, reports
from plancheck.run import workers as pool
from plancheck.run.cache import LAYOUT, Store
from plancheck.run.treecache import TREE_LAYOUT

from .conftest import EXAMPLE

runner = CliRunner()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    # a few more communes so there is something to share between processes
    ward = (tmp_path / "plans" / "ward" / "KH-2.yaml").read_text(encoding="utf-8")
    for i in range(3, 12):
        text = ward.replace("ward/KH-2", f"ward/KH-{i}").replace('bound: ">= 40"', f'bound: ">= {25 + i}"')
        (tmp_path / "plans" / "ward" / f"KH-{i}.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "plans" / "ward" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _run(*extra: str) -> str:
    result = runner.invoke(app, ["validate", "plans", "-f", "json", *extra])
    assert result.exit_code == 1, result.output  # the broken file is an error
    return result.output


def _entries(tree: Path) -> list[Path]:
    return sorted((tree / "cache" / LAYOUT).rglob("*.json"))


def test_cold_warm_and_uncached_are_identical(tree: Path) -> None:
    cold = _run()
    assert _entries(tree), "the cold run filled the cache"
    warm = _run()
    uncached = _run("--no-cache")
    assert cold == warm == uncached
    codes = {f["code"] for f in json.loads(cold)["findings"]}
    assert {"PC001", "PC202"} <= codes


def test_cache_dir_option(tree: Path) -> None:
    cold = _run("--cache-dir", "elsewhere")
    assert list((tree / "elsewhere" / LAYOUT).rglob("*.json"))
    assert _run("--cache-dir", "elsewhere") == cold


def test_warm_run_reads_no_plan_again(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = _run()

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("a warm run must not parse a plan")

    monkeypatch.setattr(filewise.Checker, "check", refuse)
    assert _run() == cold


def test_corrupt_and_foreign_entries_are_ignored(tree: Path) -> None:
    expected = _run("--no-cache")
    _run()  # fill the cache
    # without the tree's entry, which would answer for the unchanged tree (test_tree_entry.py)
    shutil.rmtree(tree / "cache" / TREE_LAYOUT)
    entries = _entries(tree)
    assert len(entries) >= 4
    entries[0].write_text("{not json", encoding="utf-8")
    foreign = json.loads(entries[1].read_text(encoding="utf-8"))
    foreign["key"] = "0" * 64  # an entry written for other content
    entries[1].write_text(json.dumps(foreign), encoding="utf-8")
    tampered = json.loads(entries[2].read_text(encoding="utf-8"))
    if tampered["file"]["plan"] is not None:
        tampered["file"]["plan"]["implements"] = "not a list"
    entries[2].write_text(json.dumps(tampered), encoding="utf-8")
    damaged = json.loads(entries[3].read_text(encoding="utf-8"))
    damaged["results"] = {k: "[[1, 2]]" for k in damaged["results"]}  # findings that are not findings
    entries[3].write_text(json.dumps(damaged), encoding="utf-8")
    assert _run() == expected
    assert _run() == expected  # and the bad entries were rebuilt
    assert json.loads(entries[0].read_text(encoding="utf-8"))["magic"] == "plancheck-cache-entry"


def test_changed_file_is_reloaded(tree: Path) -> None:
    _run()
    ward = tree / "plans" / "ward" / "KH-3.yaml"
    ward.write_text(
        ward.read_text(encoding="utf-8").replace('bound: "> 85"', 'bound: "> 10"'), encoding="utf-8"
    )
    after = json.loads(_run())["findings"]
    assert any(
        f["plan"] == "ward/KH-3" and f["code"] == "PC202" and f["child_bound"] == "> 10" for f in after
    )
    assert after == json.loads(_run("--no-cache"))["findings"]


def test_changed_parent_rechecks_its_children(tree: Path) -> None:
    before = json.loads(_run())["findings"]
    province = tree / "plans" / "province" / "KH-1.yaml"
    text = province.read_text(encoding="utf-8")
    assert 'bound: ">= 40"' in text
    province.write_text(text.replace('bound: ">= 40"', 'bound: ">= 99"'), encoding="utf-8")
    after = _run()
    assert after == _run("--no-cache")
    assert json.loads(after)["findings"] != before


def test_parallel_equals_serial_and_the_engine(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(pool, "CHUNK", 2)
    config = Config(base_dir=tree)
    paths = [tree / "plans"]
    serial = pipeline.check_tree(paths, config, None, workers=1)
    parallel = pipeline.check_tree(paths, config, None, workers=2)
    cached = Store(tree / "cache")
    cold = pipeline.check_tree(paths, config, None, store=cached, workers=2)
    warm = pipeline.check_tree(paths, config, None, store=cached, workers=2)
    ps, requested = load_planset(paths)
    engine = run(ps, requested, config)
    outputs = {
        name: render(r.findings, r.counts)
        for name, r in {
            "serial": serial,
            "parallel": parallel,
            "cold": cold,
            "warm": warm,
            "engine": engine,
        }.items()
    }
    assert len(set(outputs.values())) == 1, {k: len(v) for k, v in outputs.items()}


def test_wrong_header_guess_is_corrected(tree: Path) -> None:
    # the header says nothing useful about the parents; the result must not depend on it
    ward = tree / "plans" / "ward" / "KH-4.yaml"
    text = ward.read_text(encoding="utf-8")
    ward.write_text("# implements: [nothing/here]\n" + text.replace("implements:", "implements:  "), "utf-8")
    assert filewise.guess_header(b"id: a/b\nimplements: [x/y, 'z/w']\n") == ("a/b", ["x/y", "z/w"])
    assert filewise.guess_header(b"id: a/b\nimplements:\n  - x/y\n  - z/w # c\n") == ("a/b", ["x/y", "z/w"])
    config = Config(base_dir=tree)
    ps, requested = load_planset([tree / "plans"])
    expected = render(run(ps, requested, config).findings, {})
    real_guess = filewise.guess_header
    filewise.guess_header = lambda raw: ("wrong/id", ["ward/KH-5"])  # type: ignore[assignment]
    try:
        got = pipeline.check_tree([tree / "plans"], config, None, workers=1)
    finally:
        filewise.guess_header = real_guess  # type: ignore[assignment]
    assert render(got.findings, {}) == expected


def test_entries_are_written_atomically_under_their_key(tree: Path) -> None:
    _run()
    for entry in _entries(tree):
        data = json.loads(entry.read_text(encoding="utf-8"))
        assert entry.name == f"{data['key']}.json"
        assert entry.parent.name == data["key"][:2]
    assert not list((tree / "cache").rglob("*.tmp"))


def test_report_from_workers_equals_the_in_memory_report(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    import io

    from plancheck.report import markdown

    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(pool, "CHUNK", 2)
    config = Config(base_dir=tree)
    day = dt.date(2026, 1, 1)
    ps, requested = load_planset([tree / "plans"])
    expected = markdown.render(run(ps, requested, config), "en", day)
    for workers in (1, 2):
        result = pipeline.check_tree([tree / "plans"], config, None, workers=workers)
        sections = io.StringIO()
        writer = markdown.ReportWriter(result.planset, "en", day, None, sections)
        for edge in reports.edge_reports(result, config, "en", workers=workers):
            writer.add(edge)
        assert writer.head() + sections.getvalue() + writer.tail() == expected
    # and through the command line, written atomically to a file
    out = runner.invoke(app, ["report", "plans", "--lang", "en", "--as-of", "2026-01-01", "-o", "r.md"])
    assert out.exit_code == 0, out.output
    assert (tree / "r.md").read_text(encoding="utf-8") == expected


def test_two_runs_at_once_share_the_cache_safely(tree: Path) -> None:
    import os
    import subprocess
    import sys

    expected = _run("--no-cache")
    env = {**os.environ, "PLANCHECK_CACHE_DIR": str(tree / "cache"), "PLANCHECK_JOBS": "2"}
    cmd = [sys.executable, "-m", "plancheck", "validate", "plans", "-f", "json"]
    runs = [subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [p.communicate(timeout=120)[0] for p in runs]
    assert [p.returncode for p in runs] == [1, 1, 1]
    assert outputs == [expected] * 3
    assert _run() == expected  # what they left behind is a sound cache
    assert not list((tree / "cache").rglob("*.tmp"))


def test_report_sections_are_cached_and_follow_every_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from typer.testing import CliRunner

    from plancheck.cli.main import app

    from .conftest import EXAMPLE

    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["report", "plans", "--as-of", "2026-01-01"]
    fresh = runner.invoke(app, [*args, "--no-cache"]).output
    assert runner.invoke(app, args).output == fresh  # writes the sections to the cache
    assert list((tmp_path / ".plancheck_cache").glob("reports-v2/*/*.json"))
    assert runner.invoke(app, args).output == fresh  # read back
    for entry in (tmp_path / ".plancheck_cache").glob("reports-v2/*/*.json"):
        entry.write_text("{not json", encoding="utf-8")  # a damaged entry is recomputed
    assert runner.invoke(app, args).output == fresh
    # a parent's change reaches its children's cached sections
    province = tmp_path / "plans" / "province" / "KH-1.yaml"
    province.write_text(province.read_text(encoding="utf-8").replace('">= 40"', '">= 45"'), encoding="utf-8")
    changed = runner.invoke(app, [*args, "--no-cache"]).output
    assert changed != fresh
    assert runner.invoke(app, args).output == changed
    assert (
        runner.invoke(app, [*args, "--lang", "en"]).output
        == runner.invoke(app, [*args, "--lang", "en", "--no-cache"]).output
    )


def _bundled_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled plans (waivers, stand-ins, task findings) and results, in a folder of the test."""
    from .conftest import REPO

    shutil.copytree(REPO / "plans", tmp_path / "plans")
    shutil.copytree(REPO / "results", tmp_path / "results")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.mark.parametrize("workers", ["1", "2"])
def test_report_after_validate_reads_only_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """The check caches each child's comparison rows; the report renders them, in either
    language, to the byte of a report that reads and compares every plan, reading only the
    parents (each once for all its children), never a child."""
    from plancheck.load.inforce import Edge

    _bundled_tree(tmp_path, monkeypatch)
    monkeypatch.setenv("PLANCHECK_JOBS", workers)
    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(pool, "CHUNK", 2)
    args = ["report", "plans", "--as-of", "2026-01-01", "--max-bytes", "0"]
    fresh = {lang: runner.invoke(app, [*args, "--lang", lang, "--no-cache"]).output for lang in ("vi", "en")}
    assert "| " in fresh["vi"] and fresh["vi"] != fresh["en"]
    runner.invoke(app, ["validate", "plans"])
    assert list((tmp_path / "cache").glob("rows-v1/*/*.json")), "the check wrote the report's rows"
    ps, _ = load_planset([tmp_path / "plans"])
    edges: list[Edge] = [e for lp in ps.plans.values() for e in ps.edges(lp)]
    parents = {ps.plans[pid].file for e in edges for pid in (e.parent, e.stand_in) if pid in ps.plans}
    children = {ps.plans[pid].file for pid in ps.plans} - parents
    assert children
    real = checker.plan_from_bytes

    def only_parents(file: Path, *args: object, **kwargs: object) -> object:
        if file in children:
            raise AssertionError(f"the report read {file}, which its check had compared")
        return real(file, *args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(checker, "plan_from_bytes", only_parents)
        for lang in ("vi", "en"):
            out = runner.invoke(app, [*args, "--lang", lang])
            assert out.exit_code == 0, out.output
            assert out.output == fresh[lang]


def test_cached_rows_and_sections_are_trusted_only_when_signed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rows or section entry that is not signed with this user's secret (planted, edited,
    truncated) is not used: the report is the one computed from the plans."""
    from plancheck.run import cache

    _bundled_tree(tmp_path, monkeypatch)
    args = ["report", "plans", "--as-of", "2026-01-01", "--max-bytes", "0", "--lang", "en"]
    fresh = runner.invoke(app, [*args, "--no-cache"]).output
    runner.invoke(app, ["validate", "plans"])
    assert runner.invoke(app, args).output == fresh  # rows read, sections written
    entries = sorted((tmp_path / "cache").glob("rows-v1/*/*.json"))
    entries += sorted((tmp_path / "cache").glob("reports-v2/*/*.json"))
    assert entries
    planted = "Planted text"
    for entry in entries:
        text = entry.read_text(encoding="utf-8")
        # the same entry with its figures and text changed, its signature kept
        entry.write_text(text.replace('"weaker"', '"meets"').replace("Hải Phòng", planted), encoding="utf-8")
    assert runner.invoke(app, args).output == fresh
    # and an entry signed with another secret (another user, another machine) is not trusted
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "other-state"))
    cache.secret.cache_clear()
    for entry in entries:
        body = "{" + entry.read_text(encoding="utf-8").split('",', 1)[1]
        data = json.loads(body.replace('"weaker"', '"meets"').replace("Hải Phòng", planted))
        cache.write_signed(entry, data["key"], data)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    cache.secret.cache_clear()
    out = runner.invoke(app, args).output
    assert out == fresh and planted not in out


def test_the_parser_is_part_of_the_code_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    # a cache shared by an install with libyaml and one without: the pure-Python parser refuses
    # texts libyaml reads (and the reverse), so one's verdict must not serve the other
    import plancheck.load.yamlio
    from plancheck.run.cache import code_fingerprint

    getattr(code_fingerprint, "cache_clear", lambda: None)()
    first = code_fingerprint()
    other = "python" if plancheck.load.yamlio.PARSER == "libyaml" else "libyaml"
    monkeypatch.setattr(plancheck.load.yamlio, "PARSER", other)
    getattr(code_fingerprint, "cache_clear", lambda: None)()
    assert code_fingerprint() != first
    monkeypatch.undo()
    getattr(code_fingerprint, "cache_clear", lambda: None)()


def test_an_entry_holding_a_lone_surrogate_is_not_written(tmp_path: Path) -> None:
    # cache 27: the pure-Python parser reads "x\ud800y"; writing its findings to the cache was an
    # internal error (UnicodeEncodeError), where --no-cache reported a schema error
    from plancheck.run.cache import write_signed

    target = tmp_path / "entry.json"
    write_signed(target, "k", {"findings": ["x\ud800y"]})
    assert not target.exists() and not list(tmp_path.iterdir())
