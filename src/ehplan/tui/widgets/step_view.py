"""The current step, drawn from the engine's state: what to do, the script to
read, and the numbered lines (choices, items, contacts) that keys 1–9 pick."""

from __future__ import annotations

import datetime as dt
from typing import Any, assert_never

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Static

from ehplan.engine.state import RunState
from ehplan.library import Library
from ehplan.playbook.models import (
    ActionStep,
    AnyStep,
    ChecklistStep,
    DecisionStep,
    EndStep,
    GotoStep,
    NotifyStep,
    RecordField,
    RecordStep,
    StepBase,
)
from ehplan.sitedata.calendar import is_daytime
from ehplan.sitedata.models import CalendarFile
from ehplan.text import AUTHORS_TAG, RECONSTRUCTED, SHORT_TAG, Lang, in_lang, tagged, visible
from ehplan.tui.keys import KeySpec, apply_keys
from ehplan.tui.safe import plain, shown, tr
from ehplan.tui.strings import t
from ehplan.tui.widgets.text_input import TextInput


class NumberedLine(Static):
    """One numbered line; clicking it is the same as pressing its number."""

    class Picked(Message):
        """The line numbered ``number`` was clicked."""

        def __init__(self, number: int) -> None:
            self.number = number
            super().__init__()

    def __init__(self, number: int, text: Content, *, done: bool = False) -> None:
        super().__init__(text, classes="numbered -done" if done else "numbered")
        self.number = number

    def on_click(self) -> None:
        self.post_message(self.Picked(self.number))


OUTCOME_MARKS = {"answered": "✓", "called": "✓", "no_answer": "✗"}
"""A call's outcome as a symbol: "no answer" is never shown as done."""


def step_contacts(step: StepBase) -> list[str]:
    """Every contact the step names: those to notify, those to try as far as
    possible (S5.4.3's estates, in order), then those listed beside it
    (「組別經理的電話列於下方」), each once."""
    return list(dict.fromkeys([*getattr(step, "notify", []), *getattr(step, "best_effort", []), *step.contacts]))


def numbered_targets(step: StepBase) -> list[tuple[str, str]]:
    """What keys 1–9 refer to on this step, as (kind, id): its choices or
    items first, then every contact it names."""
    own: list[tuple[str, str]] = []
    if isinstance(step, DecisionStep):
        own = [("choice", c.id) for c in step.choices]
    elif isinstance(step, ChecklistStep):
        own = [("item", i.id) for i in step.items]
    return [*own, *(("contact", c) for c in step_contacts(step))][:9]


def call_now(step: NotifyStep, calendar: CalendarFile | None, now: dt.datetime | None) -> tuple[str, str] | None:
    """The contact a day/night rule names at ``now``, with the UI key saying why
    ("call_now_day" / "call_now_night"); None without a rule, a clock or daytime hours."""
    rule = step.by_time_of_day
    if rule is None or now is None:
        return None
    daytime = is_daytime(calendar, now)
    if daytime is None:
        return None
    return (rule.day, "call_now_day") if daytime else (rule.night, "call_now_night")


def origin_shown(value: Any, lang: Lang, tag: tuple[str, str] = SHORT_TAG) -> Content:
    """A playbook text, safe to show, labelled when it is the authors' (a label,
    not a colour, so it survives 16 colours, a screenshot and a print)."""
    return plain(tagged(tr(value, lang), value, lang, tag))


