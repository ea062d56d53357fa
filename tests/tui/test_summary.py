"""The end summary puts what matters first: at 80×24 the outcome, deadlines,
final hash and log file are on screen; then the recorded values, calls, notes
and follow-ups. The hash can be copied and the summary saved as a file."""

from __future__ import annotations

import pytest
from tui_helpers import TO_FIXED, fast_forward, messages, screen_text, start, text_of

from ehplan.audit import verify_log
from ehplan.engine import commands as cmd
from ehplan.tui.screens.summary import SummaryScreen, summary_path


async def ended(app, pilot) -> SummaryScreen:  # type: ignore[no-untyped-def]
    await start(app, pilot)
    await fast_forward(app, pilot, cmd.LogContact("police", "no_answer"), *TO_FIXED[:-1],
                       cmd.AddNote("客戶說錢包在櫃檯遺失"), TO_FIXED[-1], cmd.Choose("yes_fixed"))
    await pilot.press("f10")
    await pilot.pause()
    assert isinstance(app.screen, SummaryScreen)
    return app.screen


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans", "en"])
async def test_outcome_deadlines_hash_and_log_are_above_the_fold(tmp_path, make_app, lang):
    app = make_app(tmp_path, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ended(app, pilot)
        visible = screen_text(app)
        path = str(app.session.path)
        assert screen.final_hash in visible and screen.final_hash == verify_log(app.session.path).final_hash
        assert path in visible or path[:60] in visible
        assert {"zh-Hant": "已處理", "zh-Hans": "已处理", "en": "resolved"}[lang] in visible.split("\n")[2]
        summary = text_of(app, "#summary")
        loss = {"zh-Hant": "損失金額: 100 元", "zh-Hans": "损失金额: 100 元", "en": "Loss amount: 100 yuan"}[lang]
        order = [summary.index(part) for part in (screen.final_hash, loss, "110 — ", "✎ 客戶說錢包在櫃檯遺失", "📅")]
        assert order == sorted(order)  # hash, values, calls, notes, follow-ups


async def test_the_hash_can_be_copied_and_the_summary_saved(tmp_path, make_app):
    app = make_app(tmp_path, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ended(app, pilot)
        summary = text_of(app, "#summary")
        assert "Recorded values:\n  Loss amount: 100 yuan\n  Reporter's phone: 110\n  Kind of place: Hall" in summary
        assert "  ✗ Police 110 — No answer (09:00:00)\n  ✓ IT centre / IT team — Answered" in summary
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == screen.final_hash
        assert "Final hash copied to the clipboard" in messages(app)
        await pilot.press("s")
        await pilot.pause()
        saved = summary_path(str(app.session.path))
        text = saved.read_text(encoding="utf-8")
        assert screen.final_hash in text and summary in text
        assert any(str(saved) in m for m in messages(app))
