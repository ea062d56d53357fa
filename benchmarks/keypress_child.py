"""Key press -> the frame that shows it, on the real run screen with eight
live countdowns and fsync on. Run by benchmarks/run.py in its own process:

    python benchmarks/keypress_child.py OUT.json [PRESSES] [RUNS]

The real EhplanApp runs headless under ``run_test(size=(100, 30))`` on
``benchmarks/data/playbooks/bench_eight_timers.yaml`` with the shipped site
data and a fresh log directory on disk (the writer fsyncs every event).

Why not ``pilot.press`` + ``pilot.pause``: both sleep in ``wait_for_idle``
steps of 20 ms (a press alone costs >= 40 ms of sleeping), so their wall time
measures the pilot, not the app. Instead each key is handed to the driver
exactly as a terminal key would be (``driver.send_message(Key)``) and the
app's ``_display`` -- which the screen calls with every composed frame -- is
watched: the press is done at the first frame in which a *new* StepView is
visible and shows the change (the ticked item's ☑ line, or the next
decision's title). At that moment the benchmark also checks that the event is
in ``session.records`` and that the log file on disk has grown: the record was
written and fsynced (Session.execute returns only after fsync) before the
frame was drawn. Between presses the pilot pauses until idle plus a random
0-50 ms, so presses land at every phase of the screen's 1 s clock tick.

With RUNS > 1 (the three-run figure), that many runs of the playbook are
started one after another through ``app.start_run`` (as F5 or the picker
does), each waited for until its screen is up; the keys then go to the last
one, on screen, while the app's real 1 s tick (``tick_every_s``) ticks all
of them and redraws the strip of the others' deadlines. Every run's log is
verified at the end.

Keys: 1..8 tick the eight checklist items, Enter goes on, then "1" alternates
between the decisions ask_a and ask_b for the remaining presses.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PLAYBOOKS = HERE / "data" / "playbooks"
SIZE = (100, 30)
TIMEOUT_S = 10.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): p99 of 250 samples is the 248th."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


async def bench(presses: int, log_dir: Path, runs: int = 1) -> dict[str, Any]:
    from textual import events

    from ehplan import resources
    from ehplan.audit import verify_log
    from ehplan.library import load_library
    from ehplan.text import DEFAULT_LANG
    from ehplan.tui.app import EhplanApp
    from ehplan.tui.screens.run import RunScreen
    from ehplan.tui.widgets.countdown import Countdown
    from ehplan.tui.widgets.step_view import NumberedLine, StepView

    library = load_library([PLAYBOOKS], resources.data_dir(None))
    app = EhplanApp(library, log_dir=log_dir, operator="bench", lang=DEFAULT_LANG, remember_operator=None)

    class Waiter:
        predicate: Callable[[Any], bool] | None = None
        event = asyncio.Event()
        t_frame = 0.0
        cpu_frame = 0.0
        records = 0
        log_size = 0

    waiter = Waiter()
    frames = 0
    original_display = app._display

    def display(screen: Any, renderable: Any) -> None:
        nonlocal frames
        original_display(screen, renderable)
        if renderable is None:
            return
        frames += 1
        predicate = waiter.predicate
        if predicate is not None and predicate(screen):
            waiter.t_frame = time.perf_counter()
            waiter.cpu_frame = time.process_time()
            waiter.predicate = None
            session = app.session
            waiter.records = len(session.records) if session else 0
            waiter.log_size = os.stat(session.path).st_size if session else 0
            waiter.event.set()

    app._display = display  # type: ignore[method-assign]

    def visible_step_views(screen: Any, old: Any) -> list[Any]:
        if screen is not app.screen or not isinstance(screen, RunScreen):
            return []
        shown = screen._compositor.visible_widgets
        return [sv for sv in screen.query(StepView) if sv is not old and sv in shown]

    def shows_step(step_id: str, old: Any) -> Callable[[Any], bool]:
        def predicate(screen: Any) -> bool:
            shown = screen._compositor.visible_widgets
            for sv in visible_step_views(screen, old):
                if sv.step.id == step_id and any(w in shown for w in sv.query("#step-title")):
                    return True
            return False
        return predicate

    def shows_ticked(number: int, old: Any) -> Callable[[Any], bool]:
        def predicate(screen: Any) -> bool:
            shown = screen._compositor.visible_widgets
            for sv in visible_step_views(screen, old):
                for line in sv.query(NumberedLine):
                    if line.number == number and line.has_class("-done") and line in shown:
                        return True
            return False
        return predicate

    # Where the time goes: Session.execute runs in a worker thread (decide,
    # write, fsync, fold); wrap it once the run has started.
    exec_spans: list[tuple[float, float]] = []

    def wrap_session() -> None:
        session = app.session
        original = session.execute

        def execute(command: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(command)
            finally:
                exec_spans.append((t0, time.perf_counter()))

        session.execute = execute  # type: ignore[method-assign]

    # Diagnosis: garbage-collector pauses and the run screen's 1 s clock ticks
    # that fall inside a press (wrapped on the class, in this process only).
    gc_pauses: list[tuple[float, float, int]] = []
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_pauses.append((gc_started[0], time.perf_counter(), info["generation"]))

    gc.callbacks.append(on_gc)
    ticks: list[tuple[float, float]] = []
    original_tick = EhplanApp.tick_runs

    async def tick(self: Any) -> None:
        t0 = time.perf_counter()
        try:
            await original_tick(self)
        finally:
            ticks.append((t0, time.perf_counter()))

    EhplanApp.tick_runs = tick  # type: ignore[method-assign]

    def inside(spans: list[tuple[float, float, Any]] | list[tuple[float, float]], t0: float, t1: float) -> list:
        return [s for s in spans if s[1] > t0 and s[0] < t1]

    rng = random.Random(20261128)
    samples: list[dict[str, Any]] = []
    failures: list[str] = []

    async def run_on_screen(count: int) -> None:
        for _ in range(250):
            screen = app.screen
            if len(app.runs) == count and isinstance(screen, RunScreen) and screen.run is app.runs[-1] \
                    and screen.is_mounted and screen.query(StepView):
                return
            await pilot.pause(0.02)
        raise RuntimeError(f"run {count} did not open (screen: {type(app.screen).__name__})")

    if app.tick_every_s != 1.0:
        raise RuntimeError(f"the app ticks every {app.tick_every_s} s, not every second")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the picker lists only the bench playbook
        await run_on_screen(1)
        for count in range(2, runs + 1):  # more incidents, as F5 or Ctrl+N and the picker start them
            app.start_run("bench_eight_timers")
            await run_on_screen(count)
        await pilot.pause()
        strip_rows = len(str(app.screen.query_one("#runs-strip").render()).splitlines()) if runs > 1 else 0
        wrap_session()
        countdowns = len(app.screen.query(Countdown))
        objects_start = len(gc.get_objects())
        driver = app._driver
        assert driver is not None

        plan: list[tuple[str, str | None, str, Any]] = []
        for n in range(1, 9):
            plan.append((str(n), str(n), "tick", n))
        plan.append(("enter", "\r", "continue", "ask_a"))
        step = "ask_a"
        while len(plan) < presses:
            step = "ask_b" if step == "ask_a" else "ask_a"
            plan.append(("1", "1", "choose", step))

        for i, (key, char, kind, arg) in enumerate(plan):
            await pilot.pause()
            await asyncio.sleep(rng.uniform(0, 0.05))
            screen = app.screen
            old = screen.query(StepView).first() if screen.query(StepView) else None
            records_before = len(app.session.records)
            size_before = os.stat(app.session.path).st_size
            spans_before = len(exec_spans)
            waiter.event.clear()
            waiter.predicate = shows_ticked(arg, old) if kind == "tick" else shows_step(arg, old)
            key_event = events.Key(key, char)
            key_event.set_sender(app)
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            driver.send_message(key_event)  # as the terminal driver's input thread does
            try:
                await asyncio.wait_for(waiter.event.wait(), TIMEOUT_S)
            except TimeoutError:
                waiter.predicate = None
                failures.append(f"press {i} ({kind} {arg}): no frame showed it within {TIMEOUT_S}s"
                                f" (screen: {type(app.screen).__name__})")
                if len(failures) >= 3:
                    raise RuntimeError("the app stopped showing key presses: " + "; ".join(failures)) from None
                continue
            latency = waiter.t_frame - t0
            gcs = inside(gc_pauses, t0, waiter.t_frame)
            span = exec_spans[spans_before] if len(exec_spans) > spans_before else None
            samples.append({
                "i": i, "key": key, "kind": kind, "ms": latency * 1000,
                "cpu_ms": (waiter.cpu_frame - cpu0) * 1000,
                "to_execute_ms": (span[0] - t0) * 1000 if span else None,
                "execute_ms": (span[1] - span[0]) * 1000 if span else None,
                "after_execute_ms": (waiter.t_frame - span[1]) * 1000 if span else None,
                "durable": waiter.records > records_before and waiter.log_size > size_before,
                "gc_ms": sum(b - a for a, b, _ in gcs) * 1000,
                "gc_max_gen": max((g for _, _, g in gcs), default=None),
                "tick_ms": sum(b - a for a, b in inside(ticks, t0, waiter.t_frame)) * 1000,
            })
        await pilot.pause()
        objects_end = len(gc.get_objects())
        session = app.session
        log_path = session.path
        total_records = len(session.records)
        all_logs = [run.path for run in app.runs]
        all_countdowns = sum(len(run.state.active_timers()) for run in app.runs)

    gc.callbacks.remove(on_gc)
    EhplanApp.tick_runs = original_tick  # type: ignore[method-assign]
    check = verify_log(log_path, None)
    others_intact = all(verify_log(path, None).ok for path in all_logs)
    ms = [s["ms"] for s in samples]

    def summary(values: list[float | None]) -> dict[str, float] | None:
        got = [v for v in values if v is not None]
        if not got:
            return None
        return {"p50": statistics.median(got), "p99": percentile(got, 99), "max": max(got)}

    return {
        "presses": len(plan), "measured": len(samples), "failures": failures,
        "countdowns": countdowns, "frames": frames, "size": list(SIZE),
        "runs": runs, "countdowns_all_runs": all_countdowns, "strip_rows": strip_rows,
        "p50_ms": statistics.median(ms) if ms else None,
        "p90_ms": percentile(ms, 90) if ms else None,
        "p99_ms": percentile(ms, 99) if ms else None,
        "max_ms": max(ms) if ms else None,
        "mean_ms": statistics.fmean(ms) if ms else None,
        "first_press_ms": ms[0] if ms else None,
        "over_50ms": sum(1 for v in ms if v > 50),
        "all_durable_at_frame": all(s["durable"] for s in samples),
        "breakdown_ms": {
            "cpu_time_key_to_frame": summary([s["cpu_ms"] for s in samples]),
            "key_to_execute": summary([s["to_execute_ms"] for s in samples]),
            "execute_decide_write_fsync": summary([s["execute_ms"] for s in samples]),
            "execute_to_frame": summary([s["after_execute_ms"] for s in samples]),
        },
        "presses_with_gc": sum(1 for s in samples if s["gc_ms"] > 0),
        "gen2_gc_ms_in_presses": summary([s["gc_ms"] for s in samples if s["gc_max_gen"] == 2]),
        "without_gen2_gc": summary([s["ms"] for s in samples if s["gc_max_gen"] != 2]),
        "gc_tracked_objects": {"first_press": objects_start, "last_press": objects_end},
        "presses_with_gen2_gc": sum(1 for s in samples if s["gc_max_gen"] == 2),
        "clock_ticks": len(ticks),
        "presses_with_clock_tick": sum(1 for s in samples if s["tick_ms"] > 0),
        "slowest": sorted(({k: (round(v, 2) if isinstance(v, float) else v) for k, v in s.items()}
                           for s in samples), key=lambda s: -s["ms"])[:5],
        "by_kind": {kind: summary([s["ms"] for s in samples if s["kind"] == kind])
                    for kind in ("tick", "continue", "choose")},
        "log": {"path_fs_dir": str(log_path.parent), "records": total_records,
                "verified_intact": bool(check.ok) and others_intact, "verified_records": check.records,
                "runs_verified": len(all_logs)},
        "samples_ms": [round(v, 3) for v in ms],
    }


def main() -> None:
    out = sys.argv[1]
    presses = int(sys.argv[2]) if len(sys.argv) > 2 else 250
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    with tempfile.TemporaryDirectory(prefix="ehplan-bench-logs-") as tmp:
        result = asyncio.run(bench(presses, Path(tmp) / "logs", runs))
    Path(out).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
