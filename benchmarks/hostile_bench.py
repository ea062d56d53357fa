"""Hostile inputs: how long the loader takes, and how much memory it holds, to
refuse each input of the attack corpus as it grows 10x and 100x, against
loading one ordinary shipped playbook in the same run. `benchmarks/run.py`
runs it and adds its rows to the table; it also runs alone:

    python benchmarks/hostile_bench.py [--runs N]

Measured in one process (the best of N runs each, after a warm-up), so that
interpreter start-up and the machine's noise do not drown the figure. Targets:

- no hostile input costs more per byte than an ordinary playbook does, times
  10 (every bad key of a flood becomes a problem line, which costs more than
  a good one); alias expansion is left out of the per-byte figures, since a
  few bytes of it stand for many values: it is bounded by the node limit;
- the cost grows no faster than n log n: 10x the input costs at most 30x the
  time (a quadratic shows 100x; sorting the problems, and caches that a
  larger heap no longer fits, take it past 10x);
- peak memory (tracemalloc) stays under 256 MiB for the largest input the
  loader will read (1 MB), and under 300 bytes held per byte read;
- a FIFO and a link to /dev/zero are refused at once (under 10 ms).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ORDINARY = ROOT / "playbooks" / "gas_accident_report.yaml"
"""The baseline: loading and checking one ordinary shipped playbook."""

TARGET_PER_BYTE_RATIO = 10.0
TARGET_GROWTH = 30.0
TARGET_PEAK_MIB = 256.0
TARGET_HELD_PER_BYTE = 300.0
TARGET_SPECIAL_MS = 10.0
TARGETS = {"hostile_per_byte_ratio": TARGET_PER_BYTE_RATIO, "hostile_growth_per_10x": TARGET_GROWTH,
           "hostile_peak_mib": TARGET_PEAK_MIB, "hostile_special_file_ms": TARGET_SPECIAL_MS}


def flood_of_keys(n: int) -> str:
    return "id: x\n" + "".join(f"k{i}: {i}\n" for i in range(n))


def aliases(n: int) -> str:
    return "a: &a [" + ", ".join(["x"] * 10) + "]\nb: [" + ", ".join(["*a"] * n) + "]\n"


def long_line(n: int) -> str:
    return "id: x\ntitle: " + "燃" * n + "\n"


def bad_steps(n: int) -> str:
    steps = "".join(f"  - {{id: s{i}, kind: action, title: t, next: missing{i}}}\n" for i in range(n))
    return f"id: x\nversion: 1\nsteps:\n{steps}"


GROWING: dict[str, tuple[Callable[[int], str], int, bool]] = {
    "flood of unknown keys": (flood_of_keys, 400, True),
    "alias expansion": (aliases, 200, False),
    "one long line": (long_line, 3_300, True),
    "steps with bad references": (bad_steps, 150, True),
}
"""name -> (generator, size at 1x, whether per-byte figures apply); 100x stays
under the 1 MB read limit."""


def load(path: Path) -> bool:
    """Load one file as a playbook; True when it was refused with problems."""
    from ehplan.playbook.loader import load_playbook
    from ehplan.yamlpos import LoadError

    try:
        load_playbook(path)
    except LoadError:
        return True
    return False


def best_seconds(path: Path, runs: int) -> float:
    load(path)  # warm-up: imports, caches
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        load(path)
        best = min(best, time.perf_counter() - t0)
    return best


def peak_mib(path: Path) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        load(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (1 << 20)


def bench_hostile(scratch: Path, runs: int = 5) -> dict[str, Any]:
    """Every figure of the module docstring, measured in this process."""
    scratch.mkdir(parents=True, exist_ok=True)
    base_s = best_seconds(ORDINARY, runs)
    base_per_byte = base_s / ORDINARY.stat().st_size
    cases: dict[str, Any] = {}
    for name, (generate, unit, per_byte) in GROWING.items():
        sizes: dict[int, dict[str, float]] = {}
        for scale in (1, 10, 100):
            path = scratch / f"{name.replace(' ', '_')}-{scale}.yaml"
            path.write_text(generate(unit * scale), encoding="utf-8")
            size = path.stat().st_size
            seconds = best_seconds(path, runs if scale < 100 else max(2, runs // 2))
            sizes[scale] = {"s": seconds, "bytes": size, "mib": peak_mib(path), "refused": load(path),
                            "per_byte_ratio": seconds / size / base_per_byte}
        cases[name] = {"sizes": sizes, "per_byte": per_byte,
                       "growth_per_10x": max(sizes[10]["s"] / sizes[1]["s"], sizes[100]["s"] / sizes[10]["s"])}
    fifo, zero = scratch / "pipe.yaml", scratch / "zero.yaml"
    if not fifo.exists():
        os.mkfifo(fifo)
    if not zero.exists():
        zero.symlink_to("/dev/zero")
    special = {name: {"s": best_seconds(path, runs), "refused": load(path)}
               for name, path in (("FIFO", fifo), ("link to /dev/zero", zero))}
    grown = [v for c in cases.values() for v in c["sizes"].values()]
    largest = [c["sizes"][100] for c in cases.values() if c["per_byte"]]
    return {
        "baseline": {"s": base_s, "bytes": ORDINARY.stat().st_size}, "cases": cases, "special": special,
        "per_byte_ratio": max(v["per_byte_ratio"] for v in largest),
        "growth_per_10x": max(c["growth_per_10x"] for c in cases.values()),
        "peak_mib": max(v["mib"] for v in grown),
        "held_per_byte": max(v["mib"] * (1 << 20) / v["bytes"] for v in largest),
        "special_ms": max(v["s"] for v in special.values()) * 1000,
        "all_refused": all(v["refused"] for v in grown) and all(v["refused"] for v in special.values()),
    }


def verdicts(results: dict[str, Any]) -> dict[str, bool | None]:
    hostile = results.get("hostile")
    if not hostile:
        return {"hostile": None}
    return {"hostile": hostile["all_refused"] and hostile["per_byte_ratio"] <= TARGET_PER_BYTE_RATIO
            and hostile["growth_per_10x"] <= TARGET_GROWTH and hostile["peak_mib"] <= TARGET_PEAK_MIB
            and hostile["held_per_byte"] <= TARGET_HELD_PER_BYTE and hostile["special_ms"] <= TARGET_SPECIAL_MS}


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    hostile = results.get("hostile")
    if not hostile:
        return []
    base = hostile["baseline"]
    mark = "PASS" if verdicts(results)["hostile"] else "FAIL"
    return [
        ("hostile input (~1 MB) refused: worst cost/byte", f"{hostile['per_byte_ratio']:.2f}x",
         f"{base['s'] * 1e6 / base['bytes']:.2f} us/B", f"{hostile['per_byte_ratio']:.2f}x",
         f"<= {TARGET_PER_BYTE_RATIO:.0f}x", mark),
        ("  worst time growth per 10x input", f"{hostile['growth_per_10x']:.1f}x", "-", "-",
         f"<= {TARGET_GROWTH:.0f}x", ""),
        ("  peak memory (tracemalloc), held/byte", f"{hostile['peak_mib']:.0f} MiB, {hostile['held_per_byte']:.0f} B",
         "-", "-", f"<= {TARGET_PEAK_MIB:.0f} MiB, {TARGET_HELD_PER_BYTE:.0f} B", ""),
        ("  FIFO, /dev/zero refused in", f"{hostile['special_ms']:.2f} ms", "-", "-",
         f"<= {TARGET_SPECIAL_MS:.0f} ms", ""),
    ]


def detail_lines(results: dict[str, Any]) -> list[str]:
    hostile = results.get("hostile")
    if not hostile:
        return []
    base = hostile["baseline"]
    lines = [f"hostile inputs, best of runs in-process (ordinary playbook {base['bytes']} B in "
             f"{base['s'] * 1000:.1f} ms); ms / peak MiB at 1x, 10x, 100x:"]
    for name, case in hostile["cases"].items():
        parts = [f"{v['s'] * 1000:.1f} ms / {v['mib']:.1f} MiB ({v['bytes']} B)" for v in case["sizes"].values()]
        lines.append(f"  {name}: " + "; ".join(parts) + f"; growth {case['growth_per_10x']:.1f}x per 10x")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each input (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ehplan-hostile-") as tmp:
        results = {"hostile": bench_hostile(Path(tmp), runs=args.runs)}
    for row in table_rows(results):
        print("  ".join(row))
    print("\n".join(detail_lines(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
