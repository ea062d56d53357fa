"""What the operator sees, frozen: fixed terminal sizes, the frozen clock, a
fixed run id, no cursor blink, a log path without the temp dir. Each class is
one feature; its docstring says what the image must show."""

from __future__ import annotations

from pathlib import Path

import pytest

import ehplan.tui.app
import ehplan.tui.screens.summary
from ehplan.engine import commands as cmd
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.screens.summary import SummaryScreen
from ehplan.tui.widgets.notices import Notices

WIDE, SMALL = (100, 30), (80, 24)

TO_CALL_IT = (cmd.Continue(), cmd.TickItem("explain"), cmd.TickItem("divert"), cmd.Continue())
TO_AMOUNT = (*TO_CALL_IT, cmd.LogContact("it_centre", "answered"), cmd.Continue())
TO_FIXED = (*TO_AMOUNT, cmd.SetField("loss_yuan", "100"), cmd.SetField("reporter_phone", "110"),
            cmd.SetField("place", "1"), cmd.Continue())


def run_to(*commands: cmd.Command, playbook: str = "example"):  # type: ignore[no-untyped-def]
    """A run_before that starts ``playbook`` and carries out ``commands``."""

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await pilot.pause()
        app.start_run(playbook)
        await pilot.pause()
        for command in commands:
            app.session.execute(command)
        assert isinstance(app.screen, RunScreen)
        app.screen.render_state()
        await pilot.pause()

    return before


@pytest.fixture
def stable_log_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary shows the log file as ``<log dir>/<name>``, not the temp dir."""

    def summary_screen(summary, lang, log_path, final_hash, **kw):  # type: ignore[no-untyped-def]
        return SummaryScreen(summary, lang, f"<log dir>/{Path(log_path).name}", final_hash, **kw)

    monkeypatch.setattr(ehplan.tui.screens.summary, "SummaryScreen", summary_screen)


class TestPicker:
    """The picker: title bar, the filter box with its placeholder (or the typed
    filter), playbooks grouped under category headings with [F5]–[F8] on the
    emergency-call ones, the first match highlighted, and its summary and
    definition (with the plan section) on the right; the footer lists keys."""

    @pytest.mark.parametrize("lang", ["zh-Hant", "en"])
    def test_all_playbooks(self, snap_compare, make_app, shipped_library, tmp_path, lang):
        assert snap_compare(make_app(tmp_path, library=shipped_library, lang=lang), terminal_size=WIDE)

    def test_filtered_hotline_small(self, snap_compare, make_app, shipped_library, tmp_path):
        assert snap_compare(make_app(tmp_path, library=shipped_library), press=["熱", "線"],
                            terminal_size=SMALL)


class TestScriptStep:
    """An action step with a script: header (playbook, elapsed 00:00, LIVE
    badge, operator Ann, run id 20261130-0900-test), the step title and its
    plan section, the script in a double-bordered box titled "read to the
    caller", the Continue button; on the right two running countdowns
    (3 min, 30 min) with full bars; the path line at the bottom."""

    @pytest.mark.parametrize(("lang", "size"), [("zh-Hant", WIDE), ("en", WIDE), ("zh-Hant", SMALL)])
    def test_greet(self, snap_compare, make_app, tmp_path, lang, size):
        assert snap_compare(make_app(tmp_path, lang=lang), terminal_size=size, run_before=run_to())


class TestDecision:
    """A decision: the question as the title, "choose", and two numbered
    answers on their own shaded lines; no Continue button. The 3-minute timer
    is gone (met by the IT call), the 30-minute one runs."""

    @pytest.mark.parametrize("lang", ["zh-Hant", "en"])
    def test_fixed(self, snap_compare, make_app, tmp_path, lang):
        assert snap_compare(make_app(tmp_path, lang=lang), terminal_size=WIDE, run_before=run_to(*TO_FIXED))


class TestRecordForm:
    """A record step: each field's label with unit, "required" and the choice
    numbers; the loss already recorded shows 6000 and "✓ recorded"; the
    cursor is in the phone field, the next empty one."""

    @pytest.mark.parametrize(("lang", "size"), [("zh-Hant", WIDE), ("en", WIDE), ("zh-Hant", SMALL)])
    def test_amount(self, snap_compare, make_app, tmp_path, lang, size):
        before = run_to(*TO_AMOUNT, cmd.SetField("loss_yuan", "6000"))
        assert snap_compare(make_app(tmp_path, lang=lang), terminal_size=size, run_before=before)


def countdowns_after(seconds: int):  # type: ignore[no-untyped-def]
    """Start the example run, move the fake clock on, and let the screen tick."""
    start = run_to()

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await start(pilot)
        pilot.app.clock.advance(seconds)
        await pilot.app.tick_runs()
        await pilot.pause()
        pilot.app.screen.query_one(Notices).clear()  # notices are checked by the Pilot tests
        await pilot.pause()

    return before


class TestCountdowns:
    """The two countdowns on the right: normal (⏱, green edge, full bar),
    warning at 36 s left (⚠ and "due soon" on an amber band), and expired
    (‼ and "OVERDUE +mm:ss", bold on a red band, empty bar) — each state said
    in words and a symbol, never by colour alone. The elapsed time in the
    header follows the clock."""

    @pytest.mark.parametrize(("lang", "seconds"), [
        ("zh-Hant", 0), ("zh-Hant", 144), ("zh-Hant", 200), ("en", 0), ("en", 144), ("en", 200),
    ])
    def test_states(self, snap_compare, make_app, tmp_path, clock, lang, seconds):
        app = make_app(tmp_path, lang=lang, clock=clock)
        assert snap_compare(app, terminal_size=WIDE, run_before=countdowns_after(seconds))

    def test_escalated(self, snap_compare, make_app, tmp_path, clock):
        """After 30 minutes: a red escalation banner above the "ask customers
        whether to keep waiting" step, both timers overdue."""
        app = make_app(tmp_path, clock=clock)
        assert snap_compare(app, terminal_size=WIDE, run_before=countdowns_after(30 * 60 + 1))


