"""One verified load: records, integrity and the folded state of a run's log,
or one line and the exit code it deserves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.session import Session
from ehplan.verified import LogRefused, load_verified

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def test_a_verified_run_carries_its_state(example_library, tmp_path):
    clock = FakeClock(T0)
    start = c.StartRun("example", "d1", "Ann", "drill", "en", 10, "example_drill")
    session = Session.start(example_library, tmp_path / "logs", start, clock)
    session.execute(c.Continue())
    session.close()
    run = load_verified(session.path, None, "no report")
    assert [r.seq for r in run.records] == list(range(len(session.records)))
    assert run.integrity.ok and not run.torn_tail
    assert (run.state.scenario, run.state.lang, run.state.mode) == ("example_drill", "en", "drill")
    assert set(run.state.playbook_versions) == {"example"}
    with session.path.open("ab") as handle:
        handle.write(b'{"torn')
    assert load_verified(session.path, None, "no report").torn_tail


@pytest.mark.parametrize("damage, code, words", [
    ("missing", 2, "unreadable"),
    ("edited", 1, "NOT intact at seq 0"),
    ("keyed", 2, "keyed log (hmac-sha256)"),
])
def test_a_log_that_cannot_be_used_is_one_line_and_a_code(example_library, tmp_path, damage, code, words):
    clock = FakeClock(T0)
    key = b"k" if damage == "keyed" else None
    session = Session.start(example_library, tmp_path / "logs", c.StartRun("example", "r", "Ann"), clock, key=key)
    session.execute(c.Continue())
    session.close()
    path: Path = session.path
    if damage == "missing":
        path = path.with_name("gone.jsonl")
    elif damage == "edited":
        path.write_bytes(path.read_bytes().replace(b'"Ann"', b'"Bob"', 1))
    with pytest.raises(LogRefused) as refused:
        load_verified(path, None, "no report from an edited log")
    assert refused.value.code == code and words in refused.value.message and "\n" not in refused.value.message
