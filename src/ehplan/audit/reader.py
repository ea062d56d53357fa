"""Tolerant, lock-free reading of a run file, and finding runs left open."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ehplan.safeio import read_regular

from .chain import MAX_LINE_BYTES, bounded_lines, check_one_line, scan_chain
from .errors import AuditReadError
from .record import AuditRecord
from .runfiles import run_entries

RUN_ENDED = "run_ended"


@dataclass(frozen=True)
class TailDamage:
    """What follows the valid prefix of a file: a torn final line or worse."""

    seq: int
    """The seq the first bad line should carry."""
    offset: int
    """Byte offset where the valid prefix ends."""
    length: int
    """Bytes from `offset` to the end of the file."""
    sha256: str
    """SHA-256 of those bytes."""
    reason: str
    torn: bool
    """True for crash damage to the final line only; False means more is wrong."""


def read_bytes(path: Path) -> bytes:
    """Read a whole regular file, turning OSError (a FIFO or device too) into AuditReadError."""
    try:
        return read_regular(path)
    except OSError as exc:
        raise AuditReadError(path, exc) from exc


def read_log(path: Path, key: bytes | None = None) -> tuple[list[AuditRecord], TailDamage | None]:
    """Return the records of the valid prefix and a description of what follows it.

    Read-only and lock-free; bad bytes never raise. Without a key, HMAC
    records are accepted on their seq/prev links alone.
    """
    raw = read_bytes(path)
    scan = scan_chain(raw, key, strict_alg=False)
    damage = None
    if scan.fault is not None:
        rest = raw[scan.good_length :]
        damage = TailDamage(
            seq=scan.fault.seq,
            offset=scan.good_length,
            length=len(rest),
            sha256=hashlib.sha256(rest).hexdigest(),
            reason=scan.fault.reason,
            torn=scan.fault.torn,
        )
    return list(scan.records), damage


def find_open_runs(log_dir: Path, closed_memo: Path | None = None) -> list[Path]:
    """Run files whose last valid record is not `run_ended`, newest first.

    A desk's history is mostly closed runs: each is recognised from its last
    line alone (a whole, correctly hashed `run_ended` record that ends the
    file), so the cost is that of the unfinished runs, which are read whole,
    not that of the history. With ``closed_memo`` (a file in the user's cache),
    a run found closed before is taken as closed while its inode, size and
    modification time are the same, so a start reads no closed run at all.
    """
    try:
        entries = run_entries(log_dir)
    except OSError:
        return []
    known = _read_memo(closed_memo)
    closed: dict[str, list[int]] = {}
    open_runs = []
    for entry in reversed(entries):
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        mark = [st.st_ino, st.st_size, st.st_mtime_ns]
        if known.get(entry.name) == mark:
            closed[entry.name] = mark
            continue
        path = log_dir / entry.name
        if ends_closed(path):
            closed[entry.name] = mark
            continue
        try:
            records, _damage = read_log(path)
        except AuditReadError:
            continue
        if records and records[-1].type != RUN_ENDED:
            open_runs.append(path)
    if closed_memo is not None and closed != known:
        _write_memo(closed_memo, closed)
    return open_runs


def _read_memo(memo: Path | None) -> dict[str, list[int]]:
    """The closed runs remembered, by file name; none when the memo is missing
    or not ehplan's (it only ever saves reading a tail: it never hides a run
    whose file changed)."""
    if memo is None:
        return {}
    try:
        found = json.loads(read_regular(memo, limit=64 * 1024 * 1024))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return found  # a mark that is not [inode, size, mtime] never equals one, so it is never trusted


def _write_memo(memo: Path, closed: dict[str, list[int]]) -> None:
    from ehplan.safeio import write_private

    try:
        memo.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(memo, json.dumps(closed, separators=(",", ":")).encode("ascii"))
    except OSError:
        pass  # a memo that cannot be kept only costs the next start a read of the tails


def first_record(path: Path) -> dict[str, Any] | None:
    """The run's first record, from its first line alone (None if that line is
    not a whole, correctly hashed record): what a run is (its mode, scenario,
    playbook) without reading the rest of the file."""
    from ehplan.safeio import open_regular

    try:
        fd = open_regular(path)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            line = next(bounded_lines(handle), b"")
    except OSError:
        return None
    try:
        return check_one_line(line)
    except ValueError:
        return None


_TAIL_BYTES = 64 * 1024
"""How much of a file's end is read to find its last line (a longer last line
is read whole, up to the line limit)."""


def ends_closed(path: Path) -> bool:
    """True when the file's last line is a whole record of type `run_ended` whose
    hash holds; False when that cannot be told from the tail (read it whole)."""
    from ehplan.safeio import open_regular

    try:
        fd = open_regular(path)
    except OSError:
        return False
    try:
        size = os.fstat(fd).st_size
        want = min(size, _TAIL_BYTES)
        while True:
            tail = os.pread(fd, want, size - want)
            start = tail.rfind(b"\n", 0, len(tail) - 1) + 1
            if start > 0 or want == size or want > MAX_LINE_BYTES:
                break
            want = min(size, want * 4)
    except OSError:
        return False
    finally:
        os.close(fd)
    line = tail[start:]
    if not line.endswith(b"\n") or b'"type":"run_ended"' not in line:
        return False
    try:
        record = check_one_line(line)
    except ValueError:
        return False
    return bool(record["type"] == RUN_ENDED)
