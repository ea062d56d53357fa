"""The one vocabulary of what became of a run: each deadline's verdict, each
run's outcome, each call's outcome, with its words and symbol. The end-of-run
summary, the after-action report (every format) and the drill score all say
them from this table, so "open" means one thing everywhere."""

from __future__ import annotations

from ehplan.text import Lang, in_lang

VERDICTS: dict[str, tuple[str, str]] = {
    "met": ("按時完成", "met"),
    "met_late": ("逾時完成", "met late"),
    "missed": ("逾時未完成", "missed"),
    "open": ("結束時仍在計時", "still running at the end"),
    "cleared": ("已解除", "cleared"),
    "escalated": ("已升級", "escalated"),
}
"""A timer's verdict: met, met late, missed (expired and never met), open (still
counting when the run ended, or now for a run not ended), cleared (an
escalate-after limit whose fault cleared in time) or escalated."""

VERDICT_SYMBOL = {"met": "✓", "met_late": "✓!", "missed": "✗", "open": "○", "cleared": "✓", "escalated": "▲"}
"""Each verdict's symbol: states are never told by colour alone."""

OUTCOMES: dict[str, tuple[str, str]] = {
    "resolved": ("已處理", "resolved"),
    "handed_over": ("已移交", "handed over"),
    "escalated": ("已升級", "escalated"),
    "ended_early": ("預案未走完即結束", "ended before the playbook's end"),
}
"""A run's outcome: its end step's, or ended_early."""

CALL_OUTCOMES: dict[str, tuple[str, str]] = {
    "answered": ("已接通", "answered"),
    "called": ("已通知（留言等）", "called (message left)"),
    "no_answer": ("無人接聽", "no answer"),
}


def verdict(timer_kind: str, status: str, late: bool, escalated: bool) -> str:
    """A timer's verdict (a key of `VERDICTS`) from its kind and what became of it."""
    if timer_kind == "escalate_after":
        if escalated or status == "expired":
            return "escalated"
        return "cleared" if status == "cleared" else "open"
    if status == "met":
        return "met_late" if late else "met"
    return "missed" if status == "expired" else "open"


def verdict_word(key: str, lang: Lang) -> str:
    return in_lang(VERDICTS[key], lang)


def outcome_word(key: str, lang: Lang) -> str:
    """A run's outcome in ``lang``; one this version does not know, as logged."""
    found = OUTCOMES.get(key)
    return in_lang(found, lang) if found is not None else key


def call_word(key: str, lang: Lang) -> str:
    """A call's outcome in ``lang``; one this version does not know, as logged."""
    found = CALL_OUTCOMES.get(key)
    return in_lang(found, lang) if found is not None else key


ITEM_CATEGORIES: dict[str, tuple[str, str]] = {
    "deadline": ("時限", "deadlines"),
    "step": ("必做步驟", "mandatory steps"),
    "must_before_end": ("結束前必做", "must before the end"),
    "script": ("應讀話術", "scripts to read"),
    "call": ("應致電", "required calls"),
    "expectation": ("演練預期", "the scenario's expectations"),
}
"""The compliance score's kinds of applicable item (docs/compliance.md)."""

DEVIATIONS: dict[str, tuple[str, str]] = {
    "missed_deadline": ("時限逾時未完成", "missed deadline"),
    "late": ("逾時完成", "met late"),
    "open_deadline": ("結束時時限仍在計時", "deadline still running at the end"),
    "skipped": ("跳過必做步驟", "mandatory step skipped"),
    "call_not_made": ("應致電而未接通", "required call not made"),
    "must_not_done": ("結束前必做事項未做", "must-before-end item not done"),
    "out_of_order": ("未按次序：跳過該步驟後才做", "out of order: done after its step was passed"),
    "corrected_after_branch": ("轉向後更正數值", "value corrected after the run branched on it"),
    "ended_early": ("預案未走完即結束", "ended before the playbook's end"),
    "expectation_late": ("演練預期逾時完成", "expectation met late"),
    "expectation_missed": ("演練預期未做", "expectation not done"),
    "wrong_branch": ("走錯分支", "wrong branch"),
}

GRADES: dict[str, tuple[str, str]] = {"major": ("重大", "major"), "minor": ("輕微", "minor")}
GRADE_SYMBOL = {"major": "✗", "minor": "!"}


def word(table: dict[str, tuple[str, str]], key: str, lang: Lang) -> str:
    """``key`` of ``table`` in ``lang``; a key this version does not know, as it is."""
    found = table.get(key)
    return in_lang(found, lang) if found is not None else key
