"""Everything the command line prints goes through one path that shows control,
C1, bidi and line-separator characters as escapes: every command is fed
hostile names (in data, playbooks, logs, file names and arguments) and no raw
byte of them may reach stdout or stderr."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import pytest

from ehplan import resources
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.library import load_library
from ehplan.session import Session

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
HOSTILE = "\x1b]0;pwned\x07|\x1b]52;c;ZXZpbA==\x07|\x1b[2J|\x9b31m|\u202e|\u061c|\u2028|\x00|\x7f"
"""A window-title OSC, a clipboard-writing OSC 52, a clear-screen CSI, an 8-bit
CSI, a right-to-left override, an Arabic letter mark, a line separator, NUL, DEL."""
YAML_HOSTILE = '"\\e]0;pwned\\a|\\e]52;c;ZXZpbA==\\a|\\e[2J|\\x9b31m|\\u202e|\\u061c|\\u2028|\\0|\\x7f"'
FILE_HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u202e\u2028"


def raw_controls(text: str) -> list[str]:
    """Every character that must never reach a terminal as it is."""
    bad = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
           "\u200e", "\u200f", "\u061c", "\u2028", "\u2029"}
    return [repr(ch) for ch in text
            if ch not in "\n\t" and (unicodedata.category(ch) in ("Cc", "Cs") or ch in bad)]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Data, playbooks, a scenario and logs whose names and texts are hostile."""
    base = tmp_path_factory.mktemp("hostile")
    data = base / "data"
    shutil.copytree(ROOT / "data", data)
    contacts = (data / "contacts.yaml").read_text(encoding="utf-8")
    contacts = contacts.replace("{zh-Hant: 店長, en: Store (service-hall) manager}",
                                f"{{zh-Hant: {YAML_HOSTILE}, en: {YAML_HOSTILE}}}")
    (data / "contacts.yaml").write_text(contacts, encoding="utf-8")
    supplies = (data / "supplies.yaml").read_text(encoding="utf-8")
    first_name = supplies.index("name: {zh-Hant: ")
    end = supplies.index("}", first_name)
    supplies = supplies[:first_name] + f"name: {{zh-Hant: {YAML_HOSTILE}, en: {YAML_HOSTILE}" + supplies[end:]
    (data / "supplies.yaml").write_text(supplies, encoding="utf-8")
    playbooks = base / "playbooks"
    playbooks.mkdir()
    example = (ROOT / "tests/data/playbooks/example.yaml").read_text(encoding="utf-8")
    (playbooks / "example.yaml").write_text(example, encoding="utf-8")
    (playbooks / f"{FILE_HOSTILE}.yaml").write_text(f"id: x\n{YAML_HOSTILE}: 1\n", encoding="utf-8")
    drills = base / "drills"
    drills.mkdir()
    scenario = (ROOT / "tests/data/drills/example_drill.yaml").read_text(encoding="utf-8")
    scenario = scenario.replace("title: {zh-Hant: 示例演練, en: Example drill}",
                                f"title: {{zh-Hant: {YAML_HOSTILE}, en: {YAML_HOSTILE}}}")
    (drills / "example_drill.yaml").write_text(scenario, encoding="utf-8")
    library = load_library([ROOT / "tests/data/playbooks"], ROOT / "data")
    clock = FakeClock(T0)
    logs = base / "logs"
    session = Session.start(library, logs, c.StartRun("example", "r1", HOSTILE, "live", "en"), clock)
    session.execute(c.AddNote(f"line one\nline two {HOSTILE}"))
    session.execute(c.Continue())
    session.close()
    named = logs / f"{FILE_HOSTILE}.jsonl"
    shutil.copy(session.path, named)
    tampered = logs / f"tampered{FILE_HOSTILE}.jsonl"
    tampered.write_bytes(session.path.read_bytes().replace(b"line one", b"line 1!!"))
    return {"data": data, "playbooks": playbooks, "drills": drills, "log": session.path, "named": named,
            "tampered": tampered, "base": base}


