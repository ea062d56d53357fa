"""The audit record: one line of a run file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .canonical import ALG_HMAC, ALG_SHA256, canonical_bytes

FORMAT_VERSION = 1
MODES = ("live", "drill")
RECORD_KEYS = frozenset(
    ("v", "seq", "ts", "run", "operator", "mode", "type", "data", "prev", "alg", "hash")
)
_HEX64 = re.compile(r"[0-9a-f]{64}")


def format_ts(now: datetime) -> str:
    """Render an aware datetime as RFC 3339 with milliseconds and its offset."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the clock must give timezone-aware datetimes")
    return now.isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class AuditRecord:
    """One hash-chained event; `data` must be treated as read-only."""

    v: int
    seq: int
    ts: str
    run: str
    operator: str
    mode: str
    type: str
    data: dict[str, Any]
    prev: str
    alg: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        """The record as a plain dict, `hash` included."""
        return {**self.body(), "hash": self.hash}

    def body(self) -> dict[str, Any]:
        """The record without `hash`: the bytes that are hashed."""
        return {
            "v": self.v,
            "seq": self.seq,
            "ts": self.ts,
            "run": self.run,
            "operator": self.operator,
            "mode": self.mode,
            "type": self.type,
            "data": self.data,
            "prev": self.prev,
            "alg": self.alg,
        }

    def to_line(self) -> bytes:
        """The exact bytes of this record's line in the file, newline included."""
        return canonical_bytes(self.as_dict()) + b"\n"

    @classmethod
    def from_dict(cls, raw: Any) -> AuditRecord:
        """Build a record from parsed JSON, raising ValueError naming the first bad member."""
        check_record(raw)
        return cls(**raw)


_STRING_MEMBERS = ("ts", "run", "operator", "mode", "type", "prev", "alg", "hash")


def check_record(raw: Any, *, formats: bool = True) -> None:
    """Check parsed JSON is a well-formed record, raising ValueError naming the first bad member.

    ``formats=False`` skips the hex checks of prev and hash, for a caller that
    compares both with hashes it computed itself.
    """
    if not isinstance(raw, dict):
        raise ValueError("line is not a JSON object")
    if raw.keys() != RECORD_KEYS:
        keys = set(raw)
        missing = sorted(RECORD_KEYS - keys)
        extra = sorted(keys - RECORD_KEYS)
        raise ValueError(f"wrong members (missing {missing}, unexpected {extra})")
    if type(raw["v"]) is not int or type(raw["seq"]) is not int:
        raise ValueError(f"{'v' if type(raw['v']) is not int else 'seq'} is not an integer")
    if raw["v"] != FORMAT_VERSION:
        raise ValueError(f"unknown format version {raw['v']}")
    if raw["seq"] < 0:
        raise ValueError("seq is negative")
    for name in _STRING_MEMBERS:
        if type(raw[name]) is not str:
            raise ValueError(f"{name} is not a string")
    if not isinstance(raw["data"], dict):
        raise ValueError("data is not an object")
    if raw["mode"] not in MODES:
        raise ValueError(f"mode {raw['mode']!r} is not live or drill")
    if raw["alg"] not in (ALG_SHA256, ALG_HMAC):
        raise ValueError(f"unknown alg {raw['alg']!r}")
    if formats:
        for name in ("prev", "hash"):
            if not _HEX64.fullmatch(raw[name]):
                raise ValueError(f"{name} is not 64 lowercase hex digits")
    check_ts(raw["ts"])


def check_ts(ts: str) -> None:
    """Raise ValueError unless ``ts`` is an RFC 3339 timestamp with its offset."""
    try:
        parsed = datetime.fromisoformat(ts)
    except ValueError:
        raise ValueError("ts is not an RFC 3339 timestamp") from None
    if parsed.tzinfo is None:
        raise ValueError("ts has no UTC offset")
