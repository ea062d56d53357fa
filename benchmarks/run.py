"""ehplan's benchmarks, as ratios against baselines measured in the same run
(the machines are shared and noisy). `make bench` runs this file.

1. cold start: process start -> first painted picker, vs. a minimal Textual
   app that paints one Static; fresh interpreters, interleaved, medians.
2. peak memory: ru_maxrss of those same children (os.wait4), medians.
3. key press -> the frame that shows it, eight countdowns running, fsync on.
4. audit log (audit_bench.py): durable append p99 vs. a bare write+fsync loop
   of the same bytes; `ehplan verify` of a 1,000,000-event log (events/s, and
   vs. a loop that only reads and json-parses each line); `ehplan verify` of a
   20-event log vs. `python -c "import pydantic, yaml"`.
5. `ehplan verify DIR` of 10,000 small chained runs (many_bench.py): one core
   vs. a read+json-parse loop, and every core vs. one; `ehplan runs DIR` of
   10,000 runs, cold vs. a loop that reads each file's first and last line,
   and warm.
6. `ehplan report` of a 10,000- and a 100,000-event run (report_bench.py): vs.
   a read+json-parse loop, peak memory, and how the time grows.
8. the hub (hub_bench.py, a real PostgreSQL): ingest events/s vs. a bare COPY,
   append -> board p99 with 50 desks, the append p99 with shipping on / hub
   down vs. off.
6b. `ehplan report --summary` of 10,000 small runs (summary_bench.py): warm
   (runs verified before, from the cache) <= 5 s; cold vs. a read+json-parse loop.
7. hostile inputs (hostile_bench.py): `ehplan validate` of the attack corpus at
   1x, 10x and 100x, time and peak memory vs. validating one ordinary
   playbook, and how the cost grows.
8. a busy desk (desk_bench.py): start-up to a picker answering keys with the
   unfinished runs offered, 10,000 closed + 20 unfinished runs vs. an empty
   log dir; key -> frame with three runs of eight countdowns; idle CPU with
   three runs vs. a minimal app with a one-second clock.

Prints a table (figure, baseline, ratio, target, PASS/FAIL), a breakdown of
where ehplan's start-up goes, the heaviest imports (one ``-X importtime`` run
of each app, diagnosis only), and writes benchmarks/results.json. Exits
non-zero only when a benchmark crashes; a missed target is printed as FAIL.

    python benchmarks/run.py [--runs N] [--presses N] [--appends N] [--events N]
                             [--idle-seconds S] [--quick] [--only NAME[,NAME]]

NAME is one of: start, imports, keys, audit_append, audit_verify,
audit_small_verify, many, report, hostile, start_history, keys_three, idle.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import audit_bench
import desk_bench
import hostile_bench
import hub_bench
import many_bench
import report_bench
import summary_bench

HERE = Path(__file__).resolve().parent
STARTUP_CHILD = HERE / "startup_child.py"
KEYPRESS_CHILD = HERE / "keypress_child.py"
RESULTS = HERE / "results.json"

TARGET_START_RATIO = 1.15
TARGET_MEMORY_RATIO = 1.30
TARGET_KEY_P99_MS = 50.0


class BenchCrash(RuntimeError):
    """A child did not produce its measurement."""


def compile_ehplan() -> str:
    """Byte-compile ehplan's own modules, as pip does when it installs a wheel.

    Textual's modules were compiled when pip installed them. Ours, in an editable
    install, are compiled on first import, unless PYTHONDONTWRITEBYTECODE is set
    (as it is on some shared machines): then every start would compile them from
    source again (about 5 ms), which no installed copy does. Python still reads
    existing bytecode under that variable, so compiling once here is enough."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("ehplan")
    assert spec is not None and spec.submodule_search_locations, "ehplan is not installed"
    package = spec.submodule_search_locations[0]
    if not compileall.compile_dir(package, quiet=1):
        raise BenchCrash(f"could not byte-compile {package}")
    return package


