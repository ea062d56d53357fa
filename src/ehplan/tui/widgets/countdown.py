"""A live countdown for one timer: label, remaining time, a bar; its look
changes at warning and at expiry, in words and symbols as well as colour."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widget import Widget

from ehplan.text import Lang
from ehplan.tui.safe import plain
from ehplan.tui.strings import t

if TYPE_CHECKING:  # the picker's strip paints countdown marks before the engine loads
    from ehplan.engine.state import TimerState

BAR_WIDTH = 20
SECONDS_SHOWN_UNDER = 600
"""A countdown shows seconds in its last ten minutes, in warning and overdue;
before that, whole minutes (what an operator plans with 38 minutes left), so
eight countdowns far from due do not redraw every second."""


def clock_text(seconds: float) -> str:
    """mm:ss under an hour, h:mm:ss above; whole seconds, rounded towards the deadline."""
    whole = int(abs(seconds)) if seconds < 0 else int(seconds + 0.999)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def remaining_text(seconds: float, lang: Lang, *, urgent: bool = False) -> str:
    """Time left as a countdown shows it: mm:ss under ten minutes or when
    ``urgent``; before that whole minutes, rounded up as the seconds are
    ("38 min", "1 h 12 min", "2 h"), and 10:01 left reads "11 min" until "10:00"."""
    if urgent or seconds <= SECONDS_SHOWN_UNDER:
        return clock_text(seconds)
    hours, minutes = divmod(math.ceil(seconds / 60), 60)
    if hours:
        return t("left_h_min" if minutes else "left_h", lang).format(h=hours, m=minutes)
    return t("left_min", lang).format(m=minutes)


def deadline_mark(remaining: float, lang: Lang, *, expired: bool, warning: bool) -> str:
    """A deadline's time left as a symbol and words, as the countdowns and the
    strip of other runs show it: ‼ overdue +mm:ss, ⚠ mm:ss, ⏱ minutes or mm:ss."""
    if expired:
        return f"‼ {t('overdue', lang)} +{clock_text(remaining)}"
    if warning:
        return f"⚠ {remaining_text(remaining, lang, urgent=True)}"
    return f"⏱ {remaining_text(remaining, lang)}"


class Countdown(Widget):
    """One timer. The screen calls `show(now)`; remaining time is always
    ``due - now``, so it is exact after a resume and never drifts."""

    DEFAULT_CSS = """
    Countdown { height: auto; min-height: 3; padding: 0 1; border-left: thick $success; margin-bottom: 1; }
    Countdown.-warning { border-left: thick $warning; background: $warning 15%; }
    Countdown.-expired { border-left: thick $error; background: $error 20%; text-style: bold; }
    """

    def __init__(self, timer: TimerState, label: str, lang: Lang, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timer = timer
        self.label = label
        self.lang = lang
        self.remaining = 0.0
        """Seconds until due; negative when overdue."""
        self._shown: tuple[str, int] | None = None
        """The status and the bar's length last drawn."""

    def show(self, timer: TimerState, now: dt.datetime) -> None:
        """Recompute from the stored deadline; redraw only when what shows changes."""
        self.timer = timer
        self.remaining = remaining = timer.remaining(now)
        expired = remaining < 0 or timer.status == "expired"
        warning = not expired and (timer.status == "warned" or remaining <= self._warn_window())
        self.set_class(expired, "-expired")
        self.set_class(warning, "-warning")
        shown = (self._status(), self._filled())
        if shown != self._shown:
            self._shown = shown
            self.refresh()

    def _warn_window(self) -> float:
        return (self.timer.due - self.timer.warn_at).total_seconds()

    def _status(self) -> str:
        warning = self.has_class("-warning")
        mark = deadline_mark(self.remaining, self.lang, expired=self.has_class("-expired"), warning=warning)
        return f"{mark} {t('warning', self.lang)}" if warning else mark

    def _filled(self) -> int:
        total = max(self.timer.duration_s, 1)
        return 0 if self.remaining <= 0 else round(BAR_WIDTH * min(self.remaining, total) / total)

    def render(self) -> Content:
        status, filled = self._shown = (self._status(), self._filled())
        symbol, _, status = status.partition(" ")
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        return Content.assemble(plain(f"{symbol} {self.label}"), "\n", f"  {status}", "\n", f"  {bar}")
