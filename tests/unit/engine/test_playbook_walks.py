"""Walk the shipped playbooks with the engine: every branch of every playbook,
the escalation steps by the clock, and the plan's rules one by one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from walker import Explorer, advance_to, clone, do_step, start, types, visited

from ehplan import resources
from ehplan.engine import commands as c
from ehplan.engine import events as ev
from ehplan.engine.clock import rfc3339
from ehplan.engine.decide import NeedsConfirmation, Refused
from ehplan.engine.events import entry_of, event_problem
from ehplan.engine.fold import fold, triggers_of
from ehplan.engine.memory import MemoryRun
from ehplan.engine.timers import trigger_key
from ehplan.library import Library, load_library
from ehplan.playbook.models import CalendarDuration, Trigger
from ehplan.sitedata.calendar import is_daytime

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)  # a plain workday
NATIONAL_DAY = dt.datetime(2026, 10, 2, 9, 0, tzinfo=TZ)  # public holiday
SATURDAY = dt.datetime(2026, 11, 28, 9, 0, tzinfo=TZ)  # ordinary weekend day
MAKEUP_WORKDAY = dt.datetime(2026, 10, 10, 9, 0, tzinfo=TZ)  # Saturday worked in lieu of National Day

PLAYBOOK_IDS = sorted(p.stem for p in resources.playbooks_dir().glob("*.yaml"))

HOTLINE = "hotline_system_failure"
KIOSK = "kiosk_failure"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([resources.playbooks_dir()], resources.data_dir())


def test_the_library_holds_the_fifteen_playbooks(library):
    assert len(PLAYBOOK_IDS) == 15
    assert sorted(library.playbooks) == PLAYBOOK_IDS


# --- 1. the generic walk ---------------------------------------------------------------


def _assert_ended_and_folds(run: MemoryRun) -> None:
    assert [problem for r in run.log if (problem := event_problem(r.type, r.data))] == []
    assert run.log[-1].type == ev.RUN_ENDED
    assert run.state.ended
    assert fold(run.log) == run.state


def _tick_at(run: MemoryRun, instant: dt.datetime) -> list[str]:
    run.clock.set(instant)  # type: ignore[attr-defined]
    return types(run.do(c.Tick()))


def _escalate(run: MemoryRun, playbook: str, timer_id: str) -> None:
    """Let the clock run past ``timer_id`` (handling any earlier escalation on the
    way, one at a time, as an operator would); check its step comes up and that
    completing it returns to the interrupted step."""
    key = f"{playbook}/{timer_id}"
    target = run.state.timers[key]
    while True:
        pending = sorted((t for t in run.state.timers.values()
                          if t.kind == "escalate_after" and t.playbook == playbook
                          and t.status in ("running", "warned") and t.due <= target.due),
                         key=lambda t: t.due)
        assert pending, f"{key} was cleared before it could expire"
        timer = pending[0]
        interrupted = run.state.step
        logged = _tick_at(run, timer.due + dt.timedelta(seconds=1))
        assert ev.ESCALATION_RAISED in logged, (timer.key, logged)
        assert run.state.step == timer.escalate_to
        assert run.state.path[-1].via == "escalation"
        assert run.state.return_to[-1] == (playbook, timer.escalate_to, interrupted)
        do_step(run)
        assert run.state.step == interrupted, f"{timer.escalate_to} did not return to {interrupted}"
        assert run.state.path[-1].via == "return"
        if timer.key == key:
            return


@pytest.mark.parametrize("playbook_id", PLAYBOOK_IDS)
def test_walk_every_branch(library, playbook_id):
    playbook = library.playbook(playbook_id)
    escalations = {t.escalate_to: t for t in playbook.timers if t.kind == "escalate_after"}
    # First place on any walk where each escalation's timer runs (and its step is not current).
    armed: dict[str, tuple[MemoryRun, frozenset]] = {}

    def on_node(run: MemoryRun, taken: frozenset) -> None:
        if run.state.playbook != playbook_id or run.state.path[-1].via == "escalation":
            return
        for step_id, timer in escalations.items():
            state = run.state.timers.get(f"{playbook_id}/{timer.id}")
            if step_id not in armed and state is not None and state.status == "running" \
                    and run.state.step != step_id:
                armed[step_id] = (clone(run), taken)

    walks = Explorer(on_node=on_node).explore(start(library, playbook_id, MONDAY))

    assert walks
    assert not [w.stuck for w in walks if w.stuck]
    for walk in walks:
        _assert_ended_and_folds(walk.run)
        assert library.playbook(walk.run.state.playbook).step(walk.run.state.step).kind == "end"

    seen = visited(walks, playbook_id)
    missing = {s.id for s in playbook.steps} - seen
    assert missing <= set(escalations), f"steps no walk reaches and no timer brings up: {missing - set(escalations)}"
    for step_id in sorted(missing):
        assert step_id in armed, f"timer {escalations[step_id].id} never runs on any walk"
        run, taken = armed[step_id]
        run = clone(run)
        _escalate(run, playbook_id, escalations[step_id].id)
        assert step_id in {p.step for p in run.state.path if p.playbook == playbook_id}
        (finish,) = Explorer(limit=1).explore(run, taken)
        assert not finish.stuck
        _assert_ended_and_folds(finish.run)
        seen.add(step_id)
    assert seen == {s.id for s in playbook.steps}


# --- 2. hotline_system_failure (S5.3) --------------------------------------------------


def _hotline_at_choice(library, when=MONDAY) -> MemoryRun:
    run = start(library, HOTLINE, when)
    advance_to(run, "what_fails")
    return run


def test_hotline_3m_deadline_runs_from_the_supervisors_receipt_not_the_choice(library):
    """S5.3.2 「熱線中心主管接報后，應3分鐘內報告」: the limit starts when the call
    to the hotline-centre supervisor is logged, not when the failure is classified."""
    run = _hotline_at_choice(library)
    run.do(c.Choose("cannot_answer"))
    advance_to(run, "answer_supervisor_receives")
    assert f"{HOTLINE}/report_cc_3m" not in run.state.timers
    run.clock.advance(200)  # longer than 3 minutes after the choice: nothing is missed yet
    received_at = run.clock.now()
    run.do(c.LogContact("hotline_supervisor", "answered"))
    timer = run.state.timers[f"{HOTLINE}/report_cc_3m"]
    assert (timer.kind, timer.duration_s, timer.started_at) == ("deadline", 180, received_at)
    assert timer.due == received_at + dt.timedelta(minutes=3)
    run.do(c.Continue())
    assert run.state.step == "answer_report_cc"
    run.clock.advance(100)
    logged = run.do(c.LogContact("cc_line_head", "answered"))
    met = [r for r in logged if r.type == ev.TIMER_MET and r.data["key"] == f"{HOTLINE}/report_cc_3m"]
    assert met and met[0].data["late"] is False
    assert run.state.timers[f"{HOTLINE}/report_cc_3m"].status == "met"


def test_hotline_cannot_query_runs_the_hall_handling(library):
    """S5.3.1 「處理方法參照營業廳的故障處理」: the cannot-query branch reports to the
    line head, diverts the caller, and has S5.1.4's 30-minute rule; no 3-minute limit."""
    run = _hotline_at_choice(library)
    run.do(c.Choose("cannot_query"))
    assert run.state.step == "query_report_line_head"
    assert set(run.state.timers) == {f"{HOTLINE}/it_on_site", f"{HOTLINE}/query_30m"}
    with pytest.raises(Refused, match="log a call first"):
        run.do(c.Continue())
    advance_to(run, "query_restored", {"query_business": "top_up"})
    assert "query_divert_top_up" in {p.step for p in run.state.path}
    logged = _tick_at(run, MONDAY + dt.timedelta(minutes=31))
    assert ev.ESCALATION_RAISED in logged
    assert run.state.step == "query_ask_wait"
    do_step(run)
    assert run.state.step == "query_restored"
    run.do(c.Choose("it_arrived"))
    assert run.state.timers[f"{HOTLINE}/it_on_site"].status == "met"
    run.do(c.Choose("restored"))
    assert run.state.timers[f"{HOTLINE}/query_30m"].status == "cleared"


