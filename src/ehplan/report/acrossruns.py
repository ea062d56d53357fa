"""The summary across runs (`ehplan report --summary`): runs per playbook and
per month, each deadline's limit met / late / missed, the time from a run's
start to its first required call, the most frequent deviations, and the runs
that did not verify, listed and left out of every figure. Each run is read
once (`load_verified`, folded as it is verified, no entries kept) and reduced
to its `RunFacts`; the summary is a linear pass over those. Every figure keeps
the run files and seqs behind it. Pure but for reading the logs."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ehplan.engine import events as ev
from ehplan.engine.state import RunState
from ehplan.library import Library
from ehplan.playbook.models import NotifyStep
from ehplan.report.afteraction import _clock, _label, _Names
from ehplan.report.compliance import ComplianceBuilder, deviation_category
from ehplan.report.summary import plan_calendar
from ehplan.report.vocabulary import verdict
from ehplan.text import Lang

REQUIRED_CALL_OUTCOMES = ("answered", "called")
"""A required call counts as made when it was logged with one of these."""



@dataclass(frozen=True, slots=True)
class DeadlineFact:
    key: str
    duration_s: int
    verdict: str
    """met, met_late, missed or open."""
    evidence: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DeviationFact:
    kind: str
    grade: str
    ref: str
    evidence: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What the summary needs of one run file."""

    file: str
    integrity: str
    """intact, or why the run is left out (tampered, torn tail, previous-run link broken, unreadable…)."""
    reason: str = ""
    bad_seq: int | None = None
    run: str = ""
    playbook: str = ""
    operator: str = ""
    mode: str = ""
    local_start: str = ""
    """'YYYY-MM-DD HH:MM:SS' in the plan's local time."""
    deadlines: tuple[DeadlineFact, ...] = ()
    first_call_s: float | None = None
    first_call_seq: int | None = None
    deviations: tuple[DeviationFact, ...] = ()
    prev_file: str | None = None
    """The previous run's file its first record links to (its verdict depends on that file too)."""

    @property
    def verified(self) -> bool:
        return self.integrity == "intact"


def _required_contacts(library: Library, playbook_id: str, known: dict[str, frozenset[str]]) -> frozenset[str]:
    found = known.get(playbook_id)
    if found is None:
        entry = library.playbooks.get(playbook_id)
        steps = entry.playbook.steps if entry is not None else []
        found = known[playbook_id] = frozenset(c for s in steps if isinstance(s, NotifyStep) for c in s.notify)
    return found


class FactReader:
    """Reads runs into `RunFacts`, sharing what every run looks up (the plan's
    zone, the contacts each playbook's steps require)."""

    def __init__(self, library: Library, key: bytes | None = None) -> None:
        self.library, self.key = library, key
        self.at = _clock(plan_calendar(library).zone)
        self.required: dict[str, frozenset[str]] = {}

    def read(self, path: Path) -> RunFacts:
        from ehplan.audit import verify_log
        from ehplan.engine.fold import FoldError
        from ehplan.verified import LogRefused, load_verified, no_collection

        compliance = ComplianceBuilder(self.library)
        link: list[str] = []

        def visit(entry: ev.Entry, before: RunState, after: RunState) -> None:
            if entry.seq == 0 and isinstance(entry.event, ev.RunStarted) and entry.event.prev_run:
                link.append(str(entry.event.prev_run.get("file", "")))
            compliance.visit(entry, before, after)

        try:
            with no_collection():
                run = load_verified(path, self.key, "left out of the summary", visit,
                                    keep_entries=lambda _first: False)
        except LogRefused as refused:
            result = verify_log(path, self.key)
            integrity = result.verdict if not result.ok else "malformed"
            return RunFacts(str(path), integrity, refused.message, result.first_bad_seq)
        except (FoldError, KeyError, ValueError) as exc:
            return RunFacts(str(path), "malformed", f"{path}: cannot fold this log: {exc}")
        if not run.integrity.ok:  # a torn tail: readable, but not a verified record of the whole run
            return RunFacts(str(path), run.integrity.verdict, f"{path}: {run.integrity.reason}",
                            run.integrity.first_bad_seq)
        return self._facts(str(path), run.state, compliance, link[0] if link else None)

    def _facts(self, file: str, state: RunState, compliance: ComplianceBuilder, prev_file: str | None) -> RunFacts:
        escalated = {key for key, _step, _ts in state.escalations}
        deadlines = tuple(
            DeadlineFact(t.key, t.duration_s, verdict(t.kind, t.status, t.late, t.key in escalated),
                         tuple(compliance.timer_seqs.get(t.key, ())))
            for t in sorted(state.timers.values(), key=lambda t: t.started_at) if t.kind == "deadline")
        required: set[str] = set()
        for playbook_id in state.playbook_versions or {state.root_playbook: ""}:
            required |= _required_contacts(self.library, playbook_id, self.required)
        first_s = first_seq = None
        start = state.started_at
        for call in state.contacts:
            if call.contact in required and call.outcome in REQUIRED_CALL_OUTCOMES and start is not None:
                first_s = (dt.datetime.fromisoformat(call.ts) - start).total_seconds()
                first_seq = call.seq
                break
        score = compliance.finish(state)
        return RunFacts(
            file=file, integrity="intact", run=state.run_id, playbook=state.root_playbook, operator=state.operator,
            mode=state.mode, local_start=self.at(state.started_at) if state.started_at else "",
            deadlines=deadlines, first_call_s=first_s, first_call_seq=first_seq,
            deviations=tuple(DeviationFact(d.kind, d.grade, d.ref, d.evidence) for d in score.deviations),
            prev_file=prev_file)


