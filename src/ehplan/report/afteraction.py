"""The auditor's after-action report of one run: who, what and when, every
deadline met or missed, the whole timeline, calls, notes, overrides,
follow-ups and the hashes. Pure: built from the verified log's records and the
playbooks; the CLI prints it. Times are shown in the plan's local time (the
calendar's UTC offset), with the offset said once in the header."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len, set_cell_size

from ehplan.engine import events as ev
from ehplan.engine.clock import parse_instant
from ehplan.engine.decide import open_items
from ehplan.engine.fold import states
from ehplan.engine.state import RunState
from ehplan.library import Library
from ehplan.playbook.models import text_map
from ehplan.report.summary import VERDICT_SYMBOL, local_time, plan_calendar, verdict
from ehplan.text import RECONSTRUCTED, SHORT_TAG, Lang, duration_text, in_lang, pick, tagged

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
    "timeline": ("經過", "Timeline"),
    "calls": ("致電", "Calls"),
    "notes": ("備註", "Notes"),
    "overrides": ("跳過／覆寫", "Skipped or overridden"),
    "followups": ("後續事項", "Follow-ups"),
    "still_open": ("結束時仍未完成", "Still open at the end"),
    "none": ("—", "—"),
    # deadline verdicts
    "met": ("按時完成", "met"),
    "met_late": ("逾時完成", "met late"),
    "missed": ("逾時未完成", "missed"),
    "open": ("結束時仍在計時", "still running at the end"),
    "cleared": ("已解除", "cleared"),
    "escalated": ("已升級", "escalated"),
    "limit": ("時限 {d}", "limit {d}"),
    "started_at": ("開始 {t}", "started {t}"),
    "due_at": ("到時 {t}", "due {t}"),
    "done_at": ("完成 {t}", "done {t}"),
    # outcomes
    "resolved": ("已處理", "resolved"),
    "handed_over": ("已移交", "handed over"),
    "ended_early": ("預案未走完即結束", "ended before the playbook's end"),
    # call outcomes
    "answered": ("已接通", "answered"),
    "called": ("已通知（留言等）", "called (message left)"),
    "no_answer": ("無人接聽", "no answer"),
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


def _word(key: str, lang: Lang) -> str:
    """A status word (outcome, verdict) in ``lang``, or the key itself if unknown."""
    return _s(key, lang) if key in _STRINGS else key


@dataclass(frozen=True)
class Integrity:
    """What verification said of the log the report is built from."""

    path: str
    records: int
    final_hash: str
    torn_tail: bool = False
    hmac_checked: bool = False


class _Names:
    """Labels from the current playbooks, falling back to ids for anything they
    no longer have (the report must never fail on an old log)."""

    def __init__(self, library: Library, lang: Lang) -> None:
        self.library, self.lang = library, lang

    def _pick(self, value: Any) -> str:
        return tagged(pick(text_map(value), self.lang), value, self.lang)

    def plan(self) -> str:
        info = self.library.plan_info
        return self._pick(info.title) if info is not None else "—"

    def playbook(self, playbook_id: str) -> str:
        found = self.library.playbooks.get(playbook_id)
        return f"{self._pick(found.playbook.title)} ({playbook_id})" if found else playbook_id

    def step(self, playbook_id: str, step_id: str) -> str:
        try:
            step = self.library.playbook(playbook_id).step(step_id)
        except KeyError:
            return step_id
        return f"{self._pick(step.title)} ({step.source})"

    def choice(self, playbook_id: str, step_id: str, choice_id: str) -> str:
        try:
            step = self.library.playbook(playbook_id).step(step_id)
            return next(self._pick(c.label) for c in getattr(step, "choices", []) if c.id == choice_id)
        except (KeyError, StopIteration):
            return choice_id

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

    def contact(self, contact_id: str) -> str:
        try:
            return self._pick(self.library.contact(contact_id).name)
        except KeyError:
            return contact_id

    def timer(self, key: str) -> str:
        playbook_id, _, timer_id = key.partition("/")
        try:
            return self._pick(self.library.playbook(playbook_id).timer(timer_id).label)
        except KeyError:
            return key

    def followup(self, playbook_id: str, followup_id: str) -> str:
        try:
            found = self.library.playbook(playbook_id).followups
            return next(self._pick(f.text) for f in found if f.id == followup_id)
        except (KeyError, StopIteration):
            return followup_id


def after_action_report(records: Sequence[ev.EventRecord], library: Library, integrity: Integrity,
                        lang: Lang | None = None, score: Sequence[str] = ()) -> list[str]:
    """The report as plain lines, in ``lang`` (default: the run's own language);
    a drill's ``score`` lines follow the header."""
    timeline_events = list(states(records))
    state = timeline_events[-1][2] if timeline_events else RunState()
    lang = lang or state.lang  # type: ignore[assignment]
    assert lang is not None
    names = _Names(library, lang)
    offset = plan_calendar(library).utc_offset
    at = local_time(library)

    lines = [f"ehplan — {_s('title', lang)}", _s("plan", lang, title=names.plan()),
             _s("set_hash", lang, n=len(library.playbooks), hash=library.set_hash()), ""]
    mode = _s("drill", lang) if state.mode == "drill" else _s("live", lang)
    if state.clock_scale != 1:
        mode += f", {_s('clock', lang, n=state.clock_scale)}"
    header = [
        ("run", state.run_id),
        ("playbook", names.playbook(state.root_playbook)),
        ("operator", state.operator),
        ("mode", mode),
        ("started", at(state.started_at) if state.started_at else "—"),
    ]
    if state.ended and state.ended_at is not None and state.started_at is not None:
        header += [("ended", at(state.ended_at)),
                   ("duration", duration_text((state.ended_at - state.started_at).total_seconds())),
                   ("outcome", _word(state.outcome, lang))]
    else:
        header.append(("ended", _s("not_ended", lang)))
    width = max(cell_len(_s(key, lang)) for key, _ in header)
    lines += [f"{set_cell_size(_s(key, lang), width)}  {value}" for key, value in header]
    lines.append(_s("times_in", lang, offset=offset))
    lines += [in_lang(RECONSTRUCTED, lang) for playbook_id in state.playbook_versions
              if playbook_id in library.playbooks and library.playbook(playbook_id).reconstructed]
    lines.append(_s("authors_legend", lang, tag=in_lang(SHORT_TAG, lang)))
    for playbook_id, content_hash in state.playbook_versions.items():
        current = library.playbooks.get(playbook_id)
        if current is None:
            lines.append(_s("version_missing", lang, id=playbook_id))
        elif content_hash and current.content_hash != content_hash:
            lines.append(_s("version_changed", lang, id=playbook_id))

    if score:
        lines += ["", *score]
    lines += ["", f"{_s('deadlines', lang)}:"]
    escalated = {key for key, _step, _ts in state.escalations}
    for timer in sorted(state.timers.values(), key=lambda t: t.started_at):
        word = verdict(timer.kind, timer.status, timer.late, timer.key in escalated)
        details = [_s("limit", lang, d=duration_text(timer.duration_s)) + (f" ({timer.rule})" if timer.rule else ""),
                   _s("started_at", lang, t=at(timer.started_at)), _s("due_at", lang, t=at(timer.due))]
        if timer.ended_at is not None:
            details.append(_s("done_at", lang, t=at(timer.ended_at)))
        lines.append(f"  {VERDICT_SYMBOL[word]} {names.timer(timer.key)} — {_s(word, lang)}")
        lines.append(f"      {' · '.join(details)}")
    if not state.timers:
        lines.append(f"  {_s('none', lang)}")

    lines += ["", f"{_s('timeline', lang)}:"]
    for record, before, _after in timeline_events:
        text = _event_text(record, before, names, lang, at)
        if text is None:
            continue
        elapsed = (parse_instant(record.ts) - state.started_at).total_seconds() if state.started_at else 0
        lines.append(f"  +{duration_text(elapsed)}  {at(record.ts)[11:]}  {text}")

    lines += ["", f"{_s('calls', lang)}:"]
    lines += [f"  ☎ {names.contact(c.contact)}{'  ' + c.number if c.number else ''} — {_word(c.outcome, lang)}"
              f" ({at(c.ts)[11:]})" for c in state.contacts] or [f"  {_s('none', lang)}"]
    lines += ["", f"{_s('notes', lang)}:"]
    lines += [f"  ✎ {at(n.ts)[11:]} [{names.step(n.playbook, n.step)}] {n.text}" for n in state.notes] \
        or [f"  {_s('none', lang)}"]
    lines += ["", f"{_s('overrides', lang)}:"]
    lines += [f"  ⤼ {at(o.ts)[11:]} {names.step(o.playbook, o.step)}: {o.reason}" for o in state.overrides] \
        or [f"  {_s('none', lang)}"]
    lines += ["", f"{_s('followups', lang)}:"]
    lines += [f"  📅 {at(f.due)[:10]}  {names.followup(f.playbook, f.followup)}" for f in state.followups] \
        or [f"  {_s('none', lang)}"]
    still_open = _still_open(state, library, lang)
    if still_open:
        lines += ["", f"{_s('still_open', lang)}:"] + [f"  • {item}" for item in still_open]

    lines += ["", f"{_s('log', lang)}: {integrity.path}",
              f"  {_s('intact', lang, n=integrity.records)}"
              + (f"; {_s('hmac_checked', lang)}" if integrity.hmac_checked else "")]
    if integrity.torn_tail:
        lines.append(f"  {_s('torn', lang)}")
    lines.append(f"{_s('final_hash', lang)}: {integrity.final_hash}")
    return lines


def timeline_text(record: ev.EventRecord, before: RunState, library: Library, lang: Lang) -> str | None:
    """The report's timeline line for one record (None for bookkeeping events);
    ``before`` is the state the record applies to."""
    return _event_text(ev.entry_of(record), before, _Names(library, lang), lang, local_time(library))


def _event_text(entry: ev.Entry, before: RunState, names: _Names, lang: Lang, at: Any) -> str | None:
    """One timeline line for ``entry`` (None for bookkeeping events)."""
    event = entry.event
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
                      outcome=_word(event.outcome, lang))
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
            return _s("e_ended", lang, outcome=_word(event.outcome, lang))
    return _s("e_other", lang, type=event.TYPE)


def _still_open(state: RunState, library: Library, lang: Lang) -> list[str]:
    """What was open when the run ended, in ``lang`` (the log keeps it in English)."""
    if not state.ended:
        return []
    try:
        return [item.text(lang) for item in open_items(state, library)]
    except KeyError:  # a playbook no longer there: the log's own words
        return list(state.open_at_end)