def test_hotline_3m_deadline_missed_then_met_late(library):
    run = _hotline_at_choice(library)
    run.do(c.Choose("cannot_answer"))
    run.do(c.LogContact("line_head", "answered"))
    run.do(c.LogContact("hotline_supervisor", "answered"))
    run.clock.advance(181)
    assert ev.TIMER_EXPIRED in types(run.do(c.Tick()))
    logged = run.do(c.LogContact("cc_line_head", "called"))
    assert [r.data["late"] for r in logged if r.type == ev.TIMER_MET] == [True]


def test_hotline_manager_is_reported_to_while_the_fault_is_handled(library):
    """S5.3.5: the report to the customer department manager and the 報備 come
    before the fault is cleared, not only after recovery."""
    run = _hotline_at_choice(library)
    run.do(c.Choose("cannot_answer"))
    advance_to(run, "answer_fixed", {"answer_fixable": "fixable_now"})
    path = [p.step for p in run.state.path]
    assert path.index("answer_report_manager") < path.index("answer_it_arrived")
    assert {"answer_report_manager.report_manager", "answer_report_manager.file_handling"} <= {
        key.split("/", 1)[-1] for key in run.state.items_done}


@pytest.mark.parametrize(("when", "minutes", "rule"), [
    (MONDAY, 15, "workday: 2026-11-30 is a weekday"),
    (NATIONAL_DAY, 45, "holiday: 2026-10-02 is a public holiday (National Day)"),
    (SATURDAY, 45, "holiday: 2026-11-28 is a weekend day"),
    (MAKEUP_WORKDAY, 15, "workday: 2026-10-10 is a make-up working day"),
], ids=["workday", "national_day", "saturday", "makeup_workday"])
def test_hotline_it_on_site_deadline_follows_the_calendar(library, when, minutes, rule):
    run = _hotline_at_choice(library, when)
    run.do(c.Choose("cannot_answer"))
    timer = run.state.timers[f"{HOTLINE}/it_on_site"]
    assert timer.duration_s == minutes * 60
    assert timer.due == when + dt.timedelta(minutes=minutes)
    assert timer.rule == rule
    advance_to(run, "answer_it_arrived")
    run.clock.advance(minutes * 60 - 60)
    run.do(c.Continue())
    assert run.state.timers[f"{HOTLINE}/it_on_site"].status == "met"
    assert not run.state.timers[f"{HOTLINE}/it_on_site"].late


