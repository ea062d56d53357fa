"""Durations as the plan writes them: ``30s``, ``3m``, ``15m``, ``4h``, ``24h``, ``30d``.

Stored as whole seconds (the audit log has no floats). In YAML a duration is a
string with one unit; pydantic validates it and JSON Schema describes it.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^([0-9]{1,6})([smhd])$")
DURATION_PATTERN = r"^[0-9]{1,6}[smhd]$"


def parse_duration(value: object) -> int:
    """Seconds in a duration such as ``15m``; refuse anything else."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError("a duration is a string like 30s, 3m, 4h or 30d")
    match = _PATTERN.match(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a duration: write a whole number and s, m, h or d")
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return seconds


def format_duration(seconds: int) -> str:
    """The shortest exact spelling of ``seconds`` in the YAML style."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "examples": ["3m", "15m", "4h", "30d"]}),
    Field(gt=0),
]
"""A positive duration in seconds, written ``<n><s|m|h|d>`` in YAML."""
