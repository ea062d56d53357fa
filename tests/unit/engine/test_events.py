"""Typed events: every event the engine writes reads back as the same typed
event and the same data (the log's format does not change), a real log on disk
reads back member for member, and a malformed member is named with its seq."""

from __future__ import annotations

import datetime as dt

import pytest
from walker import explore, start

from ehplan.audit import read_log
from ehplan.engine import commands as c
from ehplan.engine import events as ev
from ehplan.engine.clock import FakeClock
from ehplan.engine.fold import apply, fold
from ehplan.session import Session

MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_every_event_a_walk_writes_round_trips_through_its_type(example_library):
    run = start(example_library, "example", MONDAY)
    walks = explore(run, limit=12)
    seen: set[str] = set()
    for walk in walks:
        walk.run.do(c.AddNote("after the end"))
        for record in walk.run.log:
            event = ev.parse_event(record.type, record.data)
            assert type(event) is ev.EVENT_CLASSES[record.type] and event.TYPE == record.type
            assert event.to_data() == record.data, record
            assert type(event).from_data(event.to_data()) == event
            seen.add(record.type)
    assert {ev.RUN_STARTED, ev.STEP_ENTERED, ev.CHOICE_MADE, ev.FIELD_SET, ev.TIMER_STARTED, ev.TIMER_MET,
            ev.RUN_ENDED} <= seen


def test_a_log_on_disk_reads_back_as_the_events_written_member_for_member(example_library, tmp_path):
    """Through the real writer (which adds prev_run): the bytes on disk are what to_data gave."""
    clock = FakeClock(MONDAY)
    log_dir = tmp_path / "logs"
    session = Session.start(example_library, log_dir, c.StartRun("example", "r1", "Ann", lang="en"), clock)
    for command in (c.Continue(), c.AddNote("a\nnote"), c.LogContact("it_centre", "no_answer"),
                    c.LogContact("it_centre", "answered")):
        session.execute(command)
    clock.advance(400)
    session.execute(c.Tick())
    session.execute(c.EndRun(confirm=True))
    session.close()
    records, damage = read_log(session.path)
    assert damage is None and len(records) > 8
    for record in records:
        event = ev.parse_event(record.type, record.data)
        assert event.to_data() == record.data, record
    assert records[0].data["prev_run"] is None and "prev_run" in ev.parse_event(
        records[0].type, records[0].data).to_data()


def test_a_correction_keeps_a_previous_value_apart_from_none():
    first = ev.FieldSet.from_data({"step": "s", "field": "f", "value": 1})
    assert not first.corrected and "previous" not in first.to_data()
    fixed = ev.FieldSet.from_data({"step": "s", "field": "f", "value": 2, "previous": None})
    assert fixed.corrected and fixed.previous is None and fixed.to_data()["previous"] is None


@pytest.mark.parametrize(("event_type", "data", "message"), [
    ("run_ended", {"outcome": "x", "open": "x"}, "run_ended.open must be a list of texts"),
    ("step_entered", {"playbook": "p", "via": "next"}, "step_entered lacks 'step'"),
    ("playbook_switched", {"to": "p", "from": 3}, "playbook_switched.from must be a text or null"),
    ("inject_delivered", {"inject": "i", "text": {"en": 1}, "at_s": 0},
     "inject_delivered.text must be a text or a map of texts"),
])
def test_a_malformed_member_is_named_with_its_seq(event_type, data, message):
    assert ev.event_problem(event_type, data) == message
    with pytest.raises(ev.MalformedData, match=f"^seq 0: {message}$"):
        apply(fold([]), ev.Logged(0, "2026-11-30T09:00:00.000+08:00", event_type, data))


def test_an_unknown_type_is_named_and_newer_members_are_allowed():
    with pytest.raises(ev.FoldError, match="unknown event type 'teleported'"):
        ev.parse_event("teleported", {})
    assert ev.event_problem("note_added", {"text": "x", "mood": "calm"}) is None
