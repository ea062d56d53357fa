"""The drill's side of the app: one `ehplan.drillrun.Director` per drill run,
reached from small hooks in the app (`gate`, `closed`) and the run screen
(`tick`, `badge`). The director brings injects, forces the scenario's
outcomes and carries out the trainer's console actions; this module shows
what it did: notices, the bell, PAUSED in the header, the summary at the
trainer's end."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ehplan.text import Lang, in_lang

if TYPE_CHECKING:
    from ehplan.drillrun import Director
    from ehplan.engine import commands as cmd
    from ehplan.engine.state import RunState

PAUSED = ("演練暫停", "PAUSED")
CONSOLE_POLL_S = 0.25
"""How often the drill looks for the trainer's actions (injects wait for the second's tick)."""


def director(app: Any) -> Director | None:
    """The director of the app's drill run (made, and its console opened, on first use)."""
    session, scenario = getattr(app, "session", None), getattr(app, "scenario", None)
    if session is None or scenario is None or session.state.scenario != scenario.id:
        return None
    found: Director | None = getattr(app, "_drill_director", None)
    if found is None or found.run is not session:
        from ehplan.drillrun import Director

        found = Director(scenario, app.library, session, app.lang)
        app._drill_director = found
        if not session.state.ended:
            found.open_console()
            app._drill_console_timer = app.set_interval(CONSOLE_POLL_S, lambda: _poll(app, found))
    found.lang = app.lang
    return found


def gate(app: Any, command: cmd.Command) -> tuple[cmd.Command, str | None]:
    """A trainee's command as the scenario forces it (raises `Refused` for one it
    holds back); outside a drill, the command as it is."""
    found = director(app)
    if found is None:
        return command, None
    return found.gate(command)


def paused_badge(state: RunState, lang: Lang) -> str:
    """`` │ ⏸ PAUSED`` in the header while the trainer has the drill paused (a
    replay's too: it shows the pause where the log has it)."""
    return f" │ ⏸ {in_lang(PAUSED, lang)}" if state.paused else ""


async def tick(app: Any) -> None:
    """The drill's turn each second: the console's actions, then the injects due,
    each logged before it is shown (the console's channel opens on the first)."""
    found = director(app)
    if found is not None:
        await _run(app, found, found.tick)


async def _poll(app: Any, found: Director) -> None:
    """The console's actions, between the seconds' ticks."""
    if getattr(app, "_drill_director", None) is found:
        await _run(app, found, found.poll_console)


async def _run(app: Any, found: Director, step: Any) -> None:
    """One step of the director off the event loop, under the app's lock; then show what it did."""
    from ehplan.audit import AuditWriteError
    from ehplan.tui.screens.run import RunScreen

    if found.run.state.ended or found.run is not app.session:
        return
    run = next((live for live in app.runs if live.session is found.run), None)
    if run is None:
        return
    async with run.lock:
        try:
            shown = await asyncio.to_thread(step)
        except AuditWriteError as exc:
            from ehplan.tui.screens.resume import PaperScreen

            app.push_screen(PaperScreen(str(exc), app.lang))
            return
    if not shown:
        return
    from ehplan.tui.strings import t

    for item in shown:
        if item.kind == "inject":
            app.bell()
            app.tell(item.text, "inject", title=t("inject", app.lang), timeout=30)
        elif item.kind == "error":
            app.tell(item.text, "warning", timeout=10)
        elif item.kind != "ended":
            app.tell(item.text, "info", timeout=10)
    if found.run.state.ended:
        app.show_summary(run)
        return
    if isinstance(app.screen, RunScreen):
        app.screen.render_state()


def closed(app: Any) -> None:
    """The drill run ended or the app leaves it: no more console actions."""
    found: Director | None = getattr(app, "_drill_director", None)
    if found is not None:
        found.close()
    timer = getattr(app, "_drill_console_timer", None)
    if timer is not None:
        timer.stop()


async def offer_resume(app: Any) -> bool:
    """Before the briefing: offer the unfinished drills of this scenario (a crash,
    a closed terminal). A chosen one goes on at its own clock speed from the
    drill time its log reached, paused again if the trainer had paused it; True
    when one was resumed."""
    from ehplan.audit import read_log
    from ehplan.engine.clock import DrillClock, parse_instant
    from ehplan.engine.fold import fold
    from ehplan.tui.screens.resume import ResumeScreen

    scenario = app.scenario
    runs, states = [], {}
    for run in app._open_runs():
        try:
            state = fold(read_log(run.path)[0])
        except Exception:  # noqa: BLE001 - a log we cannot read is simply not offered
            continue
        if state.mode == "drill" and state.scenario == scenario.id:
            runs.append(run)
            states[run.path] = state
    if not runs:
        return False
    chosen = await app.push_screen_wait(ResumeScreen(runs, app.lang, None))  # no emergency keys in a drill
    if not chosen:
        return False
    path = chosen[0]  # a drill goes on one at a time
    state = states[path]
    base = app.clock.base if isinstance(app.clock, DrillClock) else app.clock
    clock = DrillClock(base, state.clock_scale, epoch=parse_instant(state.last_ts))  # never backwards
    if state.paused:
        clock.pause()
    app.clock = clock
    app._resume_chosen([path])
    return app.session is not None and app.session.path == path
