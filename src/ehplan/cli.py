"""The command line: wires files to the core. Only commands that draw the
terminal UI import Textual, and they do so inside the command."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from ehplan import __version__, resources
from ehplan.terminal import say
from ehplan.text import LANGS, Lang, parse_lang, visible

if TYPE_CHECKING:
    from ehplan.audit import AuditRecord

EXIT_OK, EXIT_WARN, EXIT_ERROR = 0, 1, 2
KEYED_LOG = "keyed log (hmac-sha256): give --key FILE with its key; it cannot be checked without it"


def _lang(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Lang | None:
    if value is None:
        return None
    try:
        return parse_lang(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


LANG_OPTION = click.option(
    "--lang", callback=_lang, default=None, metavar="|".join(LANGS), help="Language of what is shown."
)
PLAYBOOKS_OPTION = click.option(
    "--playbooks", "playbooks", type=click.Path(path_type=Path), default=None,
    help="Directory of playbooks (default: $EHPLAN_PLAYBOOKS or the shipped ones).",
)
DATA_OPTION = click.option(
    "--data", "data", type=click.Path(path_type=Path), default=None,
    help="Directory of site data (default: $EHPLAN_DATA or the shipped data).",
)


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print one line to stderr and exit."""
    say(f"ehplan: {message}", err=True)
    sys.exit(code)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ehplan")
@PLAYBOOKS_OPTION
@DATA_OPTION
@LANG_OPTION
@click.option("--operator", default=None, help="Operator name (else asked once and remembered).")
@click.option("--log-dir", type=click.Path(path_type=Path), default=None,
              help="Where run logs go (default: $EHPLAN_LOG_DIR or the user data dir).")
@click.option("--key", "key_file", type=click.Path(path_type=Path), default=None,
              help="HMAC key file: runs are logged with it (default: $EHPLAN_KEY_FILE, else plain SHA-256).")
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


def load_or_exit(playbooks: Path | None, data: Path | None) -> object:
    """Load the library or print every problem (one line each) and exit 2."""
    from ehplan.library import load_library
    from ehplan.yamlpos import LoadError

    try:
        return load_library([resources.playbooks_dir(playbooks)], resources.data_dir(data))
    except LoadError as exc:
        for problem in exc.problems:
            say(str(problem), err=True)
        sys.exit(EXIT_ERROR)


@main.command(short_help="Check playbooks and site data (path:line:col per problem).")
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


@main.command()
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


@main.command()
@DATA_OPTION
@LANG_OPTION
@click.pass_context
def contacts(ctx: click.Context, data: Path | None, lang: Lang | None) -> None:
    """Show the contact directory (S8): emergency numbers first."""
    _show_data_table(ctx, data, lang, "contacts.yaml")


@main.command()
@DATA_OPTION
@LANG_OPTION
@click.pass_context
def supplies(ctx: click.Context, data: Path | None, lang: Lang | None) -> None:
    """Show the service hall's standard supplies (S9)."""
    _show_data_table(ctx, data, lang, "supplies.yaml")


@main.command(short_help="Check that run logs (or every run in directories) were not edited.")
@click.argument("logs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--key", "key_file", type=click.Path(path_type=Path), default=None,
              help="File holding the HMAC key the logs were written with.")
@click.option("--jobs", type=click.IntRange(1, 256), default=None,
              help="Processes to check many runs with (default: every core).")
def verify(logs: Sequence[Path], key_file: Path | None, jobs: int | None) -> None:
    """Check that run logs were not edited; print each run's final hash. LOGS
    are run files or directories of them: every run is checked (on every
    core), intact ones found in a directory are counted, not listed, and a
    table of verdicts ends the output. Exit 0 if all are intact, 1 if any is
    not, 2 if any could not be checked (unreadable, or keyed and no key)."""
    from ehplan.audit.batch import VERDICTS, expand, verify_all

    key = _read_key(key_file)
    paths = expand(logs)
    with _progress(len(paths)) as advance:
        checked = verify_all(paths, key, jobs=jobs, progress=advance)
    worst = EXIT_OK
    for run in checked:
        result, path = run.result, run.path
        if run.verdict == "unreadable":
            say(f"{path}: unreadable: {result.reason}", err=True)
        elif run.verdict == "needs its key":
            say(f"{path}: {KEYED_LOG}", err=True)
        elif result.ok:
            if run.named:
                say(f"{path}: intact, {result.records} records, final hash {result.final_hash}")
        else:
            where = ""
            if result.first_bad_seq is not None or result.first_bad_offset is not None:
                where = f" at seq {result.first_bad_seq}, byte offset {result.first_bad_offset}"
            say(f"{path}: NOT intact{where}: {result.reason}", err=True)
            if result.final_hash:
                say(f"{path}: last good hash {result.final_hash}", err=True)
        worst = max(worst, {"intact": EXIT_OK, "unreadable": EXIT_ERROR, "needs its key": EXIT_ERROR}.get(
            run.verdict, 1))
    if len(checked) != 1 or not checked[0].named:
        counts = {verdict: sum(run.verdict == verdict for run in checked) for verdict in VERDICTS}
        say(f"{len(checked)} run(s): " + ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n)
            if checked else "no run files found")
    sys.exit(worst)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], object]]:
    """A progress bar on a terminal's stderr while many runs are checked; else nothing."""
    if total < 200 or not sys.stderr.isatty():
        yield lambda _done: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("verifying", total=total)
        yield lambda done: bar.advance(task, done)


