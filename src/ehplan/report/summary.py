"""What a run came to: deadlines met or missed, calls, follow-ups, open items.
Pure: built from the folded state and the playbooks, shown by the TUI."""

from __future__ import annotations

from dataclasses import dataclass

from ehplan.engine.decide import open_items
from ehplan.engine.state import RunState
from ehplan.library import Library
from ehplan.playbook.models import text_map
from ehplan.text import Lang, pick, tagged

VERDICT_SYMBOL = {"met": "✓", "met_late": "✓!", "missed": "✗", "open": "○", "cleared": "✓", "escalated": "▲"}
"""Each timer verdict's symbol: states are never told by colour alone."""


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
    notes: int
    open_at_end: tuple[str, ...]


def verdict(timer_kind: str, status: str, late: bool, escalated: bool) -> str:
    """met, met_late, missed, open (still counting when the run ended), cleared or escalated."""
    if timer_kind == "escalate_after":
        if escalated or status == "expired":
            return "escalated"
        return "cleared" if status == "cleared" else "open"
    if status == "met":
        return "met_late" if late else "met"
    return "missed" if status == "expired" else "open"


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
    for call in state.contacts:
        name = pick(text_map(library.contact(call.contact).name), lang)
        calls.append((name, call.number, call.outcome, call.ts))
    followups = []
    for item in state.followups:
        followup = next(f for f in library.playbook(item.playbook).followups if f.id == item.followup)
        followups.append((tagged(pick(text_map(followup.text), lang), followup.text, lang), item.due[:10]))
    overrides = []
    for override in state.overrides:
        title = pick(text_map(library.playbook(override.playbook).step(override.step).title), lang)
        overrides.append((title, override.reason))
    end = state.ended_at or state.started_at
    duration = int((end - state.started_at).total_seconds()) if end and state.started_at else 0
    still_open = tuple(item.text(lang) for item in open_items(state, library)) if state.ended else ()
    return Summary(duration, state.outcome, tuple(deadlines), tuple(calls), tuple(followups),
                   tuple(overrides), len(state.notes), still_open)
