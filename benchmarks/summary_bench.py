"""`ehplan report --summary DIR` over a directory of 10,000 small runs (issue
13: <= 5 s). `benchmarks/run.py` runs it; alone:

    python benchmarks/summary_bench.py [--runs-in-dir N] [--repeats N]

The runs are copies of four template runs written by `Session` on a fake
clock with the test playbooks (clean, a deadline missed and a step skipped, a
late report, a corrected value), each copy with its own run id, its start
moved by hours so the runs span months, re-serialised with the real hashing
and chained to the run before (as a desk writes them), without an fsync per
line. The baseline is a fresh interpreter that only reads and json-parses
every line of the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLAYBOOKS = ROOT / "tests/data/playbooks"
TARGET_SECONDS = 5.0
TARGETS = {"summary_seconds": TARGET_SECONDS}

PARSE_LOOP = """
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.jsonl")):
    with path.open("rb") as handle:
        for line in handle:
            json.loads(line)
"""


def templates(scratch: Path) -> list[list[dict[str, Any]]]:
    """Four runs' records (as dicts), written by the real Session."""
    from ehplan.audit import read_log
    from ehplan.engine import commands as c
    from ehplan.engine.clock import FakeClock
    from ehplan.library import load_library
    from ehplan.session import Session

    library = load_library([PLAYBOOKS], ROOT / "data")
    t0 = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)
    out = []
    for variant in range(4):
        log_dir = scratch / f"template-{variant}"
        log_dir.mkdir(parents=True)
        clock = FakeClock(t0)
        session = Session.start(library, log_dir, c.StartRun("example", f"t{variant}", "Ann", "live", "en", 1, None),
                                clock)
        session.execute(c.Continue())
        session.execute(c.TickItem("explain"))
        if variant == 1:
            clock.advance(200)
            session.execute(c.Tick())
            session.execute(c.Override("line busy"))
            session.execute(c.LogContact("it_centre", "called"))
            session.execute(c.EndRun(confirm=True))
        else:
            session.execute(c.TickItem("divert"))
            session.execute(c.Continue())
            clock.advance(200 if variant == 2 else 40 + 10 * variant)
            session.execute(c.Tick())
            session.execute(c.LogContact("it_centre", "answered"))
            session.execute(c.Continue())
            for field, value in (("loss_yuan", "9000" if variant == 3 else "100"), ("reporter_phone", "110"),
                                 ("place", "1")):
                session.execute(c.SetField(field, value))
            session.execute(c.Continue())
            if variant == 3:
                session.execute(c.SetField("loss_yuan", "900"))
                session.execute(c.LogContact("police", "called"))
                session.execute(c.Continue())
            session.execute(c.Choose("yes_fixed"))
            session.execute(c.EndRun())
        session.close()
        records, _ = read_log(session.path)
        out.append([{"seq": r.seq, "ts": r.ts, "type": r.type, "data": r.data, "operator": r.operator,
                     "mode": r.mode} for r in records])
    return out


def generate_runs(log_dir: Path, count: int, scratch: Path) -> int:
    """``count`` runs copied from the templates, chained; total bytes."""
    from ehplan.audit import GENESIS
    from ehplan.audit.canonical import canonical_bytes, hash_bytes
    from ehplan.audit.record import FORMAT_VERSION, format_ts

    log_dir.mkdir(mode=0o700, parents=True)
    runs = templates(scratch)
    link = None
    size = 0
    for n in range(count):
        template = runs[n % len(runs)]
        shift = dt.timedelta(hours=7 * n)
        run_id = f"bench-{n:05d}"
        prev = GENESIS
        lines = []
        for record in template:
            data = dict(record["data"])
            if record["seq"] == 0:
                data.update(run=run_id, prev_run=link)
            ts = format_ts(dt.datetime.fromisoformat(record["ts"]) + shift)
            if "due" in data and isinstance(data["due"], str):
                data["due"] = format_ts(dt.datetime.fromisoformat(data["due"]) + shift)
            body = {"v": FORMAT_VERSION, "seq": record["seq"], "ts": ts, "run": run_id,
                    "operator": record["operator"], "mode": record["mode"], "type": record["type"], "data": data,
                    "prev": prev, "alg": "sha256"}
            prev = hash_bytes(canonical_bytes(body), None)
            lines.append(canonical_bytes({**body, "hash": prev}) + b"\n")
        name = f"{(dt.datetime(2026, 1, 5) + shift):%Y%m%dT%H%M%S}Z-{run_id}.jsonl"
        size += (log_dir / name).write_bytes(b"".join(lines))
        link = {"file": name, "hash": prev}
    return size


def timed(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{args[1:4]} failed (exit {proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return seconds


def bench_summary(scratch: Path, env: dict[str, str], count: int = 10_000, repeats: int = 3,
                  forms: tuple[str, ...] = ("json", "html")) -> dict[str, Any]:
    log_dir = scratch / "summary-runs"
    size = generate_runs(log_dir, count, scratch)
    loop = [timed([sys.executable, "-c", PARSE_LOOP, str(log_dir)], env) for _ in range(repeats)]
    results: dict[str, Any] = {"summary_runs": count, "summary_bytes": size, "summary_parse_loop_s": loop}
    for form in forms:
        out = scratch / f"summary.{form}"
        args = [sys.executable, "-m", "ehplan", "report", "--summary", str(log_dir), "--playbooks", str(PLAYBOOKS),
                "--format", form, "--out", str(out)]
        results[f"summary_{form}_s"] = [timed(args, env) for _ in range(repeats)]
    worst = max(max(results[f"summary_{form}_s"]) for form in forms)
    results["summary_seconds"] = worst
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs-in-dir", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory(prefix="ehplan-summary-bench-") as tmp:
        env["EHPLAN_CACHE_DIR"] = str(Path(tmp) / "cache")
        results = bench_summary(Path(tmp), env, args.runs_in_dir, args.repeats)
    print(f"uptime: {os.getloadavg()}")
    for name, value in results.items():
        if isinstance(value, list):
            print(f"{name}: {min(value):.2f}–{max(value):.2f} s (median {statistics.median(value):.2f})")
        else:
            print(f"{name}: {value}")
    verdict = "PASS" if results["summary_seconds"] <= TARGET_SECONDS else "FAIL"
    print(f"summary of {args.runs_in_dir} runs: worst {results['summary_seconds']:.2f} s, "
          f"target <= {TARGET_SECONDS} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