class TestDirectory:
    """Contacts: external emergency numbers (110, 119, 120 …) first, then the
    internal roles with "number not filled in"; CJK columns aligned. Supplies:
    category, item, spec, unit, quantity, remark; the filtered view lists only
    gauze lines."""

    @pytest.mark.parametrize(("lang", "size"), [("zh-Hant", WIDE), ("en", WIDE), ("zh-Hant", SMALL)])
    def test_contacts(self, snap_compare, make_app, tmp_path, lang, size):
        assert snap_compare(make_app(tmp_path, lang=lang), terminal_size=size, run_before=run_to(),
                            press=["f3"])

    @pytest.mark.parametrize("lang", ["zh-Hant", "en"])
    def test_supplies(self, snap_compare, make_app, tmp_path, lang):
        assert snap_compare(make_app(tmp_path, lang=lang), terminal_size=WIDE, run_before=run_to(),
                            press=["f4"])

    def test_supplies_filtered(self, snap_compare, make_app, tmp_path):
        assert snap_compare(make_app(tmp_path), terminal_size=WIDE, run_before=run_to(),
                            press=["f4", "紗", "布"])


class TestSummary:
    """The end summary: duration, the deadlines with ✓/✗ verdicts, the IT
    call, the CCTV follow-up dated 30 days on, the log file as
    <log dir>/<file name>, and the final hash in full on its own line."""

    @pytest.mark.parametrize(("lang", "size"), [("zh-Hant", WIDE), ("en", WIDE), ("en", SMALL)])
    def test_done(self, snap_compare, make_app, tmp_path, clock, stable_log_path, lang, size):
        async def before(pilot) -> None:  # type: ignore[no-untyped-def]
            await run_to(*TO_FIXED, cmd.Choose("yes_fixed"))(pilot)
            pilot.app.clock.advance(125)
            await pilot.press("f10")
            await pilot.pause()
            assert isinstance(pilot.app.screen, SummaryScreen)

        app = make_app(tmp_path, lang=lang, clock=clock)
        assert snap_compare(app, terminal_size=size, run_before=before)


