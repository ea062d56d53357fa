"""Notifications drawn in the screen's own layout, below the step and the
countdowns, instead of as Textual toasts.

Why not toasts: Textual's compositor divides every screen line at the edge of
every widget on it, the ones under a toast included, and a double-width
character divided that way is drawn as two blanks. A toast over the run
screen's side-pane divider lost the CJK character under it (column 48 at 80
columns). A notice that is part of the layout has no widget under it, so every
character shows; it also wraps at CJK width and never covers a countdown.
"""

from __future__ import annotations

from typing import Literal

from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Static

from ehplan.tui.safe import Hanging

Kind = Literal["refusal", "inject", "warning", "overdue", "error", "info"]
"""What a notice is about; each kind has its own look (`.notice.-KIND`)."""

MARKS: dict[Kind, str] = {"refusal": "✗", "inject": "✉", "warning": "⚠", "overdue": "‼", "error": "‼", "info": "✓"}
"""The symbol each kind starts with, so no kind is told by colour alone."""

SEVERITY: dict[Kind, Literal["information", "warning", "error"]] = {
    "refusal": "warning", "inject": "information", "warning": "warning", "overdue": "error", "error": "error",
    "info": "information"}
"""The toast severity of each kind, on a screen without notices (a dialog's)."""

SHOWN = 3
"""At most this many notices at once (the newest): the step stays in view."""


class Notice(Static):
    """One notice: its title (if any) and its text, shown literally."""

    def __init__(self, kind: Kind, text: str, title: str | None) -> None:
        self.kind = kind
        self.message = text
        head = f"{MARKS[kind]} {title}: " if title else f"{MARKS[kind]} "
        super().__init__(Hanging(head + text), classes=f"notice -{kind}")
        self.timer: Timer | None = None


class Notices(Vertical):
    """The screen's notices, newest last."""

    DEFAULT_CSS = """
    Notices { height: auto; max-height: 9; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._shown: list[Notice] = []

    def add(self, kind: Kind, text: str, *, title: str | None = None, timeout: float | None = None) -> None:
        """Show a notice; a refusal replaces an earlier refusal, and one without
        a ``timeout`` stays until it is cleared."""
        if kind == "refusal":
            self.clear("refusal")
        notice = Notice(kind, text, title)
        self._shown.append(notice)
        self.mount(notice)
        if timeout is not None:
            notice.timer = self.set_timer(timeout, lambda: self._drop(notice))
        for old in self._shown[:-SHOWN]:
            self._drop(old)

    def clear(self, kind: Kind | None = None) -> None:
        """Take away every notice of one kind (a refusal whose cause is fixed), or all."""
        for notice in [n for n in self._shown if kind in (None, n.kind)]:
            self._drop(notice)

    def _drop(self, notice: Notice) -> None:
        if notice in self._shown:
            self._shown.remove(notice)
            notice.remove()

    @property
    def messages(self) -> list[str]:
        """The text of every notice shown, oldest first."""
        return [notice.message for notice in self._shown]
