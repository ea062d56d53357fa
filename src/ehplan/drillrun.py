"""A drill as it runs: the director that brings the scenario's injects, forces
its outcomes and carries out the trainer's actions, and the console's channel.

The trainer's console (``ehplan drill control``, another process on the same
machine) appends one JSON object a line to the drill's *control file*, the
drill's log file with ``.control`` for ``.jsonl``, created 0600 by the drill
when it starts and removed when it ends. The drill polls it every tick and
logs each action as an event before it counts (``trainer_action``, or
``inject_delivered`` with ``by: trainer``), so the log, the debrief and the
replay show what the trainer did and when. The console reads the drill's log
(never writes it) to see that an action was carried out.

Pausing stops the drill clock (`DrillClock`): injects and deadlines are kept
in drill time, so none of them moves by the length of a pause.

No Textual here: the app's run screen and the headless tests drive the same
`Director`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ehplan.drill import Moments, Scenario, due_injects, force
from ehplan.engine import commands as cmd
from ehplan.engine import events as ev
from ehplan.engine.clock import Clock, DrillClock
from ehplan.engine.messages import Refused
from ehplan.engine.state import RunState
from ehplan.engine.timers import due_alarms
from ehplan.library import Library
from ehplan.playbook.models import text_map
from ehplan.text import Lang, duration_text, in_lang, pick

CONTROL_SUFFIX = ".control"
MAX_CONTROL_LINE = 4096
"""A console line longer than this is not read (typed text is limited far below)."""
MAX_SAY = 500
"""The longest typed inject, in characters."""


class DrillRun(Protocol):
    """What the director needs of a run (an `ehplan.session.Session` fits)."""

    @property
    def state(self) -> RunState: ...
    @property
    def records(self) -> Sequence[ev.EventRecord]: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def path(self) -> Path: ...

    def execute(self, command: cmd.Command) -> Sequence[ev.EventRecord]: ...


def control_path(log: Path) -> Path:
    """The control file beside a drill's log."""
    return log.with_suffix(CONTROL_SUFFIX)


@dataclass(frozen=True)
class Shown:
    """Something the trainee's screen must tell: an inject, a forced outcome,
    the trainer's pause, resume, advance or end."""

    kind: str
    """inject, outcome, paused, resumed, advanced, ended or error."""
    text: str


_WORDS: dict[str, tuple[str, str]] = {
    "paused": ("演練已暫停（培訓員）", "The drill is paused (trainer)"),
    "resumed": ("演練繼續", "The drill goes on"),
    "advanced": ("培訓員將演練時鐘撥快 {by}", "The trainer moved the drill clock on by {by}"),
    "ended": ("培訓員結束了演練", "The trainer ended the drill"),
    "bad_line": ("控制台送來無法讀取的指令，已略過", "The console sent something unreadable; ignored"),
    "no_inject": ("沒有此注入：{id}", "No such inject: {id}"),
    "no_pause": ("此演練的時鐘不能暫停", "This drill's clock cannot pause"),
}


def _word(key: str, lang: Lang, **params: str) -> str:
    return in_lang(_WORDS[key], lang).format(**params)


