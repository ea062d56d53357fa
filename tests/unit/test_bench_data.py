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
