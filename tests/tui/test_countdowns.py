"""Countdowns: the screen's tick logs warnings and expiries as the (fake)
clock reaches them, shows them in words and symbols, and brings up the
escalation step when an escalate_after timer runs out."""

from __future__ import annotations

from tui_helpers import messages, of_type, screen_text, start, text_of, types

from ehplan.tui.widgets.countdown import Countdown


def countdowns(app) -> dict[str, Countdown]:  # type: ignore[no-untyped-def]
    return {widget.timer.key: widget for widget in app.screen.query(Countdown)}


async def tick(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """What the screen's one-second interval does, called directly."""
    await app.tick_runs()
    await pilot.pause()


async def test_warning_then_expiry_are_logged_and_shown(tmp_path, make_app, clock):
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        report = countdowns(app)["example/report_3m"]
        assert not report.has_class("-warning") and not report.has_class("-expired")
        assert "03:00" in str(report.render())

        clock.advance(143)
        await tick(app, pilot)
        assert of_type(app, "timer_warned") == []
        clock.advance(1)  # 36 s before the 3-minute deadline
        await tick(app, pilot)
        assert of_type(app, "timer_warned") == [{"key": "example/report_3m"}]
        report = countdowns(app)["example/report_3m"]
        assert report.has_class("-warning") and not report.has_class("-expired")
        assert "⚠" in str(report.render()) and "00:36 即將到時" in str(report.render())
        assert "3分鐘內報告" in messages(app)
        assert "⚠ 即將到時: 3分鐘內報告" in screen_text(app)

        clock.advance(37)
        await tick(app, pilot)
        assert [e["key"] for e in of_type(app, "timer_expired")] == ["example/report_3m"]
        report = countdowns(app)["example/report_3m"]
        assert report.has_class("-expired") and not report.has_class("-warning")
        shown = str(report.render())
        assert "‼" in shown and "逾時 +00:01" in shown  # said in words and a symbol, not colour only
        # The other timer is untouched, and a second tick logs nothing new.
        assert not countdowns(app)["example/repair_30m"].has_class("-expired")
        before = types(app)
        await tick(app, pilot)
        assert types(app) == before
        assert app.session.state.step == "greet"


async def test_overdue_is_spelled_out_in_english(tmp_path, make_app, clock):
    app = make_app(tmp_path, clock=clock, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        clock.advance(181)
        await tick(app, pilot)
        shown = str(countdowns(app)["example/report_3m"].render())
        assert "‼ Report within 3 minutes" in shown and "OVERDUE +00:01" in shown


async def test_escalate_after_expiry_brings_up_the_escalation_step(tmp_path, make_app, clock):
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        clock.advance(30 * 60 + 1)
        await tick(app, pilot)
        assert {"key": "example/repair_30m", "step": "wait_or_leave"} in of_type(app, "escalation_raised")
        assert types(app)[-1] == "step_entered"
        assert app.session.state.step == "wait_or_leave"
        assert text_of(app, "#step-title") == "征詢客戶是否繼續等候"
        assert "升級：" in text_of(app, ".escalation-banner")
        assert countdowns(app)["example/repair_30m"].has_class("-expired")
        # Done with the escalation: Enter goes back to where the operator was.
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.step == "greet"


def test_far_from_due_a_countdown_shows_whole_minutes_rounded_up() -> None:
    from ehplan.tui.widgets.countdown import remaining_text

    assert remaining_text(599.2, "en") == "10:00"  # the last ten minutes in seconds
    assert remaining_text(600, "en") == "10:00"
    assert remaining_text(600.5, "en") == "11 min"  # never less time than is left
    assert remaining_text(37 * 60 + 20, "en") == "38 min"
    assert remaining_text(3600, "en") == "1 h"
    assert remaining_text(3601, "zh-Hant") == "1 小時 1 分"
    assert remaining_text(72 * 60, "zh-Hant") == "1 小時 12 分"
    assert remaining_text(45 * 60, "zh-Hant") == "45 分鐘"
    assert remaining_text(45 * 60, "en", urgent=True) == "45:00"


async def test_a_countdown_far_from_due_redraws_once_a_minute_then_every_second(tmp_path, make_app, clock):
    app = make_app(tmp_path, clock=clock, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        repair = countdowns(app)["example/repair_30m"]
        assert "30 min" in str(repair.render())
        redrawn: list[int] = []
        original = repair.refresh
        repair.refresh = lambda *a, **k: (redrawn.append(1), original(*a, **k))[1]  # type: ignore[method-assign]
        clock.advance(1)
        await tick(app, pilot)
        clock.advance(28)
        await tick(app, pilot)
        assert redrawn == []  # 29:31 left: neither the minutes nor the bar (20 cells, 90 s each) changed
        assert "30 min" in str(repair.render())
        clock.advance(31)
        await tick(app, pilot)
        assert redrawn == [1] and "29 min" in str(repair.render())
        clock.advance(30 * 60 - 60 - 601)  # 10:01 left
        await tick(app, pilot)
        assert "11 min" in str(repair.render())
        clock.advance(2)
        await tick(app, pilot)
        assert "09:59" in str(repair.render())
        count = len(redrawn)
        clock.advance(1)
        await tick(app, pilot)
        assert len(redrawn) == count + 1 and "09:58" in str(repair.render())
