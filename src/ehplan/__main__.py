"""Allow `python -m ehplan`."""

from __future__ import annotations

from ehplan.cli import run

run()
