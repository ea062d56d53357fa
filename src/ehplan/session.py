"""A durable run: the engine's decisions written to the audit log before they
count. The one place where commands, the log file and the fold meet; the TUI
and the drill runner both drive runs through it. No Textual here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ehplan.audit import AuditRecord, AuditWriteError, AuditWriter, create_run, open_run, read_log
from ehplan.engine import commands as cmd
from ehplan.engine.clock import Clock, ScaledClock, parse_instant
from ehplan.engine.decide import decide
from ehplan.engine.fold import fold
from ehplan.engine.state import RunState
from ehplan.library import Library
from ehplan.resources import default_log_dir, new_run_id

__all__ = ["Session", "default_log_dir", "new_run_id"]


@dataclass
class Session:
    """A run whose every event is on disk before the state moves on."""

    library: Library
    clock: Clock
    writer: AuditWriter
    state: RunState
    records: list[AuditRecord] = field(default_factory=list)
    failure: str | None = None

    @property
    def path(self) -> Path:
        """The run's log file."""
        return self.writer.path

    @classmethod
    def start(cls, library: Library, log_dir: Path, start: cmd.StartRun, clock: Clock,
              key: bytes | None = None) -> Session:
        """Create the run's log file and write its first events."""
        now = clock.now()
        events = decide(RunState(), start, now, library)
        first, rest = events[0], events[1:]
        writer = create_run(log_dir, start.run_id, start.operator, start.mode, first.type,
                            dict(first.data), now, key=key)
        records = [_first_record(writer)]
        session = cls(library, clock, writer, fold(records), records)
        try:
            for event in rest:
                session._write(event.type, event.data, now)
        except BaseException:
            writer.close()  # nobody else can: the session is never returned
            raise
        return session

    @classmethod
    def resume(cls, library: Library, path: Path, clock: Clock, key: bytes | None = None) -> Session:
        """Reopen an unfinished run: recover a torn tail, fold, log the resume.

        A drill goes on at its own clock speed from the time its log reached, so
        its times never run backwards; ``session.clock`` is the clock to show."""
        writer, recovery = open_run(path, key=key)
        try:
            records, _damage = read_log(path)
            state = fold(records)
            if state.clock_scale > 1 and getattr(clock, "scale", 1) != state.clock_scale:
                clock = ScaledClock(clock, state.clock_scale, epoch=parse_instant(state.last_ts))
            session = cls(library, clock, writer, state, list(records))
            # the gap runs from the last event before the stop, not from the `recovered` event
            gap = int((clock.now() - parse_instant(session.state.last_ts)).total_seconds())
            if recovery is not None:
                session.execute(cmd.RecordRecovery(recovery.bytes_set_aside, recovery.sha256,
                                                   recovery.torn_path.name))
            session.execute(cmd.Resume(max(gap, 0)))
        except BaseException:
            writer.close()  # a failed resume must not leave the run locked by this process
            raise
        return session

    def execute(self, command: cmd.Command) -> list[AuditRecord]:
        """Decide, write durably, fold. Raises `Refused` (nothing written) or
        `AuditWriteError` (the run stops accepting actions)."""
        if self.failure is not None:
            raise AuditWriteError(0, self.failure)
        now = self.clock.now()
        written = []
        for event in decide(self.state, command, now, self.library):
            written.append(self._write(event.type, event.data, now))
        return written

    def _write(self, event_type: str, data: dict[str, object], now: object) -> AuditRecord:
        try:
            record = self.writer.append(event_type, dict(data), now)  # type: ignore[arg-type]
        except AuditWriteError as exc:
            self.failure = str(exc)
            raise
        self.records.append(record)
        self.state = fold([record], self.state)
        return record

    def close(self) -> None:
        """Release the log file and its lock."""
        self.writer.close()


def _first_record(writer: AuditWriter) -> AuditRecord:
    """The record ``create_run`` just wrote (read back, as the fold reads every record)."""
    records, _ = read_log(writer.path)
    return records[-1]
