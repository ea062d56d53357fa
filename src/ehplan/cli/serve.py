"""`ehplan serve`: the app (or a drill) in a browser on this machine, for a
classroom's projector. Each browser tab runs its own ehplan process through
textual-serve (the optional ``serve`` extra), bound to the loopback address
only, and the page loads nothing from outside this machine."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ehplan.cli.common import DATA_OPTION, LANG_OPTION, PLAYBOOKS_OPTION, app_option, fail
from ehplan.terminal import say
from ehplan.text import Lang

HOST = "127.0.0.1"
PAGE = Path(__file__).resolve().parent / "serve_page"
"""ehplan's own page template: textual-serve's loads a font from the web."""


def served_command(drill: str | None, debrief: Sequence[Path], obj: dict[str, object], lang: Lang | None,
                   playbooks: Path | None, data: Path | None, operator: str | None) -> list[str]:
    """The command each browser tab runs: this ehplan, with the options given."""
    args = [sys.executable, "-m", "ehplan"]
    for flag, value in (("--playbooks", playbooks or obj.get("playbooks")), ("--data", data or obj.get("data")),
                        ("--lang", lang or obj.get("lang")), ("--operator", operator or obj.get("operator")),
                        ("--log-dir", obj.get("log_dir")), ("--key", obj.get("key_file"))):
        if value:
            args += [flag, str(value)]
    if drill is not None:
        args += ["drill", drill]
    if debrief:
        args += ["report", "--screen", *(str(path.resolve()) for path in debrief)]
    return args


@click.command(short_help="Serve the app (or a drill) to a browser on this machine.")
@click.option("--drill", "drill", default=None, metavar="SCENARIO",
              help="Serve this drill (a shipped scenario's id or a file) instead of the app.")
@click.option("--debrief", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              metavar="LOG", help="Serve the debrief of these drill logs side by side (--debrief A --debrief B).")
@click.option("--port", type=click.IntRange(1024, 65535), default=8000, show_default=True,
              help="The port on 127.0.0.1.")
@app_option("--operator", "The trainee's name (else asked in the browser).")
@PLAYBOOKS_OPTION
@DATA_OPTION
@LANG_OPTION
@click.pass_context
def serve(ctx: click.Context, drill: str | None, debrief: Sequence[Path], port: int, operator: str | None,
          playbooks: Path | None, data: Path | None, lang: Lang | None) -> None:
    """Serve ehplan to a browser on this machine (http://127.0.0.1:PORT), for
    the classroom's projector: each tab runs its own app; --drill a drill,
    --debrief two trainees' attempts side by side. Needs the serve
    extra (pip install 'ehplan[serve]'). Works offline: the page loads
    nothing from outside. In a browser F5 would reload the page: the page
    keeps F5–F8 for the app; if a browser still takes one, click into the
    app and press it again, or type the playbook's name in the picker."""
    obj = ctx.obj or {}
    if drill is not None and debrief:
        fail("serve a drill or a debrief, not both")
    try:
        import textual_serve
        from textual_serve.server import Server
    except ImportError:
        fail("ehplan serve needs textual-serve: pip install 'ehplan[serve]'")
    if drill is not None:  # a bad scenario is refused here, in one line each, not in the browser
        from ehplan.cli.common import load_or_exit
        from ehplan.cli.drill import scenario_path
        from ehplan.drill import load_scenario
        from ehplan.library import Library
        from ehplan.yamlpos import LoadError

        library = load_or_exit(playbooks or obj.get("playbooks"), data or obj.get("data"))
        assert isinstance(library, Library)
        try:
            load_scenario(scenario_path(drill), library)
        except LoadError as exc:
            for problem in exc.problems:
                say(str(problem), err=True)
            sys.exit(2)
    command = shlex.join(served_command(drill, debrief, obj, lang, playbooks, data, operator))
    statics = Path(textual_serve.__file__).resolve().parent / "static"
    title = f"ehplan drill {drill}" if drill else "ehplan debrief" if debrief else "ehplan"
    server = Server(command, host=HOST, port=port, title=title,
                    statics_path=statics, templates_path=PAGE)
    server.serve()
