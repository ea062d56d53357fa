"""Resuming a run: torn final lines are set aside, damage elsewhere is tampering."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ehplan.audit import (
    TamperedLogError,
    create_run,
    open_run,
    read_log,
    verify_log,
)

NOW = datetime(2026, 11, 28, 13, 5, 7, 123000, tzinfo=timezone(timedelta(hours=8)))
KEY = b"k3y"


def make_log(tmp_path: Path, lines: int = 5, key: bytes | None = None) -> Path:
    with create_run(tmp_path, "r1", "op", "drill", "run_started", {}, NOW, key) as writer:
        for n in range(1, lines):
            writer.append("note", {"n": n, "text": "第" + str(n)}, NOW)
    return writer.path


def line_starts(raw: bytes) -> list[int]:
    starts = [0]
    for index, byte in enumerate(raw[:-1]):
        if byte == 0x0A:
            starts.append(index + 1)
    return starts


def test_intact_log_resumes_without_recovery(tmp_path: Path) -> None:
    path = make_log(tmp_path)
    writer, recovery = open_run(path)
    assert recovery is None
    assert writer.next_seq == 5
    record = writer.append("note", {}, NOW)
    assert (record.run, record.operator, record.mode) == ("r1", "op", "drill")
    writer.close()
    assert verify_log(path).records == 6


@pytest.mark.parametrize(
    "damage",
    ["cut", "nul", "nul_only", "garbage_line", "bad_hash"],
)
def test_torn_tail_set_aside_and_chain_continues(tmp_path: Path, damage: str) -> None:
    path = make_log(tmp_path)
    raw = path.read_bytes()
    last_start = line_starts(raw)[-1]
    good, last = raw[:last_start], raw[last_start:]
    tails = {
        "cut": last[:40],
        "nul": last[:40] + b"\0" * 100,
        "nul_only": last + b"\0" * 100,
        "garbage_line": last.replace(b'"n":4', b'"n":'),
        "bad_hash": last.replace(b'"n":4', b'"n":5'),
    }
    kept = good if damage != "nul_only" else raw
    torn = tails[damage][len(kept) - len(good) :] if damage == "nul_only" else tails[damage]
    path.write_bytes(good + tails[damage])
    result = verify_log(path)
    assert not result.ok and result.torn_tail
    writer, recovery = open_run(path)
    assert recovery is not None
    assert recovery.bytes_set_aside == len(torn)
    assert recovery.sha256 == hashlib.sha256(torn).hexdigest()
    assert recovery.torn_path == path.with_name(path.name + ".torn")
    assert recovery.torn_path.read_bytes() == torn
    assert path.read_bytes() == kept
    writer.append("recovered", {"bytes": recovery.bytes_set_aside, "sha256": recovery.sha256}, NOW)
    writer.close()
    assert verify_log(path).ok


def test_torn_file_is_appended_to(tmp_path: Path) -> None:
    path = make_log(tmp_path)
    torn_path = path.with_name(path.name + ".torn")
    torn_path.write_bytes(b"earlier\n")
    with path.open("ab") as handle:
        handle.write(b'{"v":1,"se')
    writer, recovery = open_run(path)
    writer.close()
    assert recovery is not None
    assert torn_path.read_bytes() == b'earlier\n{"v":1,"se'


@pytest.mark.parametrize(
    ("edit", "seq", "reason"),
    [
        (lambda ls: ls[:2] + [ls[2].replace(b'"n":2', b'"n":7')] + ls[3:], 2, "hash mismatch"),
        (lambda ls: ls[:2] + ls[3:], 2, "seq 3 follows 1"),
        (lambda ls: ls[:1] + [ls[2], ls[1]] + ls[3:], 1, "seq 2 follows 0"),
        (lambda ls: ls[:3] + [b"\n"] + ls[3:], 3, "not valid JSON"),
    ],
)
def test_damage_before_last_line_is_tampering(
    tmp_path: Path, edit: Callable[[list[bytes]], list[bytes]], seq: int, reason: str
) -> None:
    path = make_log(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    new_lines = edit(lines)
    path.write_bytes(b"".join(new_lines))
    before = path.read_bytes()
    with pytest.raises(TamperedLogError) as info:
        open_run(path)
    assert (info.value.seq, info.value.reason) == (seq, reason)
    assert info.value.offset == sum(len(line) for line in new_lines[:seq])
    assert path.read_bytes() == before  # nothing is cut on tampering
    assert not path.with_name(path.name + ".torn").exists()
    # the lock was released: a read-only look and a second attempt both work
    records, damage = read_log(path)
    assert len(records) == seq and damage is not None and not damage.torn
    with pytest.raises(TamperedLogError):
        open_run(path)


def test_well_formed_last_line_with_wrong_prev_is_tampering(tmp_path: Path) -> None:
    path = make_log(tmp_path, 3)
    with create_run(tmp_path / "other", "r1", "op", "drill", "run_started", {}, NOW) as other:
        for n in range(1, 3):
            other.append("note", {"n": n * 10}, NOW)
    lines = path.read_bytes().splitlines(keepends=True)
    foreign = other.path.read_bytes().splitlines(keepends=True)[2]
    path.write_bytes(b"".join(lines[:2]) + foreign)
    with pytest.raises(TamperedLogError) as info:
        open_run(path)
    assert info.value.seq == 2 and "prev does not match line 1's hash" == info.value.reason


def test_keyed_log(tmp_path: Path) -> None:
    path = make_log(tmp_path, 3, KEY)
    assert verify_log(path, KEY).ok
    unkeyed = verify_log(path)
    assert not unkeyed.ok and unkeyed.reason == "record is hmac-sha256: a key is needed"
    assert not unkeyed.torn_tail
    wrong = verify_log(path, b"other")
    assert not wrong.ok and wrong.first_bad_seq == 0 and not wrong.torn_tail
    with pytest.raises(TamperedLogError):
        open_run(path)
    with pytest.raises(TamperedLogError):
        open_run(path, b"other")
    writer, recovery = open_run(path, KEY)
    writer.append("note", {}, NOW)
    writer.close()
    assert verify_log(path, KEY).ok
    plain = make_log(tmp_path / "plain", 2)
    assert verify_log(plain, KEY).reason == "record is sha256 but a key was given"


def test_single_line_with_wrong_key_is_not_torn(tmp_path: Path) -> None:
    path = make_log(tmp_path, 1, KEY)
    with pytest.raises(TamperedLogError):
        open_run(path, b"wrong")
    assert path.read_bytes().endswith(b"\n") and verify_log(path, KEY).ok


def test_nothing_to_resume(tmp_path: Path) -> None:
    path = tmp_path / "20261128T050507Z-r1.jsonl"
    path.write_bytes(b"")
    with pytest.raises(TamperedLogError):
        open_run(path)
    path.write_bytes(b'{"v":1')
    with pytest.raises(TamperedLogError):
        open_run(path)
    assert path.read_bytes() == b'{"v":1'
