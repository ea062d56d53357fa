"""The fixture runs the report's golden files are made from: real logs written
by `Session` on a fake clock (a machine in UTC, the plan in UTC+8), so each is
the same every time. Each function writes its run into ``log_dir``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.library import Library
from ehplan.session import Session

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in the plan's zone
ROOT = Path(__file__).resolve().parents[3]
PLAYBOOKS = str(ROOT / "tests/data/playbooks")
SCENARIO = str(ROOT / "tests/data/drills/example_drill.yaml")


def _start(library: Library, log_dir: Path, run_id: str, *, mode: str = "live", scenario: str | None = None,
           lang: str = "en") -> tuple[Session, FakeClock]:
    clock = FakeClock(T0)
    scale = 10 if mode == "drill" else 1
    return Session.start(library, log_dir, c.StartRun("example", run_id, "Ann", mode, lang, scale, scenario),
                         clock), clock


def _to_record(session: Session, clock: FakeClock) -> None:
    session.execute(c.Continue())
    clock.advance(20)
    session.execute(c.TickItem("explain"))
    session.execute(c.TickItem("divert"))
    session.execute(c.Continue())
    clock.advance(30)
    session.execute(c.LogContact("it_centre", "answered"))
    session.execute(c.Continue())


def clean(library: Library, log_dir: Path) -> Path:
    """Everything on time, in order, to the end step."""
    session, clock = _start(library, log_dir, "clean-1")
    _to_record(session, clock)
    for field, value in (("loss_yuan", "100"), ("reporter_phone", "110"), ("place", "1")):
        session.execute(c.SetField(field, value))
    session.execute(c.Continue())
    clock.advance(60)
    session.execute(c.Choose("yes_fixed"))
    session.execute(c.EndRun())
    session.close()
    return session.path


def missed_and_override(library: Library, log_dir: Path) -> Path:
    """The 3-minute report missed and met late, the repair limit escalated, a step skipped with a reason."""
    session, clock = _start(library, log_dir, "missed-1")
    session.execute(c.Continue())
    session.execute(c.TickItem("explain"))
    session.execute(c.TickItem("divert"))
    session.execute(c.Continue())
    clock.advance(200)
    session.execute(c.Tick())
    session.execute(c.LogContact("it_centre", "no_answer"))
    session.execute(c.Override("IT line busy | try later ](javascript:alert(1)) <script>alert(1)</script>"))
    session.execute(c.AddNote("first line\nsecond line <b>bold</b> | pipe"))
    clock.advance(1700)
    session.execute(c.Tick())
    session.execute(c.LogContact("it_centre", "called"))
    session.execute(c.EndRun(confirm=True))
    session.close()
    return session.path


def resumed(library: Library, log_dir: Path) -> Path:
    """A run the app lost mid-way (closed without ending) and resumed two minutes later."""
    session, clock = _start(library, log_dir, "resumed-1")
    session.execute(c.Continue())
    session.execute(c.TickItem("explain"))
    session.close()
    clock.advance(120)
    session = Session.resume(library, session.path, clock)
    session.execute(c.TickItem("divert"))
    session.execute(c.Continue())
    session.execute(c.LogContact("it_centre", "answered"))
    session.execute(c.EndRun(confirm=True))
    session.close()
    return session.path


def corrected(library: Library, log_dir: Path) -> Path:
    """A value corrected after the run branched on it (the police call the new value would skip)."""
    session, clock = _start(library, log_dir, "corrected-1")
    _to_record(session, clock)
    for field, value in (("loss_yuan", "9000"), ("reporter_phone", "110"), ("place", "2")):
        session.execute(c.SetField(field, value))
    session.execute(c.Continue())  # over 5000 yuan: to the police
    session.execute(c.SetField("loss_yuan", "900"))
    session.execute(c.LogContact("police", "called"))
    session.execute(c.Continue())
    session.execute(c.Choose("yes_fixed"))
    session.execute(c.EndRun())
    session.close()
    return session.path


def drill(library: Library, log_dir: Path) -> Path:
    """The example drill on a ×10 clock, one expectation late, one inject delivered."""
    session, clock = _start(library, log_dir, "drill-1", mode="drill", scenario="example_drill")
    session.execute(c.Continue())
    clock.advance(8)  # 80 s of drill time
    session.execute(c.DeliverInject("queue", {"en": "Customers [bold]queue[/bold] up.", "zh-Hant": "客戶開始排長隊。"},
                                    60))
    session.execute(c.TickItem("explain"))
    session.execute(c.TickItem("divert"))
    session.execute(c.Continue())
    session.execute(c.LogContact("it_centre", "answered"))
    session.execute(c.Continue())
    for field, value in (("loss_yuan", "100"), ("reporter_phone", "110"), ("place", "1")):
        session.execute(c.SetField(field, value))
    session.execute(c.Continue())
    session.execute(c.Choose("yes_fixed"))
    session.execute(c.EndRun())
    session.close()
    return session.path


RUNS: dict[str, Callable[[Library, Path], Path]] = {
    "clean": clean, "missed": missed_and_override, "resumed": resumed, "corrected": corrected, "drill": drill}
