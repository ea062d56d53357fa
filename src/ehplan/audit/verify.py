"""Full verification of a run file, including its link to the previous run."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ehplan.safeio import open_regular, read_regular

from .aside import ChainCheck, can_check_aside
from .chain import KEY_NEEDED, MAX_LINE_BYTES, StreamScan, bounded_lines, scan_lines
from .errors import AuditReadError
from .parallel import read_to_end, scan_file
from .record import AuditRecord

PREV_RUN_BAD = "previous run file missing or altered"
VERDICTS = ("intact", "tampered", "torn tail", "previous-run link broken", "unreadable", "needs its key")
"""Every verdict `VerifyResult.verdict` gives, in the order tables list them."""


@dataclass(frozen=True)
class VerifyResult:
    """What `verify_log` found; `ok` is True only if the chain and its prev_run link hold."""

    ok: bool
    records: int
    """Records that verified (the valid prefix)."""
    final_hash: str | None
    """Hash of the last record that verified; compare it with an outside copy."""
    first_bad_seq: int | None
    """The seq the first bad line should carry (its 0-based line number)."""
    first_bad_offset: int | None
    """Byte offset of the start of the first bad line."""
    reason: str | None
    torn_tail: bool
    """Only the final line is bad, as a crash mid-write leaves it."""
    prev_run_ok: bool | None
    """The prev_run link holds (True), does not (False), or there is none (None)."""
    unreadable: bool = False
    """The file could not be read at all."""
    chain_ok: bool = False
    """The hash chain alone is intact (ignoring the prev_run link)."""
    needs_key: bool = False
    """The log is HMAC-keyed and no key was given: it could not be checked at all."""

    @property
    def verdict(self) -> str:
        """One word for the finding, one of VERDICTS (for tables and the run index)."""
        if self.unreadable:
            return "unreadable"
        if self.needs_key:
            return "needs its key"
        if self.ok:
            return "intact"
        if self.chain_ok and self.prev_run_ok is False:
            return "previous-run link broken"
        return "torn tail" if self.torn_tail else "tampered"


Known = tuple[Path, str]
"""A run file just verified and the hash of its last line that verified."""


def verify_log(path: Path, key: bytes | None = None, *, split: bool = True,
               known: Known | None = None) -> VerifyResult:
    """Check every line's form, hash, seq and prev, and seq 0's prev_run link.

    Streams the file (two processes for a long one, unless ``split`` is False):
    memory stays flat however long the run. ``known``, a file verified just
    before, answers a link to it without reading it again (see check_prev_run).
    """
    path = path if isinstance(path, Path) else Path(path)
    try:
        scan = scan_file(path, key, split=split)
    except OSError as exc:
        return VerifyResult(False, 0, None, None, None, str(AuditReadError(path, exc)), False, None,
                            unreadable=True)
    return _result(path, scan, key, known)


def verify_in_order(paths: Iterable[Path], key: bytes | None = None) -> Iterator[VerifyResult]:
    """`verify_log` of each file in turn (none split), each verdict what it is
    alone; a run's link to the file verified just before it (a desk's history,
    sorted by name, is linked so) is answered from that file's own check."""
    known: Known | None = None
    for name in paths:
        path = name if isinstance(name, Path) else Path(name)
        result = verify_log(path, key, split=False, known=known)
        yield result
        known = (path, result.final_hash) if result.final_hash is not None else None


def verify_reading(path: Path, key: bytes | None, keep: Callable[[dict[str, Any]], object], *,
                   known: Known | None = None, aside: bool = False) -> VerifyResult:
    """`verify_log` in one pass that also hands each verified line's parsed
    record (a dict, to be treated as read-only) to ``keep``, in order, so a
    reader never parses the file twice. Never split over processes.

    With ``aside``, a long log is instead read into memory and its chain checked
    in a forked child while this process parses the same bytes and hands each
    record over before its line is known to verify (see `_read_aside`): for a
    ``keep`` whose work counts only once the result says the log verified. What
    it is handed, and what it raises, is then what the one pass would give."""
    path = path if isinstance(path, Path) else Path(path)
    try:
        fd = open_regular(path)
        with os.fdopen(fd, "rb") as handle:
            size = os.fstat(fd).st_size
            if aside and ASIDE_MIN_BYTES <= size <= ASIDE_MAX_BYTES and can_check_aside():
                scan = _read_aside(read_to_end(fd, size), key, keep)
            else:
                scan = scan_lines(bounded_lines(handle), key, keep_raw=keep)
    except OSError as exc:
        return VerifyResult(False, 0, None, None, None, str(AuditReadError(path, exc)), False, None,
                            unreadable=True)
    return _result(path, scan, key, known)


ASIDE_MIN_BYTES = 1 << 20
"""Below this (some 3,000 records) a forked child costs more than it saves."""
ASIDE_MAX_BYTES = 64 << 20
"""Above this the log is not held in memory whole: it is streamed in one pass."""


class ReadMismatch(Exception):
    """The chain check and the reader saw different records (a bug, never a verdict on the log)."""


