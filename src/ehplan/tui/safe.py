"""Text from playbooks, operators and logs is data: shown literally, never as
markup, with control characters made visible."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size
from textual.content import Content
from textual.visual import Visual

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.strip import Strip
    from textual.style import Style
    from textual.visual import RenderOptions

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


_LEAD = re.compile(r"( *)((?:[^\w\s]{1,2}) )?")
"""A line's indent and its bullet (○, ✓!, ☎, •, 📅 …) with the space after it."""


class Hanging(Visual):
    """Plain lines shown literally, each wrapped under its own text rather than
    back at the margin: in a list, a long item continues under its first word,
    not under its bullet. ``str()`` gives the text as given."""

    def __init__(self, text: str) -> None:
        self.text = visible(text)
        self._at_width: dict[int, Content] = {}

    def __str__(self) -> str:
        return self.text

    def _wrapped(self, width: int) -> Content:
        if width in self._at_width:
            return self._at_width[width]
        out: list[str] = []
        for line in self.text.split("\n"):
            lead = _LEAD.match(line)
            prefix = lead.group(0) if lead else ""
            indent = cell_len(prefix)
            if cell_len(line) <= width or width - indent < 8:
                out.append(line)
                continue
            body = Content(line[len(prefix):]).wrap(width - indent)
            out.append(prefix + body[0].plain)
            out.extend(" " * indent + part.plain for part in body[1:])
        self._at_width[width] = Content("\n".join(out))
        return self._at_width[width]

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self._wrapped(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max(cell_len(line) for line in self.text.split("\n"))

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self._wrapped(width).get_height(rules, width)
