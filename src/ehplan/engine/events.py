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
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Protocol, TypeVar, dataclass_transform

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


_CHECKS: dict[Callable[[Any], bool], str] = {
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


def member(check: Callable[[Any], bool], *, null: bool = False, default: Any = _REQUIRED,
           key: str | None = None, omit: bool = False) -> Any:
    """A field of an event type: ``check`` its value; ``null``: may be null;
    ``default``: older logs may lack it (a required member has none); ``key``:
    its name in the data when not the field's; ``omit``: written only when it
    is not its default (left out of the data, not written as null)."""
    meta = {"check": check, "null": null, "optional": default is not _REQUIRED, "key": key, "omit": omit}
    if default is _REQUIRED:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class _Member:
    name: str
    key: str
    check: Callable[[Any], bool]
    null: bool
    optional: bool
    default: Any
    omit: bool


E = TypeVar("E", bound="Event")


class Event:
    """One event type's definition; subclasses are frozen dataclasses declared with `member`."""

    TYPE: ClassVar[str]
    _MEMBERS: ClassVar[tuple[_Member, ...]]
    __slots__ = ()

    def to_data(self) -> dict[str, Any]:
        """The ``data`` object this event is logged with."""
        data: dict[str, Any] = {}
        for m in self._MEMBERS:
            value = getattr(self, m.name)
            if m.omit and value is m.default:
                continue
            data[m.key] = list(value) if isinstance(value, tuple) else value
        return data

    @classmethod
    def from_data(cls: type[E], data: dict[str, Any]) -> E:
        """The event a log's ``data`` holds, or `MalformedData` naming the member
        (made for each type by `_reader`)."""
        raise NotImplementedError


EVENT_CLASSES: dict[str, type[Event]] = {}


@dataclass_transform(frozen_default=True, field_specifiers=(member,))
def _event(event_type: str) -> Callable[[type[E]], type[E]]:
    """Declare an event type: a frozen, slotted dataclass registered under ``event_type``."""

    def register(cls: type[E]) -> type[E]:
        made = dataclass(frozen=True, slots=True)(cls)
        made.TYPE = event_type
        made._MEMBERS = tuple(
            _Member(f.name, f.metadata["key"] or f.name, f.metadata["check"], f.metadata["null"],
                    f.metadata["optional"], f.default, f.metadata["omit"]) for f in fields(made))  # type: ignore[arg-type]
        made.from_data = _reader(made)  # type: ignore[method-assign]
        EVENT_CLASSES[event_type] = made
        return made

    return register


def _reader(cls: type[Event]) -> Any:
    """``cls.from_data``, written out member by member for its type (as
    `dataclasses` writes ``__init__``): reading a long log calls it per line."""
    env: dict[str, Any] = {"cls": cls, "MalformedData": MalformedData, "ABSENT": _ABSENT, "tuple": tuple}
    lines = ["def from_data(data):", "    get = data.get"]
    names: list[str] = []
    for i, m in enumerate(cls._MEMBERS):
        v, names = f"v{i}", [*names, f"v{i}"]
        env[f"check{i}"], env[f"default{i}"] = m.check, m.default
        must = f"{cls.TYPE}.{m.key} must be {_CHECKS[m.check]}{' or null' if m.null else ''}"
        lacks = f"{cls.TYPE} lacks {m.key!r}"
        lines.append(f"    {v} = get({m.key!r}, ABSENT)")
        lines.append(f"    if {v} is ABSENT:")
        lines.append(f"        {v} = default{i}" if m.optional else f"        raise MalformedData({lacks!r})")
        test = f"({v} is None or check{i}({v}))" if m.null else f"check{i}({v})"
        lines.append(f"    elif not {test}:")
        lines.append(f"        raise MalformedData({must!r})")
        if m.check is _texts:
            lines.append(f"    elif {v} is not None:")
            lines.append(f"        {v} = tuple({v})")
    lines.append(f"    return cls({', '.join(names)})")
    exec("\n".join(lines), env)  # noqa: S102 - generated from the declarations above, no outside text
    return staticmethod(env["from_data"])


# --- the event types ------------------------------------------------------------------
# The step an event happened at is a text: "" before the first step is entered
# (a note, a call or a crash at the very start).


@_event("run_started")
class RunStarted(Event):
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


@_event("step_entered")
class StepEntered(Event):
    playbook: str = member(_id)
    step: str = member(_id)
    via: str = member(_text)
    kind: str = member(_text, default="")
    source: str | None = member(_text, null=True, default=None)
    return_to: str | None = member(_id, null=True, default=None, omit=True)


@_event("step_completed")
class StepCompleted(Event):
    step: str = member(_id)
    next: str | None = member(_id, null=True, default=None)


@_event("step_overridden")
class StepOverridden(Event):
    step: str = member(_id)
    reason: str = member(_text)
    next: str | None = member(_id, null=True, default=None)


@_event("choice_made")
class ChoiceMade(Event):
    step: str = member(_id)
    choice: str = member(_id)
    next: str | None = member(_id, null=True, default=None)


@_event("item_done")
class ItemDone(Event):
    step: str = member(_id)
    item: str = member(_id)


@_event("field_set")
class FieldSet(Event):
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


@_event("contact_logged")
class ContactLogged(Event):
    contact: str = member(_id)
    outcome: str = member(_text)
    number: str | None = member(_text, null=True, default=None)
    step: str | None = member(_text, null=True, default=None)


@_event("timer_started")
class TimerStarted(Event):
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


@_event("timer_warned")
class TimerWarned(Event):
    key: str = member(_text)


@_event("timer_expired")
class TimerExpired(Event):
    key: str = member(_text)
    due: str | None = member(_text, null=True, default=None)


@_event("timer_met")
class TimerMet(Event):
    key: str = member(_text)
    late: bool | None = member(_flag, null=True, default=None)
    by: str | None = member(_text, null=True, default=None)


@_event("escalation_raised")
class EscalationRaised(Event):
    key: str = member(_text)
    step: str = member(_id)


@_event("followup_scheduled")
class FollowupScheduled(Event):
    playbook: str = member(_id)
    followup: str = member(_id)
    due: str = member(_text)
    after_s: int | None = member(_int, default=None)
    source: str | None = member(_text, null=True, default=None)


@_event("note_added")
class NoteAdded(Event):
    text: str = member(_text)
    step: str | None = member(_text, null=True, default=None)


@_event("playbook_switched")
class PlaybookSwitched(Event):
    to: str = member(_id)
    step: str | None = member(_id, null=True, default=None)
    content_hash: str | None = member(_text, null=True, default=None)
    from_: str | None = member(_text, null=True, default=None, key="from")
    version: int | None = member(_int, null=True, default=None)


@_event("run_resumed")
class RunResumed(Event):
    gap_s: int = member(_int)
    at_step: str | None = member(_text, null=True, default=None)


@_event("recovered")
class Recovered(Event):
    bytes: int = member(_int)
    sha256: str = member(_text)
    torn_file: str = member(_text)


@_event("inject_delivered")
class InjectDelivered(Event):
    inject: str = member(_id)
    text: str | dict[str, str] = member(_text_or_map)
    at_s: int = member(_int)


@_event("run_ended")
class RunEnded(Event):
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
