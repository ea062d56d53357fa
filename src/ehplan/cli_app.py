"""`ehplan` without a command: load everything, then open the Textual app.
Kept apart from cli.py so that non-drawing commands never import Textual."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from ehplan import resources
from ehplan.text import DEFAULT_LANG


def settings_path() -> Path:
    """Where the operator's name is remembered on this machine."""
    override = os.environ.get("EHPLAN_CONFIG_DIR")
    if override:
        return Path(override) / "settings.json"
    import platformdirs

    return Path(platformdirs.user_config_dir("ehplan", appauthor=False)) / "settings.json"


def load_settings() -> dict[str, Any]:
    """The remembered settings, or {} if none or unreadable."""
    try:
        value = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def remember_operator(name: str) -> None:
    """Remember the operator's name for next time (best effort)."""
    path = settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**load_settings(), "operator": name}, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass


def run_app(options: dict[str, Any]) -> None:
    """Validate the playbooks and data, then start the app (nothing starts on bad data)."""
    from ehplan.library import load_library
    from ehplan.session import default_log_dir
    from ehplan.yamlpos import LoadError

    try:
        library = load_library([resources.playbooks_dir(options.get("playbooks"))],
                               resources.data_dir(options.get("data")))
    except LoadError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(2)
    if not library.playbooks:
        click.echo("ehplan: no playbooks found", err=True)
        sys.exit(2)
    operator = options.get("operator") or load_settings().get("operator")
    if options.get("operator"):
        remember_operator(options["operator"])
    from ehplan.tui.app import EhplanApp

    app = EhplanApp(library, log_dir=default_log_dir(options.get("log_dir")), operator=operator,
                    lang=options.get("lang") or DEFAULT_LANG, remember_operator=remember_operator)
    app.run()
