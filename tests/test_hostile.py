"""Hostile input: every case runs `python -m plancheck validate` in a subprocess and must end in
findings, not a hang, a traceback or an exhausted machine.

For each case: exit code 0 or 1 (2 only for an unusable invocation, with one line on standard
error), no "Traceback" anywhere, a finding with a path and a line for bad input, and the issue's
bounds: under 5 s of wall time and 300 MB of peak memory. The inputs are generated into tmp_path
by `tests/hostile/generators.py` (nothing large is committed).

Memory is the child's own peak RSS from `os.wait4`, which reports the resource usage of exactly the
process it reaps; `getrusage(RUSAGE_CHILDREN)` would give the largest of all children so far.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from plancheck.run.treecache import TREE_SUFFIX
from tests.hostile import generators as gen

EXAMPLE = Path(__file__).resolve().parent / "example"
MAX_SECONDS = 5.0
MAX_RSS_MB = 300.0
# the foundation's tighter bounds for its four named cases: an alias bomb, a 50 MB file,
# 10,000 levels of nesting and random bytes (issue 2)
FOUNDATION_SECONDS = 2.0
FOUNDATION_RSS_MB = 200.0
TIMEOUT = 30.0


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    rss_mb: float

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(json.loads(self.stdout)["findings"]) if self.stdout.strip() else []

    def of(self, code: str, path: str | None = None) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["code"] == code and (path is None or f["path"] == path)]


def run_cli(cwd: Path, *args: str, timeout: float = TIMEOUT) -> Outcome:
    """`plancheck validate ARGS --format json` in a subprocess, with its time and peak RSS."""
    return run_command(cwd, ["validate", *args, "--format", "json"], timeout=timeout)


def _vm_hwm_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def run_command(
    cwd: Path,
    args: list[str],
    *,
    timeout: float = TIMEOUT,
    env: dict[str, str] | None = None,
    signal_after: tuple[float, int] | None = None,
) -> Outcome:
    """`plancheck ARGS` in a subprocess; ``signal_after`` (seconds, signal) interrupts it."""
    cmd = [sys.executable, "-m", "plancheck", *args]
    env = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        signalled = False
        # the child's ru_maxrss also counts this process's resident set, inherited at fork and
        # exec (Linux keeps the old image's peak): its own image's peak is VmHWM, read while it runs
        own_peak_kb = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            own_peak_kb = max(own_peak_kb, _vm_hwm_kb(proc.pid))
            if signal_after is not None and not signalled and time.perf_counter() - start > signal_after[0]:
                proc.send_signal(signal_after[1])
                signalled = True
            if time.perf_counter() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                raise AssertionError(
                    f"plancheck {' '.join(args)} still running after {timeout:.0f}s (a hang)"
                )
            time.sleep(0.005)
        # the lesser of wall time and CPU time (the child's and its workers'): a runaway takes
        # both; a loaded machine stretches only the first, parallel workers only the second
        seconds = min(time.perf_counter() - start, usage.ru_utime + usage.ru_stime)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        out.seek(0)
        err.seek(0)
        return Outcome(
            code=proc.returncode,
            stdout=out.read().decode("utf-8", errors="replace"),
            stderr=err.read().decode("utf-8", errors="replace"),
            seconds=seconds,
            rss_mb=(own_peak_kb or usage.ru_maxrss) / 1024,  # KiB on Linux
        )


def check(outcome: Outcome, *, bad: bool = True) -> list[dict[str, Any]]:
    """The invariants every case shares; returns the findings."""
    assert "Traceback" not in outcome.stdout + outcome.stderr, outcome.stderr[-2000:]
    assert outcome.seconds < MAX_SECONDS, f"took {outcome.seconds:.2f}s"
    assert outcome.rss_mb < MAX_RSS_MB, f"peak RSS {outcome.rss_mb:.0f} MB"
    if outcome.code == 2:
        lines = outcome.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("plancheck: "), outcome.stderr
        assert "internal error" not in lines[0], lines[0]
        return []
    assert outcome.code in (0, 1), (outcome.code, outcome.stderr)
    findings = outcome.findings
    for f in findings:
        assert f["path"] and f["line"] >= 1 and f["column"] >= 1, f
    if bad:
        assert outcome.code == 1, "bad input passed"
        assert any(f["severity"] == "error" for f in findings), findings
    return findings


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the example tree: tmp_path/plans (catalogue and three plans) and tmp_path/sources."""
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    shutil.copytree(EXAMPLE / "sources", tmp_path / "sources")
    return tmp_path


def plan_path(tree: Path, name: str) -> Path:
    return tree / "plans" / "hostile" / f"{name}.yaml"


