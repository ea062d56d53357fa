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


CHECKPOINT = 64
"""Every this many moments the replay keeps the state it folded there, so a
seek folds at most this many moments' events and memory stays a small share
of the run's (no whole state per record)."""


class Replay:
    """A log being played back. ``now()`` makes it the clock the screens read.

    Opening costs what reading each record's time costs: the state of a moment
    is folded when it is first shown, from the nearest kept state before it."""

    def __init__(self, records: Sequence[ev.EventRecord]) -> None:
        if not records or records[0].type != ev.RUN_STARTED:
            raise ValueError("a run log begins with run_started")
        self.records: list[ev.EventRecord] = []
        # Moments: records logged at one instant (by the instant, not its text).
        self.moments: list[dt.datetime] = []
        self._ends: list[int] = []
        self._last_ts = ""
        self._take(records)
        self._kept: dict[int, RunState] = {}
        """Checkpoint moment -> the state after it."""
        self._shown: tuple[int, RunState] | None = None
        self.last = len(self.moments) - 1
        self.first = self._first_with_a_step()
        """The first moment with a step to show."""
        self.index = self.first
        self.at = self.moments[self.first]
        self.speed = 8
        self.playing = False

    def _take(self, records: Sequence[ev.EventRecord]) -> None:
        """Add ``records`` (logged after those taken before) to the moments."""
        start = len(self.records)
        self.records.extend(records)
        last_instant = self.moments[-1] if self.moments else None
        for index, record in enumerate(records, start):
            if record.ts != self._last_ts:
                self._last_ts, instant = record.ts, parse_instant(record.ts)
                if instant != last_instant:
                    self.moments.append(instant)
                    self._ends.append(index + 1)
                    last_instant = instant
                    continue
            self._ends[-1] = index + 1

    def extend(self, records: Sequence[ev.EventRecord]) -> None:
        """Records logged since (a run followed while it goes on): more moments to
        play. The moment shown last may have grown: it is folded again when shown."""
        self._take(records)
        self.last = len(self.moments) - 1
        self._shown = None
        self._kept = {moment: state for moment, state in self._kept.items() if moment < self.last}

    def _first_with_a_step(self) -> int:
        state, done = RunState(), 0
        for moment, end in enumerate(self._ends):
            for record in self.records[done:end]:
                state = apply(state, record)
            done = end
            if moment % CHECKPOINT == 0:
                self._kept[moment] = state
            if state.step:
                self._shown = (moment, state)
                return moment
        raise ValueError("the log ends before the run's first step")

    def state_at(self, moment: int) -> RunState:
        """The fold of every record up to the end of ``moment``."""
        shown = self._shown
        if shown is not None and shown[0] == moment:
            return shown[1]
        base = moment - moment % CHECKPOINT
        while base > 0 and base not in self._kept:
            base -= CHECKPOINT
        start, state = (base, self._kept[base]) if base in self._kept else (-1, RunState())
        if shown is not None and start < shown[0] < moment:
            start, state = shown  # playing on: from the moment shown
        done = self._ends[start] if start >= 0 else 0
        for step in range(start + 1, moment + 1):
            end = self._ends[step]
            for record in self.records[done:end]:
                state = apply(state, record)
            done = end
            if step % CHECKPOINT == 0:
                self._kept[step] = state
        self._shown = (moment, state)
        return state

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
        return self.state_at(self.moment)

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