class TestReplayAndDrill:
    """Replay: the run screen at the log's last moment (the 3-minute report
    overdue, ‼), the path, and the replay bar above the footer ("REPLAY ⏸ ×8",
    the run clock, moment n/N, the last event: the note, shown literally);
    the footer lists the playback keys. Drill: the briefing dialog over the
    picker with the scenario's title, facts line (clock ×10, 2 injects, 3
    scored expectations) and briefing, Start/Cancel."""

    def test_replay_at_the_end(self, snap_compare, example_library, tmp_path, clock):
        from ehplan.audit import read_log
        from ehplan.session import Session
        from ehplan.tui.replay import ReplayApp

        session = Session.start(example_library, tmp_path / "logs",
                                cmd.StartRun("example", "20261130-0900-test", "Ann", "live", "en"), clock)
        session.execute(cmd.Continue())
        clock.advance(200)
        session.execute(cmd.Tick())
        session.execute(cmd.AddNote("[b]caller[/b] rang back"))
        session.close()
        records, _ = read_log(session.path)

        async def before(pilot) -> None:  # type: ignore[no-untyped-def]
            await pilot.pause()
            await pilot.press("end")
            await pilot.pause()
            assert pilot.app.replay.at_end

        assert snap_compare(ReplayApp(example_library, session.path, records), terminal_size=WIDE,
                            run_before=before)

    @pytest.mark.parametrize("lang", ["zh-Hant", "en"])
    def test_drill_briefing(self, snap_compare, example_library, tmp_path, clock, lang):
        from ehplan.drill import load_scenario
        from ehplan.engine.clock import ScaledClock
        from ehplan.tui.app import EhplanApp

        root = Path(__file__).resolve().parents[2]
        scenario = load_scenario(root / "tests/data/drills/example_drill.yaml", example_library)
        app = EhplanApp(example_library, log_dir=tmp_path / "logs", operator="Ann", lang=lang,
                        clock=ScaledClock(clock, scenario.clock_scale), mode="drill", resume_offer=False,
                        scenario=scenario)
        assert snap_compare(app, terminal_size=WIDE)


class TestSeveralRuns:
    """Two incidents at once: the gas-leak call (F5) on screen, and above the
    notices a strip naming the hotline outage still open with its nearest
    deadline (⏱ and the time left) and "F12 ▸" at its start; the footer offers
    F12 to switch and Ctrl+N for another incident."""

    @pytest.mark.parametrize(("lang", "size"), [("zh-Hant", SMALL), ("en", WIDE)])
    def test_second_run_with_the_strip(self, snap_compare, make_app, shipped_library, tmp_path, clock, monkeypatch,
                                       lang, size):
        ids = iter(["20261130-0900-aaaa", "20261130-0901-bbbb"])
        monkeypatch.setattr(ehplan.tui.app, "new_run_id", lambda clock: next(ids))

        async def before(pilot) -> None:  # type: ignore[no-untyped-def]
            app = pilot.app
            await pilot.pause()
            app.start_run("hotline_system_failure")
            await pilot.pause()
            app.session.execute(cmd.LogContact("hotline_supervisor", "answered"))  # the 3-minute report starts
            app.clock.advance(40)
            await pilot.press("f5")
            await pilot.pause()
            await app.tick_runs()
            await pilot.pause()

        app = make_app(tmp_path, library=shipped_library, lang=lang, clock=clock)
        assert snap_compare(app, terminal_size=size, run_before=before)
