"""`ehplan replay`: a logged run played back on the run screen, read-only:
arrows step through its moments, Home/End jump, Space plays at a speed, the
countdowns read the replay's clock; nothing pressed ever touches the log."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tui_helpers import messages, screen_text, text_of

from ehplan.audit import read_log
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.session import Session
from ehplan.tui.replay import ReplayApp, ReplayScreen

ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def logged(example_library, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    clock = FakeClock(MONDAY)
    session = Session.start(example_library, tmp_path / "logs", c.StartRun("example", "r-7", "Ann", "live", "en"),
                            clock)
    clock.advance(10)
    session.execute(c.Continue())
    clock.advance(5)
    session.execute(c.TickItem("explain"))
    session.execute(c.TickItem("divert"))
    session.execute(c.Continue())
    clock.advance(200)
    session.execute(c.Tick())  # the 3-minute report deadline expires
    session.execute(c.AddNote("[red]not markup[/red]"))
    path = session.path
    session.close()
    return path


def replay_app(example_library, path: Path, **kw) -> ReplayApp:  # type: ignore[no-untyped-def]
    records, damage = read_log(path)
    assert damage is None
    app = ReplayApp(example_library, path, records, **kw)
    app.tick_every_s = None  # playback moves when a test calls `_frame`, not with the machine's load
    return app


async def test_arrows_home_and_end_move_through_the_run(example_library, logged):
    app = replay_app(example_library, logged)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        assert app.replay.state.step == "greet"
        bar = text_of(app, "#replay-bar")
        assert bar == " REPLAY ⏸ ×8 │ 00:00 │ 1/4 │ step: Explain the cause to the customer (S5.1.1)"
        await pilot.press("right")
        await pilot.pause()
        assert app.replay.state.step == "checks"
        assert "Act now" in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert app.replay.at_end
        shown = screen_text(app)
        assert "‼" in shown  # the countdown reads the replay's clock: overdue at 03:35
        assert "4/4 │ ✎ note: [red]not markup[/red]" in text_of(app, "#replay-bar")  # literal
        await pilot.press("home")
        await pilot.pause()
        assert app.replay.moment == app.replay.first and app.replay.state.step == "greet"


async def test_space_plays_at_the_speed_and_plus_minus_change_it(example_library, logged):
    app = replay_app(example_library, logged, speed=4)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("plus")
        assert app.replay.speed == 8
        await pilot.press("space")
        assert app.replay.playing
        for _ in range(13):  # 1.3 s of playback at ×8: past the moment 10 s in
            app.screen._frame()
        await pilot.pause()
        assert app.replay.state.step == "checks"
        bar = text_of(app, "#replay-bar")
        assert bar.startswith(" REPLAY ▶ ×8 │ 00:1") and "│ 2/4 │ step: Act now (S5.1)" in bar
        await pilot.press("space", "minus")
        assert not app.replay.playing and app.replay.speed == 4


async def test_nothing_pressed_in_a_replay_touches_the_log(example_library, logged):
    before = logged.read_bytes()
    app = replay_app(example_library, logged)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("right")  # the checklist step
        for key in ("1", "enter", "f2", "ctrl+o", "f10"):
            app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ReplayScreen)  # no dialog came up
            assert messages(app) == ["A replay is read-only: the log is never changed"], key
        app.clear_notifications()
        await pilot.click("#continue")
        await pilot.pause()
        assert messages(app) == ["A replay is read-only: the log is never changed"]
    assert logged.read_bytes() == before


async def test_f9_switches_the_replay_language(example_library, logged):
    app = replay_app(example_library, logged, lang="zh-Hant")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert text_of(app, "#replay-bar").startswith(" 重播 ⏸ ×8")
        await pilot.press("f9", "f9")
        await pilot.pause()
        assert text_of(app, "#replay-bar").startswith(" REPLAY ⏸ ×8")


def ehplan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ehplan", *args], capture_output=True, text=True, timeout=60,
                          check=False, stdin=subprocess.DEVNULL)


def test_cli_refuses_an_edited_log_and_a_playbook_that_changed(logged, tmp_path):
    lines = logged.read_bytes().splitlines(keepends=True)
    edited = tmp_path / "edited.jsonl"
    edited.write_bytes(b"".join([*lines[:2], lines[2].replace(b'"Ann"', b'"Bob"'), *lines[3:]]))
    done = ehplan("replay", str(edited), "--playbooks", str(ROOT / "tests/data/playbooks"))
    assert done.returncode == 1 and "NOT intact" in done.stderr and "no replay of an edited log" in done.stderr

    changed = tmp_path / "playbooks"
    shutil.copytree(ROOT / "tests/data/playbooks", changed)
    example = changed / "example.yaml"
    example.write_text(example.read_text(encoding="utf-8") + "\n# edited since the run\n", encoding="utf-8")
    done = ehplan("replay", str(logged), "--playbooks", str(changed))
    assert done.returncode == 2 and "playbook example has changed since this run" in done.stderr
    assert "Traceback" not in done.stderr

    done = ehplan("replay", str(logged))  # the shipped playbooks have no 'example'
    assert done.returncode == 2 and "playbook example is not among the playbooks" in done.stderr
