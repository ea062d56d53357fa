"""The fixture runs, written once per session into one log directory each."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixture_runs import ROOT, RUNS  # noqa: E402

from ehplan.library import Library, load_library  # noqa: E402


@pytest.fixture(scope="session")
def report_library() -> Library:
    return load_library([ROOT / "tests/data/playbooks"], ROOT / "data")


@pytest.fixture(scope="session")
def fixture_logs(report_library: Library, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("report-runs")
    logs = {}
    for name, make in RUNS.items():
        log_dir = base / name
        log_dir.mkdir(mode=0o700)
        logs[name] = make(report_library, log_dir)
    return logs
