"""Commands on playbooks and site data: validate, schema, contacts, supplies."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ehplan import resources
from ehplan.cli.common import DATA_OPTION, LANG_OPTION, PLAYBOOKS_OPTION, fail
from ehplan.terminal import say
from ehplan.text import Lang


@click.command(short_help="Check playbooks and site data (path:line:col per problem).")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@PLAYBOOKS_OPTION
@DATA_OPTION
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings.")
@click.pass_context
def validate(ctx: click.Context, paths: Sequence[Path], playbooks: Path | None, data: Path | None,
             strict: bool) -> None:
    """Check playbooks and site data; print path:line:col for every problem."""
    from ehplan.validate import validate_paths

    code = validate_paths(
        list(paths),
        resources.playbooks_dir(playbooks or ctx.obj.get("playbooks")),
        resources.data_dir(data or ctx.obj.get("data")),
        strict=strict,
    )
    sys.exit(code)


@click.command()
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Write the schemas into this directory instead of printing the playbook schema.")
def schema(out: Path | None) -> None:
    """Print or write the JSON Schemas of playbooks and data files."""
    from ehplan.schemas import render_schemas

    rendered = render_schemas()
    if out is None:
        click.echo(rendered["playbook.schema.json"], nl=False)  # generated here, not read from a file
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in rendered.items():
            (out / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write schemas to {out}: {exc.strerror or exc}")
    say(f"wrote {len(rendered)} schemas to {out}")


def _show_data_table(ctx: click.Context, data: Path | None, lang: Lang | None, name: str) -> None:
    """Load one site data file and print it as a table (every problem is one line)."""
    from ehplan import tables
    from ehplan.library import DATA_FILES, load_data_file
    from ehplan.yamlpos import LoadError

    path = resources.data_dir(data or ctx.obj.get("data")) / name
    try:
        loaded, _ = load_data_file(path, DATA_FILES[name])
    except LoadError as exc:
        fail(str(exc.problems[0]))
    render = tables.contacts_table if name == "contacts.yaml" else tables.supplies_table
    tables.print_table(render(loaded, lang or ctx.obj.get("lang") or "zh-Hant"))  # type: ignore[arg-type]


@click.command()
@DATA_OPTION
@LANG_OPTION
@click.pass_context
def contacts(ctx: click.Context, data: Path | None, lang: Lang | None) -> None:
    """Show the contact directory (S8): emergency numbers first."""
    _show_data_table(ctx, data, lang, "contacts.yaml")


@click.command()
@DATA_OPTION
@LANG_OPTION
@click.pass_context
def supplies(ctx: click.Context, data: Path | None, lang: Lang | None) -> None:
    """Show the service hall's standard supplies (S9)."""
    _show_data_table(ctx, data, lang, "supplies.yaml")


