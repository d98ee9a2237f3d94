"""The Markdown gap report: escaping, table shape, totals that add up, determinism."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from plancheck.cli import app

from .conftest import EXAMPLE

runner = CliRunner()
HOSTILE = "Tỷ lệ | <script>alert(1)</script> `code` [link](javascript:alert(1)) **bold**\\nnext"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _poison(tree: Path) -> None:
    province = tree / "plans" / "province" / "KH-1.yaml"
    text = province.read_text(encoding="utf-8")
    text = text.replace(
        "label: dịch vụ công trực tuyến",
        f"label: {json.dumps(HOSTILE.replace(chr(92) + 'n', chr(10)), ensure_ascii=False)}",
    )
    text = text.replace('bound: "> 85"', 'bound: "> 70"')  # a gap, so the row is in the worst-gaps table too
    text = text.replace("tasks:\n", 'notes:\n  - "<img src=x onerror=alert(1)> | pipe"\ntasks:\n')
    province.write_text(text, encoding="utf-8")


def _tables(markdown: str) -> list[list[list[str]]]:
    """Every table as rows of cell texts, parsed by a real Markdown parser (GFM tables)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables: list[list[list[str]]] = []
    row: list[str] | None = None
    for i, tok in enumerate(tokens):
        if tok.type == "table_open":
            tables.append([])
        elif tok.type == "tr_open":
            row = []
        elif tok.type in ("th_open", "td_open"):
            assert row is not None
            row.append(tokens[i + 1].content if tokens[i + 1].type == "inline" else "")
        elif tok.type == "tr_close":
            assert row is not None
            tables[-1].append(row)
    return tables


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_hostile_plan_text_cannot_break_tables_or_inject(tree: Path, lang: str) -> None:
    _poison(tree)
    result = runner.invoke(app, ["report", "plans", "--lang", lang, "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    out = result.output
    md = MarkdownIt("commonmark").enable("table")
    tables = _tables(out)
    assert tables
    for table in tables:
        widths = {len(r) for r in table}
        assert len(widths) == 1, table
    html = md.render(out)
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html
    # the text is still there for a reader, escaped
    assert "alert(1)" in html or "alert\\(1\\)" in out
    # no raw HTML tokens survive in the Markdown itself
    for tok in md.parse(out):
        assert tok.type not in ("html_block", "html_inline")
        for child in tok.children or []:
            assert child.type != "html_inline"
            assert child.type != "link_open"


def test_report_is_byte_identical_and_has_both_languages(tree: Path) -> None:
    args = ["report", "plans", "--as-of", "2026-01-01"]
    first, second = runner.invoke(app, args).output, runner.invoke(app, args).output
    assert first == second
    assert first.startswith("# Báo cáo chênh lệch")
    english = runner.invoke(app, [*args, "--lang", "en"]).output
    assert english.startswith("# Target and deadline gap report")
    assert "2026-01-01" in english
    for word in ("exceeds", "meets", "not comparable"):
        assert word in english
    assert "```mermaid" in english and "graph BT" in english


def test_summary_counts_add_up(tree: Path) -> None:
    _poison(tree)
    out = runner.invoke(app, ["report", "plans", "--lang", "en", "--as-of", "2026-01-01"]).output
    tables = _tables(out)
    overview = {r[0]: int(r[1]) for r in tables[0][1:]}
    by_status = {r[0]: int(r[1]) for r in tables[1][1:]}
    assert sum(by_status.values()) == overview["Parent targets compared"]
    gaps = sum(by_status.get(k, 0) for k in ("missing", "weaker", "later", "weaker at boundary"))
    assert gaps == overview["gaps"]
    # the gap counts agree with the gap findings of validate
    data = json.loads(runner.invoke(app, ["validate", "plans", "-f", "json"]).output)
    gap_findings = [f for f in data["findings"] if f["code"] in ("PC201", "PC202", "PC203", "PC204")]
    assert len(gap_findings) == gaps
    tree_json = json.loads(runner.invoke(app, ["tree", "plans", "-f", "json"]).output)
    assert sum(sum(e["counts"].values()) for e in tree_json) == overview["Parent targets compared"]


def test_report_to_file_and_plan_filter(tree: Path) -> None:
    result = runner.invoke(
        app, ["report", "plans", "-o", "out/r.md", "--plan", "ward/KH-2", "--as-of", "2026-01-01"]
    )
    assert result.exit_code == 0
    text = (tree / "out" / "r.md").read_text(encoding="utf-8")
    assert "ward/KH\\-2" in text or "ward/KH-2" in text
    assert re.search(r"province/KH\\?-1 thực hiện", text) is None  # only the ward as a child
    assert runner.invoke(app, ["report", "plans", "--plan", "nope/x"]).exit_code == 2


def test_report_to_a_device_writes_through_it(tree: Path) -> None:
    import stat

    devnull = Path("/dev/null")
    result = runner.invoke(app, ["report", "plans", "-o", str(devnull), "--as-of", "2026-01-01"])
    assert result.exit_code == 0
    assert stat.S_ISCHR(devnull.stat().st_mode), "/dev/null must stay a device"
