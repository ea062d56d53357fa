"""Commands become events: ``decide(state, command, now, library) -> [events]``.

A command that the plan does not allow is refused with a reason the operator
can act on; nothing is written for it. Every event decided here carries its
consequences (timers started or met, follow-ups dated), worked out by folding
the new events onto a scratch copy of the state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ehplan.engine import commands as cmd
from ehplan.engine import events as ev
from ehplan.engine.clock import rfc3339
from ehplan.engine.fold import apply_entry, happening, triggers_of
from ehplan.engine.messages import Msg, Refused
from ehplan.engine.state import RunState
from ehplan.engine.timers import consequences, due_alarms, trigger_key
from ehplan.engine.values import holds, parse_value
from ehplan.library import Library
from ehplan.playbook.models import (
    ActionStep,
    AnyOf,
    ChecklistStep,
    DecisionStep,
    EndStep,
    GotoStep,
    NotifyStep,
    Playbook,
    RecordField,
    RecordStep,
    StepBase,
    text_map,
)
from ehplan.text import pick

MAX_TEXT = 4000


class NeedsConfirmation(Refused):
    """Ending would leave things open; ``open_items`` lists them."""

    def __init__(self, open_items: list[Msg]) -> None:
        self.open_items = open_items
        super().__init__("still_open", items=open_items)


@dataclass
class _Draft:
    """Events decided so far, and the state they lead to."""

    state: RunState
    library: Library
    now: dt.datetime
    events: list[ev.NewEvent]

    def emit(self, event: ev.Event) -> None:
        self._push(ev.NewEvent(event))

    def _push(self, new: ev.NewEvent) -> None:
        event = new.event
        playbook_id = self.state.playbook or getattr(event, "playbook", "")
        self.events.append(new)
        self.state = apply_entry(self.state, ev.Entry(self.state.last_seq + 1, rfc3339(self.now), event))
        fired = triggers_of(event, playbook_id)
        if fired:
            playbook = self.library.playbook(self.state.playbook)
            for follow in consequences(self.state, playbook, fired, self.library.calendar, self.now):
                self._push(follow)

    @property
    def playbook(self) -> Playbook:
        return self.library.playbook(self.state.playbook)

    def enter(self, step_id: str, via: str, return_to: str | None = None) -> None:
        step = self.playbook.step(step_id)
        self.emit(ev.StepEntered(self.playbook.id, step_id, via, step.kind, step.source,
                                 return_to))


def decide(state: RunState, command: cmd.Command, now: dt.datetime, library: Library) -> list[ev.NewEvent]:
    """The events that carry out ``command`` now, or `Refused`."""
    draft = _Draft(state, library, now, [])
    if isinstance(command, cmd.StartRun):
        _start(draft, command)
        return draft.events
    if not state.started:
        raise Refused("not_started")
    if state.ended and not isinstance(command, cmd.AddNote):
        raise Refused("ended")
    handler = _HANDLERS.get(type(command))
    if handler is None:
        raise Refused("unknown_command", name=type(command).__name__)
    handler(draft, command)
    return draft.events


def _start(draft: _Draft, command: cmd.StartRun) -> None:
    if draft.state.started:
        raise Refused("already_started")
    if command.playbook not in draft.library.playbooks:
        raise Refused("no_playbook", id=command.playbook)
    loaded = draft.library.playbooks[command.playbook]
    draft.emit(ev.RunStarted(
        run=command.run_id, playbook=command.playbook, version=loaded.playbook.version,
        content_hash=loaded.content_hash, operator=command.operator, mode=command.mode,
        lang=command.lang, clock_scale=command.clock_scale, scenario=command.scenario,
    ))
    draft.enter(loaded.playbook.entry, "start")


def _current(draft: _Draft) -> StepBase:
    return draft.playbook.step(draft.state.step)


def _return_target(draft: _Draft) -> str | None:
    """Where to go back to after an escalation step, if this step is one."""
    state = draft.state
    if state.return_to:
        playbook, escalation_step, back = state.return_to[-1]
        if (playbook, escalation_step) == (state.playbook, state.step):
            return back
    return None


def _complete(draft: _Draft, step: StepBase, next_id: str, reason: str | None = None) -> None:
    """Leave ``step`` for ``next_id`` (back from an escalation step instead);
    with a ``reason``, it is skipped or overridden, not completed."""
    back = _return_target(draft)
    target, via = (back, "return") if back is not None else (next_id, "next")
    if reason is None:
        draft.emit(ev.StepCompleted(step.id, target))
    else:
        draft.emit(ev.StepOverridden(step.id, reason, target))
    draft.enter(target, via)


def _continue(draft: _Draft, command: cmd.Continue) -> None:
    step = _current(draft)
    state = draft.state
    if isinstance(step, EndStep):
        raise Refused("end_step")
    if isinstance(step, DecisionStep):
        raise Refused("choose", n=len(step.choices))
    if isinstance(step, GotoStep):
        target = draft.library.playbooks[step.playbook]
        draft.emit(ev.StepCompleted(step.id, None))
        first = step.step or target.playbook.entry
        draft.emit(ev.PlaybookSwitched(to=step.playbook, step=first, content_hash=target.content_hash,
                                       from_=state.playbook, version=target.playbook.version))
        draft.enter(first, "goto")
        return
    if isinstance(step, ChecklistStep):
        missing = [_text(i.text) for i in step.items
                   if not i.optional and state.item_key(step.id, i.id) not in state.items_done]
        if missing:
            raise Refused("not_done", items=missing)
    if isinstance(step, RecordStep):
        missing = [_text(f.label) for f in step.fields if f.required and f.id not in state.values]
        if missing:
            raise Refused("fill_first", items=missing)
        _complete(draft, step, _route(step, state.values))
        return
    if isinstance(step, NotifyStep):
        reached = [c for c in step.notify if state.reached(c)]
        if (step.any_of and not reached) or (not step.any_of and len(reached) < len(step.notify)):
            waiting = [_text(draft.library.contact(c).name) for c in step.notify if c not in reached]
            raise Refused("call_first_any" if step.any_of else "call_first", items=waiting)
    assert isinstance(step, ActionStep | ChecklistStep | NotifyStep)
    _complete(draft, step, step.next)


def _route(step: RecordStep, values: dict[str, Any]) -> str:
    for route in step.routes:
        if holds(route.when, values):
            return route.next
    return step.next


def _choose(draft: _Draft, command: cmd.Choose) -> None:
    step = _current(draft)
    if not isinstance(step, DecisionStep):
        raise Refused("no_question")
    choice = next((c for c in step.choices if c.id == command.choice), None)
    if choice is None:
        raise Refused("no_answer", id=command.choice)
    draft.emit(ev.ChoiceMade(step.id, choice.id, choice.next))
    draft.emit(ev.StepCompleted(step.id, choice.next))
    draft.enter(choice.next, "choice")


def _tick_item(draft: _Draft, command: cmd.TickItem) -> None:
    step = _current(draft)
    if not isinstance(step, ChecklistStep) or command.item not in {i.id for i in step.items}:
        raise Refused("no_item", id=command.item)
    if draft.state.item_key(step.id, command.item) in draft.state.items_done:
        raise Refused("already_ticked")
    draft.emit(ev.ItemDone(step.id, command.item))


def _set_field(draft: _Draft, command: cmd.SetField) -> None:
    found: tuple[RecordStep, RecordField] | None = None
    for step in draft.playbook.steps:
        if isinstance(step, RecordStep):
            for field in step.fields:
                if field.id == command.field:
                    found = (step, field)
    if found is None:
        raise Refused("no_field", id=command.field)
    step, field = found
    value = parse_value(field, command.value)
    label = pick(_text(field.choices[int(value)]), "zh-Hant") \
        if field.type == "choice" and field.choices is not None else None
    event = ev.FieldSet(step.id, field.id, value, field.type, label)
    values = draft.state.values
    if field.id in values and values[field.id] != value:  # a correction: the log keeps both
        branch = None
        passed = draft.state.step != step.id and \
            happening(draft.playbook.id, "enter", step.id) in draft.state.happened
        if passed:  # the branch was taken on the old value: say where the new one leads
            went, would = _route(step, values), _route(step, {**values, field.id: value})
            if went != would:
                branch = {"went": went, "would": would}
        event = ev.FieldSet(step.id, field.id, value, field.type, label, values[field.id], branch)
    draft.emit(event)


def _text(value: Any) -> Any:
    """A playbook text in the form messages render (string or language map)."""
    return text_map(value)


def _log_contact(draft: _Draft, command: cmd.LogContact) -> None:
    if command.outcome not in ev.CONTACT_OUTCOMES:
        raise Refused("bad_outcome", items=list(ev.CONTACT_OUTCOMES))
    try:
        contact = draft.library.contact(command.contact)
    except KeyError:
        raise Refused("no_contact", id=command.contact) from None
    draft.emit(ev.ContactLogged(contact.id, command.outcome, contact.number, draft.state.step))


def _override(draft: _Draft, command: cmd.Override) -> None:
    reason = command.reason.strip()
    if not reason:
        raise Refused("reason_needed")
    if len(command.reason) > MAX_TEXT:
        raise Refused("too_long", n=MAX_TEXT)
    step = _current(draft)
    if isinstance(step, EndStep | GotoStep):
        raise Refused("cannot_skip")
    if isinstance(step, DecisionStep):
        raise Refused("decision_skip")
    next_id = _route(step, draft.state.values) if isinstance(step, RecordStep) else step.next  # type: ignore[attr-defined]
    _complete(draft, step, next_id, reason=command.reason)


def _note(draft: _Draft, command: cmd.AddNote) -> None:
    if not command.text.strip():
        raise Refused("note_empty")
    if len(command.text) > MAX_TEXT:
        raise Refused("too_long", n=MAX_TEXT)
    draft.emit(ev.NoteAdded(command.text, draft.state.step))


def open_items(state: RunState, library: Library) -> list[Msg]:
    """What ending now would leave open: deadlines not met, skipped steps, not at an end step."""
    items = [Msg("deadline_open", {"what": _text(library.playbook(t.playbook).timer(t.timer).label)})
             for t in state.active_timers() if t.kind == "deadline"]
    items += [Msg("overridden", {"what": _text(library.playbook(o.playbook).step(o.step).title), "reason": o.reason})
              for o in state.overrides]
    step = library.playbook(state.playbook).step(state.step)
    if not isinstance(step, EndStep):
        items.append(Msg("not_finished", {"what": _text(step.title)}))
    return items


def mandatory_missing(state: RunState, library: Library) -> list[Msg]:
    """``must_before_end`` triggers of the playbooks used that have not happened."""
    missing = []
    for playbook_id in state.playbook_versions:
        playbook = library.playbook(playbook_id)
        for entry in playbook.must_before_end:
            alternatives = entry.any_of if isinstance(entry, AnyOf) else [entry]
            if not any(trigger_key(playbook_id, t) in state.happened for t in alternatives):
                described = [_describe(t, playbook, library) for t in alternatives]
                missing.append(described[0] if len(described) == 1 else Msg("one_of", {"items": described}))
    return missing


def describe_must(library: Library, playbook_id: str, index: int) -> Msg:
    """The ``index``-th must-before-end entry of a playbook, as the end-of-run check names it."""
    playbook = library.playbook(playbook_id)
    entry = playbook.must_before_end[index]
    alternatives = entry.any_of if isinstance(entry, AnyOf) else [entry]
    described = [_describe(t, playbook, library) for t in alternatives]
    return described[0] if len(described) == 1 else Msg("one_of", {"items": described})


def _describe(trigger: Any, playbook: Playbook, library: Library) -> Msg:
    if trigger.contact:
        return Msg("call", {"who": _text(library.contact(trigger.contact).name)})
    if trigger.field:
        for step in playbook.steps:
            for field in getattr(step, "fields", []):
                if field.id == trigger.field:
                    return Msg("record", {"what": _text(field.label)})
    for kind in ("enter", "complete"):
        if getattr(trigger, kind):
            return Msg("do_step", {"what": _text(playbook.step(getattr(trigger, kind)).title)})
    return Msg("do_step", {"what": str(trigger.item or trigger.choice)})


def _end(draft: _Draft, command: cmd.EndRun) -> None:
    missing = mandatory_missing(draft.state, draft.library)
    if missing and not (command.trainer and draft.state.mode == "drill"):
        raise Refused("cannot_end", items=missing)
    still_open = open_items(draft.state, draft.library)
    if still_open and not command.confirm:
        raise NeedsConfirmation(still_open)
    step = _current(draft)
    outcome = command.outcome or (step.outcome if isinstance(step, EndStep) else "ended_early")
    draft.emit(ev.RunEnded(outcome, tuple(item.text("en") for item in still_open), draft.state.step))


def _tick(draft: _Draft, command: cmd.Tick) -> None:
    for alarm in due_alarms(draft.state, draft.now):
        draft.emit(alarm)
        timer = draft.state.timers[alarm.key]
        if isinstance(alarm, ev.TimerExpired) and timer.escalate_to and timer.playbook == draft.state.playbook:
            draft.emit(ev.EscalationRaised(timer.key, timer.escalate_to))
            if draft.state.step != timer.escalate_to:
                draft.enter(timer.escalate_to, "escalation", return_to=draft.state.step)


def _resume(draft: _Draft, command: cmd.Resume) -> None:
    draft.emit(ev.RunResumed(command.gap_s, draft.state.step))
    _finish_interrupted_command(draft)
    _tick(draft, cmd.Tick())


def _finish_interrupted_command(draft: _Draft) -> None:
    """A crash between one command's events can leave it half-applied: a step
    decided but not entered, a trigger whose timers were not yet started or
    met. Resume completes it from what the log does hold."""
    state = draft.state
    target = state.pending_step or ("" if state.step else draft.playbook.entry)
    if target:
        draft.enter(target, "resume")
    for playbook_id in list(draft.state.playbook_versions):
        playbook = draft.library.playbook(playbook_id)
        fired = sorted(draft.state.happened)
        for event in consequences(draft.state, playbook, fired, draft.library.calendar, draft.now):
            draft._push(event)


def _recovered(draft: _Draft, command: cmd.RecordRecovery) -> None:
    draft.emit(ev.Recovered(command.bytes_set_aside, command.sha256, command.torn_file))


def _inject(draft: _Draft, command: cmd.DeliverInject) -> None:
    draft.emit(ev.InjectDelivered(command.inject, command.text, command.at_s, command.by))


def _trainer(draft: _Draft, command: cmd.TrainerAction) -> None:
    if draft.state.mode != "drill":
        raise Refused("unknown_command", name=type(command).__name__)
    if command.action not in ev.TRAINER_ACTIONS:
        raise Refused("bad_outcome", items=list(ev.TRAINER_ACTIONS))
    draft.emit(ev.TrainerAction(command.action, command.by_s if command.action == "advance" else None,
                                command.paused_s if command.action == "resume" else None))


_HANDLERS: dict[type, Any] = {
    cmd.Continue: _continue,
    cmd.Choose: _choose,
    cmd.TickItem: _tick_item,
    cmd.SetField: _set_field,
    cmd.LogContact: _log_contact,
    cmd.Override: _override,
    cmd.AddNote: _note,
    cmd.EndRun: _end,
    cmd.Tick: _tick,
    cmd.Resume: _resume,
    cmd.RecordRecovery: _recovered,
    cmd.DeliverInject: _inject,
    cmd.TrainerAction: _trainer,
}
