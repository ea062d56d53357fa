"""Hardening of the files ehplan writes and reads: no write through a planted
link, a log directory others can write to is refused, private files are 0600,
only regular files are read (a FIFO or /dev/zero gets one line at once), the
key file's bytes are the key."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ehplan.audit import AuditWriteError, create_run, find_open_runs, open_run, read_log, verify_log
from ehplan.audit.keys import KeyFileError, read_key
from ehplan.audit.lock import sidecar_path
from ehplan.audit.resume import torn_path_for
from ehplan.audit.runfiles import log_dir_problem
from ehplan.cli import main
from ehplan.safeio import FileTooLarge, NotRegularFile, read_regular, write_private
from ehplan.yamlpos import LoadError, load_yaml

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def _run(log_dir: Path, run_id: str = "r1", key: bytes | None = None) -> Path:
    with create_run(log_dir, run_id, "Ann", "live", "run_started", {"playbook": "x"}, T0, key=key) as writer:
        writer.append("note_added", {"text": "hi"}, T0)
    return writer.path


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the log directory that a planted link points at."""
    path = tmp_path / "outside" / "precious.txt"
    path.parent.mkdir()
    path.write_bytes(b"do not touch\n")
    return path


def test_a_link_planted_at_the_lock_sidecar_is_replaced_not_written_through(tmp_path, victim):
    log_dir = tmp_path / "logs"
    path = _run(log_dir)
    sidecar_path(path).symlink_to(victim)
    writer, _ = open_run(path)
    try:
        assert victim.read_bytes() == b"do not touch\n"
        assert stat.S_ISREG(os.lstat(sidecar_path(path)).st_mode)  # a fresh pid file, not the link
        assert sidecar_path(path).read_text().strip() == str(os.getpid())
    finally:
        writer.close()
    assert not sidecar_path(path).exists()  # a clean close removes it


def test_a_link_planted_at_the_torn_file_is_never_followed(tmp_path, victim):
    log_dir = tmp_path / "logs"
    path = _run(log_dir)
    with path.open("ab") as handle:
        handle.write(b'{"v":1,"seq":2,"torn')  # a crash mid-write
    torn_path_for(path).symlink_to(victim)
    with pytest.raises(AuditWriteError, match="set aside"):
        open_run(path)
    assert victim.read_bytes() == b"do not touch\n"
    assert not sidecar_path(path).exists()


def test_a_run_file_that_is_a_link_is_never_offered_nor_written(tmp_path, victim):
    log_dir = tmp_path / "logs"
    real = _run(tmp_path / "elsewhere")
    link = log_dir / real.name.replace("r1", "r2")
    log_dir.mkdir(mode=0o700)
    link.symlink_to(real)
    assert find_open_runs(log_dir) == []
    with pytest.raises(AuditWriteError, match="symbolic link"):
        open_run(link)
    (log_dir / "20261130T010000Z-r3.jsonl").symlink_to(victim)
    with pytest.raises(AuditWriteError):
        open_run(log_dir / "20261130T010000Z-r3.jsonl")
    assert victim.read_bytes() == b"do not touch\n"


def test_the_log_directory_is_made_0700_and_one_others_can_write_is_refused(tmp_path):
    log_dir = tmp_path / "new" / "logs"
    _run(log_dir)
    assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(next(log_dir.glob("*.jsonl")).stat().st_mode) == 0o600
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    problem = log_dir_problem(shared)
    assert problem is not None and "writable by group and others" in problem and "chmod 700" in problem
    with pytest.raises(AuditWriteError, match="writable by group and others"):
        _run(shared)
    assert list(shared.iterdir()) == []
    shared.chmod(0o775)
    assert "writable by its group" in str(log_dir_problem(shared))
    shared.chmod(0o755)
    assert log_dir_problem(shared) is None


def test_the_app_refuses_a_shared_log_directory_in_one_line_before_it_starts(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o757)
    for args in (["--log-dir", str(shared)], ["drill", "hotline_outage", "--log-dir", str(shared)]):
        done = subprocess.run([sys.executable, "-m", "ehplan", *args], capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL, check=False)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "writable by others" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


