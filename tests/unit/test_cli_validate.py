"""The command line, run as a user runs it: `python -m ehplan …` in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ehplan.schemas import render_schemas

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
PLAYBOOKS = REPO / "tests" / "data" / "playbooks"
INVALID = REPO / "tests" / "data" / "invalid"


def ehplan(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHPLAN_")}
    env.update(COLUMNS="200", NO_COLOR="1", PYTHONIOENCODING="utf-8", TERM="dumb")
    return subprocess.run([sys.executable, "-m", "ehplan", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def test_validate_example_dir() -> None:
    result = ehplan("validate", "tests/data/playbooks")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 2 playbook(s) and the data files are valid")
    assert "Traceback" not in result.stderr


def test_validate_invalid_file_one_line_per_problem() -> None:
    result = ehplan("validate", "tests/data/invalid/timer_missing_targets.yaml")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "tests/data/invalid/timer_missing_targets.yaml:40:20: step 'strat' does not exist",
        "tests/data/invalid/timer_missing_targets.yaml:48:20: checklist item 'start.tock' does not exist",
        "tests/data/invalid/timer_missing_targets.yaml:55:22: choice 'ask.maybe' does not exist",
        "tests/data/invalid/timer_missing_targets.yaml:62:21: record field 'loss' does not exist",
        "4 error(s), 0 warning(s)",
    ]


@pytest.mark.parametrize("name", ["billion_laughs.yaml", "python_tag.yaml", "not_utf8.yaml", "empty.yaml",
                                  "yaml_syntax.yaml", "recursive_alias.yaml", "top_level_list.yaml"])
def test_validate_hostile_files_never_trace(name: str) -> None:
    result = ehplan("validate", f"tests/data/invalid/{name}")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert lines[-1] == f"{len(lines) - 1} error(s), 0 warning(s)"
    assert all(line.startswith(f"tests/data/invalid/{name}:") for line in lines[:-1])


def test_validate_several_files_reports_all() -> None:
    result = ehplan("validate", "tests/data/invalid/bad_source.yaml", "tests/data/invalid/unknown_kind.yaml")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == ["tests/data/invalid/bad_source.yaml",
                                                           "tests/data/invalid/unknown_kind.yaml"]
    assert lines[-1] == "2 error(s), 0 warning(s)"


def test_validate_missing_path() -> None:
    result = ehplan("validate", "no/such.yaml")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["no/such.yaml:1:1: no such file or directory"]


def test_validate_strict_with_warnings() -> None:
    lenient = ehplan("validate", "tests/data/playbooks")
    strict = ehplan("validate", "--strict", "tests/data/playbooks")
    assert (lenient.returncode, strict.returncode) == (0, 1)
    warnings = strict.stderr.splitlines()
    assert len(warnings) == 29
    assert all(": warning: " in w and w.startswith(str(DATA / "contacts.yaml")) for w in warnings)
    assert "(29 warning(s))" in strict.stdout


def test_validate_data_file_alone() -> None:
    result = ehplan("validate", "--strict", "data/contacts.yaml")
    assert result.returncode == 1
    assert result.stdout.startswith("ok: data files are valid")


def test_help_lists_commands() -> None:
    result = ehplan("--help")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    commands = lines[lines.index("Commands:") + 1:]
    described = {line.split()[0]: line.split(None, 1)[1] for line in commands if line.strip()}
    for name in ("validate", "schema", "contacts", "supplies"):
        assert name in described, result.stdout
        assert len(described[name]) > 10


def test_contacts_in_english() -> None:
    result = ehplan("contacts", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "110" in result.stdout and "Police" in result.stdout
    assert "22222878" in result.stdout


def test_supplies_in_simplified_chinese() -> None:
    result = ehplan("supplies", "--lang", "zh-Hans")
    assert result.returncode == 0, result.stderr
    assert "医用" in result.stdout
    assert "醫用" not in result.stdout


def test_unknown_language() -> None:
    result = ehplan("contacts", "--lang", "fr")
    assert result.returncode == 2
    assert "unknown language 'fr'" in result.stderr
    assert "Traceback" not in result.stderr


def test_markup_in_data_is_printed_literally(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    contacts = data / "contacts.yaml"
    text = contacts.read_text(encoding="utf-8")
    text = text.replace("name: {zh-Hant: 公安局, en: Police}}",
                        "name: {zh-Hant: 公安局, en: Police}, note: {zh-Hant: 注意, en: '[bold]x[/bold] [/ [red]'}}")
    text = text.replace("en: Fire brigade}", 'en: "Fire [/] brigade \\e[31m \\u202e"}')
    contacts.write_text(text, encoding="utf-8")
    result = ehplan("contacts", "--lang", "en", "--data", str(data))
    assert result.returncode == 0, result.stderr
    assert "[bold]x[/bold] [/ [red]" in result.stdout
    assert "Fire [/] brigade \\x1b[31m \\u202e" in result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


def test_contacts_with_broken_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "contacts.yaml").write_text("contacts: [\n", encoding="utf-8")
    result = ehplan("contacts", "--data", str(data))
    assert result.returncode == 2
    assert result.stderr.startswith(f"ehplan: {data / 'contacts.yaml'}:2:1: YAML syntax: ")
    assert "Traceback" not in result.stderr


def test_schema_prints_and_writes(tmp_path: Path) -> None:
    rendered = render_schemas()
    printed = ehplan("schema")
    assert printed.returncode == 0
    assert printed.stdout == rendered["playbook.schema.json"]
    json.loads(printed.stdout)
    out = tmp_path / "schemas"
    written = ehplan("schema", "--out", str(out))
    assert written.returncode == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(rendered)
    for name, text in rendered.items():
        assert (out / name).read_text(encoding="utf-8") == text


def test_validate_invalid_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    shutil.copy(INVALID / "supplies_negative_quantity" / "supplies.yaml", data / "supplies.yaml")
    result = ehplan("validate", "--data", str(data), "tests/data/playbooks")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == f"{data / 'supplies.yaml'}:6:15: must be at least 0, not -20"


def test_validate_a_lone_data_file_checks_only_that_file() -> None:
    result = ehplan("validate", "tests/data/invalid/contacts_bad_number/contacts.yaml")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "tests/data/invalid/contacts_bad_number/contacts.yaml:3:41: "
        "'11O' is not a phone number: digits, spaces, +, - and ( ) only",
        "1 error(s), 0 warning(s)",
    ]


def test_validate_data_file_without_warnings() -> None:
    result = ehplan("validate", "--strict", "data/supplies.yaml")
    assert (result.returncode, result.stderr) == (0, "")


def test_the_fast_entry_knows_exactly_the_app_options():
    """`ehplan` opens the app without click when given only the app's options,
    which are declared once (ehplan.options) for the entry and the click group."""
    from ehplan.cli import main
    from ehplan.entry import app_options
    from ehplan.options import APP_OPTIONS

    click_options = {opt for param in main.params for opt in param.opts if opt.startswith("--")}
    assert {option.flag for option in APP_OPTIONS} == click_options - {"--version", "--help"}
    assert app_options(["--log-dir", "/tmp/x", "--lang=en"]) == {"log_dir": "/tmp/x", "lang": "en"}
    assert app_options(["validate"]) is None
    assert app_options(["--help"]) is None
    assert app_options(["--lang", "fr"]) is None  # click reports the bad value
    assert app_options(["--operator"]) is None
