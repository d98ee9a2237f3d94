"""The CI reporters: GitHub workflow commands, the job summary, and SARIF."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from plancheck.check.result import Result
from plancheck.cli.main import app
from plancheck.findings import Finding
from plancheck.report import github, sarif
from plancheck.rules.registry import RULES

from .conftest import SHARED, need_shared

REPO = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = SHARED / "corpora" / "sarif-2.1.0-schema.json"

# A workflow command is `::name` at the start of a line, then optional properties, then `::`.
COMMAND = re.compile(r"^::(?P<name>[a-z-]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Parse one command as the runner does, unescaping as @actions/core escapes."""
    m = COMMAND.match(line)
    assert m, line
    props: dict[str, str] = {}
    for pair in (m["props"] or "").split(","):
        if pair:
            key, _, value = pair.partition("=")
            props[key] = unescape(value)
    return m["name"], props, unescape(m["data"])


def unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def cross(path: str = "plans/ward/KH-2.yaml", line: int = 10, col: int = 3, **ctx: Any) -> Finding:
    base = {
        "parent": "province/KH-1",
        "indicator": "tfp-contribution",
        "year": 2030,
        "child_bound": ">= 50",
        "parent_bound": "62..65",
        "status": "weaker",
        "item": "T3",
    }
    base.update(ctx)
    return RULES["PC202"].finding(
        path,
        line,
        col,
        "tfp-contribution 2030: weaker than province/KH-1's 62..65",
        plan="ward/KH-2",
        ctx=base,
    )


def sample() -> list[Finding]:
    return [
        RULES["PC304"].finding(
            "plans/a.yaml", 5, 7, "task T1 has no lead agency", plan="a", ctx={"item": "T1"}
        ),
        RULES["PC101"].finding("plans/a.yaml", 2, 1, "plan.issued: not a date", plan="a"),
        cross(),
        RULES["PC206"].finding("plans/b.yaml", 1, 1, "does not apply", plan="b", ctx={"indicator": "x"}),
        RULES["PC202"]
        .finding("plans/c.yaml", 4, 2, "waived gap", plan="c", ctx={"indicator": "y"})
        .with_(waived="agreed with the ministry (approved by Sở KH&CN)"),
    ]


# --- GitHub workflow commands ------------------------------------------------------------------


def test_annotation_format_and_title() -> None:
    f = RULES["PC101"].finding("plans/a.yaml", 2, 3, "bad", plan="a").with_(end_line=2, end_column=9)
    assert (
        github.render([f])
        == "::error file=plans/a.yaml,line=2,col=3,endLine=2,endColumn=9,title=PC101 schema-violation::bad\n"
    )
    g = RULES["PC101"].finding("plans/a.yaml", 2, 3, "bad", plan="a")
    assert "endLine" not in github.render([g]) and "endColumn" not in github.render([g])


def test_severity_levels() -> None:
    out = github.render(sample()).splitlines()
    levels = {
        parse(line)[1]["title"].split()[0] + ("w" if "waived" in line else ""): parse(line)[0] for line in out
    }
    assert levels == {
        "PC101": "error",
        "PC202": "warning",
        "PC304": "warning",
        "PC206": "notice",
        "PC202w": "notice",
    }


def test_hostile_message_cannot_start_a_command() -> None:
    message = (
        "a ::error::x\n::warning file=evil::pwned\r\nliteral %0A and %25 \x1b[31mred\x1b[0m \x00\x85\u2028end"
    )
    f = RULES["PC101"].finding("plans/x:y,z.yaml", 1, 1, message, plan="x")
    out = github.render([f])
    assert out.count("\n") == 1 and "\r" not in out  # exactly one line
    assert "\x1b" not in out and "\x00" not in out and "\x85" not in out and "\u2028" not in out
    name, props, data = parse(out.rstrip("\n"))
    assert name == "error"
    assert props["file"] == "plans/x:y,z.yaml"  # `:` and `,` in a path survive as data
    assert "%3A" in out and "%2C" in out
    # the message round-trips except that control characters became visible text
    assert data == (
        "a ::error::x\n::warning file=evil::pwned\r\n"
        "literal %0A and %25 \\x1b[31mred\\x1b[0m \\x00\\x85\\u2028end"
    )
    # a literal `%0A` in plan text is `%250A` on the wire, so it is not read as a newline
    assert "%250A" in out


def test_escape_functions_match_toolkit() -> None:
    assert github.escape_data("100% a\r\nb:c,d") == "100%25 a%0D%0Ab:c,d"
    assert github.escape_property("100% a\r\nb:c,d") == "100%25 a%0D%0Ab%3Ac%2Cd"


