"""What is on screen is true and whole: the path line ends with the current
step, F2 notes stay in view, the footer offers only the keys that work and
never cuts one, and times are in the plan's local time, labelled."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey
from tui_helpers import TO_FIXED, fast_forward, screen_text, start, text_of

from ehplan.engine import commands as cmd
from ehplan.engine.clock import FakeClock
from ehplan.text import LANGS
from ehplan.tui.safe import tr


def footer_keys(app) -> list[FooterKey]:  # type: ignore[no-untyped-def]
    return list(app.screen.query_one(Footer).query(FooterKey))


def assert_whole(app) -> None:  # type: ignore[no-untyped-def]
    footer = app.screen.query_one(Footer)
    keys = footer_keys(app)
    assert keys
    row = screen_text(app).split("\n")[footer.region.y]
    for key in keys:
        assert key.region.right <= footer.region.right, key.description
        assert f"{key.key_display} {key.description}" in row, (key.description, row)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@pytest.mark.parametrize("lang", LANGS)
async def test_the_footer_is_never_cut(tmp_path, make_app, shipped_library, lang, size):
    app = make_app(tmp_path, library=shipped_library, lang=lang)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert_whole(app)  # the picker, with F5–F8
        assert {"f5", "f6", "f7", "f8", "enter"} <= {k.key for k in footer_keys(app)}
        await start(app, pilot, "property_loss")
        await pilot.pause()
        assert_whole(app)
        assert {"f2", "ctrl+o", "f10"} <= {k.key for k in footer_keys(app)}


async def test_no_next_key_on_a_decision_or_the_end_step(tmp_path, make_app):
    app = make_app(tmp_path, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        assert "enter" in {k.key for k in footer_keys(app)}  # an action step: Enter goes on
        await fast_forward(app, pilot, *TO_FIXED)
        await pilot.pause()
        assert app.session.state.step == "fixed"
        assert "enter" not in {k.key for k in footer_keys(app)}  # a decision: answered by number
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.step == "fixed"
        await fast_forward(app, pilot, cmd.Choose("yes_fixed"))
        await pilot.pause()
        assert app.session.state.step == "done" and "enter" not in {k.key for k in footer_keys(app)}


async def test_in_a_field_the_footer_says_what_enter_does(tmp_path, make_app):
    app = make_app(tmp_path, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_FIXED[:-4])
        await pilot.pause()
        assert {k.key: k.description for k in footer_keys(app)}["enter"] == "Record / next"
        assert_whole(app)


async def test_the_path_line_always_ends_with_the_current_step(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, "property_loss")
        for command in (cmd.Choose("company"), cmd.Continue(), cmd.Continue(), cmd.LogContact("supervising_leader", "answered"),
                        cmd.Continue(), cmd.TickItem("review"), cmd.TickItem("keep_footage"), cmd.Continue()):
            await fast_forward(app, pilot, command)
            step = shipped_library.playbook("property_loss").step(app.session.state.step)
            rows = screen_text(app).split("\n")
            path = app.screen.query_one("#path")
            shown = "".join(rows[path.region.y:path.region.bottom]).replace(" ", "")
            assert shown.endswith(f"{tr(step.title, 'zh-Hant')}({step.source})".replace(" ", "")), shown


async def test_notes_taken_with_f2_stay_in_view(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        assert not app.screen.query_one("#side-notes").display
        await pilot.press("f2", *"客戶稱聞到煤氣味", "enter")
        await pilot.pause()
        assert text_of(app, "#side-notes") == "✎ 備註 (1)\n• 客戶稱聞到煤氣味"
        assert "客戶稱聞到煤氣味" in screen_text(app)


async def test_times_are_the_plans_local_time_whatever_the_machines_zone(tmp_path, make_app):
    utc = FakeClock(dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC))  # 09:00 in the plan's UTC+8
    app = make_app(tmp_path, clock=utc, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, cmd.LogContact("police", "no_answer"), *TO_FIXED, cmd.Choose("yes_fixed"))
        assert app.session.records[-1].ts.endswith("+00:00")
        await pilot.press("f10")
        await pilot.pause()
        summary = text_of(app, "#summary")
        assert "Calls (plan's local time, UTC+08:00):\n  ✗ Police 110 — No answer (09:00:00)" in summary
