"""The `ehplan` command's entry point.

Opening the app is what an operator does under stress, so that path skips
click (and everything else the first screen does not need): when the
arguments are only the app's own options, they are read here; anything else —
a command, --help, an unknown option, a bad value — goes to the click CLI,
which gives the usual help and one-line errors.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from ehplan.options import BY_FLAG


def app_options(argv: list[str]) -> dict[str, Any] | None:
    """The app's options from ``argv``, or None when click should handle it."""
    options: dict[str, Any] = {}
    args = iter(argv)
    for arg in args:
        name, has_value, value = arg.partition("=")
        if name not in BY_FLAG:
            return None
        if not has_value:
            value = next(args, "")
            if not value or value.startswith("--"):
                return None
        options[BY_FLAG[name].dest] = value
    if "lang" in options:
        from ehplan.text import parse_lang

        try:
            options["lang"] = parse_lang(options["lang"])
        except ValueError:
            return None
    return options


def run() -> None:
    """Open the app directly, or hand over to the click CLI."""
    options = app_options(sys.argv[1:])
    if options is None:
        from ehplan.cli import run as run_cli

        run_cli()
        return
    # Start-up allocates a great many objects and no garbage worth collecting: the
    # collector alone would cost ~13 ms before the first frame. The app collects and
    # freezes everything once that frame is painted, then turns the collector on.
    gc.disable()
    try:
        from ehplan.cli_app import run_app

        run_app(options)
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        gc.enable()
