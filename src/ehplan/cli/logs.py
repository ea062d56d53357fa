"""The auditor's commands on run logs: verify, report, replay."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ehplan import resources
from ehplan.cli.common import (
    DATA_OPTION,
    HUB_OPTIONS,
    KEY_OPTION,
    LANG_OPTION,
    PLAYBOOKS_OPTION,
    fail,
    load_or_exit,
    read_key_file,
)
from ehplan.cli.hub import hub_desk_dirs, hub_log
from ehplan.terminal import EXIT_ERROR, EXIT_OK, say, say_lines
from ehplan.text import DEFAULT_LANG, LANGS, Lang, visible

if TYPE_CHECKING:
    from ehplan.drill import Score
    from ehplan.engine.state import RunState
    from ehplan.library import Library
    from ehplan.report.afteraction import Report
    from ehplan.verified import VerifiedRun, Visit


@click.command(short_help="Check that run logs (or every run in directories) were not edited.")
@click.argument("logs", nargs=-1, required=True, type=click.Path(path_type=Path))
@KEY_OPTION
@click.option("--jobs", type=click.IntRange(1, 256), default=None,
              help="Processes to check many runs with (default: every core).")
def verify(logs: Sequence[Path], key_file: Path | None, jobs: int | None) -> None:
    """Check that run logs were not edited; print each run's final hash. LOGS
    are run files or directories of them: every run is checked (on every
    core), intact ones found in a directory are counted, not listed, and a
    table of verdicts ends the output. Exit 0 if all are intact, 1 if any is
    not, 2 if any could not be checked (unreadable, or keyed and no key)."""
    from ehplan.audit.batch import VERDICTS, expand, verify_all

    key = read_key_file(key_file)
    paths = expand(logs)
    with _progress("verifying") as (on_total, advance):
        on_total(len(paths))
        checked = verify_all(paths, key, jobs=jobs, progress=advance)
    worst = EXIT_OK
    for run in checked:
        result, path = run.result, run.path
        if run.verdict == "unreadable":
            say(f"{path}: unreadable: {result.reason}", err=True)
        elif run.verdict == "needs its key":
            from ehplan.verified import KEYED_LOG  # only then: it imports the engine

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


@click.command(short_help="After-action report of runs' logs (text, Markdown, HTML, JSON); drills side by side.")
@click.argument("logs", nargs=-1, required=True, type=click.Path(path_type=Path))
@KEY_OPTION
@click.option("--format", "form", type=click.Choice(["text", "md", "html", "json"]), default="text",
              show_default=True,
              help="text; md (Markdown); html (one printable file, A4); json (schemas/report.schema.json).")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write the report to this file.")
@click.option("--screen", is_flag=True, help="Show the report on a scrollable screen (q leaves) instead.")
@click.option("--scenario", "scenario_file", type=click.Path(path_type=Path), default=None,
              help="A drill's scenario file, to score it (default: the shipped one of the same id).")
@click.option("--summary", is_flag=True,
              help="One summary across the runs (LOGS: directories or run files) instead of a report of each.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="With --summary: runs started on or after this day (the plan's local time).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="With --summary: runs started on or before this day.")
@click.option("--playbook", default=None, help="With --summary: only runs of this playbook (its id).")
@click.option("--drills", is_flag=True, help="With --summary: include drills (left out unless asked).")
@PLAYBOOKS_OPTION
@DATA_OPTION
@LANG_OPTION
@HUB_OPTIONS
@click.pass_context
def report(ctx: click.Context, logs: Sequence[Path], key_file: Path | None, form: str, out: Path | None,
           screen: bool, scenario_file: Path | None, summary: bool, since: dt.datetime | None,
           until: dt.datetime | None, playbook: str | None, drills: bool, playbooks: Path | None,
           data: Path | None, lang: Lang | None, hub: str | None, desk: str | None) -> None:
    """After-action report of each run: deadlines met or missed, the compliance
    score (docs/compliance.md), the timeline, calls, notes, overrides,
    follow-ups and the final hash, every item with its seq in the log. Each log
    is verified first; an edited log gets no report (exit 1). Several attempts
    on the same drill scenario (every log a drill of it) are shown side by
    side instead, in text: expectations and deadlines (met, late by, missed,
    wrong branch, with the moment and seq), the time to each step, the
    trainer's actions, the score. With --hub, each LOG is a run id (or file
    name) on the hub, read back exactly as the desk wrote it.

    With --summary, one summary of every run in LOGS (directories or run
    files): runs per playbook and per month, each deadline's limit met, late
    or missed, the median and 90th-percentile time to the first required
    call, the most frequent deviations, and the runs that did not verify,
    listed and left out of the figures; Markdown, HTML and JSON list the run
    files and seqs behind each deviation and missed deadline."""
    if summary:
        _summary(ctx, logs, key_file, form, out, screen, scenario_file, since, until, playbook, drills,
                 playbooks, data, lang, hub)
        return
    if since is not None or until is not None or playbook is not None or drills:
        fail("--since, --until, --playbook and --drills go with --summary")
    logs = [hub_log(ctx, hub, desk, log) for log in logs]
    if screen and out is not None:
        fail("--screen shows the report; --out writes it: give one of them")
    if screen and form != "text":
        fail("--screen shows the text report: leave out --format")
    if len(logs) > 1 and form == "text" and _drill_attempts(logs):
        _compare(ctx, logs, key_file, out, scenario_file, playbooks, data, lang, screen)
        return
    from ehplan.library import Library
    from ehplan.report.formats import chunks

    obj = ctx.obj or {}
    lang = lang or obj.get("lang")
    key = read_key_file(key_file)
    library = load_or_exit(playbooks or obj.get("playbooks"), data or obj.get("data"))
    assert isinstance(library, Library)
    reports = [_report_of(log, key, library, scenario_file, lang) for log in logs]
    if screen:
        _emit(logs[0], "".join(chunks(reports, "text")).splitlines(), None, True, lang or "zh-Hant")
        return
    if out is None:  # a piece at a time: a long run's report is long
        for piece in chunks(reports, form):
            sys.stdout.write(piece)
        sys.stdout.flush()
        return
    from ehplan.safeio import write_private

    try:
        write_private(out, "".join(chunks(reports, form)).encode("utf-8"))  # 0600: a report names people
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    say(f"{', '.join(map(str, logs))}: report written to {out}")


def _summary(ctx: click.Context, logs: Sequence[Path], key_file: Path | None, form: str, out: Path | None,
             screen: bool, scenario_file: Path | None, since: dt.datetime | None, until: dt.datetime | None,
             playbook: str | None, drills: bool, playbooks: Path | None, data: Path | None, lang: Lang | None,
             hub: str | None) -> None:
    """`ehplan report --summary`: one summary across every run of LOGS."""
    if screen or scenario_file is not None or hub is not None:
        fail("--summary goes with neither --screen, --scenario nor --hub")
    from ehplan.audit.batch import expand
    from ehplan.library import Library
    from ehplan.report.acrossformats import CHARTS_MISSING, charts_available, render
    from ehplan.report.acrossruns import read_facts, summarize_runs

    if form == "html" and not charts_available():
        fail(CHARTS_MISSING)
    obj = ctx.obj or {}
    key = read_key_file(key_file)
    library = load_or_exit(playbooks or obj.get("playbooks"), data or obj.get("data"))
    assert isinstance(library, Library)
    for log in logs:
        if not log.exists():
            fail(f"{log}: no such file or directory")
    paths = [path for path, _named in expand(logs)]
    with _progress("reading runs") as (on_total, advance):
        on_total(len(paths))
        facts = read_facts(paths, library, key, progress=advance, cache=resources.cache_dir() / "summary-index.json")
    shown: Lang = lang or obj.get("lang") or DEFAULT_LANG
    text = render(summarize_runs(facts, library, shown, since=since.date() if since else None,
                                 until=until.date() if until else None, playbook=playbook, drills=drills), form)
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ehplan.safeio import write_private

    try:
        write_private(out, text.encode("utf-8"))  # 0600: a summary names people
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    say(f"summary of {len(paths)} run file(s) written to {out}")


def _emit(log: Path, lines: list[str], out: Path | None, screen: bool = False, lang: Lang = "zh-Hant") -> None:
    """The report's lines on stdout, in ``out`` (0600), or on a screen."""
    # One report line is one line: a newline inside a note or value is shown, never obeyed.
    shown = [visible(line, one_line=True) for line in lines]
    if screen:
        from ehplan.tui.debrief import DebriefApp

        DebriefApp(shown[0] if shown else log.name, shown[1:], lang).run()
        return
    text = "\n".join(shown) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    from ehplan.safeio import write_private

    try:
        write_private(out, text.encode("utf-8"))  # 0600: a report names people and places
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    say(f"{log}: report written to {out}")


