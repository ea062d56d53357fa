"""Durability: torn tails at every byte, kill -9 during appends, failing writes
and fsyncs at every call, and a second writer refused while the first holds the file.

None of these tests is timed except for the documented 100 ms lock refusal.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import ehplan
import ehplan.audit.writer as writer_module
from ehplan.audit import (
    AuditRecord,
    AuditWriteError,
    TamperedLogError,
    create_run,
    open_run,
    read_log,
    run_file_name,
    verify_log,
)
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.engine.decide import Refused
from ehplan.engine.fold import fold
from ehplan.library import Library
from ehplan.session import Session

HERE = Path(__file__).resolve().parent
SRC = str(Path(ehplan.__file__).resolve().parents[1])
KILL_CHILD = HERE / "kill_child.py"
TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 28, 13, 5, 7, 123000, tzinfo=TZ)
MONDAY_9AM = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


def line_spans(raw: bytes) -> list[tuple[int, int]]:
    """(start, end) of every complete line, end just past its newline."""
    spans, start = [], 0
    while start < len(raw):
        end = raw.index(b"\n", start) + 1
        spans.append((start, end))
        start = end
    return spans


def torn_path(path: Path) -> Path:
    return path.with_name(path.name + ".torn")


# --- 1. torn tails at every byte offset ------------------------------------------------


@pytest.fixture(scope="module")
def fifty(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[AuditRecord]]:
    """The bytes and records of a 50-record run whose lines differ in length and content."""
    log_dir = tmp_path_factory.mktemp("fifty")
    with create_run(log_dir, "r50", "op", "drill", "run_started", {"pb": "example"}, NOW) as writer:
        for n in range(1, 50):
            writer.append("note", {"n": n, "text": "第" * (n % 7) + "x" * (n % 11), "k": [n, None]}, NOW)
    raw = writer.path.read_bytes()
    records, damage = read_log(writer.path)
    assert damage is None and len(records) == 50 and len(line_spans(raw)) == 50
    return raw, records


def _recover_and_check(path: Path, content: bytes, good: int, kept: int,
                       records: list[AuditRecord]) -> None:
    """Write `content`, expect `open_run` to keep `content[:good]` (`kept` records) and set aside the rest."""
    path.write_bytes(content)
    torn_path(path).unlink(missing_ok=True)
    cut = content[good:]
    before = verify_log(path)
    assert not before.ok and before.torn_tail
    assert (before.records, before.first_bad_seq, before.first_bad_offset) == (kept, kept, good)
    writer, recovery = open_run(path)
    with writer:
        assert recovery is not None
        assert recovery.bytes_set_aside == len(cut)
        assert recovery.sha256 == hashlib.sha256(cut).hexdigest()
        assert recovery.torn_path == torn_path(path)
        assert torn_path(path).read_bytes() == cut  # exactly the cut bytes, nothing more
        assert path.read_bytes() == content[:good]  # cut back to the last good line
        assert writer.next_seq == kept and writer.last_hash == records[kept - 1].hash
        record = writer.append("recovered", {"bytes": recovery.bytes_set_aside,
                                             "sha256": recovery.sha256}, NOW)
    assert record.seq == kept and record.prev == records[kept - 1].hash
    after = verify_log(path)
    assert after.ok and after.records == kept + 1 and after.final_hash == record.hash
    assert read_log(path)[0][:kept] == records[:kept]


def test_torn_tail_at_every_byte_of_the_last_line(
    tmp_path: Path, fifty: tuple[bytes, list[AuditRecord]]
) -> None:
    raw, records = fifty
    path = tmp_path / "20261128T050507Z-r50.jsonl"
    last_start, end = line_spans(raw)[-1]
    assert end == len(raw)
    for cut in range(last_start + 1, len(raw)):  # every offset strictly inside the last line
        _recover_and_check(path, raw[:cut], last_start, 49, records)
    # a cut exactly at the line boundary is a shorter intact log (the documented limit)
    path.write_bytes(raw[:last_start])
    torn_path(path).unlink(missing_ok=True)
    writer, recovery = open_run(path)
    writer.close()
    assert recovery is None and not torn_path(path).exists() and verify_log(path).records == 49


@pytest.mark.parametrize("nuls", [1, 2, 3, 64, 511, 4096, 65536])
def test_nul_padding_is_a_torn_tail(
    tmp_path: Path, fifty: tuple[bytes, list[AuditRecord]], nuls: int
) -> None:
    raw, records = fifty
    path = tmp_path / "20261128T050507Z-r50.jsonl"
    last_start, _ = line_spans(raw)[-1]
    pad = b"\0" * nuls
    # after an intact last line: all 50 records stay
    _recover_and_check(path, raw + pad, len(raw), 50, records)
    # after a cut last line, and NULs where the last line's bytes never arrived
    for cut in (last_start, last_start + 1, (last_start + len(raw)) // 2, len(raw) - 1):
        _recover_and_check(path, raw[:cut] + pad, last_start, 49, records)
        _recover_and_check(path, raw[:cut] + b"\0" * (len(raw) - cut), last_start, 49, records)


def test_cut_inside_an_earlier_line_is_a_torn_tail_of_the_shorter_file(
    tmp_path: Path, fifty: tuple[bytes, list[AuditRecord]]
) -> None:
    raw, records = fifty
    path = tmp_path / "20261128T050507Z-r50.jsonl"
    spans = line_spans(raw)
    rng = random.Random(1)
    for k in range(1, 49):
        start, end = spans[k]
        if k in (1, 24, 48):
            cuts = list(range(start + 1, end))  # every byte of a few lines
        else:
            cuts = sorted({start + 1, (start + end) // 2, end - 1, rng.randrange(start + 1, end)})
        for cut in cuts:
            _recover_and_check(path, raw[:cut], start, k, records)
        _recover_and_check(path, raw[:start + 3] + b"\0" * 40, start, k, records)


def test_cut_inside_the_first_line_leaves_nothing_to_resume(
    tmp_path: Path, fifty: tuple[bytes, list[AuditRecord]]
) -> None:
    raw, _records = fifty
    path = tmp_path / "20261128T050507Z-r50.jsonl"
    _, end = line_spans(raw)[0]
    for cut in range(1, end):
        path.write_bytes(raw[:cut])
        result = verify_log(path)
        assert not result.ok and result.torn_tail and result.records == 0
        with pytest.raises(TamperedLogError):
            open_run(path)
        assert path.read_bytes() == raw[:cut] and not torn_path(path).exists()


# --- 2. kill -9 at random points during appends ------------------------------------------

KILL_ITERATIONS = int(os.environ.get("EHPLAN_KILL_ITERATIONS", "40"))


@dataclass
class KillStats:
    kills: int = 0
    acked: int = 0
    unacked_but_durable: int = 0
    recoveries: int = 0
    killed_before_create: int = 0
    killed_in_create: int = 0
    resumed: int = 0
    fresh: int = 0
    files: set[Path] = field(default_factory=set)


def _spawn_and_kill(log_dir: Path, how: str, what: str, delay: float) -> tuple[Path | None, list[tuple[int, str]]]:
    proc = subprocess.Popen(
        [sys.executable, str(KILL_CHILD), str(log_dir), how, what],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        first = proc.stdout.readline()
        assert first == b"go\n", (first, proc.stderr.read())
        time.sleep(delay)
        proc.kill()  # SIGKILL
        rest = proc.stdout.read()
        err = proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -9, (proc.returncode, err)
    path, acks = None, []
    for line in rest.split(b"\n"):
        if not line:
            continue
        word, _, arg = line.decode("ascii").partition(" ")
        if word == "path":
            path = Path(arg)
        elif word == "ack":
            seq, digest = arg.split(" ")
            acks.append((int(seq), digest))
        else:
            raise AssertionError(f"unexpected message from the child: {line!r}")
    return path, acks


@pytest.mark.parametrize(
    "iterations",
    [pytest.param(KILL_ITERATIONS, id=f"{KILL_ITERATIONS}-kills",
                  marks=[pytest.mark.slow] if KILL_ITERATIONS >= 1000 else [])],
)
def test_kill9_during_appends_loses_no_acknowledged_record(tmp_path: Path, iterations: int) -> None:
    """A child appends and acks each seq after `append` returns; it is SIGKILLed
    0-20 ms after it is ready. Every acked seq (with its hash) must be on disk,
    nothing past the last ack but the one record in flight, and the chain must
    verify after `open_run` recovers any torn tail. Runs alternate between
    resuming the same file and starting a fresh one.

    EHPLAN_KILL_ITERATIONS (default 40) sets the number of kills;
    ``EHPLAN_KILL_ITERATIONS=1000`` runs the full version (marked slow).
    """
    rng = random.Random(20261128 + iterations)
    log_dir = tmp_path / "logs"
    stats = KillStats()
    durable: dict[Path, dict[int, str]] = {}  # every seq -> hash acknowledged so far, per file
    current: Path | None = None
    for i in range(iterations):
        resume = current is not None and i % 3 != 0
        if resume:
            assert current is not None
            how, what, expected = "resume", str(current), current
            base = max(durable[current])
            stats.resumed += 1
        else:
            run_id = f"k{i:05d}"
            how, what, expected = "new", run_id, log_dir / run_file_name(NOW, run_id)
            base = -1
            stats.fresh += 1
        path, acks = _spawn_and_kill(log_dir, how, what, rng.uniform(0, 0.020))
        stats.kills += 1
        stats.acked += len(acks)
        assert path in (None, expected)
        path = expected
        assert [seq for seq, _ in acks] == list(range(base + 1, base + 1 + len(acks)))
        if not path.exists():  # killed before the file was created
            assert not acks and not resume
            stats.killed_before_create += 1
            current = None
            continue
        try:
            writer, recovery = open_run(path)
        except TamperedLogError:
            # killed inside create_run before its first line was whole: nothing acked
            assert not acks and not resume
            assert read_log(path)[0] == []
            stats.killed_in_create += 1
            current = None
            continue
        with writer:
            if recovery is not None:
                stats.recoveries += 1
                assert torn_path(path).is_file()
                writer.append("recovered", {"bytes": recovery.bytes_set_aside,
                                            "sha256": recovery.sha256}, NOW)
        result = verify_log(path)
        assert result.ok, (i, result)
        records, damage = read_log(path)
        assert damage is None
        on_disk = {r.seq: r.hash for r in records}
        known = durable.setdefault(path, {})
        known.update(acks)
        for seq, digest in known.items():
            assert on_disk.get(seq) == digest, f"kill {i}: acknowledged seq {seq} lost or changed"
        child_seqs = [r.seq for r in records if r.seq > base and r.type != "recovered"]
        last_ack = acks[-1][0] if acks else base
        assert child_seqs == list(range(base + 1, base + 1 + len(child_seqs)))
        assert not child_seqs or child_seqs[-1] <= last_ack + 1  # at most the one write in flight
        stats.unacked_but_durable += sum(1 for s in child_seqs if s > last_ack)
        known.update({r.seq: r.hash for r in records})  # whatever is on disk now must stay
        stats.files.add(path)
        current = path
    # every run file of the directory verifies, including its link to the previous run
    for path in sorted(log_dir.glob("*.jsonl")):
        result = verify_log(path)
        assert result.ok or (result.records == 0 and path not in stats.files), (path, result)
    print(f"\nkill -9 x{stats.kills}: {stats.acked} acks, {len(stats.files)} files "
          f"({stats.fresh} fresh / {stats.resumed} resumed spawns), "
          f"{stats.unacked_but_durable} durable-but-unacked records, {stats.recoveries} torn tails, "
          f"{stats.killed_before_create} killed before create, {stats.killed_in_create} inside create")
    assert stats.acked > 0


# --- 3. write / fsync failing at the k-th call -------------------------------------------


class _FailingOs:
    """Stands in for `os` inside ehplan.audit.writer: counts write/fsync calls and
    fails the k-th call of one of them."""

    def __init__(self, fail: str, k: int, code: int) -> None:
        self.fail, self.k, self.code = fail, k, code
        self.writes = 0
        self.fsyncs = 0
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def write(self, fd: int, data: bytes) -> int:
        self.writes += 1
        if self.fail in ("write", "short") and self.writes == self.k:
            self.failed = True
            if self.fail == "write":
                raise OSError(self.code, os.strerror(self.code))
            return os.write(fd, bytes(data)[: max(1, len(data) // 2)])  # half a line reaches the disk
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        self.fsyncs += 1
        if self.fail == "fsync" and self.fsyncs == self.k:
            self.failed = True
            raise OSError(self.code, os.strerror(self.code))
        os.fsync(fd)


Step = c.Command | int  # an int advances the clock by that many seconds

SCRIPT: list[Step] = [
    c.Continue(), c.TickItem("explain"), c.TickItem("divert"), c.AddNote("note 1"), c.Continue(),
    170, c.Tick(), 30, c.Tick(), c.LogContact("it_centre", "answered"), c.Continue(),
    c.SetField("loss_yuan", "6000"), c.SetField("reporter_phone", "13800000000"),
    c.SetField("place", "1"), c.Continue(), c.LogContact("police", "no_answer"),
    c.Override("police line busy"), 1800, c.Tick(), c.Continue(), c.Choose("yes_fixed"),
]
AFTER_FAILURE: list[c.Command] = [
    c.AddNote("after"), c.Continue(), c.Tick(), c.Choose("no such choice"), c.EndRun(confirm=True),
]


def _start(library: Library, log_dir: Path, clock: FakeClock) -> Session:
    return Session.start(library, log_dir, c.StartRun("example", "r1", "op", mode="drill"), clock)


def _run_script(session: Session, clock: FakeClock) -> None:
    for step in SCRIPT:
        if isinstance(step, int):
            clock.advance(step)
        else:
            session.execute(step)


def _count_events(library: Library, tmp_path: Path) -> int:
    clock = FakeClock(MONDAY_9AM)
    session = _start(library, tmp_path / "count", clock)
    _run_script(session, clock)
    session.close()
    assert session.state.step == "done"
    return len(session.records)


def _only_log_file(log_dir: Path) -> Path:
    files = list(log_dir.glob("*.jsonl"))
    assert len(files) == 1
    return files[0]


@pytest.mark.parametrize("fail", ["write", "fsync", "short"])
def test_failure_at_every_call_is_never_acknowledged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example_library: Library, fail: str
) -> None:
    total = _count_events(example_library, tmp_path)  # one write and one fsync per event
    assert total >= 30
    for k in range(1, total + 1):
        code = errno.ENOSPC if k % 2 else errno.EIO
        fake = _FailingOs(fail, k, code)
        log_dir = tmp_path / f"{fail}-{k}"
        clock = FakeClock(MONDAY_9AM)
        with monkeypatch.context() as patch:
            patch.setattr(writer_module, "os", fake)
            try:
                session = _start(example_library, log_dir, clock)
            except AuditWriteError as exc:
                assert fake.failed and k <= 4
                _check_failed_start(log_dir, fake, fail, k, exc)
                continue
            try:
                _run_script(session, clock)
            except AuditWriteError as exc:
                _check_failed_session(session, fake, fail, k, code, exc)
            else:
                raise AssertionError(f"{fail} #{k} of {total} was never reached")
        _check_resumable(example_library, session, fail, clock)


def _check_failed_start(log_dir: Path, fake: _FailingOs, fail: str, k: int, exc: AuditWriteError) -> None:
    if fail == "write" and k == 1:  # not one byte reached the file: no empty run file is left
        assert list(log_dir.glob("*.jsonl")) == [] and list(log_dir.glob("*.lock")) == []
        assert fake.writes == 1 and fake.fsyncs == 0
        return
    path = _only_log_file(log_dir)
    result = verify_log(path)
    if fail == "fsync":  # the line reached the file; it was only never acknowledged
        assert result.ok and result.records == k
    elif k == 1:  # nothing (or half of the first line) reached the file
        assert not result.ok and result.records == 0
        assert result.torn_tail == (fail == "short")
    else:
        assert result.records == k - 1 and result.ok == (fail == "write")
        assert result.torn_tail == (fail == "short")
    assert (fake.writes, fake.fsyncs) == ((k, k - 1) if fail != "fsync" else (k, k))
    # the failed start released the file: it can be reopened at once
    if result.records:
        writer, _recovery = open_run(path)
        writer.close()


def _check_failed_session(session: Session, fake: _FailingOs, fail: str, k: int, code: int,
                          exc: AuditWriteError) -> None:
    assert fake.failed
    assert exc.errno == (errno.EIO if fail == "short" else code)
    assert session.failure is not None and session.writer.failed
    acked = session.records
    failing_seq = k - 1  # the k-th write or fsync belongs to the record with seq k-1
    assert [r.seq for r in acked] == list(range(failing_seq))
    assert session.state.last_seq == failing_seq - 1
    assert session.state == fold(acked)  # the failing event was never folded
    # on disk: the acknowledged records, and for a failed fsync also the unacknowledged line
    path = session.path
    result = verify_log(path)
    records, _damage = read_log(path)
    if fail == "fsync":
        assert result.ok and records[:-1] == acked and records[-1].seq == failing_seq
    elif fail == "write":
        assert result.ok and records == acked
    else:
        assert not result.ok and result.torn_tail and records == acked
        assert result.first_bad_seq == failing_seq
    # alarm state: every later command is refused without touching the file
    before, writes, fsyncs = path.read_bytes(), fake.writes, fake.fsyncs
    for command in AFTER_FAILURE:
        with pytest.raises(AuditWriteError):
            session.execute(command)
    with pytest.raises(AuditWriteError):
        session.writer.append("note_added", {"text": "direct"}, NOW)
    assert path.read_bytes() == before
    assert (fake.writes, fake.fsyncs) == (writes, fsyncs)  # no write, and fsync never retried
    assert fake.writes == k and fake.fsyncs == (k if fail == "fsync" else k - 1)
    assert session.records == acked


def _check_resumable(library: Library, session: Session, fail: str, clock: FakeClock) -> None:
    """After the failure the run can be resumed (torn tail set aside) and verifies."""
    acked = list(session.records)
    session.close()
    resumed = Session.resume(library, session.path, clock)
    try:
        assert resumed.records[: len(acked)] == acked
        assert verify_log(resumed.path).ok
        assert resumed.state == fold(read_log(resumed.path)[0])
        new = resumed.records[len(acked):]
        types = [r.type for r in new]
        if fail == "fsync":  # the unacknowledged line was whole: it is kept, nothing is torn
            assert new[0].seq == len(acked) and types[1] == "run_resumed"
        elif fail == "write":
            assert types[0] == "run_resumed"
        else:
            assert types[:2] == ["recovered", "run_resumed"]
    finally:
        resumed.close()


def test_failed_resume_releases_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example_library: Library
) -> None:
    """A resume whose first or second event cannot be written raises AuditWriteError
    and leaves the file unlocked, so the operator can try again."""
    clock = FakeClock(MONDAY_9AM)
    session = _start(example_library, tmp_path, clock)
    path = session.path
    session.close()
    torn = path.read_bytes() + b'{"v":1,"se'  # a torn tail, so resume writes recovered + run_resumed
    for k in (1, 2):
        for fail in ("write", "fsync", "short"):
            path.write_bytes(torn)
            torn_path(path).unlink(missing_ok=True)
            fake = _FailingOs(fail, k, errno.EIO)
            with monkeypatch.context() as patch:
                patch.setattr(writer_module, "os", fake)
                with pytest.raises(AuditWriteError):
                    Session.resume(example_library, path, clock)
            assert fake.failed
            writer, _recovery = open_run(path)  # not left locked by the failed resume
            writer.close()
            assert verify_log(path).ok
    # resuming an ended run is refused, and that too releases the file
    resumed = Session.resume(example_library, path, clock)
    resumed.execute(c.LogContact("it_centre", "answered"))
    resumed.execute(c.EndRun(confirm=True))
    resumed.close()
    with pytest.raises(Refused):
        Session.resume(example_library, path, clock)
    open_run(path)[0].close()


# --- 5. two writers ------------------------------------------------------------------------

INTRUDER = """
import json, sys, time
from pathlib import Path
from ehplan.audit import LogLockedError, open_run
started = time.monotonic()
try:
    open_run(Path(sys.argv[1]))
