"""PC0xx: input. The loader (`plancheck.yamlio`) emits these; they have no check of their own."""

from __future__ import annotations

from plancheck.rules.base import Rule


def _loader(code: str, name: str, severity: str, summary: str, why: str, example: str, instead: str) -> Rule:
    return Rule(code, name, severity, "loader", summary, why, example, instead)  # type: ignore[arg-type]


RULES = [
    _loader(
        "PC001",
        "yaml-syntax-error",
        "error",
        "The file is not well-formed YAML, or uses a construct plan files do not allow (a mapping as a key).",
        "Nothing in a file that does not parse can be checked; the position tells where the parser gave up.",
        "targets:\n  - id: PL2-1-2025\n    bound: [>= 60",
        'targets:\n  - id: PL2-1-2025\n    bound: ">= 60"',
    ),
    _loader(
        "PC002",
        "duplicate-key",
        "error",
        "A key appears twice in the same mapping.",
        "YAML loaders silently keep the last value, so one of two numbers an encoder typed disappears.",
        'bound: ">= 40"\nbound: ">= 45"',
        'bound: ">= 45"\nnote: 142/KH-UBND states 40 in Phụ lục 1 and 45 in Phụ lục 2',
    ),
    _loader(
        "PC003",
        "invalid-encoding",
        "error",
        "The file is not UTF-8 text: invalid bytes, UTF-16, or NUL bytes.",
        "Vietnamese labels must survive byte for byte; a Latin-1 or UTF-16 file would be read as garbage.",
        "label: T\\xe1 l\\xe9   # Latin-1 bytes",
        "label: Tỷ lệ   # saved as UTF-8",
    ),
    _loader(
        "PC004",
        "file-too-large",
        "error",
        "The file is larger than `max-file-size` (default 5 MiB).",
        "The largest real plan is a few hundred kilobytes; a huge file is a mistake or an attack on CI time.",
        "# a 50 MB generated file",
        "# split the plan or raise max-file-size in [tool.plancheck]",
    ),
    _loader(
        "PC005",
        "anchor-or-alias",
        "error",
        "The file uses a YAML anchor (`&a`) or alias (`*a`).",
        "Aliases make one edit change many targets unseen, and nested aliases can expand exponentially "
        "(an 'alias bomb'). Plans write every value out.",
        "defaults: &d {unit: '%'}\ntargets:\n  - *d",
        "targets:\n  - unit: '%'",
    ),
    _loader(
        "PC006",
        "forbidden-tag",
        "error",
        "A value carries an explicit YAML tag such as `!!python/object` or `!custom`.",
        "Tags can make unsafe loaders build objects or run code; plan data needs none.",
        "due: !!python/object/apply:os.system ['echo']",
        "due: 2025-03",
    ),
    _loader(
        "PC007",
        "multiple-documents",
        "error",
        "The file holds more than one YAML document (a second `---`).",
        "One file is one plan; a second document would be ignored by other tools and by readers.",
        "id: a/b\n---\nid: a/c",
        "# one plan per file: a/b.yaml and a/c.yaml",
    ),
    _loader(
        "PC008",
        "empty-file",
        "error",
        "The file holds no data.",
        "An empty plan file is almost always an unfinished encoding.",
        "# nothing here",
        "id: hanam/CTrHD-TU-NQ57\ndocument: ...",
    ),
    _loader(
        "PC009",
        "nesting-too-deep",
        "error",
        "Mappings and sequences are nested more than 64 levels deep.",
        "Plans are at most five levels deep; deep nesting only serves to exhaust memory or stack.",
        "a: [[[[[[[[ ... ]]]]]]]]",
        "targets:\n  - id: t1",
    ),
    _loader(
        "PC010",
        "yaml-version-directive",
        "warning",
        "The file starts with a `%YAML 1.1` (or other non-1.2) directive.",
        "YAML 1.1 reads `yes`, `no`, `on` as booleans and some dates as timestamps; plancheck always "
        "reads YAML 1.2, so the directive would mislead a reader about what the values mean.",
        "%YAML 1.1\n---\nid: a/b",
        "id: a/b",
    ),
    _loader(
        "PC011",
        "unreadable-file",
        "error",
        "A path given or found under the plan tree cannot be read (missing, no permission, a broken "
        "or looping symbolic link); under `--base`, a git submodule under the plan tree or results/ "
        "(its plans are never compared with the base).",
        "A plan that cannot be read is a plan that is silently not checked.",
        "plans/hanam/x.yaml -> x.yaml   # a link to itself",
        "# a regular, readable file",
    ),
    _loader(
        "PC014",
        "change-shrinks-the-check",
        "warning",
        "With `validate --base REF` only: the change deletes a plan file, drops a parent from a plan's "
        "`implements`, adds an `elsewhere` declaration (which turns gaps into `unverifiable`), adds or "
        "re-scopes a waiver, or names a stand-in in `document.targets_from` (a new plan too). "
        "Each is reported as a new finding on the plan (on a deleted file, at its old path). "
        "An error, warning or gap of the base that leaves the check is reported too, unless the "
        "change shows it fixed: for a target comparison, the same parent target compared again and "
        "met; for a task deadline, the same parent task linked with a deadline not later; for a late "
        "plan, a known issue date by the same deadline; for an overdue task, a `done` status; for a "
        "progress warning, the target judged on track; for these two, only results entries that "
        "cite a source text by document and line and pass PC611 in this run (with `--sources`); when the catalogue changed, a target or "
        "progress judgement must be met under the base's catalogue as well (a relation added or a "
        "direction flipped is no fix). Moving to another code, a lower severity or "
        "out of comparison is no fix. A new finding that a waiver covers (even one already on the "
        "base) is PC014 too. Base and head plans are matched by id, so a renamed file keeps "
        "its check. "
        "A setting of the change's `[tool.plancheck]` that hides or lowers findings the base's own "
        "configuration gives (`ignore`, `select`, `severity`, `max-file-size`, `as-of`, `sources`, "
        "a laxer `fail-on`) is reported at its line in `pyproject.toml`, with the findings it hides.",
        "Each of these makes findings disappear without any target being raised: a deleted leaf "
        "plan takes its gaps with it, a dropped parent is no longer compared, a new declaration "
        "excuses what was a gap. The gate must not pass them unseen; a reviewer decides.",
        "# the change, against the base branch\n-implements: [national/57-NQ-TW, haiphong/89-CTr-TU]\n"
        "+implements: [national/57-NQ-TW]",
        "# keep the parent, and close its gaps by raising targets (a waiver, with its reason, is "
        "reviewed as well)",
    ),
    _loader(
        "PC015",
        "file-name-not-utf8",
        "error",
        "A plan file's (or folder's) name is not valid UTF-8, so the file is not checked.",
        "Names are shown in findings and reports, and plan ids come from them; a name in another "
        "encoding cannot be either. The file is reported and left out; the rest of the tree is checked.",
        "plans/haiphong/K\\xe9-ho\\xe1ch.yaml   # a Latin-1 name",
        "plans/haiphong/142-KH-UBND.yaml",
    ),
]
