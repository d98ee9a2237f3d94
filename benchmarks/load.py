#!/usr/bin/env python3
"""Time the YAML loader alone: read every ``*.yaml`` under a tree with ``yamlio.load_bytes``.

    /usr/bin/time -f "%e s %U user %M KB" python benchmarks/load.py TREE [--digest]

Prints the number of files, their bytes and how many had findings. With ``--digest`` it also
prints a SHA-256 of every file's data, positions and findings, so two versions of the loader can
be shown to read a tree alike (the digest costs time of its own: time the runs without it).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from plancheck.load.yamlio import load_bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("tree", type=Path)
    parser.add_argument("--digest", action="store_true", help="print a digest of everything loaded")
    args = parser.parse_args(argv)
    files = sorted(args.tree.rglob("*.yaml"))
    digest = hashlib.sha256()
    size = 0
    with_findings = 0
    for path in files:
        raw = path.read_bytes()
        size += len(raw)
        loaded = load_bytes(raw, path.name)
        if loaded.findings:
            with_findings += 1
        if args.digest:
            # repr keeps types apart (1, 1.0, True, "1") and dicts keep the file's key order
            digest.update(path.relative_to(args.tree).as_posix().encode())
            digest.update(repr(loaded.data).encode())
            digest.update(repr(sorted(loaded.positions.items(), key=repr)).encode())
            digest.update(repr(sorted(loaded.key_positions.items(), key=repr)).encode())
            digest.update(repr([(f.code, f.line, f.column, f.message) for f in loaded.findings]).encode())
    print(f"{len(files)} files, {size:,} bytes, {with_findings} with findings")
    if args.digest:
        print(f"digest {digest.hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
