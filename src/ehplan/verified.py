"""One verified load of a run's log, for every reader that is not the run itself
(report, replay, drill scoring): the log is verified, read once, every event's
data checked, and folded; what comes back is the records, their integrity and
the run's state, or one line saying why not and the exit code it deserves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ehplan.audit import AuditRecord, VerifyResult, read_log, verify_log
from ehplan.engine.events import event_problem
from ehplan.engine.fold import FoldError, fold
from ehplan.engine.state import RunState
from ehplan.terminal import EXIT_ERROR, EXIT_WARN

KEYED_LOG = "keyed log (hmac-sha256): give --key FILE with its key; it cannot be checked without it"


class LogRefused(Exception):
    """The log cannot be used: ``message`` says why in one line, ``code`` is the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class VerifiedRun:
    """A run's log that verified (a torn last line allowed and said), read and folded."""

    path: Path
    records: list[AuditRecord]
    integrity: VerifyResult
    state: RunState

    @property
    def torn_tail(self) -> bool:
        """Only a torn final line (a crash mid-write) is wrong, and it is left out."""
        return self.integrity.torn_tail


def load_verified(path: Path, key: bytes | None, refusal: str) -> VerifiedRun:
    """Verify, read and fold one run's log, or raise `LogRefused`.

    An edited log (anything but a torn final line, or a broken link to the
    previous run) is refused with exit 1 and ``refusal`` ("no report from an
    edited log"); so is an intact log whose content is malformed. A log that
    cannot be read, needs its key, or is no run at all is refused with exit 2.
    """
    result = verify_log(path, key)
    if result.unreadable:
        raise LogRefused(f"{path}: unreadable: {result.reason}", EXIT_ERROR)
    if result.needs_key:
        raise LogRefused(f"{path}: {KEYED_LOG}", EXIT_ERROR)
    if not result.ok and (not result.torn_tail or result.prev_run_ok is False):
        where = f" at seq {result.first_bad_seq}" if result.first_bad_seq is not None else ""
        raise LogRefused(f"{path}: NOT intact{where}: {result.reason}; {refusal}", EXIT_WARN)
    records, _damage = read_log(path, key)
    if not records or records[0].type != "run_started":
        raise LogRefused(f"{path}: not a run log (it does not begin with run_started)", EXIT_ERROR)
    for record in records:  # intact proves who could have written it, not that its content is sane
        problem = event_problem(record.type, record.data)
        if problem is not None:
            raise LogRefused(f"{path}: seq {record.seq}: {problem}", EXIT_WARN)
    try:
        state = fold(records)
    except FoldError as exc:
        raise LogRefused(f"{path}: cannot read this log's events: {exc}", EXIT_ERROR) from None
    return VerifiedRun(path, records, result, state)
