"""The auditor's after-action report of one run, built once as data (a
`Report`: header, deadlines with verdicts, timeline, calls, notes, overrides,
follow-ups, the drill score, integrity) and then rendered; `render_text` is
the text form, `ehplan.report.formats` the others. Pure: built from the
verified log's entries and the playbooks. Times are in the plan's local time
(the calendar's UTC offset), said once in the header. Text from the log is
kept as it was logged: every renderer escapes it for its own format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size

from ehplan.engine import events as ev
from ehplan.engine.clock import parse_instant
from ehplan.engine.decide import open_items
from ehplan.engine.fold import states
from ehplan.engine.state import RunState
from ehplan.library import Library
from ehplan.playbook.models import text_map
from ehplan.report.compliance import Compliance, ComplianceBuilder
from ehplan.report.summary import plan_calendar
from ehplan.report.vocabulary import (
    DEVIATIONS,
    GRADE_SYMBOL,
    GRADES,
    ITEM_CATEGORIES,
    VERDICT_SYMBOL,
    call_word,
    outcome_word,
    verdict,
    verdict_word,
    word,
)
from ehplan.text import RECONSTRUCTED, SHORT_TAG, Lang, duration_text, durations, in_lang, pick, tagged

if TYPE_CHECKING:
    from ehplan.drill import Score

_STRINGS: dict[str, tuple[str, str]] = {
    # key: (zh-Hant, en)
    "title": ("事件處理報告", "After-action report"),
    "run": ("事件編號", "Run"),
    "playbook": ("預案", "Playbook"),
    "plan": ("依據：{title}", "Plan: {title}"),
    "set_hash": ("現行預案集雜湊（{n} 個）：{hash}", "Playbook set in use now ({n}): {hash}"),
    "operator": ("值班員", "Operator"),
    "mode": ("模式", "Mode"),
    "live": ("實戰", "LIVE"),
    "drill": ("演練", "DRILL"),
    "clock": ("時鐘 ×{n}", "clock ×{n}"),
    "started": ("開始", "Started"),
    "ended": ("結束", "Ended"),
    "not_ended": ("未結束（記錄中沒有結束事件）", "not ended (no run_ended event in the log)"),
    "duration": ("時長", "Duration"),
    "outcome": ("結果", "Outcome"),
    "times_in": ("時間為預案當地時間 UTC{offset}", "Times are the plan's local time, UTC{offset}"),
    "authors_legend": ("標有{tag}的文字為編寫者補充，非預案原文；其餘為預案原文",
                       "Text marked {tag} is the authors' addition, not the plan's words; the rest is the plan's"),
    "log": ("記錄檔", "Log"),
    "intact": ("完整：{n} 筆記錄", "intact: {n} records"),
    "torn": ("最後一行不完整（寫入時中斷），報告只含之前的記錄", "the last line is torn (a write cut short); "
             "the report covers the records before it"),
    "final_hash": ("最終雜湊", "Final hash"),
    "hmac_checked": ("已用金鑰核對 HMAC", "HMAC checked with the key"),
    "version_changed": ("注意：預案 {id} 自此事件後已修改，以下用語取自目前的檔案",
                        "note: playbook {id} has changed since this run; labels are from the current file"),
    "version_missing": ("注意：目前沒有預案 {id}，以下以代號顯示",
                        "note: playbook {id} is not in the current playbooks; shown by id"),
    "deadlines": ("時限", "Deadlines"),
    "compliance": ("合規評分：{done}/{n} 項（{pct}%）", "Compliance: {done}/{n} items ({pct}%)"),
    "deviations": ("偏離", "Deviations"),
    "seq": ("記錄", "seq"),
    "timeline": ("經過", "Timeline"),
    "calls": ("致電", "Calls"),
    "notes": ("備註", "Notes"),
    "overrides": ("跳過／覆寫", "Skipped or overridden"),
    "followups": ("後續事項", "Follow-ups"),
    "still_open": ("結束時仍未完成", "Still open at the end"),
    "none": ("—", "—"),
    # timer details
    "limit": ("時限 {d}", "limit {d}"),
    "started_at": ("開始 {t}", "started {t}"),
    "due_at": ("到時 {t}", "due {t}"),
    "done_at": ("完成 {t}", "done {t}"),
    # timeline
    "e_run_started": ("開始事件：{playbook}，值班員 {operator}", "run started: {playbook}, operator {operator}"),
    "e_step": ("步驟：{step}", "step: {step}"),
    "e_step_escalation": ("▲ 升級步驟：{step}", "▲ escalation step: {step}"),
    "e_step_resume": ("回到步驟：{step}", "back to step: {step}"),
    "e_choice": ("選擇：{step} → {choice}", "chose: {step} → {choice}"),
    "e_item": ("☑ {item}", "☑ {item}"),
    "e_field": ("記錄：{field} = {value}", "recorded: {field} = {value}"),
    "e_field_corrected": ("更正：{field} = {value}（原為 {previous}）",
                          "corrected: {field} = {value} (was {previous})"),
    "e_field_branch": ("；按更正後的值應轉到「{would}」，當時已轉到「{went}」",
                       "; with the corrected value the plan goes to \"{would}\", the run went to \"{went}\""),
    "e_call": ("☎ {name}{number} — {outcome}", "☎ {name}{number} — {outcome}"),
    "e_override": ("⤼ 跳過「{step}」，原因：{reason}", "⤼ skipped \"{step}\", reason: {reason}"),
    "e_timer_started": ("⏱ 開始計時：{timer}，{due}", "⏱ timer started: {timer}, {due}"),
    "e_timer_warned": ("⚠ 即將到時：{timer}", "⚠ due soon: {timer}"),
    "e_timer_expired": ("‼ 逾時：{timer}", "‼ overdue: {timer}"),
    "e_timer_met": ("✓ 已完成：{timer}", "✓ met: {timer}"),
    "e_timer_met_late": ("✓ 逾時完成：{timer}", "✓ met late: {timer}"),
    "e_timer_cleared": ("✓ 已解除：{timer}", "✓ cleared: {timer}"),
    "e_escalation": ("▲ 升級：{timer} → {step}", "▲ escalated: {timer} → {step}"),
    "e_followup": ("📅 後續：{text}，{due} 前", "📅 follow-up: {text}, by {due}"),
    "e_note": ("✎ 備註：{text}", "✎ note: {text}"),
    "e_switched": ("↪ 轉到預案：{playbook}", "↪ switched to playbook: {playbook}"),
    "e_resumed": ("↻ 事件恢復（程式重新開啟）", "↻ run resumed (the app was restarted)"),
    "e_recovered": ("⚕ 記錄檔修復：不完整的最後一行（{length} 位元組）已另存",
                    "⚕ log recovered: a torn last line ({length} bytes) was set aside"),
    "e_inject": ("✉ 演練注入：{text}", "✉ drill inject: {text}"),
    "e_ended": ("■ 事件結束：{outcome}", "■ run ended: {outcome}"),
    "e_other": ("{type}", "{type}"),
}


def _s(key: str, lang: Lang, **params: Any) -> str:
    text = in_lang(_STRINGS[key], lang)
    return text.format(**params) if params else text


@dataclass(frozen=True)
class Integrity:
    """What verification said of the log the report is built from."""

    path: str
    records: int
    final_hash: str
    torn_tail: bool = False
    hmac_checked: bool = False


# --- the model ------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """Who, what and when. Times are local 'YYYY-MM-DD HH:MM:SS' texts, "" if none."""

    run_id: str
    playbook_id: str
    playbook: str
    """The playbook's title and id, as the current playbooks name it."""
    operator: str
    mode: str
    """live or drill."""
    clock_scale: int
    started: str
    ended: str
    duration_s: int | None
    """None for a run not ended."""
    outcome: str
    """A key of `ehplan.report.vocabulary.OUTCOMES` (or as logged); "" if not ended."""
    plan: str
    set_size: int
    set_hash: str
    utc_offset: str
    reconstructed: tuple[str, ...] = ()
    """The playbooks used whose order is a reconstruction."""
    versions: tuple[tuple[str, str], ...] = ()
    """(playbook id, "changed" | "missing") for a playbook not as it ran."""
    scenario: str | None = None
    lang: str = ""
    """The run's own language."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """One timer and its verdict, with the seqs that prove it."""

    key: str
    label: str
    kind: str
    verdict: str
    duration_s: int
    rule: str
    started: str
    due: str
    done: str
    """When it was met, cleared or escalated; "" if never."""
    started_s: float
    due_s: float
    done_s: float | None
    """Run times (seconds from the start), for a timeline drawing."""
    started_seq: int
    done_seq: int | None
    """The timer_met (or timer_expired, for one missed) event's seq."""


