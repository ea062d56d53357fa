"""The trainer's console: ``ehplan drill control``, in a second terminal on the
machine where a drill is running. Each action goes to the drill's control file
(see ehplan.drillrun); the drill carries it out and logs it, and the console
reads the log to say it was done."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import Any

import click

from ehplan.cli.common import fail
from ehplan.terminal import EXIT_WARN, say

ANSWER_WITHIN_S = 5.0
"""How long the console waits for the drill to log an action (it polls each second)."""


def _find(run: str | None, log_dir: Path | None, obj: dict[str, Any]) -> Path:
    """The running drill's log: ``--run`` (a log file or a run id), else the only
    drill listening in the drills directory."""
    from ehplan.cli.drill import drill_dir
    from ehplan.drillrun import control_path, is_held, running_drills

    directory = drill_dir(log_dir, obj)
    if run is not None:
        path = Path(run)
        if not path.suffix == ".jsonl":
            matches = [p for p in running_drills(directory) if run in p.stem]
            if len(matches) != 1:
                fail(f"no single running drill matches {run!r} in {directory}")
            path = matches[0]
        if not control_path(path).exists() or not is_held(path):
            fail(f"{path}: no drill is running on this log (it has ended, or it is not a drill)")
        return path
    found = running_drills(directory)
    if not found:
        fail(f"no drill is running in {directory} (start one with 'ehplan drill SCENARIO')")
    if len(found) > 1:
        fail(f"{len(found)} drills are running in {directory}; choose one with --run: "
             + ", ".join(p.stem for p in found))
    return found[0]


def _records(log: Path) -> list[Any]:
    from ehplan.audit import read_log

    records, _damage = read_log(log)
    return list(records)


def _status(log: Path) -> str:
    """One line: the drill, its drill time as last logged, paused or running, injects."""
    from ehplan.engine.fold import fold
    from ehplan.text import duration_text

    records = _records(log)
    state = fold(records)
    elapsed = (records[-1].ts and state.started_at and
               (_instant(records[-1].ts) - state.started_at).total_seconds()) or 0
    mode = "PAUSED" if state.paused else "ended" if state.ended else "running"
    return (f"{log.stem}: drill {state.scenario or '?'} ({state.operator}), {mode}, "
            f"drill time {duration_text(elapsed)} at its last event (seq {state.last_seq}), "
            f"{len(state.injects)} inject(s) delivered, step {state.step}")


def _instant(ts: str) -> Any:
    from ehplan.engine.clock import parse_instant

    return parse_instant(ts)


def _act(log: Path, action: dict[str, Any]) -> None:
    """Send one action and wait for the drill to log it; say what it logged."""
    from ehplan.drillrun import send
    from ehplan.text import duration_text

    before = len(_records(log))
    try:
        send(log, action)
    except FileNotFoundError:
        fail(f"{log}: the drill is no longer running")
    except OSError as exc:
        fail(f"{log}: cannot reach the drill: {exc.strerror or exc}")
    deadline = time.monotonic() + ANSWER_WITHIN_S
    while time.monotonic() < deadline:
        time.sleep(0.1)
        records = _records(log)
        done = [r for r in records[before:] if r.type == "trainer_action"
                or (r.type == "inject_delivered" and r.data.get("by") == "trainer")]
        if done:
            from ehplan.engine.fold import fold

            state = fold(records)
            started = state.started_at
            for record in done:
                at = duration_text((_instant(record.ts) - started).total_seconds()) if started else "?"
                what = record.data.get("action") or f"inject {record.data.get('inject')}"
                say(f"{what} at drill time {at} (seq {record.seq})")
            return
    say(f"ehplan: the drill has not logged the action within {ANSWER_WITHIN_S:.0f} s "
        "(it acts on it once its screen is running again)", err=True)
    sys.exit(EXIT_WARN)


def _duration(text: str) -> int:
    from ehplan.playbook.duration import parse_duration

    try:
        return int(parse_duration(text))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _line_action(line: str) -> dict[str, Any] | None:
    """An interactive console line as an action (None: not one)."""
    words = shlex.split(line) if line.count('"') % 2 == 0 else line.split()
    if not words:
        return None
    verb, rest = words[0].lower(), words[1:]
    if verb in ("pause", "resume", "end") and not rest:
        return {"action": verb}
    if verb == "advance" and len(rest) == 1:
        return {"action": "advance", "by_s": _duration(rest[0])}
    if verb == "inject" and len(rest) == 1:
        return {"action": "inject", "inject": rest[0]}
    if verb == "say" and rest:
        return {"action": "inject", "text": " ".join(rest)}
    return None


CONSOLE_HELP = ("pause | resume | advance 5m | inject ID | say TEXT | end | status | injects | quit")


@click.group(invoke_without_command=True, short_help="The trainer's console for a running drill.")
@click.option("--run", default=None, help="The drill's log file or run id (default: the only one running).")
@click.option("--log-dir", "log_dir", type=click.Path(path_type=Path), default=None,
              help="Where the drill logs (default: the drills directory).")
@click.pass_context
def control(ctx: click.Context, run: str | None, log_dir: Path | None) -> None:
    """The trainer's console for a drill running on this machine: pause and
    resume it (the drill clock stops; injects and deadlines keep their drill
    times), advance its clock, send an inject now, end it. Every action is
    logged in the drill's log. Without a command, read commands line by line:
    pause, resume, advance 5m, inject ID, say TEXT, end, status, injects, quit."""
    obj = (ctx.find_root().obj or {})
    ctx.obj = {"find": lambda: _find(run, log_dir, obj)}
    if ctx.invoked_subcommand is not None:
        return
    log = _find(run, log_dir, obj)
    say(_status(log))
    say(f"commands: {CONSOLE_HELP}")
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            click.echo("trainer> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            return
        word = line.strip().lower()
        if word in ("quit", "exit", "q"):
            return
        if word == "status":
            say(_status(log))
            continue
        if word == "injects":
            for line_out in _inject_lines(log):
                say(line_out)
            continue
        try:
            action = _line_action(line)
        except click.BadParameter as exc:
            say(f"ehplan: {exc.message}", err=True)
            continue
        if action is None:
            say(f"ehplan: not a console command: {line.strip()!r}; {CONSOLE_HELP}", err=True)
            continue
        _act(log, action)
        if action["action"] == "end":
            return


def _inject_lines(log: Path) -> list[str]:
    """The scenario's injects, each with when it comes and whether it came."""
    from ehplan.drill import load_scenario
    from ehplan.engine.fold import fold
    from ehplan.library import load_library
    from ehplan.resources import data_dir, drills_dir, playbooks_dir
    from ehplan.yamlpos import LoadError

    state = fold(_records(log))
    delivered = {str(i.get("inject")) for i in state.injects}
    try:
        library = load_library([playbooks_dir()], data_dir())
        scenario = load_scenario(drills_dir() / f"{state.scenario}.yaml", library)
    except (LoadError, OSError):
        return [f"  {i}" for i in sorted(delivered)] or ["  (no shipped scenario to list)"]
    out = []
    from ehplan.text import duration_text

    for inject in scenario.injects:
        moment = (f"at {duration_text(inject.at)}" if inject.at is not None else
                  f"when {inject.when.model_dump(exclude_none=True)}" if inject.when is not None else
                  f"when timer {inject.timer.id} {inject.timer.event}" if inject.timer is not None else "")
        out.append(f"  {'✓' if inject.id in delivered else ' '} {inject.id:<20} {moment}")
    return out


