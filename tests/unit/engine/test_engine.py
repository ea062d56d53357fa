"""The engine: commands to events, the fold, timers, refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ehplan.engine import commands as c
from ehplan.engine import events as ev
from ehplan.engine.clock import FakeClock, ScaledClock
from ehplan.engine.decide import NeedsConfirmation, Refused
from ehplan.engine.fold import FoldError, apply, fold
from ehplan.engine.memory import MemoryRun
from ehplan.engine.state import RunState
from ehplan.library import load_library

ROOT = Path(__file__).resolve().parents[3]
TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
NATIONAL_DAY = dt.datetime(2026, 10, 2, 9, 0, tzinfo=TZ)
MAKEUP_SATURDAY = dt.datetime(2026, 10, 10, 9, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def library():
    return load_library([ROOT / "tests/data/playbooks"], ROOT / "data")


def start(library, when=MONDAY) -> MemoryRun:
    run = MemoryRun(library, FakeClock(when))
    run.do(c.StartRun("example", "run1", "Ann"))
    return run


def test_start_enters_the_entry_and_starts_run_timers(library):
    run = start(library)
    assert run.types() == [ev.RUN_STARTED, ev.TIMER_STARTED, ev.TIMER_STARTED, ev.STEP_ENTERED]
    assert run.state.step == "greet"
    report = run.state.timers["example/report_3m"]
    assert report.due == MONDAY + dt.timedelta(minutes=3)
    assert report.warn_at == MONDAY + dt.timedelta(minutes=3) - dt.timedelta(seconds=36)
    assert run.state.timers["example/repair_30m"].warn_at == MONDAY + dt.timedelta(minutes=29)


def test_checklist_refuses_to_continue_until_mandatory_items_ticked(library):
    run = start(library)
    run.do(c.Continue())
    with pytest.raises(Refused, match="Divert customers"):
        run.do(c.Continue())
    run.do(c.TickItem("explain"))
    run.do(c.TickItem("divert"))
    run.do(c.Continue())
    assert run.state.step == "call_it"
    with pytest.raises(Refused, match="no checklist item"):
        run.do(c.TickItem("explain"))


def test_ticking_twice_is_refused(library):
    run = start(library)
    run.do(c.Continue())
    run.do(c.TickItem("explain"))
    with pytest.raises(Refused, match="already"):
        run.do(c.TickItem("explain"))


def _to_call_it(run):
    run.do(c.Continue())
    run.do(c.TickItem("explain"))
    run.do(c.TickItem("divert"))
    run.do(c.Continue())


def test_it_on_site_uses_workday_and_holiday_minutes(library):
    for when, minutes, kind in ((MONDAY, 15, "workday"), (NATIONAL_DAY, 45, "holiday"),
                                (MAKEUP_SATURDAY, 15, "workday")):
        run = MemoryRun(library, FakeClock(when))
        run.do(c.StartRun("example", "r", "Ann"))
        run.do(c.Continue())
        run.do(c.TickItem("explain"))
        # Without ticking 'divert' the checklist cannot be left; override it with a reason.
        run.do(c.Override("customers already gone"))
        run.do(c.LogContact("it_centre", "answered"))
        run.do(c.Continue())
        timer = run.state.timers["example/it_on_site"]
        assert timer.duration_s == minutes * 60
        assert timer.rule.startswith(kind)


def test_warning_then_expiry_then_met_late(library):
    run = start(library)
    clock = run.clock
    clock.advance(143)
    assert run.do(c.Tick()) == []
    clock.advance(1)
    assert [r.type for r in run.do(c.Tick())] == [ev.TIMER_WARNED]
    clock.advance(36)
    assert run.do(c.Tick()) == []  # at the due instant itself the deadline can still be met
    clock.advance(1)
    assert [r.type for r in run.do(c.Tick())] == [ev.TIMER_EXPIRED]
    assert run.do(c.Tick()) == []  # expiry is logged once
    _to_call_it(run)
    logged = run.do(c.LogContact("it_centre", "answered"))
    met = [r for r in logged if r.type == ev.TIMER_MET]
    assert met and met[0].data["late"] is True
    assert run.state.timers["example/report_3m"].status == "met"


def test_no_answer_does_not_meet_a_deadline(library):
    run = start(library)
    run.do(c.LogContact("it_centre", "no_answer"))
    assert run.state.timers["example/report_3m"].active
    _to_call_it(run)
    with pytest.raises(Refused, match="log a call"):
        run.do(c.Continue())


def test_record_route_goes_to_police_over_5000(library):
    for amount, expected in (("5000", "fixed"), ("5,001", "police")):
        run = start(library)
        _to_call_it(run)
        run.do(c.LogContact("it_centre", "called"))
        run.do(c.Continue())
        with pytest.raises(Refused, match="fill in first"):
            run.do(c.Continue())
        run.do(c.SetField("loss_yuan", amount))
        run.do(c.SetField("reporter_phone", "+86 138-0000-0000"))
        run.do(c.SetField("place", "1"))
        run.do(c.Continue())
        assert run.state.step == expected


@pytest.mark.parametrize(("field", "value", "message"), [
    ("loss_yuan", "-5", "negative"), ("loss_yuan", "－５", "negative"), ("loss_yuan", "abc", "not a number"),
    ("loss_yuan", "5,00", "not a number"), ("loss_yuan", "5.000,5", "not a number"), ("loss_yuan", "1e3", "not a number"),
    ("reporter_phone", "call me", "phone"), ("place", "3", "choose 1–2"), ("remark", "  ", "empty"),
])
def test_bad_field_values_are_refused(library, field, value, message):
    run = start(library)
    with pytest.raises(Refused, match=message):
        run.do(c.SetField(field, value))


def test_escalation_brings_up_its_step_and_returns(library):
    run = start(library)
    run.clock.advance(30 * 60 + 1)
    types = [r.type for r in run.do(c.Tick())]
    assert ev.ESCALATION_RAISED in types
    assert run.state.step == "wait_or_leave"
    run.do(c.Continue())
    assert run.state.step == "greet"
    assert run.state.path[-1].via == "return"


def test_end_needs_mandatory_contact_then_confirmation(library):
    run = start(library)
    with pytest.raises(Refused, match="cannot end yet: call IT centre"):
        run.do(c.EndRun())
    run.do(c.LogContact("it_centre", "answered"))
    with pytest.raises(NeedsConfirmation) as caught:
        run.do(c.EndRun())
    assert any("not finished" in str(item) for item in caught.value.open_items)
    assert any("預案尚未走完" in item.text("zh-Hant") for item in caught.value.open_items)
    run.do(c.EndRun(outcome="handed_over", confirm=True))
    assert run.state.ended and run.state.outcome == "handed_over"
    with pytest.raises(Refused, match="ended"):
        run.do(c.Continue())


def test_override_needs_a_reason_and_is_recorded(library):
    run = start(library)
    with pytest.raises(Refused, match="reason"):
        run.do(c.Override("   "))
    run.do(c.Override("customer left"))
    assert run.state.overrides[0].reason == "customer left"
    assert run.state.step == "checks"


def test_goto_switches_playbook_and_says_so(library):
    run = start(library)
    run.do(c.Override("skip"))
    run.do(c.Override("skip"))
    run.do(c.LogContact("it_centre", "answered"))
    run.do(c.Continue())
    run.do(c.SetField("loss_yuan", "1"))
    run.do(c.SetField("reporter_phone", "110"))
    run.do(c.SetField("place", "1"))
    run.do(c.Continue())
    run.do(c.Choose("not_fixed"))
    run.do(c.Continue())
    assert run.state.playbook == "example_other"
    assert ev.PLAYBOOK_SWITCHED in run.types()
    assert set(run.state.playbook_versions) == {"example", "example_other"}


def test_followup_is_dated_30_days_after_entering(library):
    run = start(library)
    _to_call_it(run)
    run.do(c.LogContact("it_centre", "answered"))
    run.do(c.Continue())
    (followup,) = run.state.followups
    assert followup.due.startswith("2026-12-30")


def test_fold_of_the_log_equals_the_live_state(library):
    run = start(library)
    _to_call_it(run)
    run.do(c.AddNote("[bold]caller[/] \x1b[31m angry"))
    run.clock.advance(600)
    run.do(c.Tick())
    assert fold(run.log) == run.state
    assert run.state.notes[0].text == "[bold]caller[/] \x1b[31m angry"


def test_fold_refuses_seq_gaps_and_events_before_start(library):
    run = start(library)
    with pytest.raises(FoldError, match="seq"):
        fold([run.log[0], run.log[2]])
    with pytest.raises(FoldError, match="begin"):
        apply(RunState(), ev.Logged(0, "2026-11-30T09:00:00.000+08:00", ev.NOTE_ADDED, {"text": "x"}))


def test_scaled_clock_runs_faster():
    base = FakeClock(MONDAY)
    scaled = ScaledClock(base, 10)
    base.advance(18)
    assert scaled.now() - scaled.epoch == dt.timedelta(minutes=3)


def test_the_plan_date_decides_workday_even_on_a_utc_machine(library):
    """Monday 01:00 in Beijing is Sunday 17:00 UTC: still a workday (15 minutes)."""
    sunday_utc = dt.datetime(2026, 11, 29, 17, 0, tzinfo=dt.UTC)
    run = MemoryRun(library, FakeClock(sunday_utc))
    run.do(c.StartRun("example", "r", "Ann"))
    run.do(c.Continue())
    run.do(c.TickItem("explain"))
    run.do(c.Override("customers already gone"))
    run.do(c.LogContact("it_centre", "answered"))
    run.do(c.Continue())
    timer = run.state.timers["example/it_on_site"]
    assert timer.duration_s == 15 * 60
    assert "2026-11-30 is a weekday" in timer.rule


def test_resume_finishes_a_command_cut_short_by_a_crash(library):
    """A crash after step_completed but before step_entered: resume enters the decided step,
    and a trigger whose timer consequences were lost meets the timer now."""
    run = start(library)
    run.do(c.Continue())
    run.do(c.TickItem("explain"))
    run.do(c.TickItem("divert"))
    run.do(c.Continue())
    logged = run.do(c.LogContact("it_centre", "answered"))
    assert [r.type for r in logged] == [ev.CONTACT_LOGGED, ev.TIMER_MET]
    cut = run.log[:-1]  # the timer_met never reached the disk
    state = fold(cut)
    assert state.timers["example/report_3m"].active
    replay = MemoryRun(library, run.clock)
    replay.state, replay.log = state, list(cut)
    types = [r.type for r in replay.do(c.Resume(5))]
    assert types[:2] == [ev.RUN_RESUMED, ev.TIMER_MET]
    completed = [r for r in run.log if r.type == ev.STEP_COMPLETED][-1]
    cut = run.log[: run.log.index(completed) + 1]  # decided to go on, entry lost
    replay = MemoryRun(library, run.clock)
    replay.state, replay.log = fold(cut), list(cut)
    replay.do(c.Resume(5))
    assert replay.state.step == "call_it"
    assert replay.state.path[-1].via == "resume"