@dataclass(frozen=True, slots=True)
class Moment:
    """One timeline line: an event as the report tells it."""

    seq: int
    elapsed_s: float
    time: str
    """Local HH:MM:SS."""
    type: str
    text: str


@dataclass(frozen=True, slots=True)
class Call:
    seq: int
    contact: str
    name: str
    number: str
    outcome: str
    """A key of `ehplan.report.vocabulary.CALL_OUTCOMES` (or as logged)."""
    time: str


@dataclass(frozen=True, slots=True)
class NoteLine:
    seq: int
    time: str
    step: str
    text: str


@dataclass(frozen=True, slots=True)
class OverrideLine:
    seq: int
    time: str
    step_id: str
    step: str
    reason: str


@dataclass(frozen=True, slots=True)
class FollowUpLine:
    seq: int
    due: str
    """Local date YYYY-MM-DD."""
    text: str


@dataclass(frozen=True)
class Report:
    """The whole after-action report as data, in ``lang``."""

    lang: Lang
    header: Header
    deadlines: tuple[Deadline, ...]
    timeline: tuple[Moment, ...]
    calls: tuple[Call, ...]
    notes: tuple[NoteLine, ...]
    overrides: tuple[OverrideLine, ...]
    followups: tuple[FollowUpLine, ...]
    still_open: tuple[str, ...]
    integrity: Integrity
    score: Score | None = None
    """A drill's score, when it was scored: its points, read off ``compliance``."""
    compliance: Compliance | None = None
    """Items done out of applicable, deviations graded (docs/compliance.md); for a scored drill, the
    score's, with the scenario's expectations among them."""


