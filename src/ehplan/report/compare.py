"""Attempts on the same drill scenario side by side, for the debrief: each
expectation and deadline with its verdict, moment and seq, the time each
attempt took to reach each step, the trainer's actions, the score and the
compliance score its points are read off.

Built on `ehplan.drill.score_run`, so the comparison says exactly what each
attempt's own score says. Plain lines, padded by display width (a CJK
character takes two columns), for the terminal, a file or a projector.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ehplan.engine import events as ev
from ehplan.engine.clock import parse_instant
from ehplan.engine.fold import fold
from ehplan.library import Library
from ehplan.playbook.models import text_map
from ehplan.report.summary import local_time
from ehplan.text import Lang, duration_text, in_lang, pick

if TYPE_CHECKING:
    from ehplan.drill import Scenario, Score

LABEL_WIDTH = 42
CELL_WIDTH = 26

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("演練對比", "Drill attempts side by side"),
    "trainee": ("受訓者", "Trainee"),
    "started": ("開始（演練時間）", "Started (drill time)"),
    "ended": ("結束", "Ended"),
    "score": ("評分", "Score"),
    "compliance": ("合規評分（項）", "Compliance (items)"),
    "scored": ("評分項目", "Expectations and deadlines"),
    "steps": ("到達各步驟的時間", "Time to each step"),
    "trainer": ("培訓員操作", "The trainer's actions"),
    "met": ("{mark} 按時 {t}（#{seq}）", "{mark} met {t} (#{seq})"),
    "late": ("{mark} 逾時 {by}（#{seq}）", "{mark} late by {by} (#{seq})"),
    "missed": ("✗ 未做", "✗ missed"),
    "missed_due": ("✗ 逾時 {t}（#{seq}）", "✗ missed, due {t} (#{seq})"),
    "wrong_branch": ("✗ 走錯分支 {t}（#{seq}）", "✗ wrong branch {t} (#{seq})"),
    "open": ("○ 未完成", "○ not done"),
    "absent": ("—", "—"),
    "unfinished": ("未結束", "unfinished"),
    "pause": ("暫停", "paused"),
    "resume": ("繼續", "resumed"),
    "advance": ("撥快", "advanced"),
    "end": ("結束演練", "ended"),
    "inject": ("✉", "✉"),
}


def _w(key: str, lang: Lang, **params: object) -> str:
    return in_lang(_WORDS[key], lang).format(**params)


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def fit(text: str, columns: int) -> str:
    """``text`` cut (with …) or padded to exactly ``columns`` columns."""
    if width(text) > columns:
        out = ""
        for ch in text:
            if width(out + ch) > columns - 1:
                break
            out += ch
        text = out + "…"
    return text + " " * (columns - width(text))


@dataclass(frozen=True)
class Attempt:
    """One drill run's log, named as the comparison shows it."""

    name: str
    records: Sequence[ev.EventRecord]


def _cell(line: object, lang: Lang) -> str:
    verdict = getattr(line, "verdict", "")
    at = getattr(line, "at_s", None)
    seq = getattr(line, "seq", None)
    t = duration_text(at) if at is not None else ""
    points, possible = getattr(line, "points", 0), getattr(line, "possible", 0)
    mark = "·" if not possible else "✓" if points == possible else "½" if points else "✗"
    if verdict == "met":
        return _w("met", lang, mark=mark, t=t, seq=seq)
    if verdict == "late":
        return _w("late", lang, mark=mark, by=duration_text(getattr(line, "late_by_s", 0) or 0), seq=seq)
    if verdict == "missed" and seq is not None:
        return _w("missed_due", lang, t=t, seq=seq)
    if verdict in ("missed", "wrong_branch", "open"):
        return _w(verdict, lang, t=t, seq=seq)
    return verdict


def _row(label: str, cells: Sequence[str]) -> str:
    return ("  " + fit(label, LABEL_WIDTH - 1) + " " + "".join(fit(c, CELL_WIDTH - 1) + " " for c in cells)).rstrip()


