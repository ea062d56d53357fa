"""What each event's ``data`` must hold, checked whenever a log is read.

An intact chain proves only that nobody without the key changed the log; its
content is still data from a file. Reading a log for a report, a replay, a
resume or a drill's score checks every event against its type's members
first, so a malformed but intact log is refused with one line naming the seq
and the member ("seq 17: run_ended.open must be a list of texts"), never a
traceback from deep in the fold: `fold.apply` checks every event it applies. Members a newer ehplan adds are allowed;
event types this version does not know are left to the fold, which names them.
"""

from __future__ import annotations

import re
from typing import Any

from ehplan.engine import events as ev

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


def _trainer_action(value: Any) -> bool:
    return value in ev.TRAINER_ACTIONS


_CHECKS = {_trainer_action: "one of " + ", ".join(ev.TRAINER_ACTIONS),
           _text: "a text", _id: "an id (lowercase letters, digits and _)", _int: "an integer",
           _flag: "true or false", _texts: "a list of texts", _link: "an object", _value: "a plain value",
           _branch: "an object with the steps went and would",
           _text_or_map: "a text or a map of texts"}

Spec = dict[str, tuple[Any, bool]]
"""member -> (check, may be null)."""


def _spec(**members: Any) -> Spec:
    """``name=check`` for a required member, ``name=(check, True)`` when it may be null."""
    return {name: (check, False) if callable(check) else check for name, check in members.items()}


_REQUIRED: dict[str, Spec] = {
    ev.RUN_STARTED: _spec(run=_text, playbook=_id, content_hash=_text, operator=_text, mode=_text,
                          scenario=(_id, True), prev_run=(_link, True)),
    ev.STEP_ENTERED: _spec(playbook=_id, step=_id, via=_text, return_to=(_id, True)),
    ev.STEP_COMPLETED: _spec(step=_id, next=(_id, True)),
    ev.STEP_OVERRIDDEN: _spec(step=_id, next=(_id, True), reason=_text),
    ev.CHOICE_MADE: _spec(step=_id, choice=_id),
    ev.ITEM_DONE: _spec(step=_id, item=_id),
    ev.FIELD_SET: _spec(step=_id, field=_id, value=_value),
    ev.CONTACT_LOGGED: _spec(contact=_id, outcome=_text, number=(_text, True), step=(_text, True)),
    ev.TIMER_STARTED: _spec(playbook=_id, timer=_id, kind=_text, duration_s=_int, due=_text, warn_at=_text,
                            rule=(_text, True), escalate_to=(_id, True)),
    ev.TIMER_WARNED: _spec(key=_text),
    ev.TIMER_EXPIRED: _spec(key=_text),
    ev.TIMER_MET: _spec(key=_text, late=(_flag, True)),
    ev.ESCALATION_RAISED: _spec(key=_text, step=_id),
    ev.FOLLOWUP_SCHEDULED: _spec(playbook=_id, followup=_id, due=_text),
    ev.NOTE_ADDED: _spec(text=_text, step=(_text, True)),
    ev.PLAYBOOK_SWITCHED: _spec(to=_id, step=(_id, True), content_hash=(_text, True)),
    ev.RUN_RESUMED: _spec(gap_s=_int, at_step=(_text, True)),
    ev.RECOVERED: _spec(bytes=_int, sha256=_text, torn_file=_text),
    ev.INJECT_DELIVERED: _spec(inject=_id, text=_text_or_map, at_s=_int),
    ev.TRAINER_ACTION: _spec(action=_trainer_action),
    ev.RUN_ENDED: _spec(outcome=_text, open=_texts, step=(_text, True)),
}
"""Members the fold, the report and the replay read, by event type. Optional
members that older logs lack are listed only where the readers treat a
missing one as null. The step an event happened at is a text: "" before the
first step is entered (a note, a call or a crash at the very start)."""

_OPTIONAL = {
    ev.RUN_STARTED: _spec(lang=_text, clock_scale=_int, version=_int),
    ev.STEP_ENTERED: _spec(kind=_text, source=(_text, True)),
    ev.FIELD_SET: _spec(label=(_text, True), type=_text, previous=(_value, True), branch=(_branch, True)),
    ev.TIMER_STARTED: _spec(source=(_text, True)),
    ev.FOLLOWUP_SCHEDULED: _spec(after_s=_int, source=(_text, True)),
    ev.INJECT_DELIVERED: _spec(by=_text),
    ev.TRAINER_ACTION: _spec(by_s=_int, paused_s=_int),
}


def event_problem(event_type: str, data: dict[str, Any]) -> str | None:
    """What is wrong with one event's data, or None."""
    required = _REQUIRED.get(event_type)
    if required is None:
        return None
    for name, (check, nullable) in required.items():
        if name not in data:
            if nullable:
                continue
            return f"{event_type} lacks {name!r}"
        problem = _member_problem(event_type, name, data[name], check, nullable)
        if problem:
            return problem
    for name, (check, nullable) in _OPTIONAL.get(event_type, {}).items():
        if name in data:
            problem = _member_problem(event_type, name, data[name], check, nullable)
            if problem:
                return problem
    return None


def _member_problem(event_type: str, name: str, value: Any, check: Any, nullable: bool) -> str | None:
    if value is None and nullable:
        return None
    if check(value):
        return None
    return f"{event_type}.{name} must be {_CHECKS[check]}{' or null' if nullable else ''}"
