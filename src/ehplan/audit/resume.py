"""Reopening a run for appending after a crash or a restart."""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ehplan.safeio import open_append_nofollow, open_checked

from . import lock
from .chain import scan_chain
from .errors import AuditWriteError, TamperedLogError
from .runfiles import fsync_dir
from .writer import AuditWriter


@dataclass(frozen=True)
class Recovery:
    """A torn final line that `open_run` moved aside; the caller logs a `recovered` event."""

    bytes_set_aside: int
    sha256: str
    """SHA-256 of the bytes set aside."""
    torn_path: Path
    """The `<file>.torn` file the bytes were appended to."""


def torn_path_for(path: Path) -> Path:
    """Where torn bytes of `path` are kept: `<file>.torn`."""
    return path.with_name(path.name + ".torn")


def open_run(path: Path, key: bytes | None = None) -> tuple[AuditWriter, Recovery | None]:
    """Lock an existing run file, verify it and return a writer that continues it.

    A torn final line is appended to `<file>.torn` and cut from the log.
    Damage anywhere else raises TamperedLogError; a file held by another
    writer raises LogLockedError; an OS failure raises AuditWriteError.
    """
    path = Path(path)
    try:
        fd = open_checked(path, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AuditWriteError(exc.errno, f"cannot open audit log {path}: it is a symbolic link") from exc
        raise AuditWriteError(exc.errno, f"cannot open audit log {path}: {exc}") from exc
    try:
        lock.acquire(fd, path)
    except BaseException:
        os.close(fd)
        raise
    try:
        return _resume(path, fd, key)
    except BaseException:
        lock.release(fd, path)
        os.close(fd)
        raise


def _resume(path: Path, fd: int, key: bytes | None) -> tuple[AuditWriter, Recovery | None]:
    try:
        raw = _read_all(fd)
    except OSError as exc:
        raise AuditWriteError(exc.errno, f"cannot read audit log {path}: {exc}") from exc
    scan = scan_chain(raw, key)
    fault = scan.fault
    if fault is not None and not fault.torn:
        raise TamperedLogError(fault.seq, fault.offset, fault.reason)
    if not scan.records:
        reason = fault.reason if fault is not None else "empty log"
        raise TamperedLogError(0, 0, f"no intact record to resume from ({reason})")
    recovery = None
    if fault is not None:
        try:
            recovery = _set_aside(path, fd, raw[scan.good_length :], scan.good_length)
        except OSError as exc:
            raise AuditWriteError(exc.errno, f"cannot set aside torn line: {exc}") from exc
    last = scan.records[-1]
    first = scan.records[0]
    writer = AuditWriter(
        path, fd, run=first.run, operator=last.operator, mode=first.mode, key=key,
        last_hash=last.hash, next_seq=last.seq + 1,
    )  # fmt: skip
    return writer, recovery


def _read_all(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    chunks, offset = [], 0
    while offset < size:
        chunk = os.pread(fd, size - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _set_aside(path: Path, fd: int, torn: bytes, good_length: int) -> Recovery:
    """Append the torn bytes to `<file>.torn` durably, then cut them from the log."""
    torn_file = torn_path_for(path)
    side = open_append_nofollow(torn_file, create=True)
    try:
        view = memoryview(torn)
        while view:
            view = view[os.write(side, view) :]
        os.fsync(side)
    finally:
        os.close(side)
    fsync_dir(path.parent)
    os.ftruncate(fd, good_length)
    os.fsync(fd)
    return Recovery(len(torn), hashlib.sha256(torn).hexdigest(), torn_file)