def _hotline_waiting_for_fix(library) -> MemoryRun:
    run = _hotline_at_choice(library)
    run.do(c.Choose("cannot_answer"))
    return advance_to(run, "answer_fixed", {"answer_fixable": "fixable_now"})


def test_hotline_backup_escalation_after_10_minutes_not_cleared(library):
    run = _hotline_waiting_for_fix(library)
    key = f"{HOTLINE}/backup_10m"
    due = run.state.timers[key].due
    assert due == MONDAY + dt.timedelta(minutes=10)
    assert ev.ESCALATION_RAISED not in _tick_at(run, due)
    assert run.state.step == "answer_fixed"
    logged = _tick_at(run, due + dt.timedelta(seconds=1))
    assert ev.ESCALATION_RAISED in logged
    assert run.state.escalations[-1][:2] == (key, "answer_backup")
    assert (run.state.step, run.state.path[-1].via) == ("answer_backup", "escalation")
    run.do(c.Continue())
    assert (run.state.step, run.state.path[-1].via) == ("answer_fixed", "return")
    run.do(c.Choose("fixed"))
    assert run.state.timers[key].status == "cleared"
    assert fold(run.log) == run.state


def test_hotline_no_backup_escalation_when_fixed_in_time(library):
    run = _hotline_waiting_for_fix(library)
    run.clock.advance(9 * 60)
    run.do(c.Choose("fixed"))
    assert run.state.timers[f"{HOTLINE}/backup_10m"].status == "cleared"
    assert ev.ESCALATION_RAISED not in _tick_at(run, MONDAY + dt.timedelta(minutes=30))
    assert run.state.step == "answer_file_outcome"


