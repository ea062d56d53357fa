"""The index of runs: one row per run file (start, end, playbook, operator, live
or drill, outcome, deadlines, events, integrity), kept in a cache keyed by each
file's size and modification time, so that only files that changed are read
again. Pure but for the cache file; every row comes from verifying and folding
the log itself."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ehplan import resources
from ehplan.audit.runfiles import run_files

if TYPE_CHECKING:
    from ehplan.audit.verify import Known

INDEX_VERSION = 1
INDEX_MAX_BYTES = 256 * 1024 * 1024
PARALLEL_MIN_RUNS = 64
"""Fewer runs to read than this are read in this process: a worker costs more."""
CHUNK = 32
MAX_CHUNK = 256
"""Runs a worker reads per task, at least and at most (about eight tasks each)."""


@dataclass(frozen=True)
class RunRow:
    """What `ehplan runs` shows of one run (and `--json` prints, these keys exactly)."""

    file: str
    """The run file's absolute path."""
    run: str
    start: str
    """The first record's time, as logged (RFC 3339 with its offset)."""
    end: str | None
    """When the run ended, or None: unfinished."""
    playbook: str
    operator: str
    mode: str
    outcome: str
    """The end step's outcome, ended_early, or "" while unfinished."""
    deadlines_met: int
    deadlines_late: int
    deadlines_missed: int
    events: int
    integrity: str
    """intact, tampered, torn tail, previous-run link broken, unreadable, needs its key, or malformed."""
    bad_seq: int | None
    """Where the integrity finding is, when it is at a seq."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def missed(self) -> bool:
        """A deadline of this run was missed (not met at all)."""
        return self.deadlines_missed > 0


def row_for(path: Path, key: bytes | None = None) -> RunRow:
    """Verify and fold one run file into its row (never raises for a bad file)."""
    return _read_row(Path(path).absolute(), key, None)[0]


def _read_row(path: Path, key: bytes | None, known: Known | None) -> tuple[RunRow, Known | None]:
    """The row of an absolute path, in one pass (the fold takes the records the
    check kept: its valid prefix, what the row may say of the run), and what a
    run linked to this one can be checked against (see `verify_reading`)."""
    from ehplan.audit import AuditRecord
    from ehplan.audit.verify import verify_reading
    from ehplan.engine.fold import FoldError, fold
    from ehplan.report.summary import verdict

    kept: list[dict[str, Any]] = []
    result = verify_reading(path, key, kept.append, known=known)
    mine = (path, result.final_hash) if result.final_hash is not None else None
    integrity = result.verdict
    if result.unreadable or result.needs_key:
        return RunRow(str(path), "", "", None, "", "", "", "", 0, 0, 0, 0, integrity, None), mine
    bad_seq = result.first_bad_seq
    records = [AuditRecord(**raw) for raw in kept]
    if not records:
        return RunRow(str(path), "", "", None, "", "", "", "", 0, 0, 0, 0, integrity, bad_seq), mine
    try:
        state = fold(records)
    except FoldError as exc:  # an intact chain whose content is malformed: still listed, as such
        return RunRow(str(path), records[0].run, records[0].ts, None, "", "", "", "", 0, 0, 0, len(records),
                      "malformed", _seq_of(str(exc))), mine
    escalated = {key for key, _step, _ts in state.escalations}
    verdicts = [verdict(t.kind, t.status, t.late, t.key in escalated) for t in state.timers.values()
                if t.kind == "deadline"]
    return RunRow(
        file=str(path), run=state.run_id, start=records[0].ts, end=records[-1].ts if state.ended else None,
        playbook=state.root_playbook, operator=state.operator, mode=state.mode, outcome=state.outcome,
        deadlines_met=verdicts.count("met"), deadlines_late=verdicts.count("met_late"),
        deadlines_missed=verdicts.count("missed"), events=len(records), integrity=integrity, bad_seq=bad_seq,
    ), mine


def rows_in_order(paths: list[Path], key: bytes | None = None) -> list[RunRow]:
    """The row of each absolute path in turn; a run's link to the file read just
    before it is answered from that file's own check (a desk's runs, sorted,
    are linked so), the verdict the same as alone."""
    rows = []
    known: Known | None = None
    for path in paths:
        row, known = _read_row(path, key, known)
        rows.append(row)
    return rows


def read_rows(paths: list[Path], key: bytes | None = None,
              progress: Callable[[int], object] | None = None) -> list[RunRow]:
    """The rows of absolute paths, in order, on every core when there are many
    (each worker takes runs of neighbours, so links are answered as above)."""
    jobs = os.cpu_count() or 1
    if jobs < 2 or len(paths) < PARALLEL_MIN_RUNS or not hasattr(os, "fork"):
        rows = []
        for chunk in _chunks(paths, CHUNK):
            rows.extend(rows_in_order(chunk, key))
            if progress is not None:
                progress(len(chunk))
        return rows
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    chunks = _chunks(paths, max(CHUNK, min(MAX_CHUNK, len(paths) // (jobs * 8))))
    by_chunk: dict[int, list[RunRow]] = {}
    with ProcessPoolExecutor(jobs, mp_context=get_context("fork")) as pool:
        futures = {pool.submit(rows_in_order, chunk, key): i for i, chunk in enumerate(chunks)}
        for future in as_completed(futures):
            by_chunk[futures[future]] = future.result()
            if progress is not None:
                progress(len(by_chunk[futures[future]]))
    return [row for i in range(len(chunks)) for row in by_chunk[i]]


def _chunks(paths: list[Path], size: int) -> list[list[Path]]:
    return [paths[i : i + size] for i in range(0, len(paths), size)]


def _seq_of(message: str) -> int | None:
    head = message.split(":", 1)[0]
    return int(head[4:]) if head.startswith("seq ") and head[4:].isdigit() else None


def index_path() -> Path:
    """Where the index is cached (0600), beside the picker's catalog."""
    return resources.cache_dir() / "runs-index.json"


