"""The run screen: the one next thing to do, the countdowns, the contacts.

It holds no state of its own: everything drawn comes from the session's
state, which is the fold of the log; every key becomes an engine command.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from ehplan.audit import AuditRecord
from ehplan.engine import commands as cmd
from ehplan.engine import events as ev
from ehplan.engine.timers import due_alarms
from ehplan.playbook.models import ChecklistStep, DecisionStep, NotifyStep, StepBase
from ehplan.text import tagged, visible
from ehplan.tui.keys import KeySpec, apply_keys
from ehplan.tui.safe import Hanging, fit, plain, tr
from ehplan.tui.screens.dialogs import CallDialog, TextDialog
from ehplan.tui.strings import t
from ehplan.tui.widgets.countdown import Countdown, clock_text
from ehplan.tui.widgets.step_view import NumberedLine, StepView, field_text, numbered_targets

if TYPE_CHECKING:
    from ehplan.tui.app import EhplanApp

PATH_SHOWN = 6
IDLE_COLLECT_AFTER_S = 2.0
"""Seconds without a key press after which a deferred full garbage collection may run."""
LOW_SPACE_CHECK_EVERY = 30
"""Seconds between checks of the log disk's free space."""


class RunHeader(Static):
    """The run's title bar. The title gives way first, to its short form and
    then cut with …, so the clock, badge, operator and run id always show."""

    _parts: tuple[str, str | None, str] = ("", None, "")

    def show(self, title: str, short_title: str | None, rest: str) -> None:
        self._parts = (visible(title), visible(short_title) if short_title else None, visible(rest))
        self._fit()

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        title, short_title, rest = self._parts
        width = self.content_region.width
        if width:  # laid out: the title gets what the rest leaves, at least its …
            room = max(width - 1 - cell_len(rest), 1)
            if short_title is not None and room < cell_len(title):
                title = short_title
            title = fit(title, room)
        self.update(plain(" " + title + rest))