REL = "plans/hostile/{}.yaml"


def one(outcome: Outcome, code: str, name: str) -> dict[str, Any]:
    """The first finding ``code`` in plans/hostile/<name>.yaml (asserts there is one)."""
    check(outcome)
    found = outcome.of(code, REL.format(name))
    assert found, (
        f"no {code} in {REL.format(name)}: {[(f['code'], f['path'], f['message']) for f in outcome.findings]}"
    )
    return found[0]


# ----------------------------------------------------------------------------------------------
# Parser-level attacks
# ----------------------------------------------------------------------------------------------


def within_foundation_bounds(outcome: Outcome) -> None:
    assert outcome.seconds < FOUNDATION_SECONDS, f"took {outcome.seconds:.2f}s"
    assert outcome.rss_mb < FOUNDATION_RSS_MB, f"peak RSS {outcome.rss_mb:.0f} MB"


def test_alias_bomb(tree: Path) -> None:
    gen.alias_bomb(plan_path(tree, "bomb"))
    outcome = run_cli(tree, REL.format("bomb"))
    f = one(outcome, "PC005", "bomb")
    assert (f["line"], f["column"]) == (1, 5)  # the first anchor, before any alias is expanded
    within_foundation_bounds(outcome)


@pytest.mark.parametrize("megabytes", [50, 100])
def test_huge_file_is_not_read(tree: Path, megabytes: int) -> None:
    gen.big_file(plan_path(tree, "big"), megabytes)
    outcome = run_cli(tree, REL.format("big"))
    f = one(outcome, "PC004", "big")
    assert (f["line"], f["column"]) == (1, 1) and f["ctx"]["size"] >= megabytes * 1024 * 1024
    assert outcome.rss_mb < 100, "a file over the limit must be rejected from its size alone"
    within_foundation_bounds(outcome)


@pytest.mark.parametrize(
    ("style", "make", "line"),
    [("flow", gen.deep_flow, 1), ("block", gen.deep_block, 2), ("block-mapping", gen.deep_block_mapping, 65)],
)
def test_deep_nesting(tree: Path, style: str, make: Any, line: int) -> None:
    make(plan_path(tree, "deep"))
    outcome = run_cli(tree, REL.format("deep"))
    f = one(outcome, "PC009", "deep")
    assert f["line"] == line
    within_foundation_bounds(outcome)


def test_node_limit(tree: Path) -> None:
    """100,000 targets: over the size limit as written out, and over the node limit when terse."""
    gen.many_targets(plan_path(tree, "many"), 100_000)  # 16 MB
    gen.write(plan_path(tree, "terse"), "id: hostile/terse\ntargets:\n" + "  - {id: T}\n" * 100_000)
    outcome = run_cli(tree, REL.format("many"), REL.format("terse"))
    assert one(outcome, "PC004", "many")["ctx"]["size"] > 5 * 1024 * 1024
    f = one(outcome, "PC004", "terse")
    assert f["ctx"]["limit"] == 100_000 and f["line"] > 30_000  # where the limit was crossed


def test_large_valid_plan_within_bounds(tree: Path) -> None:
    """5,000 targets (95,000 nodes, under every limit) load, validate and run through every rule."""
    gen.many_targets(plan_path(tree, "large"), 5_000)
    findings = check(run_cli(tree, REL.format("large")), bad=False)
    assert not [f for f in findings if f["severity"] == "error"], findings[:5]


@pytest.mark.parametrize("kind", ["empty-targets", "int-notes", "empty-replaces", "unknown-keys"])
def test_many_schema_errors_are_capped(tree: Path, kind: str) -> None:
    """A file under every limit with hundreds of thousands of schema errors (pydantic reports them all)."""
    gen.many_errors(plan_path(tree, "errors"), kind)
    outcome = run_cli(tree, REL.format("errors"))
    first = one(outcome, "PC101", "errors")
    assert first["line"] >= 1
    assert len(outcome.of("PC101")) <= 51  # 50 shown, then one line saying more were not


# ----------------------------------------------------------------------------------------------
# Encodings and bytes
# ----------------------------------------------------------------------------------------------


def test_random_bytes(tree: Path) -> None:
    gen.random_bytes(plan_path(tree, "random"))
    outcome = run_cli(tree, REL.format("random"))
    one(outcome, "PC003", "random")
    within_foundation_bounds(outcome)


def test_random_text(tree: Path) -> None:
    gen.random_text(plan_path(tree, "text"))
    outcome = run_cli(tree, REL.format("text"))
    check(outcome)
    assert [f for f in outcome.findings if f["path"] == REL.format("text")]


