"""Reading runs back from the hub: the run file's bytes exactly as the desk wrote
them (every stored line, in seq order, each with its newline), so the file
verifiers, `report`, `replay` and `runs` work on the hub as on files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .db import HubError, connect, first_line


@dataclass(frozen=True)
class HubRun:
    """One run as the hub's runs table lists it."""

    desk: str
    run: str
    file: str
    started_at: dt.datetime
    last_seq: int
    ended: bool


class HubReader:
    """A read-only view of the hub (a reader's login, or any that may read)."""

    def __init__(self, dsn: str) -> None:
        self._conn: Any = connect(dsn, autocommit=True)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> HubReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        try:
            return list(self._conn.execute(sql, params).fetchall())
        except psycopg.errors.UndefinedTable:
            raise HubError("this database is no ehplan hub (run `ehplan hub init DSN` first)") from None
        except psycopg.Error as exc:
            raise HubError(f"the hub refused: {first_line(exc)}") from None

    def runs(self, desk: str | None = None, since: dt.datetime | None = None,
             until: dt.datetime | None = None) -> list[HubRun]:
        """The hub's runs, oldest first, of one desk or all."""
        rows = self._query(
            "SELECT desk, run, file, started_at, last_seq, ended FROM ehplan.runs "
            "WHERE (%(desk)s::text IS NULL OR desk = %(desk)s) "
            "AND (%(since)s::timestamptz IS NULL OR started_at >= %(since)s) "
            "AND (%(until)s::timestamptz IS NULL OR started_at < %(until)s) ORDER BY file, desk",
            {"desk": desk, "since": since, "until": until})  # type: ignore[arg-type]
        return [HubRun(*row) for row in rows]

    def find(self, run: str, desk: str | None = None) -> HubRun:
        """The run with this id (or file name), or HubError saying why not in one line."""
        rows = self._query(
            "SELECT desk, run, file, started_at, last_seq, ended FROM ehplan.runs "
            "WHERE (run = %s OR file = %s) AND (%s::text IS NULL OR desk = %s) ORDER BY desk",
            (run, run, desk, desk))
        if not rows:
            where = f" of desk {desk!r}" if desk else ""
            raise HubError(f"no run {run!r}{where} on the hub")
        if len(rows) > 1:
            raise HubError(f"run {run!r} is on several desks ({', '.join(r[0] for r in rows)}): give --desk")
        return HubRun(*rows[0])

    def file_bytes(self, run: HubRun) -> bytes:
        """The run file exactly as the desk wrote it (up to what was shipped)."""
        rows = self._query("SELECT line FROM ehplan.records WHERE desk = %s AND run = %s ORDER BY seq",
                           (run.desk, run.run))
        return b"".join(line.encode("ascii") + b"\n" for (line,) in rows)

    def lines_after(self, desk: str, run: str, seq: int) -> list[str]:
        """The stored lines of a run after ``seq``, in order."""
        rows = self._query("SELECT line FROM ehplan.records WHERE desk = %s AND run = %s AND seq > %s "
                           "ORDER BY seq", (desk, run, seq))
        return [line for (line,) in rows]

    def by_file(self, desk: str, file: str) -> HubRun | None:
        rows = self._query("SELECT desk, run, file, started_at, last_seq, ended FROM ehplan.runs "
                           "WHERE desk = %s AND file = %s", (desk, file))
        return HubRun(*rows[0]) if rows else None

    def export(self, run: HubRun, directory: Path, *, previous: bool = False) -> Path:
        """Write the run's file into ``directory`` (0600, never over an existing
        file); with ``previous``, also the run file its first record links to,
        when the hub has it, so the prev_run link can be checked there."""
        from ehplan.safeio import write_private

        path = directory / run.file
        if path.exists():
            raise HubError(f"{path} exists already; not overwritten")
        raw = self.file_bytes(run)
        write_private(path, raw)
        if previous:
            self._export_previous(run, raw, directory)
        return path

    def _export_previous(self, run: HubRun, raw: bytes, directory: Path) -> None:
        import json

        try:
            link = json.loads(raw.split(b"\n", 1)[0])["data"].get("prev_run")
            name = link["file"] if isinstance(link, dict) else None
        except (ValueError, KeyError, TypeError, AttributeError):
            return
        if not isinstance(name, str) or (directory / name).exists():
            return
        earlier = self.by_file(run.desk, name)
        if earlier is not None:
            from ehplan.safeio import write_private

            write_private(directory / name, self.file_bytes(earlier))
