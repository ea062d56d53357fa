"""The hub's commands end to end on a real server: init (applied once, then up
to date), add-desk (credentials), sync, export (byte-identical, the file
verifiers agree), and runs / report across desks with --hub and --desk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ehplan.audit import verify_log
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.session import Session

TZ = dt.timezone(dt.timedelta(hours=8))


def test_init_add_desk_sync_export_runs_and_report(hub, cli, example_library, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("EHPLAN_HUB", raising=False)
    code, out = cli("hub", "init", hub.dsn)
    assert code == 0 and out.strip() == "the hub is up to date"  # the fixture's copy has migration 1 recorded
    code, out = cli("hub", "add-desk", "hall-9", "--place", "Hall 9", "--hub", hub.dsn)
    assert code == 0 and "role:     ehplan_desk_hall-9" in out
    dsn = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("dsn:"))
    code, out = cli("hub", "add-desk", "hall-9", "--hub", hub.dsn)
    assert code == 2 and "exists already" in out
    other = hub.desk()
    clock = FakeClock(dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ))
    for name, desk_dsn, ended in (("hall", dsn, True), ("other", other.dsn, False)):
        logs = tmp_path / name
        session = Session.start(example_library, logs, c.StartRun("example", f"{name}-1", "Ann"), clock)
        session.execute(c.LogContact("it_centre", "answered"))
        if ended:
            session.execute(c.EndRun(confirm=True))
        session.close()
        assert cli("--log-dir", str(logs), "sync", "--once", "--hub", desk_dsn)[0] == 0

    out_dir = tmp_path / "exported"
    code, out = cli("hub", "export", "hall-1", "--hub", hub.dsn, "--out", str(out_dir))
    assert code == 0 and "hall-9:" in out
    (exported,) = out_dir.glob("*.jsonl")
    assert exported.read_bytes() == next((tmp_path / "hall").glob("*.jsonl")).read_bytes()
    assert verify_log(exported).ok
    assert cli("hub", "export", "hall-1", "--hub", hub.dsn, "--out", str(out_dir))[0] == 2  # never overwritten

    code, out = cli("runs", "--hub", hub.dsn)
    lines = out.splitlines()
    assert code == 0 and lines[-1].startswith("2 of 2 run(s)")
    assert any(line.startswith("hall-9 ") and "intact" in line for line in lines)
    code, out = cli("runs", "--hub", hub.dsn, "--desk", "hall-9", "--json")
    assert code == 0 and out.count("\n") == 1 and '"file": "hub:hall-9/' in out
    assert cli("runs", "--desk", "hall-9")[0] == 2  # --desk needs --hub

    code, out = cli("report", "--hub", hub.dsn, "--playbooks", "tests/data/playbooks", "--lang", "en", "hall-1")
    assert code == 0 and "hall-1" in out and "Ann" in out
    code, out = cli("report", "--hub", hub.dsn, "nowhere-1")
    assert code == 2 and "no run 'nowhere-1'" in out
    code, out = cli("replay", "--follow", "hall-1")
    assert code == 2 and "--follow needs --hub DSN" in out
