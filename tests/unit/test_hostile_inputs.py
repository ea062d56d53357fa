"""The hostile playbook and data corpus: bombs, deep nesting, tags, BOMs, bad
UTF-8, NUL bytes, FIFOs, device links, huge numbers, floods of keys, control
characters in keys. Each gets a clear first line ``path:line:col: message``,
exit 2, no raw escape on the terminal and no traceback. (How long each takes
and how much memory, as the input grows, is measured by `make bench`, not
timed here: benchmarks/hostile_bench.py.)"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from test_hostile_output import raw_controls

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "tests/data/playbooks/example.yaml").read_text(encoding="utf-8")


def write(text: str | bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return make


def fifo(path: Path) -> None:
    os.mkfifo(path)


def dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def directory(path: Path) -> None:
    path.mkdir()


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))

CORPUS: dict[str, tuple[Callable[[Path], None], str]] = {
    "billion laughs": (write(LAUGHS), r":\d+:\d+: document too large after alias expansion"),
    "deep flow nesting": (write("id: x\nsteps: " + "[" * 5000 + "]" * 5000 + "\n"), r":\d+:\d+: nested deeper than 64"),
    "deep block nesting": (write("id: x\n" + "".join(" " * i + f"k{i}:\n" for i in range(200))),
                           r":\d+:\d+: nested deeper than 64 levels"),
    "python tag": (write("id: !!python/object/apply:os.system [echo]\n"), r":1:5: tag '!!python/object/apply"),
    "custom tag": (write("id: !custom x\n"), r":1:5: tag '!custom' is not allowed"),
    "utf-16 with BOM": (write("id: x\n".encode("utf-16")), r":1:1: not valid UTF-8 \(byte 0xff\)"),
    "bad utf-8": (write(b"id: x\ntitle: \xff\xfe\n"), r":2:8: not valid UTF-8 \(byte 0xff\)"),
    "NUL byte": (write(b"id: x\x00\n"), r":1:6: character U\+0000 is not allowed"),
    "escape in a key": (write('id: x\n"\\e]0;pwned\\a": 1\n'), r":2:1: unknown key '\\x1b\]0;pwned\\x07'"),
    "FIFO": (fifo, r":1:1: not a regular file \(a FIFO\)"),
    "link to /dev/zero": (dev_zero, r":1:1: not a regular file \(a device\)"),
    "directory named .yaml": (directory, r":1:1: not a regular file \(a directory\)"),
    "huge integer": (write("id: x\nversion: " + "9" * 10000 + "\n"), r":2:10: integer with 10000 digits is too large"),
    "huge negative": (write(EXAMPLE.replace("version: 1", "version: -99999999999999999999")),
                      r":5:10: integer with 20 digits is too large"),
    "float bomb": (write(EXAMPLE.replace("version: 1", "version: 1e99999")), r":5:10: "),
    "over a megabyte": (write("id: x\n# " + "x" * 1_000_001 + "\n"), r":1:1: file too large \(1000010 bytes"),
    "flood of keys": (write("id: x\n" + "".join(f"k{i}: {i}\n" for i in range(3000))), r":\d+:1: unknown key 'k"),
    "UTF-8 BOM then a bad key": (write("\ufeffid: x\nnope: 1\n"), r":2:1: unknown key 'nope'"),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_every_hostile_file_gets_one_clear_line(case, tmp_path, cli):
    make, expected = CORPUS[case]
    path = tmp_path / "hostile.yaml"
    make(path)
    code, output = cli("validate", str(path))
    assert code == 2, output
    assert "Traceback" not in output and raw_controls(output) == []
    *problems, summary = output.splitlines()
    assert re.fullmatch(r"\d+ error\(s\), \d+ warning\(s\)", summary), summary
    for line in problems:  # every problem on a line of its own, placed
        assert re.fullmatch(re.escape(str(path)) + r":\d+:\d+: .+", line), line
    assert any(re.match(re.escape(str(path)) + expected, line) for line in problems), problems[:5]
