"""The fold: ``apply(state, event) -> state``. Live runs, resume, replay and
reports all call this one function, so they cannot disagree.

Each event is read as its type (`ehplan.engine.events`), so a handler reads
fields, never dictionary keys. Applying one costs O(1) amortised however long
the run: what grows with the run is a `Chain`, what does not (timers, values,
the set of what happened) is bounded by the playbook, and a new state is made
by copying the old one's members once, not by rebuilding them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ehplan.engine import events as ev
from ehplan.engine.clock import parse_instant
from ehplan.engine.events import FoldError, MalformedData
from ehplan.engine.state import (
    ContactLog,
    FollowUpState,
    Note,
    Override,
    PathEntry,
    RunState,
    TimerState,
)

__all__ = ["FoldError", "MalformedData", "apply", "apply_entry", "fold", "happening", "states", "triggers_of"]


def happening(playbook: str, kind: str, ref: str) -> str:
    """The key under which a trigger's occurrence is remembered."""
    if kind == "contact":
        return f"*:contact:{ref}"
    return f"{playbook}:{kind}:{ref}"


def triggers_of(event: ev.Event, playbook: str) -> list[str]:
    """The trigger keys an event sets off (see `ehplan.playbook.models.Trigger`);
    ``playbook`` is the one the run was in when it happened."""
    fired = _TRIGGERS.get(type(event))
    return fired(event, playbook) if fired is not None else []


def _contact_trigger(event: ev.ContactLogged, playbook: str) -> list[str]:
    return [happening(playbook, "contact", event.contact)] if event.outcome != "no_answer" else []


_TRIGGERS: dict[type[ev.Event], Callable[[Any, str], list[str]]] = {
    ev.RunStarted: lambda e, _p: [happening(e.playbook, "run", "true")],
    ev.PlaybookSwitched: lambda e, _p: [happening(e.to, "run", "true")],
    ev.StepEntered: lambda e, _p: [happening(e.playbook, "enter", e.step)],
    # An overridden step is not "completed": skipping it must not meet a deadline.
    ev.StepCompleted: lambda e, p: [happening(p, "complete", e.step)],
    ev.ItemDone: lambda e, p: [happening(p, "item", f"{e.step}.{e.item}")],
    ev.ChoiceMade: lambda e, p: [happening(p, "choice", f"{e.step}.{e.choice}")],
    ev.FieldSet: lambda e, p: [happening(p, "field", e.field)],
    ev.ContactLogged: _contact_trigger,
}
"""The event types that set triggers off, and the keys they set off."""


def apply(state: RunState, record: ev.EventRecord) -> RunState:
    """The state after ``record``, its data checked against its type first.
    Refuses a gap or repeat in ``seq``."""
    if record.seq != state.last_seq + 1:
        raise FoldError(f"event seq {record.seq} cannot follow {state.last_seq}")
    return apply_entry(state, ev.entry_of(record))


def apply_entry(state: RunState, entry: ev.Entry) -> RunState:
    """The state after an already typed event."""
    seq, event = entry.seq, entry.event
    if seq != state.last_seq + 1:
        raise FoldError(f"event seq {seq} cannot follow {state.last_seq}")
    if state.last_seq < 0 and type(event) is not ev.RunStarted:
        raise FoldError(f"a run must begin with run_started, not {event.TYPE}")
    if state.ended and type(event) not in (ev.NoteAdded, ev.Recovered):
        raise FoldError(f"the run has ended; {event.TYPE} cannot follow")
    changes = _HANDLERS[type(event)](state, event, entry)
    changes["last_seq"], changes["last_ts"] = seq, entry.ts
    trigger = _TRIGGERS.get(type(event))
    fired = trigger(event, state.playbook or getattr(event, "playbook", "")) if trigger is not None else None
    if fired:
        happened = changes.get("happened", state.happened)
        if not happened.issuperset(fired):
            changes["happened"] = happened.union(fired)
    return _evolve(state, changes)


def _evolve(state: RunState, changes: dict[str, Any]) -> RunState:
    """``dataclasses.replace`` without its per-field cost: the new state shares
    every member the event did not change (members are immutable)."""
    new = object.__new__(RunState)
    members = new.__dict__
    members.update(state.__dict__)
    members.update(changes)
    return new


def fold(records: Iterable[ev.EventRecord], state: RunState | None = None) -> RunState:
    """Apply every record in order."""
    current = state or RunState()
    for record in records:
        current = apply(current, record)
    return current


def states(records: Iterable[ev.EventRecord], state: RunState | None = None
           ) -> Iterator[tuple[ev.Entry, RunState, RunState]]:
    """Each record as its typed entry with the state before and after it: the
    one loop a report, a replay or a score walks a run with. Nothing is kept."""
    current = state or RunState()
    for record in records:
        if record.seq != current.last_seq + 1:
            raise FoldError(f"event seq {record.seq} cannot follow {current.last_seq}")
        entry = ev.entry_of(record)
        after = apply_entry(current, entry)
        yield entry, current, after
        current = after


# --- handlers: each returns the members its event changes -------------------------------

Changes = dict[str, Any]


def _run_started(state: RunState, event: ev.RunStarted, entry: ev.Entry) -> Changes:
    if state.started:
        raise FoldError("run_started can only be the first event")
    return {"run_id": event.run, "operator": event.operator, "mode": event.mode, "lang": event.lang,
            "clock_scale": event.clock_scale, "scenario": event.scenario, "root_playbook": event.playbook,
            "playbook": event.playbook, "playbook_versions": {event.playbook: event.content_hash},
            "started_at": parse_instant(entry.ts)}


def _step_entered(state: RunState, event: ev.StepEntered, entry: ev.Entry) -> Changes:
    path_entry = PathEntry(event.playbook, event.step, event.via, entry.seq, entry.ts, event.source or "")
    # Escalations nest: each entry is (playbook, escalation step, step to return to).
    return_to = state.return_to
    if event.via != "escalation" and return_to and return_to[-1][1] == state.step:
        return_to = return_to[:-1]  # leaving an escalation step ends its detour
    if event.via == "escalation" and event.return_to:
        return_to = (*return_to, (event.playbook, event.step, event.return_to))
    return {"playbook": event.playbook, "step": event.step, "path": state.path.plus(path_entry),
            "return_to": return_to, "pending_step": ""}


def _completed(state: RunState, event: ev.StepCompleted, entry: ev.Entry) -> Changes:
    return {"pending_step": event.next or ""}


def _choice_made(state: RunState, event: ev.ChoiceMade, entry: ev.Entry) -> Changes:
    return {"choices": {**state.choices, f"{state.playbook}/{event.step}": event.choice}}


def _item_done(state: RunState, event: ev.ItemDone, entry: ev.Entry) -> Changes:
    return {"items_done": state.items_done | {state.item_key(event.step, event.item)}}


def _field_set(state: RunState, event: ev.FieldSet, entry: ev.Entry) -> Changes:
    return {"values": {**state.values, event.field: event.value}}


def _contact_logged(state: RunState, event: ev.ContactLogged, entry: ev.Entry) -> Changes:
    logged = ContactLog(event.contact, event.number or "", event.outcome, event.step or "",
                        state.playbook, entry.seq, entry.ts)
    return {"contacts": state.contacts.plus(logged)}


def _step_overridden(state: RunState, event: ev.StepOverridden, entry: ev.Entry) -> Changes:
    override = Override(state.playbook, event.step, event.reason, entry.seq, entry.ts)
    return {"overrides": state.overrides.plus(override), "pending_step": event.next or ""}


def _timer_started(state: RunState, event: ev.TimerStarted, entry: ev.Entry) -> Changes:
    timer = TimerState(
        key=event.key, playbook=event.playbook, timer=event.timer, kind=event.kind,
        started_at=parse_instant(entry.ts), due=parse_instant(event.due), warn_at=parse_instant(event.warn_at),
        duration_s=event.duration_s, rule=event.rule or "", escalate_to=event.escalate_to,
    )
    return {"timers": {**state.timers, event.key: timer}}


def _timer(state: RunState, key: str) -> TimerState:
    timer = state.timers.get(key)
    if timer is None:
        raise FoldError(f"timer {key!r} was never started")
    return timer


