"""A drill in the app: the briefing first (Esc leaves), then the scenario's
playbook runs as DRILL with the scenario in its log; injects arrive at their
run times, logged before they are shown; the summary carries the score."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import messages, of_type, text_of

from ehplan.drill import load_scenario
from ehplan.engine import commands as cmd
from ehplan.tui.app import EhplanApp
from ehplan.tui.screens.dialogs import BriefingDialog
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.screens.summary import SummaryScreen

ROOT = Path(__file__).resolve().parents[2]


def on_fake_clock(app: EhplanApp) -> EhplanApp:
    """The fake clock moves only when a test moves it, and then the test ticks."""
    app.tick_every_s = None
    return app


def drill_app(tmp_path, example_library, clock) -> EhplanApp:  # type: ignore[no-untyped-def]
    scenario = load_scenario(ROOT / "tests/data/drills/example_drill.yaml", example_library)
    return on_fake_clock(EhplanApp(example_library, log_dir=tmp_path / "logs", operator="Ann", lang="en",
                                   clock=clock, mode="drill", resume_offer=False, scenario=scenario))


async def test_briefing_then_a_drill_run_with_injects_and_a_score(tmp_path, example_library, clock):
    app = drill_app(tmp_path, example_library, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BriefingDialog)
        assert "The hall system is down." in text_of(app, "#briefing")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert "│ DRILL │" in text_of(app, "#run-header")
        started = app.session.records[0].data
        assert started["mode"] == "drill" and started["scenario"] == "example_drill"

        clock.advance(59)
        await app.tick_runs()
        assert of_type(app, "inject_delivered") == []
        clock.advance(1)
        await app.tick_runs()
        await pilot.pause()
        (inject,) = of_type(app, "inject_delivered")
        assert inject == {"inject": "queue", "text": "Customers [bold]queue[/bold] up.", "at_s": 60}
        assert "Customers [bold]queue[/bold] up." in messages(app)  # shown literally, after it was logged
        assert text_of(app, "#side-injects") == "✉ Drill inject\n• Customers [bold]queue[/bold] up."
        await pilot.press("f9")  # the inject pane follows the language, as the rest of the screen does
        await pilot.pause()
        assert text_of(app, "#side-injects") == "✉ 演練注入\n• 客戶開始排長隊。"
        await pilot.press("f9", "f9")
        await pilot.pause()
        await app.tick_runs()
        assert len(of_type(app, "inject_delivered")) == 1  # once

        for command in (cmd.Continue(), cmd.TickItem("explain"), cmd.TickItem("divert"), cmd.Continue(),
                        cmd.LogContact("it_centre", "answered")):
            app.session.execute(command)
        app.screen.render_state()
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        summary = text_of(app, "#summary")
        assert "Drill score: 7/9 (78%)" in summary
        assert "Explain the cause — late" not in summary  # exactly at the limit is in time
        assert "✓ 2/2  Explain the cause — met at 01:00 (seq " in summary


async def test_escape_at_the_briefing_leaves_without_a_run(tmp_path, example_library, clock):
    app = drill_app(tmp_path, example_library, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.session is None
    assert not (tmp_path / "logs").exists() or not list((tmp_path / "logs").glob("*.jsonl"))


async def test_with_no_name_yet_the_drill_asks_for_it_then_briefs_then_starts(tmp_path, example_library, clock):
    from ehplan.tui.screens.dialogs import TextDialog

    scenario = load_scenario(ROOT / "tests/data/drills/example_drill.yaml", example_library)
    app = on_fake_clock(EhplanApp(example_library, log_dir=tmp_path / "logs", operator=None, lang="en", clock=clock,
                                  mode="drill", resume_offer=False, scenario=scenario))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)  # the name first, alone
        await pilot.press(*"Kim", "enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingDialog)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert app.session.records[0].data["operator"] == "Kim"


async def test_an_unfinished_drill_is_never_offered_to_resume_as_a_live_run(tmp_path, make_app, example_library,
                                                                           clock):
    from ehplan.session import Session
    from ehplan.tui.screens.picker import PickerScreen

    start = cmd.StartRun("example", "drill-1", "Bo", "drill", "en", 10, "example_drill")
    session = Session.start(example_library, tmp_path / "logs", start, clock)
    session.execute(cmd.Continue())
    session.close()
    live = cmd.StartRun("example", "live-1", "Bo", "live", "en")
    Session.start(example_library, tmp_path / "logs", live, clock).close()
    app = make_app(tmp_path, clock=clock, resume_offer=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert [run.path.name for run in app._open_runs()] == [p.name for p in (tmp_path / "logs").glob("*live-1*")]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen) and app.session is None


async def test_the_scenario_forces_a_call_outcome_and_holds_a_step_back_in_the_app(tmp_path, shipped_library, clock):
    from ehplan import resources
    from ehplan.drill import start_instant
    from ehplan.engine.clock import DrillClock

    scenario = load_scenario(resources.drills_dir() / "hotline_holiday.yaml", shipped_library)
    app = EhplanApp(shipped_library, log_dir=tmp_path / "drills", operator="Ann", lang="en",
                    clock=DrillClock(clock, 10, epoch=start_instant(scenario, shipped_library)), mode="drill",
                    resume_offer=False, scenario=scenario)
    app.tick_every_s = None  # the fake clock moves only when the test moves it, and then it ticks
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app.session.records[0].ts.startswith("2026-10-02T10:00:00")  # the simulated start
        await app.screen.execute(cmd.LogContact("it_centre", "answered"))  # the trainee says answered…
        await pilot.pause()
        assert app.session.state.contacts[-1].outcome == "no_answer"  # …the scenario says nobody did
        assert "Nobody answers at the IT centre (a holiday). Try again." in messages(app)
        for command in (cmd.LogContact("group_head", "answered"), cmd.Continue(),
                        cmd.LogContact("it_centre", "answered"), cmd.Continue(), cmd.Choose("cannot_answer"),
                        cmd.LogContact("line_head", "answered"), cmd.LogContact("it_centre", "answered"),
                        cmd.Continue(), cmd.LogContact("hotline_supervisor", "answered"), cmd.Continue(),
                        cmd.LogContact("cc_line_head", "answered"), cmd.Continue(), cmd.TickItem("report_manager"),
                        cmd.TickItem("file_handling"), cmd.TickItem("follow_up"), cmd.Continue()):
            assert await app.screen.execute(command) is not None, command
        assert app.session.state.step == "answer_it_arrived"
        assert await app.screen.execute(cmd.Continue()) is None  # held back: the technician is not there yet
        await pilot.pause()
        assert "The technician has not arrived yet." in messages(app)


async def test_an_unfinished_drill_of_the_scenario_is_offered_and_goes_on_from_where_it_stopped(
        tmp_path, example_library, clock):
    from ehplan.engine.clock import DrillClock
    from ehplan.session import Session
    from ehplan.tui.screens.resume import ResumeScreen

    scenario = load_scenario(ROOT / "tests/data/drills/example_drill.yaml", example_library)
    drill_clock = DrillClock(clock, 10)
    start = cmd.StartRun("example", "drill-1", "Bo", "drill", "en", 10, scenario.id)
    session = Session.start(example_library, tmp_path / "drills", start, drill_clock)
    clock.advance(12)  # two drill minutes in
    session.execute(cmd.Continue())
    session.execute(cmd.TrainerAction("pause"))
    drill_clock.pause()
    session.close()  # the trainee's terminal was closed
    stopped = session.state.last_ts
    clock.advance(3600)  # an hour later
    app = EhplanApp(example_library, log_dir=tmp_path / "drills", operator="Bo", lang="en",
                    clock=DrillClock(clock, 10), mode="drill", resume_offer=True, scenario=scenario)
    app.tick_every_s = None  # the fake clock moves only when the test moves it, and then it ticks
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        resumed = app.session.records[-1]
        assert resumed.type == "run_resumed" and resumed.ts == stopped  # neither backwards nor an hour on
        assert app.session.state.paused and "⏸ PAUSED" in text_of(app, "#run-header")
        clock.advance(60)
        assert app.clock.now().isoformat(timespec="milliseconds") == stopped  # still paused for the trainer
