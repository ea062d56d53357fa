"""A drill as the trainee sees it, frozen: the briefing of the holiday hotline
scenario with its simulated date (a public holiday, and why) above the drill's
facts; and the run screen while the trainer has the drill paused, its header
saying ⏸ PAUSED beside DRILL, the countdowns standing still."""

from __future__ import annotations

import pytest

from ehplan import resources
from ehplan.drill import load_scenario, start_instant
from ehplan.drillrun import send
from ehplan.engine import commands as cmd
from ehplan.engine.clock import DrillClock, FakeClock
from ehplan.tui.app import EhplanApp
from ehplan.tui.screens.run import RunScreen

WIDE = (100, 30)


def holiday_app(tmp_path, shipped_library, clock: FakeClock, lang: str) -> EhplanApp:  # type: ignore[no-untyped-def]
    scenario = load_scenario(resources.drills_dir() / "hotline_holiday.yaml", shipped_library)
    drill_clock = DrillClock(clock, scenario.clock_scale, epoch=start_instant(scenario, shipped_library))
    app = EhplanApp(shipped_library, log_dir=tmp_path / "drills", operator="Ann", lang=lang,  # type: ignore[arg-type]
                    clock=drill_clock, mode="drill", resume_offer=False, scenario=scenario)
    app.tick_every_s = None  # the fake clock moves only when the test moves it, and then it ticks
    return app


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_briefing_shows_the_simulated_holiday(snap_compare, shipped_library, tmp_path, clock, lang):
    assert snap_compare(holiday_app(tmp_path, shipped_library, clock, lang), terminal_size=WIDE)


def test_paused_by_the_trainer(snap_compare, shipped_library, tmp_path, clock):
    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        app.session.execute(cmd.LogContact("group_head", "answered"))
        app.session.execute(cmd.Continue())
        app.session.execute(cmd.LogContact("it_centre", "answered"))  # forced outcomes apply in the app, not here
        clock.advance(72)  # drill minute 12
        send(app.session.path, {"action": "pause"})
        await app.tick_runs()
        clock.advance(300)  # five real minutes of discussion: nothing moves
        await app.tick_runs()
        await pilot.pause()
        assert app.session.state.paused

    app = holiday_app(tmp_path, shipped_library, clock, "en")
    assert snap_compare(app, terminal_size=WIDE, run_before=before)


def test_two_attempts_side_by_side_on_screen(snap_compare):
    """The debrief a class sees (ehplan report --screen A B, or in a browser via
    ehplan serve --debrief): the golden side-by-side lines, literally."""
    from pathlib import Path

    from ehplan.tui.debrief import DebriefApp

    lines = (Path(__file__).resolve().parents[1] / "data/drill_compare_hotline_holiday.txt").read_text(
        encoding="utf-8").splitlines()
    assert snap_compare(DebriefApp(lines[0], lines[1:], "en"), terminal_size=(100, 30))
