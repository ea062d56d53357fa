"""Notices (refusals, injects, timer alerts, confirmations) show every character
of their message, wrapped at CJK width, without covering the countdowns; a
refusal goes once its cause is fixed or the step changes."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_helpers import TO_AMOUNT, fast_forward, messages, screen_text, start, types

from ehplan.engine import commands as cmd
from ehplan.text import LANGS
from ehplan.tui.safe import tr
from ehplan.tui.strings import t
from ehplan.tui.widgets.countdown import Countdown
from ehplan.tui.widgets.notices import MARKS, Notice

SIZES = [(80, 24), (100, 30)]


def drawn(app, notice: Notice) -> str:  # type: ignore[no-untyped-def]
    """What the screen shows of one notice, its rows joined, without its border."""
    rows = screen_text(app).split("\n")[notice.region.y:notice.region.bottom]
    return "".join(row.replace("▌", "") for row in rows)


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
async def test_every_kind_shows_its_whole_message(tmp_path, make_app, lang, size):
    app = make_app(tmp_path, lang=lang)
    async with app.run_test(size=size) as pilot:
        await start(app, pilot)
        playbook = app.library.playbook("example")
        # Long, mixed CJK and ASCII texts that wrap, as the plan's own do.
        long_text = "; ".join(tr(step.title, lang) for step in playbook.steps)[:150]
        for kind in MARKS:
            app.screen.query_one("Notices").clear()
            await pilot.pause()
            app.tell(long_text, kind, title=t("refused", lang))
            await pilot.pause()
            [notice] = app.screen.query(Notice)
            assert notice.region.height > 1  # it wrapped
            assert squeeze(drawn(app, notice)) == squeeze(f"{MARKS[kind]} {t('refused', lang)}: {long_text}"), kind


@pytest.mark.parametrize("size", SIZES)
async def test_notices_never_cover_the_countdowns(tmp_path, make_app, size):
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await start(app, pilot)
        for n in range(5):
            app.tell("營業廳同事來電：多名客戶反映熱線無法接通。" * 3 + str(n), "inject", title=t("inject", "zh-Hant"))
        await pilot.pause()
        assert len(app.screen.query(Notice)) == 3  # the newest three
        timers = [w.region for w in app.screen.query(Countdown)]
        assert timers and timers[0].height  # the most urgent is on screen
        for notice in app.screen.query(Notice):
            assert all(not notice.region.overlaps(timer) for timer in timers)


async def test_a_refusal_goes_once_fixed_or_when_the_step_changes(tmp_path, make_app):
    app = make_app(tmp_path, lang="zh-Hant")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_AMOUNT)
        before = types(app)
        await pilot.press("enter")  # required fields still empty
        await pilot.pause()
        assert types(app) == before
        [refusal] = app.screen.query(Notice)
        assert refusal.message.startswith("請先填寫：") and refusal.message in squeeze(screen_text(app)).replace(
            "✗未執行:", "")
        await pilot.press("enter")  # the same refusal again is one notice, not two
        await pilot.pause()
        assert len(app.screen.query(Notice)) == 1
        await pilot.press("1")  # typing what it asked for takes it away
        await pilot.pause()
        assert messages(app) == [] and isinstance(app.focused, Input)
        await pilot.press("backspace", "enter")  # refused again; then the step moves on
        await pilot.pause()
        assert messages(app)
        await fast_forward(app, pilot, cmd.SetField("loss_yuan", "100"), cmd.SetField("reporter_phone", "110"),
                           cmd.SetField("place", "1"), cmd.Continue())
        assert app.session.state.step == "fixed" and messages(app) == []


@pytest.mark.parametrize("size", SIZES)
async def test_on_the_picker_too_nothing_is_lost_over_the_divider(tmp_path, make_app, size):
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        message = "記錄檔已被另一個程式鎖定：請先關閉另一個 ehplan 視窗，再恢復這個事件。" * 2
        app.tell(message, "error", timeout=20)
        await pilot.pause()
        [notice] = app.screen.query(Notice)
        assert squeeze(drawn(app, notice)) == squeeze(f"{MARKS['error']} {message}")