def _report_of(log: Path, key: bytes | None, library: Library, scenario_file: Path | None,
               lang: Lang | None) -> Report:
    """One run's report model, built as its log is verified and folded (once)."""
    from ehplan.engine.fold import FoldError
    from ehplan.report.afteraction import Integrity, ReportBuilder
    from ehplan.verified import no_collection

    builder = ReportBuilder(library, Integrity(str(log), 0, ""), lang)
    with no_collection():
        try:
            run = _load(log, key, "no report from an edited log", builder.visit,
                        keep_entries=lambda first: first.scenario is not None or scenario_file is not None)
            builder.integrity = Integrity(str(log), run.count, run.final_hash, torn_tail=run.torn_tail,
                                          hmac_checked=key is not None)
            builder.score = _drill_score(run, library, scenario_file, lang or _run_lang(run))
            return builder.finish()
        except (FoldError, KeyError, ValueError) as exc:
            fail(f"{log}: cannot fold this log: {exc}")


@click.command(short_help="Play a run's log back on the operator's screens (read-only).")
@click.argument("log", type=click.Path(path_type=Path))
@click.option("--speed", type=click.Choice(["1", "2", "4", "8", "16", "32", "64"]), default="8", show_default=True,
              help="Playback speed to start with (+ and - change it).")