def child_env(config_dir: Path) -> dict[str, str]:
    """The caller's environment minus anything that would change what the apps
    load (playbook/data overrides, Textual devtools), with the remembered
    operator written to a scratch config dir and the picker's catalog cached
    in a scratch cache dir instead of the user's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EHPLAN_", "TEXTUAL", "PYTHONPROFILE")) and k not in ("PYTHONIMPORTTIME",)}
    env["EHPLAN_CONFIG_DIR"] = str(config_dir)
    # The picker's catalog cache holds one entry, and the user's cache dir is shared by
    # every checkout on the machine: another one's start would make ours validate
    # before painting. A desk has its own; the warm-up starts fill this one.
    env["EHPLAN_CACHE_DIR"] = str(config_dir.parent / "cache")
    return env


# --- 1 + 2: cold start and memory ------------------------------------------------


def start_once(mode: str, scratch: Path, env: dict[str, str], run: int,
               python_flags: tuple[str, ...] = ()) -> dict[str, Any]:
    """Spawn one fresh interpreter; time from just before the spawn to its first paint."""
    out = scratch / f"{mode}-{run}.json"
    err = scratch / f"{mode}-{run}.err"
    args = [sys.executable, *python_flags, str(STARTUP_CHILD), mode, str(out)]
    if mode == "ehplan":
        args.append(str(scratch / f"logs-{run}"))
    with open(err, "wb") as err_fh:
        t_spawn = time.clock_gettime(time.CLOCK_MONOTONIC)
        proc = subprocess.Popen(args, env=env, cwd=scratch, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err_fh)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not out.exists():
        raise BenchCrash(f"{mode} start-up child failed (exit {proc.returncode}):\n"
                         + err.read_text(encoding="utf-8", errors="replace")[-3000:])
    result = json.loads(out.read_text(encoding="utf-8"))
    marks = {k: (v - t_spawn) * 1000 for k, v in result.pop("marks").items()}
    return {"mode": mode, "paint_ms": marks["first_paint"], "marks_ms": marks,
            "maxrss_kib": usage.ru_maxrss, "stderr_path": str(err), **result}


def bench_start(runs: int, scratch: Path, env: dict[str, str]) -> dict[str, Any]:
    for mode in ("baseline", "ehplan"):  # warm the .pyc caches and the page cache
        start_once(mode, scratch, env, -1)
    samples: dict[str, list[dict[str, Any]]] = {"baseline": [], "ehplan": []}
    for run in range(runs):
        order = ("baseline", "ehplan") if run % 2 == 0 else ("ehplan", "baseline")
        for mode in order:
            samples[mode].append(start_once(mode, scratch, env, run))

    def stats(values: list[float]) -> dict[str, float]:
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    summary: dict[str, Any] = {"runs": runs, "samples": samples}
    for mode, got in samples.items():
        summary[mode] = {
            "paint_ms": stats([s["paint_ms"] for s in got]),
            "in_process_ms": stats([s["paint_ms"] - s["marks_ms"]["interpreter_ready"] for s in got]),
            "maxrss_mib": stats([s["maxrss_kib"] / 1024 for s in got]),
            "maxrss_at_paint_mib": stats([s["maxrss_kib_at_paint"] / 1024 for s in got]),
            "modules": statistics.median(s["modules"] for s in got),
            "notable_loaded": got[-1].get("notable_loaded", []),
            "phases_ms": phases(mode, got),
        }
    b, e = summary["baseline"], summary["ehplan"]
    summary["start_ratio"] = e["paint_ms"]["median"] / b["paint_ms"]["median"]
    summary["in_process_ratio"] = e["in_process_ms"]["median"] / b["in_process_ms"]["median"]
    summary["memory_ratio"] = e["maxrss_mib"]["median"] / b["maxrss_mib"]["median"]
    return summary


PHASES = {
    "baseline": [
        ("spawn + interpreter start", None, "interpreter_ready"),
        ("import textual.app + widgets", "interpreter_ready", "imports_done"),
        ("build the app", "imports_done", "app_run_called"),
        ("App.run -> first paint", "app_run_called", "first_paint"),
    ],
    "ehplan": [
        ("spawn + interpreter start", None, "interpreter_ready"),
        ("import the ehplan entry point", "interpreter_ready", "imports_done"),
        ("click + import ehplan.library (pydantic, models)", "imports_done", "library_imported"),
        ("import session/audit/engine, yamlpos", "library_imported", "load_library_start"),
        ("load_library(): read + validate playbooks/data", "load_library_start", "load_library_end"),
        ("settings + import ehplan.tui.app (textual) + EhplanApp()", "load_library_end", "app_run_called"),
        ("App.run -> first painted picker", "app_run_called", "first_paint"),
    ],
}


def phases(mode: str, got: list[dict[str, Any]]) -> dict[str, float]:
    """Median duration of each start-up phase (ms)."""
    found = {}
    for label, start, end in PHASES[mode]:
        values = [s["marks_ms"][end] - (s["marks_ms"][start] if start else 0.0) for s in got
                  if end in s["marks_ms"] and (start is None or start in s["marks_ms"])]
        if values:
            found[label] = statistics.median(values)
    return found


# --- import-time diagnosis -----------------------------------------------------------


def parse_importtime(text: str) -> list[dict[str, Any]]:
    rows = []
    for line in text.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        raw_name = parts[2].rstrip()
        depth = (len(raw_name) - len(raw_name.lstrip(" ")) - 1) // 2
        rows.append({"module": raw_name.strip(), "self_ms": int(parts[0]) / 1000,
                     "cumulative_ms": int(parts[1]) / 1000, "depth": depth})
    return rows


def bench_imports(scratch: Path, env: dict[str, str]) -> dict[str, Any]:
    """One -X importtime run of each app (diagnosis only: importtime slows imports)."""
    found = {}
    for mode in ("baseline", "ehplan"):
        result = start_once(mode, scratch, env, 1000, ("-X", "importtime"))
        found[mode] = parse_importtime(Path(result["stderr_path"]).read_text(encoding="utf-8"))
    baseline_modules = {row["module"] for row in found["baseline"]}
    extra = [row for row in found["ehplan"] if row["module"] not in baseline_modules]
    by_package: dict[str, float] = {}
    for row in extra:
        root = row["module"].split(".")[0]
        by_package[root] = by_package.get(root, 0.0) + row["self_ms"]
    own = [row for row in found["ehplan"] if row["module"].startswith("ehplan")]
    return {
        "baseline_total_ms": sum(r["self_ms"] for r in found["baseline"]),
        "ehplan_total_ms": sum(r["self_ms"] for r in found["ehplan"]),
        "ehplan_only_total_ms": sum(r["self_ms"] for r in extra),
        "ehplan_only_modules": len(extra),
        "top10_cumulative_ehplan_only": sorted(extra, key=lambda r: -r["cumulative_ms"])[:10],
        "top10_self_ehplan_only": sorted(extra, key=lambda r: -r["self_ms"])[:10],
        "ehplan_only_self_by_package_ms": dict(sorted(by_package.items(), key=lambda kv: -kv[1])[:10]),
        "top10_cumulative_ehplan_modules": sorted(own, key=lambda r: -r["cumulative_ms"])[:10],
    }


# --- 3: key press -> frame -------------------------------------------------------------


def bench_keys(presses: int, scratch: Path, env: dict[str, str]) -> dict[str, Any]:
    out = scratch / "keypress.json"
    proc = subprocess.run([sys.executable, str(KEYPRESS_CHILD), str(out), str(presses)], env=env,
                          cwd=scratch, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    if proc.returncode != 0 or not out.exists():
        raise BenchCrash(f"key-press child failed (exit {proc.returncode}):\n"
                         + proc.stderr.decode(errors="replace")[-3000:])
    return json.loads(out.read_text(encoding="utf-8"))


# --- report ------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(results: dict[str, Any]) -> list[str]:
    lines = []
    start, keys = results.get("start"), results.get("keys")
    rows = [("figure", "ehplan", "baseline", "ratio", "target", "result")]
    if start:
        b, e = start["baseline"], start["ehplan"]
        rows.append(("cold start -> first paint, median ms", f"{e['paint_ms']['median']:.1f}",
                     f"{b['paint_ms']['median']:.1f}", f"{start['start_ratio']:.2f}x",
                     f"<= {TARGET_START_RATIO:.2f}x", verdict(start["start_ratio"] <= TARGET_START_RATIO)))
        rows.append(("  (in-process part, info only)", f"{e['in_process_ms']['median']:.1f}",
                     f"{b['in_process_ms']['median']:.1f}", f"{start['in_process_ratio']:.2f}x", "", ""))
        rows.append(("peak RSS (ru_maxrss), median MiB", f"{e['maxrss_mib']['median']:.1f}",
                     f"{b['maxrss_mib']['median']:.1f}", f"{start['memory_ratio']:.2f}x",
                     f"<= {TARGET_MEMORY_RATIO:.2f}x", verdict(start["memory_ratio"] <= TARGET_MEMORY_RATIO)))
    if keys:
        p99 = keys["p99_ms"]
        ok = p99 is not None and p99 <= TARGET_KEY_P99_MS and not keys["failures"] and keys["all_durable_at_frame"]
        rows.append((f"key -> frame p99 ms ({keys['measured']} presses)", f"{p99:.1f}", "-",
                     f"{p99 / TARGET_KEY_P99_MS:.2f}x of target", f"<= {TARGET_KEY_P99_MS:.0f} ms", verdict(ok)))
        rows.append(("  key -> frame p50 / max ms", f"{keys['p50_ms']:.1f} / {keys['max_ms']:.1f}", "", "", "", ""))
    rows.extend(audit_bench.table_rows(results))
    rows.extend(many_bench.table_rows(results))
    rows.extend(hub_bench.table_rows(results))
    rows.extend(report_bench.table_rows(results))
    rows.extend(summary_bench.table_rows(results))
    rows.extend(hostile_bench.table_rows(results))
    rows.extend(desk_bench.table_rows(results))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[j]) if j == 0 else cell.rjust(widths[j])
                               for j, cell in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    if start:
        lines.append("")
        lines.append("loaded at ehplan's first paint: " + ", ".join(start["ehplan"]["notable_loaded"]))
        lines.append(f"start-up runs: {start['runs']} each, interleaved; ranges (min-max ms): "
                     f"ehplan {start['ehplan']['paint_ms']['min']:.0f}-{start['ehplan']['paint_ms']['max']:.0f}, "
                     f"baseline {start['baseline']['paint_ms']['min']:.0f}-{start['baseline']['paint_ms']['max']:.0f}; "
                     f"modules loaded: ehplan {start['ehplan']['modules']:.0f}, "
                     f"baseline {start['baseline']['modules']:.0f}")
        for mode in ("ehplan", "baseline"):
            lines.append(f"where {mode}'s start goes (median ms from spawn):")
            for label, ms in start[mode]["phases_ms"].items():
                lines.append(f"  {ms:7.1f}  {label}")
    imports = results.get("imports")
    if imports:
        lines.append("")
        lines.append(f"-X importtime (one run each, inflated by importtime itself): ehplan "
                     f"{imports['ehplan_total_ms']:.0f} ms of imports, baseline {imports['baseline_total_ms']:.0f} ms; "
                     f"{imports['ehplan_only_modules']} modules ({imports['ehplan_only_total_ms']:.0f} ms) "
                     f"only ehplan loads")
        lines.append("  ehplan-only import self time by package (ms): " + ", ".join(
            f"{k} {v:.0f}" for k, v in imports["ehplan_only_self_by_package_ms"].items()))
        lines.append("  top 10 ehplan-only imports by cumulative time (ms):")
        for row in imports["top10_cumulative_ehplan_only"]:
            lines.append(f"    {row['cumulative_ms']:7.1f}  {'  ' * min(row['depth'], 6)}{row['module']}")
    if keys:
        lines.append("")
        bd = keys["breakdown_ms"]

        def fmt(name: str) -> str:
            got = bd.get(name)
            return "n/a" if not got else f"p50 {got['p50']:.1f} / p99 {got['p99']:.1f}"

        lines.append(f"key press: {keys['countdowns']} countdowns on screen, log fsynced and durable before "
                     f"every frame: {keys['all_durable_at_frame']}, log verified intact: "
                     f"{keys['log']['verified_intact']} ({keys['log']['records']} records); "
                     f"{keys['over_50ms']} of {keys['measured']} presses over 50 ms")
        lines.append(f"  key -> Session.execute starts   {fmt('key_to_execute')} ms")
        lines.append(f"  decide + write + fsync + fold   {fmt('execute_decide_write_fsync')} ms")
        lines.append(f"  execute done -> frame           {fmt('execute_to_frame')} ms")
        lines.append(f"  CPU time key -> frame           {fmt('cpu_time_key_to_frame')} ms (all threads)")
        gen2, clean = keys.get("gen2_gc_ms_in_presses"), keys.get("without_gen2_gc")
        objects = keys.get("gc_tracked_objects", {})
        lines.append(f"  full (gen-2) GC inside {keys['presses_with_gen2_gc']} presses"
                     + (f", pause p50 {gen2['p50']:.1f} / max {gen2['max']:.1f} ms" if gen2 else "")
                     + (f"; presses without one: p99 {clean['p99']:.1f} / max {clean['max']:.1f} ms" if clean else "")
                     + (f"; GC-tracked objects {objects.get('first_press')} -> {objects.get('last_press')}"
                        if objects else ""))
        lines.append(f"  clock ticks during the run: {keys['clock_ticks']}, inside a press: "
                     f"{keys['presses_with_clock_tick']}")
        for kind, got in keys["by_kind"].items():
            if got:
                lines.append(f"  {kind:8s} p50 {got['p50']:.1f} / p99 {got['p99']:.1f} / max {got['max']:.1f} ms")
        if keys["failures"]:
            lines.append("  FAILURES: " + "; ".join(keys["failures"]))
    audit = audit_bench.detail_lines(results) + hostile_bench.detail_lines(results) + desk_bench.detail_lines(results)
    if audit:
        lines.append("")
        lines.extend(audit)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11, help="cold starts of each app (default 11)")
    parser.add_argument("--presses", type=int, default=250, help="key presses (default 250)")
    parser.add_argument("--appends", type=int, default=2000, help="timed audit appends (default 2000)")
    parser.add_argument("--events", type=int, default=1_000_000,
                        help="events in the log `ehplan verify` reads (default 1000000)")
    parser.add_argument("--idle-seconds", type=float, default=None,
                        help="the idle CPU window (default 60 s; 15 s with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="shorter and noisier: 5 starts of each app, 100 presses, a 15 s idle window")
    parser.add_argument("--only", action="append", default=[], metavar="NAME[,NAME]",
                        help="run only these benchmarks (repeatable; see the list above)")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.presses = min(args.runs, 5), min(args.presses, 100)
    idle_seconds = args.idle_seconds if args.idle_seconds is not None else (15.0 if args.quick else 60.0)

    t0 = time.perf_counter()
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "load_avg_before": os.getloadavg(), "platform": platform.platform()},
        "targets": {"start_ratio": TARGET_START_RATIO, "memory_ratio": TARGET_MEMORY_RATIO,
                    "key_p99_ms": TARGET_KEY_P99_MS, **audit_bench.TARGETS, **hostile_bench.TARGETS,
                    **many_bench.TARGETS, **report_bench.TARGETS, **hub_bench.TARGETS, **desk_bench.TARGETS,
                    **summary_bench.TARGETS},
        "args": vars(args),
    }
    try:
        import textual

        results["textual"] = textual.__version__
    except Exception:  # noqa: BLE001 - informational only
        pass
    results["compiled"] = compile_ehplan()
    crashed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ehplan-bench-") as tmp:
        scratch = Path(tmp)
        config = scratch / "config"
        config.mkdir()
        env = child_env(config)
        steps = (("start", lambda: bench_start(args.runs, scratch, env)),
                 ("imports", lambda: bench_imports(scratch, env)),
                 ("keys", lambda: bench_keys(args.presses, scratch, env)),
                 ("audit_append", lambda: audit_bench.bench_append(scratch, args.appends)),
                 ("audit_verify", lambda: audit_bench.bench_verify(scratch, env, args.events)),
                 ("audit_small_verify", lambda: audit_bench.bench_small_verify(scratch, env)),
                 ("many", lambda: many_bench.bench_many(scratch, env)),
                 ("report", lambda: report_bench.bench_report(scratch)),
                 ("summary", lambda: summary_bench.bench_summary(scratch, env)),
                 ("hostile", lambda: hostile_bench.bench_hostile(scratch / "hostile")),
                 ("hub", lambda: hub_bench.bench_hub(scratch / "hub")),
                 ("start_history", lambda: desk_bench.bench_history_start(args.runs, scratch, env)),
                 ("keys_three", lambda: desk_bench.bench_keys_three(args.presses, scratch, env)),
                 ("idle", lambda: desk_bench.bench_idle(idle_seconds, scratch, env)))
        only = {name for chosen in args.only for name in chosen.split(",") if name}
        unknown = only - {name for name, _ in steps}
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
        for name, step in steps:
            if only and name not in only:
                continue
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            try:
                results[name] = step()
            except Exception as exc:  # noqa: BLE001 - report, keep going, exit non-zero
                crashed.append(name)
                results[f"{name}_error"] = "".join(traceback.format_exception(exc))
                print(f"[bench] {name} CRASHED:\n{results[f'{name}_error']}", file=sys.stderr)
    results["machine"]["load_avg_after"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - t0
    start, keys = results.get("start"), results.get("keys")
    results["verdicts"] = {
        "start": None if not start else start["start_ratio"] <= TARGET_START_RATIO,
        "memory": None if not start else start["memory_ratio"] <= TARGET_MEMORY_RATIO,
        "keys": None if not keys else (keys["p99_ms"] is not None and keys["p99_ms"] <= TARGET_KEY_P99_MS
                                       and not keys["failures"] and keys["all_durable_at_frame"]),
        **audit_bench.verdicts(results),
        **hostile_bench.verdicts(results),
        **many_bench.verdicts(results),
        **report_bench.verdicts(results),
        **summary_bench.verdicts(results),
        **hub_bench.verdicts(results),
        **desk_bench.verdicts(results),
    }
    RESULTS.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    for line in report(results):
        print(line)
    print(f"\n{results['seconds']:.0f} s; load average before {results['machine']['load_avg_before'][0]:.2f}, "
          f"after {results['machine']['load_avg_after'][0]:.2f}; results in {RESULTS}")
    if crashed:
        print(f"CRASHED: {', '.join(crashed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
