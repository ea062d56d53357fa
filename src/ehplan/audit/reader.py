"""Tolerant, lock-free reading of a run file, and finding runs left open."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ehplan.safeio import read_regular

from .chain import MAX_LINE_BYTES, check_one_line, scan_chain
from .errors import AuditReadError
from .record import AuditRecord
from .runfiles import run_files

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


def find_open_runs(log_dir: Path) -> list[Path]:
    """Run files whose last valid record is not `run_ended`, newest first.

    A desk's history is mostly closed runs: each is recognised from its last
    line alone (a whole, correctly hashed `run_ended` record that ends the
    file), so the cost is that of the unfinished runs, which are read whole,
    not that of the history.
    """
    if not log_dir.is_dir():
        return []
    open_runs = []
    for path in reversed(run_files(log_dir)):
        if ends_closed(path):
            continue
        try:
            records, _damage = read_log(path)
        except AuditReadError:
            continue
        if records and records[-1].type != RUN_ENDED:
            open_runs.append(path)
    return open_runs


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
