"""The `ehplan` command group: the app's options, then one command group per
concern (data, logs, drill). Only commands that draw the terminal UI import
Textual, and they do so inside the command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ehplan import __version__
from ehplan.cli import data, drill, hub, logs, paper, serve
from ehplan.cli.common import app_option
from ehplan.options import APP_OPTIONS
from ehplan.terminal import say
from ehplan.text import Lang


def _with_app_options(command: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(APP_OPTIONS):
        command = app_option(option.flag)(command)
    return command


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ehplan")
@_with_app_options
@click.pass_context
def main(ctx: click.Context, playbooks: Path | None, data: Path | None, lang: Lang | None,
         operator: str | None, log_dir: Path | None, key_file: Path | None) -> None:
    """ehplan: walk an operator through the emergency response plan, with live
    countdowns and a tamper-evident log. Without a command, opens the app."""
    ctx.ensure_object(dict)
    ctx.obj.update(playbooks=playbooks, data=data, lang=lang, operator=operator, log_dir=log_dir,
                   key_file=key_file)
    if ctx.invoked_subcommand is None:
        from ehplan.cli_app import run_app

        run_app(ctx.obj)


for command in (data.validate, data.schema, data.contacts, data.supplies, logs.verify, logs.runs, logs.report,
                logs.replay, drill.drill, paper.cards, paper.forms, paper.graph, serve.serve, hub.hub, hub.sync,
                hub.board):
    main.add_command(command)


def run() -> None:
    """Entry point: click's own messages (usage, a bad option, an unknown
    command) go through `say` too, since they quote what was typed."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        say("Aborted!", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        ctx = exc.ctx if isinstance(exc, click.UsageError) else None
        if ctx is not None:
            hint = f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help."
            say(f"{ctx.get_usage()}\n{hint}\n", err=True, one_line=False)
        say(f"Error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
