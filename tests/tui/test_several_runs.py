"""Several incidents at once on one desk: a second (third) run starts while one
runs, from the picker or F5–F8; F12 switches; every other run's nearest
deadline stays in the strip; a hidden run's expiry is logged, rings and offers
the switch; ending one leaves the others; after a crash all are resumed together."""

from __future__ import annotations

import itertools

import pytest
from textual.widgets import OptionList
from tui_helpers import until_run_screen

import ehplan.tui.app
from ehplan.audit import read_log
from ehplan.tui.screens.dialogs import TextDialog
from ehplan.tui.screens.picker import PickerScreen
from ehplan.tui.screens.resume import ResumeScreen
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.screens.summary import SummaryScreen
from ehplan.tui.widgets.runs_strip import RunsStrip


@pytest.fixture(autouse=True)
def _distinct_run_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    numbers = itertools.count(1)
    monkeypatch.setattr(ehplan.tui.app, "new_run_id", lambda clock: f"20240101T010000Z-run{next(numbers)}")


def logged(path) -> list[str]:  # type: ignore[no-untyped-def]
    records, damage = read_log(path)
    assert damage is None
    return [record.type for record in records]


def strip_text(app) -> str:  # type: ignore[no-untyped-def]
    strip = app.screen.query_one(RunsStrip)
    return str(strip.content) if strip.display else ""


async def test_f5_on_a_run_starts_a_second_one_and_f12_switches_back(tmp_path, make_app, shipped_library, clock):
    app = make_app(tmp_path, library=shipped_library, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.start_run("hotline_system_failure")
        await until_run_screen(app, pilot)
        first = app.current
        assert strip_text(app) == ""  # one run: its timers are in its own pane
        clock.advance(30)
        await pilot.press("f5")  # a gas-leak call comes in
        await until_run_screen(app, pilot)
        await app.tick_runs()
        second = app.current
        assert second is not first and second.state.playbook == "gas_accident_report"
        assert first.open and len(app.open_runs()) == 2
        assert first.path != second.path
        assert "F12 ▸ 熱線" in strip_text(app)
        # A note goes to the run on screen, and its dialog names that run.
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        assert second.run_id in str(app.screen.query_one(".dialog-run").content)
        await pilot.press(*"leak", "enter")
        await pilot.pause()
        assert "note_added" in logged(second.path) and "note_added" not in logged(first.path)
        await pilot.press("f12")
        await until_run_screen(app, pilot)
        assert app.current is first and isinstance(app.screen, RunScreen) and app.screen.run is first
        assert "F12 ▸ 燃氣" in strip_text(app)


async def test_a_hidden_runs_expiry_is_logged_rings_and_f12_goes_to_it(tmp_path, make_app, clock):
    app = make_app(tmp_path, clock=clock)
    rang: list[int] = []
    app.bell = lambda: rang.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.start_run("example")  # its 3-minute report starts with the run
        await until_run_screen(app, pilot)
        hidden = app.current
        clock.advance(60)
        await pilot.press("ctrl+n")  # back to the picker for another incident
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await app.tick_runs()
        assert "示例事件" in strip_text(app) and "⏱ 02:00" in strip_text(app)
        app.start_run("example_other")
        await until_run_screen(app, pilot)
        shown = app.current
        assert shown is not hidden
        clock.advance(121)  # the hidden run's 3 minutes are up
        await app.tick_runs()
        await pilot.pause()
        assert "timer_expired" in logged(hidden.path)
        assert rang, "an expiry of a run not on screen rings"
        assert any("F12" in notice and "示例" in notice for notice in app.screen.query_one("#notices").messages)
        assert "‼" in strip_text(app) and app.screen.query_one(RunsStrip).has_class("-overdue")
        await pilot.press("f12")
        await until_run_screen(app, pilot)
        assert app.current is hidden


async def test_ending_one_run_leaves_the_other_running(tmp_path, make_app, clock):
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.start_run("example")
        await until_run_screen(app, pilot)
        keeps = app.current
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.start_run("example_other")
        await until_run_screen(app, pilot)
        ends = app.current
        await pilot.press("f10")
        await pilot.pause()
        if not isinstance(app.screen, SummaryScreen):  # open items: confirm the end
            await pilot.press("y")
            await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert logged(ends.path)[-1] == "run_ended" and ends.closed
        assert keeps.open and app.open_runs() == [keeps]
        await pilot.press("n")  # on to the run still open, not the picker
        await until_run_screen(app, pilot)
        assert app.current is keeps
        clock.advance(200)
        await app.tick_runs()
        assert "timer_expired" in logged(keeps.path)


async def test_three_runs_after_a_crash_are_resumed_together(tmp_path, make_app, shipped_library, clock):
    log_dir = tmp_path / "logs"
    app = make_app(tmp_path, library=shipped_library, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in ("f5", "f6", "f7"):
            await pilot.press(key)
            await until_run_screen(app, pilot)
            clock.advance(20)
        paths = {run.path for run in app.runs}
        assert len(paths) == 3
        await app.tick_runs()
        assert strip_text(app).count("\n") == 1  # the two other runs, a line each
    # The power went: the app is gone, the three runs were never ended.
    clock.advance(60)
    again = make_app(tmp_path, library=shipped_library, clock=clock, resume_offer=True, log_dir=log_dir)
    async with again.run_test(size=(100, 30)) as pilot:
        for _ in range(20):
            await pilot.pause()
            if isinstance(again.screen, ResumeScreen):
                break
        assert isinstance(again.screen, ResumeScreen)
        options = again.screen.query_one("#open-runs", OptionList)
        assert options.option_count == 4 and "3" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")  # the first line: resume all
        await until_run_screen(again, pilot)
        assert {run.path for run in again.runs} == paths
        assert all(logged(path)[-1] == "run_resumed" for path in paths)
        await again.tick_runs()
        assert strip_text(again).count("\n") == 1


async def test_from_the_picker_f12_goes_back_to_the_run_left(tmp_path, make_app, clock):
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.start_run("example")
        await until_run_screen(app, pilot)
        left = app.current
        await pilot.press("ctrl+n")
        await pilot.pause()
        await app.tick_runs()
        assert isinstance(app.screen, PickerScreen) and strip_text(app).startswith("F12 ▸ 示例")
        await pilot.press("f12")
        await until_run_screen(app, pilot)
        assert app.current is left and app.screen.run is left


async def test_the_strip_and_header_follow_the_clock_and_the_strip_its_rows(tmp_path, make_app, clock):
    """Each second redraws the header's clock and the strip's times without laying
    out the screen; the strip's height still follows its number of rows."""
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for playbook in ("example", "example_other", "example"):
            app.start_run(playbook)
            await until_run_screen(app, pilot)
            await pilot.press("ctrl+n")
            await pilot.pause()
        app.show_run(app.runs[-1])
        await until_run_screen(app, pilot)
        strip = app.screen.query_one(RunsStrip)
        before = strip_text(app)
        assert len(before.splitlines()) == 2 and strip.outer_size.height == 2
        clock.advance(61)
        await app.tick_runs()
        await pilot.pause()
        after = strip_text(app)
        assert after != before and len(after.splitlines()) == 2
        assert "│ ⏱ 01:01 │" in str(app.screen.query_one("#run-header").content)
        hidden = next(run for run in app.open_runs() if run is not app.current)
        hidden.session.failure = "disk full"  # its log failed: it leaves the strip
        await app.tick_runs()
        await pilot.pause()
        assert len(strip_text(app).splitlines()) == 1 and strip.outer_size.height == 1
