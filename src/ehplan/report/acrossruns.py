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

from ehplan.engine.state import RunState
from ehplan.library import Library
from ehplan.playbook.models import NotifyStep
from ehplan.report.afteraction import _clock, _label, _Names
from ehplan.report.compliance import ComplianceBuilder
from ehplan.report.summary import plan_calendar
from ehplan.report.vocabulary import verdict
from ehplan.text import Lang

REQUIRED_CALL_OUTCOMES = ("answered", "called")
"""A required call counts as made when it was logged with one of these."""

_DEVIATION_CATEGORY = {"late": "deadline", "missed_deadline": "deadline", "open_deadline": "deadline",
                       "skipped": "step", "call_not_made": "call", "must_not_done": "must_before_end",
                       "corrected_after_branch": "field", "ended_early": "playbook"}


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
        try:
            with no_collection():
                run = load_verified(path, self.key, "left out of the summary", compliance.visit,
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
        return self._facts(str(path), run.state, compliance)

    def _facts(self, file: str, state: RunState, compliance: ComplianceBuilder) -> RunFacts:
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
            deviations=tuple(DeviationFact(d.kind, d.grade, d.ref, d.evidence) for d in score.deviations))


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
        (DeviationRow(kind, grades[(kind, ref)], ref, label(_DEVIATION_CATEGORY.get(kind, ""), ref), len(found),
                      tuple(found)) for (kind, ref), found in deviations.items()),
        key=lambda row: (-row.count, row.kind, row.ref)))
    return AcrossRuns(
        lang=lang, since=since.isoformat() if since else None, until=until.isoformat() if until else None,
        playbook=playbook, drills=drills, files=files, runs=sum(playbooks.values()),
        by_playbook=tuple(Count(p, names.playbook(p), n) for p, n in sorted(playbooks.items(),
                                                                           key=lambda kv: (-kv[1], kv[0]))),
        by_month=tuple(Count(m, m, n) for m, n in sorted(months.items())),
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
               progress: Callable[[int], object] | None = None) -> list[RunFacts]:
    """Each run file's facts, in the order given: one verified load each, every
    run verified every time (no cache can vouch for a log it did not read),
    shared out over ``jobs`` processes (default: every core) when there are many."""
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
