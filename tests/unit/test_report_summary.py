"""The end-of-run summary: each timer's verdict, and what is still open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.engine.memory import MemoryRun
from ehplan.library import load_library
from ehplan.report.summary import summarize, verdict

ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.mark.parametrize(("kind", "status", "late", "escalated", "expected"), [
    ("deadline", "met", False, False, "met"),
    ("deadline", "met", True, False, "met_late"),
    ("deadline", "expired", False, False, "missed"),
    ("deadline", "running", False, False, "open"),
    ("deadline", "warned", False, False, "open"),
    ("escalate_after", "cleared", False, False, "cleared"),
    ("escalate_after", "cleared", True, True, "escalated"),
    ("escalate_after", "expired", False, True, "escalated"),
    ("escalate_after", "running", False, False, "open"),
])
def test_verdict(kind, status, late, escalated, expected):
    assert verdict(kind, status, late, escalated) == expected


def test_summary_of_an_ended_run_lists_calls_followups_and_open_items_in_the_language():
    library = load_library([ROOT / "tests/data/playbooks"], ROOT / "data")
    run = MemoryRun(library, FakeClock(MONDAY))
    run.do(c.StartRun("example", "r", "Ann"))
    run.do(c.Continue())
    run.do(c.TickItem("explain"))
    run.do(c.TickItem("divert"))
    run.do(c.Continue())
    run.clock.advance(200)
    run.do(c.Tick())
    run.do(c.LogContact("it_centre", "answered"))
    run.do(c.Continue())
    run.do(c.EndRun(confirm=True))
    summary = summarize(run.state, library, "zh-Hant")
    verdicts = {line.label: line.verdict for line in summary.deadlines}
    assert verdicts == {"3分鐘內報告": "met_late", "維修超過30分鐘": "open"}
    assert summary.calls[0][0] == "信息中心 / 信息組" and summary.calls[0][2] == "answered"
    assert summary.followups[0][1] == "2026-12-30"
    assert any("預案尚未走完" in item for item in summary.open_at_end)
    assert summary.duration_s == 200
