"""The settings remembered on this machine: the operator's name, and the key
file a site may name for its runs. Best effort: a settings file that cannot be
read or written only means asking again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ehplan import resources

SETTINGS_MAX_BYTES = 64 * 1024


def settings_path() -> Path:
    """Where the operator's name (and the site's key file) is remembered on this machine."""
    return resources.config_dir() / "settings.json"


def load_settings() -> dict[str, Any]:
    """The remembered settings, or {} if none or unreadable."""
    from ehplan.safeio import read_regular

    try:
        value = json.loads(read_regular(settings_path(), SETTINGS_MAX_BYTES).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def remember_operator(name: str) -> None:
    """Remember the operator's name for next time (best effort)."""
    from ehplan.safeio import write_private

    path = settings_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(path, json.dumps({**load_settings(), "operator": name}, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass
