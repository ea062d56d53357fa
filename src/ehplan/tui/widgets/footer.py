"""The footer, whole: a key is shown entire or not at all.

Textual's footer lays its keys out in one row and cuts whatever passes the
right edge, mid-word (the picker lost "f9 Language" at 80 columns). This one
leaves out whole keys instead, the command palette's entry first and then the
app-wide keys that the palette also offers (Ctrl+Q, F4, F3), so the keys of
the screen itself always show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
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
        self._forget_keys(lambda node: bool(getattr(node, "_closing", False)))
        made = list(super().compose())
        keys = made
        width = self.size.width or self.app.size.width
        self._laid_out_for = width
        self._keys_shown = self._keys_now() if made else None
        for key in DROP_FIRST:
            if needed(keys) <= width:
                break
            keys = [k for k in keys if not (isinstance(k, FooterKey) and k.key == key)]
        while keys and needed(keys) > width:
            keys.pop()
        shown = {id(k) for k in keys}
        self._forget_keys(lambda node: any(node is k for k in made) and id(node) not in shown)
        yield from keys

    def _forget_keys(self, gone: Callable[[object], bool]) -> None:
        """Drop the footer's watcher entries for keys that are gone.

        Footer.compose binds every FooterKey to the footer's ``compact``
        (data_bind), which keeps an entry pointing back at the key on the
        footer itself, pruned only when ``compact`` changes (Textualize/textual
        #6666). The footer recomposes whenever the screen's keys change, on
        every step, so without this each old key stayed alive with all it
        holds: 490,000 objects after 150 key presses instead of 209,000.
        """
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [(node, callback) for node, callback in entries if not gone(node)]

    _laid_out_for = -1
    """The width the keys were chosen for."""
    _keys_shown: tuple[object, ...] | None = None
    """The screen's keys as they were when the footer was composed."""

    def _keys_now(self) -> tuple[object, ...]:
        """What the footer shows of the screen's keys: each shown binding's key,
        label, action and whether it is enabled, with its tooltip."""
        return tuple((binding.key, binding.description, binding.action, binding.group, enabled, tooltip)
                     for _node, binding, enabled, tooltip in self.screen.active_bindings.values() if binding.show)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Recompose only when the keys to show changed: the screen signals on
        every focus change and binding refresh, and a footer is some twenty
        widgets to build again (a new screen's first key waited on two of them)."""
        if self._keys_shown is not None and screen is self.screen and self._keys_now() == self._keys_shown:
            return
        super().bindings_changed(screen)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._laid_out_for:  # not on a new screen's first layout: the keys fit already
            self.call_after_refresh(self.recompose)
