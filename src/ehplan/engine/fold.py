"""The fold: ``apply(state, event) -> state``. Live runs, resume, replay and
reports all call this one function, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from ehplan.engine import events as ev
from ehplan.engine.clock import parse_instant
from ehplan.engine.eventcheck import event_problem
from ehplan.engine.state import (
    ContactLog,
    FollowUpState,
    Note,
    Override,
    PathEntry,
    RunState,
    TimerState,
)


class FoldError(Exception):
    """An event that cannot follow the state it is applied to."""


class MalformedData(FoldError):
    """An event whose data lacks a member its type needs, or has one of the wrong type."""


def happening(playbook: str, kind: str, ref: str) -> str:
    """The key under which a trigger's occurrence is remembered."""
    if kind == "contact":
        return f"*:contact:{ref}"
    return f"{playbook}:{kind}:{ref}"


def triggers_of(record_type: str, data: dict[str, Any], playbook: str) -> list[str]:
    """The trigger keys an event sets off (see `ehplan.playbook.models.Trigger`)."""
    if record_type == ev.RUN_STARTED:
        return [happening(data["playbook"], "run", "true")]
    if record_type == ev.PLAYBOOK_SWITCHED:
        return [happening(data["to"], "run", "true")]
    if record_type == ev.STEP_ENTERED:
        return [happening(data["playbook"], "enter", data["step"])]
    if record_type == ev.STEP_COMPLETED:
        # An overridden step is not "completed": skipping it must not meet a deadline.
        return [happening(playbook, "complete", data["step"])]
    if record_type == ev.ITEM_DONE:
        return [happening(playbook, "item", f"{data['step']}.{data['item']}")]
    if record_type == ev.CHOICE_MADE:
        return [happening(playbook, "choice", f"{data['step']}.{data['choice']}")]
    if record_type == ev.FIELD_SET:
        return [happening(playbook, "field", data["field"])]
    if record_type == ev.CONTACT_LOGGED and data["outcome"] != "no_answer":
        return [happening(playbook, "contact", data["contact"])]
    return []


def apply(state: RunState, record: ev.EventRecord) -> RunState:
    """The state after ``record``. Refuses a gap or repeat in ``seq``."""
    if record.seq != state.last_seq + 1:
        raise FoldError(f"event seq {record.seq} cannot follow {state.last_seq}")
    if not state.started and record.type != ev.RUN_STARTED:
        raise FoldError(f"a run must begin with run_started, not {record.type}")
    if state.ended and record.type not in (ev.NOTE_ADDED, ev.RECOVERED):
        raise FoldError(f"the run has ended; {record.type} cannot follow")
    handler = _HANDLERS.get(record.type)
    if handler is None:
        raise FoldError(f"unknown event type {record.type!r}")
    data = record.data
    problem = event_problem(record.type, data)
    if problem is not None:
        raise MalformedData(f"seq {record.seq}: {problem}")
    new = handler(state, data, record)
    fired = triggers_of(record.type, data, state.playbook or data.get("playbook", ""))
    return replace(new, last_seq=record.seq, last_ts=record.ts,
                   happened=new.happened | frozenset(fired) if fired else new.happened)


def fold(records: Iterable[ev.EventRecord], state: RunState | None = None) -> RunState:
    """Apply every record in order."""
    current = state or RunState()
    for record in records:
        current = apply(current, record)
    return current


# --- handlers -------------------------------------------------------------------

