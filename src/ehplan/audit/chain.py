"""Line-by-line chain checking shared by the reader, the verifier and resume."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from hashlib import sha256 as _sha256
from typing import Any, BinaryIO

from .canonical import ALG_HMAC, ALG_SHA256, GENESIS, alg_for, canonical_bytes, contains_float, hash_bytes
from .record import FORMAT_VERSION, MODES, AuditRecord, check_record, check_ts

# Kinds of fault: "crash" damage (a line that is not a record at all) and a bad
# hash may come from a write cut short by a crash when they hit the final line;
# "key" and "chain" faults (a well-formed, correctly hashed line in the wrong
# place) never do.
_CRASH, _HASH, _KEY, _CHAIN = "crash", "hash", "key", "chain"
_ALGS = (ALG_SHA256, ALG_HMAC)
KEY_NEEDED = "record is hmac-sha256: a key is needed"
MAX_LINE_BYTES = 1 << 20
"""No record is longer (the writer refuses one), so reading a hostile log line by
line never holds more than this much of it in memory."""


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
    scan = scan_lines(iter_lines(raw), key, strict_alg=strict_alg, keep=records.append)
    return ChainScan(tuple(records), scan.good_length, len(raw), scan.fault)


@dataclass(frozen=True)
class StreamScan:
    """What a streaming scan learnt without keeping the records."""

    count: int
    first: AuditRecord | None
    last: AuditRecord | None
    good_length: int
    fault: LineFault | None


def iter_lines(raw: bytes) -> Iterator[bytes]:
    """Each line of `raw`; the last may lack its newline."""
    pos = 0
    while pos < len(raw):
        newline = raw.find(b"\n", pos)
        end = len(raw) if newline == -1 else newline + 1
        yield raw[pos:end]
        pos = end


def scan_lines(lines: Iterable[bytes], key: bytes | None, *, strict_alg: bool = True,
               keep: Callable[[AuditRecord], object] | None = None, offset: int = 0,
               adopt: bool = False, ends_file: bool = True,
               keep_raw: Callable[[Raw], object] | None = None) -> StreamScan:
    """Check lines in order (an open binary file will do), stop at the first bad
    one; memory stays flat unless `keep` keeps the records (or ``keep_raw``
    their parsed dicts, for a reader that makes its own objects of them).

    For a part of a file checked on its own: ``offset`` is where the part
    starts, ``adopt`` takes the first line's seq and prev as given (the caller
    checks the seam), and ``ends_file=False`` says its last line is not the
    file's last, so it cannot be a torn tail.
    """
    prev_hash, prev_seq, index = GENESIS, -1, 0
    first: Raw | None = None
    last: Raw | None = None
    iterator = iter(lines)
    for line in iterator:
        try:
            result = _check_line(line, key, strict_alg)
            if adopt and first is None:
                index, prev_seq, prev_hash = result["seq"], result["seq"] - 1, result["prev"]
            if result["seq"] != index or result["prev"] != prev_hash:
                _check_link(result, index, prev_seq, prev_hash)
        except _Bad as bad:
            final = ends_file and next(iterator, None) is None  # only the final line may be torn
            fault = _fault(bad, line, offset, index, key, strict_alg, final)
            return StreamScan(index, _record(first), _record(last), offset, fault)
        if keep is not None:
            keep(AuditRecord(**result))
        if keep_raw is not None:
            keep_raw(result)
        if first is None:
            first = result
        last = result
        prev_hash, prev_seq, offset, index = result["hash"], result["seq"], offset + len(line), index + 1
    return StreamScan(index, _record(first), _record(last), offset, None)


def _record(raw: Raw | None) -> AuditRecord | None:
    return AuditRecord(**raw) if raw is not None else None


def _fault(bad: _Bad, line: bytes, offset: int, index: int, key: bytes | None, strict_alg: bool,
           final: bool) -> LineFault:
    torn = final and (bad.kind == _CRASH or (bad.kind == _HASH and index > 0))
    if torn and bad.kind == _CRASH and _whole_record_then_more(line, key, strict_alg):
        torn = False
    return LineFault(index, offset, bad.reason, torn)


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




class _FloatFound(Exception):
    pass


class _ConstantFound(Exception):
    pass


def _no_float(text: str) -> float:
    raise _FloatFound(text)


def _no_constant(text: str) -> float:
    raise _ConstantFound(text)


_DECODER = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_constant)
_SCAN = _DECODER.scan_once  # type: ignore[attr-defined]
"""The C scanner itself: one value from a position, without raw_decode's wrapper."""
_STRING = json.encoder.encode_basestring_ascii
"""A JSON string as `canonical_bytes` writes it (the C function json.dumps uses)."""


def _no_default(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not a JSON value")


_ENCODER = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, _no_default, _STRING, None, ":", ",", True, False, False
) if json.encoder.c_make_encoder is not None else None  # type: ignore[attr-defined]
"""json.dumps's own C encoder, made once: (no circular check, default, ASCII strings,
no indent, ":", ",", sort_keys, no skipkeys, no NaN) — `canonical_bytes` without
the per-call set-up of JSONEncoder.encode."""


def _canonical_text(value: Any) -> str:
    if _ENCODER is None:  # a Python without the C accelerator
        return canonical_bytes(value).decode("ascii")
    return "".join(_ENCODER(value, 0))


Raw = dict[str, Any]
"""A record as parsed; an `AuditRecord` is built only for the records kept."""


def _full_check(parsed: Raw) -> None:
    """Every member's format, for the precise reason once something is wrong."""
    try:
        check_record(parsed)
    except ValueError as exc:
        raise _Bad(f"not an audit record: {exc}", _CRASH) from None


