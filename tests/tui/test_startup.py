"""Start-up from the cached catalog: the picker paints before the files are
validated, a run waits for validation, and bad files stop the app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tui_helpers import types

from ehplan.catalog import entries_of, fingerprint, read_cached
from ehplan.tui.app import EhplanApp
from ehplan.tui.screens.picker import PickerScreen
from ehplan.tui.screens.run import RunScreen
from ehplan.yamlpos import LoadError, Problem

ROOT = Path(__file__).resolve().parents[2]


def _app(tmp_path, example_library, clock, load):
    return EhplanApp(None, log_dir=tmp_path / "logs", operator="Ann", clock=clock, resume_offer=False,
                     catalog=entries_of(example_library), load_library=load)


async def test_picker_paints_from_the_catalog_and_a_run_waits_for_validation(tmp_path, example_library, clock):
    loads = []

    def load():
        loads.append(1)
        return example_library

    app = _app(tmp_path, example_library, clock, load)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert loads == [1]
        assert isinstance(app.screen, RunScreen)
        assert types(app)[0] == "run_started"


async def test_bad_files_stop_the_app_with_every_problem(tmp_path, example_library, clock):
    def load():
        raise LoadError([Problem("playbooks/x.yaml", 3, 5, "unknown key 'nxt'")])

    app = _app(tmp_path, example_library, clock, load)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.pause()
    assert app.return_code == 2
    assert app.load_problems == ["playbooks/x.yaml:3:5: unknown key 'nxt'"]
    assert app.session is None


def test_the_catalog_cache_follows_the_files(tmp_path, monkeypatch, example_library):
    monkeypatch.setenv("EHPLAN_CACHE_DIR", str(tmp_path / "cache"))
    from ehplan.catalog import write_cached

    playbooks = tmp_path / "pb"
    playbooks.mkdir()
    (playbooks / "a.yaml").write_text("id: a\n", encoding="utf-8")
    key = fingerprint(playbooks)
    write_cached(key, entries_of(example_library))
    assert read_cached(key) == entries_of(example_library)
    (playbooks / "a.yaml").write_text("id: b\n", encoding="utf-8")
    assert read_cached(fingerprint(playbooks)) is None


def test_ehplan_refuses_bad_playbooks_before_painting_anything(tmp_path):
    bad = tmp_path / "pb"
    bad.mkdir()
    (bad / "x.yaml").write_text("id: x\nversion: 1\nnxt: 1\n", encoding="utf-8")
    env = {"EHPLAN_CACHE_DIR": str(tmp_path / "cache"), "EHPLAN_CONFIG_DIR": str(tmp_path / "cfg"),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "ehplan", "--playbooks", str(bad), "--log-dir",
                           str(tmp_path / "logs")], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert f"{bad / 'x.yaml'}:3:1: unknown key 'nxt'" in done.stderr
    assert "Traceback" not in done.stderr



def test_the_entry_point_holds_the_collector_off_only_while_the_app_starts(monkeypatch):
    import gc

    import ehplan.cli_app
    from ehplan import entry

    seen = []
    monkeypatch.setattr(ehplan.cli_app, "run_app", lambda options: seen.append((options, gc.isenabled())))
    monkeypatch.setattr(sys, "argv", ["ehplan", "--operator", "Ann"])
    assert gc.isenabled()
    entry.run()
    assert seen == [({"operator": "Ann"}, False)]
    assert gc.isenabled()  # back on when the app returns


async def test_the_app_turns_the_collector_back_on_after_its_first_frame(tmp_path, example_library, clock):
    import gc

    app = _app(tmp_path, example_library, clock, lambda: example_library)
    gc.disable()  # as the entry point leaves it
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0  # start-up's objects are out of the collector's way
    finally:
        gc.enable()
        gc.unfreeze()
