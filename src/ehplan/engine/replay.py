"""Playing a run's log back: the state at any instant of the run, by the same
fold the live app used. Pure; the TUI's replay screen draws it.

The replay has its own clock, the instant being shown. Events logged at the
same instant (a choice, the timers it starts, the next step) form one moment;
stepping moves a moment at a time, playing moves the clock at some speed and
shows each moment once the clock reaches it. Moments go in log order, so a log
whose clock once went backwards still plays through every event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ehplan.engine import events as ev
from ehplan.engine.clock import parse_instant
from ehplan.engine.fold import apply
from ehplan.engine.state import RunState

SPEEDS = (1, 2, 4, 8, 16, 32, 64)
"""Playback speeds, ×1 to ×64 (a 45-minute limit passes in 42 s)."""


class Replay:
    """A log being played back. ``now()`` makes it the clock the screens read."""

    def __init__(self, records: Sequence[ev.EventRecord]) -> None:
        if not records or records[0].type != ev.RUN_STARTED:
            raise ValueError("a run log begins with run_started")
        self.records: list[ev.EventRecord] = []
        # One state per moment: the fold of every record up to its last one.
        self.moments: list[dt.datetime] = []
        self._states: list[RunState] = []
        self._ends: list[int] = []
        self._take(records)
        self.first = next((m for m, state in enumerate(self._states) if state.step), -1)
        """The first moment with a step to show."""
        if self.first < 0:
            raise ValueError("the log ends before the run's first step")
        self.last = len(self.moments) - 1
        self.index = self.first
        self.at = self.moments[self.first]
        self.speed = 8
        self.playing = False

    def _take(self, records: Sequence[ev.EventRecord]) -> None:
        state = self._states[-1] if self._states else RunState()
        for record in records:
            instant = parse_instant(record.ts)
            state = apply(state, record)
            self.records.append(record)
            if self.moments and self.moments[-1] == instant:
                self._states[-1], self._ends[-1] = state, len(self.records)
            else:
                self.moments.append(instant)
                self._states.append(state)
                self._ends.append(len(self.records))

    def extend(self, records: Sequence[ev.EventRecord]) -> None:
        """Records logged since (a run followed while it goes on): more moments to play."""
        self._take(records)
        self.last = len(self.moments) - 1

    # --- the clock ----------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.at

    @property
    def scale(self) -> int:
        return 1

    # --- where the replay is -----------------------------------------------------------

    @property
    def moment(self) -> int:
        """The index of the moment shown."""
        return self.index

    @property
    def state(self) -> RunState:
        return self._states[self.moment]

    @property
    def shown(self) -> int:
        """How many records the state shown includes."""
        return self._ends[self.moment]

    @property
    def last_record(self) -> ev.EventRecord:
        return self.records[self.shown - 1]

    @property
    def at_end(self) -> bool:
        return self.index == self.last

    # --- moving -------------------------------------------------------------------

    def seek(self, moment: int) -> None:
        """Jump to a moment (clamped to the run)."""
        self.index = min(max(moment, self.first), self.last)
        self.at = self.moments[self.index]

    def step(self, delta: int) -> None:
        """One moment forward (1) or back (-1); stops playing."""
        self.playing = False
        if delta < 0 and self.at > self.moments[self.moment]:
            self.seek(self.moment)  # between moments: back to the one shown
        else:
            self.seek(self.moment + delta)

    def advance(self, real_seconds: float) -> bool:
        """Let ``real_seconds`` of playback pass at the current speed; True if
        the state shown changed. Stops at the end of the run."""
        if not self.playing:
            return False
        before = self.index
        self.at += dt.timedelta(seconds=real_seconds * self.speed)
        while self.index < self.last and self.moments[self.index + 1] <= self.at:
            self.index += 1
        if self.index == self.last:
            self.playing = False
            self.at = self.moments[self.last]
        return self.index != before

    def toggle(self) -> None:
        """Play or pause; playing at the end starts again from the beginning."""
        if not self.playing and self.at_end:
            self.seek(self.first)
        self.playing = not self.playing

    def faster(self, delta: int) -> None:
        """Next speed up (1) or down (-1)."""
        index = SPEEDS.index(self.speed) if self.speed in SPEEDS else 3
        self.speed = SPEEDS[min(max(index + delta, 0), len(SPEEDS) - 1)]
