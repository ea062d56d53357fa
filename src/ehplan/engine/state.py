"""A run's state: frozen values that only the fold creates. What grows with the
run (its path, calls, notes…) is a `Chain`, so adding to it costs O(1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from ehplan.engine.chain import Chain

TimerStatus = Literal["running", "warned", "expired", "met", "cleared"]


@dataclass(frozen=True, slots=True)
class PathEntry:
    """A step the run entered, in order."""

    playbook: str
    step: str
    via: str
    seq: int
    ts: str
    source: str = ""


@dataclass(frozen=True)
class TimerState:
    """One countdown: its absolute deadline and what became of it."""

    key: str
    playbook: str
    timer: str
    kind: str
    started_at: dt.datetime
    due: dt.datetime
    warn_at: dt.datetime
    duration_s: int
    rule: str
    status: TimerStatus = "running"
    ended_at: dt.datetime | None = None
    late: bool = False
    escalate_to: str | None = None

    @property
    def active(self) -> bool:
        """Still counting (running, warned, or expired and not yet met)."""
        return self.status in ("running", "warned", "expired")

    def remaining(self, now: dt.datetime) -> float:
        """Seconds left until due; negative when overdue. Never counted ticks."""
        return (self.due - now).total_seconds()


@dataclass(frozen=True, slots=True)
class ContactLog:
    """A call logged to a contact."""

    contact: str
    number: str
    outcome: str
    step: str
    playbook: str
    seq: int
    ts: str


@dataclass(frozen=True, slots=True)
class Note:
    """A note the operator typed, tied to the step it was written on."""

    text: str
    step: str
    playbook: str
    seq: int
    ts: str


@dataclass(frozen=True, slots=True)
class FollowUpState:
    """A dated task that outlives the run."""

    playbook: str
    followup: str
    due: str
    seq: int


@dataclass(frozen=True, slots=True)
class Override:
    """A step skipped or overridden, with the operator's reason."""

    playbook: str
    step: str
    reason: str
    seq: int
    ts: str


@dataclass(frozen=True)
class RunState:
    """Everything a run has become, derived from its events alone."""

    run_id: str = ""
    operator: str = ""
    mode: str = "live"
    lang: str = "zh-Hant"
    clock_scale: int = 1
    scenario: str | None = None
    """The drill scenario this run follows, if any."""
    root_playbook: str = ""
    playbook: str = ""
    playbook_versions: dict[str, str] = field(default_factory=dict)
    step: str = ""
    started_at: dt.datetime | None = None
    last_seq: int = -1
    last_ts: str = ""
    path: Chain[PathEntry] = field(default_factory=Chain)
    values: dict[str, Any] = field(default_factory=dict)
    items_done: frozenset[str] = frozenset()
    choices: dict[str, str] = field(default_factory=dict)
    contacts: Chain[ContactLog] = field(default_factory=Chain)
    timers: dict[str, TimerState] = field(default_factory=dict)
    escalations: Chain[tuple[str, str, str]] = field(default_factory=Chain)
    return_to: tuple[tuple[str, str, str], ...] = ()
    """Open escalation detours: (playbook, escalation step, step to return to)."""
    followups: Chain[FollowUpState] = field(default_factory=Chain)
    notes: Chain[Note] = field(default_factory=Chain)
    overrides: Chain[Override] = field(default_factory=Chain)
    happened: frozenset[str] = frozenset()
    pending_step: str = ""
    """A step the last command decided to enter but whose entry is not in the log
    (a crash between a command's events); resume enters it."""
    injects: Chain[dict[str, Any]] = field(default_factory=Chain)
    trainer_actions: Chain[dict[str, Any]] = field(default_factory=Chain)
    """A drill trainer's pauses, resumes, advances and end, as logged."""
    paused: bool = False
    """A drill the trainer has paused (and not yet resumed)."""
    resumes: int = 0
    recoveries: Chain[dict[str, Any]] = field(default_factory=Chain)
    ended: bool = False
    outcome: str = ""
    ended_at: dt.datetime | None = None
    open_at_end: tuple[str, ...] = ()

    @property
    def started(self) -> bool:
        """A run_started event has been folded."""
        return self.last_seq >= 0

    def active_timers(self) -> list[TimerState]:
        """Timers still counting, the most urgent first."""
        return sorted((t for t in self.timers.values() if t.active), key=lambda t: t.due)

    def item_key(self, step: str, item: str) -> str:
        """The key of a checklist item in ``items_done``."""
        return f"{self.playbook}/{step}.{item}"

    def reached(self, contact: str) -> bool:
        """Whether a call to ``contact`` was logged as answered or called (O(1):
        such a call is a happening of its own)."""
        return f"*:contact:{contact}" in self.happened
