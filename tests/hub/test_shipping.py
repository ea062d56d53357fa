"""The desk's shipper against a real hub: `ehplan sync --once`, idempotence, the
shipper killed at random points (nothing lost, nothing doubled), and the hub
stopped and restarted mid-shift (the desk unaffected, the backlog shipped in order)."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import signal
import time
from pathlib import Path
from typing import Any

import psycopg

from ehplan.audit import open_run
from ehplan.hub.fetch import HubReader
from ehplan.hub.ship import Shipper

ROOT = Path(__file__).resolve().parents[2]
_DOC_CODE = re.findall(r"```python\n(.*?)```", (ROOT / "docs/audit-format.md").read_text("utf-8"), re.S)[-1]
KILLS = int(os.environ.get("EHPLAN_KILL_ITERATIONS", "60"))
"""Kills of the shipper (EHPLAN_KILL_ITERATIONS sets more for a longer soak)."""


def doc_verify(path: Path) -> bool:
    """The standalone verifier of docs/audit-format.md, run as it is printed there."""
    namespace: dict[str, Any] = {"__name__": "verify_audit"}
    exec(_DOC_CODE, namespace)  # noqa: S102 - the documented verifier, verbatim
    return bool(namespace["verify"](path))


def hub_has_every_file(hub: Any, log_dir: Path, out: Path) -> None:
    """Every run file of ``log_dir`` is on the hub byte for byte, each line once."""
    out.mkdir(exist_ok=True)
    files = sorted(log_dir.glob("*.jsonl"))
    with HubReader(hub.dsn) as reader:
        for path in files:
            run = reader.find(path.name)
            exported = reader.export(run, out)
            assert exported.read_bytes() == path.read_bytes(), path.name
    with psycopg.connect(hub.dsn) as conn:
        (count,) = conn.execute("SELECT count(*) FROM ehplan.records").fetchone()
    assert count == sum(len(p.read_bytes().splitlines()) for p in files)
    assert all(doc_verify(p) for p in sorted(out.glob("*.jsonl")))


def test_sync_once_ships_everything_then_nothing(hub, write_run, cli, tmp_path: Path) -> None:
    desk = hub.desk()
    logs = tmp_path / "logs"
    write_run(logs, "a1", 3, end=True)
    write_run(logs, "a2", 4, start=dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC))
    code, out = cli("--log-dir", str(logs), "sync", "--once", "--hub", desk.dsn)
    assert code == 0 and "shipped 10 record(s) of 2 run(s)" in out and "synced" in out
    code, out = cli("--log-dir", str(logs), "sync", "--once", "--hub", desk.dsn)
    assert code == 0 and "shipped 0 record(s)" in out
    hub_has_every_file(hub, logs, tmp_path / "out")
    code, out = cli("--log-dir", str(logs), "sync", "--once", "--hub", hub.reader().dsn)
    assert code == 2 and "no desk's" in out
    code, out = cli("--log-dir", str(logs), "sync", "--once", "--hub", "host=/nonexistent dbname=x")
    assert code == 2 and "hub unreachable" in out and "10 record(s) waiting" in out


def test_shipper_killed_at_random_points_loses_and_doubles_nothing(hub, write_run, tmp_path: Path) -> None:
    desk = hub.desk()
    logs = tmp_path / "logs"
    paths = [write_run(logs, f"k{n}", 2, start=dt.datetime(2026, 11, 30, 9, n, tzinfo=dt.UTC)) for n in range(3)]
    writers = [open_run(path)[0] for path in paths]
    rng = random.Random(14)
    at = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)

    def ship_in_child() -> int:
        pid = os.fork()
        if pid == 0:  # the child ships with small batches (many commits to be killed between) and dies
            try:
                Shipper(desk.dsn, logs, batch=rng.choice((1, 2, 3, 5))).ship_once()
            finally:
                os._exit(0)
        return pid

    os.waitpid(ship_in_child(), 0)
    writers[0].append("note_added", {"text": "one more"}, at)
    started = time.monotonic()
    os.waitpid(ship_in_child(), 0)
    whole = time.monotonic() - started  # how long one uninterrupted pass of a few records takes here
    kills = 0
    for _ in range(KILLS):
        for writer in rng.sample(writers, 2):  # the desk goes on writing meanwhile
            writer.append("note_added", {"text": f"n{kills}"}, at)
        pid = ship_in_child()
        time.sleep(rng.uniform(0, whole))  # anywhere from start-up to the last commit
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        kills += 1
    for writer in writers:
        writer.close()
    assert kills == KILLS
    Shipper(desk.dsn, logs).ship_once()
    hub_has_every_file(hub, logs, tmp_path / "out")


def test_hub_stopped_and_restarted_mid_shift(hub, write_run, tmp_path: Path) -> None:
    desk = hub.desk()
    logs = tmp_path / "logs"
    path = write_run(logs, "s1", 2)
    writer, _ = open_run(path)
    shipper = Shipper(desk.dsn, logs, interval=0.05, retry_max=0.2)
    at = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)

    def wait_for(state: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while shipper.status().state != state:
            assert time.monotonic() < deadline, shipper.status()
            time.sleep(0.02)

    shipper.start()
    try:
        wait_for("synced")
        hub.server.stop()
        for n in range(30):  # the desk appends as ever while the hub is down
            started = time.monotonic()
            writer.append("note_added", {"text": f"while down {n}"}, at)
            assert time.monotonic() - started < 0.5
        wait_for("unreachable")
        status = shipper.status()
        assert status.since is not None and "unreachable since" in status.text()
        deadline = time.monotonic() + 5
        while shipper.status().waiting < 30:
            assert time.monotonic() < deadline, shipper.status()
            time.sleep(0.02)
        assert "30 waiting" in shipper.status().text()
        hub.server.start()
        writer.append("note_added", {"text": "back"}, at)
        deadline = time.monotonic() + 15
        while True:  # the backlog, and the line written after the hub came back, all on the hub
            try:
                with HubReader(hub.dsn) as reader:
                    if reader.find("s1").last_seq == writer.next_seq - 1:
                        break
            except Exception:  # noqa: BLE001 - the server may still be starting
                pass
            assert time.monotonic() < deadline, shipper.status()
            time.sleep(0.05)
        wait_for("synced")
    finally:
        shipper.stop()
        writer.close()
    hub_has_every_file(hub, logs, tmp_path / "out")
