"""`ehplan verify DIR...`: every run file of the directories (never a link),
checked on every core with the verdict each gets alone, intact ones counted,
others listed, a table of verdicts at the end, and one exit code for all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ehplan.audit import create_run, verify_log
from ehplan.audit.batch import CHUNK, expand, verify_all

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CHUNK * 2 + 5 chained runs in one directory: enough to be shared out."""
    log_dir = tmp_path_factory.mktemp("runs") / "logs"
    for i in range(CHUNK * 2 + 5):
        with create_run(log_dir, f"r{i:03d}", "Ann", "live", "run_started", {"playbook": "x"},
                        T0 + dt.timedelta(seconds=i)) as writer:
            writer.append("note_added", {"text": f"note {i}"}, T0)
    return log_dir


def damaged_copy(runs: Path, tmp_path: Path) -> Path:
    """A copy with one edited run, one torn run, and one that lost its last line."""
    copy = tmp_path / "copy"
    copy.mkdir(mode=0o700)
    files = sorted(runs.glob("*.jsonl"))
    for path in files:
        (copy / path.name).write_bytes(path.read_bytes())
    edited, torn, truncated = (copy / files[i].name for i in (3, 10, 20))
    edited.write_bytes(edited.read_bytes().replace(b'"playbook":"x"', b'"playbook":"y"'))  # seq 0
    torn.write_bytes(torn.read_bytes()[:-7])
    truncated.write_bytes(b"".join(truncated.read_bytes().splitlines(keepends=True)[:-1]))
    (copy / "zz-link.jsonl").symlink_to(files[0])
    return copy


def test_a_directory_gets_the_verdict_each_run_gets_alone(runs, tmp_path):
    copy = damaged_copy(runs, tmp_path)
    paths = expand([copy])
    assert all(not named for _, named in paths) and not any(p.is_symlink() for p, _ in paths)
    shared = verify_all(paths, None, jobs=2)
    alone = verify_all(paths, None, jobs=1)
    assert [c.result for c in shared] == [c.result for c in alone] == [verify_log(p) for p, _ in paths]
    verdicts = [c.verdict for c in shared]
    assert verdicts.count("tampered") == 1 and verdicts.count("torn tail") == 1
    # the runs after the truncated and the torn one: their predecessor's last hash is gone
    assert verdicts.count("previous-run link broken") == 2
    assert verdicts.count("intact") == len(paths) - 4


def test_verify_a_directory_lists_what_is_wrong_and_ends_with_a_table(runs, tmp_path, cli):
    code, output = cli("verify", str(runs))
    assert code == 0 and output.strip() == f"{CHUNK * 2 + 5} run(s): {CHUNK * 2 + 5} intact"
    copy = damaged_copy(runs, tmp_path)
    code, output = cli("verify", str(copy))
    assert code == 1
    lines = output.splitlines()  # the table on stdout, the findings on stderr
    assert lines[0] == (f"{CHUNK * 2 + 5} run(s): {CHUNK * 2 + 1} intact, 1 tampered, 1 torn tail, "
                        "2 previous-run link broken")
    assert sum("NOT intact" in line for line in lines) == 4 and not any(": intact," in line for line in lines)
    named = sorted(copy.glob("*.jsonl"))[0]
    code, output = cli("verify", str(named))  # one file named: its line, no table
    assert code == 0 and output.count("\n") == 1 and ": intact, 2 records" in output
    code, output = cli("verify", str(named), str(tmp_path / "missing.jsonl"))
    assert code == 2 and "2 run(s): 1 intact, 1 unreadable" in output.splitlines()


def test_a_link_to_the_run_just_verified_is_answered_without_reading_it_again(runs, tmp_path, monkeypatch):
    from ehplan.audit import verify as verify_module

    paths = expand([runs])
    damaged = expand([damaged_copy(runs, tmp_path)])  # runs 3 (edited), 10 (torn) and 20 (lost a line)
    alone = [verify_log(path) for path, _ in paths]
    damaged_alone = [verify_log(path) for path, _ in damaged]
    reads: list[str] = []
    real = verify_module.read_regular
    monkeypatch.setattr(verify_module, "read_regular", lambda path, *a: reads.append(Path(path).name) or real(path, *a))
    assert [c.result for c in verify_all(paths, None, jobs=1)] == alone
    assert reads == []  # every run links to the file before it, which was just verified
    assert [c.result for c in verify_all(damaged, None, jobs=1)] == damaged_alone
    # only where the run before did not verify to the hash linked is that file read
    assert reads == [damaged[i][0].name for i in (3, 10, 20)]