@pytest.mark.parametrize(
    ("encoding", "message"),
    [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16 (no BOM)"), ("utf-16-be", "UTF-16 (no BOM)")],
)
def test_utf16(tree: Path, encoding: str, message: str) -> None:
    gen.utf16(plan_path(tree, "utf16"), encoding)
    f = one(run_cli(tree, REL.format("utf16")), "PC003", "utf16")
    assert message in f["message"] and f["line"] == 1


def test_latin1(tree: Path) -> None:
    gen.latin1(plan_path(tree, "latin1"))
    f = one(run_cli(tree, REL.format("latin1")), "PC003", "latin1")
    assert (f["line"], f["column"]) == (5, 17)  # title: Plan d'<é>


def test_nul_byte(tree: Path) -> None:
    gen.nul_bytes(plan_path(tree, "nul"))
    f = one(run_cli(tree, REL.format("nul")), "PC003", "nul")
    assert f["line"] == 5


def test_utf8_bom_loads_like_the_same_file_without_it(tree: Path) -> None:
    gen.utf8_bom(plan_path(tree, "bom"))
    gen.write(plan_path(tree, "plain"), gen.valid_plan("hostile/plain"))
    outcome = run_cli(tree, REL.format("bom"), REL.format("plain"))
    findings = check(outcome, bad=False)
    assert outcome.code == 0 and not [f for f in findings if f["code"] < "PC2"], findings

    def shape(name: str) -> list[tuple[str, int, int]]:
        return sorted((f["code"], f["line"], f["column"]) for f in findings if f["path"] == REL.format(name))

    assert shape("bom") == shape("plain") and shape("bom")  # the same gaps at the same places


def test_yaml_11_directive(tree: Path) -> None:
    """`%YAML 1.1` is a warning; yes/no/on stay text (as 1.1 booleans they would break str fields)."""
    gen.yaml11(plan_path(tree, "yaml11"))
    outcome = run_cli(tree, REL.format("yaml11"))
    findings = check(outcome, bad=False)
    f = outcome.of("PC010", REL.format("yaml11"))
    assert f and (f[0]["line"], f[0]["column"]) == (1, 1) and f[0]["severity"] == "warning"
    assert not outcome.of("PC101"), findings
    assert outcome.code == 0


# ----------------------------------------------------------------------------------------------
# Tags, documents, values
# ----------------------------------------------------------------------------------------------


def test_python_tag_runs_nothing(tree: Path) -> None:
    marker = tree / "pwned"
    gen.tag_python(plan_path(tree, "tag"), marker)
    f = one(run_cli(tree, REL.format("tag")), "PC006", "tag")
    assert (f["line"], f["column"]) == (7, 11) and "python/object/apply" in f["message"]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("make", "line", "tag"), [(gen.tag_binary, 5, "binary"), (gen.tag_custom, 6, "!foo")]
)
def test_other_tags(tree: Path, make: Any, line: int, tag: str) -> None:
    make(plan_path(tree, "tag"))
    f = one(run_cli(tree, REL.format("tag")), "PC006", "tag")
    assert f["line"] == line and tag in f["message"]


def test_multiple_documents(tree: Path) -> None:
    gen.multi_document(plan_path(tree, "multi"))
    f = one(run_cli(tree, REL.format("multi")), "PC007", "multi")
    assert f["line"] == gen.valid_plan("x/y").count("\n") + 1  # the second `---`


def test_huge_integers(tree: Path) -> None:
    gen.huge_integer(plan_path(tree, "huge"))
    outcome = run_cli(tree, REL.format("huge"))
    one(outcome, "PC101", "huge")
    where = {tuple(f["ctx"]["loc"][:3]): f["line"] for f in outcome.of("PC101")}
    assert where.get(("targets", "0", "year")) == 13
    assert where.get(("targets", "0", "bound")) == 14
    assert where.get(("coverage", "0", "in_source")) == 19


@pytest.mark.parametrize(("year", "bound"), [(".nan", ".nan"), (".inf", "-.inf"), ("-.inf", ".Inf")])
def test_nan_and_inf(tree: Path, year: str, bound: str) -> None:
    gen.nan_inf(plan_path(tree, "nan"), year, bound)
    outcome = run_cli(tree, REL.format("nan"))
    one(outcome, "PC101", "nan")
    lines = {f["ctx"]["loc"][2]: f["line"] for f in outcome.of("PC101") if len(f["ctx"]["loc"]) > 2}
    assert lines.get("year") == 13 and lines.get("bound") == 14


@pytest.mark.parametrize("quoted", [True, False])
def test_impossible_date(tree: Path, quoted: bool) -> None:
    gen.impossible_date(plan_path(tree, "date"), quoted)
    f = one(run_cli(tree, REL.format("date")), "PC101", "date")
    assert (f["line"], f["column"]) == (7, 11) and "issued" in f["message"]