def _set_timer(state: RunState, timer: TimerState, **changes: Any) -> Changes:
    members = dict(timer.__dict__)
    members.update(changes)
    new = object.__new__(TimerState)
    new.__dict__.update(members)
    return {"timers": {**state.timers, timer.key: new}}


def _timer_warned(state: RunState, event: ev.TimerWarned, entry: ev.Entry) -> Changes:
    return _set_timer(state, _timer(state, event.key), status="warned")


def _timer_expired(state: RunState, event: ev.TimerExpired, entry: ev.Entry) -> Changes:
    return _set_timer(state, _timer(state, event.key), status="expired")


def _timer_met(state: RunState, event: ev.TimerMet, entry: ev.Entry) -> Changes:
    timer = _timer(state, event.key)
    return _set_timer(state, timer, status="cleared" if timer.kind == "escalate_after" else "met",
                      ended_at=parse_instant(entry.ts), late=bool(event.late))


def _escalation(state: RunState, event: ev.EscalationRaised, entry: ev.Entry) -> Changes:
    return {"escalations": state.escalations.plus((event.key, event.step, entry.ts))}


def _followup(state: RunState, event: ev.FollowupScheduled, entry: ev.Entry) -> Changes:
    item = FollowUpState(event.playbook, event.followup, event.due, entry.seq)
    return {"followups": state.followups.plus(item)}


def _note(state: RunState, event: ev.NoteAdded, entry: ev.Entry) -> Changes:
    note = Note(event.text, event.step if event.step is not None else state.step, state.playbook, entry.seq,
                entry.ts)
    return {"notes": state.notes.plus(note)}


def _switched(state: RunState, event: ev.PlaybookSwitched, entry: ev.Entry) -> Changes:
    return {"playbook": event.to, "playbook_versions": {**state.playbook_versions, event.to: event.content_hash or ""},
            "pending_step": event.step or ""}


def _resumed(state: RunState, event: ev.RunResumed, entry: ev.Entry) -> Changes:
    return {"resumes": state.resumes + 1}


def _recovered(state: RunState, event: ev.Recovered, entry: ev.Entry) -> Changes:
    return {"recoveries": state.recoveries.plus(event.to_data())}


def _inject(state: RunState, event: ev.InjectDelivered, entry: ev.Entry) -> Changes:
    return {"injects": state.injects.plus({**event.to_data(), "seq": entry.seq, "ts": entry.ts})}


def _trainer(state: RunState, event: ev.TrainerAction, entry: ev.Entry) -> Changes:
    paused = True if event.action == "pause" else False if event.action == "resume" else state.paused
    return {"paused": paused,
            "trainer_actions": state.trainer_actions.plus({**event.to_data(), "seq": entry.seq, "ts": entry.ts})}


def _ended(state: RunState, event: ev.RunEnded, entry: ev.Entry) -> Changes:
    return {"ended": True, "outcome": event.outcome, "ended_at": parse_instant(entry.ts), "open_at_end": event.open}


_HANDLERS: dict[type[ev.Event], Callable[[RunState, Any, ev.Entry], Changes]] = {
    ev.RunStarted: _run_started,
    ev.StepEntered: _step_entered,
    ev.StepCompleted: _completed,
    ev.StepOverridden: _step_overridden,
    ev.ChoiceMade: _choice_made,
    ev.ItemDone: _item_done,
    ev.FieldSet: _field_set,
    ev.ContactLogged: _contact_logged,
    ev.TimerStarted: _timer_started,
    ev.TimerWarned: _timer_warned,
    ev.TimerExpired: _timer_expired,
    ev.TimerMet: _timer_met,
    ev.EscalationRaised: _escalation,
    ev.FollowupScheduled: _followup,
    ev.NoteAdded: _note,
    ev.PlaybookSwitched: _switched,
    ev.RunResumed: _resumed,
    ev.Recovered: _recovered,
    ev.InjectDelivered: _inject,
    ev.TrainerAction: _trainer,
    ev.RunEnded: _ended,
}
assert set(_HANDLERS) == set(ev.EVENT_CLASSES.values()), "every event type has its handler"
