"""The trainer's console and the trainee's app in two processes: the app runs a
drill in its own process; `ehplan drill control` (the real command) pauses
it, and the trainee's header says PAUSED; an inject typed by the trainer
arrives; the trainer's end brings up the summary. Every action is in the
drill's log, at the drill time it was taken."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ehplan.audit import read_log

HERE = Path(__file__).resolve().parent


def test_the_console_pauses_injects_and_ends_a_drill_running_in_another_process(tmp_path, cli):
    logs = tmp_path / "drills"
    child = subprocess.Popen([sys.executable, str(HERE / "drill_trainee_app.py"), str(logs)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "RUNNING"
        control = ("drill", "control", "--log-dir", str(logs))
        code, out = cli(*control, "pause")
        assert code == 0 and out.startswith("pause at drill time "), out
        paused = child.stdout.readline()
        assert paused.startswith("PAUSED ") and "⏸ PAUSED" in paused
        code, out = cli(*control, "status")
        assert code == 0 and ", PAUSED, " in out
        code, out = cli(*control, "inject", "--text", "The press is at the door.")
        assert code == 0 and out.startswith("inject trainer_1 at drill time "), out
        code, out = cli(*control, "resume")
        assert code == 0 and out.startswith("resume at drill time ")
        code, out = cli(*control, "end")
        assert code == 0 and out.startswith("end at drill time ")
        assert child.stdout.readline().strip() == "SUMMARY"
        assert child.wait(timeout=20) == 0, child.stderr.read() if child.stderr else ""
    finally:
        child.kill()
        child.wait()
    (log,) = logs.glob("*.jsonl")
    records, _ = read_log(log)
    trail = [(r.type, r.data.get("action") or r.data.get("text")) for r in records
             if r.type in ("trainer_action", "inject_delivered", "run_ended")]
    assert trail == [("trainer_action", "pause"), ("inject_delivered", "The press is at the door."),
                     ("trainer_action", "resume"), ("trainer_action", "end"), ("run_ended", None)]
    code, out = cli("drill", "control", "--log-dir", str(logs), "pause")
    assert code == 2 and "no drill is running in" in out
