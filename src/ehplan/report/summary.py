"""What a run came to: deadlines met or missed, calls, follow-ups, open items.
Pure: built from the folded state and the playbooks, shown by the TUI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ehplan.engine.clock import parse_instant
from ehplan.engine.decide import open_items
from ehplan.engine.state import RunState
from ehplan.library import Library
from ehplan.playbook.models import text_map
from ehplan.report.vocabulary import VERDICT_SYMBOL, verdict
from ehplan.sitedata.models import CalendarFile
from ehplan.text import Lang, pick, tagged

__all__ = ["VERDICT_SYMBOL", "DeadlineLine", "Summary", "local_time", "plan_calendar", "summarize", "verdict"]

@dataclass(frozen=True)
class DeadlineLine:
    """One timer's fate."""

    label: str
    kind: str
    verdict: str  # met | met_late | missed | cleared | escalated
    duration_s: int
    rule: str


@dataclass(frozen=True)
class Summary:
    """The end-of-run summary."""

    duration_s: int
    outcome: str
    deadlines: tuple[DeadlineLine, ...]
    calls: tuple[tuple[str, str, str, str], ...]  # name, number, outcome, ts
    followups: tuple[tuple[str, str], ...]  # text, due date
    overrides: tuple[tuple[str, str], ...]  # step title, reason
    notes: tuple[str, ...]
    open_at_end: tuple[str, ...]
    values: tuple[tuple[str, str], ...] = ()
    """Every recorded field, its label and latest value as the screen showed it."""
    utc_offset: str = "+08:00"
    """The plan's local time, which every time here is in."""


def plan_calendar(library: Library) -> CalendarFile:
    """The site's calendar, or the default one (the plan's UTC+8) if none is shipped."""
    return library.calendar or CalendarFile(years=[2026], source="default")


def local_time(library: Library) -> Callable[[dt.datetime | str], str]:
    """A function giving an instant as 'YYYY-MM-DD HH:MM:SS' in the plan's local
    time, whatever the zone of the machine that logged it."""
    zone = plan_calendar(library).zone

    def at(instant: dt.datetime | str) -> str:
        moment = parse_instant(instant) if isinstance(instant, str) else instant
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")

    return at


def summarize(state: RunState, library: Library, lang: Lang) -> Summary:
    """Summarise a (usually ended) run in ``lang``."""
    escalated = {key for key, _step, _ts in state.escalations}
    deadlines = []
    for timer in sorted(state.timers.values(), key=lambda t: t.started_at):
        label = pick(text_map(library.playbook(timer.playbook).timer(timer.timer).label), lang)
        deadlines.append(DeadlineLine(label, timer.kind, verdict(timer.kind, timer.status, timer.late,
                                                                   timer.key in escalated),
                                      timer.duration_s, timer.rule))
    calls = []
    at = local_time(library)
    for call in state.contacts:
        name = pick(text_map(library.contact(call.contact).name), lang)
        calls.append((name, call.number, call.outcome, at(call.ts)))
    followups = []
    for item in state.followups:
        followup = next(f for f in library.playbook(item.playbook).followups if f.id == item.followup)
        followups.append((tagged(pick(text_map(followup.text), lang), followup.text, lang), item.due[:10]))
    overrides = []
    for override in state.overrides:
        title = pick(text_map(library.playbook(override.playbook).step(override.step).title), lang)
        overrides.append((title, override.reason))
    values = []
    fields = {f.id: f for step in library.playbook(state.playbook).steps for f in getattr(step, "fields", [])} \
        if state.playbook else {}
    for field_id, value in state.values.items():
        field = fields.get(field_id)
        if field is None:
            values.append((field_id, str(value)))
        elif field.type == "choice" and field.choices and isinstance(value, int) and 0 <= value < len(field.choices):
            values.append((pick(text_map(field.label), lang), pick(text_map(field.choices[value]), lang)))
        else:
            unit = f" {pick(text_map(field.unit), lang)}" if field.unit is not None else ""
            values.append((pick(text_map(field.label), lang), f"{value}{unit}"))
    end = state.ended_at or state.started_at
    duration = int((end - state.started_at).total_seconds()) if end and state.started_at else 0
    still_open = tuple(item.text(lang) for item in open_items(state, library)) if state.ended else ()
    return Summary(duration, state.outcome, tuple(deadlines), tuple(calls), tuple(followups),
                   tuple(overrides), tuple(note.text for note in state.notes), still_open, tuple(values),
                   plan_calendar(library).utc_offset)
