"""Tamper-evident audit log: append-only, hash-chained JSONL, one file per run.

Pure standard library; nothing here may import Textual or other ehplan
packages. The format is specified in docs/audit-format.md.
"""

from __future__ import annotations

from .canonical import GENESIS, canonical_bytes, compute_hash
from .errors import (
    AuditError,
    AuditReadError,
    AuditWriteError,
    LogLockedError,
    TamperedLogError,
)
from .reader import RUN_ENDED, TailDamage, find_open_runs, read_log
from .record import AuditRecord
from .resume import Recovery, open_run
from .runfiles import run_file_name
from .verify import PREV_RUN_BAD, VerifyResult, verify_log
from .writer import LOW_SPACE_BYTES, AuditWriter, create_run

__all__ = [
    "GENESIS",
    "LOW_SPACE_BYTES",
    "PREV_RUN_BAD",
    "RUN_ENDED",
    "AuditError",
    "AuditReadError",
    "AuditRecord",
    "AuditWriteError",
    "AuditWriter",
    "LogLockedError",
    "Recovery",
    "TailDamage",
    "TamperedLogError",
    "VerifyResult",
    "canonical_bytes",
    "compute_hash",
    "create_run",
    "find_open_runs",
    "open_run",
    "read_log",
    "run_file_name",
    "verify_log",
]
