"""`ehplan verify DIR` over a directory of many small runs: on one core vs. a
fresh interpreter that only reads and json-parses every line of the same
files, and on every core vs. one. `benchmarks/run.py` runs it; alone:

    python benchmarks/many_bench.py [--runs-in-dir N] [--repeats N]

The runs are chained as a desk writes them (each first line links to the run
before), written with the real serialisation and hashing, without an fsync
per line. Targets (issue 13): one core <= 1.3x the read+parse loop; every core
>= 1.7x faster than one (on a 2-core machine).
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
TARGETS = {"many_one_core_ratio": TARGET_ONE_CORE_RATIO, "many_speedup": TARGET_SPEEDUP}
EVENTS_PER_RUN = 20

PARSE_LOOP = """
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.jsonl")):
    with path.open("rb") as handle:
        for line in handle:
            json.loads(line)
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


def bench_many(scratch: Path, env: dict[str, str], count: int = 2000, repeats: int = 3) -> dict[str, Any]:
    log_dir = scratch / "many-runs"
    size = generate_runs(log_dir, count)
    one = [sys.executable, "-m", "ehplan", "verify", "--jobs", "1", str(log_dir)]
    every = [sys.executable, "-m", "ehplan", "verify", str(log_dir)]
    parse = [sys.executable, "-c", PARSE_LOOP, str(log_dir)]
    samples: dict[str, list[float]] = {"one": [], "every": [], "parse": []}
    for repeat in range(repeats):  # rotate the order, so drift hits all alike
        order = [("one", one), ("every", every), ("parse", parse)]
        for name, args in order[repeat % 3:] + order[: repeat % 3]:
            samples[name].append(timed(args, env))
    med = {name: statistics.median(values) for name, values in samples.items()}
    return {"runs": count, "events": count * EVENTS_PER_RUN, "bytes": size, "cores": os.cpu_count(),
            "samples_s": samples, "median_s": med, "one_core_ratio": med["one"] / med["parse"],
            "speedup": med["one"] / med["every"]}


def verdicts(results: dict[str, Any]) -> dict[str, bool | None]:
    many = results.get("many")
    if not many:
        return {"many_one_core": None, "many_speedup": None}
    return {"many_one_core": many["one_core_ratio"] <= TARGET_ONE_CORE_RATIO,
            "many_speedup": many["speedup"] >= TARGET_SPEEDUP}


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    many = results.get("many")
    if not many:
        return []
    ok = verdicts(results)
    med = many["median_s"]
    return [
        (f"verify DIR, {many['runs']:,} runs, one core vs read+json, s", f"{med['one']:.2f}", f"{med['parse']:.2f}",
         f"{many['one_core_ratio']:.2f}x", f"<= {TARGET_ONE_CORE_RATIO:.2f}x",
         "PASS" if ok["many_one_core"] else "FAIL"),
        (f"  every core ({many['cores']}) vs one, s", f"{med['every']:.2f}", f"{med['one']:.2f}",
         f"{many['speedup']:.2f}x faster", f">= {TARGET_SPEEDUP:.1f}x", "PASS" if ok["many_speedup"] else "FAIL"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-in-dir", type=int, default=2000, help="runs in the directory (default 2000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ehplan-many-") as tmp:
        results = {"many": bench_many(Path(tmp), dict(os.environ), args.runs_in_dir, args.repeats)}
    for row in table_rows(results):
        print("  ".join(row))
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
