"""The trainer's console on a drill: pausing stops the drill clock and moves no
inject or deadline; advancing brings what falls due now; an inject sent now
comes once; every action is an event in the drill's log; the console's
control file is the channel, and the end removes it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ehplan.drill import load_scenario
from ehplan.drillrun import Director, control_path, running_drills, send
from ehplan.engine import commands as c
from ehplan.engine.clock import DrillClock, FakeClock, parse_instant
from ehplan.session import Session

ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
SIM = dt.datetime(2026, 10, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_a_paused_drill_clock_stands_still_and_resumes_where_it_stood():
    base = FakeClock(MONDAY)
    clock = DrillClock(base, 10, epoch=SIM)
    base.advance(6)
    assert clock.now() == SIM + dt.timedelta(seconds=60)
    clock.pause()
    base.advance(600)  # ten real minutes of discussion
    assert clock.now() == SIM + dt.timedelta(seconds=60) and clock.paused_for() == 600
    assert clock.resume() == 600
    base.advance(1)
    assert clock.now() == SIM + dt.timedelta(seconds=70)
    clock.advance(300)
    assert clock.now() == SIM + dt.timedelta(seconds=370)
    with pytest.raises(ValueError):
        clock.advance(-1)


@pytest.fixture()
def drill(example_library, tmp_path):  # type: ignore[no-untyped-def]
    scenario = load_scenario(ROOT / "tests/data/drills/example_drill.yaml", example_library)
    base = FakeClock(MONDAY)
    clock = DrillClock(base, 10, epoch=SIM)
    session = Session.start(example_library, tmp_path, c.StartRun("example", "d-1", "Ann", "drill", "en", 10,
                                                                  scenario.id), clock)
    director = Director(scenario, example_library, session, "en")
    director.open_console()
    yield base, session, director
    session.close()


def drill_s(session, ts: str) -> float:  # type: ignore[no-untyped-def]
    return (parse_instant(ts) - session.state.started_at).total_seconds()


def test_pause_moves_no_inject_and_no_deadline(drill):
    base, session, director = drill
    session.execute(c.Continue())  # the 3-minute report starts counting
    (timer,) = [t for t in session.state.timers.values() if t.kind == "deadline"]
    due = timer.due
    base.advance(3)  # drill 00:30
    assert director.tick() == []
    send(session.path, {"action": "pause"})
    (shown,) = director.tick()
    assert shown.kind == "paused" and session.state.paused
    base.advance(900)  # a quarter of an hour of discussion, real time
    assert director.tick() == [] and director.alarms() == []  # nothing came due while paused
    send(session.path, {"action": "resume"})
    director.tick()
    assert not session.state.paused
    base.advance(3)  # drill 01:00: the first inject, at its drill time
    (inject,) = director.tick()
    assert inject.text == "Customers [bold]queue[/bold] up."
    delivered = session.state.injects[-1]
    assert drill_s(session, delivered["ts"]) == 60 and delivered["at_s"] == 60
    assert session.state.timers[timer.key].due == due  # the deadline kept its drill time
    base.advance(11.9)  # drill 02:59: not yet, although 15 real minutes and more have passed
    while director.alarms():
        pass
    assert session.state.timers[timer.key].status == "warned"
    base.advance(0.2)  # drill 03:01: past due, and it expires then
    director.alarms()
    assert session.state.timers[timer.key].status == "expired"
    actions = [(r.data["action"], drill_s(session, r.ts), r.data.get("paused_s")) for r in session.records
               if r.type == "trainer_action"]
    assert actions == [("pause", 30, None), ("resume", 30, 900)]


def test_advance_brings_what_falls_due_and_an_inject_sent_now_comes_once(drill):
    base, session, director = drill
    send(session.path, {"action": "inject", "inject": "manager"})
    send(session.path, {"action": "inject", "text": "The press is at the door."})
    send(session.path, {"action": "advance", "by_s": 60})
    shown = director.tick()
    assert [s.kind for s in shown] == ["inject", "inject", "advanced", "inject"]
    assert shown[-1].text == "Customers [bold]queue[/bold] up."  # due at 1m, brought by the advance
    base.advance(60)  # drill 11:00: past manager's own 5m, which already came
    assert director.tick() == []
    injects = [(i["inject"], i.get("by")) for i in session.state.injects]
    assert injects == [("manager", "trainer"), ("trainer_1", "trainer"), ("queue", None)]


def test_the_end_logs_the_trainer_and_closes_the_channel(drill, tmp_path):
    base, session, director = drill
    assert running_drills(tmp_path) == [session.path]
    send(session.path, {"action": "jump"})
    send(session.path, {"action": "end"})
    shown = director.tick()
    assert [s.kind for s in shown] == ["error", "ended"]
    assert session.state.ended and session.records[-2].type == "trainer_action"
    assert not control_path(session.path).exists() and running_drills(tmp_path) == []
    with pytest.raises(FileNotFoundError):
        send(session.path, {"action": "pause"})


def test_a_control_file_left_by_a_closed_app_is_no_running_drill(drill, tmp_path):
    base, session, director = drill
    assert running_drills(tmp_path) == [session.path]
    session.close()  # the app quit (or was killed): its lock is gone, the control file stays
    assert control_path(session.path).exists() and running_drills(tmp_path) == []


def test_drills_are_logged_apart_and_listed_only_when_asked(example_library, cli, monkeypatch, tmp_path):
    from ehplan import resources

    monkeypatch.setenv("EHPLAN_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("EHPLAN_DRILL_LOG_DIR", raising=False)
    assert resources.drill_log_dir() == tmp_path / "logs" / "drills"
    clock = FakeClock(MONDAY)
    Session.start(example_library, tmp_path / "logs", c.StartRun("example", "live-1", "Ann"), clock).close()
    drill_run = c.StartRun("example", "drill-1", "Ann", "drill", "en", 10, "example_drill")
    Session.start(example_library, resources.drill_log_dir(), drill_run, clock).close()
    code, out = cli("runs", "--data", str(ROOT / "data"))
    assert code == 0 and "1 of 1 run(s)" in out and "live " in out
    code, out = cli("runs", "--drills", "--data", str(ROOT / "data"))
    assert code == 0 and "2 of 2 run(s)" in out and "drill" in out


def test_the_console_reads_one_command_a_line():
    from ehplan.cli.drill_control import _line_action

    assert _line_action("pause") == {"action": "pause"}
    assert _line_action("advance 5m") == {"action": "advance", "by_s": 300}
    assert _line_action("inject hall_calls") == {"action": "inject", "inject": "hall_calls"}
    assert _line_action('say "The press is here."') == {"action": "inject", "text": "The press is here."}
    assert _line_action("say the press, again") == {"action": "inject", "text": "the press, again"}
    assert _line_action("jump") is None and _line_action("pause now") is None and _line_action("") is None


def test_the_holiday_drill_paused_at_minute_12_moves_no_inject_and_no_deadline(shipped_library, tmp_path):
    """The issue's story: the trainer pauses the holiday hotline drill at
    minute 12 for a ten-minute discussion, resumes, sends an extra inject; every
    inject and deadline falls at the same drill time as in an attempt without a
    pause, and the score is the same."""
    import yaml

    from drill_trainee import play
    from ehplan import resources
    from ehplan.drill import score_run

    scenario = load_scenario(resources.drills_dir() / "hotline_holiday.yaml", shipped_library)
    full = yaml.safe_load((ROOT / "tests/data/drill_plays/hotline_holiday.yaml").read_text(encoding="utf-8"))
    plain = full["full"]["play"]
    at = plain.index("wait 30m")
    paused = [*plain[:at], "wait 30s", "pause", "talk 10m", 'say "The press is at the door."', "resume",
              "wait 1770s", *plain[at + 1:]]  # the same drill times as without the pause
    a = play(scenario, shipped_library, tmp_path / "a", plain)
    b = play(scenario, shipped_library, tmp_path / "b", paused)

    def injects(played):  # type: ignore[no-untyped-def]
        return {i["inject"]: drill_s(played.session, i["ts"]) for i in played.session.state.injects}

    def dues(played):  # type: ignore[no-untyped-def]
        return {t.timer: (t.due - played.session.state.started_at).total_seconds()
                for t in played.session.state.timers.values()}

    (pause, resume) = [r for r in b.session.records if r.type == "trainer_action"]
    assert drill_s(b.session, pause.ts) == 12 * 60 and resume.data["paused_s"] == 600
    assert drill_s(b.session, resume.ts) == 12 * 60  # the drill clock stood still
    moved = injects(b)
    assert moved.pop("trainer_1") == 12 * 60
    assert moved == injects(a) and dues(b) == dues(a)
    score_a = score_run(a.session.records, scenario, shipped_library, "en")
    score_b = score_run(b.session.records, scenario, shipped_library, "en")
    assert (score_b.points, score_b.possible) == (score_a.points, score_a.possible) == (18, 18)
    assert [line.label for line in score_b.trainer] == [
        "paused at 12:00 (seq 39)", 'sent "The press is at the door." at 12:00 (seq 40)',
        "resumed at 12:00 after 10:00 (seq 41)"]


def test_a_malformed_trainer_action_is_refused_by_the_event_check():
    from ehplan.engine.events import event_problem

    assert event_problem("trainer_action", {"action": "pause"}) is None
    assert event_problem("trainer_action", {"action": "resume", "paused_s": 600}) is None
    assert event_problem("trainer_action", {"action": "jump"}) == \
        "trainer_action.action must be one of pause, resume, advance, end"
    assert event_problem("trainer_action", {"action": "advance", "by_s": "5m"}) == \
        "trainer_action.by_s must be an integer"
    assert event_problem("inject_delivered", {"inject": "a", "text": "t", "at_s": 1, "by": 3}) == \
        "inject_delivered.by must be a text"


def test_a_live_run_takes_no_trainer_action(example_library, tmp_path):
    from ehplan.engine.messages import Refused

    session = Session.start(example_library, tmp_path, c.StartRun("example", "l-1", "Ann"), FakeClock(MONDAY))
    try:
        with pytest.raises(Refused):
            session.execute(c.TrainerAction("pause"))
        with pytest.raises(Refused):
            session.execute(c.EndRun(trainer=True))  # nor a trainer's end past what must be done
    finally:
        session.close()


def test_injects_come_when_a_timer_warns_or_runs_out(example_library, tmp_path):
    from ehplan.drill import Inject, TimerHook

    scenario = load_scenario(ROOT / "tests/data/drills/example_drill.yaml", example_library)
    text = {"zh-Hant": "甲", "en": "A"}
    scenario = scenario.model_copy(update={"injects": [
        Inject(id="warned", timer=TimerHook(id="report_3m", event="warned"), text=text),
        Inject(id="expired", timer=TimerHook(id="report_3m", event="expired"), after="30s", text=text)]})  # type: ignore[arg-type]
    base = FakeClock(MONDAY)
    session = Session.start(example_library, tmp_path, c.StartRun("example", "d-2", "Ann", "drill", "en", 10,
                                                                  scenario.id), DrillClock(base, 10, epoch=SIM))
    director = Director(scenario, example_library, session, "en")
    try:
        seen: dict[str, float] = {}
        for _ in range(25):  # 250 drill seconds, a tick each real second as in the app
            base.advance(1)
            director.alarms()
            for _shown in director.tick():
                seen.setdefault(session.state.injects[-1]["inject"], director.elapsed())
        warned = next(r for r in session.records if r.type == "timer_warned")
        expired = next(r for r in session.records if r.type == "timer_expired")
        assert seen == {"warned": drill_s(session, warned.ts), "expired": drill_s(session, expired.ts) + 30}
        assert seen["warned"] < 180 < seen["expired"] - 30
    finally:
        session.close()
