"""A report on screen, read-only: the side-by-side debrief of drill attempts
(or one run's report) in a terminal or, through ``ehplan serve --debrief``,
in the classroom's browser. Arrows and PgUp/PgDn scroll, q leaves. The
lines are shown literally (never as markup)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from ehplan.text import Lang, in_lang
from ehplan.tui.safe import plain

_QUIT = ("離開", "Leave")


class DebriefApp(App[None]):
    """Lines of a report, scrollable."""

    CSS = """
    #debrief-title { background: $primary; color: $text; padding: 0 1; text-style: bold; }
    #debrief { padding: 0 1; }
    """

    def __init__(self, title: str, lines: list[str], lang: Lang) -> None:
        super().__init__()
        self._title = title
        self._lines = lines
        self._lang = lang

    def compose(self) -> ComposeResult:
        yield Static(plain(self._title), id="debrief-title")
        with VerticalScroll():
            yield Static(plain("\n".join(self._lines)), id="debrief")
        yield Footer()

    def on_mount(self) -> None:
        self.bind("q", "quit", description=in_lang(_QUIT, self._lang))
        self.query_one(VerticalScroll).focus()

    BINDINGS = [Binding("escape", "quit", show=False)]
