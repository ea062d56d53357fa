"""F5–F8 work before anything else is settled: on the first-start name dialog
(which says how to confirm, and why an empty name is refused) and on the
resume offer (the emergency run starts; the offer comes back after it)."""

from __future__ import annotations

from conftest import build_app
from textual.widgets import Footer, Input, Static

from ehplan.engine import commands as cmd
from ehplan.session import Session
from ehplan.tui.screens.dialogs import TextDialog
from ehplan.tui.screens.resume import ResumeScreen
from ehplan.tui.screens.run import RunScreen


def footer_keys(screen) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {b.key: b.description for (_, b, _, _) in screen.active_bindings.values() if b.show}


async def test_the_name_dialog_says_how_to_confirm_and_why_empty_is_refused(tmp_path, shipped_library, clock):
    remembered: list[str] = []
    app = build_app(tmp_path, shipped_library, operator=None, clock=clock, remember_operator=remembered.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TextDialog) and dialog.query(Footer)
        assert "Enter" in str(dialog.query_one(".hint", Static).content)
        keys = footer_keys(dialog)
        assert keys["enter"] == "確認" and keys["f5"] and keys["f8"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and app.session is None
        assert "記錄檔中每一項操作都記下值班員" in str(dialog.query_one("#dialog-error", Static).content)
        await pilot.press(*"王小明", "enter")
        await pilot.pause()
        assert app.operator == "王小明" and remembered == ["王小明"]


async def test_an_emergency_key_on_the_name_dialog_starts_that_run(tmp_path, shipped_library, clock):
    remembered: list[str] = []
    app = build_app(tmp_path, shipped_library, operator=None, clock=clock, remember_operator=remembered.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"李", "f6")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert app.session.state.playbook == "fire_alarm" and app.session.state.operator == "李"
        assert remembered == ["李"]


async def test_f5_with_no_name_yet_starts_at_once_and_asks_again_next_time(tmp_path, shipped_library, clock):
    remembered: list[str] = []
    app = build_app(tmp_path, shipped_library, operator=None, clock=clock, remember_operator=remembered.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RunScreen) and app.session.state.playbook == "gas_accident_report"
        assert app.session.state.operator == "未具名值班員" and remembered == []


async def test_an_emergency_key_on_the_resume_offer_starts_the_run_and_keeps_the_offer(tmp_path, shipped_library,
                                                                                        clock):
    log_dir = tmp_path / "logs"
    crashed = Session.start(shipped_library, log_dir, cmd.StartRun("property_loss", "crashed-1", "Bo"), clock)
    crashed.close()
    app = build_app(tmp_path, shipped_library, clock=clock, resume_offer=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        assert {"f5", "f6", "f7", "f8"} <= set(footer_keys(app.screen))
        await pilot.press("f8")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RunScreen) and app.session.state.playbook == "threatening_call"
        assert app.session.path != crashed.path
        app.session.execute(cmd.EndRun(confirm=True))
        app.show_summary()
        await pilot.pause()
        app.action_new_run()
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)  # offered again, after the emergency
        assert not isinstance(app.screen.focused, Input)
