"""What the operator types or pastes is kept in order and whole, and control
characters in an input are drawn as visible glyphs (the log keeps them raw);
a long note shows whole in the replay's side pane and in the report."""

from __future__ import annotations

from textual import events
from tui_helpers import TO_AMOUNT, fast_forward, of_type, screen_text, start

from ehplan.tui.screens.dialogs import TextDialog
from ehplan.tui.widgets.text_input import BIDI_GLYPH, TextInput


async def test_a_bracketed_paste_keeps_every_line_in_order(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"客戶")
        box = app.screen.query_one(TextInput)
        box.post_message(events.Paste("第一行，煤氣味\n第二行 second line\n\nthird"))
        await pilot.pause()
        await pilot.press(*" end")
        assert box.value == "客戶第一行，煤氣味 第二行 second line third end"
        await pilot.press("enter")
        await pilot.pause()
        assert of_type(app, "note_added")[-1]["text"] == "客戶第一行，煤氣味 第二行 second line third end"


async def test_bidi_and_escape_characters_are_visible_in_the_input(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_AMOUNT)
        remark = app.screen.query_one("#field-remark", TextInput)
        remark.focus()
        remark.post_message(events.Paste("abc\u202efed\x1b[31m"))
        await pilot.pause()
        assert remark.value == "abc\u202efed\x1b[31m"  # kept raw, as the log will keep it
        shown = screen_text(app)
        assert f"abc{BIDI_GLYPH}fed␛[31m" in shown
        assert "\u202e" not in shown and "\x1b" not in shown
        assert remark._position_to_cell(len(remark.value)) == len("abc⇄fed␛[31m")  # the cursor follows


async def test_a_long_note_is_whole_in_the_report_and_the_replays_side_pane(tmp_path, make_app, example_library):
    from ehplan.audit import read_log, verify_log
    from ehplan.report.afteraction import Integrity, after_action_report
    from ehplan.tui.replay import ReplayApp

    note = "客戶來電稱家中有煤氣味，" * 20 + "END"
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one(TextInput).value = note
        await pilot.press("enter")
        await pilot.pause()
        path = app.session.path
    records, _ = read_log(path)
    result = verify_log(path)
    report = "\n".join(after_action_report(records, example_library, Integrity(str(path), result.records,
                                                                                 result.final_hash), "zh-Hant"))
    assert note in report
    replay = ReplayApp(example_library, path, records)
    async with replay.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        side = str(replay.screen.query_one("#side-notes").content)
        assert note in side.replace("\n", "")
