"""PC0xx: input. The loader (`plancheck.load.yamlio`) emits these; they have no check of their own."""

from __future__ import annotations

from plancheck.rules.base import Rule

YAML_SYNTAX_ERROR = Rule(
    code="PC001",
    name="yaml-syntax-error",
    severity="error",
    scope="loader",
    summary="The file is not well-formed YAML, or uses a construct plan files do not allow (a mapping as a key).",
    why="Nothing in a file that does not parse can be checked; the position tells where the parser gave up.",
    example="targets:\n  - id: PL2-1-2025\n    bound: [>= 60",
    instead='targets:\n  - id: PL2-1-2025\n    bound: ">= 60"',
)

DUPLICATE_KEY = Rule(
    code="PC002",
    name="duplicate-key",
    severity="error",
    scope="loader",
    summary="A key appears twice in the same mapping.",
    why="YAML loaders silently keep the last value, so one of two numbers an encoder typed disappears.",
    example='bound: ">= 40"\nbound: ">= 45"',
    instead='bound: ">= 45"\nnote: 142/KH-UBND states 40 in Phụ lục 1 and 45 in Phụ lục 2',
)

INVALID_ENCODING = Rule(
    code="PC003",
    name="invalid-encoding",
    severity="error",
    scope="loader",
    summary="The file is not UTF-8 text: invalid bytes, UTF-16, or NUL bytes.",
    why="Vietnamese labels must survive byte for byte; a Latin-1 or UTF-16 file would be read as garbage.",
    example="label: T\\xe1 l\\xe9   # Latin-1 bytes",
    instead="label: Tỷ lệ   # saved as UTF-8",
)

FILE_TOO_LARGE = Rule(
    code="PC004",
    name="file-too-large",
    severity="error",
    scope="loader",
    summary="The file is larger than `max-file-size` (default 5 MiB).",
    why="The largest real plan is a few hundred kilobytes; a huge file is a mistake or an attack on CI time.",
    example="# a 50 MB generated file",
    instead="# split the plan or raise max-file-size in [tool.plancheck]",
)

ANCHOR_OR_ALIAS = Rule(
    code="PC005",
    name="anchor-or-alias",
    severity="error",
    scope="loader",
    summary="The file uses a YAML anchor (`&a`) or alias (`*a`).",
    why="Aliases make one edit change many targets unseen, and nested aliases can expand exponentially "
    "(an 'alias bomb'). Plans write every value out.",
    example="defaults: &d {unit: '%'}\ntargets:\n  - *d",
    instead="targets:\n  - unit: '%'",
)

FORBIDDEN_TAG = Rule(
    code="PC006",
    name="forbidden-tag",
    severity="error",
    scope="loader",
    summary="A value carries an explicit YAML tag such as `!!python/object` or `!custom`.",
    why="Tags can make unsafe loaders build objects or run code; plan data needs none.",
    example="due: !!python/object/apply:os.system ['echo']",
    instead="due: 2025-03",
)

MULTIPLE_DOCUMENTS = Rule(
    code="PC007",
    name="multiple-documents",
    severity="error",
    scope="loader",
    summary="The file holds more than one YAML document (a second `---`).",
    why="One file is one plan; a second document would be ignored by other tools and by readers.",
    example="id: a/b\n---\nid: a/c",
    instead="# one plan per file: a/b.yaml and a/c.yaml",
)

EMPTY_FILE = Rule(
    code="PC008",
    name="empty-file",
    severity="error",
    scope="loader",
    summary="The file holds no data.",
    why="An empty plan file is almost always an unfinished encoding.",
    example="# nothing here",
    instead="id: hanam/CTrHD-TU-NQ57\ndocument: ...",
)

NESTING_TOO_DEEP = Rule(
    code="PC009",
    name="nesting-too-deep",
    severity="error",
    scope="loader",
    summary="Mappings and sequences are nested more than 64 levels deep.",
    why="Plans are at most five levels deep; deep nesting only serves to exhaust memory or stack.",
    example="a: [[[[[[[[ ... ]]]]]]]]",
    instead="targets:\n  - id: t1",
)

YAML_VERSION_DIRECTIVE = Rule(
    code="PC010",
    name="yaml-version-directive",
    severity="warning",
    scope="loader",
    summary="The file starts with a `%YAML 1.1` (or other non-1.2) directive.",
    why="YAML 1.1 reads `yes`, `no`, `on` as booleans and some dates as timestamps; plancheck always "
    "reads YAML 1.2, so the directive would mislead a reader about what the values mean.",
    example="%YAML 1.1\n---\nid: a/b",
    instead="id: a/b",
)

UNREADABLE_FILE = Rule(
    code="PC011",
    name="unreadable-file",
    severity="error",
    scope="loader",
    summary="A path given or found under the plan tree cannot be read (missing, no permission, a broken "
    "or looping symbolic link); under `--base`, a git submodule under the plan tree or results/ "
    "(its plans are never compared with the base).",
    why="A plan that cannot be read is a plan that is silently not checked.",
    example="plans/hanam/x.yaml -> x.yaml   # a link to itself",
    instead="# a regular, readable file",
)

CHANGE_SHRINKS_THE_CHECK = Rule(
    code="PC014",
    name="change-shrinks-the-check",
    severity="warning",
    scope="loader",
    summary="With `validate --base REF` only: the change deletes a plan file, drops a parent from a plan's "
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
    "a laxer `fail-on`) is reported at its line in `pyproject.toml`, with the findings it hides. "
    "Also: a task newly claimed as `carried_from` a replaced document; an edit to a plan that has "
    "errors on the base and still has them (it is compared on neither side); any loosening of a "
    "plan that implements nothing (the root: a target relaxed, moved or removed, a deadline or "
    "`lower_plans_due` later), which no parent judges; a provenance error cleared by editing the "
    "source text itself.",
    why="Each of these makes findings disappear without any target being raised: a deleted leaf "
    "plan takes its gaps with it, a dropped parent is no longer compared, a new declaration "
    "excuses what was a gap. The gate must not pass them unseen; a reviewer decides.",
    example="# the change, against the base branch\n-implements: [national/57-NQ-TW, haiphong/89-CTr-TU]\n"
    "+implements: [national/57-NQ-TW]",
    instead="# keep the parent, and close its gaps by raising targets (a waiver, with its reason, is "
    "reviewed as well)",
)

FILE_NAME_NOT_UTF8 = Rule(
    code="PC015",
    name="file-name-not-utf8",
    severity="error",
    scope="loader",
    summary="A plan file's (or folder's) name is not valid UTF-8, so the file is not checked.",
    why="Names are shown in findings and reports, and plan ids come from them; a name in another "
    "encoding cannot be either. The file is reported and left out; the rest of the tree is checked.",
    example="plans/haiphong/K\\xe9-ho\\xe1ch.yaml   # a Latin-1 name",
    instead="plans/haiphong/142-KH-UBND.yaml",
)

RULES = [
    YAML_SYNTAX_ERROR,
    DUPLICATE_KEY,
    INVALID_ENCODING,
    FILE_TOO_LARGE,
    ANCHOR_OR_ALIAS,
    FORBIDDEN_TAG,
    MULTIPLE_DOCUMENTS,
    EMPTY_FILE,
    NESTING_TOO_DEEP,
    YAML_VERSION_DIRECTIVE,
    UNREADABLE_FILE,
    CHANGE_SHRINKS_THE_CHECK,
    FILE_NAME_NOT_UTF8,
]
