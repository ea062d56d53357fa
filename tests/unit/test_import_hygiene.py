"""Only the commands that draw the terminal UI may import Textual: validation,
schemas and the tables must start fast and work without it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("module", ["ehplan.playbook", "ehplan.playbook.loader", "ehplan.playbook.checks",
                                    "ehplan.library", "ehplan.yamlpos", "ehplan.sitedata",
                                    "ehplan.sitedata.calendar", "ehplan.validate", "ehplan.schemas",
                                    "ehplan.tables", "ehplan.text", "ehplan.cli", "ehplan.paper.build"])
def test_core_modules_do_not_import_textual(module: str) -> None:
    result = run_python(f"""
        import importlib, sys
        importlib.import_module({module!r})
        bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        print(bad)
        sys.exit(1 if bad else 0)
    """)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_commands_do_not_import_textual(tmp_path: Path) -> None:
    import datetime as dt

    from ehplan.engine import commands as c
    from ehplan.engine.clock import FakeClock
    from ehplan.library import load_library
    from ehplan.session import Session

    library = load_library([REPO / "tests/data/playbooks"], REPO / "data")
    clock = FakeClock(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC))
    session = Session.start(library, tmp_path / "logs", c.StartRun("example", "r", "Ann"), clock)
    session.execute(c.LogContact("it_centre", "answered"))
    session.execute(c.EndRun(confirm=True))
    session.close()
    log = str(session.path)
    result = run_python(f"""
        import sys
        from click.testing import CliRunner
        from ehplan.cli import main

        runner = CliRunner()
        calls = [
            ["validate", "tests/data/playbooks"],
            ["validate", "--strict", "tests/data/invalid/bad_id.yaml"],
            ["schema"],
            ["schema", "--out", {str(tmp_path / "schemas")!r}],
            ["contacts", "--lang", "en"],
            ["supplies", "--lang", "zh-Hans"],
            ["verify", {log!r}],
            ["report", {log!r}, "--playbooks", "tests/data/playbooks"],
            ["drill"],
            ["--help"],
        ]
        codes = []
        for args in calls:
            result = runner.invoke(main, args, obj={{}})
            if result.exception and not isinstance(result.exception, SystemExit):
                raise result.exception
            codes.append(result.exit_code)
        print(codes)
        bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        print(bad)
        sys.exit(1 if bad else 0)
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "[0, 2, 0, 0, 0, 0, 0, 0, 0, 0]"


def test_the_first_screen_loads_no_validation() -> None:
    """With the catalog cached, the picker paints before the playbooks are
    validated: nothing on the way to it (the app, the picker, its strip of open
    runs) may import pydantic or the library, ~250 ms of a cold start, nor the
    engine's state (its dataclasses, ~5 ms)."""
    result = run_python("""
        import sys
        import ehplan.entry, ehplan.cli_app, ehplan.tui.app, ehplan.tui.screens.picker
        bad = sorted(m for m in ("pydantic", "yaml", "ehplan.library", "ehplan.playbook", "ehplan.engine.state")
                     if m in sys.modules)
        print(bad)
        sys.exit(1 if bad else 0)
    """)
    assert result.returncode == 0, result.stdout + result.stderr
