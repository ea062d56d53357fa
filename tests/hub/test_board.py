"""The supervisor's board against a real hub: a desk's new incident arrives
(notified, with the bell), its deadline counts down and expires (‼ OVERDUE,
the bell), and once ended it moves to the incidents closed today."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable, Static

from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.hub.ship import Shipper
from ehplan.session import Session
from ehplan.tui.board import BoardApp

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)


async def until(pilot: object, condition: Callable[[], bool], timeout: float = 5.0) -> float:
    """Wait for ``condition`` (the board's thread posts to the app); return how long it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "the board did not show it in time"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


def cells(app: BoardApp, table: str) -> list[list[str]]:
    grid: DataTable[object] = app.query_one(table, DataTable)
    return [[str(cell) for cell in grid.get_row_at(index)] for index in range(grid.row_count)]


async def test_board_sees_a_new_incident_and_its_deadline_expire(hub, example_library, tmp_path: Path) -> None:
    desk, reader = hub.desk(place="Hall 1"), hub.reader()
    logs = tmp_path / "logs"
    clock = FakeClock(START)
    now = [START + dt.timedelta(minutes=1)]
    app = BoardApp(reader.dsn, zone=TZ, lang="en", library=example_library, now=lambda: now[0], poll_s=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        status = app.query_one("#status", Static)
        await until(pilot, lambda: "live" in str(status.render()))
        assert cells(app, "#open") == [] and app.bells == 0

        session = Session.start(example_library, logs, c.StartRun("example", "b1", "Ann"), clock)
        session.execute(c.LogContact("it_centre", "no_answer"))
        Shipper(desk.dsn, logs).ship_once()
        took = await until(pilot, lambda: len(cells(app, "#open")) == 1)
        assert took < 1.0  # notified, not polled
        row = cells(app, "#open")[0]
        assert row[0].startswith(desk.name[:5]) and row[1:4] == ["Hall 1", "Example incident", "Ann"]
        assert row[4] == "01:00" and row[5].startswith("02:00 Report within") and row[6] == "1"
        assert app.bells == 1  # the bell for the new incident

        now[0] = START + dt.timedelta(minutes=2, seconds=40)  # within the warning
        app.redraw()
        assert cells(app, "#open")[0][5].startswith("⚠ 00:20 due soon Repor")
        now[0] = START + dt.timedelta(minutes=3, seconds=5)
        app.redraw()
        assert cells(app, "#open")[0][5].startswith("‼ +00:05 OVERDUE Repor")
        assert app.bells == 2  # and for the expiry, once
        app.redraw()
        assert app.bells == 2

        session.execute(c.LogContact("it_centre", "answered"))
        session.execute(c.EndRun(confirm=True))
        session.close()
        Shipper(desk.dsn, logs).ship_once()
        await until(pilot, lambda: len(cells(app, "#closed")) == 1)
        assert cells(app, "#open") == []
        assert cells(app, "#closed")[0][2:5] == ["Example incident", "Ann", "09:00"]
        await pilot.press("q")


async def test_the_live_view_follows_the_run_as_its_desk_ships_it(hub, example_library, tmp_path: Path) -> None:
    from ehplan.hub.fetch import HubReader
    from ehplan.tui.board import LiveReplayApp
    from ehplan.verified import load_verified

    desk, reader = hub.desk(), hub.reader()
    logs = tmp_path / "logs"
    clock = FakeClock(START)
    session = Session.start(example_library, logs, c.StartRun("example", "v1", "Ann"), clock)
    Shipper(desk.dsn, logs).ship_once()
    out = tmp_path / "out"
    out.mkdir()
    with HubReader(reader.dsn) as hub_reader:  # as `replay --hub --follow` loads it
        path = hub_reader.export(hub_reader.find("v1"), out)
    run = load_verified(path, None, "no replay")
    wall = [START + dt.timedelta(minutes=1)]
    app = LiveReplayApp(example_library, path, run.records, dsn=reader.dsn, desk=desk.name, lang="en",
                        now=lambda: wall[0], poll_s=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.replay.at == wall[0]  # following: the countdowns run on the wall clock
        before = app.replay.records[-1].seq
        session.execute(c.LogContact("it_centre", "answered"))
        Shipper(desk.dsn, logs).ship_once()
        await until(pilot, lambda: app.replay.records[-1].seq > before)
        assert app.replay.at_end and any(call.contact == "it_centre" for call in app.replay.state.contacts)
        await pilot.press("enter")  # the run's own keys only say it is read-only
        await pilot.pause()
        assert app.replay.records[-1].seq == session.state.last_seq
    session.close()
