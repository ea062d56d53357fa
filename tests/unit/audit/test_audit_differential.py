"""One verdict: `verify_log` and the standalone verifier of docs/audit-format.md
say intact or not alike on every single-byte change of a corpus, on every line
edit, and on crafted records whose hashes were recomputed the way a forger
would (over the line's own bytes) or the honest way (over the canonical form)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_audit_fixtures import doc_verifier

from ehplan.audit import create_run, verify_log
from ehplan.audit.canonical import canonical_bytes
from ehplan.audit.chain import _SCAN, _canonical_halves

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
DOC_VERIFY = doc_verifier()


def both_verdicts(path: Path, key: bytes | None) -> tuple[bool, bool]:
    try:
        doc = bool(DOC_VERIFY(path, key))
    except Exception:  # the doc: "crafted input may make it raise, which also means not verified"
        doc = False
    return verify_log(path, key).ok, doc


def corpus(tmp_path: Path, key: bytes | None) -> Path:
    """A previous run and a run of five records linked to it, with Chinese text and nesting."""
    log_dir = tmp_path / ("keyed" if key else "plain")
    with create_run(log_dir, "prev", "Ann", "live", "run_started", {"playbook": "x"}, T0, key=key):
        pass
    with create_run(log_dir, "run", "王小明", "drill", "run_started", {"playbook": "x", "n": [1, {"é": None}]},
                    T0 + dt.timedelta(seconds=1), key=key) as writer:
        writer.append("note_added", {"text": "燃氣洩漏 \"quoted\" \\ tab\t", "step": "s1"}, T0)
        writer.append("field_set", {"field": "loss_yuan", "value": 6000, "ok": True}, T0)
        writer.append("contact_logged", {"contact": "police", "hash": "a" * 64}, T0)  # a nested "hash" key
    return writer.path


@pytest.mark.parametrize("key", [None, b"k\n"], ids=["sha256", "hmac"])
def test_every_single_byte_change_gets_one_verdict(tmp_path: Path, key: bytes | None) -> None:
    path = corpus(tmp_path, key)
    original = path.read_bytes()
    assert both_verdicts(path, key) == (True, True)
    disagreements: list[tuple[int, int]] = []
    accepted = 0
    for index in range(len(original)):
        for mask in (0x01, 0x20, 0x80):
            changed = bytearray(original)
            changed[index] ^= mask
            path.write_bytes(bytes(changed))
            app, doc = both_verdicts(path, key)
            accepted += app
            if app != doc:
                disagreements.append((index, mask))
    assert disagreements == []
    assert accepted == 0  # a changed byte never passes


def line_edits(lines: list[bytes]) -> Iterator[tuple[str, list[bytes]]]:
    for i in range(len(lines)):
        yield f"delete {i}", lines[:i] + lines[i + 1:]
        yield f"duplicate {i}", lines[: i + 1] + lines[i:]
        yield f"crlf {i}", [*lines[:i], lines[i][:-1] + b"\r\n", *lines[i + 1:]]
        yield f"spaces {i}", [*lines[:i], b" " + lines[i], *lines[i + 1:]]
        yield f"cut after {i}", lines[: i + 1]
        if i + 1 < len(lines):
            yield f"swap {i}", [*lines[:i], lines[i + 1], lines[i], *lines[i + 2:]]
            yield f"join {i}", [*lines[:i], lines[i][:-1] + lines[i + 1], *lines[i + 2:]]
    yield "blank line at end", [*lines, b"\n"]
    yield "no final newline", [*lines[:-1], lines[-1][:-1]]
    yield "NUL padding", [*lines, b"\0" * 40]


@pytest.mark.parametrize("key", [None, b"k"], ids=["sha256", "hmac"])
def test_every_line_edit_gets_one_verdict(tmp_path: Path, key: bytes | None) -> None:
    path = corpus(tmp_path, key)
    lines = path.read_bytes().splitlines(keepends=True)
    verdicts = {}
    for name, edited in line_edits(lines):
        path.write_bytes(b"".join(edited))
        app, doc = both_verdicts(path, key)
        assert app == doc, name
        verdicts[name] = app
    # cutting whole lines off the end is the known, documented limit: both accept it
    assert all(verdicts[f"cut after {i}"] for i in range(len(lines)))
    truncations = {f"cut after {i}" for i in range(len(lines))} | {f"delete {len(lines) - 1}"}
    assert [name for name, ok in verdicts.items() if ok and name not in truncations] == []


# --- crafted records ---------------------------------------------------------------------------

Record = dict[str, Any]


def forged_line(body_text: str, key: bytes | None) -> bytes:
    """A line whose hash is computed over its own bytes minus the hash member, as
    ehplan's fast path hashes: the hash member goes last, before the closing brace."""
    body = body_text.encode("utf-8")
    digest = (hmac.new(key, body, "sha256") if key else hashlib.sha256(body)).hexdigest()
    return body[:-1] + b',"hash":"' + digest.encode() + b'"}\n'


def honest_line(record: Record, key: bytes | None) -> bytes:
    body = canonical_bytes(record)
    digest = (hmac.new(key, body, "sha256") if key else hashlib.sha256(body)).hexdigest()
    return canonical_bytes({**record, "hash": digest}) + b"\n"


