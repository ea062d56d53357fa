"""The one path by which ehplan's command line writes text to the terminal."""

from __future__ import annotations

import click

from ehplan.text import visible

EXIT_OK, EXIT_WARN, EXIT_ERROR = 0, 1, 2
"""Every command's exit codes: all well; warnings (or: something not intact); an error."""


def say(message: str, *, err: bool = False, one_line: bool = True) -> None:
    """Print a message: the one path by which the CLI writes to the terminal.

    Names, paths and texts taken from files, logs and arguments can hold ESC,
    C1 and bidi characters; they are shown as escapes here, never passed raw
    to the terminal, and (``one_line``) a newline inside them is shown too.
    """
    lines = message.split("\n") if not one_line else [message]
    click.echo("\n".join(visible(line, one_line=True) for line in lines), err=err)


def say_lines(lines: list[str], *, err: bool = False) -> None:
    """`say` each of many lines, in one write: a long listing's cost is its lines, not one echo each."""
    if lines:
        click.echo("\n".join(visible(line, one_line=True) for line in lines), err=err)
