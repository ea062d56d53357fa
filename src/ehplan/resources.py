"""Where everything lives, in one place: the shipped playbooks, data, drills and
schemas, the log directory, the settings and the cache, and how to override each."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ehplan.engine.clock import Clock

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside = _PACKAGE / "_shipped" / name  # installed from a wheel
    if inside.is_dir():
        return inside
    return _PACKAGE.parent.parent / name  # a source checkout (editable install)


def playbooks_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``--playbooks``, else ``$EHPLAN_PLAYBOOKS``, else the shipped playbooks."""
    chosen = override or os.environ.get("EHPLAN_PLAYBOOKS")
    return Path(chosen) if chosen else _shipped("playbooks")


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``--data``, else ``$EHPLAN_DATA``, else the shipped site data."""
    chosen = override or os.environ.get("EHPLAN_DATA")
    return Path(chosen) if chosen else _shipped("data")


def drills_dir() -> Path:
    """The shipped drill scenarios."""
    return _shipped("drills")


def schemas_dir() -> Path:
    """The committed JSON Schemas."""
    return _shipped("schemas")


def default_log_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``--log-dir``, else ``$EHPLAN_LOG_DIR``, else the user data dir."""
    chosen = override or os.environ.get("EHPLAN_LOG_DIR")
    if chosen:
        return Path(chosen)
    import platformdirs

    return Path(platformdirs.user_data_dir("ehplan", appauthor=False)) / "logs"


def drill_log_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where drills are logged: the drill's ``--log-dir``, else
    ``$EHPLAN_DRILL_LOG_DIR``, else ``drills`` inside the live log directory,
    a directory of its own so that no drill is offered, listed or summed up
    with the live runs."""
    chosen = override or os.environ.get("EHPLAN_DRILL_LOG_DIR")
    return Path(chosen) if chosen else default_log_dir() / "drills"


def config_dir() -> Path:
    """``$EHPLAN_CONFIG_DIR``, else the user config dir: where settings.json lives."""
    override = os.environ.get("EHPLAN_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("ehplan", appauthor=False))


def cache_dir() -> Path:
    """``$EHPLAN_CACHE_DIR``, else the user cache dir: where the picker's catalog is kept."""
    override = os.environ.get("EHPLAN_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("ehplan", appauthor=False))


def new_run_id(clock: Clock) -> str:
    """Short, sortable and unique enough to say on the phone: 20261128-1305-4f2a."""
    import secrets

    return f"{clock.now():%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def closed_memo(log_dir: Path) -> Path:
    """Where the runs of ``log_dir`` found closed are remembered (in the cache
    dir, one file per log directory), so a start reads none of them again."""
    import hashlib

    name = hashlib.sha256(str(log_dir.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_dir() / f"closed-runs-{name}.json"
