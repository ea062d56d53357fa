"""Tamper matrix: every kind of edit, on every line, is caught at the right seq and byte.

For each edit the expected finding is the first position where the chain
breaks: `first_bad_seq` is that 0-based line number and `first_bad_offset` the
byte offset of that line in the edited file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import ehplan
from ehplan.audit import TamperedLogError, create_run, open_run, verify_log

SRC = str(Path(ehplan.__file__).resolve().parents[1])
TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 28, 13, 5, 7, 123000, tzinfo=TZ)
RECORDS = 20


def _make_run(log_dir: Path, run_id: str, salt: str) -> list[bytes]:
    with create_run(log_dir, run_id, "op", "drill", "run_started", {"pb": "example", "salt": salt},
                    NOW) as writer:
        for n in range(1, RECORDS):
            writer.append("note_added", {"n": n, "text": f"{salt} 第{n}條 " + "x" * (n % 5)},
                          NOW + timedelta(seconds=n))
    return writer.path.read_bytes().splitlines(keepends=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[bytes], list[bytes]]:
    """The lines of a 20-record run, and of another run (same shape, other content)."""
    lines = _make_run(tmp_path_factory.mktemp("main"), "r1", "a")
    other = _make_run(tmp_path_factory.mktemp("other"), "r2", "b")
    assert len(lines) == len(other) == RECORDS
    assert all(x != y for x, y in zip(lines, other, strict=True))
    return lines, other


def _offset(lines: list[bytes], position: int) -> int:
    return sum(len(line) for line in lines[:position])


def _check(path: Path, lines: list[bytes], bad: int) -> None:
    path.write_bytes(b"".join(lines))
    result = verify_log(path)
    assert not result.ok and not result.chain_ok, result
    assert result.first_bad_seq == bad, result
    assert result.first_bad_offset == _offset(lines, bad), result
    assert result.records == bad
    assert result.reason


# --- one byte changed -----------------------------------------------------------------

MEMBERS = ("v", "seq", "ts", "run", "operator", "mode", "type", "data", "prev", "alg", "hash")


def _positions(line: bytes) -> Iterator[tuple[str, int]]:
    """(where, index) of bytes to change: inside every member's value, and the brackets."""
    for member in MEMBERS:
        key = b'"' + member.encode() + b'":'
        at = line.index(key) + len(key)
        value_end = at
        if member == "data":
            depth = 0
            for value_end in range(at, len(line)):
                depth += {ord("{"): 1, ord("}"): -1}.get(line[value_end], 0)
                if depth == 0:
                    break
            value_end += 1
        else:
            while line[value_end] not in b",}":
                value_end += 1
        inner = (at + 1, value_end - 1) if line[at] in b'"{' else (at, value_end)
        span = range(*inner) if inner[1] > inner[0] else range(at, value_end)
        picks = {span[0], span[len(span) // 2], span[-1]}
        for index in sorted(picks):
            yield member, index
    yield "open-brace", 0
    yield "close-brace", len(line) - 2
    yield "newline", len(line) - 1


def _replacements(byte: int) -> list[int]:
    """A one-bit flip, and a same-class change that keeps the JSON well formed."""
    char = chr(byte)
    if char.isdigit():
        same = ord(str((int(char) + 1) % 10))
    elif char in "abcdef":
        same = ord("abcdef"[("abcdef".index(char) + 1) % 6])
    elif char.isalpha():
        same = byte ^ 0x20 if char.lower() not in "abcdef" else ord("g")
    else:
        same = byte ^ 0x02
    return sorted({byte ^ 0x01, same} - {byte})


def test_one_byte_changed_on_every_line_but_the_last(
    tmp_path: Path, runs: tuple[list[bytes], list[bytes]]
) -> None:
    lines, _ = runs
    path = tmp_path / "run.jsonl"
    tried = 0
    for n in range(RECORDS - 1):
        line = lines[n]
        members = set()
        for member, index in _positions(line):
            for new in _replacements(line[index]):
                changed = bytearray(line)
                changed[index] = new
                edited = [*lines[:n], bytes(changed), *lines[n + 1:]]
                path.write_bytes(b"".join(edited))
                result = verify_log(path)
                assert not result.ok, (n, member, index, new)
                assert not result.torn_tail, (n, member, result)  # damage before the end is tampering
                assert (result.first_bad_seq, result.first_bad_offset) == (n, _offset(lines, n)), (
                    n, member, chr(line[index]), chr(new), result)
                members.add(member)
                tried += 1
        assert members >= {"data", "seq", "prev", "hash", "ts", "newline"}
    assert tried > 19 * 30


def test_one_byte_changed_on_the_last_line(tmp_path: Path, runs: tuple[list[bytes], list[bytes]]) -> None:
    lines, _ = runs
    path = tmp_path / "run.jsonl"
    n = RECORDS - 1
    for _member, index in _positions(lines[n]):
        for new in _replacements(lines[n][index]):
            changed = bytearray(lines[n])
            changed[index] = new
            _check(path, [*lines[:n], bytes(changed)], n)


@pytest.mark.parametrize("joiner", [b" ", b"\x0b", b"\0", b"x"])
def test_newline_between_the_last_two_lines_removed_is_tampering_not_torn(
    tmp_path: Path, runs: tuple[list[bytes], list[bytes]], joiner: bytes
) -> None:
    """Joining the last two lines leaves one bad final line that starts with a whole,
    correctly hashed record: no crash writes that, so resume must refuse rather than
    set two acknowledged records aside as a torn tail."""
    lines, _ = runs
    path = tmp_path / "20261128T050507Z-r1.jsonl"
    edited = [*lines[:-2], lines[-2][:-1] + joiner + lines[-1]]
    _check(path, edited, RECORDS - 2)
    assert not verify_log(path).torn_tail
    before = path.read_bytes()
    with pytest.raises(TamperedLogError) as info:
        open_run(path)
    assert (info.value.seq, info.value.offset) == (RECORDS - 2, _offset(lines, RECORDS - 2))
    assert path.read_bytes() == before and not path.with_name(path.name + ".torn").exists()


@pytest.mark.parametrize("tail", [b"", b"\0", b"\0" * 300, b"x", b"x" + b"\0" * 10])
def test_whole_last_record_without_its_newline_is_still_torn(
    tmp_path: Path, runs: tuple[list[bytes], list[bytes]], tail: bytes
) -> None:
    """What one interrupted write can leave: the whole line but its newline, that byte
    lost or garbled, then NUL padding. Resume sets it aside."""
    lines, _ = runs
    path = tmp_path / "20261128T050507Z-r1.jsonl"
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][:-1] + tail)
    result = verify_log(path)
    assert result.torn_tail and result.first_bad_seq == RECORDS - 1
    writer, recovery = open_run(path)
    writer.close()
    assert recovery is not None and recovery.bytes_set_aside == len(lines[-1]) - 1 + len(tail)
    assert path.read_bytes() == b"".join(lines[:-1])