def _run_started(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    if state.started:
        raise FoldError("run_started can only be the first event")
    return replace(
        state,
        run_id=data["run"],
        operator=data["operator"],
        mode=data["mode"],
        lang=data.get("lang", "zh-Hant"),
        clock_scale=int(data.get("clock_scale", 1)),
        scenario=data.get("scenario"),
        root_playbook=data["playbook"],
        playbook=data["playbook"],
        playbook_versions={data["playbook"]: data["content_hash"]},
        started_at=parse_instant(record.ts),
    )


def _step_entered(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    entry = PathEntry(data["playbook"], data["step"], data.get("via", "next"), record.seq, record.ts,
                      data.get("source", ""))
    # Escalations nest: each entry is (playbook, escalation step, step to return to).
    return_to = state.return_to
    if data.get("via") != "escalation" and return_to and return_to[-1][1] == state.step:
        return_to = return_to[:-1]  # leaving an escalation step ends its detour
    if data.get("via") == "escalation" and data.get("return_to"):
        return_to = (*return_to, (data["playbook"], data["step"], data["return_to"]))
    return replace(state, playbook=data["playbook"], step=data["step"], path=state.path.plus(entry),
                   return_to=return_to, pending_step="")


def _completed(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    return replace(state, pending_step=data.get("next") or "")


def _choice_made(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    return replace(state, choices={**state.choices, f"{state.playbook}/{data['step']}": data["choice"]})


def _item_done(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    return replace(state, items_done=state.items_done | {state.item_key(data["step"], data["item"])})


def _field_set(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    return replace(state, values={**state.values, data["field"]: data["value"]})


def _contact_logged(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    logged = ContactLog(data["contact"], data.get("number", ""), data["outcome"], data.get("step", ""),
                        state.playbook, record.seq, record.ts)
    return replace(state, contacts=state.contacts.plus(logged))


def _step_overridden(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    override = Override(state.playbook, data["step"], data["reason"], record.seq, record.ts)
    return replace(state, overrides=state.overrides.plus(override), pending_step=data.get("next") or "")


def _timer_started(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    key = f"{data['playbook']}/{data['timer']}"
    timer = TimerState(
        key=key, playbook=data["playbook"], timer=data["timer"], kind=data["kind"],
        started_at=parse_instant(record.ts), due=parse_instant(data["due"]),
        warn_at=parse_instant(data["warn_at"]), duration_s=int(data["duration_s"]),
        rule=data.get("rule", ""), escalate_to=data.get("escalate_to"),
    )
    return replace(state, timers={**state.timers, key: timer})


Handler = Callable[[RunState, dict[str, Any], ev.EventRecord], RunState]


def _timer_status(status: str) -> Handler:
    def handler(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
        key = data["key"]
        if key not in state.timers:
            raise FoldError(f"timer {key!r} was never started")
        timer = state.timers[key]
        changes: dict[str, Any] = {"status": status}
        if status in ("met", "cleared"):
            changes.update(ended_at=parse_instant(record.ts), late=bool(data.get("late", False)))
        return replace(state, timers={**state.timers, key: replace(timer, **changes)})
    return handler


def _timer_met(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    kind = state.timers[data["key"]].kind if data["key"] in state.timers else "deadline"
    return _timer_status("cleared" if kind == "escalate_after" else "met")(state, data, record)


def _escalation(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    return replace(state, escalations=state.escalations.plus((data["key"], data["step"], record.ts)))


def _followup(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    item = FollowUpState(data["playbook"], data["followup"], data["due"], record.seq)
    return replace(state, followups=state.followups.plus(item))


def _note(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    note = Note(data["text"], data.get("step", state.step), state.playbook, record.seq, record.ts)
    return replace(state, notes=state.notes.plus(note))


def _switched(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    versions = {**state.playbook_versions, data["to"]: data.get("content_hash", "")}
    return replace(state, playbook=data["to"], playbook_versions=versions, pending_step=data.get("step") or "")


def _resumed(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    return replace(state, resumes=state.resumes + 1)


def _recovered(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    return replace(state, recoveries=state.recoveries.plus(dict(data)))


def _inject(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    return replace(state, injects=state.injects.plus({**data, "seq": record.seq, "ts": record.ts}))


def _trainer(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    action = data["action"]
    paused = True if action == "pause" else False if action == "resume" else state.paused
    return replace(state, paused=paused, trainer_actions=state.trainer_actions.plus({**data, "seq": record.seq,
                                                                                    "ts": record.ts}))


def _ended(state: RunState, data: dict[str, Any], record: ev.EventRecord) -> RunState:
    return replace(state, ended=True, outcome=data["outcome"], ended_at=parse_instant(record.ts),
                   open_at_end=tuple(data.get("open", ())))


_HANDLERS: dict[str, Handler] = {
    ev.RUN_STARTED: _run_started,
    ev.STEP_ENTERED: _step_entered,
    ev.STEP_COMPLETED: _completed,
    ev.STEP_OVERRIDDEN: _step_overridden,
    ev.CHOICE_MADE: _choice_made,
    ev.ITEM_DONE: _item_done,
    ev.FIELD_SET: _field_set,
    ev.CONTACT_LOGGED: _contact_logged,
    ev.TIMER_STARTED: _timer_started,
    ev.TIMER_WARNED: _timer_status("warned"),
    ev.TIMER_EXPIRED: _timer_status("expired"),
    ev.TIMER_MET: _timer_met,
    ev.ESCALATION_RAISED: _escalation,
    ev.FOLLOWUP_SCHEDULED: _followup,
    ev.NOTE_ADDED: _note,
    ev.PLAYBOOK_SWITCHED: _switched,
    ev.RUN_RESUMED: _resumed,
    ev.RECOVERED: _recovered,
    ev.INJECT_DELIVERED: _inject,
    ev.TRAINER_ACTION: _trainer,
    ev.RUN_ENDED: _ended,
}
