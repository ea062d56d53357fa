"""Tabletop drills: a scenario file names a real playbook, a faster clock, a
briefing, injects delivered at set run times, and what the trainee is expected
to do (and by when) for the score.

Scenario files are YAML like the playbooks, validated by pydantic, every
problem reported as ``path:line:col: message``. Scoring is pure: it reads the
run's log, so a drill can be scored again from its log at any time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from ehplan.engine import events as ev
from ehplan.engine.clock import parse_instant
from ehplan.engine.fold import states, triggers_of
from ehplan.engine.state import RunState
from ehplan.engine.timers import trigger_key
from ehplan.library import Library, load_data_file
from ehplan.playbook.checks import trigger_problems
from ehplan.playbook.duration import Duration
from ehplan.playbook.models import Id, Model, Text, Trigger, text_map
from ehplan.report.vocabulary import verdict, verdict_word
from ehplan.text import Lang, duration_text, in_lang, pick
from ehplan.yamlpos import LoadError, Problem


class Inject(Model):
    """Something that happens to the trainee during the drill (a caller, a report)."""

    id: Id
    """Unique within the scenario."""
    at: Duration
    """Run time at which it arrives (drill time, e.g. ``2m``)."""
    text: Text
    """What the trainee is told."""


class Expectation(Model):
    """One thing the trainee should do, for the score."""

    id: Id
    """Unique within the scenario."""
    label: Text
    """What is expected, as the debrief lists it."""
    when: Trigger
    """What in the run shows it was done (a choice, a call, a step…)."""
    within: Duration | None = None
    """Drill time from the start by which it must be done; none: any time."""
    points: int = Field(default=2, ge=1, le=10)
    """Its weight in the score."""


class Scenario(Model):
    """A drill scenario (``drills/*.yaml``)."""

    schema_: str | None = Field(default=None, alias="$schema")
    """Optional JSON Schema pointer for editors."""
    id: Id
    """The scenario's id, recorded in the run's log."""
    version: Literal[1]
    """Format version."""
    title: Text
    """Shown to the trainer and the trainee."""
    playbook: Id
    """The real playbook the drill runs on."""
    clock_scale: int = Field(default=10, ge=1, le=60)
    """How much faster than real time the drill runs (10: a 30-minute limit in 3 minutes)."""
    briefing: Text
    """Read before the drill starts: the situation the trainee is in."""
    injects: list[Inject] = Field(default_factory=list)
    """Delivered at their run times."""
    expect: list[Expectation] = Field(default_factory=list)
    """Scored besides the playbook's own deadlines."""


def load_scenario(path: Path, library: Library) -> Scenario:
    """Load and check a scenario against the playbooks, or raise `LoadError`."""
    scenario, positions = load_data_file(path, Scenario)
    problems: list[Problem] = []
    for key in ("injects", "expect"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(scenario, key)):
            if item.id in seen:
                problems.append(positions.problem((key, i, "id"), f"duplicate id {item.id!r}"))
            seen.add(item.id)
    loaded = library.playbooks.get(scenario.playbook)
    if loaded is None:
        problems.append(positions.problem(("playbook",), f"playbook {scenario.playbook!r} does not exist"))
        raise LoadError(problems)
    for i, expectation in enumerate(scenario.expect):
        loc = ("expect", i, "when")
        problems += trigger_problems(loaded.playbook, expectation.when, loc, positions)
        contact = expectation.when.contact
        if contact is not None and library.contacts is not None \
                and contact not in {c.id for c in library.contacts.contacts}:
            problems.append(positions.problem((*loc, "contact"), f"contact {contact!r} does not exist"))
        if expectation.when.run:
            problems.append(positions.problem((*loc, "run"), "the start of the run is not something to score"))
    if problems:
        raise LoadError(problems)
    return scenario


def due_injects(scenario: Scenario, state: RunState, elapsed_s: float) -> list[Inject]:
    """Injects whose time has come and that the log does not hold yet."""
    delivered = {inject.get("inject") for inject in state.injects}
    return [i for i in scenario.injects if i.at <= elapsed_s and i.id not in delivered]


# --- the score ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    """One scored criterion."""

    label: str
    points: int
    possible: int
    note: str


@dataclass(frozen=True)
class Score:
    """A drill's score: every criterion, and the total."""

    lines: tuple[ScoreLine, ...]
    penalties: tuple[ScoreLine, ...]

    @property
    def points(self) -> int:
        return max(sum(line.points for line in (*self.lines, *self.penalties)), 0)

    @property
    def possible(self) -> int:
        return sum(line.possible for line in self.lines)

    @property
    def percent(self) -> int:
        return round(100 * self.points / self.possible) if self.possible else 100


_NOTES: dict[str, tuple[str, str]] = {
    "done_at": ("於 {t} 完成", "done at {t}"),
    "late_at": ("於 {t} 完成，超過 {limit}", "done at {t}, after {limit}"),
    "not_done": ("未做", "not done"),
    "skipped": ("跳過「{step}」", "skipped \"{step}\""),
}


def _note(key: str, lang: Lang, **params: str) -> str:
    return in_lang(_NOTES[key], lang).format(**params)


def score_run(records: Sequence[ev.EventRecord], scenario: Scenario, library: Library, lang: Lang) -> Score:
    """Score a drill from its log: each of the playbook's deadlines (2 points:
    1 if met late), each expectation of the scenario (its points, if done in
    time), less a point for every step skipped."""
    state = RunState()
    first_done: dict[str, float] = {}
    for entry, before, state in states(records):
        elapsed = (parse_instant(entry.ts) - state.started_at).total_seconds() if state.started_at else 0.0
        for key in triggers_of(entry.event, before.playbook):
            first_done.setdefault(key, elapsed)
    lines: list[ScoreLine] = []
    for timer in sorted(state.timers.values(), key=lambda t: t.started_at):
        if timer.kind != "deadline":
            continue  # an escalate_after limit measures the fault, not the trainee
        word = verdict(timer.kind, timer.status, timer.late, False)
        label = pick(text_map(library.playbook(timer.playbook).timer(timer.timer).label), lang)
        points = {"met": 2, "met_late": 1}.get(word, 0)
        lines.append(ScoreLine(label, points, 2, verdict_word(word, lang)))
    for expectation in scenario.expect:
        label = pick(text_map(expectation.label), lang)
        done = first_done.get(trigger_key(scenario.playbook, expectation.when))
        if done is None:
            lines.append(ScoreLine(label, 0, expectation.points, _note("not_done", lang)))
        elif expectation.within is not None and done > expectation.within:
            note = _note("late_at", lang, t=duration_text(done), limit=duration_text(expectation.within))
            lines.append(ScoreLine(label, 0, expectation.points, note))
        else:
            lines.append(ScoreLine(label, expectation.points, expectation.points,
                                   _note("done_at", lang, t=duration_text(done))))
    penalties = []
    for override in state.overrides:
        step = pick(text_map(library.playbook(override.playbook).step(override.step).title), lang)
        penalties.append(ScoreLine(_note("skipped", lang, step=step), -1, 0, override.reason))
    return Score(tuple(lines), tuple(penalties))


def score_lines(score: Score, lang: Lang) -> list[str]:
    """The score as plain lines, for the summary screen and the report."""
    title = in_lang(("演練評分", "Drill score"), lang)
    out = [f"{title}: {score.points}/{score.possible} ({score.percent}%)"]
    for line in score.lines:
        mark = "✓" if line.points == line.possible else "½" if line.points else "✗"
        out.append(f"  {mark} {line.points}/{line.possible}  {line.label} — {line.note}")
    for line in score.penalties:
        out.append(f"  − 1  {line.label}: {line.note}")
    return out
