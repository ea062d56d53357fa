"""The run screen: the one next thing to do, the countdowns, the contacts.

It holds no state of its own: everything drawn comes from its run's state
(a `RunController`: the fold of the log), and every key becomes an engine
command sent to that run. It posts what the app must act on (the run ended,
its log failed) and never reaches into the app for the run; the app holds the
set of runs, ticks them all and says when the clock moved.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from ehplan.audit import AuditRecord, AuditWriteError
from ehplan.engine import commands as cmd
from ehplan.engine import events as ev
from ehplan.engine.decide import NeedsConfirmation
from ehplan.engine.messages import Refused
from ehplan.library import Library
from ehplan.playbook.models import AnyStep, DecisionStep, EndStep, RecordField, RecordStep
from ehplan.text import tagged, visible
from ehplan.tui.controller import ReadOnly, RunController, alarm_of, run_title
from ehplan.tui.drill_control import paused_badge
from ehplan.tui.keys import KeySpec, apply_keys
from ehplan.tui.safe import Hanging, fit, plain, tr
from ehplan.tui.screens.dialogs import CallDialog, ConfirmEndDialog, TextDialog
from ehplan.tui.strings import t
from ehplan.tui.widgets.countdown import Countdown, clock_text
from ehplan.tui.widgets.footer import WholeFooter
from ehplan.tui.widgets.notices import Kind, Notices
from ehplan.tui.widgets.runs_strip import STRIP_ID, RunsStrip
from ehplan.tui.widgets.step_view import (
    OUTCOME_MARKS,
    NumberedLine,
    StepView,
    field_text,
    numbered_targets,
    step_contacts,
)

if TYPE_CHECKING:
    from ehplan.engine.state import RunState
    from ehplan.tui.app import EhplanApp

PATH_SHOWN = 6
PATH_ROWS = 2
"""The path line's height (its max-height in app.tcss)."""
SIDE_NOTES = 3
"""How many of the latest notes the side pane shows."""


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
        # One row as wide as the screen (app.tcss): a new text never changes its size,
        # so the clock's redraw each second costs no layout of the whole screen.
        self.update(plain(" " + title + rest), layout=False)


