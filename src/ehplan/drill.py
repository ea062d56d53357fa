"""Tabletop drills: a scenario file names a real playbook, a faster clock, a
briefing, injects delivered at set run times, and what the trainee is expected
to do (and by when) for the score.

Scenario files are YAML like the playbooks, validated by pydantic, every
problem reported as ``path:line:col: message``. Scoring is pure: it reads the
run's log, so a drill can be scored again from its log at any time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from ehplan.engine import commands as cmd
from ehplan.engine import events as ev
from ehplan.engine.clock import parse_instant, rfc3339
from ehplan.engine.decide import decide
from ehplan.engine.fold import apply, happening, states, triggers_of
from ehplan.engine.messages import Refused
from ehplan.engine.state import RunState
from ehplan.engine.timers import trigger_key
from ehplan.library import Library, load_data_file
from ehplan.playbook.checks import trigger_problems
from ehplan.playbook.duration import Duration
from ehplan.playbook.models import Id, Model, Text, Trigger, text_map
from ehplan.report.compliance import Compliance, ComplianceBuilder, Deviation, Item
from ehplan.report.summary import plan_calendar
from ehplan.report.vocabulary import verdict
from ehplan.sitedata.calendar import classify, is_daytime
from ehplan.text import Lang, duration_text, in_lang, pick
from ehplan.yamlpos import LoadError, Problem


class TimerHook(Model):
    """A moment of one of the playbook's timers."""

    id: Id
    """The timer's id in the playbook."""
    event: Literal["warned", "expired"]
    """When it warns or when it runs out."""


class Inject(Model):
    """Something that happens to the trainee during the drill (a caller, a report).

    It arrives at a drill time (``at``), or when something happens in the run
    (``when``: a step reached, a choice made, a call logged…), or when one of
    the playbook's timers warns or runs out (``timer``), ``after`` that."""

    id: Id
    """Unique within the scenario."""
    at: Duration | None = None
    """Drill time from the start at which it arrives (e.g. ``2m``)."""
    when: Trigger | None = None
    """What in the run brings it (e.g. ``{enter: answer_it_arrived}``)."""
    timer: TimerHook | None = None
    """The timer moment that brings it (e.g. ``{id: it_on_site, event: warned}``)."""
    after: Duration | None = None
    """With ``when`` or ``timer``: this much drill time later."""
    text: Text
    """What the trainee is told."""

    @model_validator(mode="after")
    def _one_moment(self) -> Inject:
        used = [key for key in ("at", "when", "timer") if getattr(self, key) is not None]
        if len(used) != 1:
            raise ValueError("an inject needs exactly one of at, when, timer")
        if self.after is not None and self.at is not None:
            raise ValueError("after goes with when or timer; with at, add it to at")
        return self


class ContactOutcome(Model):
    """A forced outcome: the n-th call the trainee logs to a contact goes as the
    scenario says, whatever the trainee picked (nobody answers the first time)."""

    contact: Id
    """The contact called."""
    attempt: int = Field(default=1, ge=1, le=20)
    """Which call to them (1: the first)."""
    outcome: Literal["answered", "called", "no_answer"]
    """What that call comes to."""
    say: Text | None = None
    """What the trainee is told when it happens."""


class Hold(Model):
    """A forced outcome: something in the run cannot happen before a drill time
    (the IT technician arrives at 40 minutes; the power comes back at 20)."""

    when: Trigger
    """What is held back (e.g. ``{complete: answer_it_arrived}``)."""
    until: Duration
    """Drill time from the start before which it is refused."""
    say: Text
    """Why, as the trainee is told when they try too early."""


class Scoring(Model):
    """What the playbook's own deadlines and skips are worth in this drill."""

    deadline: int = Field(default=2, ge=0, le=20)
    """Points for each of the playbook's deadlines met in time."""
    deadline_late: int = Field(default=1, ge=0, le=20)
    """Points for one met late."""
    skip: int = Field(default=1, ge=0, le=20)
    """Points off for each step skipped."""
    deadlines: dict[Id, int] = Field(default_factory=dict)
    """A deadline's points by timer id, instead of ``deadline`` (0: shown in the
    debrief but not scored, e.g. a limit on someone else, as the IT technician's)."""


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
    points: int = Field(default=2, ge=1, le=20)
    """Its weight in the score."""
    late_points: int = Field(default=0, ge=0, le=20)
    """Points when done, but after ``within``."""


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
    start: dt.datetime | None = None
    """The simulated date and time the drill begins (plan's local time unless an
    offset is given), so the calendar's workday, holiday and daytime rules apply;
    none: now."""
    briefing: Text
    """Read before the drill starts: the situation the trainee is in."""
    injects: list[Inject] = Field(default_factory=list)
    """Delivered at their moments."""
    outcomes: list[ContactOutcome] = Field(default_factory=list)
    """Calls whose outcome the scenario forces."""
    holds: list[Hold] = Field(default_factory=list)
    """Things that cannot happen before a drill time."""
    scoring: Scoring = Field(default_factory=Scoring)
    """What the playbook's deadlines and skips are worth."""
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
    playbook = loaded.playbook
    contacts = {c.id for c in library.contacts.contacts} if library.contacts is not None else None

    def check_trigger(trigger: Trigger, loc: tuple[str | int, ...], what: str) -> None:
        nonlocal problems
        problems += trigger_problems(playbook, trigger, loc, positions)
        if trigger.contact is not None and contacts is not None and trigger.contact not in contacts:
            problems.append(positions.problem((*loc, "contact"), f"contact {trigger.contact!r} does not exist"))
        if trigger.run:
            problems.append(positions.problem((*loc, "run"), f"the start of the run is not {what}"))

    timers = {t.id for t in playbook.timers}
    for i, expectation in enumerate(scenario.expect):
        check_trigger(expectation.when, ("expect", i, "when"), "something to score")
    for i, inject in enumerate(scenario.injects):
        if inject.when is not None:
            check_trigger(inject.when, ("injects", i, "when"), "a moment for an inject: use at")
        if inject.timer is not None and inject.timer.id not in timers:
            problems.append(positions.problem(("injects", i, "timer", "id"),
                                              f"timer {inject.timer.id!r} does not exist in {playbook.id!r}"))
    for i, hold in enumerate(scenario.holds):
        check_trigger(hold.when, ("holds", i, "when"), "something to hold back")
    for i, outcome in enumerate(scenario.outcomes):
        if contacts is not None and outcome.contact not in contacts:
            problems.append(positions.problem(("outcomes", i, "contact"),
                                              f"contact {outcome.contact!r} does not exist"))
    for timer_id in scenario.scoring.deadlines:
        if timer_id not in timers:
            problems.append(positions.problem(("scoring", "deadlines", timer_id),
                                              f"timer {timer_id!r} does not exist in {playbook.id!r}"))
    if problems:
        raise LoadError(problems)
    return scenario


# --- the simulated start --------------------------------------------------------------


def start_instant(scenario: Scenario, library: Library) -> dt.datetime | None:
    """The drill's simulated start, timezone-aware (a time without an offset is
    the plan's local time); None: the drill starts now."""
    start = scenario.start
    if start is None:
        return None
    if start.tzinfo is None:
        return start.replace(tzinfo=plan_calendar(library).zone)
    return start


_DAY_WORDS: dict[str, tuple[str, str]] = {
    "start": ("模擬開始時間", "Simulated start"),
    "workday": ("工作日", "a workday"),
    "holiday": ("假日", "a holiday"),
    "day": ("白天", "daytime"),
    "night": ("夜間", "night-time"),
    "makeup": ("調休上班日", "a make-up working day"),
    "weekend": ("週末", "a weekend"),
    "weekday": ("平日", "a weekday"),
    "outside": ("日曆年份以外", "outside the calendar's years"),
}
_WEEKDAYS = (("星期一", "Monday"), ("星期二", "Tuesday"), ("星期三", "Wednesday"), ("星期四", "Thursday"),
             ("星期五", "Friday"), ("星期六", "Saturday"), ("星期日", "Sunday"))


