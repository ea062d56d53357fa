"""The hub's own checks, in the database: a desk's records go in once, in order,
with their hashes; flipped bytes, gaps, replayed altered records, another
desk's rows, UPDATE and DELETE are refused; a conflicting second version of a
stored seq is refused and recorded as an alarm."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ehplan.audit import verify_log
from ehplan.hub.fetch import HubReader
from ehplan.hub.ship import INGEST

INSERT = ("INSERT INTO ehplan.records (desk, file, line) SELECT %s, CASE WHEN u.o = 1 AND %s THEN %s END, u.l "
          "FROM unnest(%s::text[]) WITH ORDINALITY AS u(l, o) ORDER BY u.o")
"""Migration 1's way in (a direct INSERT, checked by a row trigger): refused since migration 2."""


def lines_of(path: Path) -> list[str]:
    return path.read_text("ascii").split("\n")[:-1]


def send(desk: Any, path: Path, lines: list[str], *, first: bool = True) -> tuple[int | None, bool]:
    """Ship ``lines`` as the shipper does (``first``: with the run file's name);
    the hub's last seq of the run and whether it has an alarm."""
    with psycopg.connect(desk.dsn) as conn:
        last_seq, alarm = conn.execute(INGEST, (path.name if first else None, lines)).fetchone()
    return last_seq, alarm


def stored(hub: Any, desk: str) -> list[tuple[int, str]]:
    with psycopg.connect(hub.dsn) as conn:
        return list(conn.execute("SELECT seq, line FROM ehplan.records WHERE desk = %s ORDER BY run, seq",
                                 (desk,)).fetchall())


def refused(desk: Any, path: Path, lines: list[str], match: str, **kw: Any) -> None:
    with pytest.raises(psycopg.Error, match=match):
        send(desk, path, lines, **kw)


def rehash(line: str, **changes: Any) -> str:
    """A line with members changed and its own hash recomputed: well-formed, correctly hashed."""
    record = json.loads(line)
    record.update(changes)
    body = {k: v for k, v in record.items() if k != "hash"}
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    record["hash"] = hashlib.sha256(canon).hexdigest()
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def test_ingest_once_and_export_byte_identical(hub, write_run, tmp_path: Path) -> None:
    desk = hub.desk()
    path = write_run(tmp_path / "logs", "r1", 6, end=True)
    lines = lines_of(path)
    send(desk, path, lines)
    send(desk, path, lines)  # shipped twice: stored once
    send(desk, path, lines[2:5], first=False)
    assert [seq for seq, _ in stored(hub, desk.name)] == list(range(len(lines)))
    with HubReader(hub.dsn) as reader:
        run = reader.find("r1")
        assert run.ended and run.last_seq == len(lines) - 1
        out = tmp_path / "out"
        out.mkdir()
        exported = reader.export(run, out)
    assert exported.read_bytes() == path.read_bytes()
    assert verify_log(exported).ok


def test_flipped_byte_gap_and_bad_first_line_are_refused(hub, write_run, tmp_path: Path) -> None:
    desk = hub.desk()
    path = write_run(tmp_path / "logs", "r1", 4)
    lines = lines_of(path)
    flipped = lines[0].replace("note", "nose", 1)
    refused(desk, path, [flipped], "hash mismatch")
    refused(desk, path, [lines[1]], "first seq of run r1 is 1, not 0", first=False)
    refused(desk, path, [lines[0]], "needs its file name", first=False)
    send(desk, path, lines[:2])
    refused(desk, path, [lines[3]], "seq 3 follows 1", first=False)
    # one bad line refuses the whole batch: nothing of it is stored
    refused(desk, path, [lines[2], lines[3].replace('"note 2"', '"note X"')], "hash mismatch", first=False)
    assert len(stored(hub, desk.name)) == 2
    # a well-formed, correctly hashed line whose prev is not the stored hash
    refused(desk, path, [rehash(lines[2], prev="1" * 64)], "does not match", first=False)
    # non-canonical forms the file verifier refuses
    for bad in (lines[2].replace(":", ": ", 1), lines[2].replace('"v":1', '"v":1.0'),
                lines[2][:-1] + ',"x":1}', lines[2].replace(',"mode":', ', "mode":'),
                lines[2].replace('"note 1"}', '"note 1"},"z":0'), "[1,2]", "not json"):
        refused(desk, path, [bad], "canonical|form|JSON|ASCII|hash member", first=False)
    send(desk, path, lines[2:])
    assert len(stored(hub, desk.name)) == len(lines)