def test_hotline_inform_customers_deadline_starts_when_cause_is_not_fixable(library):
    run = _hotline_at_choice(library)
    run.do(c.Choose("cannot_answer"))
    advance_to(run, "answer_fixable")
    key = f"{HOTLINE}/inform_customers_10m"
    assert key not in run.state.timers
    other = clone(run)
    other.do(c.Choose("fixable_now"))
    assert key not in other.state.timers
    run.clock.advance(7 * 60)
    learned_at = run.clock.now()
    run.do(c.Choose("not_fixable_now"))
    timer = run.state.timers[key]
    assert (timer.kind, timer.started_at, timer.due) == ("deadline", learned_at,
                                                         learned_at + dt.timedelta(minutes=10))
    advance_to(run, "answer_update_cc")
    assert run.state.timers[key].status == "met"


# --- kiosk_failure (S5.4) ----------------------------------------------------------------


def _kiosk_waiting(library) -> MemoryRun:
    run = start(library, KIOSK, MONDAY)
    return advance_to(run, "fault_cleared", {"expect_over_24h": "not_over_24h"})


def test_kiosk_30m_escalation_to_the_department_manager(library):
    run = _kiosk_waiting(library)
    assert ev.ESCALATION_RAISED not in _tick_at(run, MONDAY + dt.timedelta(minutes=30))
    logged = _tick_at(run, MONDAY + dt.timedelta(minutes=30, seconds=1))
    assert ev.ESCALATION_RAISED in logged
    assert (run.state.step, run.state.path[-1].via) == ("report_dept_manager", "escalation")
    with pytest.raises(Refused, match="log a call"):
        run.do(c.Continue())
    run.do(c.LogContact("dept_manager", "answered"))
    run.do(c.Continue())
    assert (run.state.step, run.state.path[-1].via) == ("fault_cleared", "return")


def test_kiosk_4h_escalation_reports_to_leader_and_estates_and_stops_the_24h_one(library):
    run = _kiosk_waiting(library)
    _tick_at(run, MONDAY + dt.timedelta(minutes=31))
    do_step(run)  # the 30-minute report to the department manager
    assert ev.ESCALATION_RAISED not in _tick_at(run, MONDAY + dt.timedelta(hours=4))
    logged = _tick_at(run, MONDAY + dt.timedelta(hours=4, seconds=1))
    assert ev.ESCALATION_RAISED in logged
    assert run.state.escalations[-1][:2] == (f"{KIOSK}/handling_4h", "report_leader_estates")
    assert (run.state.step, run.state.path[-1].via) == ("report_leader_estates", "escalation")
    do_step(run)
    assert (run.state.step, run.state.path[-1].via) == ("fault_cleared", "return")
    assert run.state.timers[f"{KIOSK}/failure_24h"].status == "cleared"
    assert ev.ESCALATION_RAISED not in _tick_at(run, MONDAY + dt.timedelta(hours=25))


def test_kiosk_24h_escalation_while_the_4h_report_is_still_open(library):
    run = _kiosk_waiting(library)
    _tick_at(run, MONDAY + dt.timedelta(minutes=31))
    do_step(run)
    _tick_at(run, MONDAY + dt.timedelta(hours=4, seconds=1))
    assert run.state.step == "report_leader_estates"
    entered = len(run.state.path)
    assert ev.ESCALATION_RAISED not in _tick_at(run, MONDAY + dt.timedelta(hours=24))
    logged = _tick_at(run, MONDAY + dt.timedelta(hours=24, seconds=1))
    assert ev.ESCALATION_RAISED in logged
    assert run.state.escalations[-1][:2] == (f"{KIOSK}/failure_24h", "report_leader_estates")
    assert len(run.state.path) == entered  # already on that step: not entered twice
    do_step(run)
    assert (run.state.step, run.state.path[-1].via) == ("fault_cleared", "return")
    assert fold(run.log) == run.state


def test_kiosk_expected_over_24h_reports_at_once_and_no_escalation_follows(library):
    run = start(library, KIOSK, MONDAY)
    advance_to(run, "report_leader_estates", {"expect_over_24h": "over_24h"})
    do_step(run)
    run.do(c.Choose("cleared"))
    assert {t.status for t in run.state.timers.values()} == {"cleared"}
    assert ev.ESCALATION_RAISED not in _tick_at(run, MONDAY + dt.timedelta(hours=30))


