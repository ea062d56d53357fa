"""Key bindings whose footer labels follow the UI language.

Textual's class-level ``BINDINGS`` carry fixed descriptions; screens here
declare `KeySpec`s instead and (re)bind them whenever the language changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode

from ehplan.text import Lang
from ehplan.tui.strings import t


@dataclass(frozen=True)
class KeySpec:
    """One binding: key, action, the string key of its label, shown or not."""

    key: str
    action: str
    label: str
    show: bool = True
    priority: bool = False


def apply_keys(node: DOMNode, specs: list[KeySpec], lang: Lang) -> None:
    """Bind ``specs`` on ``node`` with labels in ``lang``, replacing earlier ones."""
    table = node._bindings.key_to_bindings
    for spec in specs:
        table[spec.key] = [Binding(spec.key, spec.action, t(spec.label, lang), show=spec.show,
                                   priority=spec.priority)]
    if node.is_attached:
        node.refresh_bindings()
