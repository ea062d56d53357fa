"""`ehplan report` of a long run, as the run grows 10x: wall time and peak memory
of a fresh `ehplan report` against a fresh interpreter that reads and
json-parses every line of the same log. `benchmarks/run.py` runs it; alone:

    python benchmarks/report_bench.py [--events N] [--repeats N]

The run is one real start (the example playbook's first step) followed by
notes and calls, written with the real serialisation and hashing and no fsync
per line. Targets (issues 12 and 13): at 100,000 events, <= 3x the read+parse loop,
<= 2 s and <= 200 MiB peak, in every format; the cost grows linearly: 10x the
events cost <= 15x. `ehplan replay`'s first frame <= 5x the same loop. And
appending the 100,000th event costs what the 100th does (a resumed session,
the log on tmpfs so fsync does not hide the work): <= 1.5x.
"""

from __future__ import annotations

import argparse
import json
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
TARGET_SECONDS = 2.0
TARGET_REPLAY_RATIO = 5.0
TARGET_APPEND_RATIO = 1.5
FORMATS = ("text", "md", "html", "json")
TARGETS = {"report_ratio": TARGET_RATIO, "report_peak_mib": TARGET_PEAK_MIB, "report_growth": TARGET_GROWTH,
           "report_seconds": TARGET_SECONDS, "replay_ratio": TARGET_REPLAY_RATIO, "append_ratio": TARGET_APPEND_RATIO}
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
    sizes: dict[int, dict[str, Any]] = {}
    for count in (events // 10, events):
        log_dir = scratch / f"report-{count}"
        log_dir.mkdir(mode=0o700, parents=True)
        path = log_dir / "20261130T010000Z-bench.jsonl"
        write_run(path, count)
        parse = [sys.executable, "-c", PARSE_LOOP, str(path)]
        forms = FORMATS if count == events else ("text",)
        samples: dict[str, list[tuple[float, float]]] = {form: [] for form in forms}
        parses, replays = [], []
        for _ in range(repeats):  # interleaved, so a busy moment of the machine falls on each alike
            for form in forms:
                samples[form].append(measure([sys.executable, "-m", "ehplan", "report", str(path), "--playbooks",
                                              str(PLAYBOOKS), "--format", form]))
            parses.append(measure(parse))
            if count == events:
                replays.append(first_frame(path, scratch))
        parse_s = statistics.median(s for s, _ in parses)
        sizes[count] = {"parse_s": parse_s,
                        "formats": {form: {"report_s": statistics.median(s for s, _ in runs),
                                           "report_mib": max(m for _, m in runs)} for form, runs in samples.items()}}
        sizes[count].update(sizes[count]["formats"]["text"])
        if replays:
            sizes[count]["replay_s"] = statistics.median(replays)
    small, big = sizes[events // 10], sizes[events]
    per_format = {form: {"ratio": f["report_s"] / big["parse_s"], "seconds": f["report_s"], "peak_mib": f["report_mib"]}
                  for form, f in big["formats"].items()}
    return {"events": events, "sizes": sizes, "ratio": big["report_s"] / big["parse_s"],
            "peak_mib": big["report_mib"], "growth": big["report_s"] / small["report_s"], "formats": per_format,
            "replay_ratio": big["replay_s"] / big["parse_s"], "append": bench_append(scratch, events)}


def first_frame(path: Path, scratch: Path) -> float:
    """Seconds from spawning `ehplan replay LOG` to its first frame of the run screen."""
    out = scratch / "replay-child.json"
    child = [sys.executable, str(ROOT / "benchmarks" / "startup_child.py"), "replay", str(out), str(path),
             str(PLAYBOOKS)]
    t0 = time.clock_gettime(time.CLOCK_MONOTONIC)
    subprocess.run(child, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=300)
    marks = json.loads(out.read_text(encoding="utf-8"))["marks"]
    return float(marks["first_paint"]) - t0


def bench_append(scratch: Path, events: int, appends: int = 300) -> dict[str, Any]:
    """Median seconds of `Session.execute(AddNote)` on a resumed run of 100 and of
    ``events`` events (logs on tmpfs where there is one: fsync's cost would hide the work)."""
    from ehplan.engine import commands as c
    from ehplan.engine.clock import FakeClock
    from ehplan.library import load_library
    from ehplan.session import Session

    library = load_library([PLAYBOOKS], ROOT / "data")
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else scratch
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="ehplan-append-", dir=base) as tmp:
        for count in (100, events):
            log_dir = Path(tmp) / str(count)
            log_dir.mkdir(mode=0o700)
            path = log_dir / "20261130T010000Z-bench.jsonl"
            write_run(path, count)
            session = Session.resume(library, path, FakeClock(datetime(2026, 11, 30, 2, 0, tzinfo=UTC)))
            times = []
            for i in range(appends):
                t0 = time.perf_counter()
                session.execute(c.AddNote(f"note {i}"))
                times.append(time.perf_counter() - t0)
            session.close()
            result[count] = statistics.median(times[appends // 5:])  # after a warm-up fifth
    result["ratio"] = result[events] / result[100]
    return result


def verdicts(results: dict[str, Any]) -> dict[str, bool | None]:
    report = results.get("report")
    if not report:
        return {"report": None, "replay": None, "append": None}
    return {"report": all(f["ratio"] <= TARGET_RATIO and f["seconds"] <= TARGET_SECONDS
                          and f["peak_mib"] <= TARGET_PEAK_MIB for f in report["formats"].values())
            and report["growth"] <= TARGET_GROWTH,
            "replay": report["replay_ratio"] <= TARGET_REPLAY_RATIO,
            "append": report["append"]["ratio"] <= TARGET_APPEND_RATIO}


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    report = results.get("report")
    if not report:
        return []
    big = report["sizes"][report["events"]]
    marks = verdicts(results)
    rows = []
    for form, f in report["formats"].items():
        ok = f["ratio"] <= TARGET_RATIO and f["seconds"] <= TARGET_SECONDS and f["peak_mib"] <= TARGET_PEAK_MIB
        rows.append((f"report {report['events']:,} events --format {form} vs read+json, s; MiB",
                     f"{f['seconds']:.2f}; {f['peak_mib']:.0f}", f"{big['parse_s']:.2f}", f"{f['ratio']:.2f}x",
                     f"<= {TARGET_RATIO:.0f}x, {TARGET_SECONDS:.0f} s, {TARGET_PEAK_MIB:.0f} MiB",
                     "PASS" if ok else "FAIL"))
    rows.append(("  time growth 10x events (text)", f"{report['growth']:.1f}x", "-", "-",
                 f"<= {TARGET_GROWTH:.0f}x", "PASS" if report["growth"] <= TARGET_GROWTH else "FAIL"))
    rows.append(("replay first frame, s", f"{big['replay_s']:.2f}", f"{big['parse_s']:.2f}",
                 f"{report['replay_ratio']:.2f}x", f"<= {TARGET_REPLAY_RATIO:.0f}x",
                 "PASS" if marks["replay"] else "FAIL"))
    append = report["append"]
    rows.append((f"append at {report['events']:,} vs at 100 events, ms", f"{append[report['events']] * 1000:.3f}",
                 f"{append[100] * 1000:.3f}", f"{append['ratio']:.2f}x", f"<= {TARGET_APPEND_RATIO}x",
                 "PASS" if marks["append"] else "FAIL"))
    return rows


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