def start_line(scenario: Scenario, library: Library, lang: Lang) -> str | None:
    """The briefing's line for a simulated start: the date, the weekday, and how
    the site's calendar takes it (workday or holiday and why; day or night)."""
    instant = start_instant(scenario, library)
    if instant is None:
        return None
    calendar = library.calendar
    local = instant.astimezone(plan_calendar(library).zone)
    rule = classify(calendar, local.date())
    day = local.date()
    why = "outside" if calendar is None or day.year not in calendar.years else \
        "makeup" if day in calendar.workdays else "weekend" if day.weekday() >= 5 else "weekday"
    reason = in_lang(_DAY_WORDS[why], lang)
    for holiday in calendar.holidays if why != "outside" and calendar is not None else ():
        if holiday.start <= day <= holiday.end:
            reason = holiday.name if isinstance(holiday.name, str) else pick(text_map(holiday.name), lang)
    sep = "，" if lang == "zh-Hant" else ", "
    parts = [f"{local:%Y-%m-%d %H:%M} {in_lang(_WEEKDAYS[local.weekday()], lang)}",
             f"{in_lang(_DAY_WORDS[rule.kind], lang)} ({reason})" if lang != "zh-Hant"
             else f"{in_lang(_DAY_WORDS[rule.kind], lang)}（{reason}）"]
    daytime = is_daytime(calendar, instant)
    if daytime is not None:
        parts.append(in_lang(_DAY_WORDS["day" if daytime else "night"], lang))
    colon = "：" if lang == "zh-Hant" else ": "
    return in_lang(_DAY_WORDS["start"], lang) + colon + sep.join(parts)


# --- moments in the run ---------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """When something first happened in a run: drill seconds from the start and the seq."""

    at_s: float
    seq: int


def timer_moment_key(timer_id: str, event: str) -> str:
    """The key under which `moments` files a timer's warning or expiry."""
    return f"timer:{timer_id}:{event}"


class Moments:
    """The first moment of every trigger key a run set off (and of every timer's
    warning and expiry, by `timer_moment_key`), kept up as the log grows: each
    record is folded once however often it is asked."""

    def __init__(self) -> None:
        self.state = RunState()
        self.first: dict[str, Moment] = {}
        self._seen = 0

    def feed(self, records: Sequence[ev.EventRecord]) -> dict[str, Moment]:
        """Take in the records not seen yet (``records`` is the whole log so far)."""
        for record in records[self._seen:]:
            before = self.state
            self.state = state = apply(before, record)
            elapsed = (parse_instant(record.ts) - state.started_at).total_seconds() if state.started_at else 0.0
            keys = triggers_of(ev.parse_event(record.type, record.data), before.playbook)
            if record.type in (ev.TIMER_WARNED, ev.TIMER_EXPIRED):
                timer = state.timers.get(record.data["key"])
                if timer is not None:
                    keys = [timer_moment_key(timer.timer, "warned" if record.type == ev.TIMER_WARNED else "expired")]
            for key in keys:
                self.first.setdefault(key, Moment(elapsed, record.seq))
        self._seen = len(records)
        return self.first


def moments(records: Sequence[ev.EventRecord]) -> tuple[RunState, dict[str, Moment]]:
    """The run's state and the first moment of everything it set off (see `Moments`)."""
    found = Moments()
    found.feed(records)
    return found.state, found.first


def inject_due_at(scenario: Scenario, inject: Inject, found: dict[str, Moment]) -> float | None:
    """The drill second an inject falls due, or None while what brings it has not happened."""
    if inject.at is not None:
        return float(inject.at)
    if inject.when is not None:
        moment = found.get(trigger_key(scenario.playbook, inject.when))
    else:
        assert inject.timer is not None
        moment = found.get(timer_moment_key(inject.timer.id, inject.timer.event))
    return None if moment is None else moment.at_s + (inject.after or 0)


def due_injects(scenario: Scenario, state: RunState, elapsed_s: float,
                found: dict[str, Moment] | None = None) -> list[Inject]:
    """Injects whose moment has come and that the log does not hold yet (those
    brought by something in the run need its moments, see `Moments`)."""
    delivered = {inject.get("inject") for inject in state.injects}
    found = found or {}
    due = []
    for inject in scenario.injects:
        if inject.id in delivered:
            continue
        at = inject_due_at(scenario, inject, found)
        if at is not None and at <= elapsed_s:
            due.append(inject)
    return due


# --- forced outcomes ------------------------------------------------------------------


class DrillRefused(Refused):
    """The scenario holds something back (the technician is not there yet)."""

    def __init__(self, text: Text) -> None:
        self._text = text
        Exception.__init__(self, pick(text_map(text), "en"))

    def text(self, lang: Lang) -> str:
        return pick(text_map(self._text), lang)


