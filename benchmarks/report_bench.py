"""`ehplan report` of a long run, as the run grows 10x: wall time and peak memory
of a fresh `ehplan report` against a fresh interpreter that reads and
json-parses every line of the same log. `benchmarks/run.py` runs it; alone:

    python benchmarks/report_bench.py [--events N] [--repeats N]

The run is one real start (the example playbook's first step) followed by
notes and calls, written with the real serialisation and hashing and no fsync
per line. Targets (issue 12): at 100,000 events, <= 3x the read+parse loop and
<= 200 MiB peak; and the cost grows linearly: 10x the events cost <= 15x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLAYBOOKS = ROOT / "tests" / "data" / "playbooks"
TARGET_RATIO = 3.0
TARGET_PEAK_MIB = 200.0
TARGET_GROWTH = 15.0
TARGETS = {"report_ratio": TARGET_RATIO, "report_peak_mib": TARGET_PEAK_MIB, "report_growth": TARGET_GROWTH}
PARSE_LOOP = "import json, sys\nfor line in open(sys.argv[1], 'rb'): json.loads(line)\n"


def write_run(path: Path, events: int) -> None:
    """A real run's first events (through the engine), then notes and calls, hashed and chained."""
    from ehplan.audit.canonical import canonical_bytes, hash_bytes
    from ehplan.audit.record import FORMAT_VERSION, format_ts
    from ehplan.engine import commands as c
    from ehplan.engine.clock import FakeClock
    from ehplan.engine.memory import MemoryRun
    from ehplan.library import load_library

    library = load_library([PLAYBOOKS], ROOT / "data")
    start = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    run = MemoryRun(library, FakeClock(start))
    run.do(c.StartRun("example", "bench", "Ann"))
    head = [(e.type, dict(e.data)) for e in run.log]
    head[0][1]["prev_run"] = None
    prev = "0" * 64
    with path.open("wb", buffering=1 << 20) as out:
        for seq in range(events):
            if seq < len(head):
                event_type, data = head[seq]
            elif seq % 4:
                event_type, data = "note_added", {"text": f"第 {seq} 條記錄 note", "step": "checks"}
            else:
                event_type, data = "contact_logged", {"contact": "it_centre", "number": None,
                                                      "outcome": "no_answer", "step": "checks"}
            body = {"v": FORMAT_VERSION, "seq": seq, "ts": format_ts(start + timedelta(milliseconds=seq)),
                    "run": "bench", "operator": "Ann", "mode": "live", "type": event_type, "data": data,
                    "prev": prev, "alg": "sha256"}
            prev = hash_bytes(canonical_bytes(body), None)
            out.write(canonical_bytes({**body, "hash": prev}) + b"\n")


def measure(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args[2:4]} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def bench_report(scratch: Path, events: int = 100_000, repeats: int = 3) -> dict[str, Any]:
    sizes: dict[int, dict[str, float]] = {}
    for count in (events // 10, events):
        log_dir = scratch / f"report-{count}"
        log_dir.mkdir(mode=0o700, parents=True)
        path = log_dir / "20261130T010000Z-bench.jsonl"
        write_run(path, count)
        report = [sys.executable, "-m", "ehplan", "report", str(path), "--playbooks", str(PLAYBOOKS)]
        parse = [sys.executable, "-c", PARSE_LOOP, str(path)]
        reports, parses = [], []
        for _ in range(repeats):
            reports.append(measure(report))
            parses.append(measure(parse))
        sizes[count] = {"report_s": statistics.median(s for s, _ in reports),
                        "report_mib": max(m for _, m in reports),
                        "parse_s": statistics.median(s for s, _ in parses)}
    small, big = sizes[events // 10], sizes[events]
    return {"events": events, "sizes": sizes, "ratio": big["report_s"] / big["parse_s"],
            "peak_mib": big["report_mib"], "growth": big["report_s"] / small["report_s"]}


def verdicts(results: dict[str, Any]) -> dict[str, bool | None]:
    report = results.get("report")
    if not report:
        return {"report": None}
    return {"report": report["ratio"] <= TARGET_RATIO and report["peak_mib"] <= TARGET_PEAK_MIB
            and report["growth"] <= TARGET_GROWTH}


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    report = results.get("report")
    if not report:
        return []
    big = report["sizes"][report["events"]]
    mark = "PASS" if verdicts(results)["report"] else "FAIL"
    return [
        (f"report {report['events']:,} events vs read+json, s", f"{big['report_s']:.2f}", f"{big['parse_s']:.2f}",
         f"{report['ratio']:.2f}x", f"<= {TARGET_RATIO:.0f}x", mark),
        ("  peak memory; time growth 10x events", f"{report['peak_mib']:.0f} MiB; {report['growth']:.1f}x", "-",
         "-", f"<= {TARGET_PEAK_MIB:.0f} MiB; <= {TARGET_GROWTH:.0f}x", ""),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the long run (default 100000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ehplan-report-") as tmp:
        results = {"report": bench_report(Path(tmp), args.events, args.repeats)}
    for row in table_rows(results):
        print("  ".join(row))
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
