"""Run file naming, the previous-run link and directory durability."""

from __future__ import annotations

import errno
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ehplan.safeio import private_dir_problem

from .errors import AuditReadError

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def run_file_name(now: datetime, run_id: str) -> str:
    """`<UTC YYYYmmddTHHMMSSZ>-<run id>.jsonl`, so names sort by start time."""
    if not _RUN_ID.fullmatch(run_id):
        raise ValueError(f"run id {run_id!r} must be letters, digits, '.', '_' or '-'")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the clock must give timezone-aware datetimes")
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{run_id}.jsonl"


def run_files(log_dir: Path) -> list[Path]:
    """The `*.jsonl` run files of a directory, sorted by name (oldest first);
    never a link. Names are sorted as strings and the type read from the
    directory entry: a desk's history is listed without a stat per file."""
    return [log_dir / entry.name for entry in run_entries(log_dir)]


def run_entries(log_dir: Path) -> list[os.DirEntry[str]]:
    """`run_files` as the directory's entries (name, inode, and a stat that
    needs no path built), for a reader that looks at every one."""
    with os.scandir(log_dir) as entries:
        return sorted((entry for entry in entries
                       if entry.name.endswith(".jsonl") and entry.is_file(follow_symlinks=False)),
                      key=lambda entry: entry.name)


def previous_run_link(log_dir: Path) -> dict[str, Any] | None:
    """`{"file", "hash"}` of the last-sorting run file with a valid record, or None.

    Files with no valid record at all (a crash right after creation) are
    skipped, since there is no hash to pin.
    """
    from .reader import read_log

    for path in reversed(run_files(log_dir)):
        try:
            records, _damage = read_log(path)
        except AuditReadError:
            continue
        if records:
            return {"file": path.name, "hash": records[-1].hash}
    return None


def ensure_dir(log_dir: Path) -> None:
    """Create the log directory (mode 0700) if it does not exist yet; refuse one
    that others may write to (OSError with the reason)."""
    if not log_dir.is_dir():
        log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(log_dir, 0o700)
        fsync_dir(log_dir.parent)
    problem = log_dir_problem(log_dir)
    if problem is not None:
        raise PermissionError(errno.EPERM, problem)


def log_dir_problem(log_dir: Path) -> str | None:
    """Why a log directory must not be used, or None when it is fine (or not there yet)."""
    return private_dir_problem(log_dir, "log directory", "--log-dir")


def fsync_dir(directory: Path) -> None:
    """Make a directory entry (a new file) durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