def bounded_lines(handle: BinaryIO) -> Iterator[bytes]:
    """The lines of an open binary file, none read past MAX_LINE_BYTES + 1 bytes:
    a longer line comes as a piece without its newline, which is bad as it is."""
    return iter(partial(handle.readline, MAX_LINE_BYTES + 1), b"")


def _check_line(line: bytes, key: bytes | None, strict_alg: bool) -> Raw:
    if len(line) > MAX_LINE_BYTES:
        raise _Bad(f"line longer than {MAX_LINE_BYTES} bytes", _CHAIN)
    if not line.endswith(b"\n"):
        if line.strip(b"\0") == b"":
            raise _Bad("NUL padding at end of file", _CRASH)
        if b"\0" in line:
            raise _Bad("NUL bytes in line", _CRASH)
        raise _Bad("torn final line (no newline)", _CRASH)
    if b"\0" in line:
        raise _Bad("NUL bytes in line", _CRASH)
    try:
        text = line.decode("utf-8")
        parsed, end = _SCAN(text, 0)
        if end != len(text) - 1:  # a canonical line is one JSON value and its newline
            raise ValueError("extra data")
    except StopIteration:  # the scanner found no JSON value at all
        raise _Bad("not valid JSON", _CRASH) from None
    except _FloatFound:  # a float, or what the scanner took for one before the line went bad
        try:
            parsed = json.loads(line)
        except (ValueError, RecursionError):
            raise _Bad("not valid JSON", _CRASH) from None
        where = "data" if isinstance(parsed, dict) and contains_float(parsed.get("data")) else "record"
        raise _Bad(f"float in {where}", _CRASH) from None
    except _ConstantFound as found:
        raise _Bad(f"{found} is not a JSON value (no NaN or Infinity in the log)", _CRASH) from None
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise _Bad("not valid JSON", _CRASH) from None
    record: Raw = parsed
    # The line must be the one canonical form of what it parsed to (no other key
    # order, spacing, escape or duplicate member: what the documented verifier
    # demands). The members are known and sorted, so the line is rebuilt around
    # the canonical form of `data` rather than serialising the whole record again.
    try:
        head, tail = _canonical_halves(parsed)
        canonical = line.isascii() and text == f'{head},"hash":"{parsed["hash"]}"{tail}\n'
    except (TypeError, KeyError, AttributeError):  # not an object, a member missing, not a string
        canonical = False
    if not canonical:
        _full_check(parsed)  # names what is wrong with the record, if anything
        raise _Bad("line is not in canonical form", _CRASH)
    # A canonical line has exactly the eleven members, and strings where the
    # template quotes them; what is left of check_record's rules is checked here.
    # Hex formats of prev and hash are left out: a hash equal to the one
    # recomputed, and a prev equal to the line before's, can only be hex.
    version, seq = parsed["v"], parsed["seq"]
    if not (type(version) is int and version == FORMAT_VERSION and type(seq) is int and seq >= 0
            and parsed["mode"] in MODES and parsed["alg"] in _ALGS and type(parsed["data"]) is dict):
        _full_check(parsed)
        raise _Bad("not an audit record", _CRASH)
    try:
        check_ts(parsed["ts"])
    except ValueError as exc:
        raise _Bad(f"not an audit record: {exc}", _CRASH) from None
    alg = parsed["alg"]
    if key is None and alg == ALG_HMAC:
        _full_check(parsed)
        if strict_alg:
            raise _Bad(KEY_NEEDED, _KEY)
        return record
    if alg != alg_for(key):
        _full_check(parsed)
        raise _Bad("record is sha256 but a key was given", _KEY)
    # The record without its hash member, canonical: the bytes that were hashed
    # (hash_bytes, with hashlib's sha256 called here for the unkeyed many).
    payload = (head + tail).encode("ascii")
    digest = _sha256(payload).hexdigest() if key is None else hash_bytes(payload, key)
    if digest != parsed["hash"]:
        _full_check(parsed)
        raise _Bad("hash mismatch", _HASH)
    return record


def _canonical_halves(parsed: Raw) -> tuple[str, str]:
    """The canonical text of a record before and after its hash member.

    The free texts go through the encoder json.dumps uses; alg, mode and prev
    are put in as they are (alg and mode must then be one of their words, and
    prev the previous line's hash: all need no escape), and v and seq too
    (checked to be integers after). A test checks the result against
    `canonical_bytes` on every record it is given.
    """
    head = f'{{"alg":"{parsed["alg"]}","data":{_canonical_text(parsed["data"])}'
    tail = (f',"mode":"{parsed["mode"]}","operator":{_STRING(parsed["operator"])},"prev":"{parsed["prev"]}"'
            f',"run":{_STRING(parsed["run"])},"seq":{parsed["seq"]},"ts":{_STRING(parsed["ts"])}'
            f',"type":{_STRING(parsed["type"])},"v":{parsed["v"]}}}')
    return head, tail


def check_one_line(line: bytes) -> Raw:
    """One line checked on its own (form, canonical text, its own hash; HMAC
    records on their form alone): the record, or ValueError saying why not."""
    try:
        return _check_line(line, None, strict_alg=False)
    except _Bad as bad:
        raise ValueError(bad.reason) from None


def _check_link(record: Raw, index: int, prev_seq: int, prev_hash: str) -> None:
    seq, prev = record["seq"], record["prev"]
    if seq == index and prev == prev_hash:
        return
    _full_check(record)
    if seq != index:
        if index == 0:
            raise _Bad(f"first seq is {seq}, not 0", _CHAIN)
        raise _Bad(f"seq {seq} follows {prev_seq}", _CHAIN)
    if index == 0:
        raise _Bad("prev of the first line is not the genesis hash", _CHAIN)
    raise _Bad(f"prev does not match line {index - 1}'s hash", _CHAIN)
