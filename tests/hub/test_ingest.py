"""Migration 2's way in, ehplan.ingest(file, lines): a hub made with migration 1
upgraded by `hub init` keeps its records and takes the rest of a run through
ingest; every other way in is refused (the old direct INSERT, COPY, the
owner's own); a batch with one bad line stores nothing of it; a conflicting
version is recorded as an alarm that survives (ingest does not raise); and
the fast canonical-form test does not refuse what Python writes for
characters beyond ASCII."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import psycopg
import pytest

from ehplan.audit import create_run
from ehplan.hub.db import MIGRATIONS_TABLE, migrate, migrations
from ehplan.hub.fetch import HubReader
from ehplan.hub.ship import INGEST, Shipper

from .conftest import START, unique
from .test_hub_chain import INSERT, lines_of, refused, rehash, send, stored


def ingest(dsn: str, file: str | None, lines: list[str]) -> tuple[int | None, bool]:
    with psycopg.connect(dsn) as conn:
        last_seq, alarm = conn.execute(INGEST, (file, lines)).fetchone()
    return last_seq, alarm


def test_a_hub_of_migration_1_upgraded_by_init_goes_on_through_ingest(pg_server, write_run, cli,
                                                                      tmp_path: Path) -> None:
    name = f"old_hub_{unique('db').replace('-', '_')}"
    with psycopg.connect(pg_server.uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = pg_server.dsn(name)
    first = migrations()[0]
    assert first.version == 1
    with psycopg.connect(dsn) as conn:  # what `hub init` did before migration 2 shipped
        conn.execute("CREATE SCHEMA IF NOT EXISTS ehplan")
        conn.execute(f"CREATE TABLE {MIGRATIONS_TABLE} (version int PRIMARY KEY, name text NOT NULL, "
                     "sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        conn.execute(first.sql.encode("utf-8"))
        conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (version, name, sha256) VALUES (%s, %s, %s)",
                     (first.version, first.name, first.sha256))
    from ehplan.hub.db import add_desk

    desk = add_desk(dsn, unique("old"))
    path = write_run(tmp_path / "logs", "u1", 6, end=True)
    lines = lines_of(path)
    with psycopg.connect(desk.dsn) as conn:  # shipped the old way, checked by migration 1's trigger
        conn.execute(INSERT, (desk.name, True, path.name, lines[:4]))
    code, out = cli("hub", "init", dsn)
    assert code == 0 and out.strip() == "applied migration 0002_ingest", out
    assert migrate(dsn) == []
    with psycopg.connect(desk.dsn) as conn, pytest.raises(psycopg.Error, match="permission denied"):
        conn.execute(INSERT, (desk.name, False, path.name, lines[4:]))
    summary = Shipper(desk.dsn, tmp_path / "logs").ship_once()  # the shipper resends all: the stored part skipped
    assert summary.shipped == len(lines) - 4 and not summary.refused
    with psycopg.connect(dsn) as conn:
        seqs = [row[0] for row in conn.execute("SELECT seq FROM ehplan.records ORDER BY seq")]
    assert seqs == list(range(len(lines)))
    with HubReader(dsn) as reader:
        run = reader.find("u1")
        assert run.ended and run.last_seq == len(lines) - 1
        out = tmp_path / "out"
        out.mkdir()
        assert reader.export(run, out).read_bytes() == path.read_bytes()


def test_every_other_way_in_is_refused(hub, write_run, tmp_path: Path) -> None:
    desk = hub.desk()
    path = write_run(tmp_path / "logs", "w1", 2)
    lines = lines_of(path)
    with psycopg.connect(hub.dsn) as conn, pytest.raises(psycopg.Error, match="only a desk's login"):
        conn.execute(INGEST, (path.name, lines))  # the owner is no desk
    only_ingest = r"through ehplan.ingest\(file, lines\) only"
    with psycopg.connect(hub.dsn) as conn, pytest.raises(psycopg.Error, match=only_ingest):
        conn.execute(INSERT, (desk.name, True, path.name, lines))  # the owner's direct INSERT: not checked, so refused
    record = json.loads(lines[0])
    with psycopg.connect(hub.dsn) as conn, pytest.raises(psycopg.Error, match="only"):
        with conn.cursor().copy("COPY ehplan.records (desk, run, seq, file, line, hash, prev, type, ts, verified) "
                                "FROM STDIN") as copy:
            copy.write_row((desk.name, "w1", 0, path.name, lines[0], record["hash"], record["prev"], record["type"],
                            record["ts"], True))
    with psycopg.connect(desk.dsn) as conn, pytest.raises(psycopg.Error, match="permission denied"):
        conn.execute("SELECT set_config('ehplan.last_stored', 'x', true)")  # no setting opens the old door
        conn.execute(INSERT, (desk.name, True, path.name, lines))
    with psycopg.connect(hub.reader().dsn) as conn, pytest.raises(psycopg.Error, match="permission denied"):
        conn.execute(INGEST, (path.name, lines))
    assert stored(hub, desk.name) == []
    assert send(desk, path, lines) == (len(lines) - 1, False)
    with psycopg.connect(hub.dsn) as conn:  # the desk is the login's, never an argument
        assert conn.execute("SELECT DISTINCT desk FROM ehplan.records").fetchall() == [(desk.name,)]


def test_a_bad_line_in_the_middle_refuses_the_whole_batch(hub, write_run, tmp_path: Path) -> None:
    desk = hub.desk()
    path = write_run(tmp_path / "logs", "b1", 12)
    lines = lines_of(path)
    send(desk, path, lines[:2])
    middle = lines[2:12]
    for at, bad, match in ((4, middle[4].replace("note", "nose", 1), "hash mismatch at seq 6 of run b1"),
                           (5, middle[5].replace(",", ", ", 1), "canonical form"),
                           (3, rehash(middle[3], prev="2" * 64), "prev of seq 5 does not match seq 4's hash"),
                           (6, middle[7], "seq 9 follows 7"),
                           (2, middle[2][:-1], "JSON|json|canonical")):
        batch = middle[:at] + [bad] + middle[at + 1:]
        refused(desk, path, batch, match, first=False)
        assert len(stored(hub, desk.name)) == 2
    other = write_run(tmp_path / "logs2", "b2", 2)
    refused(desk, path, lines[2:4] + lines_of(other)[:1], "one run", first=False)
    assert send(desk, path, middle, first=False) == (11, False)
    assert send(desk, path, lines[8:], first=False) == (len(lines) - 1, False)  # half stored, half new
    assert [seq for seq, _ in stored(hub, desk.name)] == list(range(len(lines)))


def test_a_conflicting_version_is_an_alarm_that_survives(hub, write_run, tmp_path: Path) -> None:
    desk = hub.desk()
    path = write_run(tmp_path / "logs", "c1", 6)
    lines = lines_of(path)
    send(desk, path, lines[:4])
    altered = rehash(lines[3], data={"text": "something else"})
    following = rehash(lines[4], prev=json.loads(altered)["hash"])
    with psycopg.connect(hub.reader().dsn, autocommit=True) as board:
        board.execute("LISTEN ehplan_alarm")
        # the fork, the line after it, and a malformed line too: no exception, the alarm is stored
        assert send(desk, path, lines[2:3] + [altered, following, "not json"], first=False) == (3, True)
        notified = [n.payload for n in board.notifies(timeout=2, stop_after=1)]
    assert notified == [f"{desk.name} c1"]
    with psycopg.connect(hub.dsn) as conn:
        alarms = conn.execute("SELECT run, seq, offered_line, stored_hash FROM ehplan.alarms").fetchall()
    assert alarms == [("c1", 3, altered, json.loads(lines[3])["hash"])]
    assert send(desk, path, lines[4:], first=False) == (3, True)  # the true next lines: the run is frozen
    assert send(desk, path, lines[:2], first=False) == (3, True)
    assert len(stored(hub, desk.name)) == 4
    with psycopg.connect(hub.dsn) as conn:
        assert conn.execute("SELECT count(*) FROM ehplan.alarms").fetchone() == (1,)


def test_what_python_writes_beyond_ascii_is_taken(hub, tmp_path: Path) -> None:
    """The operator and the type rebuilt as PostgreSQL writes JSON differ from
    Python's canonical form for characters beyond ASCII (and DEL): those lines
    are checked against their own texts instead, not refused."""
    desk = hub.desk()
    writer = create_run(tmp_path / "logs", "x1", "Zo\u00eb \U0001f600 \x7f \"q\" \\", "drill", "run_started",
                        {"playbook": "example", "t": "\u00e9\x7f"}, START)
    writer.append("note_\u00e9\x7f", {"text": "\u4e09 \x01"}, START + dt.timedelta(seconds=1))
    writer.close()
    lines = lines_of(writer.path)
    assert "\\u00eb" in lines[0] and "\\u007f" in lines[1]
    assert send(desk, writer.path, lines) == (1, False)
    with psycopg.connect(hub.dsn) as conn:
        assert conn.execute("SELECT type FROM ehplan.records WHERE seq = 1").fetchone() == ("note_\u00e9\x7f",)
        assert conn.execute("SELECT operator, mode FROM ehplan.runs").fetchone() == (
            "Zo\u00eb \U0001f600 \x7f \"q\" \\", "drill")
    # ... and a non-canonical escape there still is refused
    bad = rehash(lines[1]).replace('"operator":"Zo\\u00eb', '"operator":"Zo\\u00EB')
    refused(desk, writer.path, [bad], "escape Python would not write|hash mismatch", first=False)


def test_forms_tested_once_per_batch_or_through_the_chain_still_refuse(hub, write_run, tmp_path: Path) -> None:
    """The run's form (once per batch), a keyless HMAC line's hash (no computed
    hash to equal), prev (through the chain links) and the other members."""
    key = b"k"
    desk = hub.desk()
    path = write_run(tmp_path / "logs", "f1", 3)
    lines = lines_of(path)
    bad_run = rehash(lines[0], run="-f1")
    refused(desk, path, [bad_run], "wrong form: run")
    refused(desk, path, [rehash(lines[0], prev="G" * 64)], "genesis")
    refused(desk, path, [rehash(lines[0], mode="test")], "wrong form")
    refused(desk, path, [rehash(lines[0], ts="2026-11-30 09:00:00+08:00")], "wrong form")
    refused(desk, path, [rehash(lines[0], ts="2026-11-30T09:00:00.1234567Z")], "wrong form")
    refused(desk, path, [rehash(lines[0], v=2)], "wrong form")
    refused(desk, path, [lines[0].replace('"seq":0', '"seq":00')], "JSON|json|canonical|wrong form")
    send(desk, path, lines[:1])
    refused(desk, path, [rehash(lines[1], prev=json.loads(lines[0])["hash"].upper())], "does not match", first=False)
    keyed_path = write_run(tmp_path / "keyed", "f2", 2, key=key)
    keyed_lines = lines_of(keyed_path)
    assert send(desk, keyed_path, keyed_lines[:1]) == (0, False)  # no key here: stored, flagged
    no_hex = keyed_lines[1].replace(json.loads(keyed_lines[1])["hash"], "Z" * 64)
    refused(desk, keyed_path, [no_hex], "wrong form", first=False)
    assert send(desk, keyed_path, keyed_lines[1:], first=False) == (len(keyed_lines) - 1, False)
