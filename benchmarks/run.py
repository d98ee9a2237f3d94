#!/usr/bin/env python3
"""Time plancheck on a synthetic national plan tree and compare it with check-jsonschema.

    python benchmarks/run.py [--scale full|small] [--runs 3] [--keep DIR] [--write-results]

Every measurement is a separate subprocess, run ``--runs`` times; the table gives the median, the
minimum and the maximum wall-clock time and the peak resident memory. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

SCALES = {"full": (34, 3321), "small": (3, 60)}
# the steps --only can choose; "cold" (validate with an empty cache) is what fills the cache
STEPS = ("no-cache", "cold", "warm", "edited", "catalogue", "report", "peer")
PEER_VENV = HERE / ".venv-peer"
TIME = Path("/usr/bin/time")


@dataclass
class Step:
    name: str
    times: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)  # user + system CPU seconds, workers included
    peaks: list[float] = field(default_factory=list)  # MB, largest single process
    tree_peaks: list[float] = field(default_factory=list)  # MB, sampled sum over the process tree
    note: str = ""
    unavailable: str | None = None
    failed: str | None = None


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants from /proc (Linux only)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()
        self.page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    def _sample(self) -> int:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read().decode("ascii", "replace")
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
        tree, frontier = {self.pid}, [self.pid]
        while frontier:
            node = frontier.pop()
            for pid, ppid in parents.items():
                if ppid == node and pid not in tree:
                    tree.add(pid)
                    frontier.append(pid)
        total = 0
        for pid in tree:
            try:
                with open(f"/proc/{pid}/statm", "rb") as handle:
                    total += int(handle.read().split()[1]) * self.page
            except (OSError, ValueError, IndexError):
                continue
        return total

    def run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        while not self.done.is_set():
            self.peak = max(self.peak, self._sample())
            self.done.wait(self.interval)


def timed(
    cmd: list[str], cwd: Path, env: dict[str, str], stdout: Path | None, ok_codes: tuple[int, ...]
) -> tuple[float, float, float, float, int, str]:
    """Run once: (wall seconds, CPU seconds, peak MB of the largest process, sampled peak MB of the
    tree, exit code, stderr). CPU time is user + system of the command and every process it waited
    for (its workers): on a shared machine it says more than the wall time."""
    peak_file = None
    full = list(cmd)
    if TIME.exists():
        fd, peak_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        full = [str(TIME), "-f", "%M", "-o", peak_file, *cmd]
    out = open(stdout, "wb") if stdout is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=out, stderr=subprocess.PIPE)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, err = proc.communicate()
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        sampler.done.set()
        sampler.join()
    finally:
        if stdout is not None:
            out.close()  # type: ignore[union-attr]
    peak = 0.0
    if peak_file is not None:
        try:
            text = Path(peak_file).read_text().strip().splitlines()
            peak = int(text[-1]) / 1024 if text and text[-1].isdigit() else 0.0
        finally:
            os.unlink(peak_file)
    return elapsed, cpu, peak, sampler.peak / 1e6, proc.returncode, err.decode("utf-8", "replace")


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown memory"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem}; Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


def help_text(plancheck: list[str], *args: str) -> str:
    proc = subprocess.run(
        [*plancheck, *args, "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    return proc.stdout + proc.stderr


def ensure_peer(log) -> list[str] | None:  # type: ignore[no-untyped-def]
    """check-jsonschema from PATH, or installed into benchmarks/.venv-peer; None when impossible."""
    exe = PEER_VENV / "bin" / "check-jsonschema"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("check-jsonschema")
    if found:
        return [found]
    log(f"installing check-jsonschema into {PEER_VENV} ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True, capture_output=True)
        subprocess.run(
            [str(PEER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "check-jsonschema"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        log(f"cannot install check-jsonschema: {exc}")
        return None
    return [str(exe)] if exe.exists() else None


def plan_files(tree: Path) -> list[str]:
    return sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*.yaml") if p.name != "indicators.yaml")


def schema_dir(plancheck: list[str], work: Path, log) -> Path | None:  # type: ignore[no-untyped-def]
    if (REPO / "schemas" / "plan.schema.json").exists() and (
        REPO / "schemas" / "catalogue.schema.json"
    ).exists():
        return REPO / "schemas"
    out = work / "schemas"
    proc = subprocess.run([*plancheck, "schema", "--out", str(out)], capture_output=True, text=True)
    if proc.returncode == 0 and (out / "plan.schema.json").exists():
        log(f"schemas/ missing in the repository; generated them into {out}")
        return out
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="full")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--keep", type=Path, default=None, help="generate the tree here (or reuse it) and keep it"
    )
    ap.add_argument("--seed", type=int, default=57)
    ap.add_argument(
        "--write-results", action="store_true", help="also write the table to benchmarks/RESULTS.md"
    )
    ap.add_argument("--no-peer", action="store_true", help="skip check-jsonschema")
    ap.add_argument(
        "--peer-runs", type=int, default=None, help="runs of check-jsonschema (default: --runs; it is slow)"
    )
    ap.add_argument(
        "--plancheck", default=None, help="command to run plancheck (default: this Python's -m plancheck)"
    )
    ap.add_argument(
        "--only",
        default=",".join(STEPS),
        help=f"comma-separated steps to run, of {','.join(STEPS)} (default: all); warm and edited need cold",
    )
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    if not only or only - set(STEPS):
        ap.error(f"--only takes steps of {', '.join(STEPS)}; got {args.only!r}")
    if only & {"warm", "edited"} and "cold" not in only:
        ap.error("--only: warm and edited need cold (the run that fills the cache)")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    plancheck = args.plancheck.split() if args.plancheck else [sys.executable, "-m", "plancheck"]
    provinces, communes = SCALES[args.scale]
    scratch = Path(tempfile.mkdtemp(prefix="plancheck-bench-"))
    tree = args.keep.resolve() if args.keep else scratch / "tree"
    work = scratch / "work"
    work.mkdir()
    cache_dir = work / "cache"
    try:
        expected_file = tree / "expected.json"
        wanted = {"provinces": provinces, "communes": communes, "seed": args.seed}
        reuse = False
        if expected_file.exists():
            meta = json.loads(expected_file.read_text(encoding="utf-8")).get("generator", {})
            reuse = all(meta.get(k) == v for k, v in wanted.items())
        if reuse:
            log(f"reusing the tree in {tree}")
        else:
            log(f"generating {provinces} provinces and {communes} communes into {tree} ...")
            if tree.exists() and args.keep:
                for child in tree.iterdir():
                    if child.is_dir():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
            t0 = time.perf_counter()
            generate.generate(tree, provinces, communes, args.seed)
            log(f"generated in {time.perf_counter() - t0:.1f} s")
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        files = plan_files(tree)
        size_mb = expected["plan_bytes"] / 1e6

        env = {**os.environ, "NO_COLOR": "1", "PLANCHECK_CACHE_DIR": str(cache_dir)}
        vhelp = help_text(plancheck, "validate")
        top_help = help_text(plancheck)
        has_no_cache = "--no-cache" in vhelp
        has_cache_dir_opt = "--cache-dir" in vhelp
        has_report = any(
            line.strip().startswith("report ") or "│ report" in line for line in top_help.splitlines()
        )
        cache_opts = ["--cache-dir", str(cache_dir)] if has_cache_dir_opt else []

        steps: dict[str, Step] = {}

        def step(name: str) -> Step:
            return steps.setdefault(name, Step(name))

        def run_step(
            name: str, cmd: list[str], out: Path | None = None, ok: tuple[int, ...] = (0, 1)
        ) -> bool:
            s = step(name)
            elapsed, cpu, peak, tree_peak, code, err = timed(cmd, tree, env, out, ok)
            if code not in ok:
                s.failed = f"exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}"
                log(f"  {name}: FAILED ({s.failed})")
                return False
            s.times.append(elapsed)
            s.cpus.append(cpu)
            s.peaks.append(peak)
            s.tree_peaks.append(tree_peak)
            log(f"  {name}: {elapsed:.2f} s, {cpu:.2f} s CPU, {peak:.0f} MB")
            return True

        validate = [*plancheck, "validate", ".", "--format", "json"]
        planted_paths = {p["path"] for p in expected["planted"]}
        communes_clean = [f for f in files if f.count("/") == 2 and f not in planted_paths]
        catalogue = tree / "indicators.yaml"
        catalogue_text = catalogue.read_bytes()
        outputs: dict[str, Path] = {}
        cache_seen = False
        peer = None if args.no_peer or "peer" not in only else ensure_peer(log)
        schemas = schema_dir(plancheck, work, log)

        def edit_one_commune(i: int) -> None:
            # one commune file edited: one target's value changes (a different commune each run)
            victim = tree / communes_clean[(i * 7919) % len(communes_clean)]
            original = victim.read_bytes()
            text = original.decode("utf-8")
            marker = '    bound: ">= '
            at = text.find(marker)
            if at < 0:
                marker = '    bound: "'
                at = text.find(marker)
            end = text.find('"', at + len(marker))
            number = text[at + len(marker) : end]
            try:
                changed = text[: at + len(marker)] + str(int(float(number.split("..")[0])) + 1) + text[end:]
            except ValueError:
                changed = text.replace("    year: 2030", "    year: 2030 ", 1)
            victim.write_bytes(changed.encode("utf-8"))
            try:
                run_step("validate, one commune edited", [*validate, *cache_opts], work / "edited.json")
            finally:
                victim.write_bytes(original)

        def change_catalogue(i: int) -> None:
            # the catalogue changed: a new indicator appended
            catalogue.write_bytes(
                catalogue_text.rstrip(b"\n")
                + (
                    f"\n  - id: bench-added-indicator-{i}\n"
                    '    name_vi: "Chỉ số bổ sung để đo hiệu năng"\n'
                    '    name_en: "Indicator added by the benchmark"\n'
                    '    unit: "%"\n    direction: higher\n    kind: share\n    levels: [province, commune]\n'
                ).encode()
            )
            try:
                run_step("validate, catalogue changed", [*validate, *cache_opts], work / "catalogue.json")
            finally:
                catalogue.write_bytes(catalogue_text)

        for i in range(args.runs):
            log(f"run {i + 1}/{args.runs}")
            out = work / f"cold-{i}.json"
            if "no-cache" not in only:
                pass
            elif has_no_cache:
                if run_step("validate, cold, --no-cache", [*validate, "--no-cache"], out):
                    outputs.setdefault("cold", out)
            else:
                step("validate, cold, --no-cache").unavailable = "validate has no --no-cache option"
            shutil.rmtree(cache_dir, ignore_errors=True)
            out = work / f"cold-cache-{i}.json"
            if "cold" in only and run_step("validate, cold, empty cache", [*validate, *cache_opts], out):
                outputs.setdefault("cold-cache", out)
            cache_seen = cache_seen or (cache_dir.exists() and any(cache_dir.rglob("*")))
            out = work / f"warm-{i}.json"
            if "warm" in only and run_step("validate, warm cache", [*validate, *cache_opts], out):
                outputs.setdefault("warm", out)
            if "edited" in only:
                edit_one_commune(i)
            if "catalogue" in only:
                change_catalogue(i)
            if "report" not in only:
                pass
            elif has_report:
                report_cmd = [*plancheck, "report", ".", "-o", str(work / "report.md"), *cache_opts]
                run_step("report (Markdown), warm cache", report_cmd)
                # the same report again: its sections now come from the cache too
                run_step("report (Markdown), second run", report_cmd)
            else:
                step("report (Markdown), warm cache").unavailable = "no `report` command"
            if "peer" not in only or (args.peer_runs is not None and i >= args.peer_runs):
                pass
            elif peer is None:
                step("check-jsonschema, plan files").unavailable = (
                    "skipped (--no-peer)" if args.no_peer else "check-jsonschema could not be installed"
                )
            elif schemas is None:
                step("check-jsonschema, plan files").unavailable = "no schemas (plancheck schema failed)"
            else:
                run_step(
                    "check-jsonschema, plan files",
                    [*peer, "--schemafile", str(schemas / "plan.schema.json"), *files],
                    ok=(0, 1),
                )
                run_step(
                    "check-jsonschema, catalogue",
                    [*peer, "--schemafile", str(schemas / "catalogue.schema.json"), "indicators.yaml"],
                    ok=(0, 1),
                )

        if not has_cache_dir_opt:
            step("validate, cold, empty cache").note = "cache folder via PLANCHECK_CACHE_DIR"
        if not cache_seen:
            for name in ("validate, cold, empty cache", "validate, warm cache"):
                step(name).note = "no cache was written: this build does not cache, so 'warm' is not warm"

        # correctness: every planted finding in the cold output; cached outputs identical to it
        lines: list[str] = []
        verdict_ok = True
        if "cold" in outputs or "cold-cache" in outputs:
            base = outputs.get("cold") or outputs["cold-cache"]
            data = json.loads(base.read_text(encoding="utf-8"))
            found, missing, unplanned = generate.check_findings(data["findings"], expected)
            by_code: dict[str, list[int]] = {}
            for p in expected["planted"]:
                by_code.setdefault(p["code"], [0, 0])[1] += 1
            for p in found:
                by_code[p["code"]][0] += 1
            lines.append(
                f"Planted findings reported: {len(found)}/{len(expected['planted'])} ("
                + ", ".join(f"{c} {a}/{b}" for c, (a, b) in sorted(by_code.items()))
                + ")"
            )
            if missing:
                verdict_ok = False
                lines.append("Missing: " + "; ".join(f"{m['code']} {m['path']}" for m in missing[:10]))
            lines.append(
                f"Error findings not planted: {len(unplanned)}"
                + (
                    " (" + "; ".join(f"{u['code']} {u['path']}" for u in unplanned[:5]) + ")"
                    if unplanned
                    else ""
                )
            )
            lines.append(f"All findings of the cold run: {data['summary']}")
            for other in ("cold-cache", "warm"):
                if other in outputs and outputs[other] != base:
                    same = (
                        json.loads(outputs[other].read_text(encoding="utf-8"))["findings"] == data["findings"]
                    )
                    lines.append(f"Output of '{other}' identical to the cold run: {'yes' if same else 'NO'}")
                    verdict_ok = verdict_ok and same
        else:
            verdict_ok = False
            lines.append("No cold run succeeded: correctness not checked.")

        def fmt(v: float) -> str:
            return f"{v:.2f}"

        table = [
            "| step | median s | min s | max s | median CPU s | peak MB (largest process) "
            "| peak MB (process tree, sampled) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for s in steps.values():
            label = s.name + (f" ({s.note})" if s.note else "")
            if s.unavailable:
                table.append(f"| {label} | unavailable: {s.unavailable} | | | | | |")
            elif s.failed and not s.times:
                table.append(f"| {label} | failed: {s.failed} | | | | | |")
            else:
                table.append(
                    f"| {label} | {fmt(statistics.median(s.times))} | {fmt(min(s.times))} "
                    f"| {fmt(max(s.times))} | {fmt(statistics.median(s.cpus))} "
                    f"| {max(s.peaks):.0f} | {max(s.tree_peaks):.0f} |"
                )
        cold = steps.get("validate, cold, --no-cache")
        peer_plans, peer_cat = (
            steps.get("check-jsonschema, plan files"),
            steps.get("check-jsonschema, catalogue"),
        )
        ratio = "unavailable"
        if cold and cold.times and peer_plans and peer_plans.times:
            peer_total = statistics.median(peer_plans.times) + (
                statistics.median(peer_cat.times) if peer_cat and peer_cat.times else 0
            )
            mine = statistics.median(cold.times)
            ratio = (
                f"{mine / peer_total:.2f} (plancheck {mine:.2f} s / check-jsonschema {peer_total:.2f} s, "
                "plans + catalogue)"
            )
        stats = expected["stats"]
        report = [
            f"## plancheck benchmark ({args.scale}: {provinces} provinces, {communes} communes)",
            "",
            f"Tree: {len(files)} plan files + catalogue, {size_mb:.1f} MB of plan YAML "
            f"({stats['province_targets'] + stats['commune_targets']:,} targets, "
            f"{stats['province_tasks'] + stats['commune_tasks']:,} tasks); seed {args.seed}; "
            f"median of {args.runs} run(s).",
            "",
            f"Machine: {machine()}",
            "",
            *table,
            "",
            f"Ratio cold plancheck / check-jsonschema: {ratio}",
            "",
            *[f"- {line}" for line in lines],
            "",
        ]
        text = "\n".join(report)
        print(text)
        if args.write_results:
            (HERE / "RESULTS.md").write_text("# Benchmark results\n\n" + text, encoding="utf-8")
            log(f"wrote {HERE / 'RESULTS.md'}")
        return 0 if verdict_ok else 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