def test_replayed_altered_record_is_an_alarm_and_the_run_takes_no_more(hub, write_run, tmp_path: Path) -> None:
    desk = hub.desk()
    path = write_run(tmp_path / "logs", "r1", 4)
    lines = lines_of(path)
    send(desk, path, lines[:4])
    altered = rehash(lines[2], data={"text": "something else"})
    send(desk, path, [altered], first=False)  # refused without an error: the alarm records it
    send(desk, path, [rehash(lines[4], prev=json.loads(altered)["hash"])], first=False)
    assert stored(hub, desk.name) == list(enumerate(lines[:4]))
    with psycopg.connect(hub.dsn) as conn:
        alarms = conn.execute("SELECT run, seq, offered_line, stored_hash FROM ehplan.alarms").fetchall()
    assert alarms == [("r1", 2, altered, json.loads(lines[2])["hash"])]
    send(desk, path, lines[4:], first=False)  # even the true next line: the run is frozen until looked into
    assert len(stored(hub, desk.name)) == 4


def test_another_desks_rows_update_delete_and_truncate_are_refused(hub, write_run, tmp_path: Path) -> None:
    ours, theirs = hub.desk(), hub.desk()
    path = write_run(tmp_path / "logs", "r1", 2)
    lines = lines_of(path)
    for who in (ours, theirs):  # the old way in, for another desk's rows or its own: no privilege
        with psycopg.connect(who.dsn) as conn, pytest.raises(psycopg.Error, match="permission denied"):
            conn.execute(INSERT, (theirs.name, True, path.name, lines))
    send(theirs, path, lines)
    with psycopg.connect(ours.dsn) as conn:  # a desk sees its own rows only
        assert conn.execute("SELECT count(*) FROM ehplan.records").fetchone() == (0,)
    for who in (theirs.dsn, hub.reader().dsn, hub.dsn):
        for statement in ("UPDATE ehplan.records SET line = line", "DELETE FROM ehplan.records",
                          "TRUNCATE ehplan.records", "UPDATE ehplan.alarms SET reason = ''"):
            with psycopg.connect(who) as conn, pytest.raises(psycopg.Error, match="denied|refused"):
                conn.execute(statement)
    with psycopg.connect(hub.reader().dsn) as conn, pytest.raises(psycopg.Error, match="denied"):
        conn.execute(INSERT, (theirs.name, True, path.name, lines))
    assert len(stored(hub, theirs.name)) == len(lines)


def test_hmac_logs_checked_with_the_hubs_key_or_flagged(hub, write_run, tmp_path: Path) -> None:
    key = b"site key\n"
    keyed, unkeyed = hub.desk(key=key), hub.desk()
    path = write_run(tmp_path / "logs", "k1", 3, key=key)
    lines = lines_of(path)
    send(keyed, path, lines)
    send(unkeyed, path, lines)
    record = json.loads(lines[1])
    record["data"] = {"text": "forged"}
    body = json.dumps({k: v for k, v in record.items() if k != "hash"}, sort_keys=True, separators=(",", ":"))
    forged = dict(record, hash=hmac.new(b"other key", body.encode(), "sha256").hexdigest())
    with psycopg.connect(hub.dsn) as conn:
        flags = dict(conn.execute("SELECT desk, bool_and(verified) FROM ehplan.records GROUP BY desk").fetchall())
    assert flags == {keyed.name: True, unkeyed.name: False}
    other = write_run(tmp_path / "logs2", "k2", 3, key=key)
    first = lines_of(other)[0]
    send(keyed, other, [first])
    forged["prev"], forged["run"] = json.loads(first)["hash"], "k2"
    body = json.dumps({k: v for k, v in forged.items() if k != "hash"}, sort_keys=True, separators=(",", ":"))
    forged["hash"] = hmac.new(b"other key", body.encode(), "sha256").hexdigest()
    line = json.dumps(forged, sort_keys=True, separators=(",", ":"))
    refused(keyed, other, [line], "hash mismatch", first=False)
