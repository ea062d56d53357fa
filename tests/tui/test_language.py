"""F9 cycles the language zh-Hant → zh-Hans → en → zh-Hant; the run screen
redraws in it without logging anything."""

from __future__ import annotations

from tui_helpers import start, text_of, types


async def test_f9_cycles_the_language_of_the_step(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        logged = types(app)
        seen = []
        for _ in range(4):
            seen.append((app.lang, text_of(app, "#step-title"), text_of(app, "#timers-title")))
            await pilot.press("f9")
            await pilot.pause()
        assert seen == [
            ("zh-Hant", "向客戶說明原因", "計時"),
            ("zh-Hans", "向客户说明原因", "计时"),
            ("en", "Explain the cause to the customer", "Timers"),
            ("zh-Hant", "向客戶說明原因", "計時"),
        ]
        assert types(app) == logged


async def test_f9_on_the_picker_redraws_it(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f9", "f9")
        await pilot.pause()
        assert app.lang == "en"
        assert text_of(app, "#picker-title") == "ehplan emergency plan"
        assert text_of(app, "#definition").startswith("Another example")
