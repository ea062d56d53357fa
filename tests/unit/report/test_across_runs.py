"""`ehplan report --summary`: a directory of runs written by Session on fake
clocks, with answers known from how each was driven, checked figure by figure
in every format; a tampered run listed and left out; text from the logs
escaped; the HTML's charts are SVG and it has no script."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
from fixture_runs import PLAYBOOKS, ROOT

from ehplan.audit import read_log
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.library import Library
from ehplan.report.formats import md
from ehplan.session import Session

EVIL = "<script>alert(1)</script> | ](javascript:alert(2))"
# (run id, local start day, seconds before the call, the call's outcome)
LIVE = [("jan-a", (1, 10), 60, "answered"), ("jan-b", (1, 20), 100, "answered"), ("feb-a", (2, 3), 200, "called"),
        ("feb-b", (2, 5), 400, "answered"), ("mar-a", (3, 1), 250, "no_answer")]


def _run(library: Library, log_dir: Path, run_id: str, day: tuple[int, int], wait: int, outcome: str,
         mode: str = "live", operator: str = "Ann") -> Path:
    clock = FakeClock(dt.datetime(2026, day[0], day[1], 1, 0, tzinfo=dt.UTC))  # 09:00 in the plan's zone
    session = Session.start(library, log_dir, c.StartRun("example", run_id, operator, mode, "en", 1, None), clock)
    session.execute(c.Continue())
    session.execute(c.TickItem("explain"))
    session.execute(c.TickItem("divert"))
    session.execute(c.Continue())  # to the IT centre's call
    session.execute(c.AddNote(EVIL + "\nsecond line"))
    clock.advance(wait)
    session.execute(c.Tick())
    session.execute(c.LogContact("it_centre", outcome))
    if outcome == "no_answer":  # no call made: the step skipped and the run left unfinished (it cannot end)
        session.execute(c.Override("line busy"))
    else:
        session.execute(c.EndRun(confirm=True))  # before the playbook's end: ended early
    session.close()
    return session.path


@pytest.fixture(scope="module")
def runs(report_library: Library, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("summary")
    live, drills = base / "live", base / "drills"
    live.mkdir(mode=0o700)
    drills.mkdir(mode=0o700)
    paths = {run_id: _run(report_library, live, run_id, day, wait, outcome, operator=EVIL if i == 1 else "Ann")
             for i, (run_id, day, wait, outcome) in enumerate(LIVE)}
    paths["drill"] = _run(report_library, drills, "drill-a", (1, 12), 30, "answered", mode="drill")
    tampered = live / "zz-evil<b>|](javascript:x).jsonl"
    shutil.copy(paths["jan-a"], tampered)
    lines = tampered.read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].replace(b'"Ann"', b'"Bob"')  # an operator name edited in a record
    tampered.write_bytes(b"".join(lines))
    paths["tampered"] = tampered
    return paths


def summary(cli, runs: dict[str, Path], form: str, *args: str) -> str:
    code, output = cli("report", "--summary", str(runs["jan-a"].parent), str(runs["drill"].parent),
                       "--playbooks", PLAYBOOKS, "--lang", "en", "--format", form, *args)
    assert code == 0, output
    return output


def _seqs_of(path: Path, *types: str, key: str | None = None) -> set[int]:
    records, _ = read_log(path)
    return {r.seq for r in records if r.type in types
            and (key is None or r.data.get("key", f"{r.data.get('playbook')}/{r.data.get('timer')}") == key)}


def test_every_figure_is_what_the_runs_did(cli, runs):
    data = json.loads(summary(cli, runs, "json"))
    jsonschema.validate(data, json.loads((ROOT / "schemas/summary.schema.json").read_text(encoding="utf-8")))
    assert data["files"] == 7 and data["runs"] == 5  # the drill left out, the tampered run not counted
    assert data["by_playbook"] == [{"playbook": "example", "label": "Example incident (example)", "runs": 5}]
    assert data["by_month"] == [{"month": "2026-01", "runs": 2}, {"month": "2026-02", "runs": 2},
                                {"month": "2026-03", "runs": 1}]
    (limit,) = data["limits"]
    assert (limit["timer"], limit["limit_s"], limit["met"], limit["late"], limit["missed"], limit["open"]) == \
        ("example/report_3m", 180, 2, 2, 1, 0)
    assert limit["met_percent"] == 40.0
    behind = {Path(e["file"]).name: e for e in limit["evidence"]}
    assert {name: e["verdict"] for name, e in behind.items()} == {
        runs["feb-a"].name: "met_late", runs["feb-b"].name: "met_late", runs["mar-a"].name: "missed"}
    missed = behind[runs["mar-a"].name]["seqs"]  # the seqs are the timer's own records in that log
    assert set(missed) == _seqs_of(runs["mar-a"], "timer_started", "timer_expired", key="example/report_3m")
    calls = data["first_required_call"]
    assert (calls["runs"], calls["without"]) == (4, 1)  # no_answer is no call made
    assert calls["median_s"] == 150.0 and calls["p90_s"] == 400.0  # of 60, 100, 200, 400 s
    assert {Path(e["file"]).name: e["seqs"] for e in calls["evidence"]}[runs["jan-b"].name] == \
        sorted(_seqs_of(runs["jan-b"], "contact_logged"))
    counts = {d["kind"]: d["count"] for d in data["deviations"]}
    assert counts == {"ended_early": 4, "late": 2, "missed_deadline": 1, "skipped": 1,
                      "call_not_made": 1}
    assert data["deviations"][0]["kind"] == "ended_early"  # most frequent first
    early = next(d for d in data["deviations"] if d["kind"] == "ended_early")
    for e in early["evidence"]:
        assert e["seqs"] == sorted(_seqs_of(Path(e["file"]), "run_ended"))
    (bad,) = data["unverified"]
    assert bad["file"] == str(runs["tampered"]) and bad["integrity"] == "tampered" and bad["bad_seq"] == 3


def test_filters_and_drills(cli, runs):
    data = json.loads(summary(cli, runs, "json", "--since", "2026-01-15", "--until", "2026-02-28"))
    assert data["runs"] == 3 and [m["month"] for m in data["by_month"]] == ["2026-01", "2026-02"]
    assert len(data["unverified"]) == 1  # listed whatever the filters: its date cannot be trusted
    data = json.loads(summary(cli, runs, "json", "--drills"))
    assert data["runs"] == 6 and data["by_month"][0] == {"month": "2026-01", "runs": 3}
    assert json.loads(summary(cli, runs, "json", "--playbook", "example_other"))["runs"] == 0


def test_text_and_markdown_say_the_same_and_escape_the_logs(cli, runs):
    text = summary(cli, runs, "text")
    assert "40.0%  Report within 3 minutes (03:00) — met 2, late 2, missed 1" in text
    assert "median 02:30, 90th percentile 06:40" in text and "tampered (seq 3)" in text
    markdown = summary(cli, runs, "md")
    assert "| Report within 3 minutes \\(03:00\\) | 40.0% | 2 | 2 | 1 | 0 |" in markdown
    assert f"- {md(str(runs['mar-a']))} (seq 1, 11) — missed" in markdown  # the file and seqs behind it
    assert "<b>" not in markdown and "](javascript" not in markdown and "zz-evil&lt;b>\\|\\]\\(javascript" in markdown
    for form in ("text", "md", "json"):
        assert "<script>" not in summary(cli, runs, form)


def test_the_html_has_svg_charts_no_script_and_escapes(cli, runs, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "summary.html"
    summary(cli, runs, "html", "--out", str(out))
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "default-src 'none'" in page and "@page { size: A4" in page
    assert page.count('<svg class="chart ') == 3 and 'class="chart limits"' in page
    assert "<b>" not in page and "zz-evil&lt;b&gt;|](javascript:x).jsonl: tampered" in page
    summary(cli, runs, "html", "--out", str(out))
    assert out.read_text(encoding="utf-8") == page  # no date, no random ids: the same runs, the same file


def test_without_matplotlib_html_says_how_to_install_it(cli, runs, monkeypatch):
    import ehplan.report.acrossformats as formats

    monkeypatch.setattr(formats, "charts_available", lambda: False)
    code, output = cli("report", "--summary", str(runs["jan-a"].parent), "--playbooks", PLAYBOOKS, "--format", "html")
    assert code == 2 and output.strip() == "ehplan: the summary's HTML charts need matplotlib: " \
                                           "pip install 'ehplan[summary]'"


def test_summary_options_need_summary(cli, runs):
    code, output = cli("report", str(runs["jan-a"]), "--since", "2026-01-01", "--playbooks", PLAYBOOKS)
    assert code == 2 and "go with --summary" in output


def test_a_run_edited_after_it_was_cached_is_read_again(cli, runs, tmp_path):
    """The cache cannot hide an edit, even one that keeps the size and puts the mtime back."""
    live = tmp_path / "live"
    shutil.copytree(runs["jan-a"].parent, live)
    target = live / runs["jan-b"].name

    def read() -> dict:
        code, output = cli("report", "--summary", str(live), "--playbooks", PLAYBOOKS, "--format", "json")
        assert code == 0, output
        return json.loads(output)

    assert read()["runs"] == 5 and read()["runs"] == 5  # the second from the cache
    info = target.stat()
    target.write_bytes(target.read_bytes().replace(b'"answered"', b'"called"\x20\x20'))  # same size
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    again = read()
    assert again["runs"] == 4
    assert {(Path(u["file"]).name, u["integrity"]) for u in again["unverified"]} >= {(target.name, "tampered")}


# (run id, playbook, the start in UTC, drill?) — the plan's zone is UTC+8, so a start at 16:30 UTC on
# 31 January is 00:30 on 1 February there, and counts in February.
MIXED = [("a1", "example", (2026, 1, 5, 1, 0), False), ("a2", "example", (2026, 1, 31, 15, 30), False),
         ("a3", "example", (2026, 1, 31, 16, 30), False), ("a4", "example", (2026, 3, 2, 1, 0), False),
         ("o1", "example_other", (2026, 1, 7, 1, 0), False), ("o2", "example_other", (2026, 3, 9, 1, 0), False),
         ("o3", "example_other", (2026, 3, 10, 1, 0), False), ("o4", "example_other", (2026, 3, 11, 1, 0), False),
         ("d1", "example_other", (2026, 2, 2, 1, 0), True)]
"""By the plan's local month — example: Jan 2, Feb 1, Mar 1; example_other: Jan 1, Mar 3; a drill in February."""


