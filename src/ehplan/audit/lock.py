"""The single-writer lock: flock on the log file plus a pid sidecar for messages."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from ehplan.safeio import read_regular

from .errors import LogLockedError


def sidecar_path(log_path: Path) -> Path:
    """Where the holder's pid is written: `<file>.lock`."""
    return log_path.with_name(log_path.name + ".lock")


def acquire(fd: int, log_path: Path) -> None:
    """Take the exclusive lock at once or raise LogLockedError naming the holder.

    The kernel drops a flock when its holder dies, so a lock left by a killed
    process is taken over immediately; the sidecar is only informative.
    """
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise LogLockedError(read_holder_pid(log_path), log_path) from None
    side_path = sidecar_path(log_path)
    # The lock is ours now, so whatever sits at the sidecar's name (a stale pid
    # file, or a link planted to make us overwrite another file) is removed, and
    # the new one is created exclusively: never written through a link.
    with contextlib.suppress(FileNotFoundError):
        os.unlink(side_path)
    try:
        side = os.open(side_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError:
        return  # the sidecar only names the holder in messages; the flock is what locks
    try:
        os.write(side, f"{os.getpid()}\n".encode("ascii"))
    finally:
        os.close(side)


def release(fd: int, log_path: Path) -> None:
    """Remove the sidecar, then drop the lock (closing the fd also drops it)."""
    with contextlib.suppress(OSError):
        os.unlink(sidecar_path(log_path))
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)


def read_holder_pid(log_path: Path) -> int | None:
    """The pid in the sidecar, or None if it is missing or unreadable."""
    try:
        text = read_regular(sidecar_path(log_path), limit=64).decode("ascii").strip()
        return int(text)
    except (OSError, ValueError):
        return None
