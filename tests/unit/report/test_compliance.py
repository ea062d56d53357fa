"""The compliance score's out-of-order rule (docs/compliance.md, "Out of order"),
on real logs written through the engine: the work of a step done only after
the run passed the step is graded, with the seqs of the step's entry, of the
override and of the late call or value; the same work done in its place, or
during an escalation detour that comes back to the step, is not."""

from __future__ import annotations

from pathlib import Path

from fixture_runs import T0

from ehplan.audit import read_log, verify_log
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.library import Library
from ehplan.report.afteraction import Integrity, build_report
from ehplan.report.compliance import Compliance
from ehplan.session import Session


def _run(library: Library, log_dir: Path, *commands: c.Command | float) -> tuple[Compliance, list]:  # type: ignore[type-arg]
    """Run ``commands`` (a number advances the clock that many seconds); the compliance and the records."""
    clock = FakeClock(T0)
    session = Session.start(library, log_dir, c.StartRun("example", "r", "Ann", "live", "en"), clock)
    for command in commands:
        if isinstance(command, int | float):
            clock.advance(command)
        else:
            session.execute(command)
    session.close()
    records, _ = read_log(session.path)
    result = verify_log(session.path)
    assert result.ok and result.final_hash is not None
    report = build_report(records, library, Integrity(str(session.path), result.records, result.final_hash))
    assert report.compliance is not None
    return report.compliance, list(records)


def _seq(records: list, kind: str, **data: object) -> int:  # type: ignore[type-arg]
    """The seq of the first record of type ``kind`` whose data holds ``data``."""
    return next(r.seq for r in records if r.type == kind and all(r.data.get(k) == v for k, v in data.items()))


TO_CALL = (c.Continue(), c.TickItem("explain"), c.TickItem("divert"), c.Continue())
"""From the start to the notify step (call_it, which needs the IT centre)."""


def test_a_call_made_only_after_its_step_was_skipped_is_out_of_order(report_library, tmp_path):
    compliance, records = _run(report_library, tmp_path, *TO_CALL, c.LogContact("it_centre", "no_answer"),
                               c.Override("line busy"), c.LogContact("it_centre", "answered"),
                               c.EndRun(confirm=True))
    late = [d for d in compliance.deviations if d.kind == "out_of_order"]
    assert [(d.ref, d.grade) for d in late] == [("example/call_it:it_centre", "minor")]
    entered = _seq(records, "step_entered", step="call_it")
    skipped = _seq(records, "step_overridden", step="call_it")
    called = _seq(records, "contact_logged", outcome="answered")
    assert late[0].evidence == (entered, skipped, called) and entered < skipped < called
    assert "IT centre" in late[0].label
    assert any(d.kind == "skipped" for d in compliance.deviations)  # the skip is graded on its own


def test_a_call_made_in_its_place_is_not_out_of_order_even_if_the_step_is_then_skipped(report_library, tmp_path):
    compliance, _ = _run(report_library, tmp_path, *TO_CALL, c.LogContact("it_centre", "answered"),
                         c.Override("skipped anyway"), c.EndRun(confirm=True))
    assert "out_of_order" not in {d.kind for d in compliance.deviations}
    assert "skipped" in {d.kind for d in compliance.deviations}


def test_a_call_never_made_is_not_made_not_out_of_order(report_library, tmp_path):
    compliance, _ = _run(report_library, tmp_path, *TO_CALL, c.Override("line busy"))
    kinds = {d.kind for d in compliance.deviations}
    assert "call_not_made" in kinds and "out_of_order" not in kinds


def test_a_call_made_during_an_escalation_detour_back_to_its_step_is_in_order(report_library, tmp_path):
    compliance, records = _run(report_library, tmp_path, *TO_CALL, 1801.0, c.Tick(),  # repair over 30 minutes
                               c.LogContact("it_centre", "answered"), c.Continue(), c.Continue(),
                               c.EndRun(confirm=True))
    assert any(r.type == "step_entered" and r.data["via"] == "escalation" for r in records)
    assert _seq(records, "step_entered", step="call_it", via="return") > 0  # back to the notify step
    assert "out_of_order" not in {d.kind for d in compliance.deviations}


def test_a_required_value_recorded_after_its_step_was_skipped_is_out_of_order(report_library, tmp_path):
    compliance, records = _run(report_library, tmp_path, *TO_CALL, c.LogContact("it_centre", "answered"),
                               c.Continue(), c.SetField("loss_yuan", "100"), c.Override("caller hung up"),
                               c.SetField("reporter_phone", "110"), c.SetField("remark", "later"),
                               c.Choose("yes_fixed"), c.EndRun(confirm=True))
    late = [d for d in compliance.deviations if d.kind == "out_of_order"]
    # loss_yuan was recorded in its place, remark is not required, place was never recorded
    assert [d.ref for d in late] == ["example/reporter_phone"]
    assert late[0].evidence == (_seq(records, "step_entered", step="amount"),
                                _seq(records, "step_overridden", step="amount"),
                                _seq(records, "field_set", field="reporter_phone"))
    assert late[0].label == "Reporter's phone"


def test_a_run_in_order_has_no_out_of_order_step(report_library, tmp_path):
    compliance, _ = _run(report_library, tmp_path, *TO_CALL, c.LogContact("it_centre", "answered"),
                         c.SetField("reporter_phone", "110"),  # ahead of its step: not out of order
                         c.Continue(), c.SetField("loss_yuan", "100"), c.SetField("place", "1"), c.Continue(),
                         c.Choose("yes_fixed"), c.EndRun())
    assert compliance.deviations == ()