def test_order_most_severe_first_and_stable() -> None:
    findings = [
        RULES["PC206"].finding("a.yaml", 1, 1, "info"),
        RULES["PC304"].finding("b.yaml", 9, 1, "warning b9"),
        RULES["PC202"].finding("b.yaml", 1, 1, "gap b1"),
        RULES["PC101"].finding("z.yaml", 3, 1, "error z3"),
        RULES["PC101"].finding("a.yaml", 7, 2, "error a7"),
        RULES["PC304"].finding("a.yaml", 2, 1, "warning a2"),
        RULES["PC101"].finding("a.yaml", 1, 1, "waived error").with_(waived="ok"),
    ]
    data = [parse(line)[2] for line in github.render(findings).splitlines()]
    assert data == [
        "error a7",
        "error z3",
        "gap b1",
        "warning a2",
        "warning b9",
        "info",
        "waived error (waived: ok)",
    ]


def test_truncation_notice() -> None:
    findings = [RULES["PC304"].finding(f"p{i:02}.yaml", 1, 1, f"m{i}") for i in range(12)]
    findings.append(RULES["PC101"].finding("z.yaml", 1, 1, "the error"))
    lines = github.render(findings, limit=5).splitlines()
    assert len(lines) == 6
    assert parse(lines[0])[2] == "the error"
    assert lines[-1] == (
        "::notice title=plancheck::8 more findings not annotated; "
        "see the job summary or run plancheck validate locally"
    )
    assert github.render(findings, limit=13).count("more findings") == 0
    assert github.render(findings[:1], limit=0).startswith("::notice title=plancheck::1 more finding not")


def test_default_limit_is_50() -> None:
    findings = [RULES["PC304"].finding("p.yaml", i, 1, f"m{i}") for i in range(1, 61)]
    lines = github.render(findings).splitlines()
    assert len(lines) == 51 and "10 more findings" in lines[-1]


def test_waived_is_notice_with_reason() -> None:
    f = RULES["PC101"].finding("a.yaml", 4, 2, "bad date").with_(waived="legacy, fixed in 2026")
    name, props, data = parse(github.render([f]).rstrip("\n"))
    assert name == "notice"
    assert props["title"] == "PC101 schema-violation"
    assert data == "bad date (waived: legacy, fixed in 2026)"


def test_new_and_existing_prefix() -> None:
    a = RULES["PC101"].finding("a.yaml", 1, 1, "first")
    b = RULES["PC101"].finding("a.yaml", 2, 1, "second")
    data = [parse(line)[2] for line in github.render([a, b], new={a: True, b: False}).splitlines()]
    assert data[0] == "[new] first"
    assert data[1].startswith("1 existing finding (already there before this change) not annotated")
    assert "[new]" not in github.render([a])


def test_with_base_new_findings_are_annotated_even_behind_many_existing_ones() -> None:
    # 60 existing errors sort before one new gap by severity; the new one must still be annotated
    existing = [RULES["PC101"].finding("a.yaml", i, 1, f"old {i}") for i in range(1, 61)]
    fresh = RULES["PC201"].finding("z.yaml", 9, 1, "new gap")
    new = {f: False for f in existing} | {fresh: True}
    lines = github.render([*existing, fresh], new).splitlines()
    assert parse(lines[0])[2] == "[new] new gap"
    assert not any("old " in line for line in lines)
    assert "60 existing findings" in lines[-1]


def test_with_base_summary_puts_new_first_and_folds_existing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plancheck.config import Config

    target = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    existing = [RULES["PC101"].finding("a.yaml", i, 1, f"old {i}") for i in range(1, 151)]
    fresh = RULES["PC201"].finding("z.yaml", 9, 1, "new gap")
    new = {f: False for f in existing} | {fresh: True}
    github.write_step_summary(_result([*existing, fresh]), Config(), new)
    text = target.read_text(encoding="utf-8")
    assert "**1 new finding:** 1 gap" in text and "**150 existing:** 150 error" in text
    assert text.index("new gap") < text.index("<details>") < text.index("old 1 ")
    assert "<summary>150 existing findings" in text and "</details>" in text


def test_step_summary_is_bounded_on_any_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from plancheck.config import Config

    target = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    long = "x" * 100_000
    findings = [RULES["PC101"].finding(f"plans/{i}.yaml", 1, 1, long) for i in range(5000)]
    new = {f: i % 2 == 0 for i, f in enumerate(findings)}
    github.write_step_summary(_result(findings), Config(), new)
    assert target.stat().st_size < 1024 * 1024


# --- job summary -------------------------------------------------------------------------------