except LogLockedError as exc:
    print(json.dumps({"pid": exc.pid, "message": str(exc), "s": time.monotonic() - started}))
else:
    print(json.dumps({"pid": None}))
"""


def test_second_writer_in_another_process_refused_while_the_first_writes(
    tmp_path: Path, example_library: Library
) -> None:
    """This process holds the run (a live Session, mid-run, even with an in-flight
    partial line on disk); another process's open_run is refused within 100 ms,
    naming this pid, and changes nothing: it never cuts the holder's tail."""
    clock = FakeClock(MONDAY_9AM)
    session = _start(example_library, tmp_path, clock)
    try:
        session.execute(c.Continue())
        path = session.path
        for in_flight in (b"", b'{"v":1,"seq":6,"ts":"2026-'):
            with path.open("ab") as handle:
                handle.write(in_flight)
            before = path.read_bytes()
            out = subprocess.run([sys.executable, "-c", INTRUDER, str(path)], capture_output=True,
                                 text=True, env=child_env(), check=True, timeout=60).stdout
            found = json.loads(out)
            assert found["pid"] == os.getpid()
            assert str(os.getpid()) in found["message"]
            assert found["s"] < 0.1
            assert path.read_bytes() == before and not torn_path(path).exists()
        path.write_bytes(before[: -len(b'{"v":1,"seq":6,"ts":"2026-')])
        session.execute(c.TickItem("explain"))  # the holder carries on
        assert verify_log(path).ok
    finally:
        session.close()