@dataclass(frozen=True)
class Forced:
    """A command as the scenario makes it, and what the trainee is told of it."""

    command: cmd.Command
    say: str | None = None


def force(scenario: Scenario, library: Library, state: RunState, command: cmd.Command, now: dt.datetime,
          lang: Lang) -> Forced:
    """The trainee's command as the scenario's forced outcomes make it: a call's
    outcome replaced, or `DrillRefused` for something held back until later."""
    if isinstance(command, cmd.LogContact):
        attempt = 1 + sum(1 for c in state.contacts if c.contact == command.contact)
        for outcome in scenario.outcomes:
            if outcome.contact == command.contact and outcome.attempt == attempt:
                say = pick(text_map(outcome.say), lang) if outcome.say is not None else None
                return Forced(cmd.LogContact(command.contact, outcome.outcome), say)
        return Forced(command)
    if not scenario.holds or state.started_at is None or isinstance(command, (cmd.Tick, cmd.DeliverInject,
                                                                                cmd.TrainerAction)):
        return Forced(command)
    elapsed = (now - state.started_at).total_seconds()
    waiting = [hold for hold in scenario.holds if elapsed < hold.until]
    if waiting:
        try:
            events = decide(state, command, now, library)
        except Refused:
            return Forced(command)  # the engine's own refusal says it better
        fired = set()
        probe = state
        for event in events:
            before = probe
            probe = apply(probe, ev.Logged(probe.last_seq + 1, rfc3339(now), event.type, event.data))
            fired.update(triggers_of(event.event, before.playbook))
        for hold in waiting:
            if trigger_key(scenario.playbook, hold.when) in fired:
                raise DrillRefused(hold.say)
    return Forced(command)


# --- the score ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    """One scored criterion, with its verdict for the debrief: met, late (by
    ``late_by_s``), missed, wrong_branch or open, at drill second ``at_s`` and
    log ``seq`` (None when it never happened)."""

    label: str
    points: int
    possible: int
    note: str
    verdict: str = ""
    at_s: float | None = None
    seq: int | None = None
    late_by_s: float | None = None
    key: str = ""
    """``deadline:<timer>`` or ``expect:<id>``: the same line across attempts."""
    item: str = ""
    """The compliance item (or, for a penalty, the deviation) these are the points of: its ``ref``."""


@dataclass(frozen=True)
class Score:
    """A drill's score: the compliance items with the scenario's expectations among them, and the
    points the drill gives some of them."""

    lines: tuple[ScoreLine, ...]
    penalties: tuple[ScoreLine, ...]
    trainer: tuple[ScoreLine, ...] = ()
    """What the trainer did from the console (no points): pauses, advances, injects, the end."""
    compliance: Compliance | None = None
    """The run's compliance items and deviations and the scenario's expectations (category
    ``expectation``): the one score model a drill's report shows, the points read off it."""

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
    "met": ("按時完成", "met"),
    "met_at": ("按時完成，於 {t}（第 {seq} 項）", "met at {t} (seq {seq})"),
    "late_at": ("逾時 {by}，於 {t} 完成（第 {seq} 項）", "late by {by}, done at {t} (seq {seq})"),
    "late_by": ("逾時 {by}", "late by {by}"),
    "missed_due": ("未完成，{t} 逾時（第 {seq} 項）", "missed, overdue at {t} (seq {seq})"),
    "missed": ("未做", "missed"),
    "open": ("未完成（演練結束時仍在計時）", "not done (still counting at the end)"),
    "wrong_branch": ("走錯分支：於 {t} 選了「{choice}」（第 {seq} 項）",
                     "wrong branch: chose \"{choice}\" at {t} (seq {seq})"),
    "skipped": ("跳過「{step}」", "skipped \"{step}\""),
    "trainer": ("培訓員", "Trainer"),
    "t_pause": ("於 {t} 暫停（第 {seq} 項）", "paused at {t} (seq {seq})"),
    "t_resume": ("於 {t} 繼續，暫停了 {held}（第 {seq} 項）", "resumed at {t} after {held} (seq {seq})"),
    "t_advance": ("於 {t} 撥快 {by}（第 {seq} 項）", "advanced {by} at {t} (seq {seq})"),
    "t_end": ("於 {t} 結束演練（第 {seq} 項）", "ended the drill at {t} (seq {seq})"),
    "t_inject": ("於 {t} 送出注入「{text}」（第 {seq} 項）", "sent \"{text}\" at {t} (seq {seq})"),
}


