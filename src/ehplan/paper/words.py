"""What the cards, forms and flowcharts say: ehplan's own words in zh-Hant and
en, and the plan's texts picked in the languages a page is printed in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from ehplan.library import Library
from ehplan.playbook.models import (
    AnyOf,
    Condition,
    DecisionStep,
    Playbook,
    RecordField,
    RecordStep,
    Trigger,
    split_ref,
    text_map,
)
from ehplan.text import LANGS, Lang, authors, in_lang, pick

Kind = Literal["card", "form"]
PaperLang = Literal["zh-Hant", "zh-Hans", "en", "bilingual"]
PAPER_LANGS: tuple[PaperLang, ...] = ("bilingual", *LANGS)
BILINGUAL: tuple[Lang, ...] = ("zh-Hant", "en")

WORDS: dict[str, tuple[str, str]] = {
    "card": ("處理卡", "Card"),
    "form": ("事件記錄表（空白）", "Incident form (blank)"),
    "playbook": ("處理流程", "Playbook"),
    "version": ("版本", "version"),
    "set": ("預案集", "playbook set"),
    "printed": ("列印於", "printed"),
    "page_stamp": ("核對螢幕", "Match the screen"),
    "definition": ("類型定義", "Definition"),
    "when": ("何時使用", "When to use"),
    "about": ("說明", "About"),
    "section": ("預案章節", "Plan section"),
    "steps": ("步驟", "Steps"),
    "next": ("下一步", "next"),
    "goes_to": ("轉到", "go to"),
    "switch_to": ("轉入處理流程", "switch to playbook"),
    "at_step": ("從步驟", "at step"),
    "outcome": ("結束：", "End:"),
    "if": ("如果", "if"),
    "otherwise": ("否則", "otherwise"),
    "items": ("逐項完成", "Tick each item"),
    "optional": ("可選", "optional"),
    "record": ("記錄", "Record"),
    "call": ("致電", "Call"),
    "call_any": ("致電其中一位即可", "Call any one of"),
    "best_effort": ("盡可能致電", "Try as far as possible"),
    "by_day": ("白天", "by day"),
    "by_night": ("夜間", "at night"),
    "have_at_hand": ("備用聯絡人", "Have at hand"),
    "supplies_here": ("所需物資", "Supplies"),
    "time_limits": ("時限", "Time limits"),
    "limit": ("時限", "limit"),
    "starts_when": ("何時起計", "starts when"),
    "met_by": ("何時完成", "met by"),
    "escalate": ("逾時升級到", "when overdue go to"),
    "deadline": ("期限", "deadline"),
    "escalate_after": ("逾時升級", "escalation"),
    "workday": ("工作日", "workday"),
    "holiday": ("節假日", "holiday"),
    "must_before_end": ("結束前必須完成", "Must be done before the end"),
    "any_one": ("其中之一", "any one of"),
    "contacts": ("聯絡人及電話", "Contacts and numbers"),
    "site_fills": ("（由營業點填寫）", "(the site fills in)"),
    "from_caller": ("（向來電者查詢）", "(ask the caller)"),
    "supplies": ("營業廳物資", "Service-hall supplies"),
    "quantity": ("數量", "quantity"),
    "followups": ("事後跟進", "Follow-ups after the run"),
    "after": ("於", "due"),
    "after_of": ("後", "after"),
    "flowchart": ("流程圖", "Flowchart"),
    "down": ("上下第", "down"),
    "across": ("左右第", "across"),
    "t_run": ("開始處理時", "the run starts"),
    "t_enter": ("進入步驟", "entering step"),
    "t_complete": ("完成步驟", "completing step"),
    "t_item": ("勾選", "ticking"),
    "t_contact": ("致電", "calling"),
    "t_choice": ("選擇", "choosing"),
    "t_field": ("記錄", "recording"),
    "k_action": ("行動", "action"),
    "k_checklist": ("清單", "checklist"),
    "k_decision": ("判斷", "decision"),
    "k_record": ("記錄", "record"),
    "k_notify": ("通知", "notify"),
    "k_goto": ("轉入", "go to playbook"),
    "k_end": ("結束", "end"),
    # the form
    "form_intro": ("電腦無法使用時以筆填寫；之後可轉錄到 ehplan。時間填寫當地時間（時:分）。",
                   "Fill in by hand while the app is down; a later ehplan run can transcribe it. "
                   "Times are local (hh:mm)."),
    "operator": ("熱線員 / 值班人員", "Operator"),
    "date": ("日期", "Date"),
    "started_at": ("開始時間", "Started at"),
    "continued": ("接續螢幕記錄（紅色「改用紙本」畫面所示）",
                  "Continued from the screen (as the red paper screen shows)"),
    "last_seq": ("最後序號 seq", "last seq"),
    "last_hash": ("最後雜湊", "last hash"),
    "log_file": ("記錄檔", "log file"),
    "at_step_now": ("停在步驟", "stopped at step"),
    "step_done": ("完成時間", "done at"),
    "chosen": ("所選", "chosen"),
    "fields": ("記錄的資料", "Recorded values"),
    "calls": ("致電記錄", "Calls"),
    "called_at": ("致電時間", "called at"),
    "answered": ("接通", "answered"),
    "no_answer": ("無人接聽", "no answer"),
    "deadlines": ("時限", "Deadlines"),
    "due_at": ("到期時間", "due at"),
    "met": ("已完成", "met"),
    "missed": ("逾時", "missed"),
    "notes": ("備註", "Notes"),
    "ended_at": ("結束時間", "Ended at"),
    "final_hash": ("最終雜湊（摘要畫面或 ehplan verify 所示）",
                   "Final hash (from the summary screen or ehplan verify)"),
    "signature": ("簽名", "Signature"),
    "reconstructed_arrows": ("⚠ 虛線箭頭為編寫者重組的次序（原預案流程圖的箭頭已遺失）；方框文字出自預案",
                             "⚠ Dashed arrows are the authors' reconstruction (the plan's flowchart lost its arrows); "
                             "the boxes' text is the plan's"),
    "external": ("另一處理流程", "another playbook"),
}


def langs_of(mode: PaperLang) -> tuple[Lang, ...]:
    """The languages a page in ``mode`` shows, first the main one."""
    return BILINGUAL if mode == "bilingual" else (mode,)


class Words:
    """Texts in the languages of one printed page: ehplan's own words and the
    playbook's, each a tuple with one entry per language (duplicates dropped)."""

    def __init__(self, library: Library, mode: PaperLang) -> None:
        self.library = library
        self.mode = mode
        self.langs = langs_of(mode)

    def own(self, key: str) -> tuple[str, ...]:
        """One of ehplan's own words, in every language of the page."""
        return _distinct(in_lang(WORDS[key], lang) for lang in self.langs)

    def own_line(self, key: str, sep: str = " / ") -> str:
        """One of ehplan's own words on one line."""
        return sep.join(self.own(key))

    def text(self, value: Any) -> tuple[str, ...]:
        """A playbook text in every language of the page (one entry when it is the same)."""
        if value is None:
            return ()
        return _distinct(pick(text_map(value), lang) for lang in self.langs)

    def line(self, value: Any, sep: str = " / ") -> str:
        """A playbook text on one line."""
        return sep.join(self.text(value))

    def is_authors(self, value: Any) -> bool:
        """Whether the text is the authors' addition, not the plan's words."""
        return authors(value)

    def contact_name(self, contact_id: str) -> str:
        """A contact's name in the page's languages."""
        try:
            return self.line(self.library.contact(contact_id).name)
        except KeyError:
            return contact_id

    def contact_number(self, contact_id: str) -> str:
        """The number to dial, or a blank the site (or the caller) fills in."""
        try:
            contact = self.library.contact(contact_id)
        except KeyError:
            return ""
        return contact.number

    def step_label(self, playbook: Playbook, step_id: str) -> str:
        """``N. title`` of a step, N its place in the playbook (as the card numbers it)."""
        number = step_number(playbook, step_id)
        try:
            title = self.text(playbook.step(step_id).title)[0]
        except KeyError:
            return step_id
        return f"{number}. {title}"

    def playbook_title(self, playbook_id: str) -> str:
        """A playbook's title, or its id when the library lacks it."""
        try:
            return self.line(self.library.playbook(playbook_id).title)
        except KeyError:
            return playbook_id

    def duration(self, seconds: int) -> str:
        """A duration in words: 3 分鐘 / 3 min."""
        for size, zh, en in ((86400, "天", "d"), (3600, "小時", "h"), (60, "分鐘", "min")):
            if seconds % size == 0:
                count = seconds // size
                return " / ".join(_distinct(f"{count} {zh}" if lang != "en" else f"{count} {en}"
                                            for lang in self.langs))
        return f"{seconds} s"

    def limit(self, duration: Any) -> str:
        """A timer's duration, with the calendar rule when it has one."""
        if isinstance(duration, int):
            return self.duration(duration)
        return (f"{self.own_line('workday')} {self.duration(duration.workday)}; "
                f"{self.own_line('holiday')} {self.duration(duration.holiday)}")

    def trigger(self, playbook: Playbook, trigger: Trigger | AnyOf) -> str:
        """What happens, in words: entering step 3, calling the police…"""
        if isinstance(trigger, AnyOf):
            return f"{self.own_line('any_one')}: " + "; ".join(self.trigger(playbook, t) for t in trigger.any_of)
        if trigger.run:
            return self.own_line("t_run")
        if trigger.enter is not None:
            return f"{self.own_line('t_enter')} {self.step_label(playbook, trigger.enter)}"
        if trigger.complete is not None:
            return f"{self.own_line('t_complete')} {self.step_label(playbook, trigger.complete)}"
        if trigger.contact is not None:
            return f"{self.own_line('t_contact')} {self.contact_name(trigger.contact)}"
        if trigger.item is not None:
            step_id, item_id = split_ref(trigger.item)
            return (f"{self.own_line('t_item')} {self._item(playbook, step_id, item_id)} "
                    f"({self.step_label(playbook, step_id)})")
        if trigger.choice is not None:
            step_id, choice_id = split_ref(trigger.choice)
            return (f"{self.own_line('t_choice')} “{self._choice(playbook, step_id, choice_id)}” "
                    f"({self.step_label(playbook, step_id)})")
        field_id = trigger.field or ""
        found = record_field(playbook, field_id)
        return f"{self.own_line('t_field')} {self.line(found.label) if found else field_id}"

    def condition(self, playbook: Playbook, condition: Condition) -> str:
        """A route's condition in words: 損失金額 > 5000."""
        found = record_field(playbook, condition.field)
        name = self.text(found.label)[0] if found else condition.field
        symbol = {"eq": "=", "ne": "≠", "gt": ">", "ge": "≥", "lt": "<", "le": "≤", "in": "∈"}[condition.operator]
        operand = condition.operand
        if found is not None and found.choices and isinstance(operand, int):
            operand = self.text(found.choices[operand])[0] if 0 <= operand < len(found.choices) else operand
        if isinstance(operand, list):
            operand = ", ".join(str(x) for x in operand)
        return f"{name} {symbol} {operand}"

    def _item(self, playbook: Playbook, step_id: str, item_id: str) -> str:
        step = playbook.step_index.get(step_id)
        for item in getattr(step, "items", []):
            if item.id == item_id:
                return self.text(item.text)[0]
        return item_id

    def _choice(self, playbook: Playbook, step_id: str, choice_id: str) -> str:
        step = playbook.step_index.get(step_id)
        if isinstance(step, DecisionStep):
            for choice in step.choices:
                if choice.id == choice_id:
                    return self.text(choice.label)[0]
        return choice_id


def paper_name(playbook_id: str, kind: Kind) -> str:
    """The file name (without extension) a playbook's card or form is printed under."""
    return f"{playbook_id}.{kind}"


def step_number(playbook: Playbook, step_id: str) -> int:
    """A step's place in the playbook, from 1, as the card and the flowchart number it."""
    for number, step in enumerate(playbook.steps, start=1):
        if step.id == step_id:
            return number
    return 0


def record_field(playbook: Playbook, field_id: str) -> RecordField | None:
    """The record field with this id, if any step records it."""
    for step in playbook.steps:
        if isinstance(step, RecordStep):
            for found in step.fields:
                if found.id == field_id:
                    return found
    return None


def _distinct(texts: Sequence[str] | Any) -> tuple[str, ...]:
    seen: list[str] = []
    for text in texts:
        if text and text not in seen:
            seen.append(text)
    return tuple(seen)
