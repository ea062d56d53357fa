"""The one-line input every operator text goes through (fields, notes,
reasons, names, searches).

Textual's Input draws its value raw, so a bidi override typed or pasted into
it reorders what the operator sees, and an ESC reaches the terminal; and a
bracketed paste keeps only its first line. Here each control character is
drawn as one visible glyph (the value, and so the log, keep the raw string:
the report and replay show it as ``\\u202e``), and a multi-line paste is kept
whole, in order, its lines joined by spaces.
"""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Input

from ehplan.text import is_bidi_control

BIDI_GLYPH = "⇄"
"""How a bidi control (U+202A–202E, U+2066–2069, U+200E/F) is drawn."""


def glyph(ch: str) -> str:
    """One visible character of width 1 for ``ch`` if it is a control character, else ``ch``."""
    if is_bidi_control(ch):
        return BIDI_GLYPH
    if unicodedata.category(ch) == "Cc" and ch != "\t":
        code = ord(ch)
        return chr(0x2400 + code) if code < 0x20 else "␡" if code == 0x7F else "�"
    return ch


def drawn(text: str) -> str:
    """``text`` as the input draws it: one glyph per character."""
    return "".join(glyph(ch) for ch in text)


class TextInput(Input):
    """An Input that shows control characters and keeps a whole paste."""

    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        return Text(drawn(self.value), no_wrap=True, overflow="ignore", end="")

    def _position_to_cell(self, position: int) -> int:
        return cell_len(drawn(self.value[:position]).expandtabs(4))

    def _cell_offset_to_index(self, offset: int) -> int:
        scroll_x, _ = self.scroll_offset
        offset += scroll_x
        cell = 0
        for index, ch in enumerate(self.value):
            width = cell_len(glyph(ch))
            if cell <= offset < cell + width:
                return index
            cell += width
        return max(0, min(offset, len(self.value)))

    def _toggle_cursor(self) -> None:
        """Blink only where it is seen: on a screen under another (the picker
        under a run) the blink's timer is paused instead of waking the app twice
        a second for ever; the cursor shows steady there, and blinks again at
        the next key or focus."""
        if not self.screen.is_active and self._blink_timer is not None:
            self._pause_blink(visible=True)
            return
        super()._toggle_cursor()

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # not Input's own handler, which keeps the first line only
        event.stop()
        text = " ".join(line for line in event.text.splitlines() if line) if event.text else ""
        if not text:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)
