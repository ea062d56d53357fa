"""Line-by-line chain checking shared by the reader, the verifier and resume."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .canonical import ALG_HMAC, GENESIS, alg_for, canonical_bytes, compute_hash, contains_float
from .record import AuditRecord

# Kinds of fault: "crash" damage (a line that is not a record at all) and a bad
# hash may come from a write cut short by a crash when they hit the final line;
# "key" and "chain" faults (a well-formed, correctly hashed line in the wrong
# place) never do.
_CRASH, _HASH, _KEY, _CHAIN = "crash", "hash", "key", "chain"


@dataclass(frozen=True)
class LineFault:
    """The first bad line of a file."""

    seq: int
    """The seq the bad line should carry (its 0-based line number)."""
    offset: int
    """Byte offset of the start of the bad line."""
    reason: str
    torn: bool
    """True when only the final line is bad in a way a crash can cause."""


@dataclass(frozen=True)
class ChainScan:
    """The valid prefix of a file and the first fault after it, if any."""

    records: tuple[AuditRecord, ...]
    good_length: int
    total_length: int
    fault: LineFault | None


class _Bad(Exception):
    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def scan_chain(raw: bytes, key: bytes | None, *, strict_alg: bool = True) -> ChainScan:
    """Check every line of `raw` in order and stop at the first bad one.

    With `strict_alg` False (tolerant reading), HMAC records met without a key
    are accepted on their chain links alone, since their hashes cannot be
    recomputed.
    """
    records: list[AuditRecord] = []
    prev_hash, prev_seq, pos = GENESIS, -1, 0
    while pos < len(raw):
        newline = raw.find(b"\n", pos)
        end = len(raw) if newline == -1 else newline + 1
        line = raw[pos:end]
        final = end == len(raw)
        index = len(records)
        try:
            record = _check_line(line, key, strict_alg)
            _check_link(record, index, prev_seq, prev_hash)
        except _Bad as bad:
            torn = final and (bad.kind == _CRASH or (bad.kind == _HASH and index > 0))
            if torn and bad.kind == _CRASH and _whole_record_then_more(line, key, strict_alg):
                torn = False
            fault = LineFault(index, pos, bad.reason, torn)
            return ChainScan(tuple(records), pos, len(raw), fault)
        records.append(record)
        prev_hash, prev_seq, pos = record.hash, record.seq, end
    return ChainScan(tuple(records), pos, len(raw), None)


def _whole_record_then_more(line: bytes, key: bytes | None, strict_alg: bool) -> bool:
    """True when `line` starts with a whole, correctly hashed record and goes on past
    the one byte where its newline belongs (NUL padding aside).

    One interrupted write of one line cannot leave that; an edit can, e.g. a
    removed newline joining the last two lines, which must not be cut as torn.
    """
    try:
        _value, end = json.JSONDecoder().raw_decode(line.decode("latin-1"))
    except (ValueError, RecursionError):
        return False
    if len(line[end:].rstrip(b"\0")) <= 1:
        return False
    try:
        _check_line(line[:end] + b"\n", key, strict_alg)
    except _Bad:
        return False
    return True


def _check_line(line: bytes, key: bytes | None, strict_alg: bool) -> AuditRecord:
    if not line.endswith(b"\n"):
        if line.strip(b"\0") == b"":
            raise _Bad("NUL padding at end of file", _CRASH)
        if b"\0" in line:
            raise _Bad("NUL bytes in line", _CRASH)
        raise _Bad("torn final line (no newline)", _CRASH)
    if b"\0" in line:
        raise _Bad("NUL bytes in line", _CRASH)
    try:
        parsed = json.loads(line)
    except (ValueError, RecursionError):
        raise _Bad("not valid JSON", _CRASH) from None
    if contains_float(parsed):
        where = (
            "data" if isinstance(parsed, dict) and contains_float(parsed.get("data")) else "record"
        )
        raise _Bad(f"float in {where}", _CRASH)
    try:
        record = AuditRecord.from_dict(parsed)
    except ValueError as exc:
        raise _Bad(f"not an audit record: {exc}", _CRASH) from None
    if canonical_bytes(parsed) + b"\n" != line:
        raise _Bad("line is not in canonical form", _CRASH)
    if key is None and record.alg == ALG_HMAC:
        if strict_alg:
            raise _Bad("record is hmac-sha256: a key is needed", _KEY)
        return record
    if record.alg != alg_for(key):
        raise _Bad("record is sha256 but a key was given", _KEY)
    if compute_hash(record.body(), key) != record.hash:
        raise _Bad("hash mismatch", _HASH)
    return record


def _check_link(record: AuditRecord, index: int, prev_seq: int, prev_hash: str) -> None:
    if record.seq != index:
        if index == 0:
            raise _Bad(f"first seq is {record.seq}, not 0", _CHAIN)
        raise _Bad(f"seq {record.seq} follows {prev_seq}", _CHAIN)
    if record.prev != prev_hash:
        if index == 0:
            raise _Bad("prev of the first line is not the genesis hash", _CHAIN)
        raise _Bad(f"prev does not match line {index - 1}'s hash", _CHAIN)