def _once(method: Callable[..., str]) -> Callable[..., str]:
    """Each name looked up once per report: a long run names the same few things again and again."""

    def named(self: _Names, *args: str) -> str:
        key = (method.__name__, *args)
        text = self._known.get(key)
        if text is None:
            text = self._known[key] = method(self, *args)
        return text

    return named


class _Names:
    """Labels from the current playbooks, falling back to ids for anything they
    no longer have (the report must never fail on an old log)."""

    def __init__(self, library: Library, lang: Lang) -> None:
        self.library, self.lang = library, lang
        self._known: dict[tuple[str, ...], str] = {}


    def _pick(self, value: Any) -> str:
        return tagged(pick(text_map(value), self.lang), value, self.lang)

    def plan(self) -> str:
        info = self.library.plan_info
        return self._pick(info.title) if info is not None else "—"

    @_once
    def playbook(self, playbook_id: str) -> str:
        found = self.library.playbooks.get(playbook_id)
        return f"{self._pick(found.playbook.title)} ({playbook_id})" if found else playbook_id

    @_once
    def step(self, playbook_id: str, step_id: str) -> str:
        try:
            step = self.library.playbook(playbook_id).step(step_id)
        except KeyError:
            return step_id
        return f"{self._pick(step.title)} ({step.source})"

    @_once
    def choice(self, playbook_id: str, step_id: str, choice_id: str) -> str:
        try:
            step = self.library.playbook(playbook_id).step(step_id)
            return next(self._pick(c.label) for c in getattr(step, "choices", []) if c.id == choice_id)
        except (KeyError, StopIteration):
            return choice_id

    @_once
    def item(self, playbook_id: str, step_id: str, item_id: str) -> str:
        try:
            step = self.library.playbook(playbook_id).step(step_id)
            return next(self._pick(i.text) for i in getattr(step, "items", []) if i.id == item_id)
        except (KeyError, StopIteration):
            return f"{step_id}.{item_id}"

    def _field(self, playbook_id: str, field_id: str) -> Any:
        try:
            steps = self.library.playbook(playbook_id).steps
        except KeyError:
            return None
        return next((f for step in steps for f in getattr(step, "fields", []) if f.id == field_id), None)

    @_once
    def field(self, playbook_id: str, field_id: str) -> str:
        found = self._field(playbook_id, field_id)
        return self._pick(found.label) if found is not None else field_id

    def value(self, playbook_id: str, field_id: str, value: ev.Value, label: str | None) -> str:
        """A recorded value; a choice by its label in the report's language."""
        found = self._field(playbook_id, field_id)
        if found is not None and found.type == "choice" and isinstance(value, int) \
                and 0 <= value < len(found.choices):
            return self._pick(found.choices[value])
        return str(label or value)

    @_once
    def must(self, playbook_id: str, ref: str) -> str:
        """A must-before-end entry (``must_before_end[N]``) as the end-of-run check says it."""
        from ehplan.engine.decide import describe_must

        try:
            index = int(ref.partition("[")[2].rstrip("]"))
            return describe_must(self.library, playbook_id, index).text(self.lang)
        except (KeyError, ValueError, IndexError):
            return ref

    @_once
    def contact(self, contact_id: str) -> str:
        try:
            return self._pick(self.library.contact(contact_id).name)
        except KeyError:
            return contact_id

    @_once
    def timer(self, key: str) -> str:
        playbook_id, _, timer_id = key.partition("/")
        try:
            return self._pick(self.library.playbook(playbook_id).timer(timer_id).label)
        except KeyError:
            return key

    @_once
    def followup(self, playbook_id: str, followup_id: str) -> str:
        try:
            found = self.library.playbook(playbook_id).followups
            return next(self._pick(f.text) for f in found if f.id == followup_id)
        except (KeyError, StopIteration):
            return followup_id


