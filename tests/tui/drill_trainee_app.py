"""The trainee's side of the two-process console test: the real app, headless,
on a drill of the example scenario, in its own process. It says on stdout when
its run screen is up, when the header shows PAUSED, and when the summary is
shown (after the trainer's end). Run as: python drill_trainee_app.py LOG_DIR."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from textual.widgets import Static

from ehplan.drill import load_scenario
from ehplan.engine.clock import DrillClock, SystemClock
from ehplan.library import load_library
from ehplan.tui.app import EhplanApp
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.screens.summary import SummaryScreen

ROOT = Path(__file__).resolve().parents[2]


async def main(log_dir: Path) -> None:
    library = load_library([ROOT / "tests/data/playbooks"], ROOT / "data")
    scenario = load_scenario(ROOT / "tests/data/drills/example_drill.yaml", library)
    app = EhplanApp(library, log_dir=log_dir, operator="Ann", lang="en", clock=DrillClock(SystemClock(), 10),
                    mode="drill", resume_offer=False, scenario=scenario)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(200):
            if isinstance(app.screen, RunScreen):
                break
            await asyncio.sleep(0.05)
        print("RUNNING", flush=True)
        said_paused = False
        for _ in range(300):  # 30 s at most
            await asyncio.sleep(0.1)
            if isinstance(app.screen, SummaryScreen):
                print("SUMMARY", flush=True)
                return
            header = str(app.screen.query_one("#run-header", Static).content)
            if "PAUSED" in header and not said_paused:
                said_paused = True
                print("PAUSED " + header.replace("\n", " "), flush=True)
        print("TIMEOUT", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
