"""Runs survive the app: an unfinished run is offered on start and resumed on
its step, with timers that ran out meanwhile marked expired; the log a Pilot
session wrote folds back to the state it showed; a failed write stops the run
and says "continue on paper"."""

from __future__ import annotations

from textual.widgets import OptionList
from tui_helpers import TO_CALL_IT, fast_forward, messages, of_type, start, text_of, types

from ehplan.audit import AuditWriteError, read_log
from ehplan.engine import commands as cmd
from ehplan.engine.fold import fold
from ehplan.session import Session
from ehplan.tui.screens.picker import PickerScreen
from ehplan.tui.screens.resume import PaperScreen, ResumeScreen
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.widgets.countdown import Countdown


def unfinished_run(library, log_dir, clock) -> Session:  # type: ignore[no-untyped-def]
    """A run left open at the checklist, as a crash or power cut leaves it."""
    session = Session.start(library, log_dir, cmd.StartRun("example", "crashed-1", "Bo"), clock)
    for command in (cmd.Continue(), cmd.TickItem("explain")):
        session.execute(command)
    session.close()
    return session


async def test_an_unfinished_run_is_offered_and_resumed_on_its_step(tmp_path, make_app, example_library, clock):
    log_dir = tmp_path / "logs"
    path = unfinished_run(example_library, log_dir, clock).path
    clock.advance(200)  # the app was down past the 3-minute deadline
    app = make_app(tmp_path, clock=clock, resume_offer=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        options = app.screen.query_one("#open-runs", OptionList)
        assert options.option_count == 1
        listed = str(options.get_option_at_index(0).prompt)
        assert "示例事件" in listed and "Bo" in listed and "即時處理 (S5.1)" in listed
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert app.session.path == path
        assert app.session.state.step == "checks"
        assert text_of(app, "#step-title") == "即時處理"
        assert of_type(app, "run_resumed") == [{"gap_s": 200, "at_step": "checks"}]
        assert [e["key"] for e in of_type(app, "timer_expired")] == ["example/report_3m"]
        expired = {w.timer.key: w for w in app.screen.query(Countdown)}["example/report_3m"]
        assert expired.has_class("-expired") and "‼" in str(expired.render())
        # And it carries on where it stopped: the ticked item stays ticked.
        await pilot.press("2", "enter")
        await pilot.pause()
        assert app.session.state.step == "call_it"


async def test_the_first_offer_comes_from_the_search_begun_after_the_first_frame(tmp_path, make_app,
                                                                                   example_library, clock,
                                                                                   monkeypatch):
    import ehplan.audit
    from ehplan import open_runs as search_module
    from ehplan.open_runs import OpenRunsSearch

    log_dir = tmp_path / "logs"
    path = unfinished_run(example_library, log_dir, clock).path
    search = OpenRunsSearch(log_dir, None)  # as `ehplan` gives it: the app begins it after its first frame
    app = make_app(tmp_path, clock=clock, resume_offer=True)
    app._open_runs_search = search  # what run_app gives the app as open_runs_search
    for where in (ehplan.audit, search_module):  # the offer must be the child's answer, not a search here
        monkeypatch.setattr(where, "find_open_runs", lambda *args: [])
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):  # the child's answer: a fresh interpreter away (~0.1 s, more on a loaded machine)
            await pilot.pause(0.05)
            if isinstance(app.screen, ResumeScreen):
                break
        assert isinstance(app.screen, ResumeScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session is not None and app.session.path == path


async def test_escape_skips_the_offer_and_leaves_the_run_alone(tmp_path, make_app, example_library, clock):
    path = unfinished_run(example_library, tmp_path / "logs", clock).path
    size = path.stat().st_size
    app = make_app(tmp_path, clock=clock, resume_offer=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert app.session is None
    assert path.stat().st_size == size


async def test_the_log_folds_back_to_the_state_the_screen_showed(tmp_path, make_app, clock):
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await pilot.press("enter", "1", "2", "enter", "1", "c")
        await pilot.pause()
        await pilot.press("f2", *"hi", "enter")
        await pilot.pause()
        clock.advance(150)
        await app.tick_runs()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"42", "enter")
        await pilot.pause()
        assert app.session.state.step == "amount"
        records, damage = read_log(app.session.path)
        assert damage is None
        assert {"item_done", "contact_logged", "note_added", "timer_met", "field_set"} <= {r.type for r in records}
        assert fold(records) == app.session.state


async def test_a_failed_write_shows_the_paper_screen_and_nothing_more_is_written(tmp_path, make_app,
                                                                                 monkeypatch):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_CALL_IT)
        path = app.session.path
        on_disk = path.read_bytes()

        def disk_full(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise AuditWriteError(28, "No space left")

        monkeypatch.setattr(app.session.writer, "append", disk_full)
        await pilot.press("1", "a")
        await pilot.pause()
        assert isinstance(app.screen, PaperScreen)
        assert "No space left" in screen_text_of_paper(app)
        assert app.session.failure == "No space left"
        await pilot.press("enter", "1", "f2", "ctrl+o", "f10")
        await pilot.pause()
        await app.tick_runs()  # the clock keeps ticking underneath: it must not write either
        assert path.read_bytes() == on_disk
        assert types(app)[-1] == "step_entered"
        assert app.is_running


def screen_text_of_paper(app) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(static.content) for static in app.screen.query("Static"))


async def test_low_disk_space_is_announced_once(tmp_path, make_app, monkeypatch):
    """When the log disk runs low the operator is told (once), and the run goes on."""
    from ehplan.audit import AuditWriter
    from ehplan.tui.screens.run import RunScreen

    monkeypatch.setattr(AuditWriter, "low_space", property(lambda self: True))
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        await app.tick_runs()
        await app.tick_runs()
        await pilot.pause()
        assert sum("磁碟空間不足" in m for m in messages(app)) == 1