@KEY_OPTION
@PLAYBOOKS_OPTION
@DATA_OPTION
@LANG_OPTION
@HUB_OPTIONS
@click.option("--follow", is_flag=True, help="With --hub: follow the run live as its desk ships it.")
@click.pass_context
def replay(ctx: click.Context, log: Path, speed: str, key_file: Path | None, playbooks: Path | None,
           data: Path | None, lang: Lang | None, hub: str | None, desk: str | None, follow: bool) -> None:
    """Play a run back on the screens the operator saw: Space play/pause,
    arrows step, +/- speed, Home/End. The log is verified first and only read.
    With --hub, LOG is a run id (or file name) on the hub; with --follow too
    (the board's Enter), the view stays at the run's latest moment and shows
    what its desk ships next, live, read-only."""
    if follow:
        import os

        hub = hub or os.environ.get("EHPLAN_HUB")
        if not hub:
            fail("--follow needs --hub DSN")
    log = hub_log(ctx, hub, desk, log)
    from ehplan.engine.fold import FoldError
    from ehplan.library import Library

    obj = ctx.obj or {}
    lang = lang or obj.get("lang")
    key = read_key_file(key_file)
    run = _load(log, key, "no replay of an edited log")
    library = load_or_exit(playbooks or obj.get("playbooks"), data or obj.get("data"))
    assert isinstance(library, Library)
    for playbook_id, ran in run.state.playbook_versions.items():  # the screens need the exact versions that ran
        found = library.playbooks.get(playbook_id)
        if found is None:
            fail(f"{log}: playbook {playbook_id} is not among the playbooks; give --playbooks with it")
        if ran and found.content_hash != ran:
            fail(f"{log}: playbook {playbook_id} has changed since this run ({ran[:19]}…); "
                 f"give --playbooks with the version that ran (ehplan report works with any)")
    from ehplan.tui.replay import ReplayApp

    try:
        if follow and hub is not None:
            from ehplan.tui.board import LiveReplayApp

            app: ReplayApp = LiveReplayApp(library, log, run.records, dsn=hub, desk=log.parent.name, lang=lang)
        else:
            app = ReplayApp(library, log, run.records, lang=lang, speed=int(speed))
    except (FoldError, KeyError, ValueError) as exc:
        fail(f"{log}: cannot replay: {exc}")
    app.run()


