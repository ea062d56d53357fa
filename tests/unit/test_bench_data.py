"""The benchmarks' own playbooks stay valid under every rule the loader adds
(the key-press benchmark cannot run otherwise, and nothing else would notice)."""

from __future__ import annotations

from pathlib import Path

from ehplan import resources
from ehplan.library import load_library

BENCH_PLAYBOOKS = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "playbooks"


def test_the_benchmark_playbooks_load():
    library = load_library([BENCH_PLAYBOOKS], resources.data_dir())
    assert "bench_eight_timers" in library.playbooks


def test_the_start_up_history_is_what_the_writer_writes_and_verifies(tmp_path, monkeypatch):
    """benchmarks/history.py: its lines equal AuditWriter.append's byte for byte
    (it raises otherwise), every file verifies, and exactly the unfinished
    runs are found, offered by the app's own search."""
    import sys

    from ehplan.audit import find_open_runs, read_log, verify_log

    monkeypatch.syspath_prepend(str(BENCH_PLAYBOOKS.parents[1]))
    import history

    made = history.write_history(tmp_path / "logs", closed=12, unfinished=3, verify_sample=12)
    files = sorted((tmp_path / "logs").glob("*.jsonl"))
    assert len(files) == 15 and made["records"] == sum(len(read_log(f)[0]) for f in files)
    assert all(verify_log(f, None, split=False).ok for f in files)
    found = find_open_runs(tmp_path / "logs")
    assert len(found) == 3 and all(read_log(f)[0][-1].type != "run_ended" for f in found)
    assert sum(read_log(f)[0][-1].type == "run_ended" for f in files) == 12
    sys.modules.pop("history", None)
