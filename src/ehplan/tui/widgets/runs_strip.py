"""The other runs in progress, one line each, the most urgent first: what each
one's nearest deadline is and how long is left, so no run's next deadline is
ever out of sight. The line F12 goes to is marked. Hidden when no other run is
open. Urgency reads in symbols and words (‼ overdue, ⚠ warning, ⏱), not by
colour alone."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.widgets import Static

from ehplan.text import Lang
from ehplan.tui.safe import fit, plain, tr
from ehplan.tui.strings import t
from ehplan.tui.widgets.countdown import deadline_mark

if TYPE_CHECKING:  # the picker shows the strip at first paint, before the library (pydantic) loads
    from ehplan.library import Library
    from ehplan.tui.controller import RunController

MAX_ROWS = 4
"""More runs than this are summed up on the last row."""
STRIP_ID = "runs-strip"
"""The strip's id: a screen that shows one yields it as its own child with this id
(the app finds it there every second)."""


@dataclass(frozen=True)
class StripRow:
    """One run as the strip shows it."""

    run_id: str
    remaining: float
    """Seconds to the run's most urgent deadline (negative when overdue; inf with none)."""
    overdue: bool
    text: str


def strip_row(run: RunController, library: Library, lang: Lang) -> StripRow:
    """A run's line: its title, then its most urgent deadline."""
    from ehplan.tui.controller import run_title  # not at import: the picker paints before the engine loads

    state = run.state
    title = run_title(state, library, lang)
    timers = state.active_timers()
    if not timers:
        return StripRow(state.run_id, math.inf, False, f"{title} │ {t('no_timers', lang)}")
    timer, now = timers[0], run.clock.now()
    remaining = timer.remaining(now)
    label = tr(library.playbook(timer.playbook).timer(timer.timer).label, lang)
    expired = remaining < 0 or timer.status == "expired"
    warning = not expired and (timer.status == "warned" or now >= timer.warn_at)
    mark = deadline_mark(remaining, lang, expired=expired, warning=warning)
    return StripRow(state.run_id, remaining, remaining < 0, f"{title} │ {mark} {label}")


def by_urgency(rows: Sequence[StripRow]) -> list[StripRow]:
    """The most urgent first: overdue longest, then least time left; runs with no deadline last."""
    return sorted(rows, key=lambda row: row.remaining)


class RunsStrip(Static):
    """The other open runs, most urgent first."""

    DEFAULT_CSS = """
    RunsStrip {
        display: none; height: auto; max-height: 4; padding: 0 1; background: $boost; border-left: outer $primary;
    }
    RunsStrip.-overdue { border-left: outer $error; text-style: bold; }
    """

    _text = ""
    """What the strip shows now."""

    def show(self, rows: Sequence[StripRow], target: str | None, lang: Lang) -> None:
        """Show ``rows`` (already in order); ``target`` is the run F12 goes to."""
        self.display = bool(rows)
        if not rows:
            return
        width = max((self.content_region.width or self.app.size.width - 4), 20)
        shown = list(rows[:MAX_ROWS]) if len(rows) <= MAX_ROWS else list(rows[:MAX_ROWS - 1])
        lines = []
        for row in shown:
            head = "F12 ▸ " if row.run_id == target else "      "
            lines.append(fit(head + row.text, width))
        if len(rows) > len(shown):
            lines.append(fit(f"      … {t('runs_open', lang).format(n=len(rows) + 1)}", width))
        self.set_class(any(row.overdue for row in rows), "-overdue")
        text = "\n".join(lines)
        if text == self._text:
            return
        # Each line is cut to the width, so the strip's height is its number of lines:
        # the whole screen is laid out again only when that changes, not every second.
        self.update(plain(text), layout=len(lines) != self._text.count("\n") + 1 or not self._text)
        self._text = text
