"""The HMAC key file: its bytes are the key, used as they are."""

from __future__ import annotations

import os
from pathlib import Path

from ehplan.safeio import read_regular

MAX_KEY_BYTES = 64 * 1024
"""No HMAC key needs more; a larger "key file" is a mistake (or a device)."""


class KeyFileError(ValueError):
    """The key file cannot be used; the message says why in one line."""


def read_key(path: Path) -> bytes:
    """Read an HMAC key file, refusing an empty key and one others may read.

    The file's bytes are the key exactly as they are, a trailing newline
    included (as docs/audit-format.md says): stripping would make two files
    that differ check the same logs. A key that the group or others can read is
    no secret, so it is refused rather than used (``chmod 600`` fixes it).
    """
    path = Path(path)
    try:
        key = read_regular(path, MAX_KEY_BYTES)
        mode = os.stat(path).st_mode & 0o777
    except OSError as exc:
        raise KeyFileError(f"cannot read key {path}: {exc.strerror or exc}") from None
    if not key:
        raise KeyFileError(f"key {path} is empty: an empty key protects nothing")
    if mode & 0o077:
        raise KeyFileError(f"key {path} can be read by others (mode {mode:o}): run 'chmod 600 {path}'")
    return key
