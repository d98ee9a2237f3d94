"""The tree entry (issue 14): a warm run with nothing changed reads the whole tree's result as one
signed entry; an edit, a tampered or foreign entry, or a results/ folder means the tree is checked
file by file, with the findings a run without the cache gives. The entry keeps the findings as
the JSON output's lines: a warm JSON run prints them as they are, and every other output decodes
them into the findings a run without the cache gives."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app
from plancheck.report import json_report
from plancheck.report.json_report import FindingLines
from plancheck.run import cache, checker
from plancheck.run.cache import MAGIC, Store, write_signed_pieces
from plancheck.run.treecache import (
    MAX_TREE_ENTRY_BYTES,
    TREE_LAYOUT,
    TREE_SUFFIX,
    TreeEntry,
    tree_head_problem,
)

from .conftest import EXAMPLE, REPO

runner = CliRunner()
_SIGNATURE = len('{"mac":"') + 64 + 2  # what precedes the entry's text after its opening brace


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled plans (waivers, stand-ins, every rule family) without results/ beside them,
    so that they have a tree entry."""
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


def _run(*extra: str, format: str = "json") -> str:
    result = runner.invoke(app, ["validate", "plans", "-f", format, *extra])
    assert result.exit_code in (0, 1), result.output
    return result.output


def _entry(tree: Path) -> Path:
    files = list((tree / "cache" / TREE_LAYOUT).glob(f"*{TREE_SUFFIX}"))
    assert len(files) == 1, files
    return files[0]


