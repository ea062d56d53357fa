"""One verified load of a run's log, for every reader that is not the run itself
(report, replay, drill scoring): the log is read once, and in that one pass
each line is verified (form, hash, chain), its event checked against its type
and folded. What comes back is the run's typed entries, their integrity and
the run's final state (`VerifiedRun.states` walks the per-record states, the
one loop every reader uses), or one line saying why not and its exit code."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ehplan.audit import VerifyResult
from ehplan.audit.verify import ReadMismatch, verify_reading
from ehplan.engine.events import Entry, FoldError, MalformedData, parse_event
from ehplan.engine.fold import apply_entry, states
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
    entries: list[Entry]
    """Every verified record as its typed event, in order (the hashes are in `integrity`)."""
    integrity: VerifyResult
    state: RunState
    """The fold of every entry."""
    count: int = -1
    """How many records the run has (``entries`` may be left empty: see `load_verified`)."""

    @property
    def records(self) -> list[Entry]:
        return self.entries

    @property
    def torn_tail(self) -> bool:
        """Only a torn final line (a crash mid-write) is wrong, and it is left out."""
        return self.integrity.torn_tail

    @property
    def final_hash(self) -> str:
        return self.integrity.final_hash or ""

    def states(self) -> Iterator[tuple[Entry, RunState, RunState]]:
        """Each entry with the state before and after it (nothing kept: a
        reader keeps what its line or moment needs)."""
        return states(self.entries)


Visit = Callable[[Entry, RunState, RunState], object]


@contextmanager
def no_collection() -> Iterator[None]:
    """No cyclic garbage collection inside: a long run's objects only accumulate
    while it is read (each a state member, a line, an entry), so collecting
    again and again finds nothing and costs time that grows with the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Counted(list[Entry]):
    """Where a reader that keeps no entries puts them: nowhere."""

    def append(self, entry: Entry) -> None:
        pass


class _Reader:
    """Folds each verified line as the scan hands it over; the first problem
    stops the folding (the scan goes on, so an edited log is still said first)."""

    def __init__(self, visit: Visit | None, keep_entries: Callable[[RunState], bool] | None) -> None:
        self.entries: list[Entry] = []
        self.count = 0
        self.keep_entries = keep_entries
        self.state = RunState()
        self.problem: LogRefused | None = None
        self.visit = visit
        self.visit_error: Exception | None = None

    def keep(self, raw: dict[str, Any]) -> None:
        if self.problem is not None:
            return
        if self.count == 0 and raw["type"] != "run_started":
            self.problem = LogRefused("not a run log (it does not begin with run_started)", EXIT_ERROR)
            return
        try:
            entry = Entry(raw["seq"], raw["ts"], parse_event(raw["type"], raw["data"]))
            before, self.state = self.state, apply_entry(self.state, entry)
        except MalformedData as exc:  # intact proves who could have written it, not that its content is sane
            self.problem = LogRefused(f"seq {raw['seq']}: {exc}", EXIT_WARN)
            return
        except FoldError as exc:
            self.problem = LogRefused(f"cannot read this log's events: {exc}", EXIT_ERROR)
            return
        if self.count == 0 and self.keep_entries is not None and not self.keep_entries(self.state):
            self.entries = _Counted()
        self.entries.append(entry)
        self.count += 1
        if self.visit is not None:
            try:
                self.visit(entry, before, self.state)
            except Exception as exc:  # the visitor's own failure, raised once the log is known intact
                self.visit_error = exc
                self.visit = None


def load_verified(path: Path, key: bytes | None, refusal: str, visit: Visit | None = None,
                  keep_entries: Callable[[RunState], bool] | None = None) -> VerifiedRun:
    """Verify, read and fold one run's log in one pass, or raise `LogRefused`.
    ``visit`` sees each record with the states before and after it as the pass
    goes (a report builds its lines there, so the run is folded once); what it
    saw counts only if the load returns. ``keep_entries``, given the state after
    the first record, says whether to keep the entries (default: yes); a reader
    that has what it needs from ``visit`` keeps none.

    An edited log (anything but a torn final line, or a broken link to the
    previous run) is refused with exit 1 and ``refusal`` ("no report from an
    edited log"); so is an intact log whose content is malformed. A log that
    cannot be read, needs its key, or is no run at all is refused with exit 2.
    """
    reader = _Reader(visit, keep_entries)
    # The chain is checked aside, in a child on the other core, while this
    # process reads and folds: what the reader did counts only once the result
    # below says the log verified, as it always did.
    with no_collection():
        try:
            result = verify_reading(path, key, reader.keep, aside=True)
        except ReadMismatch as exc:
            raise LogRefused(f"{path}: cannot read this log: {exc}", EXIT_ERROR) from None
    if result.unreadable:
        raise LogRefused(f"{path}: unreadable: {result.reason}", EXIT_ERROR)
    if result.needs_key:
        raise LogRefused(f"{path}: {KEYED_LOG}", EXIT_ERROR)
    if not result.ok and (not result.torn_tail or result.prev_run_ok is False):
        where = f" at seq {result.first_bad_seq}" if result.first_bad_seq is not None else ""
        raise LogRefused(f"{path}: NOT intact{where}: {result.reason}; {refusal}", EXIT_WARN)
    if reader.problem is not None:
        raise LogRefused(f"{path}: {reader.problem.message}", reader.problem.code)
    if not reader.count:
        raise LogRefused(f"{path}: not a run log (it does not begin with run_started)", EXIT_ERROR)
    if reader.visit_error is not None:
        raise reader.visit_error
    return VerifiedRun(Path(path), reader.entries, result, reader.state, reader.count)
