"""Clocks, injected everywhere time is read: system for live runs, fake for
tests, scaled (faster) for drills and replay."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time."""

    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The machine's wall clock, in the local zone with its offset."""

    scale = 1

    def now(self) -> dt.datetime:
        return dt.datetime.now().astimezone()


class FakeClock:
    """A clock that moves only when told to (tests)."""

    scale = 1

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self._now += dt.timedelta(seconds=seconds)

    def set(self, instant: dt.datetime) -> None:
        """Jump to an instant."""
        self._now = instant


class ScaledClock:
    """Time that runs ``scale`` times faster than ``base`` from ``epoch`` on, for
    drills (a 30-minute limit passes in 3 minutes at ×10)."""

    def __init__(self, base: Clock, scale: int, epoch: dt.datetime | None = None) -> None:
        if scale < 1:
            raise ValueError("a clock scale is a whole number ≥ 1")
        self.base = base
        self.scale = scale
        self.epoch = epoch or base.now()
        self._base_epoch = base.now()

    def now(self) -> dt.datetime:
        return self.epoch + (self.base.now() - self._base_epoch) * self.scale


class DrillClock(ScaledClock):
    """A drill's clock: ``scale`` times faster than ``base`` from ``epoch`` (the
    scenario's simulated start), and the trainer can pause it, resume it and
    advance it. While paused, drill time stands still, so every inject and
    deadline, all kept in drill time, keeps its place: nothing shifts by the
    length of the pause."""

    def __init__(self, base: Clock, scale: int, epoch: dt.datetime | None = None) -> None:
        super().__init__(base, scale, epoch)
        self._offset = dt.timedelta()
        """Drill time added by advances, less the drill time a pause held back."""
        self._paused_at: dt.datetime | None = None
        """The base time the current pause began, if paused."""

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def now(self) -> dt.datetime:
        base_now = self._paused_at or self.base.now()
        return self.epoch + (base_now - self._base_epoch) * self.scale + self._offset

    def pause(self) -> None:
        """Stop drill time (no effect when already paused)."""
        if self._paused_at is None:
            self._paused_at = self.base.now()

    def paused_for(self) -> float:
        """Real seconds the current pause has lasted (0 when running)."""
        return (self.base.now() - self._paused_at).total_seconds() if self._paused_at is not None else 0.0

    def resume(self) -> float:
        """Let drill time run again from where it stood; the real seconds the pause lasted."""
        if self._paused_at is None:
            return 0.0
        held = self.base.now() - self._paused_at
        self._offset -= held * self.scale
        self._paused_at = None
        return held.total_seconds()

    def advance(self, seconds: float) -> None:
        """Jump drill time forward (paused or not)."""
        if seconds < 0:
            raise ValueError("a drill clock only moves forward")
        self._offset += dt.timedelta(seconds=seconds)


def rfc3339(instant: dt.datetime) -> str:
    """Milliseconds and the UTC offset, e.g. 2026-11-28T13:05:07.123+08:00."""
    return instant.isoformat(timespec="milliseconds")


def parse_instant(text: str) -> dt.datetime:
    """The inverse of `rfc3339`."""
    return dt.datetime.fromisoformat(text)