class RunScreen(Screen[None]):
    """Walk the operator through one run."""

    BINDINGS = [*(Binding(str(n), f"pick({n})", str(n), show=False) for n in range(1, 10)),
                Binding("up", "back_to_field", show=False)]
    KEYS = [
        KeySpec("enter", "continue", "k_next"),
        KeySpec("f2", "note", "note"),
        KeySpec("ctrl+o", "override", "k_skip"),
        KeySpec("f10", "end", "k_end"),
        KeySpec("ctrl+g", "flow", "flow", show=False),  # like F1: in the README, not the crowded footer
    ]

    class Ended(Message):
        """The run on this screen ended: the app shows its summary."""

        def __init__(self, run: RunController) -> None:
            super().__init__()
            self.run = run

    class Failed(Message):
        """The run's log refused a write: the app says "continue on paper"."""

        def __init__(self, run: RunController, reason: str) -> None:
            super().__init__()
            self.run = run
            self.reason = reason

    app: EhplanApp  # for its language only: the run comes from the controller

    def __init__(self, run: RunController, library: Library) -> None:
        super().__init__()
        self.run = run
        self.library = library

    def compose(self) -> ComposeResult:
        yield RunHeader(id="run-header")
        with Horizontal(id="run-body"):
            with VerticalScroll(id="main", can_focus=False):  # Tab goes to the step's fields
                yield Static(id="step-loading")
            with Vertical(id="side"):
                yield Static(id="timers-title", classes="side-title")
                yield Vertical(id="timers")
                yield Static(id="side-contacts")
                yield Static(id="side-notes")
                yield Static(id="side-injects")
        yield RunsStrip(id=STRIP_ID)
        yield Notices(id="notices")
        yield Static(id="path")
        yield WholeFooter()

    _keys_lang = ""
    _continue_offered: bool | None = None
    """Whether the footer last offered ⏎ next (the one key that depends on the step)."""

    def on_mount(self) -> None:
        self.render_state()

    # --- drawing ------------------------------------------------------------

    @property
    def state(self) -> RunState:
        return self.run.state

    def current_step(self) -> AnyStep:
        state = self.run.state
        return self.library.playbook(state.playbook).step(state.step)

    def run_name(self) -> str:
        """The run as dialogs name it: its playbook's short title and its id."""
        state = self.run.state
        return f"{run_title(state, self.library, self.app.lang)} · {state.run_id}"

    def tell(self, text: str, kind: Kind = "info", *, title: str | None = None,
             timeout: float | None = None) -> None:
        """Say something about this run in the screen's own notices."""
        self.query_one(Notices).add(kind, text, title=title, timeout=timeout)

    def render_state(self) -> None:
        """Redraw everything from the session's state."""
        state, lang = self.run.state, self.app.lang
        relabel = lang != self._keys_lang
        if relabel:  # rebinding redraws the footer: only when the language changed
            apply_keys(self, self.KEYS, lang)
            self._keys_lang = lang
        self.query_one(Notices).clear("refusal")  # the step moved on, or the command went through
        main = self.query_one("#main", VerticalScroll)
        main.remove_children()
        view = StepView(self.current_step(), state, self.library, lang, self.run.clock.now())
        mounted = main.mount(view)
        self.query_one("#timers-title", Static).update(plain(t("timers", lang)))
        self._render_timers(rebuild=relabel)
        self._render_header()
        self._render_path()
        offered = self.check_action("continue", ())
        if relabel or offered != self._continue_offered:  # the footer offers what this step takes
            self._continue_offered = offered  # (it is rebuilt whole, ~10 ms: only when that changes)
            self.refresh_bindings()
        self._render_side_contacts()
        self._render_side_notes()
        self._render_side_injects()
        self.call_later(self._focus_first, view, mounted)

    async def _focus_first(self, view: StepView, mounted: Awaitable[None]) -> None:
        """Put the cursor in the new step's first empty field once it is mounted;
        before that, focus would land on the old step's field being removed.
        With every field recorded, nothing has focus: keys meant for the next
        step must not overwrite a value (Tab, Shift+Tab or Up go back to one)."""
        await mounted
        if not view.is_attached:
            return
        inputs = [i for i in view.query(".field-input").results(Input) if not i.value]
        if inputs:
            inputs[0].focus()
        else:
            self.set_focus(None)

    def _render_header(self) -> None:
        state, lang = self.run.state, self.app.lang
        playbook = self.library.playbook(state.playbook)
        now = self.run.clock.now()
        elapsed = (now - state.started_at).total_seconds() if state.started_at else 0
        badge = t("drill", lang) if state.mode == "drill" else t("live", lang)
        header = self.query_one(RunHeader)
        header.show(tr(playbook.title, lang), tr(playbook.short_title, lang) if playbook.short_title else None,
                    f" │ ⏱ {clock_text(elapsed)} │ {badge}{paused_badge(state, lang)}"
                    f" │ {state.operator} │ {state.run_id}{self.app.hub_text()}")
        header.set_class(state.mode == "drill", "-drill")

    def _render_path(self) -> None:
        """The steps walked, always ending with the current one: the oldest
        give way first when they do not fit the path line's two rows."""
        state, lang = self.run.state, self.app.lang
        parts = []
        for entry in state.path[-PATH_SHOWN:]:
            step = self.library.playbook(entry.playbook).step(entry.step)
            parts.append(f"{tr(step.title, lang)} ({entry.source or step.source})")
        box = self.query_one("#path", Static)
        width = (box.content_region.width or self.size.width - 2) or 78
        head = f"{t('path', lang)}: "
        for first in range(len(parts)):
            more = "… › " if first or len(state.path) > PATH_SHOWN else ""
            text = head + more + " › ".join(parts[first:])
            if len(Content(visible(text)).wrap(width)) <= PATH_ROWS:
                break
        else:
            text = head + "… › " + fit(parts[-1], PATH_ROWS * width - cell_len(head) - 6)
        box.update(plain(text))

    def on_resize(self) -> None:
        self._render_path()

    def _render_side_contacts(self) -> None:
        step, lang = self.current_step(), self.app.lang
        ids = step_contacts(step)
        lines = [t("contacts_here", lang)] if ids else []
        state = self.run.state
        for contact_id in ids:
            contact = self.library.contact(contact_id)
            calls = [c.outcome for c in state.contacts if c.contact == contact_id]
            mark = "✓ " if state.reached(contact_id) else OUTCOME_MARKS["no_answer"] + " " if calls else "  "
            lines.append(f"{mark}{tr(contact.name, lang)}  {contact.number or '—'}")
        box = self.query_one("#side-contacts", Static)
        box.display = bool(lines)  # no blank rows taking the side pane's height
        box.update(plain("\n".join(lines)))

    def _render_side_notes(self) -> None:
        """The notes taken with F2 stay in view, the latest last (all of them are
        in the summary, the replay and the report)."""
        notes = self.run.state.notes
        box = self.query_one("#side-notes", Static)
        box.display = bool(notes)
        if notes:
            shown = "\n".join(f"• {note.text}" for note in notes[-SIDE_NOTES:])
            more = "…\n" if len(notes) > SIDE_NOTES else ""
            box.update(Hanging(f"✎ {t('notes', self.app.lang)} ({len(notes)})\n{more}{shown}"))

    def _render_side_injects(self) -> None:
        """A drill's latest inject stays in view, in the language on screen (a
        toast is easy to miss); the timeline of the replay and the report has them all."""
        injects = self.run.state.injects
        box = self.query_one("#side-injects", Static)
        box.display = bool(injects)
        if injects:
            count = f" ({len(injects)})" if len(injects) > 1 else ""
            box.update(Hanging(f"✉ {t('inject', self.app.lang)}{count}\n• {self._inject_text(injects[-1])}"))

    def _inject_text(self, inject: dict[str, Any]) -> str:
        """An inject in the language on screen when the scenario is at hand, else as logged."""
        scenario = self.run.scenario
        found = next((i for i in scenario.injects if i.id == inject.get("inject")), None) if scenario else None
        return tr(found.text, self.app.lang) if found is not None else str(inject.get("text", ""))

    def _render_timers(self, rebuild: bool = False) -> None:
        state, lang, now = self.run.state, self.app.lang, self.run.clock.now()
        box = self.query_one("#timers", Vertical)
        active = state.active_timers()
        # The box's own children, not a query: this runs every second, and a
        # query matches a selector against every node below.
        shown = [w for w in box.children if isinstance(w, Countdown)]
        existing = {w.timer.key: w for w in shown}
        if rebuild or [w.timer.key for w in shown] != [timer.key for timer in active]:
            box.remove_children()
            widgets = []
            for timer in active:
                text = self.library.playbook(timer.playbook).timer(timer.timer).label
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

    async def clock_moved(self, records: list[AuditRecord]) -> None:
        """The app ticked every run; ``records`` are what this run's tick logged."""
        if not self.is_mounted:  # pushed, not yet composed: its first drawing is to come
            return
        self._announce(records)
        if any(r.type == ev.STEP_ENTERED for r in records):  # an escalation came up
            self.render_state()
        else:
            self._render_header()
            self._render_timers()
            if any(r.type == ev.INJECT_DELIVERED for r in records):
                self._render_side_injects()

    def _announce(self, records: list[AuditRecord]) -> None:
        """Bell and notices for warnings, expiries and injects; drawing is the caller's."""
        for record in records:
            alarm = alarm_of(record, self.run.state, self.library, self.app.lang)
            if alarm is None:
                continue
            if alarm.rings:
                self.app.bell()
            text = self._inject_text(record.data) if alarm.kind == "inject" else alarm.text
            self.tell(text, alarm.kind, title=alarm.title, timeout=alarm.timeout)

    # --- actions --------------------------------------------------------------

    async def execute(self, command: cmd.Command) -> list[AuditRecord] | None:
        """Send a command to the run; None if it was refused or is not durable
        (a failed write stops the run: the app is told)."""
        lang = self.app.lang
        try:
            if self.run.scenario is not None:  # a drill's forced outcomes (ehplan.tui.drill_control)
                from ehplan.tui import drill_control

                command, said = drill_control.gate(self.app, command)
                if said:
                    self.tell(said, "inject", title=t("inject", lang), timeout=30)
            return await self.run.execute(command)
        except NeedsConfirmation:
            raise
        except Refused as exc:
            self.tell(exc.text(lang), "refusal", title=t("refused", lang))
        except ReadOnly:
            self.read_only()
        except AuditWriteError as exc:
            self.post_message(self.Failed(self.run, str(exc)))
        return None

    def read_only(self) -> None:
        self.tell(t("replay_read_only", self.app.lang), "refusal", timeout=3)

    async def run_command(self, command: cmd.Command) -> bool:
        """Carry out a command; redraw after it is durable."""
        records = await self.execute(command)
        if records is None:
            return False
        if self.run.state.ended:
            self.post_message(self.Ended(self.run))
            return True
        self._announce(records)
        self.render_state()
        return True

    async def action_pick(self, number: int) -> None:
        if not self.run.can_act:  # a replay: say so before any dialog opens
            self.read_only()
            return
        step = self.current_step()
        targets = numbered_targets(step)
        if not 1 <= number <= len(targets):
            return
        kind, target = targets[number - 1]
        if kind == "choice":
            await self.run_command(cmd.Choose(target))
        elif kind == "item":
            await self.run_command(cmd.TickItem(target))
        else:
            self.log_call(target)

    def can_log_call(self) -> bool:
        """Whether a call can be logged on this run now (not in a replay, not after the end)."""
        return self.run.can_act and not self.run.state.ended and not self.run.failure

    @work
    async def log_call(self, contact_id: str) -> None:
        """Ask how the call to a contact went, and log it for the current step."""
        if not self.run.can_act:  # a replay: say so before any dialog opens
            self.read_only()
            return
        contact = self.library.contact(contact_id)
        lang = self.app.lang
        outcome = await self.app.push_screen_wait(
            CallDialog(tr(contact.name, lang), contact.number or t("not_filled", lang), lang, run=self.run_name()))
        if outcome:
            await self.run_command(cmd.LogContact(contact_id, outcome))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that do nothing on this step are left out of the footer: no
        "⏎ next" on a decision (answered by number) or on the end step."""
        if action == "continue":
            return not isinstance(self.current_step(), DecisionStep | EndStep)
        return True

    def action_back_to_field(self) -> None:
        """Up with nothing focused: back to the last field (to correct it), else scroll."""
        fields = list(self.query(".field-input").results(Input))
        if fields:
            fields[-1].focus()
        else:
            self.query_one("#main", VerticalScroll).scroll_up()

    @on(NumberedLine.Picked)
    async def _picked(self, event: NumberedLine.Picked) -> None:
        await self.action_pick(event.number)

    async def action_continue(self) -> None:
        await self.run_command(cmd.Continue())

    @on(Button.Pressed, "#continue")
    async def _continue_pressed(self) -> None:
        await self.action_continue()

    @on(Input.Changed, ".field-input")
    def _field_changed(self) -> None:
        """Typing into a field is fixing what a refusal asked for: the refusal goes."""
        self.query_one(Notices).clear("refusal")

    @on(Input.Submitted, ".field-input")
    async def _field_submitted(self, event: Input.Submitted) -> None:
        field_id = (event.input.id or "").removeprefix("field-")
        event.stop()
        step = self.current_step()
        field = next((f for f in getattr(step, "fields", []) if f.id == field_id), None)
        recorded = self.run.state.values.get(field_id)
        unchanged = field is not None and recorded is not None and event.value == field_text(field, recorded)
        if not event.value.strip() or unchanged:
            # Nothing new to record (an optional field left empty, or a value
            # already logged): Enter means "next step", as on every other step.
            await self.action_continue()
            return
        await self.record(field_id, event.value)

    async def record(self, field_id: str, value: str) -> None:
        """Record a field's value; a correction says what it changed, and, when
        the run already branched on the old value, where the new one leads."""
        records = await self.execute(cmd.SetField(field_id, value))
        if records is None:
            return
        self._announce(records)
        self.render_state()
        for record in records:
            if record.type == ev.FIELD_SET and "previous" in record.data:
                self._say_corrected(record.data)

    def recorded_fields(self) -> list[tuple[RecordField, str]]:
        """Fields recorded on steps the run has left, with their values as shown:
        what the command palette offers to correct."""
        state = self.run.state
        playbook = self.library.playbook(state.playbook)
        return [(f, field_text(f, state.values[f.id])) for step in playbook.steps
                if isinstance(step, RecordStep) and step.id != state.step
                for f in step.fields if f.id in state.values]

    @work
    async def correct(self, field: RecordField) -> None:
        """Ask for a recorded field's new value, its current one typed in."""
        if not self.run.can_act:  # a replay: say so before any dialog opens
            self.read_only()
            return
        lang = self.app.lang
        shown = field_text(field, self.run.state.values.get(field.id))
        value = await self.app.push_screen_wait(TextDialog(t("correct", lang), tr(field.label, lang), value=shown,
                                                           lang=lang, run=self.run_name()))
        if value:
            await self.record(field.id, value)

    def _say_corrected(self, data: dict[str, Any]) -> None:
        lang, playbook = self.app.lang, self.library.playbook(self.run.state.playbook)
        field = next(f for s in playbook.steps for f in getattr(s, "fields", []) if f.id == data["field"])
        text = t("corrected", lang).format(field=tr(field.label, lang), old=field_text(field, data["previous"]),
                                           new=field_text(field, data["value"]))
        branch = data.get("branch")
        if branch is None:
            self.tell(text, "info", timeout=8)
            return
        would, went = (tr(playbook.step(branch[k]).title, lang) for k in ("would", "went"))
        self.tell(text + " " + t("corrected_branch", lang).format(would=would, went=went), "warning")

    @work
    async def action_note(self) -> None:
        if not self.run.can_act:  # a replay: say so before any dialog opens
            self.read_only()
            return
        lang = self.app.lang
        text = await self.app.push_screen_wait(TextDialog(t("note", lang), t("note_prompt", lang), lang=lang,
                                                          run=self.run_name()))
        if text and await self.run_command(cmd.AddNote(text)):
            self.tell(t("note_saved", lang), "info", timeout=3)

    @work
    async def action_override(self) -> None:
        if not self.run.can_act:  # a replay: say so before any dialog opens
            self.read_only()
            return
        lang = self.app.lang
        reason = await self.app.push_screen_wait(TextDialog(t("override", lang), t("reason_prompt", lang), lang=lang,
                                                            empty=t("reason_empty", lang), run=self.run_name()))
        if reason:
            await self.run_command(cmd.Override(reason))

    @work
    async def action_end(self) -> None:
        """End the run, asking for confirmation when anything is still open."""
        if not self.run.can_act:  # a replay: say so before any dialog opens
            self.read_only()
            return
        try:
            records = await self.execute(cmd.EndRun())
        except NeedsConfirmation as exc:
            lang = self.app.lang
            items = [item.text(lang) for item in exc.open_items]
            if not await self.app.push_screen_wait(ConfirmEndDialog(items, lang, run=self.run_name())):
                return
            records = await self.execute(cmd.EndRun(confirm=True))
        if records is not None:
            self.post_message(self.Ended(self.run))

    def action_flow(self) -> None:
        """The playbook's whole flow as a tree, with where the run is (screens/flow.py)."""
        from ehplan.tui.screens.flow import FlowScreen

        self.app.push_screen(FlowScreen(self.library, self.run.state, self.app.lang))
