"""The audit log's benchmarks, as ratios against baselines measured in the same
run. `benchmarks/run.py` runs them and adds their rows to its table; this file
also runs alone:

    python benchmarks/audit_bench.py [--appends N] [--events N] [--verify-runs N] [--small-runs N]

1. durable append: `AuditWriter.append` (build the canonical line, one
   os.write, os.fsync) of realistic events, vs. a bare os.write + os.fsync loop
   of the very same line bytes into another O_APPEND file in the same
   directory; alternating blocks, every call timed. p99 <= 1.5x.
2. `ehplan verify` of a 1,000,000-event log (a fresh interpreter, wall time,
   start-up included) >= 250,000 events/s and <= 1.2x a fresh interpreter that
   only reads and json-parses each line. The log is built in memory with the
   real serialisation and hashing (no fsync per line) and its first lines are
   checked byte for byte against what the real writer writes.
3. `ehplan verify` of a 20-event log <= 1.3x `python -c "import pydantic, yaml"`;
   medians of interleaved fresh interpreters.

Diagnosis only: one `-X importtime` run of the small verify, and, when a
big-log target fails (or with --profile), a cProfile of `ehplan verify` on a
prefix of the big log.
"""

from __future__ import annotations

import argparse
import gc
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

TARGET_APPEND_P99_RATIO = 1.5
TARGET_VERIFY_EVENTS_PER_S = 250_000.0
TARGET_VERIFY_RATIO = 1.2
TARGET_SMALL_VERIFY_RATIO = 1.3

TARGETS = {
    "audit_append_p99_ratio": TARGET_APPEND_P99_RATIO,
    "audit_verify_events_per_s": TARGET_VERIFY_EVENTS_PER_S,
    "audit_verify_ratio": TARGET_VERIFY_RATIO,
    "audit_small_verify_ratio": TARGET_SMALL_VERIFY_RATIO,
}

TZ = timezone(timedelta(hours=8))
START = datetime(2026, 11, 28, 13, 5, 7, 123000, tzinfo=TZ)
RUN_ID = "bench-0001"
OPERATOR = "op-07 王小明"
MODE = "drill"
FIRST_TYPE = "run_started"
FIRST_DATA: dict[str, Any] = {
    "run": RUN_ID, "playbook": "gas-leak", "version": "2026.3", "content_hash": "ab" * 32,
    "operator": OPERATOR, "mode": MODE, "lang": "zh-Hant", "clock_scale": 1, "scenario": None,
}
SMALL_EVENTS = 20
PROFILE_EVENTS = 200_000
SEPARATOR_BEFORE_HASH = b',"mode":"'
"""In a canonical line `hash` sorts between `data` and `mode`. Inside `data` a
string cannot hold an unescaped quote, so the last `,"mode":"` of a body is the
top-level one and the hash member goes right before it."""

BASELINE_PARSE = "import json, sys\nfor line in open(sys.argv[1], 'rb'): json.loads(line)\n"
BASELINE_IMPORT = "import pydantic, yaml"

_STEPS = ("S5.3.1", "S5.3.2", "S5.3.3", "S5.4")
_NOTES = ("三樓大廳有瓦斯味，已疏散 12 人", "消防隊 14:02 到場，關閉總閥", "客戶陳先生回報：地下室仍有異味",
          "已通知工務課派員 ETA 15 分鐘", "管線巡查完成，無洩漏 ✓")


