"""The chain checked aside (a forked child) while the parent reads and folds
the same bytes: every log, intact or not, gives what the one-process pass
gives — the same records folded, the same verdict, the same line and exit
code — and where a fork is unavailable or the child fails, the parent checks
the chain itself."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ehplan.audit import GENESIS, aside, verify
from ehplan.audit.canonical import canonical_bytes, compute_hash
from ehplan.audit.chain import StreamScan
from ehplan.audit.record import FORMAT_VERSION, format_ts
from ehplan.verified import LogRefused, VerifiedRun, load_verified

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
NOTES = 60


def _body(seq: int, event_type: str, data: dict[str, Any], prev: str) -> dict[str, Any]:
    return {"v": FORMAT_VERSION, "seq": seq, "ts": format_ts(T0 + dt.timedelta(seconds=seq)), "run": "r1",
            "operator": "Ann", "mode": "live", "type": event_type, "data": data, "prev": prev, "alg": "sha256"}


@functools.cache
def _head() -> tuple[tuple[str, dict[str, Any]], ...]:
    """A real run's first events (the example playbook started through the engine)."""
    from ehplan.engine import commands as c
    from ehplan.engine.clock import FakeClock
    from ehplan.engine.memory import MemoryRun
    from ehplan.library import load_library

    root = Path(__file__).resolve().parents[3]
    run = MemoryRun(load_library([root / "tests" / "data" / "playbooks"], root / "data"), FakeClock(T0))
    run.do(c.StartRun("example", "r1", "Ann"))
    return tuple((e.type, {**e.data, "prev_run": None} if e.type == "run_started" else dict(e.data))
                 for e in run.log)


def _events() -> list[tuple[str, dict[str, Any]]]:
    events = [(event_type, dict(data)) for event_type, data in _head()]
    for i in range(NOTES):
        if i % 4:
            events.append(("note_added", {"text": f"note {i}", "step": "checks"}))
        else:
            events.append(("contact_logged", {"contact": "it_centre", "number": None, "outcome": "no_answer",
                                              "step": "checks"}))
    return events


