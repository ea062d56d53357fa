"""The footer, whole: a key is shown entire or not at all.

Textual's footer lays its keys out in one row and cuts whatever passes the
right edge, mid-word (the picker lost "f9 Language" at 80 columns). This one
leaves out whole keys instead, the command palette's entry first and then the
app-wide keys that the palette also offers (Ctrl+Q, F4, F3), so the keys of
the screen itself always show.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

DROP_FIRST = ("ctrl+p", "ctrl+q", "f4", "f3")
"""Left out first, in this order, when the keys do not all fit."""


def needed(keys: Iterable[Widget]) -> int:
    """Columns the keys take in a compact footer: key, space, label, and one
    column between keys."""
    widths = [cell_len(k.key_display) + 1 + cell_len(k.description) + 1 for k in keys if isinstance(k, FooterKey)]
    return sum(widths) - 1 if widths else 0


class WholeFooter(Footer):
    """A compact footer that never cuts a key."""

    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__(compact=True, show_command_palette=show_command_palette)

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        width = self.size.width or self.app.size.width
        for key in DROP_FIRST:
            if needed(keys) <= width:
                break
            keys = [k for k in keys if not (isinstance(k, FooterKey) and k.key == key)]
        while keys and needed(keys) > width:
            keys.pop()
        yield from keys

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.recompose)