def test_kiosk_nested_escalations_return_to_the_interrupted_step(library):
    run = start(library, KIOSK, MONDAY)
    advance_to(run, "inform_customers")
    _tick_at(run, MONDAY + dt.timedelta(hours=4, seconds=1))  # app was idle: 30m and 4h both due
    assert run.state.step == "report_leader_estates"
    do_step(run)
    assert run.state.step == "report_dept_manager"
    do_step(run)
    assert run.state.step == "inform_customers"
    assert run.state.return_to == ()


# --- counter_system_failure (S5.1.4) and hall_power_cut -----------------------------------


WAIT_OR_COME_BACK = [
    ("counter_system_failure", "fault_cleared", {"business_type": "top_up"}, ("fault_cleared", "cleared")),
    ("hall_power_cut", "power_back", {}, ("power_back", "restored")),
]


@pytest.mark.parametrize(("playbook_id", "waiting_at", "choices", "clear"), WAIT_OR_COME_BACK,
                         ids=[p[0] for p in WAIT_OR_COME_BACK])
def test_30m_escalation_asks_wait_or_come_another_day(library, playbook_id, waiting_at, choices, clear):
    run = start(library, playbook_id, MONDAY)
    advance_to(run, waiting_at, choices)
    assert ev.ESCALATION_RAISED not in _tick_at(run, MONDAY + dt.timedelta(minutes=30))
    assert run.state.step == waiting_at
    assert ev.ESCALATION_RAISED in _tick_at(run, MONDAY + dt.timedelta(minutes=30, seconds=1))
    assert (run.state.step, run.state.path[-1].via) == ("ask_wait_or_return", "escalation")
    run.do(c.Continue())
    assert (run.state.step, run.state.path[-1].via) == (waiting_at, "return")
    run.do(c.Choose(clear[1]))
    assert run.state.timers[next(iter(run.state.timers))].status == "cleared"
    assert fold(run.log) == run.state


@pytest.mark.parametrize(("playbook_id", "waiting_at", "choices", "clear"), WAIT_OR_COME_BACK,
                         ids=[p[0] for p in WAIT_OR_COME_BACK])
def test_no_30m_escalation_when_cleared_in_time(library, playbook_id, waiting_at, choices, clear):
    run = start(library, playbook_id, MONDAY)
    advance_to(run, waiting_at, choices)
    run.clock.advance(29 * 60)
    run.do(c.Choose(clear[1]))
    assert {t.status for t in run.state.timers.values()} == {"cleared"}
    assert ev.ESCALATION_RAISED not in _tick_at(run, MONDAY + dt.timedelta(hours=1))


# --- property_loss (S4) --------------------------------------------------------------------


@pytest.mark.parametrize(("loss", "expected"), [("5000", "manager_on_site"), ("5001", "call_police"),
                                                ("0", "manager_on_site"), ("5,001", "call_police")])
def test_property_loss_police_only_over_5000(library, loss, expected):
    run = start(library, "property_loss", MONDAY)
    advance_to(run, "record_loss", {"whose_property": "company"})
    run.do(c.SetField("loss_yuan", loss))
    run.do(c.Continue())
    assert run.state.step == expected


def test_property_loss_cctv_followup_dated_30_days_after_the_event(library):
    """S4.1.2 「事件發生后30天」: dated from the event (the run's start), not from when
    the CCTV step is reached; the text keeps both conditions."""
    run = start(library, "property_loss", MONDAY)
    (followup,) = run.state.followups
    assert (followup.playbook, followup.followup) == ("property_loss", "keep_cctv")
    assert followup.due == rfc3339(MONDAY + dt.timedelta(days=30))
    advance_to(run, "report_leader", {"whose_property": "company"})
    run.clock.advance(17 * 60 + 3)
    do_step(run)
    assert run.state.step == "check_cctv"
    do_step(run)  # reaching and leaving the CCTV step do not date it again
    assert len(run.state.followups) == 1
    text = library.playbook("property_loss").followups[0].text.as_map()
    assert "處理結束" in text["zh-Hant"] and "30天" in text["zh-Hant"]


# --- gas_accident_report (S7.1) -----------------------------------------------------------