def compare_lines(attempts: Sequence[Attempt], scenario: Scenario, library: Library, lang: Lang) -> list[str]:
    """The attempts side by side, as plain lines."""
    from ehplan.drill import score_run

    scores: list[Score] = [score_run(a.records, scenario, library, lang) for a in attempts]
    states = [fold(a.records) for a in attempts]
    at = local_time(library)
    title = pick(text_map(scenario.title), lang)
    out = [f"{_w('title', lang)}: {title} ({scenario.id})"]
    out += [f"  {chr(ord('A') + i)}: {a.name}" for i, a in enumerate(attempts)]
    out.append("")
    out.append(_row("", [chr(ord("A") + i) for i in range(len(attempts))]))
    out.append(_row(_w("trainee", lang), [s.operator for s in states]))
    out.append(_row(_w("started", lang), [at(s.started_at)[:16] if s.started_at else "?" for s in states]))
    out.append(_row(_w("ended", lang), [
        (duration_text((s.ended_at - s.started_at).total_seconds()) + f" {s.outcome}")
        if s.ended_at and s.started_at else _w("unfinished", lang) for s in states]))
    out.append(_row(_w("score", lang), [f"{s.points}/{s.possible} ({s.percent}%)" for s in scores]))
    out.append(_row(_w("compliance", lang), [f"{s.compliance.done}/{s.compliance.applicable} ({s.compliance.percent}%)"
                                             if s.compliance is not None else "" for s in scores]))
    out += ["", _w("scored", lang)]
    keys: list[tuple[str, str]] = []
    for score in scores:
        for line in score.lines:
            if line.key not in {k for k, _ in keys}:
                keys.append((line.key, line.label))
    for key, label in keys:
        cells = []
        for score in scores:
            found = next((line for line in score.lines if line.key == key), None)
            cells.append(_cell(found, lang) if found is not None else _w("absent", lang))
        out.append(_row(label, cells))
    for i, score in enumerate(scores):
        for penalty in score.penalties:
            cells = [""] * len(scores)
            cells[i] = f"{penalty.points} (#{penalty.seq})"
            out.append(_row(penalty.label, cells))
    out += ["", _w("steps", lang)]
    steps: list[tuple[str, str]] = []
    reached: list[dict[tuple[str, str], float]] = []
    for attempt, state in zip(attempts, states, strict=True):
        first: dict[tuple[str, str], float] = {}
        for record in attempt.records:
            if record.type == ev.STEP_ENTERED and state.started_at is not None:
                where = (record.data["playbook"], record.data["step"])
                first.setdefault(where, (parse_instant(record.ts) - state.started_at).total_seconds())
                if where not in steps:
                    steps.append(where)
        reached.append(first)
    for playbook_id, step_id in steps:
        try:
            label = pick(text_map(library.playbook(playbook_id).step(step_id).title), lang)
        except KeyError:
            label = step_id
        out.append(_row(label, [duration_text(r[(playbook_id, step_id)]) if (playbook_id, step_id) in r
                                else _w("absent", lang) for r in reached]))
    trainer = [_trainer_cells(a.records, s, lang) for a, s in zip(attempts, states, strict=True)]
    if any(trainer):
        out += ["", _w("trainer", lang)]
        for row in range(max(len(t) for t in trainer)):
            out.append(_row("", [t[row] if row < len(t) else "" for t in trainer]))
    return out


def _trainer_cells(records: Sequence[ev.EventRecord], state: object, lang: Lang) -> list[str]:
    """What the trainer did in one attempt, one cell each: action, drill time, seq."""
    started = getattr(state, "started_at", None)
    cells = []
    for record in records:
        by_trainer = record.type == ev.TRAINER_ACTION or (
            record.type == ev.INJECT_DELIVERED and record.data.get("by") == "trainer")
        if not by_trainer or started is None:
            continue
        t = duration_text((parse_instant(record.ts) - started).total_seconds())
        action = str(record.data.get("action", "inject"))
        extra = f" {duration_text(record.data['by_s'])}" if action == "advance" else \
            f" {record.data.get('inject')}" if action == "inject" else ""
        cells.append(f"{t} {_w(action, lang) if action in _WORDS else action}{extra} (#{record.seq})")
    return cells
