"""Every kind of event a run's log holds: one typed definition per event type.

An event is a ``type`` and a ``data`` object of strings, integers, booleans,
lists and null: never floats, so the log hashes the same everywhere. Each type
below is a frozen dataclass whose fields are its members: `decide` builds them,
`to_data()` gives the ``data`` written to the log (docs/audit-format.md, the
format on disk is unchanged), and `from_data()` reads one back, checking every
member first.

An intact chain proves only that nobody without the key changed the log; its
content is still data from a file. So reading a log checks every event's data
against its type, and a malformed but intact log is refused with one line
naming the seq and the member ("seq 17: run_ended.open must be a list of
texts"), never a traceback from deep in the fold. Members a newer ehplan adds
are allowed (and not kept); an event type this version does not know is named
by the fold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar, dataclass_transform

Value = str | int | bool | None
"""A recorded field's value as the log keeps it."""

CONTACT_OUTCOMES = ("answered", "called", "no_answer")
"""answered: reached the person; called: message delivered another way; no_answer."""


class FoldError(Exception):
    """An event that cannot follow the state it is applied to."""


class MalformedData(FoldError):
    """An event whose data lacks a member its type needs, or has one of the wrong type."""


# --- member checks ------------------------------------------------------------------

_ID = re.compile(r"[a-z][a-z0-9_]*")


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _id(value: Any) -> bool:
    """A playbook, step, item, timer, contact or scenario id: a name, never a path."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def _int(value: Any) -> bool:
    return type(value) is int


def _flag(value: Any) -> bool:
    return type(value) is bool


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _link(value: Any) -> bool:
    return isinstance(value, dict)


def _value(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, bool))


def _branch(value: Any) -> bool:
    """A correction's branch: the step the run went to and the one it now would."""
    return isinstance(value, dict) and all(_id(value.get(name)) for name in ("went", "would"))


def _text_or_map(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, dict) and all(isinstance(v, str) for v in value.values()))


TRAINER_ACTIONS = ("pause", "resume", "advance", "end")
"""What a drill's trainer does from the console (an inject now is an `inject_delivered`)."""


def _trainer_action(value: Any) -> bool:
    return value in TRAINER_ACTIONS


_CHECKS: dict[Callable[[Any], bool], str] = {
    _trainer_action: "one of " + ", ".join(TRAINER_ACTIONS),
    _text: "a text", _id: "an id (lowercase letters, digits and _)", _int: "an integer", _flag: "true or false",
    _texts: "a list of texts", _link: "an object", _value: "a plain value",
    _branch: "an object with the steps went and would", _text_or_map: "a text or a map of texts"}

_ABSENT: Any = object()
"""What ``data.get`` gives for a member the data lacks (None is a value)."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()
"""A member the log's data does not hold (for `FieldSet.previous`, distinct from null)."""

_REQUIRED: Any = object()


class _Member(NamedTuple):
    name: str
    key: str
    check: Callable[[Any], bool]
    null: bool
    optional: bool
    default: Any
    omit: bool


class _Spec(NamedTuple):
    check: Callable[[Any], bool]
    null: bool
    default: Any
    key: str | None
    omit: bool


def member(check: Callable[[Any], bool], *, null: bool = False, default: Any = _REQUIRED,
           key: str | None = None, omit: bool = False) -> Any:
    """A field of an event type: ``check`` its value; ``null``: may be null;
    ``default``: older logs may lack it (a required member has none); ``key``:
    its name in the data when not the field's; ``omit``: written only when it
    is not its default (left out of the data, not written as null)."""
    return _Spec(check, null, default, key, omit)


E = TypeVar("E", bound="Event")

EVENT_CLASSES: dict[str, type[Event]] = {}