@dataclass
class Director:
    """Runs a drill's scenario on a run: injects at their moments, forced
    outcomes on the trainee's commands, the trainer's actions from the console."""

    scenario: Scenario
    library: Library
    run: DrillRun
    lang: Lang
    _offset: int = 0
    _moments: Moments = field(default_factory=Moments)

    @property
    def clock(self) -> DrillClock | None:
        """The run's drill clock, if it can pause."""
        clock = self.run.clock
        return clock if isinstance(clock, DrillClock) else None

    @property
    def paused(self) -> bool:
        return self.run.state.paused

    # --- the trainee's commands ---------------------------------------------------

    def gate(self, command: cmd.Command) -> tuple[cmd.Command, str | None]:
        """The command as the scenario's forced outcomes make it, and what to tell
        the trainee of it; raises `Refused` for what the scenario holds back."""
        state = self.run.state
        forced = force(self.scenario, self.library, state, command, self.run.clock.now(), self.lang)
        return forced.command, forced.say

    def execute(self, command: cmd.Command) -> tuple[Sequence[ev.EventRecord], str | None]:
        """A trainee's command, forced as the scenario says, then carried out."""
        forced, say = self.gate(command)
        return self.run.execute(forced), say

    # --- the clock's turn ---------------------------------------------------------

    def tick(self) -> list[Shown]:
        """One tick of the drill: the trainer's actions, then the injects due."""
        shown = self.poll_console()
        if self.run.state.ended:
            return shown
        return shown + self.deliver_due()

    def alarms(self) -> Sequence[ev.EventRecord]:
        """Warnings and expiries now due (the engine's `Tick`), as the app does each second."""
        if self.run.state.ended or not due_alarms(self.run.state, self.run.clock.now()):
            return []
        return self.run.execute(cmd.Tick())

    def elapsed(self) -> float:
        started = self.run.state.started_at
        return (self.run.clock.now() - started).total_seconds() if started is not None else 0.0

    def deliver_due(self) -> list[Shown]:
        """Log, then show, every inject whose moment has come."""
        state = self.run.state
        if state.started_at is None or state.scenario != self.scenario.id:
            return []
        shown = []
        found = self._moments.feed(self.run.records)
        for inject in due_injects(self.scenario, state, self.elapsed(), found):
            text = pick(text_map(inject.text), self.lang)
            self.run.execute(cmd.DeliverInject(inject.id, text, int(self.elapsed())))
            shown.append(Shown("inject", text))
        return shown

    # --- the trainer's actions ----------------------------------------------------

    def pause(self) -> list[Shown]:
        clock = self.clock
        if clock is None:
            return [Shown("error", _word("no_pause", self.lang))]
        if self.paused:
            return []
        clock.pause()
        self.run.execute(cmd.TrainerAction("pause"))
        return [Shown("paused", _word("paused", self.lang))]

    def resume(self) -> list[Shown]:
        clock = self.clock
        if clock is None or not self.paused:
            return []
        held = clock.paused_for()
        self.run.execute(cmd.TrainerAction("resume", paused_s=int(held)))  # logged at the drill time it stood at
        clock.resume()
        return [Shown("resumed", _word("resumed", self.lang))]

    def advance(self, seconds: int) -> list[Shown]:
        clock = self.clock
        if clock is None:
            return [Shown("error", _word("no_pause", self.lang))]
        self.run.execute(cmd.TrainerAction("advance", by_s=seconds))
        clock.advance(seconds)
        return [Shown("advanced", _word("advanced", self.lang, by=duration_text(seconds)))]

    def inject_now(self, inject_id: str | None = None, text: str | None = None) -> list[Shown]:
        """A shipped inject now (delivered once: not again at its own moment), or typed text."""
        at = int(self.elapsed())
        if inject_id is not None:
            found = next((i for i in self.scenario.injects if i.id == inject_id), None)
            if found is None:
                return [Shown("error", _word("no_inject", self.lang, id=inject_id))]
            said = pick(text_map(found.text), self.lang)
            self.run.execute(cmd.DeliverInject(found.id, said, at, by="trainer"))
            return [Shown("inject", said)]
        said = (text or "").strip()[:MAX_SAY]
        if not said:
            return []
        taken = {str(i.get("inject")) for i in self.run.state.injects}
        n = 1
        while f"trainer_{n}" in taken:
            n += 1
        self.run.execute(cmd.DeliverInject(f"trainer_{n}", said, at, by="trainer"))
        return [Shown("inject", said)]

    def end(self) -> list[Shown]:
        if self.run.state.ended:
            return []
        self.run.execute(cmd.TrainerAction("end"))
        self.run.execute(cmd.EndRun(confirm=True, trainer=True))
        self.close()
        return [Shown("ended", _word("ended", self.lang))]

    def act(self, action: dict[str, Any]) -> list[Shown]:
        """One console line's action."""
        name = action.get("action")
        try:
            if name == "pause":
                return self.pause()
            if name == "resume":
                return self.resume()
            if name == "advance" and type(action.get("by_s")) is int and 0 < action["by_s"] <= 24 * 3600:
                return self.advance(action["by_s"])
            if name == "inject" and isinstance(action.get("inject"), str):
                return self.inject_now(inject_id=action["inject"])
            if name == "inject" and isinstance(action.get("text"), str):
                return self.inject_now(text=action["text"])
            if name == "end":
                return self.end()
        except Refused as exc:
            return [Shown("error", exc.text(self.lang))]
        return [Shown("error", _word("bad_line", self.lang))]

    # --- the console's channel ----------------------------------------------------

    def open_console(self) -> Path:
        """Create the (empty, 0600) control file beside the drill's log."""
        path = control_path(self.run.path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.close(fd)
        self._offset = 0
        return path

    def poll_console(self) -> list[Shown]:
        """Carry out the lines the console appended since the last poll."""
        path = control_path(self.run.path)
        try:
            with open(path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read(64 * MAX_CONTROL_LINE)
        except OSError:
            return []
        whole = chunk[:chunk.rfind(b"\n") + 1]
        self._offset += len(whole)
        shown: list[Shown] = []
        for line in whole.splitlines():
            if self.run.state.ended:
                break
            try:
                action = json.loads(line) if len(line) <= MAX_CONTROL_LINE else None
            except ValueError:
                action = None
            shown += self.act(action) if isinstance(action, dict) else [Shown("error", _word("bad_line", self.lang))]
        return shown

    def close(self) -> None:
        """Remove the control file: the drill takes no more actions."""
        try:
            control_path(self.run.path).unlink()
        except OSError:
            pass


def send(log: Path, action: dict[str, Any]) -> None:
    """The console's side: append one action to a running drill's control file.
    Raises `FileNotFoundError` when no drill is listening there."""
    path = control_path(log)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0))
    try:
        os.write(fd, json.dumps(action, ensure_ascii=True).encode("ascii") + b"\n")
    finally:
        os.close(fd)


def running_drills(log_dir: Path) -> list[Path]:
    """The logs of the drills listening for a console in ``log_dir``, newest
    first: a control file whose drill still holds its log's lock (one left by
    an app that was killed or closed is not a running drill)."""
    if not log_dir.is_dir():
        return []
    found = [p.with_suffix(".jsonl") for p in log_dir.glob(f"*{CONTROL_SUFFIX}")]
    return sorted((p for p in found if p.is_file() and is_held(p)), key=lambda p: p.name, reverse=True)


def is_held(log: Path) -> bool:
    """Whether a process holds the log's writer lock (the drill is running)."""
    import fcntl

    try:
        fd = os.open(log, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing drops a lock taken here
    return False