def canon_text(record: Record) -> str:
    return canonical_bytes(record).decode()


# Each craft turns a record (without hash) into the text a forger hashes.
CRAFTS: dict[str, Callable[[Record], str]] = {
    "canonical": canon_text,
    "spaces": lambda r: json.dumps(r, sort_keys=True, ensure_ascii=True),
    "unsorted": lambda r: json.dumps(dict(reversed(list(r.items()))), separators=(",", ":"), ensure_ascii=True),
    "raw utf-8": lambda r: json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
    "upper-case escape": lambda r: canon_text(r).replace("\\u738b", "\\u738B"),
    "escaped slash": lambda r: canon_text({**r, "data": {**r["data"], "u": "a/b"}}).replace("a/b", "a\\/b"),
    "escaped letter": lambda r: canon_text(r).replace('"live"', '"\\u006cive"').replace('"drill"', '"\\u0064rill"'),
    "duplicate data member": lambda r: canon_text(r).replace('"data":{', '"data":{"x":1,"x":2,', 1),
    "duplicate top member": lambda r: canon_text(r).replace('"mode":', '"mode":"live","mode":', 1),
    "NaN": lambda r: canon_text({**r, "data": {**r["data"], "z": 0}}).replace('"z":0', '"z":NaN'),
    "Infinity": lambda r: canon_text({**r, "data": {**r["data"], "z": 0}}).replace('"z":0', '"z":-Infinity'),
    "float": lambda r: canon_text({**r, "data": {**r["data"], "z": 0}}).replace('"z":0', '"z":1.5'),
    "exponent": lambda r: canon_text({**r, "data": {**r["data"], "z": 0}}).replace('"z":0', '"z":1e3'),
    "minus zero": lambda r: canon_text({**r, "data": {**r["data"], "z": 0}}).replace('"z":0', '"z":-0'),
    "v true": lambda r: canon_text({**r, "v": True}),
    "seq as text": lambda r: canon_text({**r, "seq": str(r["seq"])}),
    "mode test": lambda r: canon_text({**r, "mode": "test"}),
    "ts not a time": lambda r: canon_text({**r, "ts": "yesterday"}),
    "ts without offset": lambda r: canon_text({**r, "ts": "2026-11-30T01:00:00.000"}),
    "operator a number": lambda r: canon_text({**r, "operator": 7}),
    "data a list": lambda r: canon_text({**r, "data": [1]}),
    "extra member": lambda r: canon_text({**r, "x": 1}),
    "missing member": lambda r: canon_text({k: v for k, v in r.items() if k != "type"}),
    "other alg": lambda r: canon_text({**r, "alg": "md5"}),
    "control in text": lambda r: canon_text({**r, "data": {**r["data"], "t": "\x1b[2J\u202e"}}),
    "changed value": lambda r: canon_text({**r, "data": {**r["data"], "step": "other"}}),
}

PREV_RUN_LINKS: dict[str, Callable[[Path, str], Any]] = {
    "none": lambda prev, h: None,
    "right": lambda prev, h: {"file": prev.name, "hash": h},
    "empty object": lambda prev, h: {},
    "a string": lambda prev, h: prev.name,
    "dot-dot": lambda prev, h: {"file": f"../{prev.parent.name}/{prev.name}", "hash": h},
    "sub directory": lambda prev, h: {"file": f"sub/{prev.name}", "hash": h},
    "hash a number": lambda prev, h: {"file": prev.name, "hash": 5},
    "missing file": lambda prev, h: {"file": "gone.jsonl", "hash": h},
    "wrong hash": lambda prev, h: {"file": prev.name, "hash": "b" * 64},
    "extra member": lambda prev, h: {"file": prev.name, "hash": h, "x": 1},
    "the directory": lambda prev, h: {"file": ".", "hash": h},
}


def records_of(path: Path) -> list[Record]:
    return [{k: v for k, v in json.loads(line).items() if k != "hash"} for line in path.read_bytes().splitlines()]


def rechain(records: list[Record], first_line: bytes, key: bytes | None) -> bytes:
    """``first_line`` in place of records[0], the rest re-hashed honestly after it."""
    lines = [first_line]
    prev = json.loads(first_line.decode("utf-8", "replace"), parse_constant=str).get("hash", "") \
        if first_line.strip() else ""
    for record in records[1:]:
        line = honest_line({**record, "prev": prev}, key)
        lines.append(line)
        prev = json.loads(line)["hash"]
    return b"".join(lines)


def crafted_cases(path: Path, key: bytes | None) -> Iterator[tuple[str, bytes]]:
    records = records_of(path)
    lines = path.read_bytes().splitlines(keepends=True)
    last = {**records[-1]}
    for name, craft in CRAFTS.items():
        for how in ("forged", "honest"):
            text = craft(last)
            if how == "forged":
                line = forged_line(text, key)
            else:
                try:
                    line = honest_line(json.loads(text), key)
                except ValueError:
                    continue
            yield f"last line {name} {how}", b"".join(lines[:-1]) + line
            yield f"first line {name} {how}", rechain(records, _craft_first(records[0], craft, how, key), key)


