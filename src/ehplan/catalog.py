"""What the picker shows of each playbook, cached so the first screen can paint
before the playbooks are validated.

The catalog is a display cache only: it never runs anything. A run starts only
from the validated library, which is loaded right after the first paint; if the
files fail validation the app stops with their problems, as it always has. The
cache is keyed by each file's path, size and modification time, so an edited
file is never shown from a stale entry. Imports neither pydantic nor YAML.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ehplan import __version__, resources

if TYPE_CHECKING:
    from ehplan.library import Library

TextValue = str | dict[str, str]


@dataclass(frozen=True)
class Entry:
    """One playbook as the picker shows it."""

    id: str
    category: str
    title: TextValue
    summary: TextValue
    definition: TextValue
    source: str
    short_title: TextValue | None = None
    description: TextValue | None = None
    keywords: list[TextValue] = field(default_factory=list)
    emergency_key: str | None = None


def as_text(value: Any) -> TextValue | None:
    """A playbook text as plain data (what `ehplan.text.pick` takes)."""
    if value is None or isinstance(value, str):
        return value
    mapped = dict(value.as_map())
    if value.origin == "authors":
        mapped["origin"] = "authors"  # the picker labels it (ehplan.text.tagged)
    return mapped


def entries_of(library: Library) -> list[Entry]:
    """The catalog of a validated library, in file order."""
    entries = []
    for loaded in library.playbooks.values():
        playbook = loaded.playbook
        entries.append(Entry(
            id=playbook.id, category=playbook.category, title=as_text(playbook.title) or "",
            summary=as_text(playbook.summary) or "", definition=as_text(playbook.definition) or "",
            source=playbook.source, short_title=as_text(playbook.short_title),
            description=as_text(playbook.description),
            keywords=[as_text(k) or "" for k in playbook.keywords], emergency_key=playbook.emergency_key,
        ))
    return entries


def fingerprint(*directories: Path) -> str:
    """Changes whenever a YAML file in these directories is added, removed or edited.

    The key is the list itself (a few hundred bytes), not a digest of it: that
    keeps hashlib out of the start-up path and makes a stale cache easy to read."""
    lines = [__version__]
    for directory in directories:
        try:
            names = sorted(p for p in os.listdir(directory) if p.endswith((".yaml", ".yml")))
        except OSError:
            names = []
        for name in names:
            try:
                stat = os.stat(directory / name)
            except OSError:
                continue
            lines.append(f"{directory}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(lines)


CACHE_MAX_BYTES = 4 * 1024 * 1024


def cache_path() -> Path:
    """Where the catalog cache lives (``$EHPLAN_CACHE_DIR`` or the user cache dir)."""
    return resources.cache_dir() / "catalog.json"


def read_cached(key: str) -> list[Entry] | None:
    """The cached catalog for ``key``, or None if absent, stale or unreadable."""
    from ehplan.safeio import read_regular

    try:
        cached = json.loads(read_regular(cache_path(), CACHE_MAX_BYTES).decode("utf-8"))
        if cached.get("key") != key:
            return None
        return [Entry(**item) for item in cached["entries"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def write_cached(key: str, entries: list[Entry]) -> None:
    """Remember the catalog (best effort: a read-only cache dir only costs speed)."""
    from ehplan.safeio import write_private

    path = cache_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(path, json.dumps({"key": key, "entries": [asdict(e) for e in entries]},
                                       ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass
