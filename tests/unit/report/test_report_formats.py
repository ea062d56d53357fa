"""`ehplan report --format text|md|html|json`: every format rendered from the one
model for the fixture runs (clean, missed deadline and an override, resumed,
corrected value, drill), each held against its golden file; the JSON against
its published schema; every text from the log escaped in every format.

EHPLAN_UPDATE_GOLDEN=1 rewrites the golden files (then read the diff)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from fixture_runs import PLAYBOOKS, ROOT, SCENARIO

GOLDEN = ROOT / "tests/data/golden/report"
SUFFIX = {"text": "txt", "md": "md", "html": "html", "json": "json"}


def report(cli, log: Path, form: str, *extra: str) -> str:  # type: ignore[no-untyped-def]
    args = ["report", str(log), "--format", form, "--playbooks", PLAYBOOKS, *extra]
    if "drill" in log.name:
        args += ["--scenario", SCENARIO]
    code, output = cli(*args)
    assert code == 0, output
    return output.replace(str(log), "LOG")


@pytest.mark.parametrize("form", list(SUFFIX))
@pytest.mark.parametrize("run", ["clean", "missed", "resumed", "corrected", "drill"])
def test_each_format_of_each_fixture_run_is_its_golden_file(run, form, fixture_logs, cli):
    output = report(cli, fixture_logs[run], form)
    golden = GOLDEN / f"{run}.{SUFFIX[form]}"
    if os.environ.get("EHPLAN_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("run", ["clean", "missed", "resumed", "corrected", "drill"])
def test_the_json_holds_to_the_published_schema(run, fixture_logs, cli):
    schema = json.loads((ROOT / "schemas/report.schema.json").read_text(encoding="utf-8"))
    data = json.loads(report(cli, fixture_logs[run], "json"))
    jsonschema.validate(data, schema)
    seqs = {m["seq"] for m in data["timeline"]}
    for item in data["compliance"]["items"] + data["compliance"]["deviations"]:
        assert set(item["evidence"]) <= set(range(data["integrity"]["records"]))  # evidence is real seqs
    assert seqs <= set(range(data["integrity"]["records"]))
    broken = {**data, "deadlines": [{"verdict": "met"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_scores_say_what_happened(fixture_logs, cli):
    clean = json.loads(report(cli, fixture_logs["clean"], "json"))["compliance"]
    assert clean["done"] == clean["applicable"] and clean["deviations"] == []
    missed = json.loads(report(cli, fixture_logs["missed"], "json"))["compliance"]
    kinds = {d["kind"]: d for d in missed["deviations"]}
    assert {"late", "skipped", "ended_early"} <= set(kinds) and missed["done"] < missed["applicable"]
    assert kinds["skipped"]["grade"] == "major" and "IT line busy" in kinds["skipped"]["detail"]
    assert kinds["late"]["evidence"][0] == 1  # the timer_started record
    corrected = json.loads(report(cli, fixture_logs["corrected"], "json"))["compliance"]
    assert [d["kind"] for d in corrected["deviations"]] == ["corrected_after_branch"]
    drill = json.loads(report(cli, fixture_logs["drill"], "json"))
    assert drill["drill_score"]["possible"] == 9 and drill["header"]["mode"] == "drill"
    # one score model: the drill's points are of the compliance score's items, its expectations among them
    refs = {i["ref"] for i in drill["compliance"]["items"]}
    assert {i["ref"] for i in drill["compliance"]["items"] if i["category"] == "expectation"} == {
        "example_drill/explain", "example_drill/call_it", "example_drill/fixed"}
    assert all(line["item"] in refs for line in drill["drill_score"]["lines"])
    text = report(cli, fixture_logs["drill"], "text")
    assert text.count("Compliance: 11/11 items") == 1 and text.index("Compliance:") < text.index("Drill score:")


def test_text_from_the_log_is_escaped_in_every_format(fixture_logs, cli):
    log = fixture_logs["missed"]  # an override reason and a note carry markup, a link, a pipe, a newline
    html = report(cli, log, "html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "first line\\nsecond line" in html
    md = report(cli, log, "md")
    assert "](javascript:" not in md and "\\]\\(javascript:alert\\(1\\)\\)" in md
    assert "<script>" not in md and "&lt;script>" in md
    note = next(line for line in md.splitlines() if "first line" in line)
    assert "second line" in note and " \\| pipe" in note  # one line, and the pipe cannot end a table cell
    timeline = [line for line in md.splitlines() if line.startswith("| +")]
    assert all(line.count(" | ") == 2 and line.endswith(" |") for line in timeline)  # three cells, every row
    data = json.loads(report(cli, log, "json"))
    assert any(n["text"] == "first line\nsecond line <b>bold</b> | pipe" for n in data["notes"])  # as logged
    text = report(cli, log, "text")
    assert "first line\\nsecond line" in text and "first line\nsecond" not in text


def test_several_logs_make_one_report_file(fixture_logs, cli, tmp_path):
    out = tmp_path / "both.html"
    code, output = cli("report", str(fixture_logs["clean"]), str(fixture_logs["resumed"]), "--format", "html",
                       "--out", str(out), "--playbooks", PLAYBOOKS)
    assert code == 0 and "report written to" in output
    page = out.read_text(encoding="utf-8")
    assert page.count('<section class="report"') == 2 and "@page run1" in page
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    code, output = cli("report", str(fixture_logs["clean"]), str(fixture_logs["resumed"]), "--format", "json",
                       "--playbooks", PLAYBOOKS)
    assert code == 0 and [r["header"]["run"] for r in json.loads(output)] == ["clean-1", "resumed-1"]


TRICKY = ["", "plain", 'a "quoted" \\ back\\slash', "新細明體 • 📅 ✎", "\x00\x1b[31m\x7f\u2028\u202e", "\ud800 lone",
          "</script><b>", "line\nbreak\ttab", "’' \u0085"]


def test_the_json_rows_written_straight_are_what_the_encoder_writes(report_library):
    """`_row_lines` writes the timeline, calls and notes without a dict per row:
    each row must be, character for character, `_ROW` of its `to_json` row."""
    from dataclasses import replace

    from ehplan.report import formats
    from ehplan.report.afteraction import Call, Integrity, Moment, NoteLine, build_report
    from ehplan.engine.events import Logged

    start = {"playbook": "example", "run": "r", "operator": "Ann", "mode": "live", "lang": "en", "clock_scale": 1,
             "scenario": None, "content_hash": ""}
    base = build_report([Logged(0, "2026-11-30T01:00:00.000+00:00", "run_started", start)], report_library,
                        Integrity("log.jsonl", 1, "0" * 64))
    texts = TRICKY + [chr(c) for c in range(0, 0x250)]
    elapsed = [0.0, 0.001, 1.5, 59.999, 1e-06, 123456.789, 3600.0, 0.1 + 0.2, -0.5, 1e16]
    report = replace(
        base,
        timeline=tuple(Moment(i, elapsed[i % len(elapsed)], texts[(i + 1) % len(texts)], texts[(i + 2) % len(texts)],
                              text) for i, text in enumerate(texts)),
        calls=tuple(Call(i, text, texts[-i], texts[i // 2] if i % 3 else "", texts[(i * 7) % len(texts)], text)
                    for i, text in enumerate(texts)),
        notes=tuple(NoteLine(i, text, texts[-i], texts[(i * 5) % len(texts)]) for i, text in enumerate(texts)))
    rows = formats.to_json(report, rows=True)
    lines = formats._row_lines(report)
    assert set(lines) == {"timeline", "calls", "notes"}
    for key, written in lines.items():
        expected = [formats._ROW(row) for row in rows[key]]
        assert list(written) == expected and len(expected) == len(texts)
        assert [json.loads(line) for line in expected] == list(formats.to_json(report, rows=True)[key])