# --- the summary ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """A run behind a figure, and the seqs in its log that show it."""

    file: str
    run: str
    seqs: tuple[int, ...]
    verdict: str = ""


@dataclass(frozen=True, slots=True)
class Count:
    key: str
    label: str
    runs: int


@dataclass(frozen=True, slots=True)
class PlaybookMonths:
    """One playbook's runs in each month of the summary (`AcrossRuns.months`, in that order)."""

    key: str
    label: str
    months: tuple[int, ...]
    total: int
    evidence: tuple[tuple[Evidence, ...], ...]
    """For each month, the runs counted in it (the run_started record, seq 0, says its playbook and start)."""


@dataclass(frozen=True, slots=True)
class LimitRow:
    """One deadline at one limit (a workday's 15 minutes and a holiday's 45 are two rows)."""

    key: str
    label: str
    duration_s: int
    met: int
    late: int
    missed: int
    open: int
    evidence: tuple[Evidence, ...]
    """The runs where it was met late, missed or left open."""

    @property
    def total(self) -> int:
        return self.met + self.late + self.missed + self.open

    @property
    def percent(self) -> float:
        """Met on time, out of every run that started this timer at this limit."""
        return round(100 * self.met / self.total, 1) if self.total else 0.0


@dataclass(frozen=True, slots=True)
class CallTimes:
    """Seconds from a run's start to its first required call."""

    runs: int
    """Runs with such a call."""
    without: int
    """Runs without one (no required call logged answered or called)."""
    median_s: float | None
    p90_s: float | None
    evidence: tuple[Evidence, ...]
    """Each run's first required call (its seq)."""
    times: tuple[float, ...] = ()
    """Each of those runs' seconds, in the same order."""


@dataclass(frozen=True, slots=True)
class DeviationRow:
    kind: str
    grade: str
    ref: str
    label: str
    count: int
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Unverified:
    file: str
    integrity: str
    bad_seq: int | None
    reason: str


