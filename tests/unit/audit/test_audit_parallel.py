"""Long logs are verified in two processes; the result must be exactly what one
pass finds, for intact, tampered and torn files, wherever the damage lies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ehplan.audit import create_run, parallel, verify_log

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(scope="module")
def log(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("parallel")
    writer = create_run(directory, "par", "op", "live", "run_started", {"run": "par"}, NOW)
    for i in range(399):
        writer.append("note_added", {"text": f"第{i}條 note", "n": i}, NOW)
    writer.close()
    return writer.path


def variants(raw: bytes) -> dict[str, bytes]:
    lines = raw.splitlines(keepends=True)
    middle = len(lines) // 2
    flip = lambda data, at: data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]  # noqa: E731
    start_of = lambda n: sum(len(line) for line in lines[:n])  # noqa: E731
    return {
        "intact": raw,
        "byte in first half": flip(raw, start_of(50) + 40),
        "byte in second half": flip(raw, start_of(300) + 40),
        "byte just after the middle": flip(raw, start_of(middle + 1) + 30),
        "line deleted at the middle": b"".join(lines[:middle] + lines[middle + 1:]),
        "lines swapped across the middle": b"".join(lines[:middle - 1] + [lines[middle], lines[middle - 1]]
                                                   + lines[middle + 1:]),
        "torn tail": raw[:-7],
        "nul padding": raw + b"\0" * 30,
        "line duplicated in second half": b"".join(lines[:320] + [lines[319]] + lines[320:]),
    }


CASES = ["intact", "byte in first half", "byte in second half", "byte just after the middle",
         "line deleted at the middle", "lines swapped across the middle", "torn tail", "nul padding",
         "line duplicated in second half"]


@pytest.mark.parametrize("case", CASES)
def test_two_processes_find_what_one_pass_finds(log, tmp_path, monkeypatch, case):
    data = variants(log.read_bytes())[case]
    target = tmp_path / log.name
    target.write_bytes(data)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 1 << 62)
    single = verify_log(target)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    split = verify_log(target)
    assert split == single
    assert split.ok == (case == "intact")
