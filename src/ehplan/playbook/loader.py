"""Load one playbook file: safe YAML, schema validation, graph checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ehplan.playbook.checks import check_playbook
from ehplan.playbook.models import Playbook
from ehplan.yamlpos import LoadError, Positions, collector_paused, load_yaml, read_source, validate_model


@dataclass(frozen=True)
class LoadedPlaybook:
    """A valid playbook, where it came from, and the hash of its exact bytes."""

    playbook: Playbook
    path: Path
    positions: Positions
    content_hash: str


def load_playbook(path: Path, *, require_langs: bool = False, data: bytes | None = None) -> LoadedPlaybook:
    """Load and check one playbook, or raise `LoadError` with all its problems."""
    raw = read_source(path) if data is None else data
    with collector_paused():
        return _load(path, raw, require_langs)


def _load(path: Path, raw: bytes, require_langs: bool) -> LoadedPlaybook:
    value, positions = load_yaml(path, raw)
    if not isinstance(value, dict):
        raise LoadError([positions.problem((), "a playbook is a mapping of keys (id, title, steps…)")])
    playbook = validate_model(Playbook, value, positions)
    problems = check_playbook(playbook, positions, require_langs=require_langs)
    if problems:
        raise LoadError(problems)
    return LoadedPlaybook(playbook, path, positions, "sha256:" + hashlib.sha256(raw).hexdigest())