def _drill_attempts(logs: Sequence[Path]) -> bool:
    """Whether any of the logs is a drill run (told from its first line): several
    logs with a drill among them are attempts to compare (the comparison
    verifies each and refuses a live run or another scenario); otherwise each
    run gets its own report."""
    from ehplan.audit.reader import first_record

    return any((first_record(log) or {}).get("mode") == "drill" for log in logs)


def _compare(ctx: click.Context, logs: Sequence[Path], key_file: Path | None, out: Path | None,
             scenario_file: Path | None, playbooks: Path | None, data: Path | None, lang: Lang | None,
             screen: bool) -> None:
    """Attempts on the same drill scenario, side by side."""
    from ehplan.drill import load_scenario
    from ehplan.engine.fold import FoldError
    from ehplan.library import Library
    from ehplan.report.compare import Attempt, compare_lines
    from ehplan.yamlpos import LoadError

    obj = ctx.obj or {}
    key = read_key_file(key_file)
    runs = [_load(log, key, "no comparison with an edited log") for log in logs]
    ids = {run.state.scenario for run in runs}
    for log, run in zip(logs, runs, strict=True):
        if run.state.mode != "drill" or not run.state.scenario:
            fail(f"{log}: not a drill; only attempts on a drill scenario are compared")
    if len(ids) != 1:
        fail("these are attempts on different scenarios (" + ", ".join(sorted(str(i) for i in ids)) + ")")
    (scenario_id,) = ids
    library = load_or_exit(playbooks or obj.get("playbooks"), data or obj.get("data"))
    assert isinstance(library, Library)
    path = scenario_file or resources.drills_dir() / f"{scenario_id}.yaml"
    try:
        scenario = load_scenario(path, library)
    except LoadError as exc:
        fail(f"cannot score the drills: {exc.problems[0]}")
    if scenario.id != scenario_id:
        fail(f"{path}: scenario {scenario.id!r} is not the one these drills ran ({scenario_id!r})")
    shown: Lang = lang or obj.get("lang") or _run_lang(runs[0])
    try:
        lines = compare_lines([Attempt(log.name, run.records) for log, run in zip(logs, runs, strict=True)],
                              scenario, library, shown)
    except (FoldError, KeyError, ValueError) as exc:
        fail(f"cannot compare these drills: {exc}")
    _emit(logs[0], lines, out, screen, shown)


def _drill_score(run: VerifiedRun, library: Library, scenario_file: Path | None, lang: Lang) -> Score | None:
    """A drill run's score, from its scenario (given, or shipped with the same id)."""
    scenario_id = run.state.scenario
    if not scenario_id and scenario_file is None:
        return None
    from ehplan.drill import load_scenario, score_run  # only for a drill: a live run's report never needs it
    from ehplan.library import Library
    from ehplan.yamlpos import LoadError

    assert isinstance(library, Library)
    path = scenario_file or resources.drills_dir() / f"{scenario_id}.yaml"
    if scenario_file is None and not path.exists():  # a drill from a scenario that did not ship
        say(f"ehplan: no score: scenario {scenario_id!r} is not among the shipped drills; "
            "give --scenario FILE", err=True)
        return None
    try:
        scenario = load_scenario(path, library)
    except LoadError as exc:
        fail(f"cannot score the drill: {exc.problems[0]}")
    if scenario_id and scenario.id != scenario_id:
        fail(f"{path}: scenario {scenario.id!r} is not the one this drill ran ({scenario_id!r})")
    try:
        return score_run(run.records, scenario, library, lang)
    except KeyError as exc:  # a timer or step the playbook no longer has
        say(f"ehplan: no score: the playbook has changed since the drill ({exc} is gone)", err=True)
        return None


