"""The trainer's command: drill."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ehplan import resources
from ehplan.cli.common import DATA_OPTION, LANG_OPTION, PLAYBOOKS_OPTION, app_option, load_or_exit
from ehplan.terminal import EXIT_ERROR, say
from ehplan.text import Lang


@click.command(short_help="Run a tabletop drill on a real playbook (no SCENARIO: list them).")
@click.argument("scenario", required=False)
@click.option("--scale", type=click.IntRange(1, 60), default=None,
              help="How much faster than real time the clock runs (default: the scenario's).")
@app_option("--operator", "The trainee's name (else as for the app).")
@app_option("--log-dir", "Where the drill's log goes.")
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
            say(f"{found.id:<20} {title}  ({found.playbook}, ×{found.clock_scale}, "
                f"{len(found.injects)} injects, {len(found.expect)} scored)")
        return
    path = Path(scenario)
    if not path.exists() and "/" not in scenario and not scenario.endswith((".yaml", ".yml")):
        path = resources.drills_dir() / f"{scenario}.yaml"
    try:
        loaded = load_scenario(path, library)
    except LoadError as exc:
        for problem in exc.problems:
            say(str(problem), err=True)
        sys.exit(EXIT_ERROR)
    from ehplan.cli_app import run_key, usable_log_dir
    from ehplan.engine.clock import ScaledClock, SystemClock
    from ehplan.settings import load_settings, remember_operator
    from ehplan.tui.app import EhplanApp

    settings = load_settings()
    name = operator or obj.get("operator") or settings.get("operator")
    app = EhplanApp(library, log_dir=usable_log_dir(log_dir or obj.get("log_dir")), operator=name,
                    lang=shown, clock=ScaledClock(SystemClock(), scale or loaded.clock_scale), mode="drill",
                    remember_operator=remember_operator, resume_offer=False, scenario=loaded,
                    key=run_key(obj.get("key_file"), settings))
    app.run()
    sys.exit(app.return_code or 0)