@dataclass(frozen=True)
class AcrossRuns:
    """The summary as data, in ``lang``."""

    lang: Lang
    since: str | None
    until: str | None
    playbook: str | None
    drills: bool
    files: int
    """Run files read."""
    runs: int
    """Verified runs the figures are made of (after the filters)."""
    by_playbook: tuple[Count, ...]
    by_month: tuple[Count, ...]
    by_playbook_month: tuple[PlaybookMonths, ...]
    """Runs per playbook and month: one row per playbook (in `by_playbook`'s order), one count per month of
    `by_month`."""
    limits: tuple[LimitRow, ...]
    calls: CallTimes
    deviations: tuple[DeviationRow, ...]
    unverified: tuple[Unverified, ...]
    utc_offset: str


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of them at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    ordered, half = sorted(values), len(values) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def summarize_runs(facts: Iterable[RunFacts], library: Library, lang: Lang, *, since: dt.date | None = None,
                   until: dt.date | None = None, playbook: str | None = None, drills: bool = False) -> AcrossRuns:
    """The summary of the runs' facts. Runs that did not verify are listed and
    left out (all of them: what such a log says of its date or playbook cannot
    be trusted to filter by); the filters apply to the rest."""
    names = _Names(library, lang)
    label: Callable[[str, str], str] = lambda category, ref: _label(names, category, ref)  # noqa: E731
    files = 0
    unverified: list[Unverified] = []
    playbooks: Counter[str] = Counter()
    months: Counter[str] = Counter()
    cells: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    limits: dict[tuple[str, int], list[int]] = {}
    limit_evidence: dict[tuple[str, int], list[Evidence]] = defaultdict(list)
    deviations: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    grades: dict[tuple[str, str], str] = {}
    calls: list[float] = []
    call_evidence: list[Evidence] = []
    without = 0
    slot = {"met": 0, "met_late": 1, "missed": 2, "open": 3}
    for run in facts:
        files += 1
        if not run.verified:
            unverified.append(Unverified(run.file, run.integrity, run.bad_seq, run.reason))
            continue
        day = run.local_start[:10]
        if (not drills and run.mode == "drill") or (playbook is not None and run.playbook != playbook) \
                or (since is not None and day < since.isoformat()) or (until is not None and day > until.isoformat()):
            continue
        playbooks[run.playbook] += 1
        months[run.local_start[:7]] += 1
        cells[(run.playbook, run.local_start[:7])].append(Evidence(run.file, run.run, (0,)))
        for d in run.deadlines:
            counts = limits.setdefault((d.key, d.duration_s), [0, 0, 0, 0])
            counts[slot.get(d.verdict, 3)] += 1
            if d.verdict != "met":
                limit_evidence[(d.key, d.duration_s)].append(Evidence(run.file, run.run, d.evidence, d.verdict))
        if run.first_call_s is None:
            without += 1
        else:
            calls.append(run.first_call_s)
            call_evidence.append(Evidence(run.file, run.run, (run.first_call_seq,)
                                          if run.first_call_seq is not None else ()))
        for v in run.deviations:
            deviations[(v.kind, v.ref)].append(Evidence(run.file, run.run, v.evidence))
            grades[(v.kind, v.ref)] = v.grade
    limit_rows = tuple(
        LimitRow(key, names.timer(key), duration, counts[0], counts[1], counts[2], counts[3],
                 tuple(limit_evidence[(key, duration)]))
        for (key, duration), counts in sorted(limits.items()))
    deviation_rows = tuple(sorted(
        (DeviationRow(kind, grades[(kind, ref)], ref, label(deviation_category(kind, ref), ref), len(found),
                      tuple(found)) for (kind, ref), found in deviations.items()),
        key=lambda row: (-row.count, row.kind, row.ref)))
    playbook_order = sorted(playbooks.items(), key=lambda kv: (-kv[1], kv[0]))
    month_order = sorted(months)
    return AcrossRuns(
        lang=lang, since=since.isoformat() if since else None, until=until.isoformat() if until else None,
        playbook=playbook, drills=drills, files=files, runs=sum(playbooks.values()),
        by_playbook=tuple(Count(p, names.playbook(p), n) for p, n in playbook_order),
        by_month=tuple(Count(m, m, months[m]) for m in month_order),
        by_playbook_month=tuple(
            PlaybookMonths(p, names.playbook(p), tuple(len(cells.get((p, m), ())) for m in month_order), n,
                           tuple(tuple(cells.get((p, m), ())) for m in month_order))
            for p, n in playbook_order),
        limits=limit_rows,
        calls=CallTimes(len(calls), without, median(calls), percentile(calls, 0.9), tuple(call_evidence),
                        tuple(calls)),
        deviations=deviation_rows, unverified=tuple(unverified), utc_offset=plan_calendar(library).utc_offset)


CHUNK = 250
"""Runs per task when many are read on several cores."""

_SHARED: FactReader | None = None
"""The reader a forked worker inherits (the library is not pickled per task)."""


def _read_chunk(paths: list[Path]) -> list[RunFacts]:
    assert _SHARED is not None
    return [_SHARED.read(path) for path in paths]