GAS = "gas_accident_report"
NETWORK_BRANCHES = {
    "municipal": {"network": "municipal", "municipal_network_needed": "needed"},
    "customer": {"network": "customer"},
    "estate": {"network": "estate", "estate_second_operator_needed": "needed"},
}


@pytest.mark.parametrize("branch", sorted(NETWORK_BRANCHES))
def test_gas_each_network_branch_reaches_the_reporter_record(library, branch):
    run = start(library, GAS, MONDAY)
    advance_to(run, "record_reporter", NETWORK_BRANCHES[branch])
    assert run.state.reached("repair_duty_crew")
    do_step(run)
    assert run.state.step == "done"
    run.do(c.EndRun(confirm=True))
    assert run.state.ended
    assert run.state.outcome == "handed_over"  # the end step's own outcome, not "resolved"


def test_a_run_ended_before_its_end_step_says_so(library):
    run = start(library, HOTLINE, MONDAY)
    run.do(c.EndRun(confirm=True))
    assert run.state.outcome == "ended_early"
    assert run.log[-1].data["outcome"] == "ended_early"


def test_an_outcome_given_with_the_command_is_recorded_as_given(library):
    run = start(library, HOTLINE, MONDAY)
    run.do(c.EndRun(outcome="false_alarm", confirm=True))
    assert run.state.outcome == "false_alarm"


def test_gas_end_refused_until_repair_crew_and_reporter_are_recorded(library):
    run = start(library, GAS, MONDAY)
    advance_to(run, "customer_repair_crew", {"network": "customer"})
    run.do(c.LogContact("repair_duty_crew", "no_answer"))
    run.do(c.Override("電話打不通，稍後再撥"))
    assert run.state.step == "record_reporter"
    run.do(c.Override("報事人掛斷了"))
    assert run.state.step == "done"
    with pytest.raises(Refused, match="cannot end yet") as refused:
        run.do(c.EndRun(confirm=True))
    assert not isinstance(refused.value, NeedsConfirmation)
    assert all(name in str(refused.value) for name in ("record", "call"))
    run.do(c.SetField("reporter_name", "王先生"))
    run.do(c.SetField("reporter_phone", "13800000000"))
    with pytest.raises(Refused, match=r"cannot end yet: one of \(call"):
        run.do(c.EndRun(confirm=True))
    run.do(c.LogContact("repair_duty_crew", "called"))
    with pytest.raises(NeedsConfirmation):
        run.do(c.EndRun())  # the overrides are still open
    run.do(c.EndRun(confirm=True))
    assert run.state.ended


def test_gas_end_refused_without_reporter_phone(library):
    run = start(library, GAS, MONDAY)
    advance_to(run, "record_reporter", {"network": "customer"})
    run.do(c.SetField("reporter_name", "王先生"))
    run.do(c.Override("沒有留電話"))
    with pytest.raises(Refused, match="cannot end yet: record"):
        run.do(c.EndRun(confirm=True))
    run.do(c.SetField("reporter_phone", "+86 138 0000 0000"))
    run.do(c.EndRun(confirm=True))
    assert run.state.ended


# --- agitated_customer -> personal_safety (S2.6) -----------------------------------------


@pytest.mark.parametrize("choices", [
    {"analyse_demand": "against_rules", "calm_now": "personal_attack"},
    {"analyse_demand": "company_cause", "calm_now": "still_agitated", "calm_after_help": "attack_after_help"},
], ids=["attack_at_once", "attack_after_help"])
def test_agitated_personal_attack_switches_to_personal_safety_in_the_same_run(library, choices):
    run = start(library, "agitated_customer", MONDAY, run_id="r-agitated")
    advance_to(run, "to_personal_safety", choices)
    logged = run.do(c.Continue())
    assert ev.PLAYBOOK_SWITCHED in types(logged)
    switched = next(r for r in logged if r.type == ev.PLAYBOOK_SWITCHED)
    assert (switched.data["from"], switched.data["to"]) == ("agitated_customer", "personal_safety")
    assert (run.state.playbook, run.state.step) == ("personal_safety", "protect_self")
    assert (run.state.run_id, run.state.root_playbook) == ("r-agitated", "agitated_customer")
    assert set(run.state.playbook_versions) == {"agitated_customer", "personal_safety"}
    assert types(run.log).count(ev.RUN_STARTED) == 1
    advance_to(run, "done", {"which_case": "in_hall", "hall_dissuade_result": "stopped",
                             "anyone_injured": "nobody_injured", "who_at_fault": "customer_fault",
                             "legal_action": "take_legal_action", "severity": "no_copy"})
    run.do(c.EndRun())
    assert run.state.ended and fold(run.log) == run.state


