"""The operator's app with a hub: the shipper runs beside it, the run header
says discreetly where shipping stands, and the hub gets the run as it is written."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
from pathlib import Path

from textual.widgets import Static

from ehplan.hub.fetch import HubReader
from ehplan.hub.ship import HubStatus, ShipperProcess
from ehplan.tui.screens.run import RunScreen


def test_status_words() -> None:
    since = dt.datetime(2026, 11, 30, 1, 5, tzinfo=dt.UTC)
    zone = dt.timezone(dt.timedelta(hours=8))
    assert HubStatus("synced").text() == "hub ✓ synced"
    assert HubStatus("waiting", 12).text() == "hub ↑ 12 waiting"
    assert HubStatus("unreachable", 3, since).text(zone) == "hub ✗ unreachable since 09:05, 3 waiting"
    assert HubStatus("refused", 1).text().startswith("hub ‼ refused")


def test_a_status_written_twice_in_one_clock_tick_is_still_read(tmp_path: Path) -> None:
    from ehplan.hub.ship import _status_to_file

    status_file = tmp_path / "hub.json"
    shipper = ShipperProcess("postgresql://unused", tmp_path, status_file)
    _status_to_file(status_file, HubStatus("waiting", 0))
    assert shipper.status() == HubStatus("waiting", 0)
    stamp = status_file.stat().st_mtime_ns
    _status_to_file(status_file, HubStatus("synced", 0))
    os.utime(status_file, ns=(stamp, stamp))  # the same coarse tick as the first write
    assert shipper.status().state == "synced"


async def test_the_run_header_shows_the_hub_and_the_hub_gets_the_run(hub, make_app, tmp_path: Path) -> None:
    desk = hub.desk()
    app = make_app(tmp_path, lang="en")
    app.shipper = ShipperProcess(desk.dsn, tmp_path / "logs", tmp_path / "cache" / "hub.json")  # as the app does
    app.shipper.start()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            app.start_run("example")
            await pilot.pause()
            assert isinstance(app.screen, RunScreen)
            header = app.screen.query_one("#run-header", Static)
            started = time.monotonic()
            while "hub ✓ synced" not in str(header.render()):
                assert time.monotonic() - started < 10, str(header.render())
                await asyncio.sleep(0.05)
                await app.tick_runs()  # as the app does every second (the test's clock does not tick)
            assert str(header.render()).endswith(" │ 20261130-0900-test │ hub ✓ synced")
            records = len(app.session.records)
    finally:
        app.shipper.stop()
    assert not (tmp_path / "cache" / "hub.json").exists()  # the child is gone, and its status file
    with HubReader(hub.dsn) as reader:
        assert reader.find("20261130-0900-test").last_seq + 1 >= records
