"""Golden fixtures: expected findings, reproducibility, and the doc's standalone verifier."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ehplan
from ehplan.audit import verify_log

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "audit"
DOC = ROOT / "docs" / "audit-format.md"
FIXTURES = sorted(DATA.rglob("*.jsonl"))

# case directory -> file-name fragment -> (ok, reason, first_bad_seq, torn_tail, prev_run_ok)
EXPECTED: dict[str, dict[str, tuple[bool, str | None, int | None, bool, bool | None]]] = {
    "intact": {"0001": (True, None, None, False, None), "0002": (True, None, None, False, True)},
    "hmac": {"0003": (True, None, None, False, None)},
    "prev_run_missing": {
        "0002": (False, "previous run file missing or altered", None, False, False)
    },
    "prev_run_altered": {
        "0001": (True, None, None, False, None),
        "0002": (False, "previous run file missing or altered", None, False, False),
    },
    "byte_changed": {"0001": (False, "hash mismatch", 2, False, None)},
    "line_deleted": {"0001": (False, "seq 4 follows 2", 3, False, None)},
    "lines_swapped": {"0001": (False, "seq 3 follows 1", 2, False, None)},
    "torn_final": {"0001": (False, "torn final line (no newline)", 6, True, None)},
    "nul_padding": {"0001": (False, "NUL padding at end of file", 7, True, None)},
}


def key_for(path: Path) -> bytes | None:
    key_file = path.with_name(path.name + ".key")
    return key_file.read_bytes() if key_file.exists() else None


def doc_verifier() -> Callable[..., Any]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    code = blocks[-1]
    assert len(code.splitlines()) <= 40
    namespace: dict[str, Any] = {"__name__": "doc_verifier"}
    exec(compile(code, str(DOC), "exec"), namespace)
    return namespace["verify"]  # type: ignore[no-any-return]


def doc_says_ok(path: Path, key: bytes | None) -> bool:
    try:
        return bool(doc_verifier()(path, key))
    except Exception:
        return False


def test_every_fixture_has_an_expectation() -> None:
    found = {(p.parent.name, p.name.split("-")[-1][:4]) for p in FIXTURES}
    wanted = {(case, frag) for case, files in EXPECTED.items() for frag in files}
    assert found == wanted


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_findings(path: Path) -> None:
    ok, reason, bad_seq, torn, prev_ok = EXPECTED[path.parent.name][path.name.split("-")[-1][:4]]
    result = verify_log(path, key_for(path))
    assert (result.ok, result.reason, result.first_bad_seq, result.torn_tail) == (
        ok,
        reason,
        bad_seq,
        torn,
    )
    assert result.prev_run_ok is prev_ok
    if bad_seq is not None:
        raw = path.read_bytes()
        assert result.first_bad_offset == len(b"".join(raw.splitlines(keepends=True)[:bad_seq]))
        assert result.records == bad_seq


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_doc_verifier_agrees(path: Path) -> None:
    key = key_for(path)
    assert doc_says_ok(path, key) == verify_log(path, key).ok
    if key is not None:
        assert doc_says_ok(path, None) is False is verify_log(path).ok


def test_doc_verifier_runs_as_a_script(tmp_path: Path) -> None:
    code = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)[-1]
    script = tmp_path / "verify_audit.py"
    script.write_text(code, encoding="utf-8")
    intact = next(p for p in FIXTURES if p.parent.name == "intact")
    torn = next(p for p in FIXTURES if p.parent.name == "torn_final")
    run = [sys.executable, "-I", str(script)]
    assert subprocess.run([*run, str(intact)], capture_output=True).returncode == 0
    assert subprocess.run([*run, str(torn)], capture_output=True).returncode == 1


def test_fixtures_are_reproducible(tmp_path: Path) -> None:
    src = str(Path(ehplan.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src}
    script = DATA / "make_fixtures.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, env=env)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    kept = sorted(p.relative_to(DATA) for p in DATA.rglob("*") if p.is_file() and p.parent != DATA)
    assert made == kept
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (DATA / rel).read_bytes(), rel


def test_doc_states_the_truncation_limit() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "Truncation at the end is invisible without an outside copy of the final" in text


def test_unreadable_file(tmp_path: Path) -> None:
    result = verify_log(tmp_path / "missing.jsonl")
    assert result.unreadable and not result.ok and result.reason


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    result = verify_log(path)
    assert not result.ok and result.reason == "empty log" and not doc_says_ok(path, None)
