"""Import hygiene: the audit core loads no Textual and no other ehplan package
but `ehplan.safeio`, the standard-library-only file rules every reader follows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ehplan

SRC = str(Path(ehplan.__file__).resolve().parents[1])

PROBE = """
import json, sys
before = set(sys.modules)
import ehplan.audit
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_audit_imports_only_stdlib_and_itself() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": SRC, "PATH": ""},
    ).stdout
    loaded = json.loads(out)
    ours = [m for m in loaded if m.split(".")[0] == "ehplan"]
    assert all(m in ("ehplan", "ehplan.audit", "ehplan.safeio") or m.startswith("ehplan.audit.") for m in ours)
    outside = [
        m.split(".")[0]
        for m in loaded
        if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "ehplan"
    ]
    assert outside == [], outside
    assert "textual" not in loaded and "rich" not in loaded


def test_public_api_names() -> None:
    from ehplan.audit import (  # noqa: F401
        GENESIS,
        AuditRecord,
        AuditWriteError,
        AuditWriter,
        LogLockedError,
        Recovery,
        TamperedLogError,
        VerifyResult,
        create_run,
        find_open_runs,
        open_run,
        read_log,
        verify_log,
    )

    assert GENESIS == "0" * 64