class RunScreen(Screen[None]):
    """Walk the operator through the current run."""

    BINDINGS = [Binding(str(n), f"pick({n})", str(n), show=False) for n in range(1, 10)]
    KEYS = [
        KeySpec("enter", "continue", "k_next"),
        KeySpec("f2", "note", "note"),
        KeySpec("f8", "override", "k_skip"),
        KeySpec("f10", "end", "k_end"),
    ]

    app: EhplanApp

    def compose(self) -> ComposeResult:
        yield RunHeader(id="run-header")
        with Horizontal(id="run-body"):
            with VerticalScroll(id="main"):
                yield Static(id="step-loading")
            with Vertical(id="side"):
                yield Static(id="timers-title", classes="side-title")
                yield Vertical(id="timers")
                yield Static(id="side-contacts")
                yield Static(id="side-injects")
        yield Static(id="path")
        yield Footer(compact=True)

    _ticks = 0
    _warned_low_space = False

    _keys_lang = ""

    def on_mount(self) -> None:
        self.render_state()
        self.set_interval(1.0, self._tick)

    # --- drawing ------------------------------------------------------------

    @property
    def session(self):  # type: ignore[no-untyped-def]
        return self.app.session

    def current_step(self) -> StepBase:
        state = self.session.state
        return self.app.library.playbook(state.playbook).step(state.step)

    def render_state(self) -> None:
        """Redraw everything from the session's state."""
        state, lang = self.session.state, self.app.lang
        relabel = lang != self._keys_lang
        if relabel:  # rebinding redraws the footer: only when the language changed
            apply_keys(self, self.KEYS, lang)
            self._keys_lang = lang
        main = self.query_one("#main", VerticalScroll)
        main.remove_children()
        view = StepView(self.current_step(), state, self.app.library, lang, self.app.clock.now())
        mounted = main.mount(view)
        self.query_one("#timers-title", Static).update(plain(t("timers", lang)))
        self._render_timers(rebuild=relabel)
        self._render_header()
        self._render_path()
        self._render_side_contacts()
        self._render_side_injects()
        self.call_later(self._focus_first, view, mounted)

    async def _focus_first(self, view: StepView, mounted: Awaitable[None]) -> None:
        """Put the cursor in the new step's first empty field once it is mounted;
        before that, focus would land on the old step's field being removed."""
        await mounted
        if not view.is_attached:
            return
        inputs = [i for i in view.query(".field-input").results(Input) if not i.value]
        if inputs:
            inputs[0].focus()
        else:
            self.set_focus(None)

    def _render_header(self) -> None:
        state, lang = self.session.state, self.app.lang
        playbook = self.app.library.playbook(state.playbook)
        now = self.app.clock.now()
        elapsed = (now - state.started_at).total_seconds() if state.started_at else 0
        badge = t("drill", lang) if state.mode == "drill" else t("live", lang)
        header = self.query_one(RunHeader)
        header.show(tr(playbook.title, lang), tr(playbook.short_title, lang) if playbook.short_title else None,
                    f" │ ⏱ {clock_text(elapsed)} │ {badge} │ {state.operator} │ {state.run_id}")
        header.set_class(state.mode == "drill", "-drill")

    def _render_path(self) -> None:
        state, lang = self.session.state, self.app.lang
        parts = []
        for entry in state.path[-PATH_SHOWN:]:
            step = self.app.library.playbook(entry.playbook).step(entry.step)
            parts.append(f"{tr(step.title, lang)} ({entry.source or step.source})")
        more = "… › " if len(state.path) > PATH_SHOWN else ""
        self.query_one("#path", Static).update(plain(f"{t('path', lang)}: {more}" + " › ".join(parts)))

    def _render_side_contacts(self) -> None:
        step, lang = self.current_step(), self.app.lang
        ids = list(dict.fromkeys([*getattr(step, "notify", []), *step.contacts]))
        lines = [t("contacts_here", lang)] if ids else []
        for contact_id in ids:
            contact = self.app.library.contact(contact_id)
            reached = "✓ " if self.session.state.reached(contact_id) else "  "
            lines.append(f"{reached}{tr(contact.name, lang)}  {contact.number or '—'}")
        box = self.query_one("#side-contacts", Static)
        box.display = bool(lines)  # no blank rows taking the side pane's height
        box.update(plain("\n".join(lines)))

    def _render_side_injects(self) -> None:
        """A drill's latest inject stays in view (a toast is easy to miss); the
        timeline of the replay and the report has them all."""
        injects = self.session.state.injects
        box = self.query_one("#side-injects", Static)
        box.display = bool(injects)
        if injects:
            count = f" ({len(injects)})" if len(injects) > 1 else ""
            box.update(Hanging(f"✉ {t('inject', self.app.lang)}{count}\n• {injects[-1].get('text', '')}"))

    def _render_timers(self, rebuild: bool = False) -> None:
        state, lang, now = self.session.state, self.app.lang, self.app.clock.now()
        box = self.query_one("#timers", Vertical)
        active = state.active_timers()
        existing = {w.timer.key: w for w in box.query(Countdown)}
        if rebuild or set(existing) != {timer.key for timer in active} or \
                [w.timer.key for w in box.query(Countdown)] != [timer.key for timer in active]:
            box.remove_children()
            widgets = []
            for timer in active:
                text = self.app.library.playbook(timer.playbook).timer(timer.timer).label
                label = tagged(tr(text, lang), text, lang)
                widget = Countdown(timer, label, lang)
                widgets.append(widget)
            if widgets:
                box.mount_all(widgets)
                for widget, timer in zip(widgets, active, strict=True):
                    widget.show(timer, now)
            else:
                box.mount(Static(plain(t("no_timers", lang)), classes="hint"))
            return
        for timer in active:
            existing[timer.key].show(timer, now)

    # --- the clock ------------------------------------------------------------

    async def _tick(self) -> None:
        if self.session.state.ended or self.session.failure:
            return
        self._ticks += 1
        if self._ticks % LOW_SPACE_CHECK_EVERY == 1 and not self._warned_low_space:
            if await asyncio.to_thread(lambda: self.session.writer.low_space):
                self._warned_low_space = True
                self.app.notify(t("low_space", self.app.lang), severity="error", timeout=30)
        self._render_header()
        self._render_timers()
        await self._deliver_injects()
        if due_alarms(self.session.state, self.app.clock.now()):
            records = await self.app.execute(cmd.Tick()) or []
            self._announce(records)
            if any(r.type == ev.STEP_ENTERED for r in records):  # an escalation came up
                self.render_state()
            else:
                self._render_timers()
        elif self.app.idle_for() > IDLE_COLLECT_AFTER_S:
            self.app.collect_garbage_when_idle()

    async def _deliver_injects(self) -> None:
        """A drill's injects reach the trainee at their run times (logged first)."""
        scenario, state = self.app.scenario, self.session.state
        if scenario is None or state.started_at is None or state.scenario != scenario.id:
            return
        from ehplan.drill import due_injects

        lang = self.app.lang
        elapsed = (self.app.clock.now() - state.started_at).total_seconds()
        for inject in due_injects(scenario, state, elapsed):
            text = tr(inject.text, lang)
            if await self.app.execute(cmd.DeliverInject(inject.id, text, inject.at)) is not None:
                self.app.bell()
                self.app.notify(text, title=f"✉ {t('inject', lang)}", timeout=30, markup=False)
                self._render_side_injects()

    def _announce(self, records: list[AuditRecord]) -> None:
        """Bell and notifications for warnings and expiries; drawing is the caller's."""
        lang = self.app.lang
        for record in records:
            if record.type not in (ev.TIMER_WARNED, ev.TIMER_EXPIRED):
                continue
            timer = self.session.state.timers[record.data["key"]]
            label = tr(self.app.library.playbook(timer.playbook).timer(timer.timer).label, lang)
            if record.type == ev.TIMER_EXPIRED:
                self.app.bell()
                self.app.notify(f"‼ {t('overdue', lang)}: {label}", severity="error", timeout=15, markup=False)
            else:
                self.app.notify(f"⚠ {t('warning', lang)}: {label}", severity="warning", timeout=8, markup=False)

    # --- actions --------------------------------------------------------------

    async def run_command(self, command: cmd.Command) -> bool:
        """Carry out a command; redraw after it is durable."""
        records = await self.app.execute(command)
        if records is None:
            return False
        if self.session.state.ended:
            self.app.show_summary()
            return True
        self._announce(records)
        self.render_state()
        return True

    async def action_pick(self, number: int) -> None:
        step = self.current_step()
        targets = numbered_targets(step)
        if not 1 <= number <= len(targets):
            return
        target = targets[number - 1]
        if isinstance(step, DecisionStep):
            await self.run_command(cmd.Choose(target))
        elif isinstance(step, ChecklistStep):
            await self.run_command(cmd.TickItem(target))
        elif isinstance(step, NotifyStep):
            self._log_call(target)

    @work
    async def _log_call(self, contact_id: str) -> None:
        contact = self.app.library.contact(contact_id)
        lang = self.app.lang
        outcome = await self.app.push_screen_wait(
            CallDialog(tr(contact.name, lang), contact.number or t("not_filled", lang), lang))
        if outcome:
            await self.run_command(cmd.LogContact(contact_id, outcome))

    @on(NumberedLine.Picked)
    async def _picked(self, event: NumberedLine.Picked) -> None:
        await self.action_pick(event.number)

    async def action_continue(self) -> None:
        await self.run_command(cmd.Continue())

    @on(Button.Pressed, "#continue")
    async def _continue_pressed(self) -> None:
        await self.action_continue()

    @on(Input.Submitted, ".field-input")
    async def _field_submitted(self, event: Input.Submitted) -> None:
        field_id = (event.input.id or "").removeprefix("field-")
        event.stop()
        step = self.current_step()
        field = next((f for f in getattr(step, "fields", []) if f.id == field_id), None)
        recorded = self.session.state.values.get(field_id)
        unchanged = field is not None and recorded is not None and event.value == field_text(field, recorded)
        if not event.value.strip() or unchanged:
            # Nothing new to record (an optional field left empty, or a value
            # already logged): Enter means "next step", as on every other step.
            await self.action_continue()
            return
        await self.run_command(cmd.SetField(field_id, event.value))

    @work
    async def action_note(self) -> None:
        lang = self.app.lang
        text = await self.app.push_screen_wait(TextDialog(t("note", lang), t("note_prompt", lang)))
        if text and await self.run_command(cmd.AddNote(text)):
            self.app.notify(t("note_saved", lang), timeout=3)

    @work
    async def action_override(self) -> None:
        lang = self.app.lang
        reason = await self.app.push_screen_wait(TextDialog(t("override", lang), t("reason_prompt", lang)))
        if reason:
            await self.run_command(cmd.Override(reason))

    def action_end(self) -> None:
        self.app.end_run()