def commands(h: dict[str, Path]) -> dict[str, list[str]]:
    test_playbooks = str(ROOT / "tests/data/playbooks")
    return {
        "validate playbooks": ["validate", str(h["playbooks"]), "--data", str(h["data"])],
        "validate a hostile file": ["validate", str(h["playbooks"] / f"{FILE_HOSTILE}.yaml")],
        "validate data": ["validate", str(h["data"] / "contacts.yaml")],
        "contacts zh": ["contacts", "--data", str(h["data"])],
        "contacts en": ["contacts", "--data", str(h["data"]), "--lang", "en"],
        "supplies": ["supplies", "--data", str(h["data"]), "--lang", "en"],
        "verify": ["verify", str(h["log"]), str(h["named"]), str(h["tampered"]),
                   str(h["base"] / f"missing{FILE_HOSTILE}")],
        "runs": ["runs", str(h["base"] / "logs")],
        "verify a hostile key path": ["verify", str(h["log"]), "--key", str(h["base"] / FILE_HOSTILE)],
        "report": ["report", str(h["named"]), "--playbooks", test_playbooks, "--lang", "en"],
        "report tampered": ["report", str(h["tampered"]), "--playbooks", test_playbooks],
        "report out": ["report", str(h["log"]), "--playbooks", test_playbooks,
                       "--out", str(h["base"] / f"out{FILE_HOSTILE}.txt")],
        "drill list": ["drill", "--playbooks", test_playbooks],
        "drill missing scenario": ["drill", f"{FILE_HOSTILE}.yaml", "--playbooks", test_playbooks],
        "replay missing": ["replay", str(h["base"] / f"{FILE_HOSTILE}.jsonl")],
        "a name that is not UTF-8": ["verify", str(h["base"]) + "/run\udc9b\udcff.jsonl"],
        "schema out": ["schema", "--out", str(h["base"] / f"schemas{FILE_HOSTILE}")],
        "unknown command": [HOSTILE],
        "bad option value": ["--lang", HOSTILE, "verify", "x"],
        "unknown option": [f"--{FILE_HOSTILE}"],
    }


COMMANDS = list(commands({k: Path("/") for k in ("data", "playbooks", "drills", "log", "named", "tampered",
                                                  "base")}))


@pytest.mark.parametrize("name", COMMANDS)
def test_no_raw_control_character_reaches_the_terminal(name, hostile, cli, monkeypatch):
    monkeypatch.setattr(resources, "drills_dir", lambda: hostile["drills"])
    code, output = cli(*commands(hostile)[name])
    assert raw_controls(output) == [], output
    assert "Traceback" not in output
    assert output.strip(), "every command says something"
    if name in ("contacts zh", "contacts en", "supplies", "report", "drill list", "runs"):
        assert code == 0, output
        assert "\\x1b]0;pwned\\x07" in output or "\\x1b]0;pwned" in output  # shown, as escapes
    else:
        assert code != 0 or name in ("validate data", "schema out", "report out"), output


def test_a_newline_in_a_note_never_starts_a_report_line(hostile, cli):
    code, output = cli("report", str(hostile["log"]),
                          "--playbooks", str(ROOT / "tests/data/playbooks"), "--lang", "en")
    assert code == 0
    assert "line one\\nline two" in output
    assert not any(line.startswith("line two") for line in output.splitlines())
    assert "\\u202e" in output and "\\u2028" in output and "\\x9b" in output


def test_visible_escapes_exactly_the_unsafe_characters():
    """The fast path (one regex) agrees with the rule over all of the BMP: every
    control (Cc) and lone surrogate (Cs), the bidi controls and the line
    separators are escaped; tab and newline stay, everything else is untouched."""
    from ehplan.text import visible

    bidi_and_breaks = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029}
    for code in range(0x10000):
        ch = chr(code)
        unsafe = ch not in "\n\t" and (unicodedata.category(ch) in ("Cc", "Cs") or code in bidi_and_breaks)
        assert (visible(ch) != ch) == unsafe, hex(code)
        assert raw_controls(visible(ch)) == []
    assert visible("a\nb", one_line=True) == "a\\nb" and visible("\udc9b") == "\\x9b"
