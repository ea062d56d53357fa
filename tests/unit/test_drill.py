"""Drill scenarios: loaded and checked against the playbooks with every
problem at its line and column; injects due by run time; the score read from
the run's log on the compliance score's items plus the scenario's expectations
(deadlines, expectations in time, a point off per skip)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from ehplan import resources
from ehplan.drill import Scenario, due_injects, load_scenario, score_lines, score_run
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.engine.memory import MemoryRun
from ehplan.library import load_library
from ehplan.yamlpos import LoadError

ROOT = Path(__file__).resolve().parents[2]
DRILLS = ROOT / "tests/data/drills"
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(scope="module")
def example():  # type: ignore[no-untyped-def]
    return load_library([ROOT / "tests/data/playbooks"], ROOT / "data")


def problems(path: Path, library) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(LoadError) as caught:
        load_scenario(path, library)
    return [str(p).replace(str(ROOT) + "/", "") for p in caught.value.problems]


def test_the_shipped_scenarios_load_against_the_shipped_playbooks(shipped_library):
    found = {path.stem: load_scenario(path, shipped_library) for path in resources.drills_dir().glob("*.yaml")}
    assert {"hotline_outage", "hotline_holiday", "gas_leak_call"} <= set(found) and len(found) >= 10
    assert all(s.id == name and s.injects and s.expect for name, s in found.items())


def test_every_problem_is_reported_at_its_place(example):
    assert problems(DRILLS / "bad_refs.yaml", example) == [
        "tests/data/drills/bad_refs.yaml:8:10: duplicate id 'a'",
        "tests/data/drills/bad_refs.yaml:10:56: choice 'fixed.maybe' does not exist",
        "tests/data/drills/bad_refs.yaml:11:57: contact 'nobody' does not exist",
        "tests/data/drills/bad_refs.yaml:12:53: the start of the run is not something to score",
    ]
    assert problems(DRILLS / "bad_shape.yaml", example) == [
        "tests/data/drills/bad_shape.yaml:5:14: must be at most 60, not 100",
        "tests/data/drills/bad_shape.yaml:8:17: 'soon' is not a duration: write a whole number and s, m, h or d",
    ]
    assert problems(DRILLS / "no_playbook.yaml", example) == [
        "tests/data/drills/no_playbook.yaml:4:11: playbook 'nowhere' does not exist"]


def drill_run(example, scenario: Scenario, *, late: bool) -> MemoryRun:  # type: ignore[no-untyped-def]
    run = MemoryRun(example, FakeClock(MONDAY))
    run.do(c.StartRun("example", "r", "Ann", "drill", "en", 10, scenario.id))
    run.do(c.Continue())
    run.clock.advance(90 if late else 30)
    run.do(c.TickItem("explain"))
    run.do(c.TickItem("divert"))
    run.do(c.Continue())
    if late:
        run.clock.advance(120)
        run.do(c.Tick())
        run.do(c.Override("the IT line was busy"))
        run.do(c.LogContact("it_centre", "answered"))
    else:
        run.do(c.LogContact("it_centre", "answered"))
        run.do(c.Continue())
    return run


def test_each_deadline_and_expectation_done_in_time_scores_its_points(example):
    scenario = load_scenario(DRILLS / "example_drill.yaml", example)
    score = score_run(drill_run(example, scenario, late=False).log, scenario, example, "en")
    labels = [(line.label, line.points, line.possible) for line in score.lines]
    assert labels == [("Report within 3 minutes", 2, 2), ("Explain the cause", 2, 2),
                      ("Notify the IT centre", 3, 3), ("Confirm it is cleared", 0, 2)]
    assert (score.points, score.possible, score.percent) == (7, 9, 78)


def test_late_actions_and_skips_cost_points_and_say_why(example):
    scenario = load_scenario(DRILLS / "example_drill.yaml", example)
    score = score_run(drill_run(example, scenario, late=True).log, scenario, example, "en")
    notes = {line.label: (line.points, line.note) for line in score.lines}
    assert notes["Report within 3 minutes"] == (1, "late by 00:30, done at 03:30 (seq 15)")
    assert notes["Explain the cause"] == (0, "late by 00:30, done at 01:30 (seq 6)")
    assert notes["Notify the IT centre"] == (0, "late by 01:30, done at 03:30 (seq 14)")
    verdicts = {line.key: (line.verdict, line.late_by_s) for line in score.lines}
    assert verdicts["expect:explain"] == ("late", 30.0) and verdicts["expect:fixed"] == ("missed", None)
    assert [(p.points, p.note) for p in score.penalties] == [(-1, "the IT line was busy")]
    assert (score.points, score.possible) == (0, 9)
    lines = score_lines(score, "en")
    assert lines[0] == "Drill score: 0/9 (0%)"
    assert "  ½ 1/2  Report within 3 minutes — late by 00:30, done at 03:30 (seq 15)" in lines
    assert any(line.startswith("  − 1  skipped") for line in lines)
    assert score_lines(score, "zh-Hant")[0] == "演練評分: 0/9 (0%)"


def test_the_score_is_read_off_the_compliance_items_plus_the_scenarios_expectations(example):
    """One score model: the run's compliance items and deviations, as its report has them, with each
    expectation an item beside them; every point line is the points of one of those items."""
    from ehplan.engine.fold import states
    from ehplan.report.afteraction import item_namer
    from ehplan.report.compliance import ComplianceBuilder

    scenario = load_scenario(DRILLS / "example_drill.yaml", example)
    log = drill_run(example, scenario, late=True).log
    score = score_run(log, scenario, example, "en")
    builder = ComplianceBuilder(example)
    for entry, before, after in states(log):
        builder.visit(entry, before, after)
    own = builder.finish(after, item_namer(example, "en"))
    assert score.compliance is not None
    assert score.compliance.items[:len(own.items)] == own.items  # the same items as any run's
    assert set(own.deviations) <= set(score.compliance.deviations)
    expected = [(i.ref, i.done, i.evidence) for i in score.compliance.items if i.category == "expectation"]
    seq = {line.key: line.seq for line in score.lines}
    assert expected == [("example_drill/explain", False, (seq["expect:explain"],)),
                        ("example_drill/call_it", False, (seq["expect:call_it"],)),
                        ("example_drill/fixed", False, ())]
    graded = {d.ref: (d.kind, d.grade, d.detail, d.evidence) for d in score.compliance.deviations
              if d.ref.startswith("example_drill/")}
    assert graded == {"example_drill/explain": ("expectation_late", "minor", "late by 00:30", (seq["expect:explain"],)),
                      "example_drill/call_it": ("expectation_late", "minor", "late by 01:30", (seq["expect:call_it"],)),
                      "example_drill/fixed": ("expectation_missed", "major", "", ())}
    refs = {i.ref for i in score.compliance.items}
    assert [line.item for line in score.lines] == ["example/report_3m", "example_drill/explain",
                                                   "example_drill/call_it", "example_drill/fixed"]
    assert all(line.item in refs for line in score.lines)
    (penalty,) = score.penalties
    (skipped,) = [d for d in score.compliance.deviations if d.kind == "skipped"]
    assert penalty.item == skipped.ref == "example/call_it" and penalty.seq == skipped.evidence[-1]
    assert (score.compliance.done, score.compliance.applicable) == (5, 11)
    assert score_lines(score, "en")[-1] == (
        "  Compliance: 5/11 items (45%) — deadlines 0/1 · mandatory steps 2/4 · must before the end 1/1 · "
        "scripts to read 1/1 · required calls 1/1 · the scenario's expectations 0/3")
    assert "out_of_order" in {d.kind for d in score.compliance.deviations}  # the call made after the skip


def test_an_expectation_answered_the_other_way_is_a_wrong_branch_with_its_choice(example):
    scenario = load_scenario(DRILLS / "example_drill.yaml", example)
    run = drill_run(example, scenario, late=False)
    for command in (c.SetField("loss_yuan", "100"), c.SetField("reporter_phone", "110"), c.SetField("place", "1"),
                    c.Continue(), c.Choose("not_fixed")):
        run.do(command)
    score = score_run(run.log, scenario, example, "en")
    assert score.compliance is not None
    (wrong,) = [d for d in score.compliance.deviations if d.kind == "wrong_branch"]
    choice = next(r.seq for r in run.log if r.type == "choice_made")
    assert (wrong.ref, wrong.grade, wrong.detail, wrong.evidence) == ("example_drill/fixed", "major", "Not cleared",
                                                                      (choice,))
    item = next(i for i in score.compliance.items if i.ref == "example_drill/fixed")
    assert not item.done and item.evidence == (choice,)


def test_injects_come_due_by_run_time_and_once(example):
    scenario = load_scenario(DRILLS / "example_drill.yaml", example)
    run = MemoryRun(example, FakeClock(MONDAY))
    run.do(c.StartRun("example", "r", "Ann", "drill", "en", 10, scenario.id))
    assert run.state.scenario == "example_drill" and run.state.clock_scale == 10  # folded from run_started
    assert due_injects(scenario, run.state, 59) == []
    (due,) = due_injects(scenario, run.state, 60)
    run.do(c.DeliverInject(due.id, "Customers queue up.", due.at))
    assert due_injects(scenario, run.state, 299) == []
    assert [i.id for i in due_injects(scenario, run.state, 301)] == ["manager"]


def ehplan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ehplan", *args], capture_output=True, text=True, timeout=60,
                          check=False, stdin=subprocess.DEVNULL)


def test_cli_lists_the_shipped_drills_and_refuses_a_bad_scenario_in_one_line_each():
    done = ehplan("drill", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "hotline_outage" in done.stdout and "Hotline outage on a workday, IT arriving late" in done.stdout
    assert "hotline_holiday          Hotline outage on a public holiday" in done.stdout
    assert "starts 2026-10-02 10:00" in done.stdout
    done = ehplan("drill", str(DRILLS / "no_playbook.yaml"), "--playbooks", str(ROOT / "tests/data/playbooks"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"{DRILLS / 'no_playbook.yaml'}:4:11: playbook 'nowhere' does not exist\n"
    done = ehplan("drill", "no_such_drill")
    assert done.returncode == 2 and "no_such_drill.yaml:1:1: cannot read" in done.stderr


def test_report_scores_a_drill_from_its_log(example, tmp_path):
    from ehplan.session import Session

    scenario = load_scenario(DRILLS / "example_drill.yaml", example)
    clock = FakeClock(MONDAY)
    session = Session.start(example, tmp_path, c.StartRun("example", "d-1", "Ann", "drill", "en", 10, scenario.id),
                            clock)
    session.execute(c.Continue())
    session.execute(c.TickItem("explain"))
    clock.advance(200)
    session.execute(c.Tick())
    session.execute(c.LogContact("it_centre", "no_answer"))
    session.execute(c.LogContact("it_centre", "called"))
    session.execute(c.EndRun(outcome="stopped", confirm=True))
    session.close()
    args = ["report", str(session.path), "--playbooks", str(ROOT / "tests/data/playbooks")]
    done = ehplan(*args, "--scenario", str(DRILLS / "example_drill.yaml"))
    assert done.returncode == 0, done.stderr
    assert "\n\nDrill score: 3/9 (33%)\n  ½ 1/2  Report within 3 minutes — late by 00:20, done at 03:20 (seq 10)\n" \
        in done.stdout
    assert ("  ✓ 2/2  Explain the cause — met at 00:00 (seq 6)\n"
            "  ✗ 0/3  Notify the IT centre — late by 01:20, done at 03:20 (seq 9)\n"
            "  ✗ 0/2  Confirm it is cleared — missed\n") in done.stdout
    assert "Mode      DRILL, clock ×10" in done.stdout
    done = ehplan(*args, "--scenario", str(DRILLS / "bad_shape.yaml"))
    assert done.returncode == 2 and "cannot score the drill" in done.stderr


def test_a_drill_resumes_on_its_own_clock_from_where_its_log_stopped(example, tmp_path):
    from ehplan.engine.clock import ScaledClock
    from ehplan.session import Session

    clock = FakeClock(MONDAY)
    session = Session.start(example, tmp_path, c.StartRun("example", "d", "Ann", "drill", "en", 10, "example_drill"),
                            clock)
    clock.advance(300)  # five drill minutes in
    session.execute(c.Continue())
    session.close()
    stopped = session.state.last_ts
    clock.set(MONDAY + dt.timedelta(seconds=30))  # the wall clock is far behind the drill's
    resumed = Session.resume(example, session.path, clock)
    try:
        assert isinstance(resumed.clock, ScaledClock) and resumed.clock.scale == 10
        (mark,) = [r for r in resumed.records if r.type == "run_resumed"]
        assert mark.data["gap_s"] == 0 and mark.ts == stopped  # never backwards
        clock.advance(6)
        assert resumed.clock.now() \
            == dt.datetime.fromisoformat(stopped) + dt.timedelta(seconds=60)  # 6 s at ×10
    finally:
        resumed.close()


def test_a_simulated_start_makes_the_calendar_rules_apply_and_is_said_in_the_briefing(shipped_library, tmp_path):
    from ehplan.drill import start_instant, start_line
    from ehplan.engine.clock import DrillClock

    holiday = load_scenario(resources.drills_dir() / "hotline_holiday.yaml", shipped_library)
    assert start_line(holiday, shipped_library, "en") == \
        "Simulated start: 2026-10-02 10:00 Friday, a holiday (National Day), daytime"
    assert start_line(holiday, shipped_library, "zh-Hant") == \
        "模擬開始時間：2026-10-02 10:00 星期五，假日（國慶節），白天"
    night = load_scenario(resources.drills_dir() / "gas_leak_call.yaml", shipped_library)
    assert start_line(night, shipped_library, "en") == \
        "Simulated start: 2026-11-30 20:00 Monday, a workday (a weekday), night-time"
    naive = holiday.model_copy(update={"start": dt.datetime(2026, 10, 2, 10, 0)})  # the plan's local time
    assert start_instant(naive, shipped_library) == start_instant(holiday, shipped_library)
    clock = DrillClock(FakeClock(MONDAY), 10, epoch=start_instant(holiday, shipped_library))
    run = MemoryRun(shipped_library, clock)
    run.do(c.StartRun("hotline_system_failure", "r", "Ann", "drill", "en", 10, holiday.id))
    run.do(c.LogContact("group_head", "answered"))
    run.do(c.Continue())
    run.do(c.LogContact("it_centre", "answered"))
    (timer,) = [t for t in run.state.timers.values() if t.timer == "it_on_site"]
    assert timer.duration_s == 45 * 60 and "holiday" in timer.rule  # not the workday's 15


def test_scenario_moments_and_forced_outcomes_are_checked_at_their_place(example):
    assert problems(DRILLS / "bad_inject_shape.yaml", example) == [
        "tests/data/drills/bad_inject_shape.yaml:7:5: an inject needs exactly one of at, when, timer"]
    assert problems(DRILLS / "bad_moments.yaml", example) == [
        "tests/data/drills/bad_moments.yaml:7:34: timer 'nope' does not exist in 'example'",
        "tests/data/drills/bad_moments.yaml:8:33: step 'nowhere' does not exist",
        "tests/data/drills/bad_moments.yaml:10:15: contact 'nobody' does not exist",
        "tests/data/drills/bad_moments.yaml:12:22: step 'gone' does not exist",
        "tests/data/drills/bad_moments.yaml:16:24: timer 'missing' does not exist in 'example'",
    ]
