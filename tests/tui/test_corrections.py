"""A recorded value can be typed again: focus goes back to it (Shift+Tab, Up,
a click), the correction is logged beside the old value, the branch follows the
latest, and a correction after the branch says where the run should have gone."""

from __future__ import annotations

from textual.widgets import Input
from tui_helpers import TO_AMOUNT, fast_forward, messages, of_type, start

from ehplan.tui.screens.dialogs import TextDialog


def field(app, field_id: str) -> Input:  # type: ignore[no-untyped-def]
    return app.screen.query_one(f"#field-{field_id}", Input)


async def test_focus_returns_to_a_recorded_field_and_retyping_corrects_it(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_AMOUNT)
        await pilot.press(*"4,000", "enter")
        await pilot.pause()
        assert app.focused is field(app, "reporter_phone")
        assert field(app, "loss_yuan").value == "4000"  # what is shown is what was logged
        await pilot.press("shift+tab")
        assert app.focused is field(app, "loss_yuan")
        await pilot.press("tab")
        assert app.focused is field(app, "reporter_phone")
        await pilot.press("up")
        assert app.focused is field(app, "loss_yuan")
        await pilot.press(*"６，０００", "enter")  # what a Chinese input method types
        await pilot.pause()
        assert [f["value"] for f in of_type(app, "field_set")] == [4000, 6000]
        assert of_type(app, "field_set")[-1]["previous"] == 4000
        assert field(app, "loss_yuan").value == "6000"
        assert any("4000 → 6000" in m for m in messages(app))
        await pilot.press(*"110", "enter", "1", "enter", "enter")
        await pilot.pause()
        assert app.session.state.step == "police"  # the latest value decides


async def test_a_click_or_an_emptied_step_still_reaches_the_fields(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_AMOUNT)
        await pilot.press(*"5000", "enter", *"110", "enter", "1", "enter", *"x", "enter")
        await pilot.pause()
        # Every field is recorded: nothing has focus (keys meant for the next step
        # must not overwrite a value), and Tab, Shift+Tab, Up and a click go back.
        assert app.session.state.step == "amount" and app.focused is None
        await pilot.press("2")  # a stray number changes nothing
        await pilot.press("tab")
        assert app.focused is field(app, "loss_yuan")
        app.screen.set_focus(None)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, Input)
        app.screen.set_focus(None)
        await pilot.press("up")
        assert app.focused is field(app, "remark")
        app.screen.set_focus(None)
        await pilot.click("#field-reporter_phone")
        assert app.focused is field(app, "reporter_phone")


async def test_a_correction_after_the_branch_says_what_it_would_have_changed(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_AMOUNT)
        await pilot.press(*"4000", "enter", *"110", "enter", "1", "enter", "enter")
        await pilot.pause()
        assert app.session.state.step == "fixed"
        [(loss, shown), *_] = app.screen.recorded_fields()
        assert loss.id == "loss_yuan" and shown == "4000"
        app.screen.correct(loss)
        await pilot.pause()
        assert isinstance(app.screen, TextDialog) and app.screen.query_one(Input).value == "4000"
        await pilot.press("ctrl+a", *"6000", "enter")
        await pilot.pause()
        correction = of_type(app, "field_set")[-1]
        assert correction["previous"] == 4000 and correction["branch"] == {"went": "fixed", "would": "police"}
        assert any("撥打110報警" in m and "F3" in m for m in messages(app))
