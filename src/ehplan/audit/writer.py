"""The append-only writer: one line per event, written whole and fsynced."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from . import lock
from .canonical import GENESIS, alg_for, canonical_bytes, check_json_value, compute_hash
from .chain import MAX_LINE_BYTES
from .errors import AuditWriteError
from .record import FORMAT_VERSION, MODES, AuditRecord, format_ts
from .runfiles import ensure_dir, fsync_dir, previous_run_link, run_file_name

LOW_SPACE_BYTES = 50 * 1024 * 1024
"""Below this much free space in the log directory, `low_space` is True."""


class AuditWriter:
    """Appends records to one run file while holding its lock.

    Build one with `create_run` or `open_run`. After any write or fsync
    failure the writer is failed for good: a later append raises at once
    without touching the file, because a retried fsync can report success for
    data the kernel already dropped.
    """

    def __init__(
        self,
        path: Path,
        fd: int,
        *,
        run: str,
        operator: str,
        mode: str,
        key: bytes | None,
        last_hash: str,
        next_seq: int,
    ) -> None:
        self._path = path
        self._fd: int | None = fd
        self._run = run
        self._operator = operator
        self._mode = mode
        self._key = key
        self._last_hash = last_hash
        self._next_seq = next_seq
        self._records_written = 0
        self._failure: AuditWriteError | None = None

    @property
    def path(self) -> Path:
        """The run file."""
        return self._path

    @property
    def last_hash(self) -> str:
        """Hash of the last record on disk (GENESIS before the first)."""
        return self._last_hash

    @property
    def next_seq(self) -> int:
        """The seq the next append will get."""
        return self._next_seq

    @property
    def failed(self) -> bool:
        """True once a write or fsync has failed."""
        return self._failure is not None

    @property
    def records_written(self) -> int:
        """How many records this writer (not earlier sessions) has made durable."""
        return self._records_written

    @property
    def low_space(self) -> bool:
        """True when the log directory has under 50 MiB free."""
        return self.free_bytes() < LOW_SPACE_BYTES

    def free_bytes(self) -> int:
        """Free bytes on the log directory's file system."""
        return shutil.disk_usage(self._path.parent).free

    def build(self, type: str, data: dict[str, Any], now: datetime) -> AuditRecord:
        """Make the next record without writing it; raises ValueError on bad data."""
        if not isinstance(type, str) or not type:
            raise ValueError("event type must be a non-empty string")
        if not isinstance(data, dict):
            raise ValueError("event data must be a dict")
        check_json_value(data)
        body: dict[str, Any] = {
            "v": FORMAT_VERSION,
            "seq": self._next_seq,
            "ts": format_ts(now),
            "run": self._run,
            "operator": self._operator,
            "mode": self._mode,
            "type": type,
            "data": data,
            "prev": self._last_hash,
            "alg": alg_for(self._key),
        }
        size = len(canonical_bytes(body))  # huge ints and the like fail here, before any write
        if size + 80 > MAX_LINE_BYTES:  # the hash member and the newline: 78 bytes
            raise ValueError(f"event too large for one log line ({size} bytes, limit {MAX_LINE_BYTES})")
        return AuditRecord(**body, hash=compute_hash(body, self._key))

    def append(self, type: str, data: dict[str, Any], now: datetime) -> AuditRecord:
        """Write one record with a single write, fsync it, and only then return it."""
        if self._failure is not None:
            raise AuditWriteError(
                self._failure.errno, f"audit log writer failed earlier: {self._failure.message}"
            )
        if self._fd is None:
            raise AuditWriteError(errno.EBADF, f"audit log {self._path} is closed")
        record = self.build(type, data, now)
        line = record.to_line()
        fd = self._fd
        try:
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(errno.EIO, f"short write ({written} of {len(line)} bytes)")
            os.fsync(fd)
        except OSError as exc:
            self._failure = AuditWriteError(
                exc.errno, f"cannot write audit log {self._path}: {exc.strerror or exc}"
            )
            raise self._failure from exc
        self._last_hash = record.hash
        self._next_seq += 1
        self._records_written += 1
        return record

    def close(self) -> None:
        """Release the lock and the file descriptor; safe to call twice."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        lock.release(fd, self._path)
        os.close(fd)

    def __enter__(self) -> AuditWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def create_run(
    log_dir: Path,
    run_id: str,
    operator: str,
    mode: str,
    first_type: str,
    first_data: dict[str, Any],
    now: datetime,
    key: bytes | None = None,
) -> AuditWriter:
    """Create a new run file, lock it and write its first record (seq 0).

    `first_data` gets a `prev_run` member linking to the previous run file of
    the directory. Raises ValueError on bad arguments (nothing is created) and
    AuditWriteError when the file system refuses.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if not isinstance(operator, str):
        raise ValueError("operator must be a string")
    if not isinstance(first_type, str) or not first_type:
        raise ValueError("event type must be a non-empty string")
    name = run_file_name(now, run_id)
    check_json_value(first_data)
    canonical_bytes(first_data)
    log_dir = Path(log_dir)
    try:
        ensure_dir(log_dir)
        data = {**first_data, "prev_run": previous_run_link(log_dir)}
        path = log_dir / name
        # O_EXCL never opens an existing name, a planted link included.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise AuditWriteError(exc.errno, f"cannot create audit log: {exc}") from exc
    writer = AuditWriter(
        path, fd, run=run_id, operator=operator, mode=mode, key=key,
        last_hash=GENESIS, next_seq=0,
    )  # fmt: skip
    try:
        lock.acquire(fd, path)
        writer.append(first_type, data, now)
        fsync_dir(log_dir)
    except OSError as exc:
        _abandon(writer, path)
        raise AuditWriteError(exc.errno, f"cannot create audit log {path}: {exc}") from exc
    except BaseException:
        _abandon(writer, path)
        raise
    return writer


def _abandon(writer: AuditWriter, path: Path) -> None:
    """Close a run whose first record never became durable, and remove its file
    if not one byte reached it (e.g. ENOSPC at the first write).

    An empty run file records nothing, yet resume and the previous-run link
    would trip over it; a file that holds any bytes is kept as evidence.
    """
    try:
        empty = os.stat(path).st_size == 0
    except OSError:
        empty = False
    writer.close()
    if empty:
        with contextlib.suppress(OSError):
            os.unlink(path)
