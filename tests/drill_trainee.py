"""A scripted trainee: plays a drill scenario headlessly on a real, durable run
(`Session`, a `DrillClock` over a fake clock, the `Director` the app uses),
line by line from a play file (tests/data/drill_plays/<scenario>.yaml):

    next                     finish the step (Continue)
    choose CHOICE            answer the decision
    tick ITEM [ITEM…]        tick checklist items
    set FIELD VALUE…         fill in a field
    call CONTACT [OUTCOME]   log a call (answered unless said); forced outcomes apply
    refused next|…           the scenario must hold the command back (e.g. IT not there yet)
    wait DURATION            let drill time pass, second by second, as the app does
    talk DURATION            let real time pass (a discussion while paused), ticking as the app does
    skip REASON…             skip the step with a reason
    end                      end the run (accepting what is open)
    pause / resume / advance DURATION / inject ID / say TEXT / trainer-end
                             the trainer's console, through the control file
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ehplan.drill import DrillRefused, Scenario, start_instant
from ehplan.drillrun import Director, Shown, send
from ehplan.engine import commands as c
from ehplan.engine.clock import DrillClock, FakeClock
from ehplan.engine.decide import NeedsConfirmation
from ehplan.engine.messages import Refused
from ehplan.library import Library
from ehplan.playbook.duration import parse_duration
from ehplan.session import Session

REAL_START = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@dataclass
class Played:
    """What a play came to."""

    session: Session
    director: Director
    base: FakeClock
    shown: list[Shown] = field(default_factory=list)
    said: list[str] = field(default_factory=list)


def play(scenario: Scenario, library: Library, log_dir: Path, lines: list[str], lang: str = "en",
         run_id: str = "drill-run", trainee: str = "Trainee") -> Played:
    """Play ``lines`` on a new drill run of ``scenario``; the session is closed after."""
    base = FakeClock(REAL_START)
    clock = DrillClock(base, scenario.clock_scale, epoch=start_instant(scenario, library))
    start = c.StartRun(scenario.playbook, run_id, trainee, "drill", lang, scenario.clock_scale, scenario.id)
    session = Session.start(library, log_dir, start, clock)
    director = Director(scenario, library, session, lang)  # type: ignore[arg-type]
    director.open_console()
    played = Played(session, director, base)
    try:
        for number, line in enumerate(lines, 1):
            try:
                _line(played, line)
            except (Refused, NeedsConfirmation, AssertionError) as exc:
                state = session.state
                raise AssertionError(f"line {number} {line!r} at step {state.step!r} "
                                     f"(drill {director.elapsed():.0f}s): {exc}") from exc
    finally:
        session.close()
    return played


def _command(played: Played, command: c.Command) -> None:
    _records, say = played.director.execute(command)
    if say:
        played.said.append(say)


def _wait(played: Played, seconds: float) -> None:
    """Drill time passes as in the app: one real second a tick, alarms then the director."""
    scale = played.director.scenario.clock_scale
    left = seconds / scale
    while left > 1e-9:
        step = min(1.0, left)
        played.base.advance(step)
        left -= step
        played.director.alarms()
        played.shown += played.director.tick()


def _line(played: Played, line: str) -> None:
    words = shlex.split(line)
    verb, rest = words[0], words[1:]
    director = played.director
    if verb == "next":
        _command(played, c.Continue())
    elif verb == "choose":
        _command(played, c.Choose(rest[0]))
    elif verb == "tick":
        for item in rest:
            _command(played, c.TickItem(item))
    elif verb == "set":
        _command(played, c.SetField(rest[0], " ".join(rest[1:])))
    elif verb == "call":
        _command(played, c.LogContact(rest[0], rest[1] if len(rest) > 1 else "answered"))
    elif verb == "refused":
        try:
            _line(played, " ".join(rest))
        except DrillRefused as exc:
            played.said.append(exc.text("en"))
            return
        raise AssertionError(f"{' '.join(rest)!r} was not refused")
    elif verb == "wait":
        _wait(played, parse_duration(rest[0]))
    elif verb == "talk":
        for _ in range(int(parse_duration(rest[0])) // 10):  # ten real seconds a tick is enough here
            played.base.advance(10)
            played.director.alarms()
            played.shown += played.director.tick()
    elif verb == "skip":
        _command(played, c.Override(" ".join(rest)))
    elif verb == "end":
        _command(played, c.EndRun(confirm=True))
    elif verb in ("pause", "resume", "trainer-end"):
        send(played.session.path, {"action": verb.removeprefix("trainer-")})
        played.shown += director.tick()
    elif verb == "advance":
        send(played.session.path, {"action": "advance", "by_s": int(parse_duration(rest[0]))})
        played.shown += director.tick()
    elif verb == "inject":
        send(played.session.path, {"action": "inject", "inject": rest[0]})
        played.shown += director.tick()
    elif verb == "say":
        send(played.session.path, {"action": "inject", "text": " ".join(rest)})
        played.shown += director.tick()
    else:
        raise AssertionError(f"not a play line: {line!r}")
    played.director.alarms()  # a command can start a timer already due; the app ticks right after
