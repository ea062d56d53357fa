"""Many small runs (issue 13): `ehplan verify DIR` on one core vs. a fresh
interpreter that only reads and json-parses every line of the same files, and
on every core vs. one; and `ehplan runs DIR` cold (an empty cache dir: every
run verified and folded) vs. a fresh interpreter that only reads each file's
first and last line, and warm (the index of the cold run). `benchmarks/run.py`
runs it; alone:

    python benchmarks/many_bench.py [--runs-in-dir N] [--repeats N]

The verify runs are chained as a desk writes them (each first line links to
the run before), written with the real serialisation and hashing, without an
fsync per line; the runs listed are summary_bench's (four runs the real
Session wrote, copied under new ids and chained), so every row is a real fold.
Targets (issue 13), at 10,000 runs: verify on one core <= 1.3x the read+parse
loop, every core >= 1.7x faster than one (on a 2-core machine); runs warm
<= 1.5 s, cold <= 2x the first-and-last-line loop.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import audit_bench

TARGET_ONE_CORE_RATIO = 1.3
TARGET_SPEEDUP = 1.7
TARGET_RUNS_WARM_S = 1.5
TARGET_RUNS_COLD_RATIO = 2.0
TARGETS = {"many_one_core_ratio": TARGET_ONE_CORE_RATIO, "many_speedup": TARGET_SPEEDUP,
           "runs_warm_s": TARGET_RUNS_WARM_S, "runs_cold_ratio": TARGET_RUNS_COLD_RATIO}
EVENTS_PER_RUN = 20
RUNS = 10_000

PARSE_LOOP = """
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.jsonl")):
    with path.open("rb") as handle:
        for line in handle:
            json.loads(line)
"""

FIRST_LAST_LOOP = """
import os, sys
for entry in sorted(os.scandir(sys.argv[1]), key=lambda entry: entry.name):
    if entry.name.endswith(".jsonl"):
        with open(entry.path, "rb") as handle:
            first = handle.readline()
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - 4096))
            last = handle.read().rsplit(b"\\n", 2)[-2:]
