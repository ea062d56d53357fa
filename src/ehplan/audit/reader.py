"""Tolerant, lock-free reading of a run file, and finding runs left open."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ehplan.safeio import read_regular

from .chain import scan_chain
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
    """Run files whose last valid record is not `run_ended`, newest first."""
    if not log_dir.is_dir():
        return []
    open_runs = []
    for path in reversed(run_files(log_dir)):
        try:
            records, _damage = read_log(path)
        except AuditReadError:
            continue
        if records and records[-1].type != RUN_ENDED:
            open_runs.append(path)
    return open_runs
