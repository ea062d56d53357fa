"""`ehplan report LOG`: the auditor's after-action report, built from a real
log on disk: header, every deadline's fate with its times in the plan's UTC+8,
the timeline, calls, notes, overrides, follow-ups, what was open, the hash;
refused for an edited log; text from the log printed literally."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from ehplan.audit import read_log, verify_log
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.library import Library, load_library
from ehplan.report.afteraction import Integrity, after_action_report
from ehplan.session import Session
from ehplan.text import duration_text as clock

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC
MONDAY_0100_UTC = dt.datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in the plan's UTC+8


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([ROOT / "tests/data/playbooks"], ROOT / "data")


def a_run(library: Library, log_dir: Path, *, lang: str = "en") -> Path:
    """A run with a late call, a missed-then-overridden step, a note, a record,
    an escalation and a follow-up, logged by a machine whose clock is in UTC."""
    fake = FakeClock(MONDAY_0100_UTC)
    session = Session.start(library, log_dir, c.StartRun("example", "r-1", "Ann", "live", lang), fake)
    session.execute(c.Continue())
    session.execute(c.TickItem("explain"))
    session.execute(c.TickItem("divert"))
    session.execute(c.Continue())
    fake.advance(200)  # past the 3-minute report deadline
    session.execute(c.Tick())
    session.execute(c.LogContact("it_centre", "answered"))
    session.execute(c.AddNote("[bold]caller[/bold] says \x1b[31mgas smell"))
    session.execute(c.Continue())
    session.execute(c.SetField("loss_yuan", "100"))
    session.execute(c.SetField("reporter_phone", "110"))
    session.execute(c.SetField("place", "1"))
    session.execute(c.Continue())
    fake.advance(1700)  # the 30-minute repair limit runs out
    session.execute(c.Tick())
    session.execute(c.Override("IT says it will take hours"))
    session.execute(c.EndRun(confirm=True))
    path = session.path
    session.close()
    return path


def report_of(library: Library, path: Path, lang: str | None = None) -> str:
    records, _ = read_log(path)
    result = verify_log(path)
    assert result.ok and result.final_hash is not None
    integrity = Integrity(str(path), result.records, result.final_hash)
    return "\n".join(after_action_report(records, library, integrity, lang))  # type: ignore[arg-type]


def test_the_report_tells_the_whole_run_in_the_plans_local_time(library, tmp_path):
    path = a_run(library, tmp_path)
    report = report_of(library, path)
    header = report.split("\n\n")[1]
    assert "Run       r-1" in header and "Operator  Ann" in header and "Mode      LIVE" in header
    assert "Started   2026-11-30 09:00:00" in header  # 01:00 UTC on the machine, 09:00 in the plan's zone
    assert "Duration  31:40" in header
    assert "Outcome   ended before the playbook's end" in header
    assert "Times are the plan's local time, UTC+08:00" in report
    # Every deadline's fate, with its limit and times.
    assert "  ✓! Report within 3 minutes — met late\n" in report
    assert "      limit 03:00 · started 2026-11-30 09:00:00 · due 2026-11-30 09:03:00 · done 2026-11-30 09:03:20" \
        in report
    assert "  ▲ Repair over 30 minutes — escalated\n" in report
    # The timeline in order, with elapsed and local times.
    timeline = report.split("Timeline:\n")[1].split("\n\n")[0].splitlines()
    assert timeline[0] == "  +00:00  09:00:00  run started: Example incident (example), operator Ann"
    expected_in_order = ["☑ Explain the cause", "☑ Divert customers", "‼ overdue: Report within 3 minutes",
                         "☎ IT centre / IT team — answered", "✓ met late: Report within 3 minutes",
                         "✎ note: [bold]caller[/bold] says \x1b[31mgas smell",
                         "📅 follow-up: Keep the CCTV footage", "recorded: Kind of place = Hall",
                         "▲ escalated: Repair over 30 minutes → ", "▲ escalation step: ",
                         "⤼ skipped", "■ run ended: ended before the playbook's end"]
    positions = [next(i for i, line in enumerate(timeline) if want in line) for want in expected_in_order]
    assert positions == sorted(positions)
    assert "+03:20  09:03:20  ☎ IT centre / IT team — answered" in report
    # The lists, and what was open at the end, in the report's language.
    assert "Calls:\n  ☎ IT centre / IT team — answered (09:03:20)\n" in report
    assert "Skipped or overridden:\n  ⤼ 09:31:40 " in report and "IT says it will take hours" in report
    assert "Follow-ups:\n  📅 2026-12-30  Keep the CCTV footage" in report
    assert "Still open at the end:\n  • " in report
    assert report.endswith(f"Final hash: {verify_log(path).final_hash}")


def test_the_report_speaks_the_runs_language_unless_told(library, tmp_path):
    path = a_run(library, tmp_path, lang="zh-Hant")
    report = report_of(library, path)
    assert report.startswith("ehplan — 事件處理報告")
    assert "結果      預案未走完即結束" in report
    assert "✓! 3分鐘內報告 — 逾時完成" in report
    assert "結束時仍未完成:\n  • " in report and "  • 預案尚未走完" in report  # logged in English, shown translated
    assert "記錄：地點類型 = 營業廳" in report
    assert "After-action report" in report_of(library, path, "en")
    assert "事件处理报告" in report_of(library, path, "zh-Hans")


def test_an_old_log_whose_playbook_is_gone_still_reports_by_id(library, tmp_path):
    path = a_run(library, tmp_path)
    empty = Library(playbooks={}, contacts=library.contacts, supplies=library.supplies, calendar=library.calendar)
    report = report_of(empty, path)
    assert "note: playbook example is not in the current playbooks; shown by id" in report
    assert "Playbook  example" in report and "step: greet" in report


def test_clock_text() -> None:
    assert [clock(s) for s in (0, 59, 200, 3599, 3600, 5400, -5)] == \
        ["00:00", "00:59", "03:20", "59:59", "1:00:00", "1:30:00", "-00:05"]


def ehplan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ehplan", *args], capture_output=True, text=True, timeout=60,
                          check=False)


def test_cli_reports_an_intact_log_and_refuses_an_edited_one(library, tmp_path):
    path = a_run(library, tmp_path / "logs")
    args = ["--playbooks", str(ROOT / "tests/data/playbooks")]
    done = ehplan("report", str(path), *args)
    assert done.returncode == 0, done.stderr
    assert "After-action report" in done.stdout
    assert "✎ note: [bold]caller[/bold] says \\x1b[31mgas smell" in done.stdout  # literal: the ESC made visible
    assert "\x1b" not in done.stdout

    out = tmp_path / "report.txt"
    done = ehplan("report", str(path), "--out", str(out), "--lang", "zh-Hant", *args)
    assert done.returncode == 0 and "report written to" in done.stdout
    assert "事件處理報告" in out.read_text(encoding="utf-8")

    lines = path.read_bytes().splitlines(keepends=True)
    edited = tmp_path / "edited.jsonl"
    edited.write_bytes(b"".join([*lines[:3], lines[3].replace(b'"Ann"', b'"Bob"'), *lines[4:]]))
    done = ehplan("report", str(edited), *args)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"ehplan: {edited}: NOT intact at seq 3") and "no report" in done.stderr

    done = ehplan("report", str(tmp_path / "missing.jsonl"), *args)
    assert done.returncode == 2 and "unreadable" in done.stderr and "Traceback" not in done.stderr
