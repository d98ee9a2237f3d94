"""Generators of hostile plan files, written at test time (never committed: some are 100 MB).

Each function writes one file (or a small tree) and returns its path. They are used by
`tests/test_hostile.py`; to look at the inputs by hand, run

    python tests/hostile/generators.py /tmp/hostile

which writes every small case into that folder (the 50 and 100 MB files only with --big).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

# A valid plan for the example tree (tests/example/plans) once its id matches the file's path.
VALID_PLAN = """\
id: {id}
document:
  number: 9/KH-UBND
  kind: Kế hoạch
  title: Kế hoạch thử
  issuer: UBND tỉnh
  issued: "2025-02-20"
jurisdiction: {{code: province, name: Tỉnh Mẫu, level: province}}
implements: [national/57-NQ-TW]
targets:
  - id: T1
    indicator: digital-economy-share
    year: 2030
    bound: ">= 40"
    unit: "% GDP"
    label: Quy mô kinh tế số
    source: {{section: II}}
"""

TARGET = (
    '  - {{id: T{n}, indicator: digital-economy-share, year: 2030, bound: ">= 40", '
    'unit: "% GDP", label: Quy mô kinh tế số, source: {{section: II, line: {line}}}}}\n'
)


def valid_plan(plan_id: str) -> str:
    return VALID_PLAN.format(id=plan_id)


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def alias_bomb(path: Path) -> Path:
    """The "billion laughs": nine levels of ten aliases each, 10**9 strings if expanded."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return write(path, "\n".join(lines) + "\n")


def big_file(path: Path, megabytes: int) -> Path:
    """A well-formed plan padded with notes to ``megabytes`` MB, written in chunks."""
    head = valid_plan(_id(path)) + "notes:\n"
    note = "  - " + "Ghi chú dài về phụ lục, " * 8 + "\n"
    chunk = note.encode("utf-8") * 4096
    target = megabytes * 1024 * 1024
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(head.encode("utf-8"))
        written = len(head)
        while written < target:
            handle.write(chunk)
            written += len(chunk)
    return path


def deep_flow(path: Path, depth: int = 10_000) -> Path:
    return write(path, "targets: " + "[" * depth + "]" * depth + "\n")


def deep_block(path: Path, depth: int = 10_000) -> Path:
    """Block style: compact nested block sequences, ``- - - - x``, one level per dash."""
    return write(path, "targets:\n" + "- " * depth + "x\n")


def deep_block_mapping(path: Path, depth: int = 2_000) -> Path:
    """Indented block mappings, one space per level (2,000 levels is 2 MB of indentation)."""
    return write(path, "".join(" " * i + "k:\n" for i in range(depth)) + " " * depth + "v\n")


def random_bytes(path: Path, size: int = 64 * 1024, seed: int = 57) -> Path:
    return write(path, random.Random(seed).randbytes(size))


def random_text(path: Path, size: int = 64 * 1024, seed: int = 71) -> Path:
    """Random printable text rich in YAML syntax: valid UTF-8, almost surely not valid YAML."""
    alphabet = "ab01 :-[]{}&*!|>%@`'\"#,?\n\t" + "ếạ"
    return write(path, "".join(random.Random(seed).choices(alphabet, k=size)))


def utf16(path: Path, encoding: str = "utf-16") -> Path:
    """``utf-16`` writes a byte order mark; ``utf-16-le`` does not (every other byte is NUL)."""
    return write(path, valid_plan(_id(path)).encode(encoding))


def latin1(path: Path) -> Path:
    """Saved by an editor set to Latin-1: its accented letters are single bytes, not UTF-8.

    Most Vietnamese letters do not exist in Latin-1 (they become '?'); the title keeps 'é'.
    """
    text = valid_plan(_id(path)).replace("Kế hoạch thử", "Plan d'été")
    return write(path, text.encode("latin-1", errors="replace"))


def nul_bytes(path: Path) -> Path:
    text = valid_plan(_id(path)).replace("Kế hoạch thử", "Kế hoạch\x00thử")
    return write(path, text)


def utf8_bom(path: Path) -> Path:
    return write(path, b"\xef\xbb\xbf" + valid_plan(_id(path)).encode("utf-8"))


def yaml11(path: Path) -> Path:
    """A %YAML 1.1 directive; under 1.1 `yes`/`no`/`on` would be booleans, under 1.2 they are text."""
    text = valid_plan(_id(path)).replace(
        "    source: {section: II}\n", "    note: no\n    source: {section: on}\n"
    )
    text = text.replace("  kind: Kế hoạch\n", "  kind: yes\n")
    return write(path, "%YAML 1.1\n---\n" + text)


