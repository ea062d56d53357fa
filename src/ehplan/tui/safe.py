"""Text from playbooks, operators and logs is data: shown literally, never as
markup, with control characters made visible."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from ehplan.text import Lang, pick, visible


def plain(text: str) -> Content:
    """Content showing ``text`` exactly, with control characters made visible."""
    return Content(visible(text))


def tr(value: Any, lang: Lang) -> str:
    """A playbook or data text in ``lang`` (plain string, not yet safe to show)."""
    as_map = getattr(value, "as_map", None)  # a validated LangText; plain data otherwise
    return pick(as_map() if as_map is not None else value, lang)


def shown(value: Any, lang: Lang) -> Content:
    """A playbook or data text in ``lang``, safe to show."""
    return plain(tr(value, lang))


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells (a CJK character is two), ending
    in … when cut."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"