def _read_aside(raw: bytes, key: bytes | None, keep: Callable[[dict[str, Any]], object]) -> StreamScan:
    """The chain check of ``raw`` in a forked child, and meanwhile here each line
    parsed (json.loads: a line that verifies is canonical JSON, so it parses to
    what the check parsed) and handed to ``keep``. The same as the one pass:

    - the last line is handed over only once the verdict is in: it alone may be
      a torn tail, which the one pass never hands over;
    - a line this side cannot read, or whose ``keep`` raises, ends the handing
      over; what ``keep`` raised is raised only if the check says that line
      verified (the one pass would have raised it there);
    - every other line the check rejects makes the result a refusal anyway,
      whatever ``keep`` did with the lines after it.

    Then the two sides must agree: as many records handed over as verified, the
    same first and last record (by seq, prev and hash), else `ReadMismatch`."""
    check = ChainCheck(raw, key)
    handed = 0
    first: dict[str, Any] | None = None
    last: dict[str, Any] | None = None
    failed: BaseException | None = None
    stopped = False

    def hand(line: bytes) -> bool:
        nonlocal handed, first, last, failed, stopped
        if len(line) > MAX_LINE_BYTES or not line.endswith(b"\n"):
            stopped = True  # cannot verify: the check says why
            return False
        try:
            record = _SCAN(line.decode("utf-8"), 0)[0]  # json.loads without its wrappers
            keep(record)
        except Exception as exc:  # raised below only if this line verified
            failed, stopped = exc, True
            return False
        first = record if first is None else first
        last, handed = record, handed + 1
        return True

    lines = iter(io.BytesIO(raw))  # shares raw's buffer: no copy
    held = next(lines, None)
    if held is not None:
        for line in lines:
            if not hand(held):
                break
            held = line
    scan = check.result()
    fault = scan.fault
    if not stopped and held is not None and (fault is None or fault.seq > handed):
        hand(held)  # the last line, verified
    if fault is not None and fault.seq <= handed:
        return scan  # the one pass stops at the fault: nothing after it counts
    if failed is not None:
        raise failed
    if handed != scan.count or not _same(first, scan.first) or not _same(last, scan.last):
        raise ReadMismatch(f"the chain check verified {scan.count} records, the reader read {handed}")
    return scan


_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
"""The C scanner itself: one value from a position (a line that verifies is that one value)."""


def _same(record: dict[str, Any] | None, checked: AuditRecord | None) -> bool:
    if record is None or checked is None:
        return record is None and checked is None
    return (record.get("seq"), record.get("prev"), record.get("hash")) == (checked.seq, checked.prev, checked.hash)


def _result(path: Path, scan: StreamScan, key: bytes | None, known: Known | None = None) -> VerifyResult:
    fault = scan.fault
    if scan.count == 0 and fault is None:
        return VerifyResult(False, 0, None, 0, 0, "empty log", False, None)
    prev_run_ok = check_prev_run(path, scan.first.data, known) if scan.first is not None else None
    chain_ok = fault is None
    reason = fault.reason if fault is not None else None
    if chain_ok and prev_run_ok is False:
        reason = PREV_RUN_BAD
    return VerifyResult(
        ok=chain_ok and prev_run_ok is not False,
        records=scan.count,
        final_hash=scan.last.hash if scan.last is not None else None,
        first_bad_seq=fault.seq if fault is not None else None,
        first_bad_offset=fault.offset if fault is not None else None,
        reason=reason,
        torn_tail=fault is not None and fault.torn,
        prev_run_ok=prev_run_ok,
        chain_ok=chain_ok,
        needs_key=key is None and fault is not None and fault.reason == KEY_NEEDED,
    )


def check_prev_run(path: Path, first_data: dict[str, Any], known: Known | None = None) -> bool | None:
    """Check that the previous run file named in seq 0 exists beside `path` and holds the hash.

    The previous file may have grown since (a resumed run), so any record
    with that hash counts. None when there is no link to check. When ``known``
    is that file and the hash one of its lines that verified (a line that
    verifies parses to an object with that hash, which is all this asks),
    the answer is True without reading it again.
    """
    if "prev_run" not in first_data or first_data["prev_run"] is None:
        return None
    link = first_data["prev_run"]
    if not isinstance(link, dict) or set(link) != {"file", "hash"}:
        return False
    name, wanted = link["file"], link["hash"]
    if not isinstance(name, str) or not isinstance(wanted, str):
        return False
    if name in ("", ".", "..") or "/" in name or "\\" in name or "\0" in name:
        return False
    if known is not None and known[1] == wanted and known[0].name == name and known[0].parent == path.parent:
        return True
    try:
        raw = read_regular(path.parent / name)
    except OSError:
        return False
    # Fast path: the line that ends the previous run is found by its hash member's
    # bytes, and only that line is parsed. Only if that finds nothing (a broken
    # link, or a previous file written some other way) is every line parsed, as
    # the documented verifier does: the verdict is the same, the cost is not.
    needle = b'"hash":"' + wanted.encode("utf-8", "surrogateescape") + b'"'
    at = raw.rfind(needle)
    while at >= 0:
        start = raw.rfind(b"\n", 0, at) + 1
        end = raw.find(b"\n", at)
        if end >= 0 and _holds_hash(raw[start:end], wanted):
            return True
        at = raw.rfind(needle, 0, at)
    return any(_holds_hash(line, wanted) for line in raw.split(b"\n")[:-1])


def _holds_hash(line: bytes, wanted: str) -> bool:
    """Whether a whole line parses (as the documented verifier parses it) to an
    object whose hash is ``wanted``."""
    try:
        record = json.loads(line, parse_float=_refuse, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return False
    return isinstance(record, dict) and record.get("hash") == wanted


def _refuse(text: str) -> Any:
    raise ValueError(f"{text} is not allowed in the log")