@pytest.fixture(scope="module")
def mixed(report_library: Library, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A generated directory of runs of two playbooks over three months, a drill and a tampered copy among them."""
    base = tmp_path_factory.mktemp("mixed")
    paths = {}
    for run_id, playbook, start, drill in MIXED:
        clock = FakeClock(dt.datetime(*start, tzinfo=dt.UTC))
        session = Session.start(report_library, base, c.StartRun(playbook, run_id, "Ann", "drill" if drill else "live",
                                                                 "en", 1, None), clock)
        session.execute(c.Continue())
        session.close()
        paths[run_id] = session.path
    tampered = base / "zz-tampered.jsonl"
    tampered.write_bytes(paths["o4"].read_bytes().replace(b'"Ann"', b'"Bob"'))  # counted nowhere
    return paths


def _table(cli, directory: Path, form: str, *args: str) -> str:  # type: ignore[no-untyped-def]
    code, output = cli("report", "--summary", str(directory), "--playbooks", PLAYBOOKS, "--lang", "en",
                       "--format", form, *args)
    assert code == 0, output
    return output


def test_runs_per_playbook_and_month_in_json_each_cell_with_its_runs(cli, mixed):
    data = json.loads(_table(cli, mixed["a1"].parent, "json"))
    jsonschema.validate(data, json.loads((ROOT / "schemas/summary.schema.json").read_text(encoding="utf-8")))
    table = {row["playbook"]: (row["runs"], [(m["month"], m["runs"]) for m in row["months"]])
             for row in data["by_playbook_month"]}
    assert table == {"example": (4, [("2026-01", 2), ("2026-02", 1), ("2026-03", 1)]),
                     "example_other": (4, [("2026-01", 1), ("2026-02", 0), ("2026-03", 3)])}
    assert [row["playbook"] for row in data["by_playbook_month"]] == ["example", "example_other"]
    cells = {(row["playbook"], m["month"]): m["evidence"] for row in data["by_playbook_month"] for m in row["months"]}
    assert {e["run"] for e in cells[("example", "2026-02")]} == {"a3"}  # 00:30 local on 1 February
    assert {e["run"] for e in cells[("example", "2026-01")]} == {"a1", "a2"}  # 23:30 local on 31 January
    for (playbook, month), evidence in cells.items():
        for e in evidence:
            (first,) = [r for r in read_log(Path(e["file"]))[0] if r.seq == e["seqs"][0]]
            assert e["seqs"] == [0] and first.type == "run_started" and first.data["playbook"] == playbook
    # the table adds up to the runs per month and per playbook
    assert [sum(row["months"][i]["runs"] for row in data["by_playbook_month"]) for i in range(3)] == \
        [m["runs"] for m in data["by_month"]]
    assert data["runs"] == 8 and len(data["unverified"]) == 1
    with_drills = json.loads(_table(cli, mixed["a1"].parent, "json", "--drills"))
    other = next(row for row in with_drills["by_playbook_month"] if row["playbook"] == "example_other")
    assert [m["runs"] for m in other["months"]] == [1, 1, 3] and other["runs"] == 5
    only = json.loads(_table(cli, mixed["a1"].parent, "json", "--playbook", "example_other"))
    assert [(m["month"], m["runs"]) for m in only["by_playbook_month"][0]["months"]] == [("2026-01", 1),
                                                                                        ("2026-03", 3)]


def test_runs_per_playbook_and_month_in_text_markdown_and_html(cli, mixed):
    text = _table(cli, mixed["a1"].parent, "text")
    block = text.split("Runs per playbook and month:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split() [-4:] for line in block] == [["2026-01", "2026-02", "2026-03", "total"],
                                                      ["2", "1", "1", "4"], ["1", "0", "3", "4"],
                                                      ["3", "1", "4", "8"]]
    assert block[1].startswith("  Example incident (example)") and block[2].startswith("  Another example")
    assert len({len(line) for line in block}) == 1  # columns line up
    markdown = _table(cli, mixed["a1"].parent, "md")
    assert "| playbook | 2026-01 | 2026-02 | 2026-03 | total |" in markdown
    assert "| Another example \\(example\\_other\\) | 1 | 0 | 3 | 4 |" in markdown
    assert "| total | 3 | 1 | 4 | 8 |" in markdown
    pytest.importorskip("matplotlib")
    page = _table(cli, mixed["a1"].parent, "html")
    assert "<tr><td>Example incident (example)</td><td>2</td><td>1</td><td>1</td><td>4</td></tr>" in page
    assert "<tr><th>playbook</th><th>2026-01</th><th>2026-02</th><th>2026-03</th><th>total</th></tr>" in page


def test_facts_cached_under_the_rules_before_out_of_order_steps_are_read_again(report_library, tmp_path):
    """A cache from before out-of-order steps were graded (version 1) lacks those deviations: not trusted."""
    from ehplan.report.acrossruns import read_facts

    log_dir = tmp_path / "runs"
    log_dir.mkdir(mode=0o700)
    clock = FakeClock(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))
    session = Session.start(report_library, log_dir, c.StartRun("example", "late-call", "Ann", "live", "en"), clock)
    for command in (c.Continue(), c.TickItem("explain"), c.TickItem("divert"), c.Continue(), c.Override("busy"),
                    c.LogContact("it_centre", "answered")):
        session.execute(command)
    session.close()
    cache = tmp_path / "summary-cache.json"
    (facts,) = read_facts([session.path], report_library, cache=cache, jobs=1)
    assert "out_of_order" in {d.kind for d in facts.deviations}
    raw = json.loads(cache.read_text(encoding="utf-8"))
    entry = raw["runs"][str(session.path)]
    entry["facts"][9] = [d for d in entry["facts"][9] if d[0] != "out_of_order"]  # as version 1 found them
    cache.write_text(json.dumps({**raw, "version": 1}), encoding="utf-8")
    (again,) = read_facts([session.path], report_library, cache=cache, jobs=1)
    assert "out_of_order" in {d.kind for d in again.deviations}
