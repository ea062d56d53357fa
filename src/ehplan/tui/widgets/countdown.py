"""A live countdown for one timer: label, remaining time, a bar; its look
changes at warning and at expiry, in words and symbols as well as colour."""

from __future__ import annotations

import datetime as dt

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ehplan.engine.state import TimerState
from ehplan.text import Lang
from ehplan.tui.safe import plain
from ehplan.tui.strings import t

BAR_WIDTH = 20


def clock_text(seconds: float) -> str:
    """mm:ss under an hour, h:mm:ss above; whole seconds, rounded towards the deadline."""
    whole = int(abs(seconds)) if seconds < 0 else int(seconds + 0.999)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Countdown(Widget):
    """One timer. The screen calls `show(now)`; remaining time is always
    ``due - now``, so it is exact after a resume and never drifts."""

    DEFAULT_CSS = """
    Countdown { height: auto; min-height: 3; padding: 0 1; border-left: thick $success; margin-bottom: 1; }
    Countdown.-warning { border-left: thick $warning; background: $warning 15%; }
    Countdown.-expired { border-left: thick $error; background: $error 20%; text-style: bold; }
    """

    remaining: reactive[float] = reactive(0.0, init=False)
    """Seconds until due; negative when overdue."""

    def __init__(self, timer: TimerState, label: str, lang: Lang, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timer = timer
        self.label = label
        self.lang = lang

    def show(self, timer: TimerState, now: dt.datetime) -> None:
        """Recompute from the stored deadline."""
        self.timer = timer
        self.remaining = timer.remaining(now)
        self.refresh()

    def watch_remaining(self, remaining: float) -> None:
        expired = remaining < 0 or self.timer.status == "expired"
        warning = not expired and (self.timer.status == "warned" or remaining <= self._warn_window())
        self.set_class(expired, "-expired")
        self.set_class(warning, "-warning")

    def _warn_window(self) -> float:
        return (self.timer.due - self.timer.warn_at).total_seconds()

    def render(self) -> Content:
        remaining = self.remaining
        if remaining < 0:
            symbol, status = "‼", f"{t('overdue', self.lang)} +{clock_text(remaining)}"
        elif self.has_class("-warning"):
            symbol, status = "⚠", f"{clock_text(remaining)} {t('warning', self.lang)}"
        else:
            symbol, status = "⏱", clock_text(remaining)
        total = max(self.timer.duration_s, 1)
        filled = 0 if remaining <= 0 else round(BAR_WIDTH * min(remaining, total) / total)
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        return Content.assemble(plain(f"{symbol} {self.label}"), "\n", f"  {status}", "\n", f"  {bar}")
