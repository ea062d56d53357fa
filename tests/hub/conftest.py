"""A real PostgreSQL for the hub tests: one server per test process (each xdist
worker has its own), started by pgserver in a temporary directory and stopped
at the end; every test that needs a hub gets a fresh database on it."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

psycopg = pytest.importorskip("psycopg", reason="the hub tests need psycopg (pip install 'ehplan[hub]')")

_names = itertools.count()


@dataclass
class PgServer:
    uri: str
    server: Any

    def dsn(self, database: str) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(self.uri, dbname=database)

    def stop(self) -> None:
        """Stop the server (fast shutdown: connections are cut), as a hub going down."""
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        """Start it again, on the same socket (pg_ctl -w returns once it accepts connections)."""
        from pgserver._commands import pg_ctl

        socket_dir = self.server.get_postmaster_info().socket_dir
        pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(self.server.log), "start"],
               pgdata=self.server.pgdata, user=self.server.system_user, timeout=20)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        import pgserver
    except ImportError:
        pytest.skip("the hub tests need pgserver (pip install 'ehplan[hub]')")
    # Not under pytest's own temporary directories: another pytest process of the
    # same user may clear those while this server still runs.
    directory = Path(tempfile.mkdtemp(prefix="ehplan-test-pg-"))
    try:
        server = pgserver.get_server(directory, cleanup_mode="stop")
    except Exception as exc:  # noqa: BLE001 - whatever stops PostgreSQL from starting here
        pytest.skip(f"PostgreSQL (pgserver) could not start here: {exc}")
    try:
        uri = server.get_uri()
        with psycopg.connect(uri, autocommit=True) as conn:  # a test server: speed over durability
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                conn.execute(f"ALTER SYSTEM SET {setting} = off")
            conn.execute("SELECT pg_reload_conf()")
            conn.execute('CREATE DATABASE "hub_template"')
        from ehplan.hub.db import migrate

        pg = PgServer(uri, server)
        migrate(pg.dsn("hub_template"))
        yield pg
    finally:
        server.cleanup()
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Hub:
    """A fresh hub database: its owner's DSN, and a maker of desks and readers."""

    dsn: str
    name: str
    server: PgServer

    def desk(self, name: str | None = None, key: bytes | None = None, place: str = "") -> Any:
        from ehplan.hub.db import add_desk

        return add_desk(self.dsn, name or unique("desk"), place, key)

    def reader(self) -> Any:
        from ehplan.hub.db import add_reader

        return add_reader(self.dsn, unique("reader"))


def unique(prefix: str) -> str:
    """Role names are the cluster's, shared by every test database: never reuse one."""
    return f"{prefix}-{os.getpid()}-{next(_names)}"


@pytest.fixture
def hub(pg_server: PgServer) -> Iterator[Hub]:
    from ehplan.hub.db import migrate

    name = f"hub_{os.getpid()}_{next(_names)}"
    with psycopg.connect(pg_server.uri, autocommit=True) as conn:  # a copy of a migrated hub
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "hub_template" STRATEGY FILE_COPY')
    dsn = pg_server.dsn(name)
    assert migrate(dsn) == []  # already there, and recorded
    yield Hub(dsn, name, pg_server)


TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)


@pytest.fixture
def write_run() -> Callable[..., Path]:
    """``write_run(log_dir, run_id, events=5)``: a run file of ``events`` notes after run_started."""
    from ehplan.audit import create_run

    def make(log_dir: Path, run_id: str, events: int = 5, *, key: bytes | None = None, end: bool = False,
             start: dt.datetime = START) -> Path:
        writer = create_run(log_dir, run_id, "Ann", "live", "run_started",
                            {"playbook": "example", "note": "é \"q\" \\ \n\u0001 😀", "n": [1, -2, {"hash": "x"}]},
                            start, key=key)
        for index in range(events):
            writer.append("note_added", {"text": f"note {index}"}, start + dt.timedelta(seconds=index + 1))
        if end:
            writer.append("run_ended", {}, start + dt.timedelta(seconds=events + 1))
        writer.close()
        return writer.path

    return make
