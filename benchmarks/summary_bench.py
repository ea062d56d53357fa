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
TARGETS = {"summary_warm_s": TARGET_SECONDS}

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


def bench_summary(scratch: Path, env: dict[str, str], count: int = 10_000, repeats: int = 3) -> dict[str, Any]:
    """Cold (an empty cache: every run verified and folded, on every core) and
    warm (the cache of runs already verified, every file stat'ed), each form."""
    log_dir = scratch / "summary-runs"
    size = generate_runs(log_dir, count, scratch)
    loop = [timed([sys.executable, "-c", PARSE_LOOP, str(log_dir)], env) for _ in range(repeats)]
    results: dict[str, Any] = {"runs": count, "bytes": size, "parse_loop_s": loop, "load_before": os.getloadavg()}

    def summary(form: str, cache: Path) -> float:
        args = [sys.executable, "-m", "ehplan", "report", "--summary", str(log_dir), "--playbooks", str(PLAYBOOKS),
                "--format", form, "--out", str(scratch / f"summary.{form}")]
        return timed(args, {**env, "EHPLAN_CACHE_DIR": str(cache)})

    results["cold_html_s"] = [summary("html", scratch / f"summary-cache-cold-{i}") for i in range(repeats)]
    warm = scratch / "summary-cache-cold-0"
    for form in ("text", "json", "html"):
        results[f"warm_{form}_s"] = [summary(form, warm) for _ in range(repeats)]
    results["load_after"] = os.getloadavg()
    results["warm_worst_s"] = max(max(results[f"warm_{form}_s"]) for form in ("text", "json", "html"))
    return results


def verdicts(results: dict[str, Any]) -> dict[str, bool | None]:
    found = results.get("summary")
    return {"summary": None if not found else found["warm_worst_s"] <= TARGET_SECONDS}


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    found = results.get("summary")
    if not found:
        return []
    loop = statistics.median(found["parse_loop_s"])
    cold = statistics.median(found["cold_html_s"])
    return [
        (f"report --summary, {found['runs']:,} runs, warm, worst form, s", f"{found['warm_worst_s']:.2f}", "-",
         f"{found['warm_worst_s'] / TARGET_SECONDS:.2f}x of target", f"<= {TARGET_SECONDS:.0f} s",
         "PASS" if verdicts(results)["summary"] else "FAIL"),
        ("  cold (every run verified), html, median s vs read+json", f"{cold:.2f}", f"{loop:.2f}",
         f"{cold / loop:.2f}x", "", ""),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs-in-dir", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory(prefix="ehplan-summary-bench-") as tmp:
        results = {"summary": bench_summary(Path(tmp), env, args.runs_in_dir, args.repeats)}
    found = results["summary"]
    print(f"load average before {found['load_before']}, after {found['load_after']}")
    for name, value in found.items():
        if isinstance(value, list) and name.endswith("_s"):
            print(f"{name}: {min(value):.2f}–{max(value):.2f} s (median {statistics.median(value):.2f})")
    for row in table_rows(results):
        print("  ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