def tag_python(path: Path, marker: Path) -> Path:
    text = valid_plan(_id(path)).replace(
        '  issued: "2025-02-20"\n', f'  issued: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
    return write(path, text)


def tag_binary(path: Path) -> Path:
    return write(
        path, valid_plan(_id(path)).replace("  title: Kế hoạch thử\n", "  title: !!binary aGVsbG8=\n")
    )


def tag_custom(path: Path) -> Path:
    return write(path, valid_plan(_id(path)).replace("  issuer: UBND tỉnh\n", "  issuer: !foo UBND tỉnh\n"))


def multi_document(path: Path) -> Path:
    text = valid_plan(_id(path))
    return write(path, text + "---\n" + text)


def huge_integer(path: Path, digits: int = 5000) -> Path:
    number = "9" * digits
    text = valid_plan(_id(path)).replace("    year: 2030\n", f"    year: {number}\n")
    text = text.replace('    bound: ">= 40"\n', f'    bound: "{number}"\n')
    return write(
        path, text + f"coverage:\n  - {{section: II, items: targets, in_source: {number}, encoded: 1}}\n"
    )


def nan_inf(path: Path, year: str, bound: str) -> Path:
    text = valid_plan(_id(path)).replace("    year: 2030\n", f"    year: {year}\n")
    return write(path, text.replace('    bound: ">= 40"\n', f"    bound: {bound}\n"))


def impossible_date(path: Path, quoted: bool) -> Path:
    value = '"2025-13-45"' if quoted else "2025-13-45"
    return write(path, valid_plan(_id(path)).replace('  issued: "2025-02-20"\n', f"  issued: {value}\n"))


def long_label(path: Path, length: int = 10_000) -> Path:
    return write(path, valid_plan(_id(path)).replace("label: Quy mô kinh tế số", "label: " + "ố" * length))


def many_targets(path: Path, count: int = 100_000) -> Path:
    head = valid_plan(_id(path)).split("targets:\n")[0] + "targets:\n"
    body = "".join(TARGET.format(n=n, line=n + 1) for n in range(count))
    return write(path, head + body)


def implements_itself(path: Path) -> Path:
    plan_id = _id(path)
    return write(
        path, valid_plan(plan_id).replace("implements: [national/57-NQ-TW]", f"implements: [{plan_id}]")
    )


def source_outside(path: Path, name: str) -> Path:
    return write(
        path,
        valid_plan(_id(path)).replace(
            '  issued: "2025-02-20"\n', f'  issued: "2025-02-20"\n  source: {name}\n'
        ),
    )


CATALOGUE_RANGE = """\
  - id: broken-range
    name_vi: Chỉ số hỏng
    name_en: Broken indicator
    unit: "%"
    direction: sideways
    kind: share
    counts: x
    population: x
    scope: whole jurisdiction
    carry_over: not-kept
    relations: []
    reasons: {population: x, scope: x, direction: x, carry_over: x, relations: x}
    levels: []
    range: [100, -5]
"""

CATALOGUE_DUPLICATE = """\
  - id: digital-economy-share
    name_vi: Quy mô kinh tế số (lần hai)
    name_en: Digital economy, again
    unit: "%"
    direction: lower
    kind: share
    counts: x
    population: x
    scope: whole jurisdiction
    carry_over: not-kept
    relations: []
    reasons: {population: x, scope: x, direction: x, carry_over: x, relations: x}
    levels: [province]
"""


def catalogue_bad_range(catalogue: Path) -> Path:
    """An Indicator has no range field: an inverted, negative `range` is an unknown key; the same
    entry has a direction that does not exist and an empty `levels`."""
    with catalogue.open("a", encoding="utf-8") as handle:
        handle.write(CATALOGUE_RANGE)
    return catalogue


def catalogue_duplicate(catalogue: Path) -> Path:
    """A well-formed entry that redefines an existing indicator with another unit and direction."""
    with catalogue.open("a", encoding="utf-8") as handle:
        handle.write(CATALOGUE_DUPLICATE)
    return catalogue


def many_errors(path: Path, kind: str, count: int = 99_000) -> Path:
    """Just under the node limit, with one or more schema errors per node."""
    head = f"id: {_id(path)}\n"
    if kind == "empty-targets":  # six missing keys per `{}`
        body = "targets: [" + "{}," * count + "{}]\n"
    elif kind == "int-notes":
        body = "notes: [" + "1," * count + "1]\n"
    elif kind == "empty-replaces":  # a long list inside a nested model
        body = "document:\n  replaces: [" + "{}," * count + "{}]\n"
    elif kind == "unknown-keys":
        body = "document: {" + ", ".join(f"k{i}: 1" for i in range(count // 2)) + "}\n"
    else:
        raise ValueError(kind)
    return write(path, head + body)


def same_indicator(parent: Path, child: Path, count: int = 5_000) -> tuple[Path, Path]:
    """A parent and a child with ``count`` targets each on one indicator, every bound different:
    each parent target is compared with every child target of its year (quadratic before)."""
    for path, implements, offset in ((parent, "national/57-NQ-TW", 0), (child, _id(parent), 7)):
        head = valid_plan(_id(path)).split("targets:\n")[0].replace("national/57-NQ-TW", implements)
        body = "".join(
            TARGET.format(n=n, line=n + 1).replace('">= 40"', f'">= {(n * 37 + offset) % 9973 / 100}"')
            for n in range(count)
        )
        write(path, head + "targets:\n" + body)
    return parent, child


def real_same_indicator(plans: Path, count: int = 5_200) -> tuple[Path, Path]:
    """In a copy of the bundled plans: 57-NQ-TW and 106-KH-UBND (Hồng Bàng) each given ``count``
    more targets on 5g-coverage-area (about 0.8 MB each; tens of thousands of findings)."""

    def targets(prefix: str) -> str:
        return "".join(
            f"  - id: {prefix}{i}\n    indicator: 5g-coverage-area\n    year: {2025 + i % 6}\n"
            f'    bound: ">= {50 + (i * 7) % 50}"\n    unit: "%"\n    label: "x"\n'
            '    source: {section: "II", line: 36}\n'
            for i in range(count)
        )

    out = []
    for rel, prefix in (("national/57-NQ-TW.yaml", "P"), ("hongbang/106-KH-UBND.yaml", "C")):
        path = plans / rel
        text = path.read_text(encoding="utf-8")
        out.append(write(path, text.replace("targets:\n", "targets:\n" + targets(prefix), 1)))
    return out[0], out[1]


def duplicate_parent(path: Path, times: int = 20_000) -> Path:
    """`implements` naming one parent thousands of times."""
    listed = ", ".join(["national/57-NQ-TW"] * times)
    return write(
        path, valid_plan(_id(path)).replace("implements: [national/57-NQ-TW]", f"implements: [{listed}]")
    )


def chain(folder: Path, length: int = 1_000) -> list[Path]:
    """``length`` plans, each implementing the one before it (the first implements 57-NQ-TW)."""
    out = []
    parent = "national/57-NQ-TW"
    for n in range(length):
        path = folder / f"c{n:04d}.yaml"
        text = valid_plan(_id(path)).replace("implements: [national/57-NQ-TW]", f"implements: [{parent}]")
        out.append(write(path, text))
        parent = _id(path)
    return out


def control_text(path: Path) -> Path:
    """Plan text holding rich markup, terminal escapes, C1 controls and bidi overrides."""
    text = valid_plan(_id(path))
    text = text.replace(
        "  title: Kế hoạch thử\n",
        '  title: "[/bold] [link=https://x.example]click[/link] \\x1b]0;pwn\\x07"\n',
    )
    text = text.replace("  issuer: UBND tỉnh\n", '  issuer: "\\x1b[2J\\x9b31m\\u202eabc\\u2066"\n')
    text = text.replace(
        "    label: Quy mô kinh tế số\n", '    label: "[bold red]x[/] \\x1b[31mred \\u202dL"\n'
    )
    text = text.replace('    unit: "% GDP"\n', '    unit: "% GDP"\n    note: "[/]"\n')
    return write(path, text)


def _id(path: Path) -> str:
    """The plan id for a file at plans/<folder>/<name>.yaml."""
    return f"{path.parent.name}/{path.stem}"


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python tests/hostile/generators.py OUTDIR [--big]", file=sys.stderr)
        return 2
    out = Path(argv[0]) / "hostile"
    alias_bomb(out / "alias-bomb.yaml")
    deep_flow(out / "deep-flow.yaml")
    deep_block(out / "deep-block.yaml")
    deep_block_mapping(out / "deep-block-mapping.yaml")
    random_bytes(out / "random.yaml")
    random_text(out / "random-text.yaml")
    utf16(out / "utf16.yaml")
    utf16(out / "utf16-le.yaml", "utf-16-le")
    latin1(out / "latin1.yaml")
    nul_bytes(out / "nul.yaml")
    utf8_bom(out / "bom.yaml")
    yaml11(out / "yaml11.yaml")
    tag_python(out / "tag-python.yaml", Path("pwned"))
    tag_binary(out / "tag-binary.yaml")
    tag_custom(out / "tag-custom.yaml")
    multi_document(out / "multi.yaml")
    huge_integer(out / "huge-int.yaml")
    nan_inf(out / "nan.yaml", ".nan", ".nan")
    nan_inf(out / "inf.yaml", ".inf", "-.inf")
    impossible_date(out / "date-quoted.yaml", quoted=True)
    impossible_date(out / "date-plain.yaml", quoted=False)
    long_label(out / "long-label.yaml")
    many_targets(out / "many-targets.yaml")
    implements_itself(out / "self.yaml")
    source_outside(out / "passwd.yaml", "../../etc/passwd")
    same_indicator(out / "same-parent.yaml", out / "same-child.yaml")
    duplicate_parent(out / "duplicate-parent.yaml")
    chain(out / "chain")
    control_text(out / "control-text.yaml")
    if "--big" in argv:
        big_file(out / "big-50.yaml", 50)
        big_file(out / "big-100.yaml", 100)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
