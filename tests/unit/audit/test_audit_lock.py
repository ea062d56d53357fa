"""The single-writer lock: refused fast with the holder's pid, taken over after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import ehplan
from ehplan.audit import LogLockedError, create_run, open_run, verify_log

NOW = datetime(2026, 11, 28, 13, 5, 7, 123000, tzinfo=timezone(timedelta(hours=8)))
SRC = str(Path(ehplan.__file__).resolve().parents[1])

HOLDER = """
import sys, time
from pathlib import Path
from ehplan.audit import open_run
writer, _ = open_run(Path(sys.argv[1]))
print("locked", flush=True)
time.sleep(60)
"""


def _make_log(tmp_path: Path) -> Path:
    writer = create_run(tmp_path, "r1", "op", "live", "run_started", {}, NOW)
    writer.close()
    return writer.path


def _start_holder(path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_process_refused_fast_naming_pid(tmp_path: Path) -> None:
    path = _make_log(tmp_path)
    holder = _start_holder(path)
    try:
        started = time.monotonic()
        with pytest.raises(LogLockedError) as info:
            open_run(path)
        assert time.monotonic() - started < 0.1
        assert info.value.pid == holder.pid
        assert str(holder.pid) in str(info.value)
    finally:
        holder.kill()
        holder.wait()


def test_stale_lock_after_sigkill_taken_over(tmp_path: Path) -> None:
    path = _make_log(tmp_path)
    holder = _start_holder(path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    sidecar = path.with_name(path.name + ".lock")
    assert sidecar.read_text() == f"{holder.pid}\n"  # left behind by the killed process
    started = time.monotonic()
    writer, recovery = open_run(path)
    assert time.monotonic() - started < 0.5
    assert recovery is None
    assert sidecar.read_text() == f"{os.getpid()}\n"
    writer.append("resumed", {}, NOW)
    writer.close()
    assert verify_log(path).ok


def test_same_process_second_fd_refused(tmp_path: Path) -> None:
    writer = create_run(tmp_path, "r1", "op", "live", "run_started", {}, NOW)
    with pytest.raises(LogLockedError) as info:
        open_run(writer.path)
    assert info.value.pid == os.getpid()
    writer.close()
    again, _ = open_run(writer.path)
    again.close()