# --- lines deleted, duplicated, swapped, moved in, spliced from another run -----------


@pytest.mark.parametrize("k", range(RECORDS - 1))
def test_line_deleted(tmp_path: Path, runs: tuple[list[bytes], list[bytes]], k: int) -> None:
    lines, _ = runs
    _check(tmp_path / "run.jsonl", [*lines[:k], *lines[k + 1:]], k)


def test_last_line_deleted_is_the_documented_limit(
    tmp_path: Path, runs: tuple[list[bytes], list[bytes]]
) -> None:
    """Dropping the final line leaves a shorter valid chain; only an outside copy of
    the final hash shows it (docs/audit-format.md, Known limits)."""
    lines, _ = runs
    path = tmp_path / "run.jsonl"
    path.write_bytes(b"".join(lines[:-1]))
    result = verify_log(path)
    assert result.ok and result.records == RECORDS - 1
    path.write_bytes(b"".join(lines))
    assert verify_log(path).final_hash != result.final_hash


@pytest.mark.parametrize("k", range(RECORDS))
def test_line_duplicated(tmp_path: Path, runs: tuple[list[bytes], list[bytes]], k: int) -> None:
    lines, _ = runs
    _check(tmp_path / "run.jsonl", [*lines[:k + 1], lines[k], *lines[k + 1:]], k + 1)


@pytest.mark.parametrize("k", range(RECORDS - 1))
def test_adjacent_lines_swapped(tmp_path: Path, runs: tuple[list[bytes], list[bytes]], k: int) -> None:
    lines, _ = runs
    _check(tmp_path / "run.jsonl", [*lines[:k], lines[k + 1], lines[k], *lines[k + 2:]], k)


def test_line_of_the_same_run_inserted_elsewhere(
    tmp_path: Path, runs: tuple[list[bytes], list[bytes]]
) -> None:
    lines, _ = runs
    path = tmp_path / "run.jsonl"
    for j in range(RECORDS):
        for i in range(RECORDS + 1):
            if i in (j, j + 1):
                continue  # inserting line j next to itself is the duplication above
            _check(path, [*lines[:i], lines[j], *lines[i:]], i)
            # moved rather than copied
            moved = [line for index, line in enumerate(lines) if index != j]
            moved.insert(i if i < j else i - 1, lines[j])
            _check(path, moved, min(i, j))


@pytest.mark.parametrize("k", range(RECORDS))
def test_line_spliced_from_another_run(tmp_path: Path, runs: tuple[list[bytes], list[bytes]], k: int) -> None:
    """The other run's line k is well formed, correctly hashed and has seq k, but its
    prev is not this run's line k-1. Replacing line 0 swaps in a valid genesis line,
    so the chain breaks at line 1."""
    lines, other = runs
    _check(tmp_path / "run.jsonl", [*lines[:k], other[k], *lines[k + 1:]], max(k, 1))


# --- the command line ---------------------------------------------------------------------


def _ehplan_verify(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "ehplan", "verify", *args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_cli_verify(tmp_path: Path, runs: tuple[list[bytes], list[bytes]]) -> None:
    lines, _ = runs
    intact = tmp_path / "intact.jsonl"
    intact.write_bytes(b"".join(lines))
    final_hash = verify_log(intact).final_hash
    assert final_hash is not None
    done = _ehplan_verify(str(intact))
    assert done.returncode == 0, done.stderr
    assert final_hash in done.stdout and f"{RECORDS} records" in done.stdout

    n = 7
    changed = bytearray(lines[n])
    index = changed.index(b'"text":"') + len(b'"text":"')
    changed[index] ^= 0x01
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(b"".join([*lines[:n], bytes(changed), *lines[n + 1:]]))
    done = _ehplan_verify(str(tampered))
    assert done.returncode == 1
    assert f"seq {n}, byte offset {_offset(lines, n)}" in done.stderr
    assert "hash mismatch" in done.stderr

    done = _ehplan_verify(str(tmp_path / "missing.jsonl"))
    assert done.returncode == 2
    assert "missing.jsonl" in done.stderr
