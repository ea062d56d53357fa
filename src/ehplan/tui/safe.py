"""Text from playbooks, operators and logs is data: shown literally, never as
markup, with control characters made visible."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from ehplan.playbook.models import text_map
from ehplan.text import Lang, pick, visible


def plain(text: str) -> Content:
    """Content showing ``text`` exactly, with control characters made visible."""
    return Content(visible(text))


def tr(value: Any, lang: Lang) -> str:
    """A playbook or data text in ``lang`` (plain string, not yet safe to show)."""
    return pick(text_map(value), lang)


def shown(value: Any, lang: Lang) -> Content:
    """A playbook or data text in ``lang``, safe to show."""
    return plain(tr(value, lang))