@pytest.fixture
def per_file(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The per-file entries looked up in this test (none when the tree entry answered)."""
    seen: list[str] = []
    real = Store.get

    def counting(self: Store, key: str) -> dict[str, Any] | None:
        seen.append(key)
        return real(self, key)

    monkeypatch.setattr(Store, "get", counting)
    return seen


def _split(path: Path) -> tuple[dict[str, Any], str, str]:
    """The entry at ``path``: its first line decoded with its last (``exact``), its records and
    its findings' lines (the signature is not checked here)."""
    head, records, rest = ("{" + path.read_text(encoding="utf-8")[_SIGNATURE:]).split("\n", 2)
    lines, exact = rest.rsplit("\n", 1)
    return {**json.loads(head), "exact": json.loads(exact)}, records, lines


def _sign(path: Path, head: dict[str, Any], records: str, lines: str) -> None:
    """Write an entry with this user's secret, as plancheck would sign it."""
    first = {k: v for k, v in head.items() if k != "exact"}
    text = json.dumps(first, ensure_ascii=False, separators=(",", ":"))
    exact = json.dumps(head["exact"], ensure_ascii=False, separators=(",", ":"))
    write_signed_pieces(path, head["key"], [f"{text}\n{records}\n{lines}\n{exact}"], MAX_TREE_ENTRY_BYTES)


def test_a_warm_run_reads_the_tree_entry_alone(tree: Path, per_file: list[str]) -> None:
    cold = _run()
    assert per_file  # the first run looks up each file
    per_file.clear()
    assert _run() == cold
    assert per_file == []  # answered by the tree entry
    assert _run("--no-cache") == cold


@pytest.mark.parametrize("format", ["json", "text", "sarif", "github"])
def test_every_output_of_a_warm_run_is_that_of_a_run_without_the_cache(bundled: Path, format: str) -> None:
    cold = _run("--no-cache", format=format)
    assert _run(format=format) == cold  # fills the cache
    assert _run(format=format) == cold  # from the tree entry
    head, _, _ = _split(_entry(bundled))
    assert head["findings"] > 100


def test_findings_whose_line_does_not_say_all_are_kept_whole(tree: Path) -> None:
    """A waived finding's own status does not show in its JSON line ("waived" does): the entry
    keeps such findings whole, and every output that decodes them is unchanged."""
    province = tree / "plans" / "province" / "KH-1.yaml"
    text = province.read_text(encoding="utf-8").replace('bound: ">= 40"', 'bound: ">= 20"')
    province.write_text(
        text.replace(
            "tasks:\n",
            "waivers:\n  - {rule: PC202, parent: national/57-NQ-TW, indicator: digital-economy-share, "
            "year: 2030, reason: tỉnh nông nghiệp, approved_by: Bộ KH&CN}\ntasks:\n",
        ),
        encoding="utf-8",
    )
    cold = {format: _run("--no-cache", format=format) for format in ("text", "sarif", "github")}
    _run()
    head, _, lines = _split(_entry(tree))
    waived = [str(i) for i, line in enumerate(lines.split("\n")) if '"waiver_reason"' in line]
    assert waived and set(head["exact"]) == set(waived)
    for format, output in cold.items():
        assert _run(format=format) == output, format


def test_a_warm_json_run_decodes_neither_findings_nor_summaries(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _run()

    def refuse(self: TreeEntry) -> Any:
        raise AssertionError("decoded")

    monkeypatch.setattr(TreeEntry, "findings", refuse)
    monkeypatch.setattr(TreeEntry, "records", refuse)
    assert _run() == cold
    text = runner.invoke(app, ["validate", "plans", "-f", "text"])  # text needs the findings
    assert text.exit_code == 2 and "AssertionError: decoded" in text.output


def test_a_warm_run_after_an_edit_equals_a_run_without_the_cache(tree: Path, per_file: list[str]) -> None:
    _run()
    ward = tree / "plans" / "ward" / "KH-2.yaml"
    text = ward.read_text(encoding="utf-8")
    assert 'bound: ">= 40"' in text
    ward.write_text(text.replace('bound: ">= 40"', 'bound: ">= 1"'), encoding="utf-8")
    per_file.clear()
    warm = _run()
    assert per_file  # the tree's key changed: checked file by file
    assert warm == _run("--no-cache")
    assert warm != ""
    per_file.clear()
    assert _run() == warm  # and the new result is the tree entry now
    assert per_file == []


def test_configuration_is_part_of_the_key(tree: Path, per_file: list[str]) -> None:
    full = _run()
    only = _run("--select", "PC0")
    assert only != full
    assert only == _run("--select", "PC0", "--no-cache")
    # one entry per configuration (`--base` checks a tree under two): neither replaces the other
    per_file.clear()
    assert _run() == full
    assert _run("--select", "PC0") == only
    assert per_file == []


def test_a_tampered_tree_entry_is_ignored(tree: Path, per_file: list[str]) -> None:
    cold = _run()
    path = _entry(tree)
    text = path.read_text(encoding="utf-8")
    # a finding dropped from the entry, its signature left as it was
    _, _, lines = _split(path)
    assert lines.count("\n") >= 1
    path.write_text(text.replace(lines, lines.split("\n", 1)[1]), encoding="utf-8")
    per_file.clear()
    assert _run() == cold
    assert per_file  # ignored: checked file by file, and rewritten


def test_a_foreign_or_malformed_tree_entry_is_ignored(
    tree: Path, per_file: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _run()
    path = _entry(tree)
    head, records, lines = _split(path)
    # signed with another user's secret: not this user's entry
    with monkeypatch.context() as m:
        m.setattr(cache, "secret", lambda: b"another user's secret, 32 bytes!")
        _sign(path, head, records, "")
    per_file.clear()
    assert _run() == cold
    assert per_file
    # signed with this user's secret but not a tree entry as plancheck writes one
    for bad in (
        {**head, "counts": {"error": -1}},
        {**head, "extra": 1},
        {**head, "findings": head["findings"] + 1},  # the counts no longer add up
        {**head, "exact": {"0": ["PC001"]}},
        None,  # no line after the records
    ):
        if bad is None:
            text = json.dumps({k: v for k, v in head.items() if k != "exact"}, separators=(",", ":"))
            write_signed_pieces(path, head["key"], [f"{text}\n{records}"], MAX_TREE_ENTRY_BYTES)
        else:
            _sign(path, bad, records, lines)
        per_file.clear()
        assert _run() == cold
        assert per_file


def test_an_entry_that_does_not_decode_is_removed_with_one_line(tree: Path) -> None:
    """Signed for its key, yet findings that do not decode: plancheck wrote it wrong. The run that
    needs the findings says so in one line and removes it; the next run checks the tree again."""
    cold = _run(format="text")
    path = _entry(tree)
    head, records, lines = _split(path)
    _sign(path, head, records, lines.replace('"code": "', '"code": "XX', 1))
    result = runner.invoke(app, ["validate", "plans", "-f", "text"])
    assert result.exit_code == 2
    assert "is signed but its findings do not decode" in result.output
    assert "Traceback" not in result.output
    assert not path.exists()
    assert _run(format="text") == cold


def test_a_tree_entry_for_another_state_is_not_read(tree: Path, per_file: list[str]) -> None:
    """An entry signed for one state of the tree, left in place after an edit and the edit undone,
    is never the answer for another state: it is signed for its own key."""
    _run()
    path = _entry(tree)
    old = path.read_bytes()
    ward = tree / "plans" / "ward" / "KH-2.yaml"
    text = ward.read_text(encoding="utf-8")
    ward.write_text(text.replace('bound: ">= 40"', 'bound: ">= 1"'), encoding="utf-8")
    edited = _run("--no-cache")
    path.write_bytes(old)  # the entry of the tree before the edit
    per_file.clear()
    assert _run() == edited
    assert per_file


def test_no_tree_entry_beside_results(tree: Path) -> None:
    (tree / "results").mkdir()
    cold = _run()
    assert not (tree / "cache" / TREE_LAYOUT).exists()
    assert _run() == cold


def _heads() -> Iterator[tuple[dict[str, Any], bool]]:
    good: dict[str, Any] = {
        "magic": MAGIC,
        "key": "k",
        "findings": 1,
        "exact": {"0": ["PC001", "error", "m", 1, 1, None, None, None, {}, "a.yaml", None]},
        "counts": {"error": 1},
        "suppressed": 0,
        "not_compared": 0,
        "requested": ["a.yaml"],
        "contexts": {"p": "a" * 64},
        "documents": [["t.txt", "d"]],
    }
    yield good, True
    for bad in (
        {**good, "key": "other"},
        {**good, "findings": 2},
        {**good, "exact": {"0": ["PC001"]}},
        {**good, "suppressed": -1},
        {**good, "contexts": {"p": "xyz"}},
        {**good, "documents": [["t.txt"]]},
        {**good, "requested": [1]},
        {k: v for k, v in good.items() if k != "exact"},
    ):
        yield bad, False


@pytest.mark.parametrize(("head", "good"), list(_heads()))
def test_the_entry_schema(head: dict[str, Any], good: bool) -> None:
    assert (tree_head_problem(head, "k") is None) is good


def test_stored_lines_are_written_as_bytes_only_to_a_utf8_stream() -> None:
    line = '{"code": "PC201", "message": "Hồng Bàng"}'
    lines = FindingLines(line.encode("utf-8"), 1)
    for encoding, expected in (
        ("utf-8", line),
        ("UTF8", line),
        ("ascii", line.replace("ồ", "\\u1ed3").replace("à", "\\xe0")),
    ):
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding=encoding, errors="backslashreplace")
        json_report.write(out, [], {"gap": 1}, lines=lines)
        out.flush()
        text = raw.getvalue().decode("ascii" if encoding == "ascii" else "utf-8")
        assert text.endswith(f'"findings": [\n    {expected}\n  ]\n}}\n'), (encoding, text)
        if encoding != "ascii":  # backslashreplace writes `\xe0`, no JSON escape: as without the cache
            assert json.loads(raw.getvalue().decode("utf-8"))["summary"]["findings"] == 1
    plain = io.StringIO()  # no byte stream under it
    json_report.write(plain, [], {"gap": 1}, lines=lines)
    assert f"    {line}\n" in plain.getvalue()


def test_a_report_after_a_warm_run_reads_every_section_from_the_cache(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The findings of a result read from the tree entry key the report's cached sections as the
    findings of a checked tree do: a second report renders nothing again."""
    args = ["report", "plans", "--as-of", "2026-01-01"]
    fresh = runner.invoke(app, [*args, "--no-cache"]).output
    assert runner.invoke(app, args).output == fresh  # checked file by file; writes the sections
    assert list((tree / "cache" / TREE_LAYOUT).iterdir())

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("a section rendered again")

    monkeypatch.setattr(checker.Checker, "report", refuse)
    again = runner.invoke(app, args)  # from the tree entry, every section from the cache
    assert again.exit_code == 0, again.output
    assert again.output == fresh
