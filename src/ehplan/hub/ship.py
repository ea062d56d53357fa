"""The desk's shipper: what the log directory holds beyond the hub's acknowledged
seq of each run goes to the hub, in order and in batches.

The shipper only reads the log files (lock-free, as `read_log` does), so the
operator's appends never wait for it; it keeps the verified lines it has read
but the hub has not acknowledged, so a hub that is down or slow only makes the
backlog grow, shipped in order when it answers again. Shipping is idempotent:
the hub stores a line it already holds once (its ingest skips it), so a
shipper killed anywhere — before, during or after a commit — simply ships the
unacknowledged lines again.

`Shipper.ship_once()` ships everything and returns a summary (`ehplan sync
--once`); `Shipper.start()` runs the same in a background thread until
`stop()`; `Shipper.status()` says what the header shows.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ehplan.audit.canonical import GENESIS
from ehplan.audit.chain import scan_lines
from ehplan.audit.runfiles import run_files

from .db import HubError, HubUnreachable, connect, first_line

BATCH = 1000
"""Lines sent in one call of the hub's ingest."""
INGEST = "SELECT last_seq, alarm FROM ehplan.ingest(%s, %b::text[])"
"""The hub's one way in (migration 0002): the run file's name and a batch of its
lines in order; the hub's last stored seq of the run (NULL: none) and whether
the run has an alarm come back."""
INTERVAL_S = 0.25
"""How often the log directory is looked at while all is shipped."""
RETRY_MAX_S = 10.0
"""The longest wait between two tries at an unreachable hub."""
STAMP_TRUSTED_AFTER_NS = 2_000_000_000
"""A status file's stamp this old can no longer hide a later write in the same clock tick."""

HubState = Literal["off", "synced", "waiting", "unreachable", "refused"]


@dataclass(frozen=True)
class HubStatus:
    """What the desk knows of its shipping: synced, n records waiting, or the hub
    unreachable since a moment; "refused" when the hub holds a different version
    of a run (an alarm there) or refused a line."""

    state: HubState
    waiting: int = 0
    since: dt.datetime | None = None
    """When the hub stopped answering (aware, UTC)."""
    detail: str = ""

    def text(self, zone: dt.tzinfo | None = None) -> str:
        """The header's short words for it (the time in ``zone``)."""
        if self.state == "synced":
            return "hub ✓ synced"
        if self.state == "waiting":
            return f"hub ↑ {self.waiting} waiting" if self.waiting else "hub …"
        if self.state == "unreachable":
            since = self.since.astimezone(zone).strftime("%H:%M") if self.since else "?"
            waiting = f", {self.waiting} waiting" if self.waiting else ""
            return f"hub ✗ unreachable since {since}{waiting}"
        if self.state == "refused":
            return "hub ‼ refused (see ehplan sync)"
        return ""


@dataclass
class _Run:
    """One run file as the shipper follows it."""

    path: Path
    read_to: int = 0
    """Bytes of the file read and verified so far (whole lines only)."""
    next_seq: int = 0
    last_hash: str = GENESIS
    pending: list[tuple[int, str]] = field(default_factory=list)
    """Verified lines (seq, line without newline) the hub has not acknowledged."""
    acked: int = -1
    stat: tuple[int, int] = (-1, -1)
    refused: str = ""

    @property
    def run_id(self) -> str:
        return self.path.name[17:-6]


@dataclass(frozen=True)
class ShipSummary:
    """What one `ship_once` did."""

    shipped: int
    runs: int
    """Runs that got records."""
    known: int
    """Run files looked at."""
    refused: tuple[str, ...] = ()
    """One line per run the hub refused."""


