"""Shared fixtures: the test and shipped libraries, a frozen clock, and an app
factory that gives every Textual test the same deterministic start."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ehplan import resources
from ehplan.engine.clock import FakeClock
from ehplan.library import Library, load_library

if TYPE_CHECKING:
    from ehplan.text import Lang
    from ehplan.tui.app import EhplanApp

ROOT = Path(__file__).resolve().parents[1]
TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY_9AM = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
"""A workday morning: every test run starts here."""
FIXED_RUN_ID = "20261130-0900-test"
"""Replaces `new_run_id`'s random suffix so ids, file names and hashes repeat."""


MEMORY_TEMP = Path("/dev/shm")
MEMORY_TEMP_MIN_FREE = 4 << 30


def pytest_configure(config: pytest.Config) -> None:
    """Temporary files (pytest's tmp_path, tempfile's, the subprocesses') go to
    memory when the machine has a roomy tmpfs: every log append is fsynced,
    and on this machine's disk an fsync costs ~4 ms, which is most of what the
    durability and Pilot tests wait for. The code under test is the same (it
    still calls fsync; a tmpfs answers at once); EHPLAN_TEST_TMPDIR overrides."""
    chosen = os.environ.get("EHPLAN_TEST_TMPDIR")
    if chosen is None and "TMPDIR" not in os.environ and MEMORY_TEMP.is_dir():
        try:
            stats = os.statvfs(MEMORY_TEMP)
        except OSError:
            return
        if stats.f_bavail * stats.f_frsize >= MEMORY_TEMP_MIN_FREE and os.access(MEMORY_TEMP, os.W_OK):
            chosen = str(MEMORY_TEMP)
    if chosen:
        os.environ["TMPDIR"] = chosen
        tempfile.tempdir = chosen


@pytest.fixture(scope="session")
def example_library() -> Library:
    """tests/data/playbooks: example.yaml uses every step kind, timer kind and trigger."""
    return load_library([ROOT / "tests/data/playbooks"], ROOT / "data")


@pytest.fixture(scope="session")
def shipped_library() -> Library:
    """The playbooks and site data ehplan ships."""
    return load_library([resources.playbooks_dir()], resources.data_dir())


@pytest.fixture
def clock() -> FakeClock:
    """A clock frozen at Monday 2026-11-30 09:00 +08:00 until a test moves it."""
    return FakeClock(MONDAY_9AM)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real config, cache or log directories, and Textual
    Inputs never blink (a blinked-off cursor would make snapshots flaky)."""
    monkeypatch.setenv("EHPLAN_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("EHPLAN_LOG_DIR", str(tmp_path / "env-logs"))
    monkeypatch.setenv("EHPLAN_CACHE_DIR", str(tmp_path / "cache"))
    try:
        from textual.widgets import Input
    except ImportError:  # the unit layer runs without Textual
        return
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    import ehplan.tui.app

    monkeypatch.setattr(ehplan.tui.app, "new_run_id", lambda clock: FIXED_RUN_ID)


def build_app(tmp_path: Path, library: Library, *, lang: Lang = "zh-Hant", clock: FakeClock | None = None,
              operator: str | None = "Ann", resume_offer: bool = False, mode: str = "live",
              log_dir: Path | None = None, remember_operator: object = None,
              key: bytes | None = None) -> EhplanApp:
    """An EhplanApp with a frozen clock and its logs under ``tmp_path/logs``."""
    from ehplan.tui.app import EhplanApp

    app = EhplanApp(library, log_dir=log_dir or tmp_path / "logs", operator=operator, lang=lang,
                    clock=clock or FakeClock(MONDAY_9AM), mode=mode, resume_offer=resume_offer,
                    remember_operator=remember_operator, key=key)
    app.tick_every_s = None  # the fake clock moves only when a test moves it, and then it ticks
    return app


@pytest.fixture
def make_app(example_library: Library):  # type: ignore[no-untyped-def]
    """The app factory: ``make_app(tmp_path, library=..., lang=..., clock=...)``;
    the library defaults to the example playbooks."""

    def factory(tmp_path: Path, library: Library | None = None, **options: object) -> EhplanApp:
        return build_app(tmp_path, library or example_library, **options)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the real `ehplan` entry point in-process, click's own errors included:
    ``code, output = cli("verify", path)`` (output is stdout then stderr)."""
    import sys

    from ehplan.cli import run

    def invoke(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["ehplan", *args])
        code = 0
        try:
            run()
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return invoke
