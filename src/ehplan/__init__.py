"""ehplan: a terminal runner for a gas utility's emergency response plan."""

from __future__ import annotations

__version__ = "0.1.0"
