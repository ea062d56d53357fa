"""Ending a run: F10 asks first when anything is open, Esc keeps the run
going, y ends it on a summary whose hash is the verified log's final hash;
a playbook's must_before_end refuses the end outright."""

from __future__ import annotations

from tui_helpers import TO_FIXED, fast_forward, messages, of_type, start, text_of, types

from ehplan.audit import verify_log
from ehplan.engine import commands as cmd
from ehplan.tui.screens.dialogs import ConfirmEndDialog
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.screens.summary import SummaryScreen


async def test_f10_with_items_open_asks_and_esc_cancels_then_y_ends(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, cmd.LogContact("it_centre", "answered"))
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmEndDialog)
        assert "預案尚未走完：目前在「向客戶說明原因」" in text_of(app, "#open-items")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert "run_ended" not in types(app)

        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        (ended,) = of_type(app, "run_ended")
        assert ended["open"] == ["the playbook is not finished: at step Explain the cause to the customer"]
        assert ended["outcome"] == "ended_early"
        path = app.session.path
        verified = verify_log(path)
        assert verified.ok
        assert app.screen.final_hash == verified.final_hash
        summary = text_of(app, "#summary")
        assert str(path) in summary
        assert verified.final_hash in summary
        assert "預案尚未走完" in summary
        assert summary.startswith("預案未走完即結束   (時長 00:00)")
        assert "○ 維修超過30分鐘 — 結束時仍在計時" in summary


async def test_f10_at_the_end_step_with_nothing_open_ends_at_once(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_FIXED, cmd.Choose("yes_fixed"))
        assert app.session.state.step == "done"
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert of_type(app, "run_ended") == [{"outcome": "resolved", "open": [], "step": "done"}]
        assert verify_log(app.session.path).ok
        summary = text_of(app, "#summary")
        assert "按時完成" in summary  # report_3m met by the IT call
        # The run's lock is released: n goes back to the picker for the next incident.
        await pilot.press("n")
        await pilot.pause()
        assert app.session is None
        assert type(app.screen).__name__ == "PickerScreen"


async def test_gas_accident_cannot_end_before_the_repair_crew_is_called(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        before = types(app)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)  # no confirmation offered: refused outright
        assert types(app) == before
        assert any("尚不能結束" in m and "搶險值班人員" in m for m in messages(app))


async def test_n_after_the_summary_goes_back_to_the_one_picker_cleared_for_the_next_run(
        tmp_path, make_app, monkeypatch):
    from textual.widgets import Input

    import ehplan.tui.app
    from ehplan.tui.screens.picker import PickerScreen

    ids = iter(["run-1", "run-2"])
    monkeypatch.setattr(ehplan.tui.app, "new_run_id", lambda clock: next(ids))
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        await pilot.press(*"zzz")
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_FIXED, cmd.Choose("yes_fixed"))
        first_log = app.session.path
        await pilot.press("f9", "f9")  # zh-Hant → zh-Hans → en during the run
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("n")
        await pilot.pause()
        await pilot.pause()
        assert app.screen is picker and app.screen_stack == [picker]  # no picker piled on a picker
        assert app.session is None
        assert picker.query_one("#filter", Input).value == ""
        assert picker.lang == "en" and "Type to filter" in str(picker.query_one("#filter", Input).placeholder)
        await start(app, pilot)
        assert app.session.path != first_log and "run-2" in app.session.path.name
