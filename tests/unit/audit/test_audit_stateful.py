"""Stateful: engine commands, crashes (optionally tearing the last line) and resumes.

The model is the list of records the live Session acknowledged. A crash closes
the log file abruptly (no clean release, the pid sidecar left behind), can cut
bytes off the end of the last line (or NUL them, as a file system that extended
the file without the data would) and then the model drops that last event too.
After `Session.resume` the file must start with exactly the model's records,
folding them must give the state the live session had (minus the dropped
event), and the log must verify at every step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ehplan.audit import AuditRecord, read_log, verify_log
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock, parse_instant
from ehplan.engine.decide import Refused
from ehplan.engine.fold import fold
from ehplan.engine.state import RunState
from ehplan.library import load_library
from ehplan.playbook.models import ChecklistStep, NotifyStep, RecordStep
from ehplan.session import Session

ROOT = Path(__file__).resolve().parents[3]
LIBRARY = load_library([ROOT / "tests/data/playbooks"], ROOT / "data")
TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY_9AM = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)

ADVANCES = st.sampled_from([0, 1, 30, 150, 170, 200, 900, 1800, 3600])


def essentials(state: RunState) -> dict[str, Any]:
    """The fields of a run's state that an operator relies on after a resume."""
    return {
        "playbook": state.playbook,
        "step": state.step,
        "path": state.path,
        "values": state.values,
        "items_done": state.items_done,
        "choices": state.choices,
        "contacts": state.contacts,
        "timers": {k: (t.due, t.warn_at, t.status, t.late) for k, t in state.timers.items()},
        "notes": state.notes,
        "overrides": state.overrides,
        "escalations": state.escalations,
        "followups": state.followups,
        "last_seq": state.last_seq,
    }


