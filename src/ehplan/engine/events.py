"""Every kind of event a run's log holds, and the record shape the fold reads.

An event is a ``type`` and a ``data`` object of strings, integers, booleans,
lists and null: never floats, so the log hashes the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

RUN_STARTED = "run_started"
STEP_ENTERED = "step_entered"
STEP_COMPLETED = "step_completed"
STEP_OVERRIDDEN = "step_overridden"
CHOICE_MADE = "choice_made"
ITEM_DONE = "item_done"
FIELD_SET = "field_set"
CONTACT_LOGGED = "contact_logged"
TIMER_STARTED = "timer_started"
TIMER_WARNED = "timer_warned"
TIMER_EXPIRED = "timer_expired"
TIMER_MET = "timer_met"
ESCALATION_RAISED = "escalation_raised"
FOLLOWUP_SCHEDULED = "followup_scheduled"
NOTE_ADDED = "note_added"
PLAYBOOK_SWITCHED = "playbook_switched"
RUN_RESUMED = "run_resumed"
RECOVERED = "recovered"
INJECT_DELIVERED = "inject_delivered"
TRAINER_ACTION = "trainer_action"
RUN_ENDED = "run_ended"

EVENT_TYPES = frozenset({
    RUN_STARTED, STEP_ENTERED, STEP_COMPLETED, STEP_OVERRIDDEN, CHOICE_MADE, ITEM_DONE,
    FIELD_SET, CONTACT_LOGGED, TIMER_STARTED, TIMER_WARNED, TIMER_EXPIRED, TIMER_MET,
    ESCALATION_RAISED, FOLLOWUP_SCHEDULED, NOTE_ADDED, PLAYBOOK_SWITCHED, RUN_RESUMED,
    RECOVERED, INJECT_DELIVERED, TRAINER_ACTION, RUN_ENDED,
})

TRAINER_ACTIONS = ("pause", "resume", "advance", "end")
"""What a drill's trainer does from the console (an inject now is an `inject_delivered`)."""

CONTACT_OUTCOMES = ("answered", "called", "no_answer")
"""answered: reached the person; called: message delivered another way; no_answer."""


class EventRecord(Protocol):
    """What the fold needs of a logged event (an `ehplan.audit.AuditRecord` fits)."""

    @property
    def seq(self) -> int: ...
    @property
    def ts(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class NewEvent:
    """An event decided but not yet written."""

    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Logged:
    """An event with its place in the log (tests and in-memory runs)."""

    seq: int
    ts: str
    type: str
    data: dict[str, Any]
