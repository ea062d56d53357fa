"""Regenerate the golden audit log fixtures: `python tests/data/audit/make_fixtures.py [OUT_DIR]`.

Everything is fixed (clock, run ids, content, key), so the output is
byte-for-byte reproducible; test_audit_fixtures.py checks that it is.
Each case lives in its own directory because verification follows the
`prev_run` link to sibling files.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ehplan.audit import create_run

HERE = Path(__file__).resolve().parent
TZ = timezone(timedelta(hours=8))
START = datetime(2026, 11, 28, 13, 5, 7, 123000, tzinfo=TZ)
KEY = b"ehplan-fixture-key-not-secret"

EVENTS: list[tuple[str, dict[str, object]]] = [
    ("step_entered", {"step": "S5.3.1", "title": "燃氣洩漏 gas leak"}),
    ("recorded", {"field": "location", "value": "[bold]3F hall[/bold]", "floor": 3}),
    ("contact_called", {"contact": "119", "answered": True, "note": None}),
    ("decision", {"choice": "evacuate", "options": ["evacuate", "wait"]}),
    ("timer_met", {"timer": "notify_119", "deadline": "2026-11-28T13:20:07.123+08:00"}),
    ("run_ended", {"outcome": "closed", "steps": 5}),
]


def _write_run(log_dir: Path, run_id: str, start: datetime, key: bytes | None = None) -> Path:
    first = {"playbook": "gas-leak", "playbook_sha256": "ab" * 32}
    writer = create_run(log_dir, run_id, "op-07 王小明", "drill", "run_started", first, start, key)
    with writer:
        for index, (event_type, data) in enumerate(EVENTS, start=1):
            writer.append(event_type, data, start + timedelta(seconds=37 * index))
    return writer.path


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def build(out: Path) -> None:
    """Write every case directory under `out`."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        first = _write_run(work / "chain", "drill-0001", START)
        second = _write_run(work / "chain", "drill-0002", START + timedelta(hours=1))
        keyed = _write_run(work / "keyed", "drill-0003", START, KEY)
        lines = _lines(first)
        cases: dict[str, dict[str, bytes]] = {
            "intact": {first.name: first.read_bytes(), second.name: second.read_bytes()},
            "hmac": {keyed.name: keyed.read_bytes(), keyed.name + ".key": KEY},
            "prev_run_missing": {second.name: second.read_bytes()},
            # The previous run lost its last line: its own chain still verifies,
            # but the next run's link no longer finds the pinned hash.
            "prev_run_altered": {
                first.name: b"".join(lines[:-1]),
                second.name: second.read_bytes(),
            },
            "byte_changed": {first.name: b"".join(lines).replace(b'"floor":3', b'"floor":4')},
            "line_deleted": {first.name: b"".join(lines[:3] + lines[4:])},
            "lines_swapped": {first.name: b"".join(lines[:2] + [lines[3], lines[2]] + lines[4:])},
            "torn_final": {first.name: b"".join(lines[:-1]) + lines[-1][:50]},
            "nul_padding": {first.name: b"".join(lines) + b"\0" * 64},
        }
        for case, files in cases.items():
            case_dir = out / case
            if case_dir.exists():
                shutil.rmtree(case_dir)
            case_dir.mkdir(parents=True)
            for name, content in files.items():
                (case_dir / name).write_bytes(content)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