@dataclass_transform(frozen_default=True, field_specifiers=(member,))
class _EventType(type):
    """Makes each event type from its declaration: slots for its members, and
    ``__init__`` and ``from_data`` written out member by member in one go (as
    `dataclasses` writes ``__init__``, at a fraction of its cost at import:
    every start of the app imports these)."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any],
                event_type: str | None = None) -> _EventType:
        if event_type is None:
            return super().__new__(mcs, name, bases, namespace)
        members = []
        for field_name in namespace.get("__annotations__", {}):
            spec = namespace.pop(field_name)
            members.append(_Member(field_name, spec.key or field_name, spec.check, spec.null,
                                   spec.default is not _REQUIRED, spec.default, spec.omit))
        namespace.update(__slots__=tuple(m.name for m in members), TYPE=event_type, _MEMBERS=tuple(members))
        cls = super().__new__(mcs, name, bases, namespace)
        EVENT_CLASSES[event_type] = cls  # type: ignore[assignment]
        return cls


def _compile(cls: Any) -> Callable[[dict[str, Any]], Any]:
    """``cls.from_data``, written out member by member (as `dataclasses` writes
    ``__init__``): reading a long log calls it per line. Made on first use, so
    an import costs no compiling."""
    env: dict[str, Any] = {"cls": cls, "new": object.__new__, "MalformedData": MalformedData, "ABSENT": _ABSENT,
                           "tuple": tuple}
    reads = ["def from_data(data):", "    get = data.get"]
    for i, m in enumerate(cls._MEMBERS):
        v = f"v{i}"
        env[f"check{i}"], env[f"default{i}"], env[f"set{i}"] = m.check, m.default, getattr(cls, m.name).__set__
        must = f"{cls.TYPE}.{m.key} must be {_CHECKS[m.check]}{' or null' if m.null else ''}"
        lacks = f"{cls.TYPE} lacks {m.key!r}"
        reads.append(f"    {v} = get({m.key!r}, ABSENT)")
        reads.append(f"    if {v} is ABSENT:")
        reads.append(f"        {v} = default{i}" if m.optional else f"        raise MalformedData({lacks!r})")
        reads.append(f"    elif not {f'({v} is None or check{i}({v}))' if m.null else f'check{i}({v})'}:")
        reads.append(f"        raise MalformedData({must!r})")
        if m.check is _texts:
            reads += [f"    elif {v} is not None:", f"        {v} = tuple({v})"]
    reads.append("    event = new(cls)")
    reads += [f"    set{i}(event, v{i})" for i in range(len(cls._MEMBERS))]
    reads.append("    return event")
    exec("\n".join(reads), env)  # noqa: S102 - generated from the declarations above, no outside text
    read: Callable[[dict[str, Any]], Any] = env["from_data"]
    cls._read = read
    return read


class Event(metaclass=_EventType):
    """One event type's definition; subclasses declare their members with `member`
    and name their type: ``class NoteAdded(Event, event_type="note_added")``."""

    TYPE: ClassVar[str]
    _MEMBERS: ClassVar[tuple[_Member, ...]]
    __slots__ = ()

    _read: ClassVar[Callable[[dict[str, Any]], Any] | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Members by position or name, as declared; a member with a default may be left out."""
        members = self._MEMBERS
        if len(args) > len(members):
            raise TypeError(f"{type(self).__name__} takes {len(members)} members, not {len(args)}")
        for i, m in enumerate(members):
            if i < len(args):
                value = args[i]
                if m.name in kwargs:
                    raise TypeError(f"{type(self).__name__}: {m.name} given twice")
            elif m.name in kwargs:
                value = kwargs.pop(m.name)
            elif m.optional:
                value = m.default
            else:
                raise TypeError(f"{type(self).__name__} lacks {m.name}")
            object.__setattr__(self, m.name, value)
        if len(args) < len(members) and kwargs:
            raise TypeError(f"{type(self).__name__} has no member {next(iter(kwargs))}")

    @classmethod
    def from_data(cls: type[E], data: dict[str, Any]) -> E:
        """The event a log's ``data`` holds, or `MalformedData` naming the member."""
        read = cls.__dict__.get("_read") or _compile(cls)
        return read(data)  # type: ignore[no-any-return]

    def to_data(self) -> dict[str, Any]:
        """The ``data`` object this event is logged with."""
        data: dict[str, Any] = {}
        for m in self._MEMBERS:
            value = getattr(self, m.name)
            if m.omit and value is m.default:
                continue
            data[m.key] = list(value) if isinstance(value, tuple) else value
        return data

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, m.name) for m in self._MEMBERS)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._values() == self._values()

    def __hash__(self) -> int:
        return hash((self.TYPE, self._values()))

    def __repr__(self) -> str:
        members = ", ".join(f"{m.name}={getattr(self, m.name)!r}" for m in self._MEMBERS)
        return f"{type(self).__name__}({members})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"an event is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"an event is immutable: cannot delete {name!r}")