def write_log(path: Path, events: list[tuple[str, dict[str, Any]]]) -> list[bytes]:
    """A log of ``events``, hashed and chained honestly; its lines."""
    prev, lines = GENESIS, []
    for seq, (event_type, data) in enumerate(events):
        body = _body(seq, event_type, data, prev)
        prev = compute_hash(body, None)
        lines.append(canonical_bytes({**body, "hash": prev}) + b"\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(lines))
    return lines


def _intact(path: Path) -> None:
    write_log(path, _events())


def _tampered_middle(path: Path) -> None:
    lines = write_log(path, _events())
    lines[30] = lines[30].replace(b"note", b"NOTE", 1)
    path.write_bytes(b"".join(lines))


def _torn_no_newline(path: Path) -> None:
    _intact(path)
    with path.open("ab") as handle:
        handle.write(b'{"v":1,"seq":')


def _torn_bad_hash(path: Path) -> None:
    lines = write_log(path, _events())
    lines[-1] = lines[-1].replace(b"note", b"nite", 1)
    path.write_bytes(b"".join(lines))


def _malformed(path: Path) -> None:
    events = _events()
    events[17] = ("note_added", {"text": 5, "step": "checks"})
    write_log(path, events)


def _malformed_after_tamper(path: Path) -> None:
    events = _events()
    events[40] = ("note_added", {"text": 5, "step": "checks"})
    lines = write_log(path, events)
    lines[20] = lines[20].replace(b"Ann", b"Bob", 1)
    path.write_bytes(b"".join(lines))


def _malformed_last(path: Path) -> None:
    events = _events()
    events[-1] = ("note_added", {"text": 5, "step": "checks"})
    write_log(path, events)


def _not_a_run(path: Path) -> None:
    write_log(path, _events()[1:])


def _unknown_type(path: Path) -> None:
    events = _events()
    events[10] = ("no_such_event", {})
    write_log(path, events)


def _joined_lines(path: Path) -> None:
    lines = write_log(path, _events())
    path.write_bytes(b"".join(lines[:-2]) + lines[-2].rstrip(b"\n") + lines[-1])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


LOGS: dict[str, Callable[[Path], None]] = {
    "intact": _intact, "tampered in the middle": _tampered_middle, "torn, no newline": _torn_no_newline,
    "torn, last hash wrong": _torn_bad_hash, "malformed at seq 17": _malformed,
    "malformed after a tampered line": _malformed_after_tamper, "malformed last line": _malformed_last,
    "not a run": _not_a_run, "unknown event type": _unknown_type, "two lines joined": _joined_lines,
    "empty": _empty,
}


def _outcome(path: Path) -> tuple[Any, ...]:
    """Everything a reader gets of a load: the run, or the refusal's line and code."""
    seen: list[tuple[int, int, int]] = []
    try:
        run: VerifiedRun = load_verified(path, None, "no report from an edited log",
                                         lambda entry, before, after: seen.append(
                                             (entry.seq, before.last_seq, after.last_seq)))
    except LogRefused as refused:
        return ("refused", refused.message, refused.code)
    return ("run", run.count, run.integrity, run.final_hash, [(e.seq, e.event) for e in run.entries],
            run.state.last_seq, len(run.state.notes), len(run.state.contacts), seen)


@pytest.fixture
def forced(monkeypatch: pytest.MonkeyPatch) -> None:
    """The aside path for every log, however short, even where another thread
    runs (pytest-xdist's worker has some: the child here only scans and leaves)."""
    monkeypatch.setattr(verify, "ASIDE_MIN_BYTES", 0)
    monkeypatch.setattr(verify, "can_check_aside", lambda: hasattr(os, "fork") and (os.cpu_count() or 1) >= 2)


def _serial(monkeypatch: pytest.MonkeyPatch, path: Path) -> tuple[Any, ...]:
    with monkeypatch.context() as patch:
        patch.setattr(verify, "ASIDE_MIN_BYTES", 1 << 62)
        return _outcome(path)


@pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs os.fork and two cores")
def test_the_aside_path_is_taken_when_forced(forced: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    made: list[int] = []
    original = aside.ChainCheck.__init__

    def counting(self: aside.ChainCheck, raw: bytes, key: bytes | None) -> None:
        original(self, raw, key)
        made.append(self.pid)

    monkeypatch.setattr(aside.ChainCheck, "__init__", counting)
    path = tmp_path / "run.jsonl"
    _intact(path)
    assert _outcome(path)[0] == "run"
    assert len(made) == 1 and made[0] > 0 and made[0] != os.getpid()


@pytest.mark.parametrize("name", sorted(LOGS))
def test_aside_agrees_with_the_one_pass(forced: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        name: str) -> None:
    path = tmp_path / "run.jsonl"
    LOGS[name](path)
    assert _outcome(path) == _serial(monkeypatch, path)


def test_a_tampered_line_in_the_middle_is_said_at_its_seq(forced: None, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _tampered_middle(path)
    outcome = _outcome(path)
    assert outcome[0] == "refused" and outcome[2] == 1
    assert "NOT intact at seq 30: hash mismatch; no report from an edited log" in outcome[1]


def test_malformed_but_intact_gets_its_one_line(forced: None, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _malformed(path)
    assert _outcome(path) == ("refused", f"{path}: seq 17: note_added.text must be a text", 1)


def test_an_edit_is_said_before_malformed_content(forced: None, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _malformed_after_tamper(path)
    outcome = _outcome(path)
    assert outcome[0] == "refused" and "NOT intact at seq 20" in outcome[1]


@pytest.mark.parametrize("how", ["no fork", "fork fails", "child fails", "a thread runs"])
def test_without_a_child_the_parent_checks_the_chain(forced: None, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path, how: str) -> None:
    import threading

    results = {}
    for name in ("intact", "tampered in the middle", "torn, last hash wrong"):
        path = tmp_path / name / "run.jsonl"
        path.parent.mkdir()
        LOGS[name](path)
        results[name] = (path, _serial(monkeypatch, path))
    stop = threading.Event()
    with monkeypatch.context() as patch:
        if how == "no fork":
            patch.delattr(os, "fork")
        elif how == "fork fails":
            def refuse() -> int:
                raise OSError(11, "Resource temporarily unavailable")
            patch.setattr(os, "fork", refuse)
        elif how == "child fails":
            patch.setattr(aside, "scan_lines", _child_crash(aside.scan_lines))
        else:
            patch.setattr(verify, "can_check_aside", aside.can_check_aside)  # the real rule
            threading.Thread(target=stop.wait, daemon=True).start()
            patch.setattr(aside.ChainCheck, "__init__", _never)
        try:
            for path, expected in results.values():
                assert _outcome(path) == expected
        finally:
            stop.set()


def _never(*args: Any) -> None:
    raise AssertionError("no fork while another thread runs")


def _child_crash(scan: Callable[..., StreamScan]) -> Callable[..., StreamScan]:
    parent = os.getpid()

    def crashing(*args: Any, **kwargs: Any) -> StreamScan:
        if os.getpid() != parent:
            raise MemoryError("the child runs out")
        return scan(*args, **kwargs)

    return crashing


def test_a_reader_raising_on_a_verified_line_raises(forced: None, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _intact(path)

    def keep(record: dict[str, Any]) -> None:
        if record["seq"] == 25:
            raise RuntimeError("the reader's own fault")

    with pytest.raises(RuntimeError, match="the reader's own fault"):
        verify.verify_reading(path, None, keep, aside=True)


def test_a_reader_raising_after_the_fault_is_not_raised(forced: None, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _tampered_middle(path)
    kept: list[int] = []

    def keep(record: dict[str, Any]) -> None:
        kept.append(record["seq"])
        if record["seq"] == 45:
            raise RuntimeError("never seen: the log is refused at seq 30")

    result = verify.verify_reading(path, None, keep, aside=True)
    assert (result.ok, result.first_bad_seq, result.records) == (False, 30, 30)
    assert kept[:30] == list(range(30))


def test_the_two_sides_disagreeing_is_refused(forced: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _intact(path)
    original = aside.ChainCheck.result

    def short(self: aside.ChainCheck) -> StreamScan:
        scan = original(self)
        return StreamScan(scan.count - 1, scan.first, scan.last, scan.good_length, None)

    monkeypatch.setattr(aside.ChainCheck, "result", short)
    outcome = _outcome(path)
    assert outcome[0] == "refused" and outcome[2] == 2 and "cannot read this log" in outcome[1]