class Shipper:
    """Ships one log directory to one hub (as the desk its DSN logs in as)."""

    def __init__(self, dsn: str, log_dir: Path, *, batch: int = BATCH, interval: float = INTERVAL_S,
                 retry_max: float = RETRY_MAX_S) -> None:
        self.dsn = dsn
        self.retry_max = retry_max
        self.log_dir = Path(log_dir)
        self.batch = batch
        self.interval = interval
        self._runs: dict[str, _Run] = {}
        self._conn: Any = None
        self._desk: str | None = None
        self._acked: dict[str, int] = {}
        """The hub's last seq of each run file, as of the last connection."""
        self._refused_names: set[str] = set()
        self._lock = threading.Lock()
        self._status = HubStatus("waiting")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the background thread ---------------------------------------------------

    def start(self) -> None:
        """Ship in a daemon thread until `stop()`."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="ehplan-shipper", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (what is not shipped yet is shipped next time)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._disconnect()

    def _loop(self) -> None:
        wait = self.interval
        while not self._stop.is_set():
            try:
                self.ship_once()
                wait = self.interval
            except HubUnreachable:
                wait = min(max(wait * 2, 1.0), self.retry_max)
            except HubError:
                wait = self.retry_max
            except Exception as exc:  # noqa: BLE001 - the thread must survive whatever a file holds
                self._set_status(HubStatus("refused", self._waiting(), detail=f"shipper error: {exc}"))
                wait = self.retry_max
            self._stop.wait(wait)

    def status(self) -> HubStatus:
        """The latest status (thread-safe, never blocks on the network)."""
        with self._lock:
            return self._status

    def _set_status(self, status: HubStatus) -> None:
        with self._lock:
            self._status = status

    # --- one pass ------------------------------------------------------------------

    def ship_once(self) -> ShipSummary:
        """Read what is new in the log directory and ship every unacknowledged line.

        Raises HubUnreachable when the hub does not answer (the lines stay
        pending), HubError when it cannot be used at all (not a desk's login)."""
        try:
            conn = self._connection()
        except HubUnreachable as exc:
            self._read_files()  # the backlog still counts
            self._unreachable(str(exc))
            raise
        self._read_files()
        try:
            shipped, moved, refused = 0, 0, []
            for run in list(self._runs.values()):
                if run.refused:
                    refused.append(f"{run.path.name}: {run.refused}")
                    continue
                sent = self._ship_run(conn, run)
                shipped += sent
                moved += sent > 0
                if run.refused:
                    refused.append(f"{run.path.name}: {run.refused}")
        except HubUnreachable as exc:
            self._unreachable(str(exc))
            raise
        waiting = self._waiting()
        if refused:
            self._set_status(HubStatus("refused", waiting, detail="; ".join(refused)))
        else:
            self._set_status(HubStatus("synced" if waiting == 0 else "waiting", waiting))
        return ShipSummary(shipped, moved, len(self._runs), tuple(refused))

    def _unreachable(self, why: str) -> None:
        self._disconnect()
        previous = self.status()
        since = previous.since if previous.state == "unreachable" else dt.datetime.now(dt.UTC)
        self._set_status(HubStatus("unreachable", self._waiting(), since, why))

    def _waiting(self) -> int:
        return sum(len(run.pending) for run in self._runs.values())

    def _connection(self) -> Any:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        conn = connect(self.dsn)
        psycopg = _psycopg()
        try:
            (desk,) = conn.execute("SELECT ehplan.current_desk()").fetchone()
            if desk is None:
                raise HubError("this hub login is no desk's (make one with `ehplan hub add-desk NAME`)")
            acked = {name: (seq, refused) for name, seq, refused in conn.execute(
                "SELECT r.file, r.last_seq, EXISTS (SELECT 1 FROM ehplan.alarms a WHERE a.desk = r.desk "
                "AND a.run = r.run) FROM ehplan.runs r")}
            conn.commit()
        except psycopg.OperationalError as exc:
            conn.close()
            raise HubUnreachable(f"hub unreachable: {first_line(exc)}") from None
        except psycopg.Error as exc:
            conn.close()
            raise HubError(f"the hub refused this desk: {first_line(exc)}") from None
        except HubError:
            conn.close()
            raise
        self._conn, self._desk = conn, desk
        for name, run in list(self._runs.items()):
            seq, refused = acked.get(name, (-1, False))
            if seq < run.acked:  # a fresh hub, or one restored from an older backup: read and ship again
                self._runs[name] = run = _Run(run.path)
            self._acknowledge(run, seq)
            if refused:
                run.refused = "the hub holds a different version of this run (an alarm there)"
        self._acked = {name: seq for name, (seq, _refused) in acked.items()}
        for name, (_seq, refused) in acked.items():
            if refused and name not in self._runs:
                self._refused_names.add(name)
        return conn

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail too
                pass

    # --- the files ----------------------------------------------------------------

    def _read_files(self) -> None:
        """Read the new whole, verified lines of every run file that changed."""
        try:
            paths = run_files(self.log_dir)
        except OSError:
            paths = []
        for path in paths:
            run = self._runs.get(path.name)
            if run is None:
                run = self._runs[path.name] = _Run(path, acked=self._acked.get(path.name, -1))
                if path.name in self._refused_names:
                    run.refused = "the hub holds a different version of this run (an alarm there)"
            try:
                info = os.stat(path)
            except OSError:
                continue
            stamp = (info.st_size, info.st_mtime_ns)
            if stamp == run.stat or run.refused:
                continue
            self._read_new(run, info.st_size)
            run.stat = stamp

    def _read_new(self, run: _Run, size: int) -> None:
        if size <= run.read_to:
            return
        try:
            with open(run.path, "rb") as handle:
                handle.seek(run.read_to)
                raw = handle.read(size - run.read_to)
        except OSError:
            return
        end = raw.rfind(b"\n") + 1  # a line still being written waits for its newline
        if end == 0:
            return
        kept: list[tuple[int, str]] = []
        scan = scan_lines(_lines(raw[:end]), None, strict_alg=False, offset=run.read_to, adopt=True,
                          ends_file=False, keep=lambda r: kept.append((r.seq, "")))
        good = scan.good_length - run.read_to
        if kept and (kept[0][0] != run.next_seq or scan.first is None or scan.first.prev != run.last_hash):
            run.refused = f"seq {kept[0][0]} does not follow seq {run.next_seq - 1} in the file"
            return
        if scan.fault is not None and not kept:
            return  # a bad line right where reading resumes: wait (resume may cut it as torn)
        lines = raw[:good].split(b"\n")[:-1]
        for (seq, _), line in zip(kept, lines, strict=True):
            if seq > run.acked:
                run.pending.append((seq, line.decode("ascii")))
        if scan.last is not None:
            run.next_seq, run.last_hash = scan.last.seq + 1, scan.last.hash
        run.read_to += good

    def _acknowledge(self, run: _Run, seq: int) -> None:
        run.acked = max(run.acked, seq)
        if run.pending and run.pending[0][0] <= run.acked:
            run.pending = [item for item in run.pending if item[0] > run.acked]

    # --- sending --------------------------------------------------------------------

    def _ship_run(self, conn: Any, run: _Run) -> int:
        psycopg = _psycopg()
        sent = 0
        while run.pending:
            batch = run.pending[: self.batch]
            try:
                row = conn.execute(INGEST, (run.path.name, [line for _seq, line in batch])).fetchone()
                conn.commit()  # an alarm ingest recorded commits too (it does not raise)
            except psycopg.OperationalError as exc:
                raise HubUnreachable(f"hub unreachable: {first_line(exc)}") from None
            except psycopg.Error as exc:  # the hub's checks refused the batch
                _rollback(conn)
                run.refused = f"refused by the hub: {first_line(exc)}"
                return sent
            acked, alarm = (row[0], row[1]) if row is not None and row[0] is not None else (-1, bool(row and row[1]))
            before = run.acked
            self._acknowledge(run, acked)
            sent += max(0, run.acked - before)
            if alarm:
                run.refused = "the hub holds a different version of this run (an alarm there)"
                return sent
            if run.acked < batch[-1][0]:
                run.refused = f"the hub acknowledged seq {acked}, not {batch[-1][0]}"
                return sent
        return sent


def _rollback(conn: Any) -> None:
    try:
        conn.rollback()
    except Exception:  # noqa: BLE001 - a broken connection is reopened next time
        pass


def _lines(raw: bytes) -> list[bytes]:
    return [line + b"\n" for line in raw.split(b"\n")[:-1]]


def _psycopg() -> Any:
    import psycopg

    return psycopg


class ShipperProcess:
    """The same shipper in a child process, so that not even Python's GIL is
    shared with the operator's appends; it tells its status through a small
    file that `status()` reads. The DSN goes to the child in its environment
    (not on its command line, which any user can list)."""

    def __init__(self, dsn: str, log_dir: Path, status_file: Path) -> None:
        self.dsn = dsn
        self.log_dir = Path(log_dir)
        self.status_file = Path(status_file)
        self._proc: Any = None
        self._read: tuple[tuple[int, int, int], HubStatus] = ((-1, -1, -1), HubStatus("waiting"))

    def start(self) -> None:
        import subprocess
        import sys

        if self._proc is not None:
            return
        self.status_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        env = {**os.environ, "EHPLAN_HUB": self.dsn}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "ehplan.hub.ship", str(self.log_dir), str(self.status_file)], env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def stop(self, timeout: float = 5.0) -> None:
        import subprocess

        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        try:
            self.status_file.unlink()
        except OSError:
            pass

    def status(self) -> HubStatus:
        """The child's latest status (a file read at most when it changed).

        A file's times come from the kernel's coarse clock: two replacements in
        one tick can carry the same stamp, and the second (often the final
        "synced") would never be read. So a stamp that is still fresh is not
        trusted, and the file is read again until it has aged (as git treats
        "racily clean" files)."""
        try:
            found = os.stat(self.status_file)
        except OSError:
            return self._read[1]
        stamp = (found.st_ino, found.st_mtime_ns, found.st_size)
        fresh = abs(time.time_ns() - found.st_mtime_ns) < STAMP_TRUSTED_AFTER_NS
        if fresh or stamp != self._read[0]:
            self._read = (stamp, _status_from_file(self.status_file) or self._read[1])
        return self._read[1]


