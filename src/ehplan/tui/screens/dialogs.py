"""Small modal dialogs: a line of text (note, reason, name), a call outcome,
and the confirmation to end a run with items still open."""

from __future__ import annotations

from collections.abc import Iterator

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ehplan.text import Lang
from ehplan.tui.keys import KeySpec, apply_keys
from ehplan.tui.safe import Hanging, plain
from ehplan.tui.strings import t
from ehplan.tui.widgets.footer import WholeFooter
from ehplan.tui.widgets.text_input import TextInput


def run_line(run: str | None, lang: Lang) -> Iterator[Static]:
    """The run a dialog acts on, named at its top (several runs can be open)."""
    if run:
        yield Static(plain(f"{t('on_run', lang)}: {run}"), classes="dialog-run")


class TextDialog(ModalScreen[str | None]):
    """Ask for one line of text; Enter returns it, Esc returns None. Its own
    footer says how to confirm, and an empty answer is refused with ``empty``,
    the reason."""

    KEYS = [KeySpec("enter", "submit", "k_confirm", priority=True), KeySpec("escape", "cancel", "cancel")]

    def __init__(self, title: str, prompt: str, *, required: bool = True, value: str = "",
                 lang: Lang = "zh-Hant", empty: str | None = None, cancel: bool = True,
                 run: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.run = run
        self.title_text = title
        self.prompt = prompt
        self.required = required
        self.value = value
        self.lang = lang
        self.empty = empty or t("empty_text", lang)
        apply_keys(self, self.KEYS if cancel else self.KEYS[:1], lang)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield from run_line(self.run, self.lang)
            yield Static(plain(self.title_text), classes="dialog-title")
            yield Static(plain(self.prompt), classes="hint")
            yield TextInput(value=self.value, id="dialog-input")
            yield Static(id="dialog-error")
        yield WholeFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @property
    def typed(self) -> str:
        """What is in the box now."""
        return self.query_one(Input).value

    def action_submit(self) -> None:
        if self.required and not self.typed.strip():
            self.query_one(Input).add_class("-invalid")
            self.query_one("#dialog-error", Static).update(plain("✗ " + self.empty))
            return
        self.dismiss(self.typed)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CallDialog(ModalScreen[str | None]):
    """How did the call go? a answered, c called (message left), n no answer;
    Enter takes the highlighted button (←/→ move it). Its own footer says so:
    the run screen's footer underneath would offer "⏎ next"."""

    KEYS = [
        KeySpec("a", "pick('answered')", "answered"),
        KeySpec("c", "pick('called')", "called"),
        KeySpec("n", "pick('no_answer')", "no_answer"),
        KeySpec("enter", "press_focused", "k_take", priority=True),
        KeySpec("left", "app.focus_previous", "k_other", show=False),
        KeySpec("right", "app.focus_next", "k_other", show=False),
        KeySpec("escape", "pick('')", "cancel"),
    ]

    def __init__(self, who: str, number: str, lang: Lang, *, run: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.run = run
        self.who = who
        self.number = number
        self.lang = lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(classes="dialog-box"):
            yield from run_line(self.run, self.lang)
            yield Static(plain(f"☎ {self.who}  {self.number}"), classes="dialog-title")
            yield Static(plain(t("log_call", lang)), classes="hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(plain(f"a ✓ {t('answered', lang)}"), id="answered", variant="success")
                yield Button(plain(f"c ✓ {t('called', lang)}"), id="called", variant="primary")
                yield Button(plain(f"n ✗ {t('no_answer', lang)}"), id="no_answer", variant="warning")
        yield WholeFooter(show_command_palette=False)

    def on_mount(self) -> None:
        apply_keys(self, self.KEYS, self.lang)
        self.query_one("#answered", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_press_focused(self) -> None:
        if isinstance(self.focused, Button):
            self.focused.press()

    def action_pick(self, outcome: str) -> None:
        self.dismiss(outcome or None)


class _YesNoDialog(ModalScreen[bool]):
    """A dialog answered by its #yes button (or key) or any other button."""

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ConfirmEndDialog(_YesNoDialog):
    """List what is still open; end only on an explicit yes."""

    BINDINGS = [Binding("escape", "answer(False)", "Cancel"), Binding("y", "answer(True)", "End anyway")]

    def __init__(self, open_items: list[str], lang: Lang, *, run: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.run = run
        self.open_items = open_items
        self.lang = lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(classes="dialog-box"):
            yield from run_line(self.run, self.lang)
            yield Static(plain(f"⚠ {t('still_open', lang)}"), classes="dialog-title")
            yield Static(Hanging("\n".join(f"• {item}" for item in self.open_items)), id="open-items")
            with Horizontal(classes="dialog-buttons"):
                yield Button(plain(f"y {t('end_anyway', lang)}"), id="yes", variant="error")
                yield Button(plain(f"Esc {t('cancel', lang)}"), id="no")


class BriefingDialog(_YesNoDialog):
    """A drill's briefing, read before it starts: Enter starts, Esc leaves."""

    BINDINGS = [Binding("enter", "answer(True)", "Start", priority=True),
                Binding("escape", "answer(False)", "Cancel")]

    def __init__(self, title: str, briefing: str, facts: str, lang: Lang) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.briefing = briefing
        self.facts = facts
        self.lang = lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(classes="dialog-box"):
            yield Static(plain(f"🎓 {self.title_text}"), classes="dialog-title")
            yield Static(plain(self.facts), classes="hint")
            yield Static(plain(self.briefing), id="briefing")
            with Horizontal(classes="dialog-buttons"):
                yield Button(plain(f"⏎ {t('drill_start', lang)}"), id="yes", variant="warning")
                yield Button(plain(f"Esc {t('cancel', lang)}"), id="no")