# --- overrides ------------------------------------------------------------------------------


def test_override_on_a_notify_step_skips_it_and_end_lists_it_as_open(library):
    run = start(library, "electrical_failure", MONDAY)
    advance_to(run, "notify_property")
    with pytest.raises(Refused, match="log a call"):
        run.do(c.Continue())
    run.do(c.Override("物業電話無人接聽"))
    assert run.state.step == "report_dept"
    assert [(o.step, o.reason) for o in run.state.overrides] == [("notify_property", "物業電話無人接聽")]
    advance_to(run, "done")
    with pytest.raises(NeedsConfirmation) as caught:
        run.do(c.EndRun())
    (item,) = caught.value.open_items
    assert str(item) == "step overridden: Ask property management to restore the power (物業電話無人接聽)"
    run.do(c.EndRun(confirm=True))
    assert run.state.open_at_end == (str(item),)
    assert fold(run.log) == run.state


def test_a_diligent_walk_without_overrides_ends_without_confirmation(library):
    run = start(library, "electrical_failure", MONDAY)
    advance_to(run, "done")
    run.do(c.EndRun())
    assert run.state.ended and run.state.open_at_end == ()


def test_hotline_skipping_it_arrived_does_not_meet_the_it_deadline(library):
    """An override is recorded and listed at the end; it never counts as IT arriving."""
    run = start(library, HOTLINE, MONDAY)
    advance_to(run, "answer_it_arrived", {"what_fails": "cannot_answer"})
    run.do(c.Override("IT phoned instead"))
    timer = run.state.timers[f"{HOTLINE}/it_on_site"]
    assert timer.active
    assert run.state.overrides[-1].reason == "IT phoned instead"


# --- the plan's instructions, as the plan says them -----------------------------------


def test_hall_withdrawal_is_reachable_at_once_and_110_stays_a_may(library):
    """S3.1.3 「勸止無效時可撥打110」 is a may: leaving the hall (優先確保人身安全…撤出營業廳)
    comes straight from a failed intervention, without a 110 call first; the call
    is still offered afterwards and logged when made."""
    run = start(library, "personal_safety", MONDAY)
    advance_to(run, "hall_dissuade_result", {"which_case": "in_hall"})
    run.do(c.Choose("continues"))
    assert run.state.step == "hall_withdraw"
    assert not run.state.reached("police")
    advance_to(run, "hall_outside_110")
    run.do(c.Choose("call_110"))
    run.do(c.LogContact("police", "answered"))
    run.do(c.Continue())
    assert run.state.step == "follow_up_report"
    assert [call.contact for call in run.state.contacts][-1] == "police"
    # And without calling 110 at all, the run goes on.
    other = start(library, "personal_safety", MONDAY)
    advance_to(other, "hall_may_call_110", {"which_case": "in_hall", "hall_dissuade_result": "not_stopped"})
    other.do(c.Choose("ceased"))
    assert other.state.step == "follow_up_report"
    assert not other.state.reached("police")


@pytest.mark.parametrize("branch", ["customer", "estate"])
@pytest.mark.parametrize(("hour", "who"), [(10, "group_manager"), (22, "repair_duty_crew")])
def test_gas_daytime_group_manager_or_night_crew_either_satisfies(library, branch, hour, who):
    """S7.1 「立即通知搶險人員（白天通知組別經理）」: by day the group manager, at night
    the repair crew; either call completes the step and the must-before-end."""
    when = MONDAY.replace(hour=hour)
    run = start(library, GAS, when)
    step_id = f"{branch}_repair_crew"
    advance_to(run, step_id, NETWORK_BRANCHES[branch] | {"estate_second_operator_needed": "not_needed"})
    step = library.playbook(GAS).step(step_id)
    assert {"group_manager", "repair_duty_crew"} <= set(step.notify)  # both have a number key
    rule = step.by_time_of_day
    assert (rule.day, rule.night) == ("group_manager", "repair_duty_crew")
    assert library.calendar.daytime is not None  # daytime hours are site data
    assert is_daytime(library.calendar, when) is (who == rule.day)
    with pytest.raises(Refused, match="one of"):
        run.do(c.Continue())  # the step's own any_of refusal
    run.do(c.LogContact(who, "answered"))
    run.do(c.Continue())
    advance_to(run, "record_reporter", {"estate_second_operator_needed": "not_needed"})
    do_step(run)
    run.do(c.EndRun())
    assert run.state.ended


