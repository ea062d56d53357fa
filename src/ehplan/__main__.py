"""Allow `python -m ehplan`."""

from __future__ import annotations

from ehplan.entry import run

run()
