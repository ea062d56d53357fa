"""The replay model: moments (events logged at one instant), the state at each
being the fold of the log up to it, stepping, seeking, playing at a speed."""

from __future__ import annotations

import datetime as dt

import pytest

from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.engine.fold import fold
from ehplan.engine.memory import MemoryRun
from ehplan.engine.replay import SPEEDS, Replay

MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def run(example_library):  # type: ignore[no-untyped-def]
    run = MemoryRun(example_library, FakeClock(MONDAY))
    run.do(c.StartRun("example", "r", "Ann"))  # run_started, timers, step_entered: one moment
    run.clock.advance(10)
    run.do(c.Continue())
    run.clock.advance(5)
    run.do(c.TickItem("explain"))
    run.clock.advance(200)
    run.do(c.Tick())  # the 3-minute report expires
    return run


def test_moments_group_what_was_logged_at_one_instant_and_states_are_prefix_folds(run):
    replay = Replay(run.log)
    assert [m - MONDAY for m in replay.moments] == [dt.timedelta(seconds=s) for s in (0, 10, 15, 215)]
    assert replay.first == 0 and replay.last == 3
    for moment in range(4):
        replay.seek(moment)
        assert replay.state == fold(run.log[:replay.shown])
        assert replay.now() == replay.moments[moment]
    assert replay.state == run.state
    assert replay.last_record.type == "timer_expired"


def test_stepping_and_seeking_stay_inside_the_run(run):
    replay = Replay(run.log)
    assert replay.state.step == "greet"
    replay.step(1)
    assert replay.state.step == "checks"
    replay.step(-1)
    replay.step(-1)  # already at the start: stays
    assert replay.moment == 0 and replay.state.step == "greet"
    replay.seek(99)
    assert replay.moment == 3 and replay.at_end
    replay.step(1)
    assert replay.moment == 3


def test_playing_moves_the_clock_at_the_speed_and_stops_at_the_end(run):
    replay = Replay(run.log)
    replay.speed = 8
    assert not replay.advance(1.0)  # paused: nothing moves
    replay.toggle()
    assert replay.advance(1.25)  # 10 s of the run at ×8: the next moment
    assert replay.moment == 1 and replay.now() == MONDAY + dt.timedelta(seconds=10)
    assert not replay.advance(0.25)  # 2 s more: between moments, same state, clock moved
    assert replay.now() == MONDAY + dt.timedelta(seconds=12) and replay.moment == 1
    replay.step(-1)  # from between moments, back goes to the moment shown
    assert replay.moment == 1 and replay.now() == replay.moments[1] and not replay.playing
    replay.toggle()
    while replay.playing:
        replay.advance(10)
    assert replay.at_end and replay.now() == replay.moments[-1]
    replay.toggle()  # play at the end starts again from the beginning
    assert replay.playing and replay.moment == 0


def test_speeds_step_through_the_list_and_stop_at_its_ends(run):
    replay = Replay(run.log)
    replay.speed = 1
    replay.faster(-1)
    assert replay.speed == 1
    for _ in SPEEDS:
        replay.faster(1)
    assert replay.speed == 64


def test_a_log_that_is_not_a_run_is_refused():
    with pytest.raises(ValueError, match="begins with run_started"):
        Replay([])


def test_a_log_whose_clock_went_backwards_still_plays_every_moment_in_order(run):
    from dataclasses import replace as copy

    log = list(run.log)
    late = MONDAY + dt.timedelta(minutes=5)
    log[-1] = copy(log[-1], ts=(MONDAY - dt.timedelta(minutes=1)).isoformat(timespec="milliseconds"))
    log[3:4] = [copy(record, ts=late.isoformat(timespec="milliseconds")) for record in log[3:4]]
    replay = Replay(log)
    seen = [replay.moment]
    while not replay.at_end:
        replay.step(1)
        seen.append(replay.moment)
    assert seen == list(range(replay.first, replay.last + 1))
    replay.seek(replay.first)
    replay.toggle()
    while replay.playing:
        replay.advance(1)
    assert replay.at_end and replay.state.last_seq == run.state.last_seq and replay.shown == len(log)


def test_a_log_that_ends_before_the_first_step_has_nothing_to_show(run):
    with pytest.raises(ValueError, match="before the run's first step"):
        Replay(run.log[:1])


def test_a_long_run_keeps_a_state_every_checkpoint_only_and_seeks_to_the_right_one(run):
    from ehplan.engine.replay import CHECKPOINT

    for _ in range(300):
        run.clock.advance(1)
        run.do(c.AddNote("n"))
    replay = Replay(run.log)
    assert len(replay._kept) == 1  # opening folds only up to the first step
    for moment in (250, 3, 299, 64, 65, 128, replay.last, 0):
        replay.seek(moment)
        assert replay.state == fold(run.log[:replay.shown])
    assert len(replay._kept) <= replay.last // CHECKPOINT + 1
