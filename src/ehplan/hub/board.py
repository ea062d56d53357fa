"""The supervisor's board, as data: every open incident of every desk and those
closed today, each folded from its records on the hub, followed live.

`BoardFeed.refresh()` reads what moved on the hub since the last call (only the
new records of each run) and folds them; `BoardFeed.rows(now)` says what the
board shows at that moment. `BoardFeed.wait(timeout)` blocks until the hub
says (LISTEN/NOTIFY) that records arrived, or the timeout. No Textual here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from ehplan.audit import AuditRecord
from ehplan.audit.chain import check_one_line
from ehplan.engine.fold import FoldError, fold
from ehplan.engine.state import RunState, TimerState

from .db import HubError, HubUnreachable, connect, first_line

CHANNEL = "ehplan_records"
Mark = Literal["", "warning", "overdue"]


@dataclass(frozen=True)
class BoardRow:
    """One incident as the board shows it."""

    key: tuple[str, str]
    """(desk, run)."""
    desk: str
    place: str
    run: str
    playbook: str
    operator: str
    mode: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    outcome: str
    calls: int
    next_timer: TimerState | None
    """The running countdown due soonest (a deadline before an escalation timer)."""
    overdue: tuple[str, ...]
    """Timers past their time and not met or cleared."""
    problem: str = ""
    """Why the run could not be read (shown instead of its state)."""

    def mark(self, now: dt.datetime) -> Mark:
        """Overdue, warning (due soon), or nothing: what the row is marked with."""
        if self.overdue or (self.next_timer is not None and now >= self.next_timer.due):
            return "overdue"
        if self.next_timer is not None and (now >= self.next_timer.warn_at or self.next_timer.status == "warned"):
            return "warning"
        return ""

    def elapsed(self, now: dt.datetime) -> int:
        """Seconds since the run started (to its end, once ended)."""
        if self.started_at is None:
            return 0
        return max(0, int(((self.ended_at or now) - self.started_at).total_seconds()))


@dataclass
class _Followed:
    desk: str
    run: str
    place: str
    seq: int = -1
    records: list[AuditRecord] = field(default_factory=list)
    state: RunState = field(default_factory=RunState)
    problem: str = ""


class BoardFeed:
    """Follows the hub for a board: one read-only connection that listens, and queries."""

    def __init__(self, dsn: str, zone: dt.tzinfo) -> None:
        self.dsn = dsn
        self.zone = zone
        self._conn: Any = None
        self._runs: dict[tuple[str, str], _Followed] = {}

    def _connection(self) -> Any:
        if self._conn is None or self._conn.closed:
            conn = connect(self.dsn, autocommit=True)
            conn.execute(f"LISTEN {CHANNEL}")
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def wait(self, timeout: float) -> bool:
        """Block until the hub notifies that records arrived (True) or ``timeout`` passes."""
        import psycopg

        try:
            conn = self._connection()
            return any(True for _ in conn.notifies(timeout=timeout, stop_after=1))
        except psycopg.OperationalError as exc:
            self.close()
            raise HubUnreachable(f"hub unreachable: {first_line(exc)}") from None

    def refresh(self, now: dt.datetime) -> list[tuple[str, str]]:
        """Read and fold what is new; return the keys of runs seen for the first time."""
        import psycopg

        day_start = now.astimezone(self.zone).replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            conn = self._connection()
            listed = conn.execute(
                "SELECT r.desk, r.run, coalesce(d.place, ''), r.last_seq FROM ehplan.runs r "
                "LEFT JOIN ehplan.desks d ON d.name = r.desk "
                "WHERE NOT r.ended OR r.last_ts >= %s ORDER BY r.started_at", (day_start,)).fetchall()
            new = []
            wanted = set()
            for desk, run, place, last_seq in listed:
                key = (desk, run)
                wanted.add(key)
                followed = self._runs.get(key)
                if followed is None:
                    followed = self._runs[key] = _Followed(desk, run, place)
                    new.append(key)
                if last_seq > followed.seq and not followed.problem:
                    lines = conn.execute("SELECT line FROM ehplan.records WHERE desk = %s AND run = %s AND seq > %s "
                                         "ORDER BY seq", (desk, run, followed.seq)).fetchall()
                    _take(followed, [line for (line,) in lines])
        except psycopg.OperationalError as exc:
            self.close()
            raise HubUnreachable(f"hub unreachable: {first_line(exc)}") from None
        except psycopg.Error as exc:
            raise HubError(f"the hub refused the board: {first_line(exc)}") from None
        for key in list(self._runs):
            if key not in wanted:  # closed before today
                del self._runs[key]
        return new

    def rows(self, now: dt.datetime) -> tuple[list[BoardRow], list[BoardRow]]:
        """(open incidents, oldest first; those closed today, newest first)."""
        open_rows: list[BoardRow] = []
        closed: list[BoardRow] = []
        for followed in self._runs.values():
            row = _row(followed, now)
            (closed if followed.state.ended else open_rows).append(row)
        open_rows.sort(key=lambda r: (r.started_at or now))
        closed.sort(key=lambda r: (r.ended_at or now), reverse=True)
        return open_rows, closed


def _take(followed: _Followed, lines: list[str]) -> None:
    """Check and fold new lines of a run (its own hash again, and seq order)."""
    try:
        for line in lines:
            record = AuditRecord(**check_one_line(line.encode("ascii") + b"\n"))
            if record.seq != followed.seq + 1:
                raise ValueError(f"seq {record.seq} follows {followed.seq}")
            followed.state = fold([record], followed.state)
            followed.records.append(record)
            followed.seq = record.seq
    except (ValueError, FoldError, KeyError, TypeError) as exc:
        followed.problem = f"cannot read seq {followed.seq + 1}: {exc}"


def _row(followed: _Followed, now: dt.datetime) -> BoardRow:
    state = followed.state
    running = [t for t in state.timers.values() if t.status in ("running", "warned", "expired")]
    overdue = tuple(t.timer for t in running if t.status == "expired" or now >= t.due)
    pending = sorted((t for t in running if t.status != "expired"),
                     key=lambda t: (t.kind != "deadline", t.due))
    ended_at = None
    if state.ended and followed.records:
        ended_at = dt.datetime.fromisoformat(followed.records[-1].ts)
    return BoardRow(
        key=(followed.desk, followed.run), desk=followed.desk, place=followed.place, run=followed.run,
        playbook=state.root_playbook, operator=state.operator, mode=state.mode, started_at=state.started_at,
        ended_at=ended_at, outcome=state.outcome, calls=len(state.contacts),
        next_timer=pending[0] if pending and not state.ended else None,
        overdue=overdue if not state.ended else (), problem=followed.problem)
