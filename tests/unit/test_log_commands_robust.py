"""`report` and `replay` on awkward but verifiable logs: an event type this
version does not know, a drill whose playbook changed, a torn last line over a
broken link to the previous run, a log that ends before its first step, and
the group's --playbooks given before the command. One line each, never a
traceback."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.library import Library, load_library
from ehplan.session import Session

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = ["--playbooks", str(ROOT / "tests/data/playbooks")]
DRILL = ROOT / "tests/data/drills/example_drill.yaml"
T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([ROOT / "tests/data/playbooks"], ROOT / "data")


def ehplan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ehplan", *args], capture_output=True, text=True, timeout=60,
                          check=False, stdin=subprocess.DEVNULL)


def one_line_error(done: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert words in done.stderr


def test_an_unknown_event_type_is_one_line_for_report_and_replay(library, tmp_path):
    clock = FakeClock(T0)
    session = Session.start(library, tmp_path, c.StartRun("example", "r", "Ann", "live", "en"), clock)
    session.execute(c.Continue())
    session.writer.append("future_event", {"x": 1}, clock.now())  # a newer ehplan's event
    session.close()
    assert ehplan("verify", str(session.path)).returncode == 0
    one_line_error(ehplan("report", str(session.path), *PLAYBOOKS), 2, "unknown event type 'future_event'")
    # one verified load for both: the same line, before any screen opens
    one_line_error(ehplan("replay", str(session.path), *PLAYBOOKS), 2, "unknown event type 'future_event'")


def test_a_drill_whose_playbook_changed_is_reported_without_a_score(library, tmp_path):
    clock = FakeClock(T0)
    start = c.StartRun("example", "d", "Ann", "drill", "en", 10, "example_drill")
    session = Session.start(library, tmp_path / "logs", start, clock)
    session.execute(c.Continue())
    session.close()
    changed = tmp_path / "playbooks"
    shutil.copytree(ROOT / "tests/data/playbooks", changed)
    example = changed / "example.yaml"
    example.write_text(example.read_text(encoding="utf-8").replace("report_3m", "report_3min"), encoding="utf-8")
    done = ehplan("report", str(session.path), "--playbooks", str(changed), "--scenario", str(DRILL))
    assert done.returncode == 0 and "After-action report" in done.stdout and "Drill score" not in done.stdout
    assert done.stderr == "ehplan: no score: the playbook has changed since the drill ('report_3m' is gone)\n"
    done = ehplan("report", str(session.path), *PLAYBOOKS)  # not a shipped scenario: report, no score
    assert done.returncode == 0 and "no score: scenario 'example_drill' is not among the shipped drills" \
        in done.stderr


def test_a_torn_tail_does_not_hide_a_broken_link_to_the_previous_run(library, tmp_path):
    clock = FakeClock(T0)
    first = Session.start(library, tmp_path, c.StartRun("example", "a", "Ann", "live", "en"), clock)
    first.close()
    clock.advance(60)
    second = Session.start(library, tmp_path, c.StartRun("example", "b", "Ann", "live", "en"), clock)
    second.execute(c.Continue())
    second.close()
    first.path.unlink()  # the previous run's file is gone
    second.path.write_bytes(second.path.read_bytes()[:-20])  # and the last line is torn
    one_line_error(ehplan("report", str(second.path), *PLAYBOOKS), 1, "NOT intact")
    one_line_error(ehplan("replay", str(second.path), *PLAYBOOKS), 1, "NOT intact")


def test_a_log_that_ends_before_its_first_step_cannot_be_replayed(library, tmp_path):
    clock = FakeClock(T0)
    session = Session.start(library, tmp_path, c.StartRun("example", "r", "Ann", "live", "en"), clock)
    session.close()
    lines = session.path.read_bytes().splitlines(keepends=True)
    first_step = next(i for i, line in enumerate(lines) if b'"step_entered"' in line)
    session.path.write_bytes(b"".join(lines[:first_step]))
    one_line_error(ehplan("replay", str(session.path), *PLAYBOOKS), 2, "ends before the run's first step")
    assert ehplan("report", str(session.path), *PLAYBOOKS).returncode == 0


def test_the_groups_options_count_for_report_and_replay(library, tmp_path):
    clock = FakeClock(T0)
    session = Session.start(library, tmp_path, c.StartRun("example", "r", "Ann", "live", "en"), clock)
    session.close()
    done = ehplan(*PLAYBOOKS, "--lang", "zh-Hant", "report", str(session.path))
    assert done.returncode == 0 and "預案      示例事件 (example)" in done.stdout
    changed = tmp_path / "playbooks"
    shutil.copytree(ROOT / "tests/data/playbooks", changed)
    (changed / "example.yaml").write_text((changed / "example.yaml").read_text(encoding="utf-8") + "\n# x\n",
                                          encoding="utf-8")
    done = ehplan("--playbooks", str(changed), "replay", str(session.path))  # the group's --playbooks is used
    one_line_error(done, 2, "playbook example has changed since this run")