def test_private_files_are_0600_and_replace_a_planted_link(tmp_path, victim):
    target = tmp_path / "settings.json"
    target.symlink_to(victim)
    write_private(target, b"{}")
    assert victim.read_bytes() == b"do not touch\n"
    assert not target.is_symlink() and target.read_bytes() == b"{}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_settings_cache_and_report_out_are_0600(tmp_path, monkeypatch, example_library):
    from ehplan import catalog
    from ehplan.engine import commands as c
    from ehplan.engine.clock import FakeClock
    from ehplan.session import Session
    from ehplan.settings import remember_operator, settings_path

    monkeypatch.setenv("EHPLAN_CACHE_DIR", str(tmp_path / "cache"))
    remember_operator("Ann")
    catalog.write_cached("k", [])
    for path in (settings_path(), catalog.cache_path()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert catalog.read_cached("k") == []
    root = Path(__file__).resolve().parents[2]
    session = Session.start(example_library, tmp_path / "logs", c.StartRun("example", "r1", "Ann"), FakeClock(T0))
    session.execute(c.Continue())
    session.close()
    out = tmp_path / "report.txt"
    result = CliRunner().invoke(main, ["report", str(session.path), "--out", str(out),
                                       "--playbooks", str(root / "tests/data/playbooks")])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and "r1" in out.read_text(encoding="utf-8")


# --- reading ---------------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_only_regular_files_are_read(tmp_path, fifo):
    with pytest.raises(NotRegularFile, match="FIFO"):
        read_regular(fifo)  # returns at once: opened without blocking, refused on fstat
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    with pytest.raises(NotRegularFile, match="device"):
        read_regular(zero)
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(NotRegularFile, match="directory"):
        read_regular(tmp_path / "dir.yaml")
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(FileTooLarge):
        read_regular(big, 100)
    assert read_regular(big, 101) == b"x" * 101


@pytest.mark.parametrize("kind", ["fifo", "zero", "dir", "huge_int", "empty_dir"])
def test_validate_answers_every_odd_file_in_one_line(tmp_path, fifo, kind):
    target = {"fifo": fifo, "zero": tmp_path / "zero.yaml", "dir": tmp_path / "dir.yaml",
              "huge_int": tmp_path / "big.yaml", "empty_dir": tmp_path / "empty"}[kind]
    if kind == "zero":
        target.symlink_to("/dev/zero")
    elif kind in ("dir", "empty_dir"):
        target.mkdir()
    elif kind == "huge_int":
        target.write_text("id: x\nversion: " + "9" * 5000 + "\n")
    result = CliRunner().invoke(main, ["validate", str(target)])
    assert result.exit_code == 2, result.output
    first = result.output.splitlines()[0]
    expected = {"fifo": ":1:1: not a regular file (a FIFO)", "zero": ":1:1: not a regular file (a device)",
                "dir": ":1:1: not a regular file (a directory)",
                "huge_int": ":2:10: integer with 5000 digits is too large",
                "empty_dir": ":1:1: no playbooks (*.yaml) in this directory"}[kind]
    assert first.startswith(str(target)) and expected in first, result.output
    assert "Traceback" not in result.output and "ok:" not in result.output


def test_a_huge_integer_is_refused_at_its_place(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a:\n  b: [1, -1234567890123456789012]\n")
    with pytest.raises(LoadError) as info:
        load_yaml(path)
    assert str(info.value.problems[0]) == f"{path}:2:10: integer with 22 digits is too large (at most 18); " \
                                          "quote it if it is a text"
    path.write_text("a: 999999999999999999\n")  # 18 digits: fine
    assert load_yaml(path)[0] == {"a": 999999999999999999}


def test_a_fifo_or_device_as_data_or_key_is_one_line(tmp_path, fifo):
    data = tmp_path / "data"
    data.mkdir()
    root = Path(__file__).resolve().parents[2]
    for name in ("calendar.yaml", "supplies.yaml"):
        (data / name).write_bytes((root / "data" / name).read_bytes())
    os.mkfifo(data / "contacts.yaml")
    result = CliRunner().invoke(main, ["contacts", "--data", str(data)])
    assert result.exit_code == 2 and "contacts.yaml:1:1: not a regular file (a FIFO)" in result.output
    log = _run(tmp_path / "logs")
    result = CliRunner().invoke(main, ["verify", str(log), "--key", str(fifo)])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "not a regular file" in result.output
    result = CliRunner().invoke(main, ["verify", str(fifo)])
    assert result.exit_code == 2 and "unreadable" in result.output and "FIFO" in result.output


# --- keys ------------------------------------------------------------------------------------


def _key_file(tmp_path: Path, content: bytes, mode: int = 0o600) -> Path:
    path = tmp_path / "hmac.key"
    path.write_bytes(content)
    path.chmod(mode)
    return path


def test_the_key_files_bytes_are_the_key_as_they_are(tmp_path):
    assert read_key(_key_file(tmp_path, b" secret\n")) == b" secret\n"
    log = _run(tmp_path / "logs", key=b"secret")
    with_newline = _key_file(tmp_path, b"secret\n")
    result = CliRunner().invoke(main, ["verify", str(log), "--key", str(with_newline)])
    assert result.exit_code == 1, result.output  # not the key the log was written with
    exact = _key_file(tmp_path, b"secret")
    result = CliRunner().invoke(main, ["verify", str(log), "--key", str(exact)])
    assert result.exit_code == 0 and "intact" in result.output


def test_an_empty_key_or_one_others_can_read_is_refused(tmp_path):
    with pytest.raises(KeyFileError, match="empty"):
        read_key(_key_file(tmp_path, b""))
    with pytest.raises(KeyFileError, match=r"can be read by others \(mode 644\).*chmod 600"):
        read_key(_key_file(tmp_path, b"k", 0o644))
    log = _run(tmp_path / "logs", key=b"k")
    result = CliRunner().invoke(main, ["verify", str(log), "--key", str(_key_file(tmp_path, b"k", 0o640))])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "chmod 600" in result.output


def test_a_keyed_log_checked_without_its_key_says_so(tmp_path):
    log = _run(tmp_path / "logs", key=b"k")
    result = CliRunner().invoke(main, ["verify", str(log)])
    assert result.exit_code == 2, result.output
    assert "keyed log (hmac-sha256): give --key" in result.output
    assert read_log(log)[1] is None and not verify_log(log).ok


def test_the_writer_refuses_a_record_longer_than_a_log_line_may_be(tmp_path):
    from ehplan.audit.chain import MAX_LINE_BYTES

    log_dir = tmp_path / "logs"
    with create_run(log_dir, "r1", "Ann", "live", "run_started", {"playbook": "x"}, T0) as writer:
        size = writer.path.stat().st_size
        with pytest.raises(ValueError, match="too large for one log line"):
            writer.append("note_added", {"text": "x" * MAX_LINE_BYTES}, T0)
        assert writer.path.stat().st_size == size and not writer.failed
        writer.append("note_added", {"text": "x" * (MAX_LINE_BYTES - 400)}, T0)
    assert verify_log(writer.path).ok