def _note(key: str, lang: Lang, **params: object) -> str:
    return in_lang(_NOTES[key], lang).format(**params)


def score_run(records: Sequence[ev.EventRecord], scenario: Scenario, library: Library, lang: Lang) -> Score:
    """Score a drill from its log on the compliance score's items (docs/compliance.md, "The drill
    score"): the run's own items and deviations, as any run's report has them, with each of the
    scenario's expectations added as an item (done if done within its limit) and graded when late,
    missed or answered the other way. The points are read off the same items: each deadline item the
    scenario's ``scoring`` (2 by default, 1 if met late), each expectation its points (its
    ``late_points`` if late), less the ``skip`` points for each skipped step deviation. Every line
    carries its verdict, moment and seq for the debrief."""
    from ehplan.report.afteraction import item_namer

    builder = ComplianceBuilder(library)
    for entry, before, after in states(records):
        builder.visit(entry, before, after)
    state, found = moments(records)
    compliance = builder.finish(state, item_namer(library, lang))
    ended_seq: dict[str, tuple[str, int]] = {}
    for record in records:
        if record.type in (ev.TIMER_MET, ev.TIMER_EXPIRED):
            key = record.data["key"]
            if record.type == ev.TIMER_MET or key not in ended_seq:
                ended_seq[key] = (record.type, record.seq)
    started = state.started_at
    scoring = scenario.scoring

    def drill_s(instant: dt.datetime | None) -> float:
        return (instant - started).total_seconds() if instant is not None and started is not None else 0.0

    lines: list[ScoreLine] = []
    for item in compliance.items:
        if item.category != "deadline":
            continue  # the points are the deadlines' (an escalate_after limit is no item: it measures the fault)
        timer = state.timers[item.ref]
        possible = scoring.deadlines.get(timer.timer, scoring.deadline)  # 0: shown, not scored
        word = verdict(timer.kind, timer.status, timer.late, False)
        label = pick(text_map(library.playbook(timer.playbook).timer(timer.timer).label), lang)
        seq = ended_seq.get(timer.key, ("", None))[1]
        key = f"deadline:{timer.timer}"
        if word in ("met", "met_late"):
            at = drill_s(timer.ended_at)
            late_by = max(drill_s(timer.ended_at) - drill_s(timer.due), 0.0) if word == "met_late" else None
            note = (_note("met_at", lang, t=duration_text(at), seq=seq) if late_by is None else
                    _note("late_at", lang, by=duration_text(late_by), t=duration_text(at), seq=seq))
            points = possible if late_by is None else min(scoring.deadline_late, possible)
            lines.append(ScoreLine(label, points, possible, note, "met" if late_by is None else "late", at, seq,
                                   late_by, key, item.ref))
        elif word == "missed":
            due = drill_s(timer.due)
            lines.append(ScoreLine(label, 0, possible, _note("missed_due", lang, t=duration_text(due), seq=seq),
                                   "missed", due, seq, None, key, item.ref))
        else:
            lines.append(ScoreLine(label, 0, possible, _note("open", lang), "open", None, None, None, key, item.ref))
    expected: list[Item] = []
    graded: list[Deviation] = []
    for expectation in scenario.expect:
        label = pick(text_map(expectation.label), lang)
        key, ref = f"expect:{expectation.id}", f"{scenario.id}/{expectation.id}"
        done = found.get(trigger_key(scenario.playbook, expectation.when))
        if done is None:
            wrong = _wrong_branch(scenario, expectation, library, found, lang)
            if wrong is not None:
                choice, moment = wrong
                note = _note("wrong_branch", lang, choice=choice, t=duration_text(moment.at_s), seq=moment.seq)
                line = ScoreLine(label, 0, expectation.points, note, "wrong_branch", moment.at_s, moment.seq, None,
                                 key, ref)
                graded.append(Deviation("wrong_branch", "major", ref, choice, (moment.seq,), label))
            else:
                line = ScoreLine(label, 0, expectation.points, _note("missed", lang), "missed", key=key, item=ref)
                graded.append(Deviation("expectation_missed", "major", ref, "", (), label))
        elif expectation.within is not None and done.at_s > expectation.within:
            late_by = done.at_s - expectation.within
            note = _note("late_at", lang, by=duration_text(late_by), t=duration_text(done.at_s), seq=done.seq)
            line = ScoreLine(label, min(expectation.late_points, expectation.points), expectation.points, note,
                             "late", done.at_s, done.seq, late_by, key, ref)
            graded.append(Deviation("expectation_late", "minor", ref, _note("late_by", lang, by=duration_text(late_by)),
                                    (done.seq,), label))
        else:
            line = ScoreLine(label, expectation.points, expectation.points,
                             _note("met_at", lang, t=duration_text(done.at_s), seq=done.seq), "met", done.at_s,
                             done.seq, None, key, ref)
        lines.append(line)
        expected.append(Item("expectation", ref, line.verdict == "met", (line.seq,) if line.seq is not None else (),
                             label))
    penalties = []
    overrides = {override.seq: override for override in state.overrides}
    for deviation in compliance.deviations if scoring.skip else ():
        if deviation.kind != "skipped":
            continue
        override = overrides[deviation.evidence[-1]]  # the step_overridden record
        step = pick(text_map(library.playbook(override.playbook).step(override.step).title), lang)
        penalties.append(ScoreLine(_note("skipped", lang, step=step), -scoring.skip, 0, override.reason,
                                   "skipped", drill_s(parse_instant(override.ts)), override.seq, item=deviation.ref))
    trainer = []
    for record in records:
        data = record.data
        if record.type == ev.TRAINER_ACTION or (record.type == ev.INJECT_DELIVERED and data.get("by") == "trainer"):
            at = drill_s(parse_instant(record.ts))
            action = str(data.get("action", "inject"))
            params: dict[str, object] = {"t": duration_text(at), "seq": record.seq}
            if action == "resume":
                params["held"] = duration_text(int(data.get("paused_s", 0)))
            elif action == "advance":
                params["by"] = duration_text(int(data.get("by_s", 0)))
            elif action == "inject":
                text = data.get("text", "")
                params["text"] = text if isinstance(text, str) else pick(text, lang)
            trainer.append(ScoreLine(_note(f"t_{action}", lang, **params), 0, 0, "", action, at, record.seq))
    return Score(tuple(lines), tuple(penalties), tuple(trainer), compliance.extended(tuple(expected), tuple(graded)))