# --- the event types ------------------------------------------------------------------
# The step an event happened at is a text: "" before the first step is entered
# (a note, a call or a crash at the very start).


class RunStarted(Event, event_type="run_started"):
    run: str = member(_text)
    playbook: str = member(_id)
    content_hash: str = member(_text)
    operator: str = member(_text)
    mode: str = member(_text)
    scenario: str | None = member(_id, null=True, default=None)
    lang: str = member(_text, default="zh-Hant")
    clock_scale: int = member(_int, default=1)
    version: int | None = member(_int, default=None, omit=True)
    prev_run: dict[str, Any] | None = member(_link, null=True, default=None)
    """Added by the writer (the link to the previous run file)."""


class StepEntered(Event, event_type="step_entered"):
    playbook: str = member(_id)
    step: str = member(_id)
    via: str = member(_text)
    kind: str = member(_text, default="")
    source: str | None = member(_text, null=True, default=None)
    return_to: str | None = member(_id, null=True, default=None, omit=True)


class StepCompleted(Event, event_type="step_completed"):
    step: str = member(_id)
    next: str | None = member(_id, null=True, default=None)


class StepOverridden(Event, event_type="step_overridden"):
    step: str = member(_id)
    reason: str = member(_text)
    next: str | None = member(_id, null=True, default=None)


class ChoiceMade(Event, event_type="choice_made"):
    step: str = member(_id)
    choice: str = member(_id)
    next: str | None = member(_id, null=True, default=None)


class ItemDone(Event, event_type="item_done"):
    step: str = member(_id)
    item: str = member(_id)


class FieldSet(Event, event_type="field_set"):
    step: str = member(_id)
    field: str = member(_id)
    value: Value = member(_value)
    field_type: str = member(_text, default="", key="type")
    label: str | None = member(_text, null=True, default=None, omit=True)
    previous: Value = member(_value, null=True, default=_MISSING, omit=True)
    """The value this one corrects; absent (`corrected` False) for a first value."""
    branch: dict[str, str] | None = member(_branch, null=True, default=None, omit=True)

    @property
    def corrected(self) -> bool:
        return self.previous is not _MISSING


class ContactLogged(Event, event_type="contact_logged"):
    contact: str = member(_id)
    outcome: str = member(_text)
    number: str | None = member(_text, null=True, default=None)
    step: str | None = member(_text, null=True, default=None)


class TimerStarted(Event, event_type="timer_started"):
    playbook: str = member(_id)
    timer: str = member(_id)
    kind: str = member(_text)
    duration_s: int = member(_int)
    due: str = member(_text)
    warn_at: str = member(_text)
    rule: str | None = member(_text, null=True, default=None)
    escalate_to: str | None = member(_id, null=True, default=None)
    source: str | None = member(_text, null=True, default=None)

    @property
    def key(self) -> str:
        return f"{self.playbook}/{self.timer}"


class TimerWarned(Event, event_type="timer_warned"):
    key: str = member(_text)


class TimerExpired(Event, event_type="timer_expired"):
    key: str = member(_text)
    due: str | None = member(_text, null=True, default=None)


class TimerMet(Event, event_type="timer_met"):
    key: str = member(_text)
    late: bool | None = member(_flag, null=True, default=None)
    by: str | None = member(_text, null=True, default=None)


class EscalationRaised(Event, event_type="escalation_raised"):
    key: str = member(_text)
    step: str = member(_id)


class FollowupScheduled(Event, event_type="followup_scheduled"):
    playbook: str = member(_id)
    followup: str = member(_id)
    due: str = member(_text)
    after_s: int | None = member(_int, default=None)
    source: str | None = member(_text, null=True, default=None)


class NoteAdded(Event, event_type="note_added"):
    text: str = member(_text)
    step: str | None = member(_text, null=True, default=None)


class PlaybookSwitched(Event, event_type="playbook_switched"):
    to: str = member(_id)
    step: str | None = member(_id, null=True, default=None)
    content_hash: str | None = member(_text, null=True, default=None)
    from_: str | None = member(_text, null=True, default=None, key="from")
    version: int | None = member(_int, null=True, default=None)