def test_long_label(tree: Path) -> None:
    gen.long_label(plan_path(tree, "label"))
    f = one(run_cli(tree, REL.format("label")), "PC101", "label")
    assert f["line"] == 16 and "2000" in f["message"]


# ----------------------------------------------------------------------------------------------
# The file system
# ----------------------------------------------------------------------------------------------


def test_file_symlink_loops(tree: Path) -> None:
    folder = tree / "plans" / "hostile"
    folder.mkdir()
    (folder / "a.yaml").symlink_to("b.yaml")
    (folder / "b.yaml").symlink_to("a.yaml")
    (folder / "self.yaml").symlink_to("self.yaml")
    outcome = run_cli(tree, "plans")
    check(outcome)
    for name in ("a", "b", "self"):
        assert outcome.of("PC011", REL.format(name)), name


def test_directory_symlink_loop(tree: Path) -> None:
    folder = tree / "plans" / "hostile"
    folder.mkdir()
    (folder / "loop").symlink_to("..")  # plans/hostile/loop -> plans
    (folder / "self.yaml").symlink_to("self.yaml", target_is_directory=True)
    outcome = run_cli(tree, "plans")
    check(outcome)
    assert outcome.of("PC011", REL.format("self"))
    assert not [f for f in outcome.findings if "/loop/" in f["path"]]  # the loop is not followed
    # named on the command line, the looping folder is read once, as the tree it points to
    check(run_cli(tree, "plans/hostile/loop/hostile/loop"), bad=False)


def _really_unreadable(path: Path) -> bool:
    try:
        if path.is_dir():
            os.listdir(path)
        else:
            path.open("rb").close()
    except PermissionError:
        return True
    return False


def test_unreadable_file(tree: Path) -> None:
    """chmod 000. As root the file stays readable: then it must simply be validated, honestly."""
    target = gen.write(
        plan_path(tree, "locked"), gen.valid_plan("hostile/locked").replace("year: 2030", "year: 1")
    )
    target.chmod(0)
    try:
        outcome = run_cli(tree, REL.format("locked"))
        if _really_unreadable(target):
            f = one(outcome, "PC011", "locked")
            assert "cannot read" in f["message"]
        else:  # running as root: permission bits do not apply, the file is read and checked
            assert one(outcome, "PC101", "locked")["line"] == 13
    finally:
        target.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_unreadable_folder(tree: Path) -> None:
    folder = tree / "plans" / "locked"
    gen.write(folder / "x.yaml", gen.valid_plan("locked/x").replace("year: 2030", "year: 1"))
    folder.chmod(0)
    try:
        outcome = run_cli(tree, "plans/locked")
        if _really_unreadable(folder):
            check(outcome)
            assert outcome.of("PC011", "plans/locked"), outcome.findings
        else:
            assert outcome.of("PC101", "plans/locked/x.yaml")
    finally:
        folder.chmod(stat.S_IRWXU)


def test_fifo_and_device_do_not_hang(tree: Path) -> None:
    folder = tree / "plans" / "hostile"
    folder.mkdir()
    os.mkfifo(folder / "fifo.yaml")  # opening it for reading would block forever
    (folder / "zero.yaml").symlink_to("/dev/zero")  # reading it never ends
    outcome = run_cli(tree, "plans", "plans/hostile/zero.yaml", "--no-cache")
    check(outcome)
    for name in ("fifo", "zero"):
        assert "not a regular file" in one(outcome, "PC011", name)["message"]


def test_fifo_does_not_hang_with_the_cache(tree: Path) -> None:
    folder = tree / "plans" / "hostile"
    folder.mkdir()
    os.mkfifo(folder / "fifo.yaml")  # only the FIFO: /dev/zero through the cache would eat memory
    outcome = run_cli(tree, "plans", timeout=MAX_SECONDS + 1)
    check(outcome)
    assert one(outcome, "PC011", "fifo")


def test_missing_path_is_reported(tree: Path) -> None:
    outcome = run_cli(tree, "plans/nonexistent.yaml", "nothere")
    check(outcome)
    assert outcome.of("PC011", "plans/nonexistent.yaml") and outcome.of("PC011", "nothere")


# ----------------------------------------------------------------------------------------------
# Provenance, references, catalogue
# ----------------------------------------------------------------------------------------------