def event(i: int) -> tuple[str, dict[str, Any]]:
    """The i-th (i >= 1) event of a realistic run: mostly ticks and contacts, with Chinese text."""
    step = _STEPS[(i // 16) % len(_STEPS)]
    kind = i % 8
    if kind in (0, 1, 2):
        return "item_done", {"step": step, "item": f"i{i % 7 + 1}"}
    if kind in (3, 4):
        return "contact_logged", {"contact": ("fire-119", "police-110", "gas-duty", "district-office")[i % 4],
                                  "number": ("119", "110", "02-2345-6789", "02-8765-4321")[i % 4],
                                  "outcome": ("answered", "called", "no_answer")[i % 3], "step": step}
    if kind == 5:
        return "note_added", {"text": _NOTES[i % len(_NOTES)] + f" (#{i})", "step": step}
    if kind == 6:
        return "field_set", {"step": step, "field": "location", "type": "choice", "value": i % 3,
                             "label": ("三樓大廳", "地下停車場", "二樓辦公室")[i % 3]}
    return "step_entered", {"playbook": "gas-leak", "step": step, "via": "next", "kind": "checklist",
                            "source": "ERP §5.3 燃氣洩漏 gas leak"}


def ts_of(i: int) -> datetime:
    return START + timedelta(milliseconds=250 * i)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100), as keypress_child.py computes it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


def spread(values: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(values), "p90": percentile(values, 90), "p99": percentile(values, 99),
            "max": max(values), "mean": statistics.fmean(values)}


class AuditBenchError(RuntimeError):
    """A benchmark could not take its measurement (or produced a wrong log)."""


# --- 1: durable append ----------------------------------------------------------------


def bench_append(scratch: Path, appends: int = 2000, block: int = 25, warmup: int = 25) -> dict[str, Any]:
    """Time every `AuditWriter.append` and every bare write+fsync of the same bytes."""
    from ehplan.audit import create_run, verify_log

    log_dir = scratch / "append-logs"
    writer = create_run(log_dir, RUN_ID, OPERATOR, MODE, FIRST_TYPE, FIRST_DATA, ts_of(0))
    bare_path = log_dir / "bare-write-fsync.bin"  # not *.jsonl: never taken for a run file
    bare = os.open(bare_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
    clock = time.perf_counter_ns
    ehplan_ns: list[int] = []
    bare_ns: list[int] = []
    gen2_in_appends = 0
    gen2_seen = [0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info.get("generation") == 2:
            gen2_seen[0] += 1

    gc.callbacks.append(on_gc)
    try:
        with writer:
            if os.fstat(bare).st_dev != os.stat(writer.path).st_dev:
                raise AuditBenchError("the run file and the baseline file are on different file systems")
            seq = 1
            total = warmup + appends
            while seq <= total:
                count = min(block, total + 1 - seq)
                planned = [event(i) for i in range(seq, seq + count)]
                stamps = [ts_of(i) for i in range(seq, seq + count)]
                lines: list[bytes] = []
                timed: list[int] = []
                for (event_type, data), now in zip(planned, stamps, strict=True):  # ehplan: build + write + fsync
                    before_gc = gen2_seen[0]
                    t0 = clock()
                    record = writer.append(event_type, data, now)
                    t1 = clock()
                    timed.append(t1 - t0)
                    lines.append(record.to_line())
                    if seq > warmup and gen2_seen[0] != before_gc:
                        gen2_in_appends += 1
                bare_timed: list[int] = []
                for line in lines:  # baseline: the same bytes, write + fsync only
                    t0 = clock()
                    written = os.write(bare, line)
                    os.fsync(bare)
                    t1 = clock()
                    if written != len(line):
                        raise AuditBenchError("short write to the baseline file")
                    bare_timed.append(t1 - t0)
                for k in range(count):
                    if seq + k > warmup:
                        ehplan_ns.append(timed[k])
                        bare_ns.append(bare_timed[k])
                seq += count
            run_path = writer.path
    finally:
        gc.callbacks.remove(on_gc)
        os.close(bare)
    run_bytes = run_path.read_bytes()
    bare_bytes = bare_path.read_bytes()
    if not run_bytes.endswith(bare_bytes):
        raise AuditBenchError("the baseline did not write the same bytes as the run file")
    checked = verify_log(run_path)
    if not checked.ok or checked.records != appends + warmup + 1:
        raise AuditBenchError(f"the appended run does not verify: {checked}")
    e_ms = [v / 1e6 for v in ehplan_ns]
    b_ms = [v / 1e6 for v in bare_ns]
    e, b = spread(e_ms), spread(b_ms)
    line_lengths = [len(line) for line in bare_bytes.splitlines(keepends=True)]
    return {
        "appends": appends, "warmup": warmup, "block": block,
        "ehplan_ms": e, "baseline_ms": b,
        "p99_ratio": e["p99"] / b["p99"], "p50_ratio": e["p50"] / b["p50"],
        "median_overhead_us": (e["p50"] - b["p50"]) * 1000,
        "line_bytes": {"mean": statistics.fmean(line_lengths), "max": max(line_lengths)},
        "gen2_gc_in_appends": gen2_in_appends,
        "verified_records": checked.records,
        "samples_ms": {"ehplan": e_ms, "baseline": b_ms},
    }


# --- the logs verify reads ---------------------------------------------------------------


def write_small_log(log_dir: Path, events: int = SMALL_EVENTS) -> Path:
    """A run written by the real writer (fsync and all): seq 0 plus events - 1 appends."""
    from ehplan.audit import create_run

    with create_run(log_dir, RUN_ID, OPERATOR, MODE, FIRST_TYPE, FIRST_DATA, ts_of(0)) as writer:
        for i in range(1, events):
            event_type, data = event(i)
            writer.append(event_type, data, ts_of(i))
    return writer.path


def generate_log(path: Path, events: int) -> dict[str, Any]:
    """Write a run of `events` records without an fsync per line.

    Each record's body goes through the real `canonical_bytes` and `hash_bytes`
    (what `compute_hash` does); the hash member is spliced into the body bytes,
    which is the canonical line (see SEPARATOR_BEFORE_HASH).
    """
    from ehplan.audit import GENESIS
    from ehplan.audit.canonical import canonical_bytes, hash_bytes
    from ehplan.audit.record import FORMAT_VERSION, format_ts

    t0 = time.perf_counter()
    body: dict[str, Any] = {"v": FORMAT_VERSION, "seq": 0, "ts": "", "run": RUN_ID, "operator": OPERATOR,
                            "mode": MODE, "type": FIRST_TYPE, "data": {**FIRST_DATA, "prev_run": None},
                            "prev": GENESIS, "alg": "sha256"}
    prev = GENESIS
    size = 0
    with open(path, "wb", buffering=1 << 20) as out:
        for i in range(events):
            if i:
                body["type"], body["data"] = event(i)
            body["seq"] = i
            body["ts"] = format_ts(ts_of(i))
            body["prev"] = prev
            payload = canonical_bytes(body)
            prev = hash_bytes(payload, None)
            at = payload.rfind(SEPARATOR_BEFORE_HASH)
            line = b"".join((payload[:at], b',"hash":"', prev.encode("ascii"), b'"', payload[at:], b"\n"))
            size += out.write(line)
    return {"events": events, "bytes": size, "seconds": time.perf_counter() - t0, "final_hash": prev}


def check_generator(scratch: Path) -> Path:
    """Write the small log with the real writer and check the generator makes the same bytes."""
    small = write_small_log(scratch / "small-logs")
    generated = scratch / "generator-check.jsonl"
    generate_log(generated, SMALL_EVENTS)
    if generated.read_bytes() != small.read_bytes():
        raise AuditBenchError("the fast log generator does not write what AuditWriter writes")
    generated.unlink()
    return small


# --- fresh interpreters ----------------------------------------------------------------------


def timed_run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    t0 = time.perf_counter()
    proc = subprocess.run(args, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    return time.perf_counter() - t0, proc


def verify_args(path: Path) -> list[str]:
    return [sys.executable, "-m", "ehplan", "verify", str(path)]


def run_verify(path: Path, events: int, env: dict[str, str], cwd: Path) -> float:
    seconds, proc = timed_run(verify_args(path), env, cwd)
    out = proc.stdout.decode("utf-8", errors="replace")
    if proc.returncode != 0 or f"intact, {events} records" not in out:
        raise AuditBenchError(f"ehplan verify {path.name} failed (exit {proc.returncode}):\n{out[-1000:]}"
                              + proc.stderr.decode(errors="replace")[-3000:])
    return seconds


def run_baseline(args: list[str], env: dict[str, str], cwd: Path) -> float:
    seconds, proc = timed_run(args, env, cwd)
    if proc.returncode != 0:
        raise AuditBenchError(f"baseline {args[1:3]} failed (exit {proc.returncode}):\n"
                              + proc.stderr.decode(errors="replace")[-3000:])
    return seconds


def interleaved(runs: int, first: Any, second: Any) -> tuple[list[float], list[float]]:
    """`runs` calls of each, in ABBA order, so drift hits both alike."""
    a: list[float] = []
    b: list[float] = []
    for run in range(runs):
        if run % 2 == 0:
            a.append(first())
            b.append(second())
        else:
            b.append(second())
            a.append(first())
    return a, b


def stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


# --- 2: verify a big log -----------------------------------------------------------------------


def bench_verify(scratch: Path, env: dict[str, str], events: int = 1_000_000, runs: int = 3,
                 profile: bool | None = None) -> dict[str, Any]:
    check_generator(scratch)
    big_dir = scratch / "big-log"
    big_dir.mkdir(exist_ok=True)
    from ehplan.audit import run_file_name

    path = big_dir / run_file_name(ts_of(0), RUN_ID)
    generated = generate_log(path, events)
    baseline_args = [sys.executable, "-c", BASELINE_PARSE, str(path)]
    verify_s, parse_s = interleaved(runs, lambda: run_verify(path, events, env, scratch),
                                    lambda: run_baseline(baseline_args, env, scratch))
    v, p = stats(verify_s), stats(parse_s)
    result: dict[str, Any] = {
        "events": events, "runs": runs, "generated": generated,
        "verify_s": v, "parse_s": p, "samples_s": {"verify": verify_s, "parse": parse_s},
        "events_per_s": events / v["median"], "parse_events_per_s": events / p["median"],
        "ratio": v["median"] / p["median"],
        "us_per_event": v["median"] / events * 1e6, "parse_us_per_event": p["median"] / events * 1e6,
    }
    failed = result["events_per_s"] < TARGET_VERIFY_EVENTS_PER_S or result["ratio"] > TARGET_VERIFY_RATIO
    if profile or (profile is None and failed):
        result["profile"] = profile_verify(path, min(events, PROFILE_EVENTS), env, scratch)
    path.unlink()
    return result


def profile_verify(path: Path, events: int, env: dict[str, str], scratch: Path) -> dict[str, Any]:
    """cProfile of `ehplan verify` on the first `events` lines (a prefix of a chain is a chain)."""
    prefix = scratch / "profile" / path.name
    prefix.parent.mkdir(exist_ok=True)
    with open(path, "rb") as src, open(prefix, "wb") as dst:
        for _, line in zip(range(events), src, strict=False):
            dst.write(line)
    out = scratch / "profile" / "verify.prof"
    args = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "ehplan", "verify", str(prefix)]
    seconds, proc = timed_run(args, env, scratch)
    if not out.exists():
        raise AuditBenchError("cProfile of ehplan verify wrote no profile:\n"
                              + proc.stderr.decode(errors="replace")[-3000:])
    raw = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    total = sum(tt for _cc, _nc, tt, _ct, _callers in raw.values())

    def name(key: tuple[str, int, str]) -> str:
        file, line, func = key
        if file == "~":
            return func
        short = "/".join(Path(file).parts[-2:])
        return f"{short}:{line}({func})"

    rows = [{"function": name(k), "calls": nc, "tottime_s": tt, "cumtime_s": ct,
             "share": tt / total if total else 0.0}
            for k, (_cc, nc, tt, ct, _callers) in raw.items()]
    prefix.unlink()
    return {"events": events, "wall_s": seconds, "profiled_s": total,
            "top_tottime": sorted(rows, key=lambda r: -r["tottime_s"])[:12],
            "top_cumtime": sorted(rows, key=lambda r: -r["cumtime_s"])[:12]}


# --- 3: verify a small log ----------------------------------------------------------------------


def bench_small_verify(scratch: Path, env: dict[str, str], runs: int = 11) -> dict[str, Any]:
    small_dir = scratch / "small-logs"
    small = next(iter(sorted(small_dir.glob("*.jsonl"))), None) if small_dir.is_dir() else None
    if small is None:
        small = write_small_log(small_dir)
    baseline_args = [sys.executable, "-c", BASELINE_IMPORT]
    run_verify(small, SMALL_EVENTS, env, scratch)  # warm the .pyc caches and the page cache
    run_baseline(baseline_args, env, scratch)
    verify_s, import_s = interleaved(runs, lambda: run_verify(small, SMALL_EVENTS, env, scratch),
                                     lambda: run_baseline(baseline_args, env, scratch))
    v, b = stats([s * 1000 for s in verify_s]), stats([s * 1000 for s in import_s])
    return {"events": SMALL_EVENTS, "runs": runs, "verify_ms": v, "baseline_ms": b,
            "ratio": v["median"] / b["median"],
            "samples_ms": {"verify": [s * 1000 for s in verify_s], "baseline": [s * 1000 for s in import_s]},
            "imports": importtime(small, env, scratch)}


def importtime(small: Path, env: dict[str, str], scratch: Path) -> dict[str, Any]:
    """One `-X importtime` run of each (diagnosis only: importtime slows imports)."""
    found = {}
    for name, args in (("verify", [sys.executable, "-X", "importtime", *verify_args(small)[1:]]),
                       ("baseline", [sys.executable, "-X", "importtime", "-c", BASELINE_IMPORT])):
        _seconds, proc = timed_run(args, env, scratch)
        rows = []
        for line in proc.stderr.decode(errors="replace").splitlines():
            parts = line.removeprefix("import time:").split("|")
            if not line.startswith("import time:") or len(parts) != 3 or not parts[0].strip().isdigit():
                continue
            rows.append({"module": parts[2].strip(), "self_ms": int(parts[0]) / 1000,
                         "cumulative_ms": int(parts[1]) / 1000})
        found[name] = rows
    baseline_modules = {r["module"] for r in found["baseline"]}
    extra = [r for r in found["verify"] if r["module"] not in baseline_modules]
    roots: dict[str, float] = {}
    for row in extra:
        root = row["module"].split(".")[0]
        roots[root] = roots.get(root, 0.0) + row["self_ms"]
    return {
        "verify_modules": len(found["verify"]), "baseline_modules": len(found["baseline"]),
        "verify_total_ms": sum(r["self_ms"] for r in found["verify"]),
        "baseline_total_ms": sum(r["self_ms"] for r in found["baseline"]),
        "verify_only_total_ms": sum(r["self_ms"] for r in extra),
        "verify_only_by_package_ms": dict(sorted(roots.items(), key=lambda kv: -kv[1])[:8]),
        "pydantic_or_yaml_loaded": sorted({r["module"].split(".")[0] for r in found["verify"]}
                                          & {"pydantic", "yaml", "textual", "rich"}),
    }


# --- report ----------------------------------------------------------------------------------------


def verdicts(results: dict[str, Any]) -> dict[str, bool | None]:
    append, big, small = results.get("audit_append"), results.get("audit_verify"), results.get("audit_small_verify")
    return {
        "audit_append": None if not append else append["p99_ratio"] <= TARGET_APPEND_P99_RATIO,
        "audit_verify_rate": None if not big else big["events_per_s"] >= TARGET_VERIFY_EVENTS_PER_S,
        "audit_verify_ratio": None if not big else big["ratio"] <= TARGET_VERIFY_RATIO,
        "audit_small_verify": None if not small else small["ratio"] <= TARGET_SMALL_VERIFY_RATIO,
    }


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """Rows for run.py's table: (figure, ehplan, baseline, ratio, target, result)."""
    ok = verdicts(results)

    def verdict(flag: bool | None) -> str:
        return "PASS" if flag else "FAIL"

    rows = []
    append = results.get("audit_append")
    if append:
        e, b = append["ehplan_ms"], append["baseline_ms"]
        rows.append((f"audit append p99 ms ({append['appends']}, fsync)", f"{e['p99']:.2f}", f"{b['p99']:.2f}",
                     f"{append['p99_ratio']:.2f}x", f"<= {TARGET_APPEND_P99_RATIO:.2f}x",
                     verdict(ok["audit_append"])))
        rows.append(("  append p50 ms (info only)", f"{e['p50']:.2f}", f"{b['p50']:.2f}",
                     f"{append['p50_ratio']:.2f}x", "", ""))
    big = results.get("audit_verify")
    if big:
        rows.append((f"verify {big['events']:,} events, events/s", f"{big['events_per_s']:,.0f}", "-",
                     f"{big['events_per_s'] / TARGET_VERIFY_EVENTS_PER_S:.2f}x of target",
                     f">= {TARGET_VERIFY_EVENTS_PER_S:,.0f}", verdict(ok["audit_verify_rate"])))
        rows.append((f"verify {big['events']:,} events vs read+json, s", f"{big['verify_s']['median']:.2f}",
                     f"{big['parse_s']['median']:.2f}", f"{big['ratio']:.2f}x", f"<= {TARGET_VERIFY_RATIO:.2f}x",
                     verdict(ok["audit_verify_ratio"])))
    small = results.get("audit_small_verify")
    if small:
        rows.append((f"verify {small['events']}-event log vs import pydantic+yaml, ms",
                     f"{small['verify_ms']['median']:.1f}", f"{small['baseline_ms']['median']:.1f}",
                     f"{small['ratio']:.2f}x", f"<= {TARGET_SMALL_VERIFY_RATIO:.2f}x",
                     verdict(ok["audit_small_verify"])))
    return rows


def detail_lines(results: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    append = results.get("audit_append")
    if append:
        e, b = append["ehplan_ms"], append["baseline_ms"]
        lines.append(f"audit append: {append['appends']} appends after {append['warmup']} warm-up, blocks of "
                     f"{append['block']} alternating with the bare loop; lines {append['line_bytes']['mean']:.0f} "
                     f"bytes on average; run verified ({append['verified_records']} records)")
        lines.append(f"  ehplan   p50 {e['p50']:.3f} / p90 {e['p90']:.3f} / p99 {e['p99']:.3f} / max {e['max']:.3f} ms")
        lines.append(f"  baseline p50 {b['p50']:.3f} / p90 {b['p90']:.3f} / p99 {b['p99']:.3f} / max {b['max']:.3f} ms")
        lines.append(f"  median cost over the bare write+fsync: {append['median_overhead_us']:.0f} us; "
                     f"appends with a full (gen-2) GC inside: {append['gen2_gc_in_appends']}")
    big = results.get("audit_verify")
    if big:
        gen = big["generated"]
        lines.append(f"audit verify: {big['events']:,}-event log of {gen['bytes'] / 2**20:.0f} MiB generated in "
                     f"{gen['seconds']:.1f} s; {big['runs']} runs of each, interleaved; verify "
                     f"{big['verify_s']['min']:.2f}-{big['verify_s']['max']:.2f} s "
                     f"({big['us_per_event']:.2f} us/event), read+json "
                     f"{big['parse_s']['min']:.2f}-{big['parse_s']['max']:.2f} s "
                     f"({big['parse_us_per_event']:.2f} us/event)")
        prof = big.get("profile")
        if prof:
            lines.append(f"  cProfile of ehplan verify on {prof['events']:,} events ({prof['wall_s']:.1f} s under "
                         f"the profiler), top functions by own time:")
            for row in prof["top_tottime"][:10]:
                lines.append(f"    {row['tottime_s']:6.2f} s {row['share'] * 100:4.0f}%  {row['calls']:>9,}  "
                             f"{row['function']}")
    small = results.get("audit_small_verify")
    if small:
        imp = small["imports"]
        lines.append(f"audit small verify: {small['runs']} runs each, interleaved; ranges (min-max ms): verify "
                     f"{small['verify_ms']['min']:.0f}-{small['verify_ms']['max']:.0f}, baseline "
                     f"{small['baseline_ms']['min']:.0f}-{small['baseline_ms']['max']:.0f}")
        lines.append(f"  -X importtime (one run each): verify {imp['verify_modules']} modules "
                     f"{imp['verify_total_ms']:.0f} ms, baseline {imp['baseline_modules']} modules "
                     f"{imp['baseline_total_ms']:.0f} ms; verify-only {imp['verify_only_total_ms']:.0f} ms: "
                     + ", ".join(f"{k} {v:.0f}" for k, v in imp["verify_only_by_package_ms"].items())
                     + f"; heavy packages loaded by verify: {', '.join(imp['pydantic_or_yaml_loaded']) or 'none'}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appends", type=int, default=2000, help="timed appends (default 2000)")
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the big log (default 1000000)")
    parser.add_argument("--verify-runs", type=int, default=3, help="runs of the big verify (default 3)")
    parser.add_argument("--small-runs", type=int, default=11, help="runs of the small verify (default 11)")
    parser.add_argument("--profile", action="store_true", help="always profile the big verify")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EHPLAN_", "PYTHONPROFILE"))
           and k != "PYTHONIMPORTTIME"}
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="ehplan-audit-bench-") as tmp:
        scratch = Path(tmp)
        results["audit_append"] = bench_append(scratch, args.appends)
        results["audit_verify"] = bench_verify(scratch, env, args.events, args.verify_runs,
                                               True if args.profile else None)
        results["audit_small_verify"] = bench_small_verify(scratch, env, args.small_runs)
    rows = [("figure", "ehplan", "baseline", "ratio", "target", "result"), *table_rows(results)]
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for row in rows:
        print("  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(row)).rstrip())
    print()
    for line in detail_lines(results):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
