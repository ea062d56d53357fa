"""The search for unfinished runs begun in a child process at start: the same
answer as the search in-process, from the child when it gives one, and the
in-process search whenever it does not (cannot start, fails, prints garbage)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from ehplan.audit import create_run, find_open_runs
from ehplan import open_runs as search_module
from ehplan.open_runs import OpenRunsSearch

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def a_run(log_dir: Path, run_id: str, *, ended: bool) -> Path:
    with create_run(log_dir, run_id, "Ann", "live", "run_started", {"playbook": "x"}, T0) as writer:
        if ended:
            writer.append("run_ended", {"outcome": "resolved", "open": [], "step": "done"}, T0)
    return writer.path


def a_history(log_dir: Path) -> list[Path]:
    a_run(log_dir, "a", ended=True)
    older = a_run(log_dir, "b", ended=False)
    a_run(log_dir, "c", ended=True)
    odd = log_dir / "20261130T020000Z-ünï\udcff.jsonl"  # a name that is not ASCII, nor even UTF-8
    odd.write_bytes(a_run(log_dir, "d", ended=False).read_bytes())
    (log_dir / "20261130T010000Z-d.jsonl").unlink()
    return [odd, older]


def test_the_child_gives_what_the_search_here_gives(tmp_path, monkeypatch):
    log_dir, memo = tmp_path / "logs", tmp_path / "cache" / "closed.json"
    expected = a_history(log_dir)
    search = OpenRunsSearch(log_dir, memo)
    search.begin()
    # The answer must come from the child: the search here would fail the test.
    monkeypatch.setattr(search_module, "find_open_runs", lambda *args: pytest.fail("searched in-process"))
    assert search.take() == expected
    assert memo.exists()  # the child kept the closed runs' memo, as the search here would
    monkeypatch.undo()
    assert find_open_runs(log_dir, memo) == expected
    # Taken once: a later search is a new one, here and now (a run may have ended since).
    again: list[object] = []
    monkeypatch.setattr(search_module, "find_open_runs", lambda *args: again.append(args) or [])
    assert search.take() == [] and again == [(log_dir, memo)]


@pytest.mark.parametrize("child", ["cannot start", "fails", "prints garbage", "names a path"])
def test_without_a_usable_answer_from_the_child_the_search_is_done_here(tmp_path, monkeypatch, child):
    log_dir = tmp_path / "logs"
    expected = a_history(log_dir)
    if child == "cannot start":
        monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    else:
        script = {"fails": "import sys; sys.exit(3)", "prints garbage": "print('[1, 2')",
                  "names a path": "print('[\"../../etc/passwd\"]')"}[child]
        fake = tmp_path / "python"
        fake.write_text(f"#!{sys.executable}\n{script}\n")
        fake.chmod(0o700)
        monkeypatch.setattr(sys, "executable", str(fake))
    search = OpenRunsSearch(log_dir, None)
    search.begin()
    assert search.take() == expected


def test_a_child_nobody_waits_for_is_stopped(tmp_path, monkeypatch):
    fake = tmp_path / "python"
    fake.write_text(f"#!{sys.executable}\nimport time; time.sleep(60)\n")
    fake.chmod(0o700)
    monkeypatch.setattr(sys, "executable", str(fake))
    search = OpenRunsSearch(tmp_path / "logs", None)
    search.begin()
    child = search._child
    assert child is not None and child.poll() is None
    search.close()
    assert child.poll() is not None
    assert search.take() == []  # and a take after it searches here (no such directory: nothing)
