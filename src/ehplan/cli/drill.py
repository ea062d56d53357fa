"""The trainer's command: drill."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ehplan import resources
from ehplan.cli.common import DATA_OPTION, LANG_OPTION, PLAYBOOKS_OPTION, app_option, load_or_exit
from ehplan.terminal import EXIT_ERROR, say
from ehplan.text import Lang


class _DrillCommand(click.Command):
    """``ehplan drill SCENARIO`` runs a drill; ``ehplan drill control …`` is the
    trainer's console for one that is running."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args[:1] == ["control"]:
            ctx.meta["ehplan.drill.control"] = args[1:]
            return super().parse_args(ctx, [])
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        rest = ctx.meta.pop("ehplan.drill.control", None)
        if rest is None:
            return super().invoke(ctx)
        from ehplan.cli.drill_control import control

        with control.make_context("drill control", rest, parent=ctx.parent) as sub:
            return control.invoke(sub)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        formatter.write_text("The trainer's console, in a second terminal: ehplan drill control --help")


@click.command(cls=_DrillCommand,
               short_help="Run a tabletop drill on a real playbook (no SCENARIO: list them; control: the console).")
@click.argument("scenario", required=False)
@click.option("--scale", type=click.IntRange(1, 60), default=None,
              help="How much faster than real time the clock runs (default: the scenario's).")
@app_option("--operator", "The trainee's name (else as for the app).")
@app_option("--log-dir", "Where the drill's log goes (default: the drills directory, apart from live runs).")
@PLAYBOOKS_OPTION
@DATA_OPTION
@LANG_OPTION
@click.pass_context
def drill(ctx: click.Context, scenario: str | None, scale: int | None, operator: str | None, log_dir: Path | None,
          playbooks: Path | None, data: Path | None, lang: Lang | None) -> None:
    """Run a tabletop drill: SCENARIO is a shipped scenario's id or a scenario
    file. The real playbook runs on a faster clock, injects arrive at their
    times, the log is marked DRILL, and the end shows the score. Without
    SCENARIO, list the shipped scenarios."""
    from ehplan.drill import load_scenario
    from ehplan.library import Library
    from ehplan.playbook.models import text_map
    from ehplan.text import pick
    from ehplan.yamlpos import LoadError

    obj = ctx.obj or {}
    library = load_or_exit(playbooks or obj.get("playbooks"), data or obj.get("data"))
    assert isinstance(library, Library)
    lang = lang or obj.get("lang")
    shown: Lang = lang or "zh-Hant"
    if scenario is None:
        for path in sorted(resources.drills_dir().glob("*.yaml")):
            try:
                found = load_scenario(path, library)
            except LoadError as exc:
                say(str(exc.problems[0]), err=True)
                continue
            title = pick(text_map(found.title), shown)
            say(f"{found.id:<24} {title}  ({found.playbook}, ×{found.clock_scale}, "
                f"{len(found.injects)} injects, {len(found.expect)} scored"
                f"{', starts ' + format(start, '%Y-%m-%d %H:%M') if (start := found.start) else ''})")
        return
    path = scenario_path(scenario)
    try:
        loaded = load_scenario(path, library)
    except LoadError as exc:
        for problem in exc.problems:
            say(str(problem), err=True)
        sys.exit(EXIT_ERROR)
    from ehplan.cli_app import run_key, usable_log_dir
    from ehplan.drill import start_instant
    from ehplan.engine.clock import DrillClock, SystemClock
    from ehplan.settings import load_settings, remember_operator
    from ehplan.tui.app import EhplanApp

    settings = load_settings()
    name = operator or obj.get("operator") or settings.get("operator")
    clock = DrillClock(SystemClock(), scale or loaded.clock_scale, epoch=start_instant(loaded, library))
    app = EhplanApp(library, log_dir=usable_log_dir(drill_dir(log_dir, obj)), operator=name,
                    lang=shown, clock=clock, mode="drill",
                    remember_operator=remember_operator, resume_offer=True, scenario=loaded,
                    key=run_key(obj.get("key_file"), settings))
    app.run()
    sys.exit(app.return_code or 0)


def drill_dir(log_dir: Path | None, obj: dict[str, object]) -> Path:
    """The drill's ``--log-dir``, else ``drills`` in the ``ehplan --log-dir`` given
    before the command, else the default drills directory."""
    if log_dir is not None:
        return log_dir
    live = obj.get("log_dir")
    return Path(str(live)) / "drills" if live else resources.drill_log_dir()


def scenario_path(scenario: str) -> Path:
    """A scenario file, or the shipped scenario of that id."""
    path = Path(scenario)
    if not path.exists() and "/" not in scenario and not scenario.endswith((".yaml", ".yml")):
        path = resources.drills_dir() / f"{scenario}.yaml"
    return path
