"""Recorded values: amounts as typed by hand or a Chinese input method, logged
exactly as shown; corrections keep both values, branch on the latest, and say
where a branch already taken would now go."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ehplan.engine import commands as c
from ehplan.engine import events as ev
from ehplan.engine.clock import FakeClock
from ehplan.engine.fold import fold
from ehplan.engine.memory import MemoryRun
from ehplan.engine.messages import Refused
from ehplan.engine.values import parse_amount
from ehplan.library import load_library
from ehplan.report.afteraction import timeline_text

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def library():
    return load_library([ROOT / "tests/data/playbooks"], ROOT / "data")


@pytest.mark.parametrize(("typed", "logged"), [
    ("5000", 5000), ("5,000", 5000), ("1,234,567", 1234567), ("5000.01", "5000.01"), ("5,000.50", "5000.5"),
    ("１２０００", 12000), ("１２，０００", 12000), ("５０００．０１", "5000.01"), (" 6000 ", 6000), ("5000.00", 5000),
    ("0", 0),
])
def test_amounts_are_read_as_typed(typed, logged):
    assert parse_amount(typed) == logged


@pytest.mark.parametrize(("typed", "reason"), [
    ("-5", "negative"), ("−5", "negative"), ("－５０", "negative"), ("abc", "not a number"), ("5,00", "not a number"),
    ("5.000,5", "not a number"), ("1e3", "not a number"), ("5,0000", "not a number"), (",500", "not a number"),
    ("5.", "not a number"), ("5.000", "not a number"), ("5000.001", "not a number"),
])
def test_bad_amounts_are_refused_with_a_reason(typed, reason):
    with pytest.raises(Refused, match=reason):
        parse_amount(typed)


def run_to_amount(library) -> MemoryRun:
    run = MemoryRun(library, FakeClock(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))))
    run.do(c.StartRun("example", "run1", "Ann"))
    for command in (c.Continue(), c.TickItem("explain"), c.TickItem("divert"), c.Continue(),
                    c.LogContact("it_centre", "answered"), c.Continue()):
        run.do(command)
    assert run.state.step == "amount"
    return run


def field_sets(run: MemoryRun) -> list[dict]:
    return [r.data for r in run.log if r.type == ev.FIELD_SET]


def test_a_5000_point_01_loss_goes_to_the_police(library):
    run = run_to_amount(library)
    for field, value in (("loss_yuan", "5,000.01"), ("reporter_phone", "110"), ("place", "１")):
        run.do(c.SetField(field, value))
    assert field_sets(run)[0]["value"] == "5000.01"
    run.do(c.Continue())
    assert run.state.step == "police"


def test_a_correction_keeps_both_values_and_branches_on_the_latest(library):
    run = run_to_amount(library)
    run.do(c.SetField("loss_yuan", "4,000"))
    run.do(c.SetField("loss_yuan", "6,000"))
    assert field_sets(run) == [
        {"step": "amount", "field": "loss_yuan", "type": "number", "value": 4000},
        {"step": "amount", "field": "loss_yuan", "type": "number", "value": 6000, "previous": 4000}]
    assert run.state.values["loss_yuan"] == 6000 and fold(run.log) == run.state
    run.do(c.SetField("reporter_phone", "110"))
    run.do(c.SetField("place", "1"))
    run.do(c.Continue())
    assert run.state.step == "police"


def test_a_correction_after_the_branch_says_where_it_would_have_gone(library):
    run = run_to_amount(library)
    for field, value in (("loss_yuan", "4000"), ("reporter_phone", "110"), ("place", "1")):
        run.do(c.SetField(field, value))
    run.do(c.Continue())
    assert run.state.step == "fixed"
    run.do(c.SetField("loss_yuan", "6000"))
    correction = field_sets(run)[-1]
    assert correction["previous"] == 4000 and correction["branch"] == {"went": "fixed", "would": "police"}
    assert run.state.step == "fixed"  # the log is not rewritten: the operator acts on it
    before = fold(run.log[:-1])
    text = timeline_text(run.log[-1], before, library, "en")
    assert text is not None
    assert "corrected: " in text and "= 6000 (was 4000)" in text and "goes to" in text and "Call the police" in text
    run.do(c.SetField("loss_yuan", "7000"))  # no branch change between two values over 5000
    assert "branch" not in field_sets(run)[-1] and field_sets(run)[-1]["previous"] == 6000
