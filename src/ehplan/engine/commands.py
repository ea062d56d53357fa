"""What the operator (or the clock) asks a run to do. The engine decides the
events; commands themselves are never logged."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StartRun:
    """Begin a run of a playbook."""

    playbook: str
    run_id: str
    operator: str
    mode: str = "live"
    lang: str = "zh-Hant"
    clock_scale: int = 1
    scenario: str | None = None


@dataclass(frozen=True)
class Continue:
    """Finish the current step and go on to the next."""


@dataclass(frozen=True)
class Choose:
    """Answer the current decision."""

    choice: str


@dataclass(frozen=True)
class TickItem:
    """Tick one checklist item of the current step."""

    item: str


@dataclass(frozen=True)
class SetField:
    """Fill in a record field with what the operator typed."""

    field: str
    value: str


@dataclass(frozen=True)
class LogContact:
    """Log a call: answered, called (message delivered) or no_answer."""

    contact: str
    outcome: str


@dataclass(frozen=True)
class Override:
    """Skip the current step, with a reason that is recorded."""

    reason: str


@dataclass(frozen=True)
class AddNote:
    """A free-text note, tied to the current step."""

    text: str


@dataclass(frozen=True)
class EndRun:
    """End the run; ``confirm`` accepts that items are still open.

    The outcome is the end step's own (resolved, handed_over, escalated…) when
    the run is at one, and ``ended_early`` when it stops before the playbook
    reaches an end; give ``outcome`` only to record something else."""

    outcome: str | None = None
    confirm: bool = False
    trainer: bool = False
    """A drill's trainer ends it from the console: what must be done before the
    end may still be missing (it is listed as open)."""


@dataclass(frozen=True)
class Tick:
    """Let the clock speak: warnings, expiries, escalations now due."""


@dataclass(frozen=True)
class Resume:
    """A run reopened after the app stopped."""

    gap_s: int


@dataclass(frozen=True)
class RecordRecovery:
    """The audit log set aside a torn last line on open."""

    bytes_set_aside: int
    sha256: str
    torn_file: str


@dataclass(frozen=True)
class DeliverInject:
    """A drill inject reaches the operator."""

    inject: str
    text: str
    at_s: int
    by: str | None = None
    """``"trainer"`` for one the trainer sent from the console."""


@dataclass(frozen=True)
class TrainerAction:
    """The drill's trainer paused, resumed, advanced the clock by ``by_s`` or ended
    the drill from the console; ``paused_s`` is how long a pause lasted (drill
    time stood still meanwhile)."""

    action: str
    by_s: int = 0
    paused_s: int = 0


Command = (StartRun | Continue | Choose | TickItem | SetField | LogContact | Override | AddNote
           | EndRun | Tick | Resume | RecordRecovery | DeliverInject | TrainerAction)
