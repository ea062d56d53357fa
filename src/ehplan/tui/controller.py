"""A run as the run screen sees it: its state, its log, its clock, and the one
way to act on it. The run screen draws from a `RunController` and sends it
commands; it never reaches into the app for them. The live run (a durable
`Session`) and the replay of a log are the two controllers; the app holds the
set of live runs and ticks them all, on screen or not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ehplan.engine import commands as cmd
from ehplan.engine import events as ev
from ehplan.engine.clock import Clock
from ehplan.engine.state import RunState
from ehplan.engine.timers import due_alarms
from ehplan.text import Lang
from ehplan.tui.safe import tr

if TYPE_CHECKING:
    from ehplan.audit import AuditRecord
    from ehplan.drill import Scenario
    from ehplan.engine.events import EventRecord
    from ehplan.engine.replay import Replay
    from ehplan.library import Library
    from ehplan.session import Session
    from ehplan.tui.widgets.notices import Kind


def run_title(state: RunState, library: Library, lang: Lang) -> str:
    """A run as the strip, the dialogs and the palette name it: its playbook's short title."""
    playbook = library.playbook(state.playbook)
    return tr(playbook.short_title or playbook.title, lang)


@dataclass(frozen=True)
class Alarm:
    """What a logged record asks to tell the operator: a warning, an expiry, an inject."""

    kind: Kind
    title: str
    text: str
    rings: bool
    timeout: float


def alarm_of(record: EventRecord, state: RunState, library: Library, lang: Lang) -> Alarm | None:
    """The alarm a record of a run raises, or None (an inject's text as logged)."""
    from ehplan.tui.strings import t

    if record.type == ev.INJECT_DELIVERED:
        return Alarm("inject", t("inject", lang), str(record.data.get("text", "")), True, 30)
    if record.type not in (ev.TIMER_WARNED, ev.TIMER_EXPIRED):
        return None
    timer = state.timers[record.data["key"]]
    label = tr(library.playbook(timer.playbook).timer(timer.timer).label, lang)
    if record.type == ev.TIMER_EXPIRED:
        return Alarm("overdue", t("overdue", lang), label, True, 15)
    return Alarm("warning", t("warning", lang), label, False, 8)


class ReadOnly(Exception):
    """The run cannot be acted on: it is a log being played back."""


class RunController(Protocol):
    """What the run screen needs of a run."""

    can_act: bool
    """Whether commands can change the run (not for a replay)."""
    scenario: Scenario | None
    """The drill scenario the run follows, when it is at hand."""

    @property
    def state(self) -> RunState:
        """The fold of the run's log, as of now."""

    @property
    def path(self) -> Path:
        """The run's log file."""

    @property
    def failure(self) -> str | None:
        """Why the run stopped accepting actions (a write failed), if it did."""

    @property
    def clock(self) -> Clock:
        """The clock the run's countdowns read."""

    @property
    def records(self) -> Sequence[EventRecord]:
        """Every record of the run so far."""

    async def execute(self, command: cmd.Command) -> list[AuditRecord]:
        """Decide, write durably, fold. Raises `Refused`, `NeedsConfirmation`,
        `AuditWriteError`, or `ReadOnly`."""

    async def tick(self) -> list[AuditRecord]:
        """Log what the clock made due (warnings and expiries; a drill's injects
        come from its director, ehplan.tui.drill_control)."""

    async def low_space(self) -> bool:
        """Whether the disk under the run's log is nearly full."""

    def close(self) -> None:
        """Release the run's log (and its lock)."""


class LiveRun:
    """A run being worked: a session whose commands run off the event loop,
    one at a time (each run has its own log, lock and timers)."""

    can_act = True

    def __init__(self, session: Session, scenario: Scenario | None = None) -> None:
        self.session = session
        self.scenario = scenario if scenario is not None and session.state.scenario == scenario.id else None
        self.lock = asyncio.Lock()
        """Held while a command of this run is carried out: one at a time."""
        self.closed = False
        self.warned_low_space = False

    @property
    def state(self) -> RunState:
        return self.session.state

    @property
    def path(self) -> Path:
        return self.session.path

    @property
    def failure(self) -> str | None:
        return self.session.failure

    @property
    def clock(self) -> Clock:
        return self.session.clock

    @property
    def records(self) -> Sequence[EventRecord]:
        return self.session.records

    @property
    def run_id(self) -> str:
        return self.session.state.run_id

    @property
    def last_hash(self) -> str:
        return self.session.writer.last_hash

    @property
    def open(self) -> bool:
        """Still taking actions: not ended, not stopped by a failed write."""
        return not self.state.ended and self.failure is None

    async def execute(self, command: cmd.Command) -> list[AuditRecord]:
        async with self.lock:
            return await asyncio.to_thread(self.session.execute, command)

    async def tick(self) -> list[AuditRecord]:
        if not self.open:
            return []
        written: list[AuditRecord] = []
        if due_alarms(self.state, self.clock.now()):
            written += await self.execute(cmd.Tick())
        return written

    async def low_space(self) -> bool:
        return await asyncio.to_thread(lambda: self.session.writer.low_space)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.session.close()


class ReplayRun:
    """A verified log played back: the state at the replay's moment, read only."""

    can_act = False
    failure = None

    def __init__(self, path: Path, replay: Replay, records: Sequence[EventRecord],
                 scenario: Scenario | None = None) -> None:
        self.replay = replay
        self.scenario = scenario
        self._path = path
        self._records = records

    @property
    def state(self) -> RunState:
        return self.replay.state

    @property
    def path(self) -> Path:
        return self._path

    @property
    def clock(self) -> Clock:
        return self.replay

    @property
    def records(self) -> Sequence[EventRecord]:
        return self._records

    async def execute(self, command: cmd.Command) -> list[AuditRecord]:
        raise ReadOnly

    async def tick(self) -> list[AuditRecord]:
        return []  # the log already holds every warning and expiry

    async def low_space(self) -> bool:
        return False  # nothing is written

    def close(self) -> None:
        """Nothing to release: a replay never opens the log for writing, nor locks it."""
