"""Key bindings whose footer labels follow the UI language.

Textual's class-level ``BINDINGS`` carry fixed descriptions; screens here
declare `KeySpec`s instead and (re)bind them whenever the language changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.dom import DOMNode

from ehplan.text import Lang, pick

if TYPE_CHECKING:
    from ehplan.catalog import Entry
from ehplan.tui.strings import t


@dataclass(frozen=True)
class KeySpec:
    """One binding: key, action, the string key of its label, shown or not."""

    key: str
    action: str
    label: str
    show: bool = True
    priority: bool = False


def bind_emergency_keys(node: DOMNode, catalog: Iterable[Entry], lang: Lang, action: str, *,
                        show: bool = True) -> None:
    """Bind each emergency-call playbook's key (F5–F8) on ``node`` to ``action('<id>')``,
    labelled with its short title, so the keys work wherever they are promised."""
    emergency = sorted((entry for entry in catalog if entry.emergency_key),
                       key=lambda entry: int(str(entry.emergency_key)[1:]))
    for entry in emergency:
        key = str(entry.emergency_key)
        node._bindings.key_to_bindings[key] = [
            Binding(key, f"{action}('{entry.id}')", pick(entry.short_title or entry.title, lang), show=show,
                    priority=True)]
    if node.is_attached:
        node.refresh_bindings()


def apply_keys(node: DOMNode, specs: list[KeySpec], lang: Lang) -> None:
    """Bind ``specs`` on ``node`` with labels in ``lang``, replacing earlier ones."""
    table = node._bindings.key_to_bindings
    for spec in specs:
        table[spec.key] = [Binding(spec.key, spec.action, t(spec.label, lang), show=spec.show,
                                   priority=spec.priority)]
    if node.is_attached:
        node.refresh_bindings()