def _clock(zone: dt.tzinfo) -> Any:
    """Local 'YYYY-MM-DD HH:MM:SS' of an instant (or its RFC 3339 text). A log's
    times come in order and share their minute with their neighbours: the
    local minute of a text is worked out once per minute and offset."""
    minutes: dict[str, str] = {}

    def local(moment: dt.datetime) -> str:
        moment = moment.astimezone(zone)
        return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
                f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}")

    def at(instant: dt.datetime | str) -> str:
        if not isinstance(instant, str):
            return local(instant)
        if len(instant) != 29 or instant[16] != ":" or instant[19] != ".":  # not ehplan's own form
            return local(parse_instant(instant))
        key = instant[:16] + instant[23:]  # the minute and the offset
        prefix = minutes.get(key)
        if prefix is None:
            prefix = minutes[key] = local(parse_instant(instant[:17] + "00" + instant[19:]))[:17]
        return prefix + instant[17:19]

    return at


def _moment_clock(at: Any, start: dt.datetime) -> Callable[[str], tuple[float, str]]:
    """A timeline line's seconds from ``start`` and its local HH:MM:SS, of an
    instant's RFC 3339 text: the seconds as ``(parse_instant(text) -
    start).total_seconds()`` gives them (the same whole microseconds over 10**6,
    so the same float), the time as ``at(text)[11:]``; each second worked out
    once (`at` works out each minute once)."""
    seconds: dict[str, tuple[str, int]] = {}
    micro = dt.timedelta(microseconds=1)

    def when(instant: str) -> tuple[float, str]:
        if len(instant) != 29 or instant[16] != ":" or instant[19] != ".":  # not ehplan's own form
            return (parse_instant(instant) - start).total_seconds(), at(instant)[11:]
        key = instant[:19] + instant[23:]  # the second and the offset
        known = seconds.get(key)
        if known is None:
            second = parse_instant(instant[:20] + "000" + instant[23:])
            known = seconds[key] = (at(instant)[11:], (second - start) // micro)
        return (known[1] + int(instant[20:23]) * 1000) / 1_000_000, known[0]

    return when


_TIMER_DONE = (ev.TimerMet, ev.TimerExpired)
"""(A tuple made once: ``TimerMet | TimerExpired`` would make its union on every event.)"""


class ReportBuilder:
    """Builds a `Report` as the run's states go by: `visit` each record with the
    states before and after it (what `ehplan.engine.fold.states` and a verified
    load's walk give), then `finish`. Only what each line needs is kept."""

    def __init__(self, library: Library, integrity: Integrity, lang: Lang | None = None,
                 score: Score | None = None) -> None:
        self.library, self.integrity, self.lang, self.score = library, integrity, lang, score
        self.at = _clock(plan_calendar(library).zone)
        self.names: _Names | None = None
        self.start: dt.datetime | None = None
        self.when: Callable[[str], tuple[float, str]] | None = None
        self.moments: list[Moment] = []
        self.seqs: dict[str, tuple[int, int | None]] = {}
        self.state = RunState()
        self.compliance = ComplianceBuilder(library)

    def visit(self, entry: ev.Entry, before: RunState, after: RunState) -> None:
        self.compliance.visit(entry, before, after)
        names = self.names
        if names is None:  # the first record: the run's language and start are known now
            self.lang = self.lang or after.lang  # type: ignore[assignment]
            names = self.names = _Names(self.library, self.lang or "zh-Hant")
            self.start = after.started_at
            if self.start is not None:
                self.when = _moment_clock(self.at, self.start)
        self.state = after
        event = entry.event
        if isinstance(event, ev.TimerStarted):
            self.seqs[event.key] = (entry.seq, None)
        elif isinstance(event, _TIMER_DONE) and event.key in self.seqs:
            started, done = self.seqs[event.key]
            if done is None or isinstance(event, ev.TimerMet):
                self.seqs[event.key] = (started, entry.seq)
        assert self.lang is not None and self.when is not None
        text = _event_text(entry, before, names, self.lang, self.at)
        if text is None:
            return
        elapsed, time = self.when(entry.ts)
        self.moments.append(Moment(entry.seq, elapsed, time, event.TYPE, text))

    def finish(self) -> Report:
        state, names, at, lang = self.state, self.names, self.at, self.lang
        if names is None or lang is None:
            raise ValueError("a report needs at least the run's first event")
        return Report(lang, _header(state, self.library, names, at), _deadlines(state, names, at, self.seqs),
                      tuple(self.moments),
                      tuple(Call(c.seq, c.contact, names.contact(c.contact), c.number, c.outcome, at(c.ts)[11:])
                            for c in state.contacts),
                      tuple(NoteLine(n.seq, at(n.ts)[11:], names.step(n.playbook, n.step), n.text)
                            for n in state.notes),
                      tuple(OverrideLine(o.seq, at(o.ts)[11:], o.step, names.step(o.playbook, o.step), o.reason)
                            for o in state.overrides),
                      tuple(FollowUpLine(f.seq, at(f.due)[:10], names.followup(f.playbook, f.followup))
                            for f in state.followups),
                      tuple(_still_open(state, self.library, lang)), self.integrity, self.score,
                      self.score.compliance if self.score is not None and self.score.compliance is not None
                      else self.compliance.finish(state, lambda category, ref: _label(names, category, ref)))


def item_namer(library: Library, lang: Lang) -> Callable[[str, str], str]:
    """Names compliance items and deviations in ``lang`` as the report does (for `ComplianceBuilder.finish`)."""
    names = _Names(library, lang)
    return lambda category, ref: _label(names, category, ref)


def _label(names: _Names, category: str, ref: str) -> str:
    """A compliance item's or deviation's name in the report's language."""
    head, _, tail = ref.partition("/")
    if category == "deadline":
        return names.timer(ref)
    if category in ("step", "script"):
        return names.step(head, tail)
    if category == "call":
        step, _, contacts = tail.partition(":")
        return f"{names.step(head, step)}: {' / '.join(names.contact(c) for c in contacts.split('|'))}"
    if category == "field":
        return names.field(head, tail)
    if category == "playbook":
        return names.playbook(ref)
    if category == "must_before_end":
        return names.must(head, tail)
    return ref


def build_report(records: Iterable[ev.EventRecord], library: Library, integrity: Integrity,
                 lang: Lang | None = None, score: Score | None = None) -> Report:
    """The report of a run from its records (typed entries or log records), in
    ``lang`` (default: the run's own language)."""
    builder = ReportBuilder(library, integrity, lang, score)
    for entry, before, after in states(records):
        builder.visit(entry, before, after)
    return builder.finish()


def _header(state: RunState, library: Library, names: _Names, at: Any) -> Header:
    ended = state.ended and state.ended_at is not None and state.started_at is not None
    versions = []
    for playbook_id, content_hash in state.playbook_versions.items():
        current = library.playbooks.get(playbook_id)
        if current is None:
            versions.append((playbook_id, "missing"))
        elif content_hash and current.content_hash != content_hash:
            versions.append((playbook_id, "changed"))
    return Header(
        run_id=state.run_id, playbook_id=state.root_playbook, playbook=names.playbook(state.root_playbook),
        operator=state.operator, mode=state.mode, clock_scale=state.clock_scale,
        started=at(state.started_at) if state.started_at else "",
        ended=at(state.ended_at) if ended and state.ended_at else "",
        duration_s=int((state.ended_at - state.started_at).total_seconds())
        if ended and state.ended_at and state.started_at else None,
        outcome=state.outcome if state.ended else "", plan=names.plan(), set_size=len(library.playbooks),
        set_hash=library.set_hash(), utc_offset=plan_calendar(library).utc_offset,
        reconstructed=tuple(p for p in state.playbook_versions
                            if p in library.playbooks and library.playbook(p).reconstructed),
        versions=tuple(versions), scenario=state.scenario, lang=state.lang)


def _deadlines(state: RunState, names: _Names, at: Any, seqs: dict[str, tuple[int, int | None]]
               ) -> tuple[Deadline, ...]:
    escalated = {key for key, _step, _ts in state.escalations}
    start = state.started_at
    assert start is not None
    out = []
    for timer in sorted(state.timers.values(), key=lambda t: t.started_at):
        started_seq, done_seq = seqs.get(timer.key, (-1, None))
        word = verdict(timer.kind, timer.status, timer.late, timer.key in escalated)
        out.append(Deadline(
            key=timer.key, label=names.timer(timer.key), kind=timer.kind, verdict=word, duration_s=timer.duration_s,
            rule=timer.rule, started=at(timer.started_at), due=at(timer.due),
            done=at(timer.ended_at) if timer.ended_at is not None else "",
            started_s=(timer.started_at - start).total_seconds(), due_s=(timer.due - start).total_seconds(),
            done_s=(timer.ended_at - start).total_seconds() if timer.ended_at is not None else None,
            started_seq=started_seq, done_seq=done_seq))
    return tuple(out)


# --- the text form --------------------------------------------------------------------


def render_text(report: Report) -> list[str]:
    """The report as plain lines (the caller makes each line one line on screen)."""
    lang, head = report.lang, report.header
    lines = [f"ehplan — {_s('title', lang)}", _s("plan", lang, title=head.plan),
             _s("set_hash", lang, n=head.set_size, hash=head.set_hash), ""]
    mode = _s("drill", lang) if head.mode == "drill" else _s("live", lang)
    if head.clock_scale != 1:
        mode += f", {_s('clock', lang, n=head.clock_scale)}"
    rows = [("run", head.run_id), ("playbook", head.playbook), ("operator", head.operator), ("mode", mode),
            ("started", head.started or "—")]
    if head.duration_s is not None:
        rows += [("ended", head.ended), ("duration", duration_text(head.duration_s)),
                 ("outcome", outcome_word(head.outcome, lang))]
    else:
        rows.append(("ended", _s("not_ended", lang)))
    width = max(cell_len(_s(key, lang)) for key, _ in rows)
    lines += [f"{set_cell_size(_s(key, lang), width)}  {value}" for key, value in rows]
    lines.append(_s("times_in", lang, offset=head.utc_offset))
    lines += [in_lang(RECONSTRUCTED, lang) for _ in head.reconstructed]
    lines.append(_s("authors_legend", lang, tag=in_lang(SHORT_TAG, lang)))
    lines += [_s(f"version_{what}", lang, id=playbook_id) for playbook_id, what in head.versions]

    if report.compliance is not None:
        lines += ["", *compliance_lines(report.compliance, lang)]
    if report.score is not None:  # the drill's points, read off the same items
        from ehplan.drill import score_lines

        lines += ["", *score_lines(report.score, lang, with_compliance=report.compliance is None)]
    lines += ["", f"{_s('deadlines', lang)}:"]
    for d in report.deadlines:
        details = [_s("limit", lang, d=duration_text(d.duration_s)) + (f" ({d.rule})" if d.rule else ""),
                   _s("started_at", lang, t=d.started), _s("due_at", lang, t=d.due)]
        if d.done:
            details.append(_s("done_at", lang, t=d.done))
        lines.append(f"  {VERDICT_SYMBOL[d.verdict]} {d.label} — {verdict_word(d.verdict, lang)}")
        lines.append(f"      {' · '.join(details)}")
    if not report.deadlines:
        lines.append(f"  {_s('none', lang)}")

    lines += ["", f"{_s('timeline', lang)}:"]
    duration = durations()  # many lines in each second
    lines += [f"  +{duration(m.elapsed_s)}  {m.time}  {m.text}" for m in report.timeline]
    none = [f"  {_s('none', lang)}"]
    lines += ["", f"{_s('calls', lang)}:"]
    lines += [f"  ☎ {c.name}{'  ' + c.number if c.number else ''} — {call_word(c.outcome, lang)} ({c.time})"
              for c in report.calls] or none
    lines += ["", f"{_s('notes', lang)}:"]
    lines += [f"  ✎ {n.time} [{n.step}] {n.text}" for n in report.notes] or none
    lines += ["", f"{_s('overrides', lang)}:"]
    lines += [f"  ⤼ {o.time} {o.step}: {o.reason}" for o in report.overrides] or none
    lines += ["", f"{_s('followups', lang)}:"]
    lines += [f"  📅 {f.due}  {f.text}" for f in report.followups] or none
    if report.still_open:
        lines += ["", f"{_s('still_open', lang)}:"] + [f"  • {item}" for item in report.still_open]

    integrity = report.integrity
    lines += ["", f"{_s('log', lang)}: {integrity.path}",
              f"  {_s('intact', lang, n=integrity.records)}"
              + (f"; {_s('hmac_checked', lang)}" if integrity.hmac_checked else "")]
    if integrity.torn_tail:
        lines.append(f"  {_s('torn', lang)}")
    lines.append(f"{_s('final_hash', lang)}: {integrity.final_hash}")
    return lines


def compliance_headline(compliance: Compliance, lang: Lang) -> str:
    """The compliance score in one line: done / applicable, and by category."""
    return (_s("compliance", lang, done=compliance.done, n=compliance.applicable, pct=compliance.percent) + " — "
            + _by_category(compliance, lang))


def _by_category(compliance: Compliance, lang: Lang) -> str:
    return " · ".join(f"{word(ITEM_CATEGORIES, c, lang)} {done}/{n}" for c, done, n in compliance.by_category())


def compliance_lines(compliance: Compliance, lang: Lang) -> list[str]:
    """The compliance score as plain lines."""
    lines = [_s("compliance", lang, done=compliance.done, n=compliance.applicable, pct=compliance.percent)]
    lines.append("  " + _by_category(compliance, lang))
    for item in compliance.items:
        if not item.done:
            lines.append(f"  ○ {word(ITEM_CATEGORIES, item.category, lang)}: {item.label}"
                         f"{_seqs(item.evidence, lang)}")
    if compliance.deviations:
        lines.append(f"  {_s('deviations', lang)}:")
    for d in compliance.deviations:
        detail = f": {d.detail}" if d.detail else ""
        lines.append(f"    {GRADE_SYMBOL[d.grade]} {word(GRADES, d.grade, lang)}  {word(DEVIATIONS, d.kind, lang)} — "
                     f"{d.label}{detail}{_seqs(d.evidence, lang)}")
    return lines


def _seqs(seqs: tuple[int, ...], lang: Lang) -> str:
    return f" ({_s('seq', lang)} {', '.join(map(str, seqs))})" if seqs else ""


def after_action_report(records: Sequence[ev.EventRecord], library: Library, integrity: Integrity,
                        lang: Lang | None = None, score: Score | None = None) -> list[str]:
    """The text report as plain lines: `render_text` of `build_report`."""
    return render_text(build_report(records, library, integrity, lang, score))


def timeline_text(record: ev.EventRecord, before: RunState, library: Library, lang: Lang) -> str | None:
    """The report's timeline line for one record (None for bookkeeping events);
    ``before`` is the state the record applies to."""
    return _event_text(ev.entry_of(record), before, _Names(library, lang), lang, _clock(plan_calendar(library).zone))


def _event_text(entry: ev.Entry, before: RunState, names: _Names, lang: Lang, at: Any) -> str | None:
    """One timeline line for ``entry`` (None for bookkeeping events)."""
    event = entry.event
    # The two events a long run is mostly made of, first: a match tries its cases in order.
    if type(event) is ev.NoteAdded:
        return _s("e_note", lang, text=event.text)
    if type(event) is ev.ContactLogged:
        number = f"  {event.number}" if event.number else ""
        return _s("e_call", lang, name=names.contact(event.contact), number=number,
                  outcome=call_word(event.outcome, lang))
    playbook = getattr(event, "playbook", None) or before.playbook
    match event:
        case ev.RunStarted():
            return _s("e_run_started", lang, playbook=names.playbook(event.playbook), operator=event.operator)
        case ev.StepEntered():
            key = ("e_step_escalation" if event.via == "escalation" else "e_step_resume" if event.via == "return"
                   else "e_step")
            return _s(key, lang, step=names.step(event.playbook, event.step))
        case ev.StepCompleted():
            return None  # the next step_entered says where the run went
        case ev.ChoiceMade():
            return _s("e_choice", lang, step=names.step(playbook, event.step).rsplit(" (", 1)[0],
                      choice=names.choice(playbook, event.step, event.choice))
        case ev.ItemDone():
            return _s("e_item", lang, item=names.item(playbook, event.step, event.item))
        case ev.FieldSet():
            field, value = names.field(playbook, event.field), names.value(playbook, event.field, event.value,
                                                                          event.label)
            if not event.corrected:
                return _s("e_field", lang, field=field, value=value)
            previous = names.value(playbook, event.field, event.previous, None)
            line = _s("e_field_corrected", lang, field=field, value=value, previous=previous)
            if event.branch:
                line += _s("e_field_branch", lang, would=names.step(playbook, event.branch["would"]),
                           went=names.step(playbook, event.branch["went"]))
            return line
        case ev.ContactLogged():
            number = f"  {event.number}" if event.number else ""
            return _s("e_call", lang, name=names.contact(event.contact), number=number,
                      outcome=call_word(event.outcome, lang))
        case ev.StepOverridden():
            return _s("e_override", lang, step=names.step(playbook, event.step), reason=event.reason)
        case ev.TimerStarted():
            return _s("e_timer_started", lang, timer=names.timer(event.key),
                      due=_s("due_at", lang, t=at(event.due)[11:]))
        case ev.TimerWarned():
            return _s("e_timer_warned", lang, timer=names.timer(event.key))
        case ev.TimerExpired():
            return _s("e_timer_expired", lang, timer=names.timer(event.key))
        case ev.TimerMet():
            timer = before.timers.get(event.key)
            key = ("e_timer_cleared" if timer is not None and timer.kind == "escalate_after"
                   else "e_timer_met_late" if event.late else "e_timer_met")
            return _s(key, lang, timer=names.timer(event.key))
        case ev.EscalationRaised():
            playbook_id = event.key.partition("/")[0]
            return _s("e_escalation", lang, timer=names.timer(event.key), step=names.step(playbook_id, event.step))
        case ev.FollowupScheduled():
            return _s("e_followup", lang, text=names.followup(event.playbook, event.followup), due=at(event.due)[:10])
        case ev.NoteAdded():
            return _s("e_note", lang, text=event.text)
        case ev.PlaybookSwitched():
            return _s("e_switched", lang, playbook=names.playbook(event.to))
        case ev.RunResumed():
            return _s("e_resumed", lang)
        case ev.Recovered():
            return _s("e_recovered", lang, length=event.bytes)
        case ev.InjectDelivered():
            return _s("e_inject", lang, text=event.text)
        case ev.RunEnded():
            return _s("e_ended", lang, outcome=outcome_word(event.outcome, lang))
    return _s("e_other", lang, type=event.TYPE)


def _still_open(state: RunState, library: Library, lang: Lang) -> list[str]:
    """What was open when the run ended, in ``lang`` (the log keeps it in English)."""
    if not state.ended:
        return []
    try:
        return [item.text(lang) for item in open_items(state, library)]
    except KeyError:  # a playbook no longer there: the log's own words
        return list(state.open_at_end)