@main.command(short_help="After-action report of one run's log (deadlines, timeline, score).")
@click.argument("log", type=click.Path(path_type=Path))
@click.option("--key", "key_file", type=click.Path(path_type=Path), default=None,
              help="File holding the HMAC key the log was written with.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write the report to this file.")
@click.option("--scenario", "scenario_file", type=click.Path(path_type=Path), default=None,
              help="A drill's scenario file, to score it (default: the shipped one of the same id).")
@PLAYBOOKS_OPTION
@DATA_OPTION
@LANG_OPTION
@click.pass_context
def report(ctx: click.Context, log: Path, key_file: Path | None, out: Path | None, scenario_file: Path | None,
           playbooks: Path | None, data: Path | None, lang: Lang | None) -> None:
    """After-action report of one run: deadlines met or missed, the timeline,
    calls, notes, overrides, follow-ups and the final hash. The log is verified
    first; an edited log gets no report (exit 1)."""
    from ehplan.engine.fold import FoldError
    from ehplan.library import Library
    from ehplan.report.afteraction import Integrity, after_action_report

    obj = ctx.obj or {}
    lang = lang or obj.get("lang")
    key = _read_key(key_file)
    records, torn = _verified_records(log, key, "no report from an edited log")
    library = load_or_exit(playbooks or obj.get("playbooks"), data or obj.get("data"))
    assert isinstance(library, Library)
    integrity = Integrity(str(log), len(records), records[-1].hash, torn_tail=torn, hmac_checked=key is not None)
    try:
        score = _drill_score(records, library, scenario_file, lang or records[0].data.get("lang", "zh-Hant"))
        lines = after_action_report(records, library, integrity, lang, score)
    except (FoldError, KeyError, ValueError) as exc:
        fail(f"{log}: cannot fold this log: {exc}")
    # One report line is one line: a newline inside a note or value is shown, never obeyed.
    text = "\n".join(visible(line, one_line=True) for line in lines) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    from ehplan.safeio import write_private

    try:
        write_private(out, text.encode("utf-8"))  # 0600: a report names people and places
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    say(f"{log}: report written to {out}")


@main.command(short_help="Run a tabletop drill on a real playbook (no SCENARIO: list them).")
@click.argument("scenario", required=False)
@click.option("--scale", type=click.IntRange(1, 60), default=None,
              help="How much faster than real time the clock runs (default: the scenario's).")
@click.option("--operator", default=None, help="The trainee's name (else as for the app).")
@click.option("--log-dir", type=click.Path(path_type=Path), default=None, help="Where the drill's log goes.")
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
    from ehplan.cli_app import load_settings, remember_operator, run_key, usable_log_dir
    from ehplan.engine.clock import ScaledClock, SystemClock
    from ehplan.tui.app import EhplanApp

    name = operator or obj.get("operator") or load_settings().get("operator")
    app = EhplanApp(library, log_dir=usable_log_dir(log_dir or obj.get("log_dir")), operator=name,
                    lang=shown, clock=ScaledClock(SystemClock(), scale or loaded.clock_scale), mode="drill",
                    remember_operator=remember_operator, resume_offer=False, scenario=loaded,
                    key=run_key(obj.get("key_file")))
    app.run()
    sys.exit(app.return_code or 0)


@main.command(short_help="Play a run's log back on the operator's screens (read-only).")
@click.argument("log", type=click.Path(path_type=Path))
@click.option("--speed", type=click.Choice(["1", "2", "4", "8", "16", "32", "64"]), default="8", show_default=True,
              help="Playback speed to start with (+ and - change it).")
@click.option("--key", "key_file", type=click.Path(path_type=Path), default=None,
              help="File holding the HMAC key the log was written with.")