def test_source_outside_the_sources_folder(tree: Path) -> None:
    gen.source_outside(plan_path(tree, "passwd"), "../../etc/passwd")
    (tree / "sources" / "escape.txt").symlink_to("/etc/passwd")
    gen.source_outside(plan_path(tree, "escape"), "escape.txt")
    outcome = run_cli(tree, REL.format("passwd"), REL.format("escape"), "--sources", "sources")
    f = one(outcome, "PC101", "passwd")  # not a bare file name: the schema refuses it
    assert (f["line"], f["column"]) == (8, 11) and "document.source" in f["message"]
    f = one(outcome, "PC504", "escape")  # a bare name whose link leaves the folder
    assert (f["line"], f["column"]) == (8, 11)
    assert "root:" not in outcome.stdout and not outcome.of("PC501", REL.format("escape"))


def test_fifo_as_a_source_text_does_not_hang(tree: Path) -> None:
    os.mkfifo(tree / "sources" / "fifo.txt")  # the cache hashes source texts: never open this one
    gen.source_outside(plan_path(tree, "fifo"), "fifo.txt")
    outcome = run_cli(tree, REL.format("fifo"), "--sources", "sources", timeout=MAX_SECONDS + 1)
    check(outcome)
    assert one(outcome, "PC503", "fifo")


def test_plan_implements_itself(tree: Path) -> None:
    gen.implements_itself(plan_path(tree, "self"))
    f = one(run_cli(tree, REL.format("self")), "PC106", "self")
    assert f["line"] == 9


def test_catalogue_entry_with_inverted_range(tree: Path) -> None:
    """The Indicator model has no range: `range: [100, -5]` is an unknown key, found where it is."""
    gen.catalogue_bad_range(tree / "plans" / "indicators.yaml")
    outcome = run_cli(tree, "plans")
    check(outcome)
    findings = outcome.of("PC101", "plans/indicators.yaml")
    lines = (tree / "plans" / "indicators.yaml").read_text(encoding="utf-8").splitlines()
    by_key = {f["ctx"]["loc"][2]: f for f in findings if len(f["ctx"]["loc"]) > 2}
    assert set(by_key) >= {"range", "direction", "levels"}, findings
    for key, f in by_key.items():
        assert lines[f["line"] - 1].strip().startswith(f"{key}:"), (key, f["line"])
    assert (by_key["range"]["column"]) == 5  # the key itself, as for every unknown key


def test_catalogue_duplicate_indicator(tree: Path) -> None:
    catalogue = tree / "plans" / "indicators.yaml"
    first_line = len(catalogue.read_text(encoding="utf-8").splitlines()) + 1
    gen.catalogue_duplicate(catalogue)
    outcome = run_cli(tree, "plans")
    check(outcome)
    f = outcome.of("PC110", "plans/indicators.yaml")
    assert f and (f[0]["line"], f[0]["column"]) == (first_line, 5), outcome.findings


# ----------------------------------------------------------------------------------------------
# Unusable invocations: exit 2, one line
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["plans", "--sources", "nothere"], ["plans", "--select", "PC9999"]])
def test_unusable_invocation(tree: Path, args: list[str]) -> None:
    outcome = run_cli(tree, *args)
    assert outcome.code == 2
    check(outcome)


# ----------------------------------------------------------------------------------------------
# Crashes and runaways (issue 13): one clear line or a finding, bounded time and memory
# ----------------------------------------------------------------------------------------------

# what must never reach a terminal or a report raw: escapes, BEL, a C1 CSI, bidi overrides/isolates
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\u202d", "\u2066")


def no_traceback(outcome: Outcome, codes: tuple[int, ...] = (0, 1)) -> None:
    assert "Traceback" not in outcome.stdout + outcome.stderr, outcome.stderr[-2000:]
    assert outcome.code in codes, (outcome.code, outcome.stderr[-2000:])
    if outcome.code == 2:
        lines = outcome.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("plancheck: "), outcome.stderr
        assert "internal error" not in lines[0], lines[0]


def test_plan_text_is_printed_inert(tree: Path) -> None:
    """Rich markup, terminal escapes, C1 controls and bidi overrides in plan text are shown
    escaped by show, tree, diff and the report (show raised a MarkupError on `[/bold]`)."""
    plan = gen.control_text(plan_path(tree, "ctl"))
    copy = gen.write(tree / "ctl-v2.yaml", plan.read_text(encoding="utf-8").replace('">= 40"', '">= 45"'))
    runs = {
        "show": run_command(tree, ["show", "hostile/ctl", "--root", "plans", "--no-cache"]),
        "tree": run_command(tree, ["tree", "plans", "--no-cache"]),
        "diff": run_command(tree, ["diff", str(plan), str(copy)]),
        "report": run_command(tree, ["report", "plans", "--lang", "en", "--no-cache"]),
        "validate": run_command(tree, ["validate", "plans", "--no-cache"]),
    }
    for name, outcome in runs.items():
        no_traceback(outcome)
        for char in RAW_CONTROLS:
            assert char not in outcome.stdout + outcome.stderr, (name, repr(char))
        assert outcome.seconds < MAX_SECONDS and outcome.rss_mb < MAX_RSS_MB, name
    shown = runs["show"].stdout
    assert "\\x1b[2J\\x9b31m\\u202eabc\\u2066" in shown  # the issuer, escaped
    assert "[bold red]x[/]" in shown  # the label, literally: not read as markup
    assert "\\u202dL" in runs["report"].stdout


