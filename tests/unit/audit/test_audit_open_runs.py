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


def test_the_memo_spares_closed_runs_their_tails_and_never_hides_a_changed_file(tmp_path, monkeypatch):
    log_dir, memo = tmp_path / "logs", tmp_path / "cache" / "closed.json"
    closed = a_run(log_dir, "a", ended=True)
    still_open = a_run(log_dir, "b", ended=False)
    assert find_open_runs(log_dir, memo) == [still_open]
    assert memo.stat().st_mode & 0o777 == 0o600 and closed.name in memo.read_text()
    tails: list[Path] = []
    real_tail = reader_module.ends_closed
    monkeypatch.setattr(reader_module, "ends_closed", lambda path: tails.append(path) or real_tail(path))
    assert find_open_runs(log_dir, memo) == [still_open]
    assert tails == [still_open]  # the closed run was taken from the memo
    # The closed run's file changes (a line appended after its end): it is looked at again.
    raw = closed.read_bytes()
    closed.write_bytes(raw + raw.splitlines(keepends=True)[1])
    tails.clear()
    assert find_open_runs(log_dir, memo) == [still_open]  # read whole: its valid records end with run_ended
    assert closed in tails
    # A memo that is not ehplan's (garbage, or marks of another file) is not trusted.
    memo.write_text('{"%s": [1, 2, 3]}' % still_open.name)
    assert find_open_runs(log_dir, memo) == [still_open]
    memo.write_text("[1, 2")
    assert find_open_runs(log_dir, memo) == [still_open]


def test_the_first_record_is_read_from_the_first_line_alone(tmp_path):
    from ehplan.audit.reader import first_record

    path = a_run(tmp_path / "logs", "a", ended=True)
    first = first_record(path)
    assert first is not None and first["type"] == "run_started" and first["data"]["playbook"] == "x"
    assert first["mode"] == "live"
    path.write_bytes(path.read_bytes().replace(b'"playbook":"x"', b'"playbook":"y"', 1))
    assert first_record(path) is None  # an edited first line is no record
    assert first_record(tmp_path / "none.jsonl") is None
