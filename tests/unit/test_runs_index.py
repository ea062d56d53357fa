"""`ehplan runs`: every run of the log directories, newest first, with filters,
answered from an index that reads again only the files that changed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.report import runs as runs_module
from ehplan.session import Session

ROOT = Path(__file__).resolve().parents[2]
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def desk(example_library, tmp_path, monkeypatch) -> Path:
    """A desk's log directory: a run left open after missing its 3-minute deadline
    (Ann, Monday), one that met it late (Ann, Tuesday), one in time (Bo,
    Wednesday), and a drill (Thursday)."""
    monkeypatch.setenv("EHPLAN_CACHE_DIR", str(tmp_path / "cache"))
    log_dir = tmp_path / "logs"

    def run(run_id: str, operator: str, day: int, *, late: bool, call: bool = True, mode: str = "live") -> None:
        clock = FakeClock(dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ) + dt.timedelta(days=day))
        scale, scenario = (10, "example_drill") if mode == "drill" else (1, None)
        session = Session.start(example_library, log_dir, c.StartRun("example", run_id, operator, mode, "en", scale,
                                                                      scenario), clock)
        session.execute(c.Continue())
        if late:
            clock.advance(200)
            session.execute(c.Tick())
        if call:
            session.execute(c.LogContact("it_centre", "answered"))
            session.execute(c.EndRun(confirm=True))
        session.close()

    run("missed", "Ann", 0, late=True, call=False)
    run("late", "Ann", 1, late=True)
    run("intime", "Bo", 2, late=False)
    run("drill", "Cy", 3, late=False, mode="drill")
    return log_dir


def listed(cli, *args: str) -> list[dict]:
    code, output = cli("runs", *args, "--json")
    assert code == 0, output
    return [json.loads(line) for line in output.splitlines()]


def test_every_run_newest_first_drills_only_when_asked(desk, cli):
    rows = listed(cli, str(desk))
    assert [r["run"] for r in rows] == ["intime", "late", "missed"]
    assert set(rows[0]) == {"file", "run", "start", "end", "playbook", "operator", "mode", "outcome",
                            "deadlines_met", "deadlines_late", "deadlines_missed", "events", "integrity", "bad_seq"}
    by_id = {r["run"]: r for r in rows}
    assert by_id["missed"]["end"] is None and by_id["missed"]["outcome"] == ""
    assert by_id["missed"]["deadlines_missed"] == 1 and by_id["late"]["deadlines_late"] == 1
    assert by_id["intime"]["deadlines_met"] == 1 and by_id["intime"]["end"] is not None
    assert all(r["integrity"] == "intact" and r["playbook"] == "example" for r in rows)
    assert [r["run"] for r in listed(cli, str(desk), "--drills")][0] == "drill"


def test_filters(desk, cli):
    assert [r["run"] for r in listed(cli, str(desk), "--operator", "Ann")] == ["late", "missed"]
    assert [r["run"] for r in listed(cli, str(desk), "--outcome", "ended_early")] == ["intime", "late"]
    assert [r["run"] for r in listed(cli, str(desk), "--since", "2026-12-01", "--until", "2026-12-01")] == ["late"]
    assert [r["run"] for r in listed(cli, str(desk), "--missed")] == ["missed"]  # met late is not missed
    assert listed(cli, str(desk), "--playbook", "other") == []
    code, output = cli("runs", str(desk), "--playbook", "other")
    assert code == 0 and output.startswith("no runs (4 in ")


def test_the_index_reads_again_only_what_changed(desk, cli, monkeypatch):
    read: list[str] = []
    real = runs_module._read_row
    monkeypatch.setattr(runs_module, "_read_row",
                        lambda path, key, known: read.append(Path(path).name) or real(path, key, known))
    listed(cli, str(desk), "--drills")
    assert len(read) == 4
    read.clear()
    listed(cli, str(desk), "--drills")
    assert read == []  # all from the index
    grown = next(p for p in desk.glob("*.jsonl") if "missed" in p.name)
    with grown.open("ab") as handle:
        handle.write(b'{"torn')
    rows = {r["run"]: r for r in listed(cli, str(desk), "--drills")}
    assert read == [grown.name] and rows["missed"]["integrity"] == "torn tail"
    tampered = next(p for p in desk.glob("*.jsonl") if "intime" in p.name)
    tampered.write_bytes(tampered.read_bytes().replace(b'"Bo"', b'"Bx"', 1))
    rows = {r["file"]: r for r in listed(cli, str(desk), "--drills")}
    assert rows[str(tampered)]["integrity"] == "tampered" and rows[str(tampered)]["bad_seq"] == 0


def test_the_table_is_in_the_plans_time_and_counts(desk, cli):
    code, output = cli("runs", str(desk))
    lines = output.splitlines()
    assert code == 0 and lines[-1] == "3 of 4 run(s); times are the plan's local time, UTC+08:00"
    assert lines[0].startswith("2026-12-02 09:00  2026-12-02 09:00  example")
    assert lines[-2].startswith("2026-11-30 09:00  unfinished ") and lines[-2].endswith("intact")


def test_many_runs_are_read_on_every_core_each_as_it_reads_alone(desk, tmp_path, monkeypatch):
    files = sorted(desk.glob("*.jsonl"))
    paths = []
    for copy in range(3):  # twelve runs in three desks, each run linked to the one before as written
        copy_dir = tmp_path / "many" / str(copy)
        copy_dir.mkdir(mode=0o700, parents=True)
        for path in files:
            (copy_dir / path.name).write_bytes(path.read_bytes())
            paths.append((copy_dir / path.name).absolute())
    paths[5].write_bytes(paths[5].read_bytes().replace(b'"Ann"', b'"Anx"', 1))
    alone = [runs_module.row_for(path) for path in paths]
    assert [row.integrity for row in alone].count("tampered") == 1
    assert [row.integrity for row in alone].count("intact") == len(paths) - 1
    monkeypatch.setattr(runs_module, "PARALLEL_MIN_RUNS", 2)
    monkeypatch.setattr(runs_module, "CHUNK", 3)
    monkeypatch.setattr(runs_module, "MAX_CHUNK", 3)
    assert runs_module.read_rows(paths) == alone
    assert runs_module.rows_in_order(paths) == alone


def test_the_plans_zone_is_remembered_until_its_calendar_changes(desk, cli, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    code, output = cli("runs", str(desk), "--data", str(data))
    assert code == 0 and output.splitlines()[-1].endswith("UTC+08:00")
    assert (tmp_path / "cache" / "plan-zone.json").stat().st_mode & 0o777 == 0o600
    calendar = data / "calendar.yaml"
    calendar.write_text(calendar.read_text(encoding="utf-8").replace('utc_offset: "+08:00"', 'utc_offset: "+09:30"'),
                        encoding="utf-8")
    code, output = cli("runs", str(desk), "--data", str(data))
    assert code == 0 and output.splitlines()[-1].endswith("UTC+09:30")
    assert output.splitlines()[0].startswith("2026-12-02 10:30")
    calendar.write_text(calendar.read_text(encoding="utf-8").replace('utc_offset: "+09:30"', "utc_offset: 930"),
                        encoding="utf-8")
    code, output = cli("runs", str(desk), "--data", str(data))  # a bad calendar is refused, memo or not
    assert code == 2 and "calendar.yaml:" in output and "Traceback" not in output