def _status_from_file(path: Path) -> HubStatus | None:
    import json

    try:
        raw = json.loads(path.read_bytes())
        since = dt.datetime.fromisoformat(raw["since"]) if raw.get("since") else None
        return HubStatus(raw["state"], int(raw["waiting"]), since, str(raw.get("detail", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _status_to_file(path: Path, status: HubStatus) -> None:
    """Replace the status file (0600). Never fsynced: it says what is true now and
    dies with the app, and an fsync here would compete with the operator's own."""
    import json

    body = {"state": status.state, "waiting": status.waiting,
            "since": status.since.isoformat() if status.since else None, "detail": status.detail}
    scratch = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, json.dumps(body).encode("utf-8"))
        finally:
            os.close(fd)
        os.replace(scratch, path)
    except OSError:
        pass


def _child(log_dir: str, status_file: str) -> int:
    """`python -m ehplan.hub.ship LOG_DIR STATUS_FILE`: ship until the parent goes."""
    import signal

    parent = os.getppid()
    shipper = Shipper(os.environ.get("EHPLAN_HUB", ""), Path(log_dir))
    path = Path(status_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    shipper.start()
    written = None
    while not stop.is_set() and os.getppid() == parent:
        status = shipper.status()
        if status != written:
            _status_to_file(path, status)
            written = status
        stop.wait(0.2)
    shipper.stop()
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(_child(sys.argv[1], sys.argv[2]))