def _run_lang(run: VerifiedRun) -> Lang:
    """The language the run was in, as its log says (the default for a name this version does not know)."""
    ran = run.state.lang
    return next((lang for lang in LANGS if lang == ran), DEFAULT_LANG)


def _load(log: Path, key: bytes | None, refusal: str, visit: Visit | None = None,
          keep_entries: Callable[[RunState], bool] | None = None) -> VerifiedRun:
    """The run's verified log, or its one line and exit code."""
    from ehplan.verified import LogRefused, load_verified

    try:
        return load_verified(log, key, refusal, visit, keep_entries)
    except LogRefused as refused:
        fail(refused.message, refused.code)


@click.command(short_help="Every run in the log directories, newest first, with filters.")
@click.argument("directories", nargs=-1, type=click.Path(path_type=Path))
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Runs started on or after this day.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Runs started on or before this day.")
@click.option("--playbook", default=None, help="Only runs of this playbook (its id).")
@click.option("--operator", default=None, help="Only runs by this operator.")
@click.option("--outcome", default=None, help="Only runs with this outcome (resolved, ended_early…).")
@click.option("--missed", is_flag=True, help="Only runs with a missed deadline.")
@click.option("--drills", is_flag=True, help="Include drills (left out unless asked).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run, one per line, stable keys.")
@KEY_OPTION
@DATA_OPTION
@HUB_OPTIONS
@click.pass_context
def runs(ctx: click.Context, directories: Sequence[Path], since: object, until: object, playbook: str | None,
         operator: str | None, outcome: str | None, missed: bool, drills: bool, as_json: bool,
         key_file: Path | None, data: Path | None, hub: str | None, desk: str | None) -> None:
    """Every run in the log directories (default: the app's), newest first:
    start, end or unfinished, playbook, operator, live or drill, outcome,
    deadlines met / late / missed, events and integrity. Answered from an index
    of every file's size and modification time; only changed files are read.
    With --hub: every desk's runs on the hub (or --desk's), each read back
    exactly as its desk wrote it and checked the same way."""
    import json

    from ehplan.report.runs import index_runs

    key = read_key_file(key_file)
    desks: dict[str, str] = {}
    if hub is not None:
        if directories:
            fail("give directories or --hub, not both")
        chosen, cache, desks = hub_desk_dirs(ctx, hub, desk)
    else:
        if desk is not None:
            fail("--desk needs --hub")
        live = resources.default_log_dir((ctx.obj or {}).get("log_dir"))
        chosen, cache = list(directories) or [live], None
        if drills and not directories:  # drills are logged apart (see resources.drill_log_dir)
            from ehplan.cli.drill import drill_dir

            drills_at = drill_dir(None, ctx.obj or {})
            if drills_at.is_dir() and drills_at != live:
                chosen.append(drills_at)
    with _progress("reading runs") as (on_total, advance):
        rows = index_runs(chosen, key, progress=advance, on_total=on_total, cache=cache)
    if hub is not None:  # the rows name the hub's runs, not the scratch copies they were read from
        rows = [replace(row, file=f"hub:{desks[row.file]}/{Path(row.file).name}") for row in rows]

    zone = _plan_zone(data or (ctx.obj or {}).get("data"))

    def local(ts: str) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(ts).astimezone(zone)
        except (ValueError, TypeError):
            return None

    def day(row_start: str) -> dt.date | None:
        moment = local(row_start)
        return moment.date() if moment is not None else None

    def shown_time(ts: str | None, missing: str) -> str:
        moment = local(ts) if ts else None
        return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else missing

    def wanted(row: Any) -> bool:
        started = day(row.start)
        return ((drills or row.mode != "drill")
                and (since is None or (started is not None and started >= since.date()))  # type: ignore[attr-defined]
                and (until is None or (started is not None and started <= until.date()))  # type: ignore[attr-defined]
                and (playbook is None or row.playbook == playbook)
                and (operator is None or row.operator == operator)
                and (outcome is None or row.outcome == outcome)
                and (not missed or row.missed))

    shown = [row for row in rows if wanted(row)]
    if as_json:
        for row in shown:
            click.echo(json.dumps(row.to_json(), ensure_ascii=True, sort_keys=True))
        return
    if not shown:
        where = "the hub" if hub is not None else ", ".join(str(d) for d in chosen)
        say(f"no runs ({len(rows)} in {where}, none matching)")
        return
    lines = []
    for row in shown:
        deadlines = f"✓{row.deadlines_met} ✓!{row.deadlines_late} ✗{row.deadlines_missed}"
        where = f" at seq {row.bad_seq}" if row.bad_seq is not None and row.integrity != "intact" else ""
        desk_column = f"{row.file[4:].split('/', 1)[0]:<12}  " if hub is not None else ""
        lines.append(f"{desk_column}{shown_time(row.start, '?'):<16}  {shown_time(row.end, 'unfinished'):<16}  "
                     f"{row.playbook or '?':<24}  "
                     f"{row.operator:<12}  {row.mode:<5}  {row.outcome or '-':<12}  {deadlines}  "
                     f"{row.events:>6} events  {row.integrity}{where}")
    say_lines(lines)
    offset = zone.utcoffset(None)
    say(f"{len(shown)} of {len(rows)} run(s); times are the plan's local time, UTC{_offset_text(offset)}")


