"""A desk's history for the start-up benchmark: a log directory of many closed
runs and a few unfinished ones, as the real writer leaves them.

Each run is walked through the real engine once per shape (a closed run of
the hotline outage, an unfinished gas-leak report) on a fake clock; every run
of the history then replays that shape's events through `AuditWriter.append`
(the writer's own record building, canonical form, hashing and line format)
under its own run id, operator and start time, each first record linked to the
run file before it as `create_run` links them. Only the per-line fsync is
skipped (and `create_run`'s scan of the directory for the previous run, which
is quadratic over 10,000 files): the bytes are those the app would write. A
sample of the files is then checked with `verify_log`, and the directory's
unfinished runs with `find_open_runs`.

    python benchmarks/history.py DIR [--closed N] [--open N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CLOSED_PLAYBOOK = "hotline_system_failure"
OPEN_PLAYBOOK = "gas_accident_report"
BASE = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
RUN_SPACING = timedelta(minutes=13)
"""Start of one run to the next (10,020 runs span about three months)."""


def walk(library: Any, playbook_id: str, closed: bool, max_steps: int = 4) -> list[tuple[str, dict[str, Any], float]]:
    """A run of ``playbook_id`` through the engine: its events as (type, data,
    seconds after the start). Calls are answered, checklists ticked, the first
    choice taken, a note now and then; a closed run ends with ``run_ended``."""
    from ehplan.engine import commands as c
    from ehplan.engine.clock import FakeClock
    from ehplan.engine.memory import MemoryRun
    from ehplan.engine.messages import Refused
    from ehplan.playbook.models import ChecklistStep, DecisionStep, EndStep, NotifyStep

    clock = FakeClock(BASE)
    run = MemoryRun(library, clock)
    run.do(c.StartRun(playbook_id, "template", "template"))
    for n in range(max_steps):
        step = library.playbook(run.state.playbook).step(run.state.step)
        clock.advance(25)
        try:
            if isinstance(step, EndStep):
                break
            if isinstance(step, NotifyStep):
                for contact in step.notify:
                    run.do(c.LogContact(contact, "answered"))
                    clock.advance(40)
                run.do(c.Continue())
            elif isinstance(step, ChecklistStep):
                for item in step.items:
                    run.do(c.TickItem(item.id))
                    clock.advance(10)
                run.do(c.Continue())
            elif isinstance(step, DecisionStep):
                run.do(c.Choose(step.choices[0].id))
            else:
                run.do(c.Continue())
        except Refused:  # a record step wants values: the walk stops there, as a real one might
            for k in range(3):
                clock.advance(20)
                run.do(c.AddNote(f"記錄 {k}: caller at the meter box, no smell outside"))
            break
        if n % 2:
            clock.advance(15)
            run.do(c.AddNote(f"第 {n} 步 note: caller says the smell is stronger near the meter"))
    if closed:
        clock.advance(60)
        run.do(c.EndRun(confirm=True))
    return [(e.type, dict(e.data), (datetime.fromisoformat(e.ts) - BASE).total_seconds()) for e in run.log]


@contextlib.contextmanager
def no_fsync() -> Iterator[None]:
    """The writer's appends without their fsync (only while the reference runs are written)."""
    original = os.fsync
    os.fsync = lambda fd: None  # type: ignore[assignment]
    try:
        yield
    finally:
        os.fsync = original


Shape = list[tuple[str, dict[str, Any], float]]


def run_lines(shape: Shape, run_id: str, operator: str, start: datetime,
              link: dict[str, Any] | None) -> tuple[bytes, str, int]:
    """One run's file content, built the way `AuditWriter.build` builds each
    record (canonical body, its hash, the canonical line), without a writer per
    record; the file's bytes, its last hash and its record count."""
    from ehplan.audit import GENESIS
    from ehplan.audit.canonical import alg_for, canonical_bytes, hash_bytes
    from ehplan.audit.record import FORMAT_VERSION, format_ts

    prev, lines, alg = GENESIS, [], alg_for(None)
    for seq, (event_type, data, offset) in enumerate(shape):
        if seq == 0:
            data = {**data, "run": run_id, "operator": operator, "prev_run": link}
        body = {"v": FORMAT_VERSION, "seq": seq, "ts": format_ts(start + timedelta(seconds=offset)),
                "run": run_id, "operator": operator, "mode": "live", "type": event_type, "data": data,
                "prev": prev, "alg": alg}
        prev = hash_bytes(canonical_bytes(body), None)
        lines.append(canonical_bytes({**body, "hash": prev}) + b"\n")
    return b"".join(lines), prev, len(lines)


