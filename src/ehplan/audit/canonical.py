"""Canonical JSON serialisation, value checks and record hashing."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

GENESIS = "0" * 64
"""The `prev` of the first record of every run."""

ALG_SHA256 = "sha256"
ALG_HMAC = "hmac-sha256"


def canonical_bytes(value: Any) -> bytes:
    """Serialise a JSON value the one way the format allows (sorted keys, no spaces, ASCII)."""
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return text.encode("ascii")


def check_json_value(value: Any, where: str = "data") -> None:
    """Raise ValueError unless `value` is built only of dict/list/str/int/bool/None.

    Floats are refused at any depth (their text form is not stable across
    languages); tuples and non-string keys are refused because they would not
    read back equal.
    """
    try:
        _check(value, where)
    except RecursionError:
        raise ValueError(f"{where} is nested too deeply") from None


def _check(value: Any, where: str) -> None:
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        raise ValueError(f"float at {where}: floats are not allowed in the audit log")
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"non-string key {key!r} at {where}")
            _check(item, f"{where}.{key}")
        return
    raise ValueError(f"{type(value).__name__} at {where} is not a JSON value")


def contains_float(value: Any) -> bool:
    """Tell whether a parsed JSON value holds a float anywhere."""
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(contains_float(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_float(item) for item in value)
    return False


def alg_for(key: bytes | None) -> str:
    """Name the algorithm a writer with this key uses."""
    return ALG_HMAC if key is not None else ALG_SHA256


def compute_hash(body: dict[str, Any], key: bytes | None) -> str:
    """Hash a record without its `hash` member: SHA-256, or HMAC-SHA256 with a key."""
    return hash_bytes(canonical_bytes(body), key)


def hash_bytes(payload: bytes, key: bytes | None) -> str:
    """SHA-256 (or HMAC-SHA256 with a key) of serialised bytes, lowercase hex."""
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()