def _result(findings: list[Finding]) -> Result:
    counts: dict[str, int] = {}
    for f in findings:
        key = "waived" if f.waived else f.severity
        counts[key] = counts.get(key, 0) + 1
    return Result(findings=findings, planset=None, requested=set(), counts=counts)  # type: ignore[arg-type]


def test_step_summary_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from plancheck.config import Config

    target = tmp_path / "summary.md"
    target.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    hostile = RULES["PC101"].finding("plans/a|b.yaml", 3, 1, "x | y\n<script>alert(1)</script> `code` [l](u)")
    github.write_step_summary(_result([*sample(), hostile]), Config())
    text = target.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## plancheck\n")  # appended, not replaced
    assert (
        "2 error" in text
        and "1 warning" in text
        and "1 gap" in text
        and "1 info" in text
        and "1 waived" in text
    )
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    assert len(rows) == 1 + 6
    hostile_row = next(r for r in rows if "script" in r)
    assert "<" not in hostile_row and "&lt;script&gt;" in hostile_row
    assert "\\`code\\`" in hostile_row and "\\[l\\](u)" in hostile_row
    assert "plans/a\\|b.yaml:3" in hostile_row and "x \\| y" in hostile_row
    # unescaped pipes delimit exactly four cells
    assert len(re.findall(r"(?<!\\)\|", hostile_row)) == 5
    assert "(waived: agreed with the ministry (approved by Sở KH&amp;CN))" in text


def test_step_summary_truncated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from plancheck.config import Config

    target = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    findings = [RULES["PC304"].finding("p.yaml", i, 1, f"m{i}") for i in range(1, 131)]
    github.write_step_summary(_result(findings), Config())
    text = target.read_text(encoding="utf-8")
    assert text.count("| warning |") == 100
    assert "30 more not shown" in text


def test_step_summary_not_written_when_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from plancheck.config import Config

    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    github.write_step_summary(_result(sample()), Config())
    assert list(tmp_path.iterdir()) == []


# --- SARIF -------------------------------------------------------------------------------------


def _validate_sarif(text: str) -> dict[str, Any]:
    schema = json.loads(need_shared(SARIF_SCHEMA).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    log = json.loads(text)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    # the schema declares draft-04; validate under its own dialect too
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    return log


def test_sarif_validates_against_official_schema() -> None:
    spaced = RULES["PC304"].finding("plans/thành phố/a b.yaml", 3, 4, "task T9 has no lead agency", plan="tp")
    log = _validate_sarif(sarif.render([*sample(), spaced]))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "plancheck" and driver["informationUri"] == "https://plancheck.invalid/docs"
    assert [r["id"] for r in driver["rules"]] == ["PC101", "PC202", "PC206", "PC304"]
    pc202 = driver["rules"][1]
    assert pc202["name"] == "TargetWeaker"
    assert pc202["shortDescription"]["text"] == RULES["PC202"].summary
    assert pc202["fullDescription"]["text"] == RULES["PC202"].why
    assert pc202["help"]["markdown"] == RULES["PC202"].docs()
    assert pc202["defaultConfiguration"]["level"] == "warning"
    assert "PC2xx" in pc202["properties"]["tags"]
    assert driver["rules"][2]["defaultConfiguration"]["level"] == "note"
    assert run["originalUriBaseIds"]["%SRCROOT%"].keys() == {"description"}  # no machine path

    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
        assert re.fullmatch(r"[0-9a-f]{64}", result["partialFingerprints"]["plancheckIdentity/v1"])

    by_message = {r["message"]["text"]: r for r in run["results"]}
    waived = by_message["waived gap"]
    assert waived["level"] == "note"
    assert waived["suppressions"] == [
        {"kind": "external", "justification": "agreed with the ministry (approved by Sở KH&CN)"}
    ]
    gap = by_message["tfp-contribution 2030: weaker than province/KH-1's 62..65"]
    assert gap["level"] == "warning" and "suppressions" not in gap
    assert gap["properties"] == {
        "severity": "gap",
        "plan": "ward/KH-2",
        "parent": "province/KH-1",
        "indicator": "tfp-contribution",
        "year": 2030,
        "child_bound": ">= 50",
        "parent_bound": "62..65",
        "status": "weaker",
    }
    assert gap["locations"][0]["physicalLocation"]["region"] == {"startLine": 10, "startColumn": 3}
    assert by_message["plan.issued: not a date"]["level"] == "error"
    assert by_message["does not apply"]["level"] == "note"
    spaced_loc = by_message["task T9 has no lead agency"]["locations"][0]["physicalLocation"]
    assert spaced_loc["artifactLocation"]["uri"] == "plans/th%C3%A0nh%20ph%E1%BB%91/a%20b.yaml"


def test_sarif_end_positions_and_determinism() -> None:
    f = RULES["PC101"].finding("a.yaml", 2, 3, "bad").with_(end_line=4, end_column=6)
    text = sarif.render([f])
    log = _validate_sarif(text)
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 3,
        "endLine": 4,
        "endColumn": 6,
    }
    assert text.endswith("}\n")
    findings = sample()
    assert sarif.render(findings) == sarif.render(list(reversed(findings)))