def writer_bytes(shape: Shape, run_id: str, operator: str, start: datetime, link: dict[str, Any] | None,
                 directory: Path) -> bytes:
    """The same run written by the real `AuditWriter.append` (fsync skipped): the reference."""
    from ehplan.audit import GENESIS, AuditWriter, run_file_name

    path = directory / run_file_name(start, run_id)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
    writer = AuditWriter(path, fd, run=run_id, operator=operator, mode="live", key=None,
                         last_hash=GENESIS, next_seq=0)
    try:
        with no_fsync():
            for seq, (event_type, data, offset) in enumerate(shape):
                if seq == 0:
                    data = {**data, "run": run_id, "operator": operator, "prev_run": link}
                writer.append(event_type, data, start + timedelta(seconds=offset))
    finally:
        os.close(fd)
    return path.read_bytes()


def write_history(log_dir: Path, closed: int = 10_000, unfinished: int = 20, *,
                  verify_sample: int = 60) -> dict[str, Any]:
    """Write ``closed`` + ``unfinished`` chained runs into the new ``log_dir``;
    the unfinished ones are spread evenly through the history. Returns what
    was written and what the checks found (raises if a check fails)."""
    import tempfile

    from ehplan import resources
    from ehplan.audit import find_open_runs, run_file_name, verify_log
    from ehplan.library import load_library

    t0 = time.perf_counter()
    library = load_library([resources.playbooks_dir(None)], resources.data_dir(None))
    shapes = {True: walk(library, CLOSED_PLAYBOOK, True), False: walk(library, OPEN_PLAYBOOK, False)}
    assert shapes[True][-1][0] == "run_ended" and shapes[False][-1][0] != "run_ended"
    total = closed + unfinished
    every = total // unfinished if unfinished else 0
    open_at = {i * every + every // 2 for i in range(unfinished)}
    log_dir.mkdir(mode=0o700, parents=True)
    link: dict[str, Any] | None = None
    paths: list[Path] = []
    records = size = 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    checked: set[bool] = set()
    with tempfile.TemporaryDirectory(prefix="ehplan-history-ref-") as ref:
        for i in range(total):
            is_closed = i not in open_at
            run_id, operator = f"h{i:05d}", ("陳小明", "Ann Lee", "王大文")[i % 3]
            start = BASE + i * RUN_SPACING
            content, last_hash, count = run_lines(shapes[is_closed], run_id, operator, start, link)
            if is_closed not in checked:  # the first of each shape: byte for byte what the writer writes
                if content != writer_bytes(shapes[is_closed], run_id, operator, start, link, Path(ref)):
                    raise RuntimeError("the history's lines differ from what AuditWriter.append writes")
                checked.add(is_closed)
            path = log_dir / run_file_name(start, run_id)
            fd = os.open(path, flags, 0o600)
            try:
                os.write(fd, content)
            finally:
                os.close(fd)
            link = {"file": path.name, "hash": last_hash}
            records += count
            size += len(content)
            paths.append(path)
    t_written = time.perf_counter()
    rng = random.Random(12)
    sample = sorted({0, total - 1, *open_at, *rng.sample(range(total), min(verify_sample, total))})
    bad = [paths[i].name for i in sample if not verify_log(paths[i], None, split=False).ok]
    if bad:
        raise RuntimeError(f"generated logs do not verify: {bad[:5]}")
    t_verified = time.perf_counter()
    found = find_open_runs(log_dir)
    t_found = time.perf_counter()
    expected = {paths[i] for i in open_at}
    if set(found) != expected:
        raise RuntimeError(f"find_open_runs found {len(found)} unfinished runs, expected {len(expected)}")
    return {"dir": str(log_dir), "closed": closed, "unfinished": unfinished, "records": records,
            "bytes": size, "events_per_closed_run": len(shapes[True]),
            "events_per_unfinished_run": len(shapes[False]),
            "write_s": t_written - t0, "verified_files": len(sample), "verify_s": t_verified - t_written,
            "find_open_runs_ms": (t_found - t_verified) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path)
    parser.add_argument("--closed", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=20)
    args = parser.parse_args()
    print(write_history(args.dir, args.closed, args.open), file=sys.stderr)


if __name__ == "__main__":
    main()
