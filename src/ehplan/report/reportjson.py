"""The schema of `ehplan report --format json` (`ReportJson`, published as
schemas/report.schema.json): what `ehplan.report.formats.to_json` writes.
Apart from the formats so that writing a report builds no pydantic model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _PlaybookSet(_Strict):
    count: int
    hash: str


class _Version(_Strict):
    playbook: str
    status: str


class _Header(_Strict):
    run: str
    playbook: str
    playbook_title: str
    operator: str
    mode: str
    clock_scale: int
    scenario: str | None
    started: str | None
    ended: str | None
    duration_s: int | None
    outcome: str | None
    utc_offset: str
    plan: str
    playbook_set: _PlaybookSet
    reconstructed: list[str]
    versions: list[_Version]


class _Deadline(_Strict):
    timer: str
    label: str
    kind: str
    verdict: str
    duration_s: int
    rule: str
    started: str
    due: str
    done: str | None
    started_s: float
    due_s: float
    done_s: float | None
    started_seq: int
    done_seq: int | None


class _Moment(_Strict):
    seq: int
    elapsed_s: float
    time: str
    type: str
    text: str


class _Call(_Strict):
    seq: int
    contact: str
    name: str
    number: str | None
    outcome: str
    time: str


class _Note(_Strict):
    seq: int
    time: str
    step: str
    text: str


class _Override(_Strict):
    seq: int
    time: str
    step: str
    step_title: str
    reason: str


class _FollowUp(_Strict):
    seq: int
    due: str
    text: str


class _Item(_Strict):
    category: str
    ref: str
    label: str
    done: bool
    evidence: list[int]


class _Deviation(_Strict):
    kind: str
    grade: str
    ref: str
    label: str
    detail: str
    evidence: list[int]


class _Compliance(_Strict):
    done: int
    applicable: int
    percent: int
    items: list[_Item]
    deviations: list[_Deviation]


class _ScoreLine(_Strict):
    label: str
    points: int
    possible: int
    note: str
    item: str | None = None
    """The ``ref`` of the compliance item (a deadline, an expectation) or deviation (a skipped step) these
    points are of: the drill's points are read off the compliance score's items."""
    seq: int | None = None
    """The record that shows it (met, late, missed, the choice or the override), if any."""


class _DrillScore(_Strict):
    points: int
    possible: int
    percent: int
    lines: list[_ScoreLine]


class _Integrity(_Strict):
    log: str
    records: int
    final_hash: str
    torn_tail: bool
    hmac_checked: bool


class ReportJson(_Strict):
    """`ehplan report --format json`: one run's after-action report. Times are
    the plan's local time (``header.utc_offset``); every ``seq`` is a record of
    the verified log, the evidence an auditor can check."""

    format: str
    version: int
    lang: str
    header: _Header
    deadlines: list[_Deadline]
    timeline: list[_Moment]
    calls: list[_Call]
    notes: list[_Note]
    overrides: list[_Override]
    followups: list[_FollowUp]
    still_open: list[str]
    compliance: _Compliance | None
    drill_score: _DrillScore | None
    integrity: _Integrity