def test_text_findings_escape_bidi_and_controls() -> None:
    from plancheck.report import text
    from plancheck.rules.schema import SCHEMA_VIOLATION

    finding = SCHEMA_VIOLATION.finding("plans/a\u202e.yaml", 1, 1, "label \u2066x\u2069 \x1b[31mred\x9b")
    out = text.plain([finding], {"error": 1}, 1, None)
    for char in ("\u202e", "\u2066", "\u2069", "\x1b", "\x9b"):
        assert char not in out, repr(char)
    assert "plans/a\\u202e.yaml:1:1" in out and "\\x1b[31mred\\x9b" in out


def _entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.suffix in (".json", TREE_SUFFIX))


@pytest.mark.parametrize("damage", ["nested", "nested-results", "huge", "fifo", "device"])
def test_damaged_cache_entries_are_rebuilt(tree: Path, damage: str) -> None:
    """A cache entry nested 100,000 deep made every run end in a RecursionError until it was
    deleted; a huge one was read whole, a FIFO blocked the run. All are ignored and rebuilt."""
    gen.write(plan_path(tree, "bad"), gen.valid_plan("hostile/bad").replace("year: 2030", "year: 1"))
    args = ["plans", "--cache-dir", "cache"]
    cold = run_cli(tree, *args)
    expected = check(cold)
    entries = _entries(tree / "cache")
    assert entries
    for entry in entries:
        if damage == "nested":
            entry.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
        elif damage == "nested-results" and entry.suffix == TREE_SUFFIX:  # its records, nested
            head, _, lines = entry.read_text(encoding="utf-8").split("\n", 2)
            entry.write_text(f"{head}\n{'[' * 100_000}{']' * 100_000}\n{lines}", encoding="utf-8")
        elif damage == "nested-results":
            data = json.loads(entry.read_text(encoding="utf-8"))
            if "results" in data:
                data["results"] = {k: "[" * 100_000 + "]" * 100_000 for k in data["results"]} or {
                    "x": "[" * 100_000
                }
            else:  # the report's rows of a child
                data["edges"] = [["x", None, "[" * 100_000 + "]" * 100_000]]
            entry.write_text(json.dumps(data), encoding="utf-8")
        elif damage == "fifo":  # opening it to read would block forever
            entry.unlink()
            os.mkfifo(entry)
        elif damage == "device":
            entry.unlink()
            entry.symlink_to("/dev/zero")
        else:
            with entry.open("w", encoding="utf-8") as handle:  # 60 MB: 30 million numbers
                handle.write('{"magic": [0' + ",0" * (30 * 1024 * 1024) + "]}")
    for _ in range(2):  # the first run rebuilds, the second reads what it wrote
        outcome = run_cli(tree, *args)
        assert check(outcome) == expected
    for entry in _entries(tree / "cache"):  # replaced by a real entry, never written through
        assert not entry.is_symlink() and entry.is_file() and entry.stat().st_size < 1024 * 1024


def test_tree_over_a_chain_of_plans(tree: Path) -> None:
    """1,000 plans, each implementing the one before: `tree` recursed once per level."""
    gen.chain(tree / "plans" / "chain", 1_000)
    outcome = run_command(tree, ["tree", "plans"], timeout=60)
    no_traceback(outcome, (0,))
    lines = outcome.stdout.splitlines()
    assert any(line.endswith("chain/c0999  (1 meets)") for line in lines), lines[-3:]
    assert outcome.rss_mb < MAX_RSS_MB
    # a plan below several parents is expanded once, so output grows with links, not paths
    assert len(lines) < 1_020


def test_file_names_that_are_not_utf8(tree: Path) -> None:
    """An undecodable name made the whole run end with an internal error: nothing was checked."""
    folder = tree / "plans" / "hostile"
    gen.write(folder / "other.yaml", gen.valid_plan("hostile/other").replace("year: 2030", "year: 1"))
    for raw in (b"bad\xff.yaml", b"d\xe9p/x.yaml"):
        name = os.fsencode(folder) + b"/" + raw
        os.makedirs(os.path.dirname(name), exist_ok=True)
        with open(name, "wb") as handle:
            handle.write(gen.valid_plan("hostile/x").encode("utf-8"))
    outcome = run_cli(tree, "plans")
    check(outcome)
    assert outcome.of("PC015", "plans/hostile/bad\\xff.yaml")
    assert outcome.of("PC015", "plans/hostile/d\\xe9p")
    assert outcome.of("PC101", REL.format("other"))  # the rest of the tree is checked


