"""Finding unfinished runs costs what the unfinished runs cost: a closed run is
told from its last line alone, and anything the tail cannot settle (a torn or
edited last line, a very long one) is read whole, as before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ehplan.audit import create_run, find_open_runs
from ehplan.audit import reader as reader_module
from ehplan.audit.reader import ends_closed

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def a_run(log_dir: Path, run_id: str, *, ended: bool, note: str = "hi") -> Path:
    with create_run(log_dir, run_id, "Ann", "live", "run_started", {"playbook": "x"}, T0) as writer:
        writer.append("note_added", {"text": note}, T0)
        if ended:
            writer.append("run_ended", {"outcome": "resolved", "open": [], "step": "done"}, T0)
    return writer.path


def test_a_closed_run_is_told_from_its_tail_and_the_rest_are_read(tmp_path, monkeypatch):
    log_dir = tmp_path / "logs"
    closed = a_run(log_dir, "a", ended=True)
    still_open = a_run(log_dir, "b", ended=False)
    long_closed = a_run(log_dir, "c", ended=True, note="燃" * 4000)
    assert ends_closed(closed) and ends_closed(long_closed) and not ends_closed(still_open)
    read = []
    real_read = reader_module.read_log
    monkeypatch.setattr(reader_module, "read_log", lambda path, key=None: read.append(path) or real_read(path, key))
    assert find_open_runs(log_dir) == [still_open]
    assert read == [still_open]  # the closed ones were never read whole


@pytest.mark.parametrize("damage", ["torn after the end", "edited end", "no newline"])
def test_a_tail_that_cannot_settle_it_is_read_whole(tmp_path, damage):
    log_dir = tmp_path / "logs"
    path = a_run(log_dir, "a", ended=True)
    raw = path.read_bytes()
    if damage == "torn after the end":
        path.write_bytes(raw + b'{"v":1,"seq":3')
    elif damage == "edited end":
        path.write_bytes(raw.replace(b'"resolved"', b'"escalated"'))
    else:
        path.write_bytes(raw[:-1])
    assert not ends_closed(path)
    # read whole: the valid prefix ends with run_ended only when the cut was the torn extra line
    expected = [] if damage == "torn after the end" else [path]
    assert find_open_runs(log_dir) == expected
