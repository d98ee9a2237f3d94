"""Generated files committed to the repository must match what plancheck generates now."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from plancheck.cli.main import app
from plancheck.load.schemas_gen import SCHEMA_FILES, schema_text
from plancheck.rules.registry import rules_markdown

from .conftest import REPO

runner = CliRunner()


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schemas_match_models(name: str) -> None:
    committed = (REPO / "schemas" / name).read_text(encoding="utf-8")
    assert committed == schema_text(name), f"schemas/{name} is stale: run `plancheck schema`"


def test_rule_docs_match_registry() -> None:
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(), (
        "docs/rules.md is stale: run `plancheck rules -f markdown > docs/rules.md`"
    )


@pytest.mark.parametrize(("name", "lang"), [("gap-report.md", "vi"), ("gap-report.en.md", "en")])
def test_committed_report_matches(name: str, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    committed = (REPO / "reports" / name).read_text(encoding="utf-8")
    as_of = re.search(r"\*\*(\d{4}-\d{2}-\d{2})\*\*", committed)
    assert as_of, "the committed report states the date it describes"
    monkeypatch.chdir(REPO)
    # no --as-of: the date comes from [tool.plancheck] as-of, so regenerating changes nothing
    result = runner.invoke(app, ["report", "--lang", lang, "--no-cache"])
    assert result.exit_code == 0, result.output[-2000:]
    assert result.output == committed, (
        f"reports/{name} is stale: run `plancheck report --lang {lang} -o reports/{name}`"
    )


def test_schema_check_command(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert runner.invoke(app, ["schema", "--check"]).exit_code == 0
