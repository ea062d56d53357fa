"""Text from playbooks, operators and logs is data: shown literally, never as
markup, with control characters made visible."""

from __future__ import annotations

from typing import Any

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