def _send_from(ctx: click.Context, action: dict[str, Any]) -> None:
    _act(ctx.obj["find"](), action)


@control.command(short_help="Say where the drill is.")
@click.pass_context
def status(ctx: click.Context) -> None:
    """The drill's state as its log last shows it."""
    say(_status(ctx.obj["find"]()))


@control.command(short_help="Stop the drill clock (the trainee's screen says PAUSED).")
@click.pass_context
def pause(ctx: click.Context) -> None:
    """Stop the drill clock for a discussion: nothing moves until resume."""
    _send_from(ctx, {"action": "pause"})


@control.command(short_help="Let the drill clock run again from where it stood.")
@click.pass_context
def resume(ctx: click.Context) -> None:
    """Let the drill clock run again; no inject or deadline has moved."""
    _send_from(ctx, {"action": "resume"})


@control.command(short_help="Move the drill clock on, e.g. advance 5m.")
@click.argument("duration")
@click.pass_context
def advance(ctx: click.Context, duration: str) -> None:
    """Move the drill clock on by DURATION (30s, 5m, 1h): what falls due in
    that time falls due now."""
    _send_from(ctx, {"action": "advance", "by_s": _duration(duration)})


@control.command(short_help="Send an inject now: a scenario's one by ID, or --text.")
@click.argument("inject_id", required=False)
@click.option("--text", default=None, help="Typed text to send instead of a scenario's inject.")
@click.pass_context
def inject(ctx: click.Context, inject_id: str | None, text: str | None) -> None:
    """Send the scenario's inject INJECT_ID now (it does not come again at its
    own moment), or typed --text."""
    if (inject_id is None) == (text is None):
        fail("give an inject's id or --text, not both")
    _send_from(ctx, {"action": "inject", "inject": inject_id} if inject_id else {"action": "inject", "text": text})


@control.command(short_help="End the drill now (the trainee sees the score).")
@click.pass_context
def end(ctx: click.Context) -> None:
    """End the drill now; what was still open is listed as open."""
    _send_from(ctx, {"action": "end"})
