"""A run kept in memory: decide, number, fold. For tests, previews and drills'
what-if scoring; the durable version is `ehplan.session.Session`."""

from __future__ import annotations

from ehplan.engine import commands as cmd
from ehplan.engine.clock import Clock, rfc3339
from ehplan.engine.decide import decide
from ehplan.engine.events import Logged
from ehplan.engine.fold import apply
from ehplan.engine.state import RunState
from ehplan.library import Library


class MemoryRun:
    """Commands in, logged events out, state always the fold of the log."""

    def __init__(self, library: Library, clock: Clock) -> None:
        self.library = library
        self.clock = clock
        self.state = RunState()
        self.log: list[Logged] = []

    def do(self, command: cmd.Command) -> list[Logged]:
        """Carry out ``command`` (or raise `Refused`); return the events it logged."""
        now = self.clock.now()
        written = []
        for event in decide(self.state, command, now, self.library):
            record = Logged(self.state.last_seq + 1, rfc3339(now), event.type, event.data)
            self.state = apply(self.state, record)
            self.log.append(record)
            written.append(record)
        return written

    def types(self) -> list[str]:
        """The event types logged so far, in order."""
        return [r.type for r in self.log]