def _wrong_branch(scenario: Scenario, expectation: Expectation, library: Library,
                  found: dict[str, Moment], lang: Lang) -> tuple[str, Moment] | None:
    """Another answer to the decision an expectation wanted answered one way: its
    label and moment, or None."""
    wanted = expectation.when.choice
    if wanted is None:
        return None
    step_id, _, _choice = wanted.partition(".")
    step = library.playbook(scenario.playbook).step(step_id)
    for choice in getattr(step, "choices", ()):
        moment = found.get(happening(scenario.playbook, "choice", f"{step_id}.{choice.id}"))
        if moment is not None:
            return pick(text_map(choice.label), lang), moment
    return None


def score_lines(score: Score, lang: Lang, with_compliance: bool = True) -> list[str]:
    """The score as plain lines, for the summary screen and the report: the points, then (unless the
    report shows the compliance score in full just before) the items they are read off, in one line."""
    title = in_lang(("演練評分", "Drill score"), lang)
    out = [f"{title}: {score.points}/{score.possible} ({score.percent}%)"]
    for line in score.lines:
        mark = "·" if not line.possible else "✓" if line.points == line.possible else "½" if line.points else "✗"
        out.append(f"  {mark} {line.points}/{line.possible}  {line.label} — {line.note}")
    for line in score.penalties:
        out.append(f"  − {-line.points}  {line.label}: {line.note}")
    if with_compliance and score.compliance is not None:
        from ehplan.report.afteraction import compliance_headline

        out.append(f"  {compliance_headline(score.compliance, lang)}")
    if score.trainer:
        out.append(f"  {in_lang(_NOTES['trainer'], lang)}:")
        out += [f"    {line.label}" for line in score.trainer]
    return out
