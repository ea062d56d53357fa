"""What every command shares: the options declared once, exit codes, one-line
failures, loading the library, reading a key file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from ehplan import resources
from ehplan.options import BY_FLAG
from ehplan.terminal import EXIT_ERROR, say
from ehplan.text import LANGS, Lang, parse_lang


def _lang(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Lang | None:
    if value is None:
        return None
    try:
        return parse_lang(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def app_option(flag: str, help: str | None = None) -> Callable[[Any], Any]:
    """The click option for one of the app's options (ehplan.options), as declared there."""
    option = BY_FLAG[flag]
    if option.flag == "--lang":
        return click.option("--lang", callback=_lang, default=None, metavar="|".join(LANGS),
                            help=help or option.help)
    kind = click.Path(path_type=Path) if option.path else None
    return click.option(option.flag, option.dest, type=kind, default=None, help=help or option.help)


LANG_OPTION = app_option("--lang")
PLAYBOOKS_OPTION = app_option("--playbooks")
DATA_OPTION = app_option("--data")
KEY_OPTION = app_option("--key", "File holding the HMAC key the logs were written with.")


def HUB_OPTIONS(command: Any) -> Any:  # noqa: N802 - a decorator, named like the other options
    """--hub DSN and --desk NAME: read the runs from the hub instead of files."""
    command = click.option("--desk", default=None, help="With --hub: only this desk's runs.")(command)
    return click.option("--hub", "hub", metavar="DSN", default=None,
                        help="Read from the hub's PostgreSQL instead of files (all desks, or --desk).")(command)


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print one line to stderr and exit."""
    say(f"ehplan: {message}", err=True)
    sys.exit(code)


def load_or_exit(playbooks: Path | None, data: Path | None) -> Any:
    """Load the library or print every problem (one line each) and exit 2."""
    from ehplan.library import load_library
    from ehplan.yamlpos import LoadError

    try:
        return load_library([resources.playbooks_dir(playbooks)], resources.data_dir(data))
    except LoadError as exc:
        for problem in exc.problems:
            say(str(problem), err=True)
        sys.exit(EXIT_ERROR)


def read_key_file(key_file: Path | None) -> bytes | None:
    """The key file's bytes, as they are, or one line and exit 2."""
    from ehplan.audit.keys import KeyFileError, read_key

    if key_file is None:
        return None
    try:
        return read_key(key_file)
    except KeyFileError as exc:
        fail(str(exc))


