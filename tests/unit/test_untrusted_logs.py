"""Logs are read as untrusted data: an intact chain whose content is malformed
(re-hashed honestly by someone who could write the file) gets one line naming
the seq and the member from report, replay, resume and a drill's score, exit
1, never a traceback; a name taken from a log is an id, never a path."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ehplan.audit import GENESIS, verify_log
from ehplan.audit.canonical import canonical_bytes, compute_hash
from ehplan.audit.lock import sidecar_path
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.engine.events import event_problem
from ehplan.engine.fold import MalformedData
from ehplan.library import Library, load_library
from ehplan.session import Session

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = str(ROOT / "tests/data/playbooks")
T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([ROOT / "tests/data/playbooks"], ROOT / "data")


def a_run(library: Library, log_dir: Path, *, end: bool = True, scenario: str | None = None) -> Path:
    clock = FakeClock(T0)
    mode = "drill" if scenario else "live"
    session = Session.start(library, log_dir, c.StartRun("example", "r1", "Ann", mode, "en", 10 if scenario else 1,
                                                         scenario), clock)
    session.execute(c.Continue())
    session.execute(c.AddNote("a note"))
    clock.advance(5)
    if end:
        session.execute(c.LogContact("it_centre", "answered"))
        session.execute(c.EndRun(confirm=True))
    session.close()
    return session.path


def rewrite(path: Path, event_type: str, change: Callable[[dict[str, Any]], None]) -> int:
    """Change the data of the first event of ``event_type`` and re-hash the chain
    honestly: what anyone who can write the file (and holds no key) can do."""
    records = [json.loads(line) for line in path.read_bytes().splitlines()]
    target = next(r for r in records if r["type"] == event_type)
    change(target["data"])
    prev, lines = GENESIS, []
    for record in records:
        body = {k: v for k, v in record.items() if k != "hash"} | {"prev": prev}
        prev = compute_hash(body, None)
        lines.append(canonical_bytes({**body, "hash": prev}) + b"\n")
    path.write_bytes(b"".join(lines))
    assert verify_log(path).chain_ok
    return int(target["seq"])


MALFORMED: dict[str, tuple[str, Callable[[dict[str, Any]], None], str]] = {
    "open not a list": ("run_ended", lambda d: d.update(open="x"), "run_ended.open must be a list of texts"),
    "step missing": ("step_entered", lambda d: d.pop("step"), "step_entered lacks 'step'"),
    "value an object": ("field_set", lambda d: d.update(value={"a": 1}), ""),
    "note a number": ("note_added", lambda d: d.update(text=5), "note_added.text must be a text"),
    "duration a text": ("timer_started", lambda d: d.update(duration_s="180"),
                        "timer_started.duration_s must be an integer"),
    "playbook a path": ("run_started", lambda d: d.update(playbook="../x"), "run_started.playbook must be an id"),
    "scenario a path": ("run_started", lambda d: d.update(scenario="../../../etc/passwd"),
                        "run_started.scenario must be an id"),
    "late a text": ("timer_met", lambda d: d.update(late="yes"), ""),
}


@pytest.mark.parametrize("case", [k for k, v in MALFORMED.items() if v[2]])
@pytest.mark.parametrize("command", ["report", "replay"])
def test_a_malformed_but_intact_log_is_one_line_and_exit_1(case, command, library, tmp_path, cli):
    event_type, change, message = MALFORMED[case]
    path = a_run(library, tmp_path / "logs")
    seq = rewrite(path, event_type, change)
    code, output = cli(command, str(path), "--playbooks", PLAYBOOKS)
    assert code == 1, output
    assert output.count("\n") == 1 and "Traceback" not in output
    assert f"{path}: seq {seq}: {message}" in output


def test_every_malformed_case_is_named(library, tmp_path):
    for case, (event_type, change, message) in MALFORMED.items():
        path = a_run(library, tmp_path / case)
        if event_type == "field_set":  # the example run records no field: check the event alone
            data = {"step": "s", "field": "f", "value": 1}
            change(data)
            assert event_problem("field_set", data) == "field_set.value must be a plain value"
            continue
        if event_type == "timer_met":
            expected = "timer_met.late must be true or false or null"
            assert event_problem("timer_met", {"key": "k", "late": "yes"}) == expected
            continue
        rewrite(path, event_type, change)
        with pytest.raises(MalformedData, match=message):
            from ehplan.audit import read_log
            from ehplan.engine.fold import fold

            fold(read_log(path)[0])


def test_a_malformed_open_run_is_refused_on_resume_and_left_unlocked(library, tmp_path):
    path = a_run(library, tmp_path / "logs", end=False)
    rewrite(path, "note_added", lambda d: d.update(text=["not", "a", "text"]))
    size = path.stat().st_size
    with pytest.raises(MalformedData, match="note_added.text must be a text"):
        Session.resume(library, path, FakeClock(T0 + dt.timedelta(minutes=1)))
    assert path.stat().st_size == size and not sidecar_path(path).exists()


def test_a_scenario_id_from_a_log_is_never_a_path(library, tmp_path, cli):
    path = a_run(library, tmp_path / "logs", scenario="example_drill")
    planted = tmp_path / "planted.yaml"
    planted.write_text((ROOT / "tests/data/drills/example_drill.yaml").read_text())
    rewrite(path, "run_started", lambda d: d.update(scenario=f"../../../../../../..{tmp_path}/planted"))
    code, output = cli("report", str(path), "--playbooks", PLAYBOOKS)
    assert code == 1 and "run_started.scenario must be an id" in output
    assert "score" not in output.lower()
