"""Small helpers the Pilot tests share: reading the run's log back, seeing
what the screen shows, and fast-forwarding a run through the engine."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from ehplan.audit import AuditRecord, read_log
from ehplan.engine import commands as cmd
from ehplan.tui.app import EhplanApp
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.widgets.notices import Notices


def records(app: EhplanApp) -> list[AuditRecord]:
    """Every record on disk for the app's current run (what really happened)."""
    assert app.session is not None
    found, damage = read_log(app.session.path)
    assert damage is None
    return found


def types(app: EhplanApp) -> list[str]:
    """The event types on disk, in order."""
    return [record.type for record in records(app)]


def of_type(app: EhplanApp, event_type: str) -> list[dict[str, Any]]:
    """The data of every logged event of one type."""
    return [record.data for record in records(app) if record.type == event_type]


def messages(app: EhplanApp) -> list[str]:
    """The notifications shown: the screen's notices, then any toasts."""
    shown: list[str] = []
    for notices in app.screen.query(Notices):
        shown += notices.messages
    return shown + [notification.message for notification in app._notifications]


def text_of(app: EhplanApp, selector: str) -> str:
    """The plain text a Static on the current screen shows."""
    return str(app.screen.query_one(selector, Static).content)


def screen_text(app: EhplanApp) -> str:
    """Every character the current screen draws, line by line."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def start(app: EhplanApp, pilot: Pilot[None], playbook: str = "example") -> RunScreen:
    """Start a run of ``playbook`` the way the picker does, and wait for its first step."""
    await pilot.pause()  # the picker is up and the library loaded
    app.start_run(playbook)
    await until_run_screen(app, pilot)
    assert isinstance(app.screen, RunScreen)
    return app.screen


async def until_run_screen(app: EhplanApp, pilot: Pilot[None], tries: int = 50) -> None:
    """Wait until a run screen is on top (a run's log is created off the event loop)."""
    for _ in range(tries):
        await pilot.pause()
        if isinstance(app.screen, RunScreen) and app.screen.is_mounted:
            await pilot.pause()
            return


async def fast_forward(app: EhplanApp, pilot: Pilot[None], *commands: cmd.Command) -> None:
    """Carry out commands through the session (logged as usual) and redraw; for
    getting to the step a test is about without pressing every key on the way."""
    assert app.session is not None and isinstance(app.screen, RunScreen)
    for command in commands:
        app.session.execute(command)
    app.screen.render_state()
    await pilot.pause()


TO_CALL_IT = (cmd.Continue(), cmd.TickItem("explain"), cmd.TickItem("divert"), cmd.Continue())
"""greet → checks (both mandatory items ticked) → call_it."""
TO_AMOUNT = (*TO_CALL_IT, cmd.LogContact("it_centre", "answered"), cmd.Continue())
"""… → amount, the record step."""
TO_FIXED = (*TO_AMOUNT, cmd.SetField("loss_yuan", "100"), cmd.SetField("reporter_phone", "110"),
            cmd.SetField("place", "1"), cmd.Continue())
"""… → fixed, the decision."""
