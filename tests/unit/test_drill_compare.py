"""Two trainees' attempts on the holiday hotline scenario side by side
(`ehplan report A.jsonl B.jsonl`): each expectation and deadline with its
verdict, moment and seq, the time to each step, the trainer's actions and
the score; the columns line up in Chinese as in English. Only attempts on
the same drill scenario are compared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from drill_trainee import play
from ehplan import resources
from ehplan.drill import load_scenario
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.report.compare import width
from ehplan.session import Session

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests/data/drill_compare_hotline_holiday.txt"


@pytest.fixture(scope="module")
def attempts(shipped_library, tmp_path_factory):  # type: ignore[no-untyped-def]
    scenario = load_scenario(resources.drills_dir() / "hotline_holiday.yaml", shipped_library)
    spec = yaml.safe_load((ROOT / "tests/data/drill_plays/hotline_holiday.yaml").read_text(encoding="utf-8"))
    base = tmp_path_factory.mktemp("drills")
    full = spec["full"]["play"]
    kim = full[:17] + ["pause", 'say "The press is at the door."', "resume"] + full[17:]  # the trainer at 01:30
    a = play(scenario, shipped_library, base, kim, run_id="kim", trainee="Kim")
    b = play(scenario, shipped_library, base, spec["partial"]["play"], run_id="lee", trainee="Lee")
    return a.session.path, b.session.path


def test_two_attempts_side_by_side(attempts, cli):
    code, out = cli("report", *map(str, attempts), "--lang", "en")
    assert code == 0, out
    if os.environ.get("EHPLAN_UPDATE_GOLDEN"):  # then read the diff
        GOLDEN.write_text(out, encoding="utf-8")
    assert out == GOLDEN.read_text(encoding="utf-8")


def test_the_columns_line_up_in_chinese(attempts, cli):
    code, out = cli("report", *map(str, attempts), "--lang", "zh-Hant")
    assert code == 0, out
    rows = [line for line in out.splitlines() if "（#" in line]
    assert len(rows) >= 7
    for row in rows:
        first = min(row.index(mark) for mark in "✓½✗" if mark in row)
        assert width(row[:first]) == 44  # two spaces and the 42 columns of the label


def test_only_attempts_on_the_same_drill_are_compared(attempts, cli, example_library, tmp_path, shipped_library):
    live = Session.start(shipped_library, tmp_path, c.StartRun("hall_fire", "live-1", "Ann"),
                         FakeClock(load_scenario(resources.drills_dir() / "hall_fire.yaml",
                                                 shipped_library).start))  # type: ignore[arg-type]
    live.close()
    code, out = cli("report", str(attempts[0]), str(live.path))
    assert code == 2
    assert out.strip() == f"ehplan: {live.path}: not a drill; only attempts on a drill scenario are compared"
    other = play(load_scenario(resources.drills_dir() / "hall_fire.yaml", shipped_library), shipped_library,
                 tmp_path / "other", ["next"])
    code, out = cli("report", str(attempts[0]), str(other.session.path))
    assert code == 2 and "different scenarios (hall_fire, hotline_holiday)" in out


def test_serve_runs_this_ehplan_with_the_options_given(tmp_path):
    import sys

    from ehplan.cli.serve import served_command

    obj = {"log_dir": tmp_path / "logs", "lang": None}
    assert served_command("hotline_holiday", (), obj, "en", None, None, "Kim") == [
        sys.executable, "-m", "ehplan", "--lang", "en", "--operator", "Kim", "--log-dir", str(tmp_path / "logs"),
        "drill", "hotline_holiday"]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert served_command(None, (a, b), {}, None, None, None, None)[3:] == ["report", "--screen", str(a), str(b)]


def test_serve_refuses_a_bad_scenario_in_one_line_before_serving(cli):
    bad = ROOT / "tests/data/drills/no_playbook.yaml"
    code, out = cli("serve", "--drill", str(bad), "--playbooks", str(ROOT / "tests/data/playbooks"))
    assert code == 2 and out == f"{bad}:4:11: playbook 'nowhere' does not exist\n"
    code, out = cli("serve", "--drill", "hall_fire", "--debrief", str(ROOT / "pyproject.toml"))
    assert code == 2 and out == "ehplan: serve a drill or a debrief, not both\n"