def test_kiosk_estates_are_best_effort_in_order(library):
    """S5.4.3 「盡可能通知…，優先通知客戶量大的物業公司」: the estates follow the leader
    in charge, largest first; an estate that cannot be reached is logged, and
    none of them blocks the step."""
    run = start(library, KIOSK, MONDAY)
    advance_to(run, "report_leader_estates", {"expect_over_24h": "over_24h"})
    step = library.playbook(KIOSK).step("report_leader_estates")
    assert step.notify == ["leader_in_charge"]
    assert step.best_effort == ["kiosk_estate_1", "kiosk_estate_2", "kiosk_estate_3"]
    with pytest.raises(Refused):
        run.do(c.Continue())  # the leader in charge is required
    run.do(c.LogContact("leader_in_charge", "answered"))
    run.do(c.LogContact("kiosk_estate_1", "no_answer"))  # could not reach
    run.do(c.Continue())  # the others not tried: never blocking
    assert run.state.step == "fault_cleared"


def test_counter_repair_is_its_own_action(library):
    """S5.1.1 「馬上進行搶修」 is a step of its own, not words to the customer."""
    playbook = library.playbook("counter_system_failure")
    run = start(library, "counter_system_failure", MONDAY)
    do_step(run)
    assert run.state.step == "start_repair"
    assert playbook.step("start_repair").source == "S5.1.1"
    assert "搶修" not in (playbook.step("explain").body.as_map()["zh-Hant"])


TIME_LIMITS = yaml.safe_load((Path(__file__).parents[2] / "data" / "time_limits.yaml").read_text(encoding="utf-8"))
def _seconds(duration: int | CalendarDuration) -> int | dict[str, int]:
    if isinstance(duration, CalendarDuration):
        return {"workday": duration.workday, "holiday": duration.holiday}
    return duration


CONSEQUENCES = {ev.TIMER_STARTED, ev.TIMER_MET, ev.FOLLOWUP_SCHEDULED}
_WALKS: dict[str, list] = {}


def _all_walks(library: Library, playbook_id: str) -> list:
    if playbook_id not in _WALKS:
        _WALKS[playbook_id] = Explorer().explore(start(library, playbook_id, MONDAY))
    return _WALKS[playbook_id]


@pytest.mark.parametrize("row", TIME_LIMITS, ids=lambda r: f"{r['section']}-{r['playbook']}-{r['duration']}")
def test_each_time_limit_starts_at_the_plans_moment(library, row):
    """Walking every branch with the engine, each limit of the table starts in the
    same command as the event the table names (the plan's moment), and at its time."""
    playbook = library.playbook(row["playbook"])
    expected = trigger_key(playbook.id, Trigger.model_validate(row["start"]))
    if row["kind"] == "followup":
        ids = {f.id for f in playbook.followups if f.source == row["section"]}
        kind, field = ev.FOLLOWUP_SCHEDULED, "followup"
    else:
        ids = {t.id for t in playbook.timers if t.source == row["section"] and _seconds(t.duration) == row["duration"]}
        kind, field = ev.TIMER_STARTED, "timer"
    starts = 0
    for walk in _all_walks(library, playbook.id):
        log = walk.run.log
        for i, record in enumerate(log):
            if record.type != kind or record.data[field] not in ids:
                continue
            cause = next(r for r in reversed(log[:i]) if r.type not in CONSEQUENCES)
            assert expected in triggers_of(entry_of(cause).event, playbook.id), (row, cause)
            assert record.ts == cause.ts
            starts += 1
    assert starts, f"no walk of {playbook.id} starts {ids}"
