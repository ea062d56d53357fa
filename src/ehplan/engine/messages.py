"""What the engine says when it refuses, in every UI language.

A `Msg` is a message key and its parameters; parameters may themselves be
playbook texts (a string or a language map), lists of them, or other `Msg`s,
so the same refusal reads naturally in zh-Hant, zh-Hans and en.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ehplan.text import Lang, in_lang, pick

TEMPLATES: dict[str, tuple[str, str]] = {
    # key: (zh-Hant, en)
    "not_started": ("事件尚未開始", "no run has started"),
    "ended": ("事件已結束", "the run has ended"),
    "unknown_command": ("無法執行的指令 {name}", "unknown command {name}"),
    "already_started": ("事件已開始", "the run has already started"),
    "no_playbook": ("沒有預案 {id}", "no playbook {id}"),
    "end_step": ("這是最後一步：請結束事件（F10）", "this is the last step: end the run (F10)"),
    "choose": ("請從 {n} 個選項中選擇一個", "choose one of the {n} answers"),
    "not_done": ("尚未完成：{items}", "not done yet: {items}"),
    "fill_first": ("請先填寫：{items}", "fill in first: {items}"),
    "call_first": ("請先記錄致電結果（已接通或已通知）：{items}", "log a call first (answered or called): {items}"),
    "call_first_any": ("請先記錄致電結果，任一即可：{items}",
                       "log a call first (answered or called) to one of: {items}"),
    "one_of": ("（{items}，任一即可）", "one of ({items})"),
    "no_question": ("此步沒有選項", "this step asks no question"),
    "no_answer": ("此步沒有選項 {id}", "no answer {id} here"),
    "no_item": ("此步沒有檢查項 {id}", "no checklist item {id} on this step"),
    "already_ticked": ("已勾選", "already ticked"),
    "no_field": ("此預案沒有欄位 {id}", "no field {id} in this playbook"),
    "empty": ("未輸入內容", "empty: type a value"),
    "too_long": ("太長：最多 {n} 個字", "too long: at most {n} characters"),
    "not_phone": ("不是電話號碼：只可輸入數字、空格、+ 和 -", "not a phone number: digits, spaces, + and - only"),
    "not_number": ("不是數字：可輸入 5000、5,000、5000.01（全形數字亦可；小數最多兩位）",
                   "not a number: type 5000, 5,000 or 5000.01 (at most two decimals)"),
    "negative": ("不能是負數", "cannot be negative"),
    "choose_range": ("請輸入 1–{n}", "choose 1–{n}"),
    "bad_outcome": ("致電結果必須是 {items}", "outcome must be one of {items}"),
    "no_contact": ("沒有聯絡人 {id}", "no contact {id}"),
    "reason_needed": ("跳過此步必須填寫原因", "overriding a step needs a reason"),
    "cannot_skip": ("此步不能跳過", "this step cannot be skipped"),
    "decision_skip": ("選擇題不能跳過：請選擇一個答案", "a decision cannot be skipped: choose an answer"),
    "note_empty": ("備註是空的", "the note is empty"),
    "cannot_end": ("尚不能結束：{items}", "cannot end yet: {items}"),
    "still_open": ("尚有未完成事項：{items}", "still open: {items}"),
    "call": ("致電{who}", "call {who}"),
    "record": ("記錄{what}", "record {what}"),
    "do_step": ("完成步驟「{what}」", "do the step {what}"),
    "deadline_open": ("時限未完成：{what}", "deadline not met: {what}"),
    "overridden": ("已跳過的步驟：{what}（{reason}）", "step overridden: {what} ({reason})"),
    "not_finished": ("預案尚未走完：目前在「{what}」", "the playbook is not finished: at step {what}"),
}


@dataclass(frozen=True)
class Msg:
    """A message that can be rendered in any language."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: Lang) -> str:
        """The message in ``lang``."""
        params = {name: render(value, lang) for name, value in self.params.items()}
        return in_lang(TEMPLATES[self.key], lang).format(**params)

    def __str__(self) -> str:
        return self.text("en")


def render(value: Any, lang: Lang) -> str:
    """A parameter in ``lang``: messages, texts and lists of them."""
    if isinstance(value, Msg):
        return value.text(lang)
    if isinstance(value, list | tuple):
        separator = ", " if lang == "en" else "、"
        return separator.join(render(item, lang) for item in value)
    if isinstance(value, dict):
        return pick(value, lang)
    return str(value)


class Refused(Exception):
    """A command the engine will not carry out; ``str()`` says why in English,
    ``text(lang)`` in the operator's language."""

    def __init__(self, key: str, **params: Any) -> None:
        self.message = Msg(key, params)
        super().__init__(self.message.text("en"))

    def text(self, lang: Lang) -> str:
        """The reason in ``lang``."""
        return self.message.text(lang)