class RunResumed(Event, event_type="run_resumed"):
    gap_s: int = member(_int)
    at_step: str | None = member(_text, null=True, default=None)


class Recovered(Event, event_type="recovered"):
    bytes: int = member(_int)
    sha256: str = member(_text)
    torn_file: str = member(_text)


class InjectDelivered(Event, event_type="inject_delivered"):
    inject: str = member(_id)
    text: str | dict[str, str] = member(_text_or_map)
    at_s: int = member(_int)
    by: str | None = member(_text, default=None, omit=True)
    """``"trainer"`` for one the trainer sent from the console."""


class TrainerAction(Event, event_type="trainer_action"):
    """A drill's trainer paused, resumed, advanced the clock or ended the drill."""

    action: str = member(_trainer_action)
    by_s: int | None = member(_int, default=None, omit=True)
    paused_s: int | None = member(_int, default=None, omit=True)


class RunEnded(Event, event_type="run_ended"):
    outcome: str = member(_text)
    open: tuple[str, ...] = member(_texts)
    step: str | None = member(_text, null=True, default=None)


RUN_STARTED = RunStarted.TYPE
STEP_ENTERED = StepEntered.TYPE
STEP_COMPLETED = StepCompleted.TYPE
STEP_OVERRIDDEN = StepOverridden.TYPE
CHOICE_MADE = ChoiceMade.TYPE
ITEM_DONE = ItemDone.TYPE
FIELD_SET = FieldSet.TYPE
CONTACT_LOGGED = ContactLogged.TYPE
TIMER_STARTED = TimerStarted.TYPE
TIMER_WARNED = TimerWarned.TYPE
TIMER_EXPIRED = TimerExpired.TYPE
TIMER_MET = TimerMet.TYPE
ESCALATION_RAISED = EscalationRaised.TYPE
FOLLOWUP_SCHEDULED = FollowupScheduled.TYPE
NOTE_ADDED = NoteAdded.TYPE
PLAYBOOK_SWITCHED = PlaybookSwitched.TYPE
RUN_RESUMED = RunResumed.TYPE
RECOVERED = Recovered.TYPE
INJECT_DELIVERED = InjectDelivered.TYPE
TRAINER_ACTION = TrainerAction.TYPE
RUN_ENDED = RunEnded.TYPE

EVENT_TYPES = frozenset(EVENT_CLASSES)


def parse_event(event_type: str, data: dict[str, Any]) -> Event:
    """The typed event of a log's type and data: `MalformedData` if its data does
    not fit the type, `FoldError` if the type is unknown."""
    cls = EVENT_CLASSES.get(event_type)
    if cls is None:
        raise FoldError(f"unknown event type {event_type!r}")
    return cls.from_data(data)


def event_problem(event_type: str, data: dict[str, Any]) -> str | None:
    """What is wrong with one event's data, or None (an unknown type is the fold's to name)."""
    cls = EVENT_CLASSES.get(event_type)
    if cls is None:
        return None
    try:
        cls.from_data(data)
    except MalformedData as exc:
        return str(exc)
    return None


# --- records -------------------------------------------------------------------------


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

    event: Event

    @property
    def type(self) -> str:
        return self.event.TYPE

    @property
    def data(self) -> dict[str, Any]:
        return self.event.to_data()


@dataclass(frozen=True)
class Logged:
    """An event with its place in the log (tests and in-memory runs)."""

    seq: int
    ts: str
    type: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Entry:
    """A logged event already read and checked: its seq, time and typed event.
    What a verified load keeps of each record (not its hashes: the integrity
    says those once)."""

    seq: int
    ts: str
    event: Event

    @property
    def type(self) -> str:
        return self.event.TYPE

    @property
    def data(self) -> dict[str, Any]:
        return self.event.to_data()


def entry_of(record: EventRecord) -> Entry:
    """The record's typed entry, its data checked (`MalformedData` with its seq)."""
    if isinstance(record, Entry):
        return record
    try:
        event = parse_event(record.type, record.data)
    except MalformedData as exc:
        raise MalformedData(f"seq {record.seq}: {exc}") from None
    return Entry(record.seq, record.ts, event)
