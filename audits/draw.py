"""Draw an unlabelled audit sample of plancheck's findings on the bundled plans.

    python audits/draw.py --seed 1703 --size 60 [--sources ../shared/seeds] [-o audits/FILE.yaml]

Runs `plancheck validate plans --sources SOURCES --no-cache --format json` from the repository
root, draws a seeded random sample of gap and warning findings stratified by rule and plan
(plancheck.check.audit.draw), and writes an audit file with every verdict empty, for readers who did
not encode the plans. audits/README.md describes the format.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from plancheck import __version__
from plancheck.check.audit import recall_sample, unlabelled_audit
from plancheck.load.planset import load_planset

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--recall", type=int, default=30, help="parent targets to read for recall")
    parser.add_argument(
        "--sources", default="../shared/seeds", help="source texts, relative to the repository"
    )
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        help="audit file to write (default audits/<date>-seed<seed>-unlabelled.yaml)",
    )
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args(argv)
    command = ["plancheck", "validate", "plans", "--sources", args.sources, "--no-cache", "--format", "json"]
    proc = subprocess.run(
        [sys.executable, "-m", "plancheck", *command[1:]],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(f"draw: `{' '.join(command)}` exited {proc.returncode}\n{proc.stderr[-2000:]}")
        return 2
    findings = json.loads(proc.stdout)["findings"]
    ps, _ = load_planset([REPO / "plans"])
    recall = recall_sample(ps, args.recall, args.seed)
    audit = unlabelled_audit(
        findings, args.size, args.seed, " ".join(command), __version__, args.date, recall
    )
    out = args.out or REPO / "audits" / f"{args.date.isoformat()}-seed{args.seed}-unlabelled.yaml"
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    with out.open("w", encoding="utf-8") as handle:
        handle.write("# UNLABELLED audit sample: verdicts are empty until readers fill them in.\n")
        handle.write("# Format: audits/README.md. Drawn by audits/draw.py.\n")
        yaml.dump(audit, handle)
    print(
        f"wrote {out.relative_to(REPO) if out.is_relative_to(REPO) else out}: {len(audit['findings'])} findings"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