def test_sarif_empty_is_valid() -> None:
    log = _validate_sarif(sarif.render([]))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_fingerprint_survives_line_changes() -> None:
    def prints(findings: list[Finding]) -> list[str]:
        log = json.loads(sarif.render(findings))
        return sorted(r["partialFingerprints"]["plancheckIdentity/v1"] for r in log["runs"][0]["results"])

    before = [
        cross(line=10, col=3),
        RULES["PC101"].finding("a.yaml", 2, 1, "plan.issued: not a date", plan="a"),
    ]
    after = [
        cross(line=42, col=9),
        RULES["PC101"].finding("a.yaml", 17, 5, "plan.issued: not a date", plan="a"),
    ]
    assert prints(before) == prints(after)
    assert prints([cross(year=2030)]) != prints([cross(year=2025)])


def test_duplicate_identities_get_distinct_fingerprints() -> None:
    a = RULES["PC101"].finding("a.yaml", 2, 1, "same", plan="a")
    b = RULES["PC101"].finding("a.yaml", 9, 1, "same", plan="a")
    log = json.loads(sarif.render([a, b]))
    first, second = (r["partialFingerprints"]["plancheckIdentity/v1"] for r in log["runs"][0]["results"])
    assert first != second and second == f"{first}:2"


# --- end to end --------------------------------------------------------------------------------


def test_cli_github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(REPO)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = CliRunner().invoke(app, ["validate", "tests/example/plans", "--format", "github", "--no-cache"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines
    for line in lines:
        name, props, _ = parse(line)
        assert name in {"error", "warning", "notice"}
        assert props["file"].startswith("tests/example/plans/")
        assert re.fullmatch(r"PC\d{3} [a-z-]+", props["title"])
    assert summary.read_text(encoding="utf-8").startswith("## plancheck\n")


def test_cli_sarif(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = CliRunner().invoke(app, ["validate", "tests/example/plans", "--format", "sarif", "--no-cache"])
    assert result.exit_code == 0, result.output
    log = _validate_sarif(result.stdout)
    results = log["runs"][0]["results"]
    assert results
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("tests/example/plans/")
        for r in results
    )


def test_workflow_uploads_the_full_report_and_bounds_the_summary() -> None:
    from .conftest import REPO

    workflow = (REPO / ".github" / "workflows" / "plancheck.yml").read_text(encoding="utf-8")
    summary_steps = [line for line in workflow.splitlines() if "GITHUB_STEP_SUMMARY" in line]
    assert summary_steps and all("--max-bytes" in line for line in summary_steps)
    bound = int(re.search(r"--max-bytes (\d+)", workflow).group(1))  # type: ignore[union-attr]
    assert bound < 1024 * 1024
    assert "--out-dir" in workflow and "actions/upload-artifact" in workflow


def test_step_summary_on_a_fifo_does_not_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """hostile4 #5: a FIFO nobody reads as $GITHUB_STEP_SUMMARY blocked the run in open()."""
    import os
    import threading

    from plancheck.config import Config

    fifo = tmp_path / "summary"
    os.mkfifo(fifo)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(fifo))
    done = threading.Event()

    def write() -> None:
        github.write_step_summary(_result(sample()), Config())
        done.set()

    threading.Thread(target=write, daemon=True).start()
    if not done.wait(5):
        with open(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK), "rb"):  # let the writer go
            done.wait(5)
        pytest.fail("the job summary blocked on a FIFO")
    err = capsys.readouterr().err
    assert err.startswith("plancheck: could not write the job summary to ") and err.count("\n") == 1, err


def test_step_summary_refuses_a_device(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """hostile4 #5: only a regular file (or a new one) takes the summary."""
    from plancheck.config import Config

    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "/dev/null")
    github.write_step_summary(_result(sample()), Config())
    assert "not a regular file" in capsys.readouterr().err


def test_step_summary_error_shows_the_path_inert(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """hostile4 #6: the path of an unwritable summary reached the terminal with its escapes."""
    from plancheck.config import Config

    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "/nonexist/\x1b[2J\x1b]0;pwned\x07")
    github.write_step_summary(_result(sample()), Config())
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err, repr(err)
    assert "/nonexist/\\x1b[2J\\x1b]0;pwned\\x07: No such file or directory" in err, err
