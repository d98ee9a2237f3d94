"""Issue 13, adversarial rounds s21 (cache3 cases 3-7, hostile3 cases 3-7, 14, 15): the report's
cache entries and `report --out-dir` / `--max-bytes`.

Each case runs `python -m plancheck` in a subprocess (the helpers of `tests/test_hostile.py`), so
the secret that signs cache entries is the one of ``XDG_STATE_HOME`` given to that run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plancheck.report.markdown import ReportWriter
from plancheck.report.mdtext import page_name
from plancheck.run.cache import MAGIC
from plancheck.run.rows import REPORT_LAYOUT, ROWS_LAYOUT, report_entry_problem
from tests.test_hostile import MAX_RSS_MB, MAX_SECONDS, Outcome, run_command

from .conftest import REPO

CHILD = "hongbang/106-KH-UBND"
AS_OF = "2026-01-01"


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A copy of the bundled plans and results, with the repository's configuration."""
    for name in ("plans", "results"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plancheck(tree: Path, *args: str, state: str = "victim", timeout: float = 30.0) -> Outcome:
    env = {"XDG_STATE_HOME": str(tree / f"{state}-state"), "PLANCHECK_JOBS": "1"}
    env.pop("PLANCHECK_CACHE_DIR", None)
    return run_command(tree, [*args, "--cache-dir", str(tree / "cache")], env=env, timeout=timeout)


def clean(outcome: Outcome) -> None:
    assert "Traceback" not in outcome.stdout + outcome.stderr, outcome.stderr[-2000:]
    assert "internal error" not in outcome.stderr, outcome.stderr[-2000:]
    assert outcome.code == 0, (outcome.code, outcome.stderr[-2000:])


def entries(tree: Path, layout: str = REPORT_LAYOUT) -> list[Path]:
    found = sorted((tree / "cache" / layout).glob("*/*.json"))
    assert found, f"no {layout} entries were written"
    return found


def sign(path: Path, data: object, state: Path) -> None:
    """Rewrite ``path`` as an entry signed with the secret under ``state`` (its owner's)."""
    code = (
        "import json, sys; from pathlib import Path; from plancheck.run.cache import write_signed;"
        "d = json.load(sys.stdin); write_signed(Path(sys.argv[1]), d['key'], d)"
    )
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    subprocess.run(
        [sys.executable, "-c", code, str(path)], input=json.dumps(data), text=True, check=True, env=env
    )


def body(path: Path) -> dict[str, object]:
    """The JSON of a signed entry, its signature taken off."""
    text = path.read_text(encoding="utf-8")
    data: dict[str, object] = json.loads("{" + text[text.index('",') + 2 :])
    return data


def forge(data: dict[str, object]) -> dict[str, object]:
    """Every edge of the child: all met, no gaps, raw HTML in the section."""
    edges = data["edges"]
    assert isinstance(edges, list)
    for e in edges:
        if e["child"] == CHILD:
            e["counts"] = {"meets": sum(e["counts"].values())}
            e["worst"], e["gap_rows"] = "meets", []
            e["section"] = "### FAKE: all targets met <img src=x onerror=alert(1)>\n\n"
    return data


@pytest.mark.parametrize("command", [["report", "--lang", "en", "--as-of", AS_OF], ["tree"]])
def test_report_entries_signed_by_another_user_are_never_rendered(bundled: Path, command: list[str]) -> None:
    """cache3 3 and 4, hostile3 6: an entry forged under the attacker's own secret and committed."""
    honest = plancheck(bundled, *command, "--no-cache")
    clean(honest)
    clean(plancheck(bundled, *command, state="attacker"))
    for path in entries(bundled):
        sign(path, forge(body(path)), bundled / "attacker-state")
    attacked = plancheck(bundled, *command, state="attacker")
    assert "FAKE" in attacked.stdout or "meets" in attacked.stdout  # the forgery itself works
    victim = plancheck(bundled, *command)
    clean(victim)
    assert "FAKE" not in victim.stdout and victim.stdout == honest.stdout


def test_a_signed_report_entry_of_the_wrong_shape_is_rebuilt(bundled: Path) -> None:
    """cache3 6: valid JSON, right magic and key, a gap row lacking its fields (KeyError before);
    signed with the user's own secret, so only the schema stands between it and the report."""
    args = ("report", "--lang", "en", "--as-of", AS_OF)
    first = plancheck(bundled, *args)
    clean(first)
    changed = 0
    for path in entries(bundled):
        data = body(path)
        edges = data["edges"]
        assert isinstance(edges, list)
        if edges and edges[0]["gap_rows"]:
            edges[0]["gap_rows"] = [{"x": 1}]
            sign(path, data, bundled / "victim-state")
            changed += 1
    assert changed
    again = plancheck(bundled, *args)
    clean(again)
    assert again.stdout == first.stdout


@pytest.mark.parametrize("junk", ["nested", "sparse", "fifo"])
@pytest.mark.parametrize("command", [["report", "--lang", "en", "--as-of", AS_OF], ["tree"]])
def test_junk_report_entries_are_ignored_within_the_bounds(
    bundled: Path, junk: str, command: list[str]
) -> None:
    """cache3 5 and 7, hostile3 7: deep nesting, a 200 MB sparse file and a FIFO as entries (the
    report's sections and, read when those are gone, the rows that `validate` cached)."""
    clean(plancheck(bundled, "validate"))
    first = plancheck(bundled, *command)
    clean(first)
    for path in entries(bundled) + entries(bundled, ROWS_LAYOUT):
        path.unlink()
        if junk == "nested":
            path.write_text("[" * 200_000 + "]" * 200_000)
        elif junk == "sparse":
            with path.open("wb") as handle:
                handle.truncate(200 * 1024 * 1024)
        else:
            os.mkfifo(path)
    again = plancheck(bundled, *command, timeout=20)
    clean(again)
    assert again.stdout == first.stdout
    assert again.seconds < MAX_SECONDS and again.rss_mb < MAX_RSS_MB, (again.seconds, again.rss_mb)


def test_signed_rows_of_the_wrong_shape_are_not_rendered(bundled: Path) -> None:
    """The rows `validate` caches for `report`: signed by the user, but of another shape."""
    args = ("report", "--lang", "en", "--as-of", AS_OF)
    honest = plancheck(bundled, *args, "--no-cache")
    clean(plancheck(bundled, "validate"))
    shapes: list[object] = [[["x"]], [[1, 2, [[1]]]], [[None, None, [{"x": 1}]]], ["[" * 50 + "]" * 50]]
    for i, path in enumerate(entries(bundled, ROWS_LAYOUT)):
        data = body(path)
        data["edges"] = shapes[i % len(shapes)]
        sign(path, data, bundled / "victim-state")
    again = plancheck(bundled, *args)
    clean(again)
    assert again.stdout == honest.stdout


def test_report_entry_schema() -> None:
    key = "0" * 64
    row = {
        **dict.fromkeys(("indicator", "parent", "child", "status", "status_key", "reason", "sources"), "x"),
        **dict.fromkeys(("child_plan", "parent_plan", "child_name", "parent_name"), "x"),
        "year": 2030,
        "severity": 0.5,
    }
    edge = {
        "child": "a/b",
        "parent": "c/d",
        "counts": {"weaker": 1},
        "worst": "weaker",
        "gap_rows": [row],
        "section": "",
        "child_heading": "",
    }
    assert report_entry_problem({"magic": MAGIC, "key": key, "edges": [edge]}, key) is None
    bad: list[object] = [
        [],
        {"magic": MAGIC, "key": key},
        {"magic": MAGIC, "key": "1" * 64, "edges": []},
        {"magic": MAGIC, "key": key, "edges": [{**edge, "extra": 1}]},
        {"magic": MAGIC, "key": key, "edges": [{**edge, "counts": {"meets": -1}}]},
        {"magic": MAGIC, "key": key, "edges": [{**edge, "counts": {"meets": True}}]},
        {"magic": MAGIC, "key": key, "edges": [{**edge, "section": None}]},
        {"magic": MAGIC, "key": key, "edges": [{**edge, "gap_rows": [{"x": 1}]}]},
        {"magic": MAGIC, "key": key, "edges": [{**edge, "gap_rows": [{**row, "year": "2030"}]}]},
        {"magic": MAGIC, "key": key, "edges": [{**edge, "gap_rows": [{**row, "reason": 1}]}]},
    ]
    for data in bad:
        assert report_entry_problem(data, key) is not None, data


def test_page_names_are_one_to_one() -> None:
    """hostile3 4: `/` became `__`, which ids may hold already."""
    ids = ["hong__bang/x106", "hong/bang__x106", "hong_/_bang/x", "hong/__bang/x", "a/b_", "a_/b"]
    names = [page_name(i) for i in ids]
    assert len(set(names)) == len(ids), names
    assert page_name(CHILD) == "hongbang__106-KH-UBND.md"  # names without `_` are unchanged


def test_out_dir_pages_differing_only_in_case_get_a_page_each(tmp_path: Path) -> None:
    """Ids may differ only in case (`x/KH-1`, `x/kh-1`): one file on macOS or Windows."""
    import datetime as dt
    import io

    from plancheck.load.planset import load_planset

    ps, _ = load_planset([REPO / "plans"])
    writer = ReportWriter(ps, "en", dt.date(2026, 1, 1), None, io.StringIO(), tmp_path)
    writer._plan_tail = lambda plan_id: ""  # type: ignore[method-assign]  # no plan of these ids
    for child in ("x/KH-1", "x/kh-1"):
        writer._start_page(child)  # what `add` does for a child's first edge
        writer.children.append((child, 0, 0))
    writer.close()
    names = sorted(writer.page_names.values())
    assert len({n.casefold() for n in names}) == 2 and "x__KH-1.md" in names, names
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_out_dir_two_plans_whose_names_collided_get_a_page_each(bundled: Path) -> None:
    plans = bundled / "plans"
    text = (plans / "hongbang" / "106-KH-UBND.yaml").read_text(encoding="utf-8")
    for folder, new in (("hong__bang", "hong__bang/x106"), ("hong", "hong/bang__x106")):
        (plans / folder).mkdir()
        changed = text.replace(f"id: {CHILD}\n", f"id: {new}\n", 1)
        assert changed != text
        (plans / folder / f"{new.split('/')[1]}.yaml").write_text(changed, encoding="utf-8")
    outcome = plancheck(bundled, "report", "plans", "--lang", "en", "--as-of", AS_OF, "--out-dir", "out")
    clean(outcome)
    index = (bundled / "out" / "index.md").read_text(encoding="utf-8")
    for plan_id in ("hong__bang/x106", "hong/bang__x106"):
        page = page_name(plan_id)
        assert f"]({page})" in index
        shown = plan_id.replace("_", "\\_")
        assert f"<sub>{shown}</sub>" in (bundled / "out" / page).read_text(encoding="utf-8")


def test_out_dir_never_writes_through_a_link(bundled: Path, tmp_path: Path) -> None:
    """hostile3 3: a link planted as a page wrote the page outside the folder."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = bundled / "out"
    out.mkdir()
    (out / page_name(CHILD)).symlink_to(victim)
    (out / "index.md").symlink_to(victim)
    outcome = plancheck(bundled, "report", "plans", "--lang", "en", "--as-of", AS_OF, "--out-dir", "out")
    clean(outcome)
    assert victim.read_text() == "precious\n"
    page = out / page_name(CHILD)
    assert not page.is_symlink() and page.read_text(encoding="utf-8").startswith("[← Index](index.md)")


def test_out_dir_pages_are_never_left_half_written(bundled: Path) -> None:
    """hostile3 5: SIGTERM while a page was written left it truncated. A page is now a temporary
    file until it is complete, renamed into place then; the signal handler removes it."""
    import datetime as dt
    import io

    from plancheck.config import Config
    from plancheck.fsutil import discard_pending
    from plancheck.run.pipeline import check_tree
    from plancheck.run.reports import edge_reports

    config = Config(base_dir=bundled)
    result = check_tree([bundled / "plans"], config, None, workers=1)
    reports = [e for e in edge_reports(result, config, "en") if e.child == CHILD]
    assert reports
    out = bundled / "out"
    out.mkdir()
    writer = ReportWriter(result.planset, "en", dt.date(2026, 1, 1), None, io.StringIO(), out)
    for er in reports:
        writer.add(er)
    assert not (out / page_name(CHILD)).exists()  # being written: not there under its name
    discard_pending()  # what SIGTERM does (cli._on_signal)
    assert list(out.iterdir()) == []
    writer = ReportWriter(result.planset, "en", dt.date(2026, 1, 1), None, io.StringIO(), out)
    for er in reports:
        writer.add(er)
    writer.close()
    assert [p.name for p in out.iterdir()] == [page_name(CHILD)]


@pytest.mark.parametrize("where", ["afile", "afile/sub"])
def test_out_dir_on_a_file_is_a_usage_error_before_any_work(bundled: Path, where: str) -> None:
    """hostile3 15: an internal error after the whole check."""
    (bundled / "afile").write_text("")
    outcome = plancheck(bundled, "report", "--no-cache", "--out-dir", where)
    assert outcome.code == 2
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"plancheck: --out-dir {where}: "), outcome.stderr
    assert "internal error" not in lines[0] and outcome.seconds < 3.0, (lines, outcome.seconds)


def test_max_bytes_bounds_the_whole_report_notes_and_progress_included(bundled: Path) -> None:
    """hostile3 14: 600 long notes in one plan gave 1.4 MB for a 900,000 bound (the job summary
    must stay under GitHub's 1 MiB), and `--max-bytes 1` gave 83 kB."""
    path = bundled / "plans" / "hongbang" / "106-KH-UBND.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\nnotes:\n") + len("\nnotes:\n")
    notes = "".join(f'  - "Ghi chú số {k}: ' + "nội dung " * 200 + '"\n' for k in range(600))
    path.write_text(text[:at] + notes + text[at:], encoding="utf-8")
    whole = plancheck(bundled, "report", "--no-cache", "--lang", "en", "--as-of", AS_OF, "--max-bytes", "0")
    clean(whole)
    assert len(whole.stdout.encode()) > 1_000_000
    for bound in (900_000, 300_000, 20_000, 2_000):
        args = ("report", "--no-cache", "--lang", "en", "--as-of", AS_OF, "--max-bytes", str(bound))
        outcome = plancheck(bundled, *args)
        clean(outcome)
        assert len(outcome.stdout.encode()) <= bound, (bound, len(outcome.stdout.encode()))
        assert "the report leaves out these parts: " in outcome.stdout and "--out-dir" in outcome.stdout
    # at 900 kB only the one plan's notes are left out: every other part, and every plan, is in
    kept = plancheck(
        bundled, "report", "--no-cache", "--lang", "en", "--as-of", AS_OF, "--max-bytes", "900000"
    )
    assert re.search(r"leaves out these parts: Encoding caveats \(1 of its \d+ subsections\)\.", kept.stdout)
    assert "more plans are not shown" not in kept.stdout
    assert "## Progress against reported results" in kept.stdout
    too_small = plancheck(bundled, "report", "--no-cache", "--max-bytes", "1")
    assert too_small.code == 2 and too_small.stdout == ""
    assert too_small.stderr.startswith("plancheck: --max-bytes 1: a size of at least 2000 bytes")


def test_a_report_that_fits_is_unchanged_by_the_bound(bundled: Path) -> None:
    whole = plancheck(bundled, "report", "--no-cache", "--lang", "en", "--as-of", AS_OF, "--max-bytes", "0")
    bounded = plancheck(bundled, "report", "--no-cache", "--lang", "en", "--as-of", AS_OF)
    clean(whole)
    assert bounded.stdout == whole.stdout


# The re-check of this round (variants that got around the fixes above)


def test_out_dir_that_is_a_link_is_a_usage_error(bundled: Path, tmp_path: Path) -> None:
    """A committed `gap-report -> elsewhere` sent every page, index.md too, through the link."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.md").write_text("keep\n")
    (bundled / "gap-report").symlink_to(elsewhere)
    outcome = plancheck(bundled, "report", "--no-cache", "--out-dir", "gap-report")
    assert outcome.code == 2, outcome.stderr
    assert outcome.stderr.startswith("plancheck: --out-dir gap-report: is a symbolic link"), outcome.stderr
    assert [p.name for p in elsewhere.iterdir()] == ["index.md"]
    assert (elsewhere / "index.md").read_text() == "keep\n"


def test_out_dir_whose_index_is_a_folder_is_a_usage_error_before_any_work(bundled: Path) -> None:
    """A folder named index.md in the out-dir was an internal error after every page was written."""
    (bundled / "pages" / "index.md").mkdir(parents=True)
    outcome = plancheck(bundled, "report", "--no-cache", "--out-dir", "pages")
    assert outcome.code == 2, outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and "index.md is a folder" in lines[0], outcome.stderr
    assert sorted(p.name for p in (bundled / "pages").iterdir()) == ["index.md"]


def test_sighup_ends_a_run_like_sigterm() -> None:
    """SIGHUP (a closed terminal) left temporary page files behind and no line: it now goes
    through the same handler as SIGTERM (pending files removed, one line, exit 129)."""
    import signal

    from plancheck.cli import errors as cli

    assert cli._SIGNAL_EXITS[signal.SIGHUP] == ("hung up", 129)
    code = (
        "import signal, plancheck.cli.errors as c, sys\n"
        "signal.signal(signal.SIGTERM, c._on_signal)\n"
        "signal.signal(signal.SIGHUP, c._on_signal)\n"
        "from plancheck.fsutil import open_atomic\n"
        "import pathlib, os\n"
        "cm = open_atomic(pathlib.Path('page.md')); h = cm.__enter__(); h.write(b'half')\n"
        "os.kill(os.getpid(), signal.SIGHUP)\n"
    )
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        run = subprocess.run(
            [sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 129, run.stderr
        assert run.stderr == "plancheck: hung up\n"
        assert os.listdir(folder) == []  # the temporary page was removed
