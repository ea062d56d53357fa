"""Property tests: any float-free data round-trips; any single-byte change is caught."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ehplan.audit import create_run, open_run, read_log, verify_log

NOW = datetime(2026, 11, 28, 13, 5, 7, 123000, tzinfo=timezone(timedelta(hours=8)))

texts = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Lo", "So", "Zs"])),
    st.sampled_from(["[bold]", "[/", "[red]x[/red]", "\x1b[31m", "\u202eevil", "燃氣洩漏", "\0"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)
events = st.lists(
    st.tuples(texts.filter(bool), st.dictionaries(texts, json_values, max_size=4)),
    max_size=6,
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(first=st.dictionaries(texts, json_values, max_size=3), appended=events)
def test_appends_read_back_equal_and_verify(
    first: dict[str, Any], appended: list[tuple[str, dict[str, Any]]]
) -> None:
    first = {k: v for k, v in first.items() if k != "prev_run"}
    with tempfile.TemporaryDirectory() as tmp:
        with create_run(Path(tmp), "r", "操作員\x1b", "drill", "start", first, NOW) as writer:
            written = [writer.append(kind, data, NOW) for kind, data in appended]
        records, damage = read_log(writer.path)
        assert damage is None
        assert records[1:] == written
        assert [(r.type, r.data) for r in records[1:]] == appended
        assert records[0].data == {**first, "prev_run": None}
        assert writer.path.read_bytes().isascii()
        result = verify_log(writer.path)
        assert result.ok and result.records == len(appended) + 1


def _sample_log() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        with create_run(Path(tmp), "r", "op", "live", "start", {"k": "值"}, NOW) as writer:
            writer.append("note", {"text": "é [b] \x07", "n": [1, -2, None, True]}, NOW)
            writer.append("note", {"text": "😀", "deep": {"a": {"b": "c"}}}, NOW)
            writer.append("run_ended", {}, NOW)
        return writer.path.read_bytes()


SAMPLE = _sample_log()
LAST_LINE_START = SAMPLE.rstrip(b"\n").rfind(b"\n") + 1


@settings(max_examples=400, deadline=None)
@given(position=st.integers(0, len(SAMPLE) - 1), flip=st.integers(1, 255))
def test_any_single_byte_change_is_detected(position: int, flip: int) -> None:
    damaged = bytearray(SAMPLE)
    damaged[position] ^= flip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.jsonl"
        path.write_bytes(bytes(damaged))
        result = verify_log(path)
        records, damage = read_log(path)
    assert not result.ok and result.reason
    assert damage is not None
    if position < LAST_LINE_START - 1:  # not the last line nor the newline before it
        assert not result.torn_tail


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(LAST_LINE_START, len(SAMPLE) - 1), padding=st.integers(0, 64))
def test_any_cut_in_the_last_line_is_recovered(cut: int, padding: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "20261128T050507Z-r.jsonl"
        tail = SAMPLE[LAST_LINE_START:cut] + b"\0" * padding
        path.write_bytes(SAMPLE[:LAST_LINE_START] + tail)
        result = verify_log(path)
        assert result.torn_tail == bool(tail) and result.ok == (not tail)
        writer, recovery = open_run(path)
        with writer:
            assert (recovery.bytes_set_aside if recovery else 0) == len(tail)
            writer.append("recovered", {}, NOW)
        assert verify_log(path).ok


def test_a_float_then_broken_json_is_one_verdict_not_a_traceback(tmp_path: Path) -> None:
    """Hypothesis found it (position 389, flip 16): the scanner meets a number it
    takes for a float, then the line is not JSON at all; both readers say so."""
    damaged = bytearray(SAMPLE)
    damaged[389] ^= 16
    path = tmp_path / "run.jsonl"
    path.write_bytes(bytes(damaged))
    result = verify_log(path)
    assert not result.ok and "not valid JSON" in result.reason
    _records, damage = read_log(path)
    assert damage is not None
