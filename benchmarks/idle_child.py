"""Idle CPU: process CPU time over a fixed window of wall time, nobody pressing
a key. Run by benchmarks/run.py, both modes at once, in fresh interpreters:

    python benchmarks/idle_child.py baseline|ehplan OUT.json START SECONDS [RUNS]

``baseline`` is a minimal Textual app whose one Static shows a clock that
``set_interval`` updates every second. ``ehplan`` is the real EhplanApp on
``benchmarks/data/playbooks/bench_eight_timers.yaml`` with a fresh log
directory on disk: RUNS (default 3) runs are started through
``app.start_run`` one after another, the last stays on screen with its eight
countdowns and the strip of the others; the app's own 1 s tick
(``tick_every_s``) ticks all of them. Both run headless at 100x30 through
``App.run_async`` (no pilot).

START is a CLOCK_MONOTONIC instant the parent gives both children: each
sets up before it, then reads ``getrusage(RUSAGE_SELF)`` (user + system, all
threads) at START and at START + SECONDS, so both measure the same wall
time. A child not set up by START fails rather than measure its start-up.
Frames composed and ticks in the window are counted too.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PLAYBOOKS = HERE / "data" / "playbooks"
SIZE = (100, 30)


def now() -> float:
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build_baseline() -> tuple[Any, dict[str, int]]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    counts = {"ticks": 0}

    class ClockApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(id="clock")

        def on_mount(self) -> None:
            self.set_interval(1.0, self.tick)
            self.tick()

        def tick(self) -> None:
            counts["ticks"] += 1
            self.query_one("#clock", Static).update(time.strftime("%H:%M:%S"))

    return ClockApp(), counts


def build_ehplan(log_dir: Path) -> tuple[Any, dict[str, int]]:
    from ehplan import resources
    from ehplan.library import load_library
    from ehplan.text import DEFAULT_LANG
    from ehplan.tui.app import EhplanApp

    counts = {"ticks": 0}
    library = load_library([PLAYBOOKS], resources.data_dir(None))
    app = EhplanApp(library, log_dir=log_dir, operator="bench", lang=DEFAULT_LANG, remember_operator=None)
    if app.tick_every_s != 1.0:
        raise RuntimeError(f"the app ticks every {app.tick_every_s} s, not every second")
    original = app.tick_runs

    async def tick_runs() -> None:
        counts["ticks"] += 1
        await original()

    app.tick_runs = tick_runs  # type: ignore[method-assign]  # set_interval binds it at mount
    return app, counts


async def start_runs(app: Any, runs: int) -> dict[str, Any]:
    from ehplan.tui.screens.run import RunScreen
    from ehplan.tui.widgets.countdown import Countdown

    for count in range(1, runs + 1):
        app.start_run("bench_eight_timers")
        for _ in range(500):
            await asyncio.sleep(0.02)
            screen = app.screen
            if len(app.runs) == count and isinstance(screen, RunScreen) and screen.run is app.runs[-1] \
                    and screen.is_mounted and screen.query(Countdown):
                break
        else:
            raise RuntimeError(f"run {count} did not open (screen: {type(app.screen).__name__})")
    return {"runs": len(app.runs), "countdowns_on_screen": len(app.screen.query(Countdown)),
            "countdowns_all_runs": sum(len(run.state.active_timers()) for run in app.runs)}


async def measure(mode: str, start: float, seconds: float, runs: int, log_dir: Path) -> dict[str, Any]:
    app, counts = build_baseline() if mode == "baseline" else build_ehplan(log_dir)
    frames = [0]
    original_display = app._display

    def display(screen: Any, renderable: Any) -> None:
        original_display(screen, renderable)
        if renderable is not None:
            frames[0] += 1

    app._display = display
    task = asyncio.create_task(app.run_async(headless=True, size=SIZE))
    for _ in range(1000):
        await asyncio.sleep(0.01)
        if app.is_running and app.screen.is_mounted:
            break
    setup: dict[str, Any] = {}
    if mode == "ehplan":
        setup = await start_runs(app, runs)
    ready = now()
    if ready > start:
        raise RuntimeError(f"{mode} was not set up by the start of the window ({ready - start:.1f} s late)")
    await asyncio.sleep(start - now())
    cpu0, t0, frames0, ticks0 = cpu_s(), now(), frames[0], counts["ticks"]
    await asyncio.sleep(start + seconds - now())
    cpu1, t1, frames1, ticks1 = cpu_s(), now(), frames[0], counts["ticks"]
    records = sum(len(run.records) for run in getattr(app, "runs", []))
    app.exit()
    await task
    return {"mode": mode, "cpu_s": cpu1 - cpu0, "wall_s": t1 - t0, "window_start": t0,
            "window_late_ms": (t0 - start) * 1000, "setup_spare_s": start - ready,
            "frames": frames1 - frames0, "ticks": ticks1 - ticks0, "records_logged": records, **setup}


def main() -> None:
    mode, out, start, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    with tempfile.TemporaryDirectory(prefix="ehplan-bench-idle-") as tmp:
        result = asyncio.run(measure(mode, start, seconds, runs, Path(tmp) / "logs"))
    Path(out).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