@pytest.mark.parametrize("value", ["²", "0", "-1", "abc", "1.5", "٣", "4 4"])
def test_plancheck_jobs_not_a_positive_integer(tree: Path, value: str) -> None:
    outcome = run_command(tree, ["validate", "plans"], env={"PLANCHECK_JOBS": value})
    no_traceback(outcome, (2,))
    assert "PLANCHECK_JOBS" in outcome.stderr


@pytest.mark.parametrize(("value", "workers"), [("9" * 5000, 64), ("100000", 64), ("3", 3), (" 2 ", 2)])
def test_plancheck_jobs_is_capped(
    tree: Path, monkeypatch: pytest.MonkeyPatch, value: str, workers: int
) -> None:
    from plancheck.run.pipeline import default_workers

    monkeypatch.setenv("PLANCHECK_JOBS", value)
    assert default_workers() == workers
    no_traceback(run_command(tree, ["validate", "plans"], env={"PLANCHECK_JOBS": value}))


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat_line = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat_line.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    ("signum", "code", "line"), [(15, 143, "terminated"), (2, 130, "interrupted"), (9, -9, None)]
)
def test_signals_end_the_workers(tree: Path, signum: int, code: int, line: str | None) -> None:
    """SIGTERM left the worker processes running forever; Ctrl-C (SIGINT to the whole process
    group, as a terminal sends it) printed a traceback from every worker and "Aborted!". Even
    SIGKILL, which no handler sees, ends the workers (they ask Linux to end them with their
    parent)."""
    gen.chain(tree / "plans" / "chain", 1_500)
    cmd = [sys.executable, "-m", "plancheck", "validate", "plans", "--no-cache"]
    env = {**os.environ, "PLANCHECK_JOBS": "2", "NO_COLOR": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            cmd, cwd=tree, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
        workers: set[int] = set()
        try:
            deadline = time.monotonic() + TIMEOUT
            while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
                workers = _children(proc.pid)
                time.sleep(0.01)
            assert len(workers) >= 2, "no worker processes started"
            if signum == 2:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)
            rc = proc.wait(TIMEOUT)
            err.seek(0)
            assert rc == code, err.read().decode("utf-8", "replace")[-3000:]
            end = time.monotonic() + 5
            while any(_alive(w) for w in workers) and time.monotonic() < end:
                time.sleep(0.05)
            left = [w for w in workers if _alive(w)]
            assert not left, f"worker processes {left} outlived the main process"
        finally:
            for pid in {w for w in workers if _alive(w)} | _children(proc.pid) | {proc.pid}:
                with contextlib.suppress(OSError):
                    os.kill(pid, 9)
            proc.wait()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    assert stderr.strip() == ("" if line is None else f"plancheck: {line}"), stderr[-2000:]


def test_implements_one_parent_thousands_of_times(tree: Path) -> None:
    gen.duplicate_parent(plan_path(tree, "dup"), 20_000)
    outcome = run_cli(tree, REL.format("dup"))
    findings = check(outcome, bad=False)
    f = outcome.of("PC120", REL.format("dup"))
    assert len(f) == 1 and (f[0]["line"], f[0]["column"]) == (9, 33) and f[0]["ctx"]["times"] == 20_000
    keys = [(x["code"], x["line"], x["column"], x["message"]) for x in findings]
    assert len(keys) == len(set(keys)), "the parent was compared more than once"


def test_thousands_of_targets_on_one_indicator(tree: Path) -> None:
    """A parent and a child with 5,000 targets each on one indicator, all bounds different:
    each parent target was compared with every child target (minutes)."""
    _, child = gen.same_indicator(plan_path(tree, "parent"), plan_path(tree, "child"), 5_000)
    assert child.stat().st_size < 1024 * 1024
    outcome = run_cli(tree, REL.format("parent"), REL.format("child"), "--no-cache")
    check(outcome, bad=False)
    assert outcome.of("PC201", REL.format("child")) or outcome.of("PC202", REL.format("child"))