class StepView(Vertical):
    """Everything about the step the operator is on. On a record step, Up and
    Down move between the fields (as Shift+Tab and Tab do), recorded ones too,
    so a value typed wrong can be typed again."""

    BINDINGS = [Binding("up", "field(-1)", show=False), Binding("down", "field(1)", show=False)]

    def __init__(self, step: AnyStep, state: RunState, library: Library, lang: Lang,
                 now: dt.datetime | None = None) -> None:
        super().__init__(classes="step-view")
        self.now = now
        self.step = step
        self.state = state
        self.library = library
        self.lang = lang

    def action_field(self, offset: int) -> None:
        fields = list(self.query(".field-input").results(Input))
        if self.screen.focused in fields:
            at = fields.index(self.screen.focused) + offset
            fields[max(0, min(at, len(fields) - 1))].focus()

    def compose(self) -> ComposeResult:
        step, lang = self.step, self.lang
        last = self.state.path[-1] if self.state.path else None
        if self.library.playbook(self.state.playbook).reconstructed:
            yield Static(plain(in_lang(RECONSTRUCTED, lang)), classes="reconstructed")
        if last is not None and last.via == "escalation":
            yield Static(plain("▲ " + t("escalation", lang) + tr(step.title, lang)), classes="escalation-banner")
        yield Static(origin_shown(step.title, lang), id="step-title")
        yield Static(plain(f"{t('source', lang)} {step.source}"), id="step-source")
        if step.body is not None:
            yield Static(origin_shown(step.body, lang, AUTHORS_TAG), id="step-body")
        script = getattr(step, "script", None)
        if script is not None:
            box = Static(shown(script, lang), id="script")
            box.border_title = "🗣 " + t(self._script_label(), lang)
            box.border_subtitle = tagged("", script, lang).strip()
            yield box
        yield from self._kind_specific()
        if step.supplies:
            names = [f"• {tr(self.library.supply(s).name, lang)} ×{self.library.supply(s).quantity}"
                     for s in step.supplies]
            box = Static(plain("\n".join(names)), id="step-supplies")
            box.border_title = t("supplies_here", lang) + " " + in_lang(SHORT_TAG, lang)
            yield box
        if not isinstance(step, DecisionStep | EndStep):
            label = t("continue", lang) if not isinstance(step, GotoStep) else t("switched", lang) + " →"
            yield Button(plain(f"⏎ {label}"), id="continue", variant="primary")

    def _script_label(self) -> str:
        """The script box's label: to the contact called, or by the playbook's
        channel to the caller on the hotline or the customer in the hall."""
        if isinstance(self.step, NotifyStep):
            return "tell_contact"
        channel = self.library.playbook(self.state.playbook).channel
        return f"script_{channel}" if channel is not None else "script"

    def _kind_specific(self) -> ComposeResult:
        step, lang, state = self.step, self.lang, self.state
        match step:
            case DecisionStep():
                yield Static(plain(t("choose", lang)), classes="hint")
                for n, choice in enumerate(step.choices, 1):
                    yield NumberedLine(n, plain(f" {n}  {tagged(tr(choice.label, lang), choice.label, lang)}"))
            case ChecklistStep():
                yield Static(plain(t("tick_hint", lang)), classes="hint")
                for n, item in enumerate(step.items, 1):
                    done = state.item_key(step.id, item.id) in state.items_done
                    mark = "☑" if done else "☐"
                    extra = f"  ({t('optional', lang)})" if item.optional else ""
                    text = tagged(tr(item.text, lang), item.text, lang)
                    yield NumberedLine(n, plain(f" {n} {mark} {text}{extra}"), done=done)
                    if item.script is not None:
                        box = Static(shown(item.script, lang), classes="item-script")
                        box.border_title = "🗣 " + t("script", lang)
                        box.border_subtitle = tagged("", item.script, lang).strip()
                        yield box
            case RecordStep():
                yield Static(plain(t("record_hint", lang)), classes="hint")
                for field in step.fields:
                    yield from self._field(field)
            case GotoStep():
                target = self.library.playbook(step.playbook)
                yield Static(plain(f"→ {tr(target.title, lang)}\n{t('goto_hint', lang)}"), classes="hint")
            case EndStep():
                yield Static(plain(t("end_hint", lang)), classes="hint")
            case ActionStep() | NotifyStep():
                pass  # their text, script and contacts are drawn for every kind
            case _:
                assert_never(step)
        yield from self._contacts()

    def _contacts(self) -> ComposeResult:
        """Every contact the step names, numbered; a required one not reached
        after a call with no answer says what can be done next."""
        step, lang, state = self.step, self.lang, self.state
        numbered = [(n, target) for n, (kind, target) in enumerate(numbered_targets(step), 1) if kind == "contact"]
        if not numbered:
            return
        either = f" · {t('either_hint', lang)}" if getattr(step, "any_of", False) else ""
        yield Static(plain(t("call_hint", lang) + either), classes="hint")
        now_contact = call_now(step, self.library.calendar, self.now) if isinstance(step, NotifyStep) else None
        best_effort = set(getattr(step, "best_effort", []))
        for n, contact_id in numbered:
            if contact_id in best_effort and n == min(m for m, c in numbered if c in best_effort):
                yield Static(plain(t("try_hint", lang)), classes="hint")
            # a best-effort call counts once tried, whatever came of it: none is required
            done = (any(c.contact == contact_id for c in state.contacts) if contact_id in best_effort
                    else state.reached(contact_id))
            text = self._contact_line(n, contact_id)
            if now_contact is not None and contact_id == now_contact[0]:
                text += plain("  ◀ " + t(now_contact[1], lang))
            line = NumberedLine(n, text, done=done)
            line.set_class(not done and self._last_outcome(contact_id) == "no_answer", "-no-answer")
            yield line
        required = getattr(step, "notify", [])
        unanswered = [n for n, c in numbered if c in required and not state.reached(c)
                      and self._last_outcome(c) == "no_answer"]
        if unanswered:
            keys = "/".join(str(n) for n in unanswered)
            yield Static(plain("→ " + t("no_answer_next", lang).format(keys=keys)), classes="hint no-answer-next")

    def _last_outcome(self, contact_id: str) -> str | None:
        calls = [c for c in self.state.contacts if c.contact == contact_id]
        return calls[-1].outcome if calls else None

    def _contact_line(self, n: int, contact_id: str) -> Content:
        lang = self.lang
        contact = self.library.contact(contact_id)
        number = contact.number or f"({t('not_filled', lang)})"
        outcome = self._last_outcome(contact_id)
        status = f"  {OUTCOME_MARKS[outcome]} {t(outcome, lang)}" if outcome else ""
        return plain(f" {n}  ☎ {tr(contact.name, lang)}  {number}{status}")

    def _field(self, field: RecordField) -> ComposeResult:
        lang = self.lang
        value: Any = self.state.values.get(field.id)
        required = f" ({t('required', lang)})" if field.required else ""
        unit = f" [{tr(field.unit, lang)}]" if field.unit is not None else ""
        options = ""
        if field.type == "choice" and field.choices:
            options = "  " + "  ".join(f"{n}={tr(c, lang)}" for n, c in enumerate(field.choices, 1))
        done = f"  ✓ {t('recorded', lang)}" if value is not None else ""
        yield Static(plain(f"{tr(field.label, lang)}{unit}{required}{options}{done}"), classes="field-label")
        box = TextInput(value=field_text(field, value), id=f"field-{field.id}", classes="field-input",
                        placeholder=t(f"ph_{field.type}", lang))
        apply_keys(box, [KeySpec("enter", "submit", "k_record")], lang)  # the footer says what Enter does here
        yield box


def field_text(field: RecordField, value: Any) -> str:
    """A recorded value as its input box shows it: choices numbered from 1, and
    control characters made visible (an Input draws its value raw, so an ESC or
    a bidi override in a recorded text would otherwise reach the terminal)."""
    if value is None:
        return ""
    return visible(str(value + 1 if field.type == "choice" else value))
