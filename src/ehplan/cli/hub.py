"""The hub's commands: `ehplan hub init|add-desk|add-reader|export|serve`,
`ehplan sync` (ship this desk's logs) and `ehplan board` (the supervisor's
live board). The hub's address (DSN) is a libpq connection string or URI."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from ehplan import resources
from ehplan.cli.common import DATA_OPTION, LANG_OPTION, PLAYBOOKS_OPTION, fail, load_or_exit, read_key_file
from ehplan.terminal import EXIT_ERROR, EXIT_OK, EXIT_WARN, say
from ehplan.text import Lang


def hub_dsn(given: str | None) -> str:
    """--hub, else $EHPLAN_HUB, else the settings' "hub"; one line and exit 2 if none."""
    from ehplan.settings import load_settings

    chosen = given or os.environ.get("EHPLAN_HUB") or load_settings().get("hub")
    if not isinstance(chosen, str) or not chosen:
        fail("no hub: give --hub DSN (or set EHPLAN_HUB, or \"hub\" in the settings)")
    return chosen


def hub_call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call into ehplan.hub, turning its HubError into one line and exit 2."""
    from ehplan.hub.db import HubError

    try:
        return function(*args, **kwargs)
    except HubError as exc:
        fail(str(exc))


HUB_OPTION = click.option("--hub", "hub", metavar="DSN", default=None,
                          help="The hub's PostgreSQL (default: $EHPLAN_HUB or the settings' \"hub\").")


@click.group(short_help="The department's hub: set it up, add desks, export runs.")
def hub() -> None:
    """The department's hub, a PostgreSQL database that every desk ships its
    logs to and boards and auditors read."""


@hub.command("init", short_help="Create the hub's tables, checks and roles in a database.")
@click.argument("dsn")
def init(dsn: str) -> None:
    """Apply the hub's migrations to the database at DSN (in order, each
    recorded; applying again does nothing), as its owner."""
    from ehplan.hub.db import migrate

    applied = hub_call(migrate, dsn)
    if applied:
        for migration in applied:
            say(f"applied migration {migration.version:04d}_{migration.name}")
    else:
        say("the hub is up to date")


@hub.command("add-desk", short_help="Make a desk's login to the hub and print it.")
@click.argument("name")
@HUB_OPTION
@click.option("--place", default="", help="Where the desk is (a hall, a hotline seat), shown on the board.")
@click.option("--key", "key_file", type=click.Path(path_type=Path), default=None,
              help="The desk's HMAC key file, if its logs are keyed: the hub then checks them with it.")
def add_desk(name: str, hub: str | None, place: str, key_file: Path | None) -> None:
    """Make the login role of desk NAME (it may only add records of its own
    desk) and print its credentials once: put the DSN in that desk's settings
    as "hub", or give it to `ehplan sync --hub`."""
    from ehplan.hub.db import add_desk as make

    made = hub_call(make, hub_dsn(hub), name, place, read_key_file(key_file))
    _print_credentials(made)


@hub.command("add-reader", short_help="Make a read-only login (a board, an auditor) and print it.")
@click.argument("name")
@HUB_OPTION
def add_reader(name: str, hub: str | None) -> None:
    """Make a read-only login role NAME for a board or an auditor and print its credentials once."""
    from ehplan.hub.db import add_reader as make

    _print_credentials(hub_call(make, hub_dsn(hub), name))


def _print_credentials(made: Any) -> None:
    say(f"role:     {made.role}")
    say(f"password: {made.password}")
    say(f"dsn:      {made.dsn}")
    say("(shown once; the hub keeps only its hash)", err=True)


@hub.command("export", short_help="Write runs' log files back out from the hub, byte-identical.")
@click.argument("runs", nargs=-1, required=True)
@HUB_OPTION
@click.option("--desk", default=None, help="The desk, when the run id is on several.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Directory to write the files into (never over an existing file).")
def export(runs: tuple[str, ...], hub: str | None, desk: str | None, out: Path) -> None:
    """Write each RUN's log file (by run id or file name) into --out exactly as
    the desk wrote it, as far as it was shipped: `ehplan verify` and the
    standalone verifier apply to it. Export consecutive runs together to
    check their previous-run links."""
    from ehplan.hub.fetch import HubReader

    reader = hub_call(HubReader, hub_dsn(hub))
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        for run in runs:
            found = hub_call(reader.find, run, desk)
            try:
                path = hub_call(reader.export, found, out)
            except OSError as exc:
                fail(f"cannot write {out / found.file}: {exc.strerror or exc}")
            say(f"{found.desk}: {path} ({found.last_seq + 1} records{'' if found.ended else ', unfinished'})")
    finally:
        reader.close()


@hub.command("serve", short_help="Run an embedded PostgreSQL hub in a directory (one site, a demo).")
@click.argument("directory", type=click.Path(path_type=Path))
def serve(directory: Path) -> None:
    """Start a PostgreSQL server (pgserver's) with its data in DIRECTORY, make
    it a hub (migrations applied), print its DSN and keep it running until
    Ctrl+C. It listens on a Unix socket in DIRECTORY only: for desks on other
    machines, use a department PostgreSQL server (docs/hub.md)."""
    import signal

    from ehplan.hub.db import migrate
    from ehplan.hub.server import start_embedded

    server = hub_call(start_embedded, directory)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # a `kill` stops the server as Ctrl+C does

    signal.signal(signal.SIGTERM, stop)
    try:
        hub_call(migrate, server.dsn)
        say(f"hub running: {server.dsn}")
        say("add desks with: ehplan hub add-desk NAME --hub '<dsn>'; Ctrl+C stops it", err=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        say("hub stopped", err=True)


@click.command(short_help="Ship this desk's run logs to the hub.")
@HUB_OPTION
@click.option("--once", is_flag=True, help="Ship everything now, print a summary and exit.")
@click.pass_context
def sync(ctx: click.Context, hub: str | None, once: bool) -> None:
    """Ship what the log directory holds beyond what the hub acknowledged, run
    by run, in order. With --once: everything, then a summary (exit 0 when the
    hub has it all, 1 when it refused a run, 2 when it cannot be reached).
    Without: keep shipping, saying when the state changes, until Ctrl+C."""
    from ehplan.hub.db import HubError, HubUnreachable
    from ehplan.hub.ship import Shipper

    log_dir = resources.default_log_dir((ctx.obj or {}).get("log_dir"))
    shipper = Shipper(hub_dsn(hub), log_dir)
    if once:
        try:
            summary = shipper.ship_once()
        except HubUnreachable as exc:
            fail(f"{exc}; {shipper.status().waiting} record(s) waiting in {log_dir}")
        except HubError as exc:
            fail(str(exc))
        for line in summary.refused:
            say(f"refused: {line}", err=True)
        say(f"shipped {summary.shipped} record(s) of {summary.runs} run(s); {summary.known} run(s) in {log_dir}; "
            f"{shipper.status().text()}")
        sys.exit(EXIT_WARN if summary.refused else EXIT_OK)
    shipper.start()
    shown = ""
    try:
        while True:
            status = shipper.status()
            text = status.text() + (f": {status.detail}" if status.detail and status.state != "synced" else "")
            if text != shown:
                say(f"{time.strftime('%H:%M:%S')} {text}")
                shown = text
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        shipper.stop()
    sys.exit(EXIT_OK if shipper.status().state == "synced" else EXIT_ERROR)


def _scratch(ctx: click.Context) -> Path:
    """A private directory removed when the command ends: where runs read from the hub are put."""
    import shutil
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="ehplan-hub-"))
    ctx.call_on_close(lambda: shutil.rmtree(directory, ignore_errors=True))
    return directory


def hub_log(ctx: click.Context, hub: str | None, desk: str | None, log: Path) -> Path:
    """Without --hub, LOG as given. With it, LOG names a run on the hub: its file
    (and the run file its first line links to) is written back out, byte for
    byte, into a scratch directory, and that file is what the command reads,
    so it goes through exactly the code a desk's own file does."""
    if hub is None:
        if desk is not None:
            fail("--desk needs --hub")
        return log
    from ehplan.hub.fetch import HubReader

    reader = hub_call(HubReader, hub)
    try:
        found = hub_call(reader.find, str(log), desk)
        directory = _scratch(ctx) / found.desk
        directory.mkdir(mode=0o700)
        return Path(hub_call(reader.export, found, directory, previous=True))
    finally:
        reader.close()


def hub_desk_dirs(ctx: click.Context, hub: str, desk: str | None) -> tuple[list[Path], Path, dict[str, str]]:
    """Every run on the hub (of --desk, if given) written back out into one
    scratch directory per desk: (the directories, a scratch index cache, and
    each file's desk by its scratch path)."""
    from ehplan.hub.fetch import HubReader

    scratch = _scratch(ctx)
    desks: dict[str, str] = {}
    directories: dict[str, Path] = {}
    reader = hub_call(HubReader, hub)
    try:
        for run in hub_call(reader.runs, desk):
            directory = directories.get(run.desk)
            if directory is None:
                directory = directories[run.desk] = scratch / run.desk
                directory.mkdir(mode=0o700)
            path = hub_call(reader.export, run, directory)
            desks[str(path.absolute())] = run.desk
    finally:
        reader.close()
    return list(directories.values()), scratch / "runs-index.json", desks


@click.command(short_help="The supervisor's live board of every desk's open incidents.")
@HUB_OPTION
@PLAYBOOKS_OPTION
@DATA_OPTION
@LANG_OPTION
@click.pass_context
def board(ctx: click.Context, hub: str | None, playbooks: Path | None, data: Path | None,
          lang: Lang | None) -> None:
    """Every open incident of every desk, live: desk, hall or seat, playbook,
    operator, elapsed, the next deadline counting down (⚠ due soon, ‼ OVERDUE),
    calls made; the bell on a new incident and on an expiry; the incidents
    closed today below. Give it a reader's login (`ehplan hub add-reader`)."""
    from ehplan.cli.logs import _plan_zone
    from ehplan.library import Library
    from ehplan.text import DEFAULT_LANG

    obj = ctx.obj or {}
    dsn = hub_dsn(hub)
    zone = _plan_zone(data or obj.get("data"))
    library = load_or_exit(playbooks or obj.get("playbooks"), data or obj.get("data"))
    assert isinstance(library, Library)
    from ehplan.tui.board import BoardApp

    options = []
    for flag, value in (("--playbooks", playbooks or obj.get("playbooks")), ("--data", data or obj.get("data"))):
        if value:
            options += [flag, str(Path(value).absolute())]
    BoardApp(dsn, zone=zone, lang=lang or obj.get("lang") or DEFAULT_LANG, library=library,
             replay_options=tuple(options)).run()