def test_thousands_of_findings_in_sarif(tmp_path: Path) -> None:
    """57-NQ-TW and 106 with 5,200 targets each on one indicator (40,000 findings): `-f sarif`
    built the whole log as one object and one string (520 MB, 50 MB of output) before it was
    streamed. Memory is held to the bound; wall time is measured in benchmarks/RESULTS.md (on a
    shared machine a timed assertion of a run this size would be flaky)."""
    shutil.copytree(Path(__file__).resolve().parent.parent / "plans", tmp_path / "plans")
    _, child = gen.real_same_indicator(tmp_path / "plans", 5_200)
    assert child.stat().st_size < 1024 * 1024
    sarif = run_command(tmp_path, ["validate", "--no-cache", "-f", "sarif"], timeout=120)
    assert sarif.code in (0, 1) and "Traceback" not in sarif.stderr, sarif.stderr[-2000:]
    assert len(json.loads(sarif.stdout)["runs"][0]["results"]) > 20_000
    assert sarif.rss_mb < MAX_RSS_MB, f"peak RSS {sarif.rss_mb:.0f} MB"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.parametrize("spec", ["--output={out}:plans/province/KH-1.yaml", "-o{out}:x", "--help:x"])
def test_diff_arguments_are_never_git_options(tree: Path, spec: str) -> None:
    """`git show --output=FILE` writes FILE: a REF beginning with '-' is refused."""
    _git(tree, "init", "-q")
    _git(tree, "add", "plans")
    _git(tree, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    out = tree / "pwned"
    outcome = run_command(tree, ["diff", "--", spec.format(out=out), "plans/province/KH-1.yaml"])
    no_traceback(outcome, (2,))
    assert not out.exists()
    assert "cannot begin with '-'" in outcome.stderr


@pytest.mark.parametrize("kind", ["read-only", "symlink", "folder", "broken-symlink"])
def test_report_output_that_must_not_be_replaced(tree: Path, kind: str) -> None:
    target = tree / "kept.md"
    target.write_text("kept\n", encoding="utf-8")
    output = tree / "out.md"
    if kind == "read-only":
        output = target
        target.chmod(0o444)
    elif kind == "symlink":
        output.symlink_to(target)
    elif kind == "broken-symlink":
        output.symlink_to(tree / "nowhere.md")
    else:
        output.mkdir()
    try:
        outcome = run_command(tree, ["report", "plans", "-o", str(output)])
    finally:
        target.chmod(0o644)
    no_traceback(outcome, (2,))
    assert target.read_text(encoding="utf-8") == "kept\n"
    if kind in ("symlink", "broken-symlink"):
        assert output.is_symlink()
    assert not (tree / "nowhere.md").exists()


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_yaml_12_line_separators_are_text(tree: Path, separator: str) -> None:
    """U+2028, U+2029 and U+0085 are not line breaks in YAML 1.2: positions stay right."""
    text = gen.valid_plan("hostile/sep").replace("year: 2030", "year: 1")
    text = text.replace("  title: Kế hoạch thử\n", f'  title: "Kế{separator}hoạch" # ghi{separator}chú\n')
    text = text.replace("  issuer: UBND tỉnh\n", f"  issuer: 'UBND{separator}tỉnh'\n")
    gen.write(plan_path(tree, "sep"), text)
    outcome = run_cli(tree, REL.format("sep"))
    f = one(outcome, "PC101", "sep")
    assert (f["line"], f["column"]) == (13, 11), f  # year: 1, where it is in the file
    assert not outcome.of("PC001")
    shown = run_command(tree, ["show", "hostile/sep", "--root", "plans", "-f", "json", "--no-cache"])
    if shown.code == 0:
        data = json.loads(shown.stdout)[0]
        assert data["document"]["title"] == f"Kế{separator}hoạch"


@pytest.mark.parametrize(("signum", "code", "line"), [(2, 130, "interrupted"), (15, 143, "terminated")])
def test_signal_while_starting(tree: Path, signum: int, code: int, line: str) -> None:
    """A Ctrl-C while the command line is still being imported printed a KeyboardInterrupt
    traceback (and once the run had started, "Aborted!" with exit code 1)."""
    # enough plans that the run outlasts the signal however fast it gets (one loader made the
    # example tree's run end at 0.36 s, before a signal at 0.4 s)
    ward = (tree / "plans" / "ward" / "KH-2.yaml").read_text(encoding="utf-8")
    for i in range(2000):
        folder = tree / "plans" / f"w{i}"
        folder.mkdir()
        (folder / "KH-2.yaml").write_text(ward.replace("id: ward/KH-2", f"id: w{i}/KH-2"), encoding="utf-8")
    outcome = run_command(tree, ["validate", "plans", "--no-cache"], signal_after=(0.4, signum))
    assert outcome.code == code, outcome.stderr[-2000:]
    assert outcome.stderr == f"plancheck: {line}\n"