@PLAYBOOKS_OPTION
@DATA_OPTION
@LANG_OPTION
@click.pass_context
def replay(ctx: click.Context, log: Path, speed: str, key_file: Path | None, playbooks: Path | None,
           data: Path | None, lang: Lang | None) -> None:
    """Play a run back on the screens the operator saw: Space play/pause,
    arrows step, +/- speed, Home/End. The log is verified first and only read."""
    from ehplan.engine.fold import FoldError
    from ehplan.library import Library

    obj = ctx.obj or {}
    lang = lang or obj.get("lang")
    key = _read_key(key_file)
    records, _torn = _verified_records(log, key, "no replay of an edited log")
    library = load_or_exit(playbooks or obj.get("playbooks"), data or obj.get("data"))
    assert isinstance(library, Library)
    for record in records:  # the screens need the exact playbook versions that ran
        if record.type in ("run_started", "playbook_switched"):
            playbook_id = record.data.get("playbook") if record.type == "run_started" else record.data.get("to")
            ran = record.data.get("content_hash")
            found = library.playbooks.get(str(playbook_id))
            if found is None:
                fail(f"{log}: playbook {playbook_id} is not among the playbooks; give --playbooks with it")
            if ran and found.content_hash != ran:
                fail(f"{log}: playbook {playbook_id} has changed since this run ({ran[:19]}…); "
                     f"give --playbooks with the version that ran (ehplan report works with any)")
    from ehplan.tui.replay import ReplayApp

    try:
        app = ReplayApp(library, log, records, lang=lang, speed=int(speed))
    except (FoldError, KeyError, ValueError) as exc:
        fail(f"{log}: cannot replay: {exc}")
    app.run()


def _drill_score(records: list[AuditRecord], library: object, scenario_file: Path | None, lang: Lang) -> list[str]:
    """A drill run's score lines, from its scenario (given, or shipped with the same id)."""
    from ehplan.drill import load_scenario, score_lines, score_run
    from ehplan.library import Library
    from ehplan.yamlpos import LoadError

    scenario_id = records[0].data.get("scenario")
    if not scenario_id and scenario_file is None:
        return []
    assert isinstance(library, Library)
    path = scenario_file or resources.drills_dir() / f"{scenario_id}.yaml"
    if scenario_file is None and not path.exists():  # a drill from a scenario that did not ship
        say(f"ehplan: no score: scenario {scenario_id!r} is not among the shipped drills; "
            "give --scenario FILE", err=True)
        return []
    try:
        scenario = load_scenario(path, library)
    except LoadError as exc:
        fail(f"cannot score the drill: {exc.problems[0]}")
    if scenario_id and scenario.id != scenario_id:
        fail(f"{path}: scenario {scenario.id!r} is not the one this drill ran ({scenario_id!r})")
    try:
        return score_lines(score_run(records, scenario, library, lang), lang)
    except KeyError as exc:  # a timer or step the playbook no longer has
        say(f"ehplan: no score: the playbook has changed since the drill ({exc} is gone)", err=True)
        return []


def _verified_records(log: Path, key: bytes | None, refusal: str) -> tuple[list[AuditRecord], bool]:
    """The log's records after it verified (a torn last line is allowed and said);
    an edited log exits 1, an unreadable one 2."""
    from ehplan.audit import read_log, verify_log

    result = verify_log(log, key)
    if result.unreadable:
        fail(f"{log}: unreadable: {result.reason}")
    if result.needs_key:
        fail(f"{log}: {KEYED_LOG}")
    if not result.ok and (not result.torn_tail or result.prev_run_ok is False):
        where = f" at seq {result.first_bad_seq}" if result.first_bad_seq is not None else ""
        fail(f"{log}: NOT intact{where}: {result.reason}; {refusal}", 1)
    records, _damage = read_log(log, key)
    if not records or records[0].type != "run_started":
        fail(f"{log}: not a run log (it does not begin with run_started)")
    from ehplan.engine.eventcheck import event_problem

    for record in records:  # intact proves who could have written it, not that its content is sane
        problem = event_problem(record.type, record.data)
        if problem is not None:
            fail(f"{log}: seq {record.seq}: {problem}", 1)
    return records, result.torn_tail


def _read_key(key_file: Path | None) -> bytes | None:
    """The key file's bytes, as they are, or one line and exit 2."""
    from ehplan.audit.keys import KeyFileError, read_key

    if key_file is None:
        return None
    try:
        return read_key(key_file)
    except KeyFileError as exc:
        fail(str(exc))


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