"""


def generate_runs(log_dir: Path, count: int) -> int:
    """``count`` runs of EVENTS_PER_RUN events, each linked to the one before; total bytes."""
    from ehplan.audit import GENESIS
    from ehplan.audit.canonical import canonical_bytes, hash_bytes
    from ehplan.audit.record import FORMAT_VERSION, format_ts

    log_dir.mkdir(mode=0o700, parents=True)
    link = None
    size = 0
    for run in range(count):
        name = f"20261128T{run // 3600 % 24:02d}{run // 60 % 60:02d}{run % 60:02d}Z-bench-{run:05d}.jsonl"
        prev = GENESIS
        lines = []
        for i in range(EVENTS_PER_RUN):
            event_type, data = ("run_started", {**audit_bench.FIRST_DATA, "prev_run": link}) if i == 0 \
                else audit_bench.event(i)
            body = {"v": FORMAT_VERSION, "seq": i, "ts": format_ts(audit_bench.ts_of(run * 100 + i)),
                    "run": f"bench-{run:05d}", "operator": audit_bench.OPERATOR, "mode": audit_bench.MODE,
                    "type": event_type, "data": data, "prev": prev, "alg": "sha256"}
            payload = canonical_bytes(body)
            prev = hash_bytes(payload, None)
            lines.append(canonical_bytes({**body, "hash": prev}) + b"\n")
        path = log_dir / name
        size += path.write_bytes(b"".join(lines))
        link = {"file": name, "hash": prev}
    return size


def timed(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{args[1:4]} failed (exit {proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return seconds


def bench_many(scratch: Path, env: dict[str, str], count: int = RUNS, repeats: int = 3) -> dict[str, Any]:
    log_dir = scratch / "many-runs"
    size = generate_runs(log_dir, count)
    one = [sys.executable, "-m", "ehplan", "verify", "--jobs", "1", str(log_dir)]
    every = [sys.executable, "-m", "ehplan", "verify", str(log_dir)]
    parse = [sys.executable, "-c", PARSE_LOOP, str(log_dir)]
    samples: dict[str, list[float]] = {"one": [], "every": [], "parse": []}
    load = [os.getloadavg()[0]]
    for repeat in range(repeats):  # rotate the order, so drift hits all alike
        order = [("one", one), ("every", every), ("parse", parse)]
        for name, args in order[repeat % 3:] + order[: repeat % 3]:
            samples[name].append(timed(args, env))
        load.append(os.getloadavg()[0])
    med = {name: statistics.median(values) for name, values in samples.items()}
    return {"runs": count, "events": count * EVENTS_PER_RUN, "bytes": size, "cores": os.cpu_count(),
            "samples_s": samples, "median_s": med, "one_core_ratio": med["one"] / med["parse"],
            "ratios": [a / b for a, b in zip(samples["one"], samples["parse"], strict=True)],
            "speedups": [a / b for a, b in zip(samples["one"], samples["every"], strict=True)],
            "speedup": med["one"] / med["every"], "load": load,
            "index": bench_index(scratch, env, count, repeats)}


def bench_index(scratch: Path, env: dict[str, str], count: int, repeats: int) -> dict[str, Any]:
    """`ehplan runs DIR` cold (a new cache dir each time) and warm (the first one's), vs. the first/last loop."""
    import summary_bench

    log_dir = scratch / "index-runs"
    summary_bench.generate_runs(log_dir, count, scratch / "index-templates")
    loop = [sys.executable, "-c", FIRST_LAST_LOOP, str(log_dir)]
    runs = [sys.executable, "-m", "ehplan", "runs", str(log_dir)]
    samples: dict[str, list[float]] = {"cold": [], "warm": [], "first_last": []}
    load = [os.getloadavg()[0]]
    for repeat in range(repeats):
        samples["first_last"].append(timed(loop, env))
        samples["cold"].append(timed(runs, {**env, "EHPLAN_CACHE_DIR": str(scratch / f"index-cache-{repeat}")}))
        samples["warm"].append(timed(runs, {**env, "EHPLAN_CACHE_DIR": str(scratch / "index-cache-0")}))
        load.append(os.getloadavg()[0])
    med = {name: statistics.median(values) for name, values in samples.items()}
    return {"runs": count, "samples_s": samples, "median_s": med, "load": load,
            "cold_ratios": [a / b for a, b in zip(samples["cold"], samples["first_last"], strict=True)],
            "cold_ratio": med["cold"] / med["first_last"], "warm_worst_s": max(samples["warm"])}


def verdicts(results: dict[str, Any]) -> dict[str, bool | None]:
    many = results.get("many")
    if not many:
        return {"many_one_core": None, "many_speedup": None, "runs_warm": None, "runs_cold": None}
    index = many.get("index") or {}
    return {"many_one_core": many["one_core_ratio"] <= TARGET_ONE_CORE_RATIO,
            "many_speedup": many["speedup"] >= TARGET_SPEEDUP,
            "runs_warm": index["warm_worst_s"] <= TARGET_RUNS_WARM_S if index else None,
            "runs_cold": index["cold_ratio"] <= TARGET_RUNS_COLD_RATIO if index else None}


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    many = results.get("many")
    if not many:
        return []
    ok = verdicts(results)
    med = many["median_s"]

    def mark(verdict: bool | None) -> str:
        return "PASS" if verdict else "FAIL"

    rows = [
        (f"verify DIR, {many['runs']:,} runs, one core vs read+json, s", f"{med['one']:.2f}", f"{med['parse']:.2f}",
         f"{many['one_core_ratio']:.2f}x", f"<= {TARGET_ONE_CORE_RATIO:.2f}x", mark(ok["many_one_core"])),
        (f"  every core ({many['cores']}) vs one, s", f"{med['every']:.2f}", f"{med['one']:.2f}",
         f"{many['speedup']:.2f}x faster", f">= {TARGET_SPEEDUP:.1f}x", mark(ok["many_speedup"])),
    ]
    index = many.get("index")
    if index:
        imed = index["median_s"]
        rows += [
            (f"runs DIR, {index['runs']:,} runs, warm (worst), s", f"{index['warm_worst_s']:.2f}", "-", "-",
             f"<= {TARGET_RUNS_WARM_S:.1f} s", mark(ok["runs_warm"])),
            ("  cold vs first+last line loop, s", f"{imed['cold']:.2f}", f"{imed['first_last']:.2f}",
             f"{index['cold_ratio']:.2f}x", f"<= {TARGET_RUNS_COLD_RATIO:.1f}x", mark(ok["runs_cold"])),
        ]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-in-dir", type=int, default=RUNS, help=f"runs in each directory (default {RUNS:,})")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ehplan-many-") as tmp:
        results = {"many": bench_many(Path(tmp), dict(os.environ), args.runs_in_dir, args.repeats)}
    many = results["many"]
    index_samples = (("runs " + k, v) for k, v in many["index"]["samples_s"].items())
    for name, values in (*many["samples_s"].items(), *index_samples):
        print(f"{name}: " + ", ".join(f"{value:.2f}" for value in values) + " s")
    print("verify one/parse " + ", ".join(f"{r:.2f}x" for r in many["ratios"]) + "; every vs one "
          + ", ".join(f"{r:.2f}x" for r in many["speedups"]) + "; runs cold/loop "
          + ", ".join(f"{r:.2f}x" for r in many["index"]["cold_ratios"]))
    for row in table_rows(results):
        print("  ".join(row))
    print(f"load average (1 min) over the verify runs {many['load']}, the runs runs {many['index']['load']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
