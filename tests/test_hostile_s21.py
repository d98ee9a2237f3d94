"""Issue 13, adversarial round s21 (hostile input): the cases that crashed, followed a link or took
time in proportion to a product of two input sizes. Each test failed on the code before its fix.

The cases run `python -m plancheck` in a subprocess with the helpers of `tests/test_hostile.py`,
whose bounds they share (5 s, 300 MB) for the cases that were slow.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from plancheck.load.catalogue import load_catalogue
from plancheck.model.bound import Bound, format_number
from plancheck.model.results import ReportedValue
from tests.hostile import generators as gen
from tests.test_hostile import EXAMPLE, MAX_RSS_MB, MAX_SECONDS, Outcome, check, run_command

from .conftest import REPO, git

HAIPHONG = "plans/haiphong/142-KH-UBND.yaml"


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A copy of the bundled plans and results, with the repository's configuration."""
    for name in ("plans", "results"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_values(tree: Path, *values: tuple[str, str, str, str]) -> None:
    """Values of 5g-coverage-urban for Hai Phong: (id, value, period, reported_on)."""
    path = tree / "results" / "provinces.yaml"
    text = path.read_text(encoding="utf-8")
    added = "".join(
        f'  - id: {id_}\n    indicator: 5g-coverage-urban\n    what: "5G coverage, urban"\n'
        f'    jurisdiction: haiphong\n    value: "{value}"\n    unit: "%"\n    period: "{period}"\n'
        f'    reported_by: "x"\n    reported_on: {reported}\n    reliability: official\n'
        f'    source: {{address: "https://example.org/x"}}\n'
        for id_, value, period, reported in values
    )
    assert text.count("\nvalues:\n") == 1
    path.write_text(text.replace("\nvalues:\n", "\nvalues:\n" + added, 1), encoding="utf-8")


def no_crash(outcome: Outcome) -> None:
    assert "Traceback" not in outcome.stdout + outcome.stderr, outcome.stderr[-2000:]
    assert "internal error" not in outcome.stderr, outcome.stderr[-2000:]
    assert outcome.code in (0, 1), (outcome.code, outcome.stderr[-2000:])


def findings(outcome: Outcome) -> list[dict[str, object]]:
    return list(json.loads(outcome.stdout)["findings"])


def test_as_of_the_last_day_of_a_targets_year(bundled: Path) -> None:
    """Case 1: on 31 December the target's year counted as still ahead, with 0 years left to reach
    it: DivisionByZero in validate and report. A value for that whole year settles it."""
    add_values(bundled, ("H1", "55", "2025", "2025-12-31"))
    outcome = run_command(bundled, ["validate", "--no-cache", "--as-of", "2025-12-31", "-f", "json"])
    no_crash(outcome)
    missed = [f for f in findings(outcome) if f["code"] == "PC603" and f["path"] == HAIPHONG]
    assert any("55 %" in str(f["message"]) for f in missed), findings(outcome)
    report = run_command(bundled, ["report", "--no-cache", "--as-of", "2025-12-31", "-o", "r.md"])
    no_crash(report)
    assert "H1" in (bundled / "r.md").read_text(encoding="utf-8")


def test_two_values_inside_the_targets_year(bundled: Path) -> None:
    """Case 2: validate judged the pace (PC606) but the report's chart divided by a zero span of
    years and crashed; both commands must work and tell the same."""
    add_values(bundled, ("H1", "40", "2025-03", "2025-04-10"), ("H2", "45", "2025-06", "2025-07-10"))
    outcome = run_command(bundled, ["validate", "--no-cache", "--as-of", "2025-08-01", "-f", "json"])
    no_crash(outcome)
    pace = [f for f in findings(outcome) if f["code"] == "PC606" and f["path"] == HAIPHONG]
    assert pace, findings(outcome)
    report = run_command(
        bundled, ["report", "--no-cache", "--as-of", "2025-08-01", "--lang", "en", "-o", "r.md"]
    )
    no_crash(report)
    text = (bundled / "r.md").read_text(encoding="utf-8")
    assert "H1" in text and "H2" in text


@pytest.mark.parametrize("value", ["1e40", "1E+2", "1e999999999", "8.5e1", "Infinity", "1" + "0" * 40])
def test_a_results_value_with_an_exponent_is_refused(value: str) -> None:
    """Case 11: a value "1e40" crashed validate and report (InvalidOperation); the results schema now
    refuses exponents and over-long numbers as plan bounds do."""
    base = {
        "id": "X",
        "indicator": None,
        "what": "x",
        "jurisdiction": "vn",
        "unit": "%",
        "period": "2025",
        "reported_by": "a",
        "reported_on": None,
        "reliability": "press",
        "source": {"address": "https://example.org/x"},
    }
    with pytest.raises(ValidationError, match=r"exponent|40 characters|plain number"):
        ReportedValue.model_validate({**base, "value": value})
    for fine in ("18.72", "-3", "0.5", 12, 18.5):
        assert ReportedValue.model_validate({**base, "value": fine}).value == Decimal(str(fine))


def test_a_results_value_with_an_exponent_is_a_finding(bundled: Path) -> None:
    add_values(bundled, ("H1", "1e40", "2025", "2025-12-31"))
    for command in (["validate", "-f", "json"], ["report", "-o", "r.md"]):
        outcome = run_command(bundled, [*command, "--no-cache", "--as-of", "2026-01-05"])
        no_crash(outcome)
        assert outcome.code == 1 or command[0] == "report", outcome.stderr
    outcome = run_command(bundled, ["validate", "-f", "json", "--no-cache", "--as-of", "2026-01-05"])
    bad = [
        f
        for f in findings(outcome)
        if f["path"] == "results/provinces.yaml" and "exponent" in str(f["message"])
    ]
    assert bad and bad[0]["line"] > 1, findings(outcome)


def test_format_number_is_exact_beyond_the_decimal_context() -> None:
    """Case 10: a 31-digit bound (40 characters) raised InvalidOperation in format_number."""
    big = "1" + "0" * 30
    assert str(Bound.parse(f">= {big}")) == f">= {big}"
    assert format_number(Decimal(big + ".50")) == big + ".5"
    assert format_number(Decimal("1E+2")) == "100"
    assert format_number(Decimal("3.50")) == "3.5"
    assert format_number(Decimal("0E-7")) == "0"
    assert format_number(Decimal("-12.000")) == "-12"


def test_a_31_digit_bound_stops_no_command(tree_with_big_bound: Path) -> None:
    tree = tree_with_big_bound
    plan = "plans/province/KH-1.yaml"
    for command in (
        ["validate", "plans", "-f", "json"],
        ["validate", "plans"],
        ["show", "province/KH-1", "--root", "plans"],
        ["tree", "plans"],
        ["coverage", "plans"],
        ["report", "plans", "-o", "r.md"],
        ["diff", str(EXAMPLE / plan), plan],
    ):
        outcome = run_command(tree, [*command, "--no-cache"] if command[0] != "diff" else command)
        no_crash(outcome)


@pytest.fixture
def tree_with_big_bound(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    path = tmp_path / "plans" / "province" / "KH-1.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'bound: ">= 40"' in text
    path.write_text(text.replace('bound: ">= 40"', 'bound: ">= 1' + "0" * 30 + '"', 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("where", ["root", "outside"])
def test_a_linked_results_folder_is_refused(
    bundled: Path, tmp_path_factory: pytest.TempPathFactory, where: str
) -> None:
    """Case 13: `results -> /` walked the whole filesystem; `results -> a folder outside` read and
    printed its files. A linked results folder is reported (PC011) and never followed."""
    outside = tmp_path_factory.mktemp("secret")
    (outside / "creds.yml").write_text("aws_secret_access_key: AKIASECRET\n", encoding="utf-8")
    shutil.rmtree(bundled / "results")
    (bundled / "results").symlink_to("/" if where == "root" else outside)
    outcome = run_command(bundled, ["validate", "--no-cache", "-f", "json"], timeout=20)
    assert outcome.code == 1, outcome.stderr[-2000:]
    assert "creds" not in outcome.stdout + outcome.stderr
    linked = [f for f in findings(outcome) if f["code"] == "PC011" and f["path"] == "results"]
    assert linked and "link" in str(linked[0]["message"]), findings(outcome)
    report = run_command(bundled, ["report", "--no-cache", "-o", "r.md"], timeout=20)
    assert "creds" not in (bundled / "r.md").read_text(encoding="utf-8") if report.code == 0 else True
    assert "internal error" not in report.stderr


def test_a_catalogue_of_nested_relations_is_checked_in_one_pass(tmp_path: Path) -> None:
    """Case 12: 500 indicators each containing the next 30 took 26 s (a search of the whole graph
    per relation); the verdicts of the cycle check stay the same."""
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    path = tmp_path / "plans" / "indicators.yaml"
    rows = []
    for i in range(500):
        rels = ", ".join(f"{{contains: d{j}, reason: r}}" for j in range(i + 1, min(500, i + 31)))
        if i == 499:
            rels = "{contains: d470, reason: r}"  # one cycle, through d470 .. d499
        rows.append(
            f'  - {{id: d{i}, name_vi: c, name_en: c, unit: "%", direction: higher, kind: share, '
            f"counts: x, population: p, scope: s, carry_over: kept, relations: [{rels}], "
            "reasons: {population: a, scope: b, direction: c, carry_over: d, relations: e}, levels: [national]}\n"
        )
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("indicators:\n", "indicators:\n" + "".join(rows), 1), encoding="utf-8")
    outcome = run_command(tmp_path, ["validate", "plans", "--no-cache", "-f", "json"])
    check(outcome)
    cycles = sorted(str(f["indicator"]) for f in outcome.findings if f["code"] == "PC209")
    # every relation among d470..d499 is on the cycle d470 -> ... -> d499 -> d470
    expected = [f"d{i}" for i in range(470, 499) for _ in range(min(499, i + 30) - i)] + ["d499"]
    assert cycles == sorted(expected), cycles
    catalogue = load_catalogue(tmp_path / "plans", 5 * 1024 * 1024)
    assert len([f for f in catalogue.findings if f.code == "PC209"]) == len(cycles)


def _big_plan(tree: Path, count: int) -> Path:
    """The adversary's plan: ``count`` targets on one indicator of the province, with a source text."""
    head = gen.valid_plan("province/big").split("targets:\n")[0]
    head = head.replace('  issued: "2025-02-20"\n', '  issued: "2025-02-20"\n  source: big.txt\n')
    body = "".join(
        f'  - {{id: T{i}, indicator: digital-economy-share, year: 2030, bound: ">= 40", unit: "% GDP", '
        f'label: "Tỷ lệ kinh tế số mục số {i} của kế hoạch này", source: {{section: II, line: {i + 1}}}}}\n'
        for i in range(count)
    )
    return gen.write(tree / "plans" / "province" / "big.yaml", head + "targets:\n" + body)


def within_bounds(outcome: Outcome) -> None:
    assert outcome.seconds < MAX_SECONDS, f"took {outcome.seconds:.2f}s"
    assert outcome.rss_mb < MAX_RSS_MB, f"peak RSS {outcome.rss_mb:.0f} MB"


def test_a_big_source_text_is_indexed_once(tmp_path: Path) -> None:
    """Case 8: 4,000 items against a 25,000-line source text scanned every line for every item
    (22.9 s); the verdicts stay: labels found where cited, missing ones reported."""
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    _big_plan(tmp_path, 4_000)
    lines = [
        f"Dòng văn bản số {j} nói về chuyển đổi số và phát triển khoa học công nghệ" for j in range(25_000)
    ]
    for i in range(0, 4_000, 2):  # every other label occurs, on its cited line
        lines[i] = f"Mục: tỷ  lệ KINH tế số mục số {i} của kế hoạch này."
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "big.txt").write_text("\n".join(lines), encoding="utf-8")
    outcome = run_command(
        tmp_path, ["validate", "plans/province/big.yaml", "--sources", "sources", "--no-cache", "-f", "json"]
    )
    check(outcome)
    within_bounds(outcome)
    missing = {f["ctx"]["item"] for f in outcome.findings if f["code"] == "PC501"}
    assert missing == {f"T{i}" for i in range(1, 4_000, 2)}
    assert not outcome.of("PC502")


def test_a_big_results_file_is_indexed_once(tmp_path: Path) -> None:
    """Case 9: 4,000 values against 4,000 targets filtered and sorted all values for every target
    (81 s). 2,500 of each here (half the time of the adversary's case goes to reading its YAML,
    which the bound leaves no room for under load); before the fix these took half a minute."""
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    _big_plan(tmp_path, 2_500)
    # one figure per period: figures of one period and day that differ are PC613 (an error)
    values = "".join(
        f"  - id: V{i}\n    indicator: digital-economy-share\n    what: x\n    jurisdiction: province\n"
        f'    value: "{20 + i % 12}"\n    unit: "% GDP"\n    period: "2025-{1 + i % 12:02d}"\n'
        "    reported_by: x\n    reported_on: 2025-12-20\n    reliability: official\n"
        '    source: {address: "https://example.org/x"}\n'
        for i in range(2_500)
    )
    gen.write(tmp_path / "results" / "big.yaml", "values:\n" + values)
    outcome = run_command(
        tmp_path, ["validate", "plans/province/big.yaml", "--no-cache", "--as-of", "2026-01-15"]
    )
    no_crash(outcome)
    within_bounds(outcome)
    assert "error" not in outcome.stdout.splitlines()[-1], outcome.stdout[-500:]
    outcome = run_command(
        tmp_path, ["validate", "plans/province/big.yaml", "--no-cache", "--as-of", "2026-01-15", "-f", "json"]
    )
    pace = [
        f
        for f in outcome.findings
        if f["code"] in ("PC605", "PC606") and f["path"] == "plans/province/big.yaml"
    ]
    assert len(pace) == 2_500, len(pace)


def test_diff_refuses_an_oversized_file_before_reading_it(tmp_path: Path) -> None:
    """Case 16: `diff` read a 150 MB file whole (200 MB of memory) before the size limit applied.
    Here a sparse file of 400 MB (no disk used): read whole, it took 444 MB."""
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    huge = tmp_path / "huge.yaml"
    huge.write_bytes((EXAMPLE / "plans" / "province" / "KH-1.yaml").read_bytes())
    with huge.open("r+b") as handle:
        handle.truncate(400 * 1024 * 1024)
    outcome = run_command(tmp_path, ["diff", "plans/province/KH-1.yaml", "huge.yaml"])
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr
    assert outcome.code == 2, outcome.stderr
    assert outcome.stderr == (
        f"plancheck: huge.yaml:1:1: file is {400 * 1024 * 1024:,} bytes; the limit is 5,242,880 "
        "(setting max-file-size)\n"
    )
    within_bounds(outcome)


def test_diff_applies_max_file_size_to_a_git_blob(tmp_path: Path) -> None:
    """The size limit of `diff` was the default, not the configured max-file-size, and a
    REF:path blob was read whole before it applied."""
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    (tmp_path / "pyproject.toml").write_text("[tool.plancheck]\nmax-file-size = 1000\n", encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    size = (tmp_path / "plans" / "province" / "KH-1.yaml").stat().st_size
    assert size > 1000
    outcome = run_command(tmp_path, ["diff", "HEAD:plans/province/KH-1.yaml", "plans/province/KH-1.yaml"])
    assert outcome.code == 2 and "internal error" not in outcome.stderr, outcome.stderr
    assert outcome.stderr == (
        f"plancheck: HEAD:plans/province/KH-1.yaml:1:1: file is {size:,} bytes; the limit is 1,000 "
        "(setting max-file-size)\n"
    )


def test_the_one_pass_cycle_check_agrees_with_a_search_per_relation() -> None:
    """The components give the verdict a search from the part to the whole gave, on random graphs
    with self-loops, unknown parts and long chains."""
    import random
    from types import SimpleNamespace

    from plancheck.load.catalogue import _cycles

    def reaches(graph: dict[str, list[str]], start: str, goal: str) -> bool:
        seen: set[str] = set()
        todo = [start]
        while todo:
            current = todo.pop()
            if current == goal:
                return True
            if current in seen or current not in graph:
                continue
            seen.add(current)
            todo.extend(graph[current])
        return False

    rng = random.Random(57)
    for size in [*range(1, 30), 2_000]:
        names = [f"i{n}" for n in range(size)]
        graph = {
            n: [rng.choice([*names, "unknown"]) for _ in range(rng.randint(0, 3 if size < 100 else 1))]
            for n in names
        }
        if size == 2_000:  # a chain as deep as the catalogue, closed at its end
            graph = {
                n: [names[(k + 1) % size]] if k + 1 < size or size % 2 == 0 else []
                for k, n in enumerate(names)
            }
        indicators = {
            n: SimpleNamespace(relations=[SimpleNamespace(contains=c) for c in parts])
            for n, parts in graph.items()
        }
        component = _cycles(indicators)  # type: ignore[arg-type]
        for whole, parts in graph.items():
            for part in parts:
                if part in graph:
                    assert (component[part] == component[whole]) == reaches(graph, part, whole), (whole, part)


# --- round hostile4: `schema --out`, "did you mean" at scale, the job summary's path ------------


def test_schema_out_naming_a_file_is_a_usage_error(tmp_path: Path) -> None:
    """hostile4 #1: `--out` naming a regular file was an internal error (FileExistsError)."""
    afile = tmp_path / "afile"
    afile.write_text("hi\n", encoding="utf-8")
    for args in (["schema", "--out", "afile"], ["schema", "--check", "--out", "afile"]):
        outcome = run_command(tmp_path, args)
        assert outcome.code == 2, outcome.stderr
        lines = outcome.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("plancheck: --out afile: "), lines
        assert "internal error" not in lines[0] and "not a folder" in lines[0], lines[0]
    assert afile.read_text(encoding="utf-8") == "hi\n"


def test_schema_out_refuses_a_linked_schema_file(tmp_path: Path) -> None:
    """hostile4 #2: a schema file that is a symbolic link was silently replaced by a regular file;
    it is refused as `report -o` refuses one, and nothing in the folder is written."""
    folder, elsewhere = tmp_path / "sch", tmp_path / "elsewhere.json"
    folder.mkdir()
    elsewhere.write_text("{}\n", encoding="utf-8")
    (folder / "plan.schema.json").symlink_to(elsewhere)
    outcome = run_command(tmp_path, ["schema", "--out", "sch"])
    assert outcome.code == 2, outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and "plan.schema.json is a symbolic link" in lines[0], lines
    assert (folder / "plan.schema.json").is_symlink()
    assert elsewhere.read_text(encoding="utf-8") == "{}\n"
    assert sorted(p.name for p in folder.iterdir()) == ["plan.schema.json"]


def test_schema_out_refuses_a_read_only_schema_file(tmp_path: Path) -> None:
    """hostile4 #3: a read-only schema file was replaced (the rename ignores its mode)."""
    folder = tmp_path / "sch"
    folder.mkdir()
    target = folder / "plan.schema.json"
    target.write_text("{}\n", encoding="utf-8")
    target.chmod(0o444)
    try:
        outcome = run_command(tmp_path, ["schema", "--out", "sch"])
        assert outcome.code == 2, outcome.stderr
        lines = outcome.stderr.strip().splitlines()
        assert len(lines) == 1 and "plan.schema.json is read-only" in lines[0], lines
        assert target.read_text(encoding="utf-8") == "{}\n"
    finally:
        target.chmod(0o644)
    # a writable folder is written as before
    outcome = run_command(tmp_path, ["schema", "--out", "sch"])
    assert outcome.code == 0, outcome.stderr
    assert json.loads(target.read_text(encoding="utf-8"))


def test_did_you_mean_for_thousands_of_near_misses_is_bounded(tmp_path: Path) -> None:
    """hostile4 #4: 4,500 targets whose indicators are near misses of catalogue ids took 9 s of
    CPU in "did you mean" (difflib against every id, per target). Every one is still reported;
    the first ones keep their suggestion."""
    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    shutil.copy(REPO / "plans" / "indicators.yaml", tmp_path / "plans" / "indicators.yaml")
    catalogue = sorted(load_catalogue(tmp_path / "plans", 5 * 1024 * 1024).indicators)
    head = gen.valid_plan("province/big").split("targets:\n")[0]
    near = [
        f"{c.replace('-', 'x', 1)}-{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}q"
        for i, c in enumerate(catalogue * 30)
    ]
    body = "".join(
        f'  - {{id: T{i}, indicator: {ind}, year: 2030, bound: ">= 40", unit: "%", label: x, '
        f"source: {{section: II}}}}\n"
        for i, ind in enumerate(near[:4_500])
    )
    gen.write(tmp_path / "plans" / "province" / "big.yaml", head + "targets:\n" + body)
    outcome = run_command(tmp_path, ["validate", "plans/province/big.yaml", "--no-cache", "-f", "json"])
    check(outcome)
    within_bounds(outcome)
    unknown = {f["ctx"]["item"]: f["message"] for f in outcome.of("PC102", "plans/province/big.yaml")}
    assert len(unknown) == 4_500
    assert f"did you mean {catalogue[0]!r}?" in str(unknown["T0"]), unknown["T0"]


def test_the_suggester_answers_as_before_within_its_limit() -> None:
    """hostile4 #4: the bounded "did you mean" gives the suggestions the unbounded one gave (case
    slips included) for the first ``limit`` distinct words, and none after them."""
    import difflib

    from plancheck.hints import Suggester

    ids = ["digital-economy-share", "online-public-service-usage", "Rd-Spending", "5g-coverage-urban"]
    words = ["digital-economy-shar", "DIGITAL-ECONOMY-SHARE", "rd-spending", "5g-coverage", "zzzz", "online"]

    def before(word: str) -> str | None:  # the helper as it was
        pool = sorted(ids)
        found = difflib.get_close_matches(word, pool, n=1, cutoff=0.75)
        if not found:
            lowered = {c.lower(): c for c in pool}
            found = difflib.get_close_matches(word.lower(), sorted(lowered), n=1, cutoff=0.75)
            return lowered[found[0]] if found else None
        return found[0]

    hints = Suggester(ids)
    assert [hints.closest(w) for w in words] == [before(w) for w in words]
    assert [before(w) for w in words[:3]] == ["digital-economy-share", "digital-economy-share", "Rd-Spending"]
    # 4 comparisons for the first word (found), 8 for the second (none, then the case retry): a
    # third distinct word would go over a budget of 12
    capped = Suggester(ids, budget=12)
    asked = ["digital-economy-shar", "zzzz", "rd-spending", "digital-economy-shar"]
    assert [capped.closest(w) for w in asked] == [
        "digital-economy-share",
        None,
        None,  # past the budget
        "digital-economy-share",  # a word seen before keeps its answer
    ]


def test_did_you_mean_against_a_big_catalogue_of_similar_ids_is_bounded() -> None:
    """hostile4 #4 with a catalogue of 1,040 long, similar ids: the budget counts comparisons,
    so a bigger catalogue gets fewer words compared, not more time."""
    import time

    from plancheck.hints import Suggester
    from plancheck.rules.references import SUGGESTION_BUDGET

    kinds = ["economy", "service", "coverage", "adoption"] * 260
    ids = [f"indicator-{w}-level-{i:04d}-share-of-something" for i, w in enumerate(kinds)]
    hints = Suggester(ids, budget=SUGGESTION_BUDGET)
    start = time.process_time()
    answers = [hints.closest(f"{ids[i % len(ids)].replace('-', 'x', 1)}-{i}q") for i in range(3_000)]
    assert time.process_time() - start < 2.5
    assert answers[0] == ids[0] and answers[-1] is None


def test_a_text_of_a_few_words_repeated_is_searched_within_a_budget(tmp_path: Path) -> None:
    """hostile3 #8, its variant: 4,000 labels made of the same ten words against a text whose
    25,000 lines all hold those words made every line a candidate for every label (57 s). The
    searches a plan makes are bounded; the items past the bound are PC506 errors, not passes."""
    import random

    shutil.copytree(EXAMPLE / "plans", tmp_path / "plans")
    plan = _big_plan(tmp_path, 4_000)
    words = ["phát", "triển", "khoa", "học", "công", "nghệ", "đổi", "mới", "sáng", "tạo", "chuyển"]
    rng = random.Random(8)
    text = plan.read_text(encoding="utf-8")
    for i in range(4_000):
        rng.shuffle(words)
        # every inner word of every label is on every line of the text; the last one is on none
        text = text.replace(f'"Tỷ lệ kinh tế số mục số {i} của kế hoạch này"', f'"{" ".join(words)} x{i}"', 1)
    plan.write_text(text, encoding="utf-8")
    lines = []
    for _ in range(25_000):
        rng.shuffle(words)
        lines.append(" ".join(words * 3) + ".")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "big.txt").write_text("\n".join(lines), encoding="utf-8")
    outcome = run_command(
        tmp_path, ["validate", "plans/province/big.yaml", "--sources", "sources", "--no-cache", "-f", "json"]
    )
    check(outcome)
    within_bounds(outcome)
    searched = {f["ctx"]["item"] for f in outcome.findings if f["code"] == "PC501"}
    skipped = {f["ctx"]["item"] for f in outcome.findings if f["code"] == "PC506"}
    # every item is reported one way or the other, the first ones searched, in file order
    assert searched | skipped == {f"T{i}" for i in range(4_000)} and not searched & skipped
    assert searched == {f"T{i}" for i in range(len(searched))} and 0 < len(searched) < 4_000
    assert outcome.code == 1