@contextmanager
def _progress(what: str) -> Iterator[tuple[Callable[[int], object], Callable[[int], object]]]:
    """A progress bar on a terminal's stderr, shown once it is known that many
    files (200 or more) must be read: yields (set the total, advance by n)."""
    if not sys.stderr.isatty():
        yield (lambda _total: None), (lambda _done: None)
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=None, visible=False)

        def on_total(total: int) -> None:
            bar.update(task, total=total, visible=total >= 200)

        yield on_total, (lambda done: bar.advance(task, done))


def _plan_zone(data: Path | None) -> dt.tzinfo:
    """The plan's local time zone (data/calendar.yaml), as the report uses it;
    remembered (in the cache dir, 0600) while that file keeps its inode, size,
    modification and change time, so a listing does not load and validate the
    site's data (pydantic and all) each time only to learn an offset."""
    import json
    import os

    from ehplan.safeio import read_regular, write_private

    path = resources.data_dir(data) / "calendar.yaml"
    memo = resources.cache_dir() / "plan-zone.json"
    try:
        st = os.stat(path)
        mark = [str(path.absolute()), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    except OSError:
        mark = None
    try:
        found = json.loads(read_regular(memo, 4096))
        if mark is not None and found["calendar"] == mark and type(found["minutes"]) is int:
            return dt.timezone(dt.timedelta(minutes=found["minutes"]))
    except (OSError, ValueError, TypeError, KeyError, OverflowError):
        pass  # no memo, or not one to trust: load the calendar
    from ehplan.library import DATA_FILES, load_data_file
    from ehplan.yamlpos import LoadError

    try:
        calendar, _ = load_data_file(path, DATA_FILES["calendar.yaml"])
    except LoadError as exc:
        fail(str(exc.problems[0]))
    zone: dt.timezone = calendar.zone  # type: ignore[attr-defined]
    offset = zone.utcoffset(None)
    if mark is not None:
        try:
            memo.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_private(memo, json.dumps({"calendar": mark, "minutes": offset // dt.timedelta(minutes=1)})
                          .encode("ascii"))
        except OSError:
            pass  # best effort: the calendar is loaded again next time
    return zone


def _offset_text(offset: dt.timedelta | None) -> str:
    minutes = int((offset or dt.timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
