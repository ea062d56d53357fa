"""`ehplan` without a command: load everything, then open the Textual app.
Kept apart from the click CLI (ehplan.cli), which opening the app never imports."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ehplan import resources
from ehplan.settings import load_settings, remember_operator
from ehplan.text import DEFAULT_LANG

if TYPE_CHECKING:
    from ehplan.library import Library


def run_app(options: dict[str, Any]) -> None:
    """Start the app. Nothing starts on bad data: the playbooks and site data are
    validated before any run can begin, and the app stops with every problem.

    When the picker's catalog is cached for these exact files, the first screen
    paints from it at once and validation follows in the background (a run
    started meanwhile waits for it); otherwise validation comes first.
    """
    from ehplan import catalog

    settings = load_settings()  # read once: the key file and the remembered operator
    log_dir = usable_log_dir(options.get("log_dir"))
    from ehplan.open_runs import OpenRunsSearch

    search = OpenRunsSearch(log_dir, resources.closed_memo(log_dir))  # the app begins it after its first frame
    hmac_key = run_key(options.get("key_file"), settings)
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
    operator = options.get("operator") or settings.get("operator")
    if options.get("operator"):
        remember_operator(options["operator"])
    from ehplan.tui.app import EhplanApp

    app = EhplanApp(library, log_dir=log_dir, operator=operator,
                    lang=options.get("lang") or DEFAULT_LANG, remember_operator=remember_operator,
                    catalog=cached, load_library=load, key=hmac_key, open_runs_search=search)
    if isinstance(settings.get("hub"), str):  # ship the logs to the department's hub, in the background
        from ehplan.hub.ship import ShipperProcess

        app.shipper = ShipperProcess(settings["hub"], log_dir, resources.cache_dir() / f"hub-{os.getpid()}.json")
        app.shipper.start()
    try:
        app.run()
    finally:
        search.close()  # the offer took its answer, or nobody will
    if app.shipper is not None:
        app.shipper.stop()
    if app.load_problems:
        _print_problems(app.load_problems)
    sys.exit(app.return_code or 0)


def usable_log_dir(log_dir: str | os.PathLike[str] | None) -> Path:
    """The log directory runs will be written to, or one line and exit 2 when
    others could plant files in it (it is created 0700 when missing)."""
    from ehplan.resources import default_log_dir
    from ehplan.safeio import private_dir_problem

    chosen = default_log_dir(log_dir)
    problem = private_dir_problem(chosen, "log directory", "--log-dir")
    if problem is not None:
        _print_problems([f"ehplan: {problem}"])
    return chosen


def run_key(key_file: str | os.PathLike[str] | None, settings: dict[str, Any] | None = None) -> bytes | None:
    """The key new runs are chained with: ``--key``, else ``$EHPLAN_KEY_FILE``, else
    the site's settings (``"key_file"`` in settings.json), else none; one line and
    exit 2 if the file cannot be used."""
    site = settings if settings is not None else load_settings()
    chosen = key_file or os.environ.get("EHPLAN_KEY_FILE") or site.get("key_file")
    if not chosen:
        return None
    from ehplan.audit.keys import KeyFileError, read_key

    try:
        return read_key(Path(chosen))
    except KeyFileError as exc:
        _print_problems([f"ehplan: {exc}"])


def _print_problems(problems: list[str]) -> NoReturn:
    from ehplan.text import visible

    for problem in problems:
        print(visible(problem, one_line=True), file=sys.stderr)
    sys.exit(2)