class CrashResumeMachine(RuleBasedStateMachine):
    """One run on the example playbook, crashed and resumed at random."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.clock = FakeClock(MONDAY_9AM)
        self.session: Session | None = None
        self.acked: list[AuditRecord] = []
        self.path = Path()

    @initialize()
    def start(self) -> None:
        start = c.StartRun("example", "sm-1", "op", mode="drill")
        self.session = Session.start(LIBRARY, Path(self.tmp.name), start, self.clock)
        self.path = self.session.path
        self.acked = list(self.session.records)

    def teardown(self) -> None:
        if self.session is not None:
            self.session.close()
        self.tmp.cleanup()

    # --- engine commands -----------------------------------------------------------

    def _do(self, command: c.Command) -> None:
        assert self.session is not None
        before = len(self.session.records)
        try:
            written = self.session.execute(command)
        except Refused:
            assert len(self.session.records) == before  # nothing is written for a refusal
            return
        assert self.session.records[before:] == written
        self.acked.extend(written)

    @rule()
    def continue_(self) -> None:
        self._do(c.Continue())

    @rule(item=st.sampled_from(["explain", "divert", "extra", "nope"]))
    def tick_item(self, item: str) -> None:
        self._do(c.TickItem(item))

    @rule(field_value=st.sampled_from([
        ("loss_yuan", "6000"), ("loss_yuan", "100"), ("loss_yuan", "1,200"), ("loss_yuan", "lots"),
        ("reporter_phone", "13800000000"), ("reporter_phone", "call me"), ("place", "1"),
        ("place", "2"), ("place", "9"), ("remark", "燃氣 [bold]x[/]"), ("nope", "1"),
    ]))
    def set_field(self, field_value: tuple[str, str]) -> None:
        self._do(c.SetField(*field_value))

    @rule(contact=st.sampled_from(["it_centre", "police", "nobody"]),
          outcome=st.sampled_from(["answered", "called", "no_answer", "maybe"]))
    def log_contact(self, contact: str, outcome: str) -> None:
        self._do(c.LogContact(contact, outcome))

    @rule(choice=st.sampled_from(["yes_fixed", "not_fixed", "maybe"]))
    def choose(self, choice: str) -> None:
        self._do(c.Choose(choice))

    @rule(text=st.sampled_from(["note", "第二條 \u202e\x1b[31m", " ", "x" * 300]))
    def add_note(self, text: str) -> None:
        self._do(c.AddNote(text))

    @rule(reason=st.sampled_from(["line busy", ""]))
    def override(self, reason: str) -> None:
        self._do(c.Override(reason))

    @rule(loss=st.sampled_from(["6000", "100"]))
    def do_what_the_step_asks(self, loss: str) -> None:
        """A diligent operator: tick every item, reach every contact, fill every field, go on."""
        assert self.session is not None
        state = self.session.state
        step = LIBRARY.playbook(state.playbook).step(state.step)
        if isinstance(step, ChecklistStep):
            for item in step.items:
                self._do(c.TickItem(item.id))
        elif isinstance(step, NotifyStep):
            for contact in step.notify:
                self._do(c.LogContact(contact, "answered"))
        elif isinstance(step, RecordStep):
            typed = {"number": loss, "phone": "13800000000", "choice": "1"}
            for record_field in step.fields:
                self._do(c.SetField(record_field.id, typed.get(record_field.type, "備註")))
        self._do(c.Continue())

    @rule(seconds=ADVANCES)
    def tick(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self._do(c.Tick())

    # --- crash and resume ------------------------------------------------------------

    @rule(tear=st.sampled_from(["none", "cut", "nul"]), cut=st.integers(1, 400), gap=ADVANCES)
    def crash_and_resume(self, tear: str, cut: int, gap: int) -> None:
        assert self.session is not None
        live = self.session.state
        assert fold(self.acked) == live
        writer = self.session.writer
        fd = writer._fd
        assert fd is not None
        os.close(fd)  # abrupt: no clean release, the .lock sidecar stays behind
        writer._fd = None
        self.session = None

        expected = list(self.acked)
        torn = b""
        if tear != "none" and len(expected) < 2:
            tear = "none"  # the run's first record is never a torn tail
        if tear != "none":
            raw = self.path.read_bytes()
            last = expected[-1].to_line()
            assert raw.endswith(last)
            cut = min(cut, len(last))  # cutting the whole line is a write that never happened
            kept = raw[: len(raw) - cut]
            torn = last[: len(last) - cut]
            if tear == "nul":
                kept += b"\0" * cut
                torn = last[: len(last) - cut] + b"\0" * cut
            self.path.write_bytes(kept)
            expected = expected[:-1]  # the torn event was never durable: the model drops it
            result = verify_log(self.path)
            assert result.ok == (not torn) and result.torn_tail == bool(torn)
        event(f"crashed on {live.playbook}/{live.step}")
        event(f"crash: tear={tear if torn or tear == 'none' else 'whole line'}")
        want = fold(expected)
        if expected == self.acked:
            assert essentials(want) == essentials(live)

        self.clock.advance(gap)
        self.session = Session.resume(LIBRARY, self.path, self.clock)
        records = self.session.records
        # the file starts with exactly the records the model kept
        assert records[: len(expected)] == expected
        resumed_prefix = fold(records[: len(expected)])
        assert resumed_prefix == want
        assert essentials(resumed_prefix) == essentials(want)
        # then the resume's own events: recovered (if bytes were set aside), run_resumed, alarms
        new = records[len(expected):]
        types = [r.type for r in new]
        if torn:
            assert types[0] == "recovered"
            assert new[0].data["bytes"] == len(torn)
            assert new[0].data["sha256"] == hashlib.sha256(torn).hexdigest()
            types = types[1:]
        assert types[0] == "run_resumed"
        # the gap runs from the last kept event to the resume, whatever was set aside
        gap_s = int((self.clock.now() - parse_instant(want.last_ts)).total_seconds())
        assert new[len(new) - len(types)].data["gap_s"] == gap_s
        # Resume may also finish a command the crash cut short (its step entry, timers, follow-ups).
        assert set(types[1:]) <= {"timer_warned", "timer_expired", "escalation_raised", "step_entered",
                                  "timer_started", "timer_met", "followup_scheduled"}
        # an intact crash changes nothing the operator relied on, except what the resume tick did
        event(f"resume wrote {'alarms' if types[1:] else 'no alarms'}")
        if not types[1:]:
            base = essentials(want)
            assert essentials(self.session.state) == {**base, "last_seq": records[-1].seq}
        self.acked = list(records)

    # --- always -----------------------------------------------------------------------

    @invariant()
    def log_verifies_and_state_is_its_fold(self) -> None:
        if self.session is None:
            return
        result = verify_log(self.path)
        assert result.ok, result
        on_disk, damage = read_log(self.path)
        assert damage is None
        assert on_disk == self.acked == self.session.records
        assert self.session.state == fold(on_disk)


CrashResumeMachine.TestCase.settings = settings(
    max_examples=50, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_crash_resume = CrashResumeMachine.TestCase


def test_resume_after_start_torn_before_its_first_step(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY_9AM)
    session = Session.start(LIBRARY, tmp_path, c.StartRun("example", "sm-2", "op", mode="drill"), clock)
    session.close()
    raw = session.path.read_bytes()
    assert session.records[-1].type == "step_entered"
    session.path.write_bytes(raw[:-1])  # the last line of the start is torn
    resumed = Session.resume(LIBRARY, session.path, clock)
    try:
        assert verify_log(resumed.path).ok
        assert resumed.state.step == "greet"  # resume entered the step the crash cut off
        assert resumed.state.path[-1].via == "resume"
        resumed.execute(c.Continue())
        assert resumed.state.step == "checks"
    finally:
        resumed.close()
