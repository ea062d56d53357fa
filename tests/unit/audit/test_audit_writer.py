"""Writing runs: records, canonical lines, durability and failure handling."""

from __future__ import annotations

import errno
import json
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ehplan.audit import (
    GENESIS,
    AuditRecord,
    AuditWriteError,
    AuditWriter,
    create_run,
    find_open_runs,
    read_log,
    verify_log,
)

TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 28, 13, 5, 7, 123456, tzinfo=TZ)


def new_run(log_dir: Path, run_id: str = "r1", now: datetime = NOW, **kw: Any) -> AuditWriter:
    return create_run(log_dir, run_id, "op-1", "live", "run_started", {"pb": "gas"}, now, **kw)


def test_round_trip(tmp_path: Path) -> None:
    with new_run(tmp_path / "logs") as writer:
        second = writer.append("note", {"text": "燃氣 [bold]x[/]", "n": [1, None, True]}, NOW)
        assert writer.next_seq == 2 and writer.records_written == 2
        assert writer.last_hash == second.hash
    records, damage = read_log(writer.path)
    assert damage is None
    assert [r.seq for r in records] == [0, 1]
    assert records[0].prev == GENESIS and records[1].prev == records[0].hash
    assert records[0].data == {"pb": "gas", "prev_run": None}
    assert records[1] == second
    assert records[1].ts == "2026-11-28T13:05:07.123+08:00"
    assert (records[1].run, records[1].operator, records[1].mode) == ("r1", "op-1", "live")
    assert verify_log(writer.path).ok


def test_file_name_and_modes(tmp_path: Path) -> None:
    log_dir = tmp_path / "a" / "logs"
    with new_run(log_dir, "drill-7") as writer:
        assert writer.path.name == "20261128T050507Z-drill-7.jsonl"
        assert stat.S_IMODE(writer.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700
        assert (log_dir / (writer.path.name + ".lock")).read_text() == f"{os.getpid()}\n"
    assert not (log_dir / (writer.path.name + ".lock")).exists()


def test_line_is_canonical_json(tmp_path: Path) -> None:
    with new_run(tmp_path) as writer:
        record = writer.append("note", {"z": 1, "a": "é\x1b\u202e😀"}, NOW)
    lines = writer.path.read_bytes().split(b"\n")
    parsed = json.loads(lines[1])
    rule = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert lines[1] == rule.encode("ascii") == record.to_line()[:-1]
    assert writer.path.read_bytes().isascii()
    body = {k: v for k, v in parsed.items() if k != "hash"}
    from hashlib import sha256

    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert parsed["hash"] == sha256(canon.encode()).hexdigest()
    assert AuditRecord.from_dict(parsed) == record


@pytest.mark.parametrize(
    "data",
    [{"x": 1.5}, {"a": [1, {"b": 0.0}]}, {"n": float("nan")}, {"t": (1, 2)}, {1: "a"}],
)
def test_bad_values_refused_before_writing(tmp_path: Path, data: dict[Any, Any]) -> None:
    with new_run(tmp_path) as writer:
        before = writer.path.read_bytes()
        with pytest.raises(ValueError):
            writer.append("note", data, NOW)
        assert writer.path.read_bytes() == before
        assert not writer.failed and writer.next_seq == 1


def test_float_in_first_record_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        create_run(tmp_path, "r1", "op", "live", "run_started", {"x": 2.0}, NOW)
    with pytest.raises(ValueError):
        create_run(tmp_path, "r1", "op", "party", "run_started", {}, NOW)
    with pytest.raises(ValueError):
        create_run(tmp_path, "../evil", "op", "live", "run_started", {}, NOW)
    assert list(tmp_path.iterdir()) == []


def test_naive_datetime_refused(tmp_path: Path) -> None:
    with new_run(tmp_path) as writer, pytest.raises(ValueError):
        writer.append("note", {}, datetime(2026, 1, 1))


def test_fsync_before_append_returns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync
    synced: list[int] = []

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    writer = new_run(tmp_path)
    assert len(synced) >= 2  # the file and the directory
    count = len(synced)
    writer.append("note", {}, NOW)
    assert len(synced) == count + 1
    writer.close()


def _failing(monkeypatch: pytest.MonkeyPatch, name: str, writer: AuditWriter, code: int) -> None:
    real = getattr(os, name)
    log_fd = writer._fd

    def fake(fd: int, *args: Any) -> Any:
        if fd == log_fd:
            raise OSError(code, os.strerror(code))
        return real(fd, *args)

    monkeypatch.setattr(os, name, fake)


def _count_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    real = os.fsync
    calls: list[int] = []

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    return calls


def test_enospc_fails_writer_for_good(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = new_run(tmp_path)
    before = writer.path.read_bytes()
    fsyncs = _count_fsyncs(monkeypatch)
    _failing(monkeypatch, "write", writer, errno.ENOSPC)
    with pytest.raises(AuditWriteError) as info:
        writer.append("note", {"a": 1}, NOW)
    assert info.value.errno == errno.ENOSPC
    assert writer.failed and writer.next_seq == 1
    assert fsyncs == []  # a failed write is never followed by an fsync
    monkeypatch.undo()
    with pytest.raises(AuditWriteError) as again:
        writer.append("note", {"a": 2}, NOW)
    assert again.value.errno == errno.ENOSPC
    assert writer.path.read_bytes() == before
    writer.close()


def test_fsync_error_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = new_run(tmp_path)
    log_fd = writer._fd
    calls: list[int] = []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(AuditWriteError) as info:
        writer.append("note", {}, NOW)
    assert info.value.errno == errno.EIO
    with pytest.raises(AuditWriteError):
        writer.append("note", {}, NOW)
    assert calls == [log_fd]
    assert writer.failed
    writer.close()


def test_prev_run_links_to_last_sorted_file(tmp_path: Path) -> None:
    with new_run(tmp_path, "a") as first:
        last = first.append("run_ended", {}, NOW)
    with new_run(tmp_path, "b", NOW + timedelta(minutes=1)) as second:
        pass
    records, _ = read_log(second.path)
    assert records[0].data["prev_run"] == {"file": first.path.name, "hash": last.hash}
    result = verify_log(second.path)
    assert result.ok and result.prev_run_ok is True
    first.path.unlink()
    result = verify_log(second.path)
    assert not result.ok and result.chain_ok and result.prev_run_ok is False
    assert result.reason == "previous run file missing or altered"


def test_existing_name_is_a_write_error(tmp_path: Path) -> None:
    new_run(tmp_path).close()
    with pytest.raises(AuditWriteError) as info:
        new_run(tmp_path)
    assert info.value.errno == errno.EEXIST


def test_space_and_close(tmp_path: Path) -> None:
    writer = new_run(tmp_path)
    assert writer.free_bytes() > 0
    assert writer.low_space == (writer.free_bytes() < 50 * 1024 * 1024)
    writer.close()
    writer.close()
    with pytest.raises(AuditWriteError):
        writer.append("note", {}, NOW)


def test_find_open_runs(tmp_path: Path) -> None:
    assert find_open_runs(tmp_path / "none") == []
    with new_run(tmp_path, "done") as done:
        done.append("run_ended", {}, NOW)
    with new_run(tmp_path, "old", NOW + timedelta(seconds=1)):
        pass
    with new_run(tmp_path, "new", NOW + timedelta(seconds=2)) as newest:
        newest.append("note", {}, NOW)
    (tmp_path / "x.jsonl.torn").write_bytes(b"junk")
    names = [p.name.split("-", 1)[1] for p in find_open_runs(tmp_path)]
    assert names == ["new.jsonl", "old.jsonl"]
