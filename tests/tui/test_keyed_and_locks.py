"""The app writes keyed logs when given a key, and a clean quit leaves no
stale lock beside an unfinished run (which stays open, to be resumed)."""

from __future__ import annotations

import json

from ehplan.audit import find_open_runs, read_log, verify_log
from ehplan.audit.lock import sidecar_path
from ehplan.cli_app import run_key
from ehplan.settings import settings_path
from ehplan.tui.screens.run import RunScreen


async def test_a_key_makes_the_app_write_an_hmac_chain(tmp_path, make_app):
    app = make_app(tmp_path, key=b"site key\n")
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_run("example")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        path = app.session.path
        assert sidecar_path(path).exists()  # held while the run is on screen
        await pilot.press("enter")
        await pilot.pause()
    records, _ = read_log(path)
    assert records and {r.alg for r in records} == {"hmac-sha256"}
    assert verify_log(path, b"site key\n").ok
    assert not verify_log(path, b"site key").ok and verify_log(path).needs_key
    assert not sidecar_path(path).exists()  # the quit closed the log and removed the pid file
    assert find_open_runs(path.parent) == [path]  # still open: offered for resume next time


def test_the_key_option_and_variable_are_read_as_key_files(tmp_path, monkeypatch):
    key = tmp_path / "k"
    key.write_bytes(b"abc\n")
    key.chmod(0o600)
    assert run_key(key) == b"abc\n"
    monkeypatch.setenv("EHPLAN_KEY_FILE", str(key))
    assert run_key(None) == b"abc\n"
    monkeypatch.delenv("EHPLAN_KEY_FILE")
    assert run_key(None) is None
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"operator": "Ann", "key_file": str(key)}))
    assert run_key(None) == b"abc\n"  # the site's settings name the key file