def _load_index(path: Path) -> dict[str, Any]:
    from ehplan.safeio import read_regular

    try:
        raw = json.loads(read_regular(path, INDEX_MAX_BYTES).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict) or raw.get("version") != INDEX_VERSION or not isinstance(raw.get("runs"), dict):
        return {}
    runs: dict[str, Any] = raw["runs"]
    return runs


_ROW_KEYS = {f.name for f in fields(RunRow)}


def _cached_row(entry: Any, size: int, mtime_ns: int) -> RunRow | None:
    if not isinstance(entry, dict) or entry.get("size") != size or entry.get("mtime_ns") != mtime_ns:
        return None
    row = entry.get("row")
    if not isinstance(row, dict) or set(row) != _ROW_KEYS:
        return None
    try:
        return RunRow(**row)
    except TypeError:
        return None


def index_runs(directories: Iterable[Path], key: bytes | None = None, *, cache: Path | None = None,
               progress: Callable[[int], object] | None = None,
               on_total: Callable[[int], object] | None = None) -> list[RunRow]:
    """Every run of the directories, newest first, from the cache where a file is
    unchanged (same size and modification time) and read again where not."""
    cache = cache or index_path()
    known = _load_index(cache)
    rows: list[RunRow] = []
    stale: list[tuple[Path, int, int]] = []
    scanned = {str(Path(directory).absolute()) for directory in directories}
    seen: set[str] = set()
    for directory in directories:
        for path in run_files(Path(directory)):
            absolute = path.absolute()
            seen.add(str(absolute))
            try:
                info = os.stat(absolute)
            except OSError:
                continue
            row = _cached_row(known.get(str(absolute)), info.st_size, info.st_mtime_ns)
            if row is None:
                stale.append((absolute, info.st_size, info.st_mtime_ns))
            else:
                rows.append(row)
    if on_total is not None:
        on_total(len(stale))
    fresh = read_rows([absolute for absolute, _size, _mtime in stale], key, progress)
    for (absolute, size, mtime_ns), row in zip(stale, fresh, strict=True):
        rows.append(row)
        known[str(absolute)] = {"size": size, "mtime_ns": mtime_ns, "row": row.to_json()}
    gone = [name for name in known if os.path.dirname(name) in scanned and name not in seen]
    for name in gone:  # a run file removed from a directory looked at: forget it
        del known[name]
    if stale or gone:
        _save_index(cache, known)
    return sorted(rows, key=lambda r: (r.start, r.file), reverse=True)


def _save_index(cache: Path, runs: dict[str, Any]) -> None:
    """Best effort: an index that cannot be written only costs reading again next time."""
    from ehplan.safeio import write_private

    try:
        cache.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(cache, json.dumps({"version": INDEX_VERSION, "runs": runs}, ensure_ascii=False)
                      .encode("utf-8"))
    except OSError:
        pass
