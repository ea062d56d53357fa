"""Exceptions raised by the audit log package."""

from __future__ import annotations

from pathlib import Path


class AuditError(Exception):
    """Base class for every audit log error."""


class AuditWriteError(AuditError):
    """A write or fsync failed; the writer is now failed and refuses further appends."""

    def __init__(self, errno: int | None, message: str) -> None:
        super().__init__(message)
        self.errno = errno
        self.message = message


class AuditReadError(AuditError):
    """The log file could not be read (missing, permission denied, I/O error)."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(f"cannot read audit log {path}: {cause.strerror or cause}")
        self.path = path
        self.errno = cause.errno


class LogLockedError(AuditError):
    """Another writer (another process or another open file) holds the log's lock."""

    def __init__(self, pid: int | None, path: Path | None = None) -> None:
        who = f"process {pid}" if pid is not None else "another process (pid unknown)"
        where = f"audit log {path}" if path is not None else "audit log"
        super().__init__(f"{where} is locked by {who}")
        self.pid = pid
        self.path = path


class TamperedLogError(AuditError):
    """The chain is broken somewhere other than a torn final line."""

    def __init__(self, seq: int, offset: int, reason: str) -> None:
        super().__init__(f"audit log damaged at seq {seq} (byte {offset}): {reason}")
        self.seq = seq
        self.offset = offset
        self.reason = reason