def read_facts(paths: Sequence[Path], library: Library, key: bytes | None = None, *, jobs: int | None = None,
               progress: Callable[[int], object] | None = None, cache: Path | None = None) -> list[RunFacts]:
    """Each run file's facts, in the order given: one verified load each,
    shared out over ``jobs`` processes (default: every core) when there are
    many. With ``cache``, a run verified intact before is taken from it while
    its file, and the previous run's file it links to, are unchanged: same
    device, inode, size, modification and change time (the change time cannot
    be set back by hand, so an edit with its mtime restored is read again);
    the cache is for these playbooks (their set hash) and this key (its hash) only."""
    if cache is None:
        return _read(paths, library, key, jobs, progress)
    import hashlib

    context = f"{library.set_hash()}:{hashlib.sha256(b'ehplan-summary-key:' + key).hexdigest() if key else 'plain'}"
    known = _load_cache(cache, context)
    out: list[RunFacts | None] = []
    stale: list[int] = []
    stale_paths: list[Path] = []
    for path in paths:
        entry = known.get(str(path))
        facts = _cached(entry, path) if entry is not None else None
        if facts is None:
            stale.append(len(out))
            stale_paths.append(path)
        elif progress is not None:
            progress(1)
        out.append(facts)
    for i, facts in zip(stale, _read(stale_paths, library, key, jobs, progress), strict=True):
        out[i] = facts
        if facts.verified:
            prev = _stat_key(Path(facts.file).parent / facts.prev_file) if facts.prev_file else None
            known[facts.file] = {"stat": _stat_key(Path(facts.file)), "prev": prev, "facts": _encode(facts)}
        else:
            known.pop(facts.file, None)
    if stale:
        _save_cache(cache, context, known)
    return [facts for facts in out if facts is not None]


def _stat_key(path: Path) -> list[int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _cached(entry: Any, path: Path) -> RunFacts | None:
    try:
        facts = _decode(entry["facts"])
        if entry["stat"] != _stat_key(path) or facts.file != str(path):
            return None
        if facts.prev_file is not None and entry["prev"] != _stat_key(path.parent / facts.prev_file):
            return None
        return facts
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _encode(f: RunFacts) -> list[Any]:
    return [f.file, f.run, f.playbook, f.operator, f.mode, f.local_start,
            [[d.key, d.duration_s, d.verdict, list(d.evidence)] for d in f.deadlines], f.first_call_s,
            f.first_call_seq, [[d.kind, d.grade, d.ref, list(d.evidence)] for d in f.deviations], f.prev_file]


def _decode(raw: list[Any]) -> RunFacts:
    (file, run, playbook, operator, mode, local_start, deadlines, first_s, first_seq, deviations, prev) = raw
    return RunFacts(file, "intact", "", None, run, playbook, operator, mode, local_start,
                    tuple(DeadlineFact(k, int(n), v, tuple(e)) for k, n, v, e in deadlines), first_s, first_seq,
                    tuple(DeviationFact(k, g, r, tuple(e)) for k, g, r, e in deviations), prev)


CACHE_VERSION = 2
"""Bumped whenever what a run's facts hold, or the rules that make them, change (2: out-of-order steps
graded): facts a cache kept under other rules are read again, not trusted."""
CACHE_MAX_BYTES = 512 * 1024 * 1024


def _load_cache(cache: Path, context: str) -> dict[str, Any]:
    import json

    from ehplan.safeio import read_regular

    try:
        raw = json.loads(read_regular(cache, CACHE_MAX_BYTES).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict) or raw.get("version") != CACHE_VERSION or raw.get("context") != context \
            or not isinstance(raw.get("runs"), dict):
        return {}
    runs: dict[str, Any] = raw["runs"]
    return runs


def _save_cache(cache: Path, context: str, runs: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written only costs reading again next time."""
    import json

    from ehplan.safeio import write_private

    try:
        cache.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(cache, json.dumps({"version": CACHE_VERSION, "context": context, "runs": runs},
                                        ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    except OSError:
        pass


def _read(paths: Sequence[Path], library: Library, key: bytes | None, jobs: int | None,
          progress: Callable[[int], object] | None) -> list[RunFacts]:
    global _SHARED
    reader = FactReader(library, key)
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or len(paths) <= CHUNK or not hasattr(os, "fork"):
        out = []
        for path in paths:
            out.append(reader.read(path))
            if progress is not None:
                progress(1)
        return out
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    chunks = [list(paths[i:i + CHUNK]) for i in range(0, len(paths), CHUNK)]
    by_chunk: dict[int, list[RunFacts]] = {}
    _SHARED = reader
    try:
        with ProcessPoolExecutor(min(jobs, len(chunks)), mp_context=get_context("fork")) as pool:
            futures = {pool.submit(_read_chunk, chunk): i for i, chunk in enumerate(chunks)}
            for future in as_completed(futures):
                by_chunk[futures[future]] = future.result()
                if progress is not None:
                    progress(len(by_chunk[futures[future]]))
    finally:
        _SHARED = None
    return [facts for i in range(len(chunks)) for facts in by_chunk[i]]