def _craft_first(first: Record, craft: Callable[[Record], str], how: str, key: bytes | None) -> bytes:
    text = craft(first)
    if how == "forged":
        return forged_line(text, key)
    try:
        return honest_line(json.loads(text), key)
    except ValueError:
        return forged_line(text, key)


@pytest.mark.parametrize("key", [None, b"k"], ids=["sha256", "hmac"])
def test_crafted_records_with_recomputed_hashes_get_one_verdict(tmp_path: Path, key: bytes | None) -> None:
    path = corpus(tmp_path, key)
    verdicts = {}
    for name, content in crafted_cases(path, key):
        path.write_bytes(content)
        app, doc = both_verdicts(path, key)
        assert app == doc, name
        verdicts[name] = app
    # what an honest writer may write passes; every non-canonical form fails, however hashed
    assert verdicts["last line changed value honest"] and verdicts["last line canonical honest"]
    assert not verdicts["last line canonical forged"]  # the hash member out of its canonical place
    assert verdicts["first line changed value honest"]
    for craft in ("spaces", "unsorted", "raw utf-8", "upper-case escape", "escaped slash", "escaped letter",
                  "duplicate data member", "duplicate top member", "NaN", "Infinity", "minus zero"):
        assert not verdicts[f"last line {craft} forged"], craft
        assert not verdicts[f"first line {craft} forged"], craft


@pytest.mark.parametrize("link", sorted(PREV_RUN_LINKS))
def test_every_previous_run_link_gets_one_verdict(tmp_path: Path, link: str) -> None:
    path = corpus(tmp_path, None)
    previous = sorted(path.parent.glob("*prev.jsonl"))[0]
    (path.parent / "sub").mkdir()
    (path.parent / "sub" / previous.name).write_bytes(previous.read_bytes())
    prev_hash = json.loads(previous.read_bytes().splitlines()[-1])["hash"]
    records = records_of(path)
    first = {**records[0], "data": {**records[0]["data"], "prev_run": PREV_RUN_LINKS[link](previous, prev_hash)}}
    path.write_bytes(rechain(records, honest_line(first, None), None))
    app, doc = both_verdicts(path, None)
    assert app == doc
    assert app == (link in ("none", "right"))


def test_the_rebuilt_canonical_line_is_canonical_bytes(tmp_path: Path) -> None:
    """The fast canonical check (the line rebuilt around data) agrees with
    canonical_bytes on every record of the corpus and on awkward values."""
    path = corpus(tmp_path, None)
    awkward = ["\x00\x1f\x7f\x80\u2028\U0001f600", "\"\\/", "", "燃氣"]
    for record in records_of(path):
        for value in awkward:
            for member in ("operator", "run", "type", "ts"):
                changed = {**record, member: value, "data": {**record["data"], value: [value, -1, 10**30]}}
                line = canonical_bytes({**changed, "hash": "c" * 64}) + b"\n"
                parsed, _end = _SCAN(line.decode(), 0)
                head, tail = _canonical_halves(parsed)
                assert f'{head},"hash":"{"c" * 64}"{tail}\n'.encode() == line
                assert (head + tail).encode() == canonical_bytes(changed)


def test_a_line_over_the_limit_is_refused_by_both_and_read_in_bounded_pieces(tmp_path: Path) -> None:
    from ehplan.audit.chain import MAX_LINE_BYTES

    path = corpus(tmp_path, None)
    records = records_of(path)
    lines = path.read_bytes().splitlines(keepends=True)
    for size in (MAX_LINE_BYTES - 200, MAX_LINE_BYTES + 10):
        last = {**records[-1], "data": {**records[-1]["data"], "pad": ""}}
        filler = size - len(honest_line(last, None))
        last["data"]["pad"] = "x" * max(filler, 0)
        line = honest_line(last, None)
        path.write_bytes(b"".join(lines[:-1]) + line)
        app, doc = both_verdicts(path, None)
        assert app == doc == (len(line) <= MAX_LINE_BYTES), len(line)
    path.write_bytes(b"".join(lines) + b"x" * (8 * MAX_LINE_BYTES))  # one long line, no newline at all
    result = verify_log(path)
    assert not result.ok and result.reason == f"line longer than {MAX_LINE_BYTES} bytes"
    assert both_verdicts(path, None) == (False, False)


def test_a_previous_run_written_another_way_is_still_found(tmp_path: Path) -> None:
    """The previous run's last hash is found by its bytes first; a previous file
    whose line holding it is spaced or escaped differently (not ehplan's) is
    still searched line by line, as the documented verifier does."""
    path = corpus(tmp_path, None)
    previous = sorted(path.parent.glob("*prev.jsonl"))[0]
    last = json.loads(previous.read_bytes().splitlines()[-1])
    previous.write_bytes(json.dumps(last, indent=None, separators=(", ", " : ")).encode() + b"\n")
    assert both_verdicts(path, None) == (True, True)
    previous.write_bytes(json.dumps(last).encode())  # the line is torn: no newline, so it does not count
    assert both_verdicts(path, None) == (False, False)
