"""`ehplan` without a command: load everything, then open the Textual app.
Kept apart from cli.py so that non-drawing commands never import Textual."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ehplan import resources
from ehplan.text import DEFAULT_LANG

if TYPE_CHECKING:
    from ehplan.library import Library


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
    """Start the app. Nothing starts on bad data: the playbooks and site data are
    validated before any run can begin, and the app stops with every problem.

    When the picker's catalog is cached for these exact files, the first screen
    paints from it at once and validation follows in the background (a run
    started meanwhile waits for it); otherwise validation comes first.
    """
    from ehplan import catalog
    from ehplan.resources import default_log_dir

    playbooks = resources.playbooks_dir(options.get("playbooks"))
    data = resources.data_dir(options.get("data"))
    key = catalog.fingerprint(playbooks, data)

    def load() -> Library:
        from ehplan.library import load_library

        library = load_library([playbooks], data)
        if not library.playbooks:
            from ehplan.yamlpos import LoadError, Problem

            raise LoadError([Problem(str(playbooks), 1, 1, "no playbooks found")])
        catalog.write_cached(key, catalog.entries_of(library))
        return library

    cached = catalog.read_cached(key)
    library = None
    if cached is None:
        from ehplan.yamlpos import LoadError

        try:
            library = load()
        except LoadError as exc:
            _print_problems([str(p) for p in exc.problems])
    operator = options.get("operator") or load_settings().get("operator")
    if options.get("operator"):
        remember_operator(options["operator"])
    from ehplan.tui.app import EhplanApp

    app = EhplanApp(library, log_dir=default_log_dir(options.get("log_dir")), operator=operator,
                    lang=options.get("lang") or DEFAULT_LANG, remember_operator=remember_operator,
                    catalog=cached, load_library=load)
    app.run()
    if app.load_problems:
        _print_problems(app.load_problems)
    sys.exit(app.return_code or 0)


def _print_problems(problems: list[str]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(2)
