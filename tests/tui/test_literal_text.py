"""Text typed by the operator is data: the log keeps it byte for byte, the
screen shows markup literally and control characters as visible escapes, and
nothing in it can act (no link, no click action, no terminal escape)."""

from __future__ import annotations

from textual.widgets import Input
from tui_helpers import TO_AMOUNT, fast_forward, of_type, screen_text, start, text_of

from ehplan.engine import commands as cmd
from ehplan.tui.screens.dialogs import ConfirmEndDialog, TextDialog
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.screens.summary import SummaryScreen

HOSTILE = [
    "[bold]x[/bold]",
    "[link=https://e.x]y[/link]",
    "[@click=app.quit]z[/]",
    "[/",
    "red \x1b[31m esc",
    "csi \x9b c1",
    "bidi \u202e abc",
]
SHOWN = {  # what the screen must draw for each
    "red \x1b[31m esc": "red \\x1b[31m esc",
    "csi \x9b c1": "csi \\x9b c1",
    "bidi \u202e abc": "bidi \\u202e abc",
}
RAW_CONTROLS = ("\x1b", "\x9b", "\u202e")


async def submit_dialog(app, pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, TextDialog)
    app.screen.query_one(Input).value = text  # ESC cannot be typed as a key: it would cancel
    await pilot.press("enter")
    await pilot.pause()


def assert_no_raw_controls(app) -> None:  # type: ignore[no-untyped-def]
    drawn = screen_text(app)
    assert not any(control in drawn for control in RAW_CONTROLS)


async def test_note_and_record_field_keep_the_raw_text_and_show_it_literally(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        for text in HOSTILE:
            await pilot.press("f2")
            await pilot.pause()
            await submit_dialog(app, pilot, text)
            assert app.is_running and isinstance(app.screen, RunScreen)
            assert of_type(app, "note_added")[-1] == {"text": text, "step": "greet"}

        await fast_forward(app, pilot, *TO_AMOUNT)
        for text in HOSTILE:
            remark = app.screen.query_one("#field-remark", Input)
            remark.value = text
            remark.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert app.is_running
            logged = of_type(app, "field_set")[-1]
            assert logged["field"] == "remark" and logged["value"] == text
            shown = app.screen.query_one("#field-remark", Input).value
            assert shown == SHOWN.get(text, text)
            assert SHOWN.get(text, text) in screen_text(app)
            assert_no_raw_controls(app)
        # Enter on the unchanged (escaped) value records nothing new.
        app.screen.query_one("#field-remark", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert len(of_type(app, "field_set")) == len(HOSTILE)


async def test_override_reason_is_shown_literally_at_the_end(tmp_path, make_app):
    reason = "".join(HOSTILE)
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await submit_dialog(app, pilot, reason)
        assert of_type(app, "step_overridden")[0]["reason"] == reason
        await fast_forward(app, pilot, cmd.LogContact("it_centre", "answered"))
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmEndDialog)
        expected = "[bold]x[/bold][link=https://e.x]y[/link][@click=app.quit]z[/][/red \\x1b[31m esc" \
                   "csi \\x9b c1bidi \\u202e abc"
        assert expected in text_of(app, "#open-items")
        assert_no_raw_controls(app)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert expected in text_of(app, "#summary")
        assert_no_raw_controls(app)
        assert app.is_running
