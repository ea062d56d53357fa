# ruff: noqa: E501  (the table holds whole problem lines)
"""Every file under tests/data/invalid/ is wrong in one way; the loader must
report exactly these lines (all problems of the file, not just the first),
each placed at the YAML node that causes it and worded for a playbook author."""

from __future__ import annotations

from pathlib import Path

import pytest

from ehplan.library import DATA_FILES, load_data_file, load_library
from ehplan.playbook.loader import load_playbook
from ehplan.yamlpos import MAX_BYTES, LoadError

REPO = Path(__file__).resolve().parents[2]
INVALID = Path("tests/data/invalid")  # relative: the lines below show it as given

EXPECTED: dict[str, list[str]] = {
    'bad_id.yaml': [
        "tests/data/invalid/bad_id.yaml:8:8: 'Start-1' is not an id: lowercase letters, digits and _, starting with a letter",
        "tests/data/invalid/bad_id.yaml:10:9: 'Start-1' is not an id: lowercase letters, digits and _, starting with a letter",
    ],
    'bad_source.yaml': [
        "tests/data/invalid/bad_source.yaml:13:13: '5.1.1' is not a plan section: write it like S5.3.6",
    ],
    'billion_laughs.yaml': [
        'tests/data/invalid/billion_laughs.yaml:1:56: document too large after alias expansion (over 200000 nodes)',
    ],
    'calendar_duration_no_holiday.yaml': [
        "tests/data/invalid/calendar_duration_no_holiday.yaml:23:15: missing required key 'holiday'",
    ],
    'calendar_end_before_start/calendar.yaml': [
        'tests/data/invalid/calendar_end_before_start/calendar.yaml:4:65: end is before start',
    ],
    'calendar_outside_years/calendar.yaml': [
        "tests/data/invalid/calendar_outside_years/calendar.yaml:7:5: 2027-01-04 is outside the calendar's years (2026): add its year to years or remove it",
    ],
    'chinese_plain_string.yaml': [
        'tests/data/invalid/chinese_plain_string.yaml:12:12: Chinese text without an English version: write {zh-Hant: …, en: …}',
    ],
    'choice_field_without_choices.yaml': [
        'tests/data/invalid/choice_field_without_choices.yaml:15:60: a choice field needs choices',
    ],
    'condition_no_operator.yaml': [
        'tests/data/invalid/condition_no_operator.yaml:18:15: a condition needs exactly one of eq, ne, gt, ge, lt, le, in',
    ],
    'condition_two_operators.yaml': [
        'tests/data/invalid/condition_two_operators.yaml:18:15: a condition needs exactly one of eq, ne, gt, ge, lt, le, in',
    ],
    'contacts_bad_number/contacts.yaml': [
        "tests/data/invalid/contacts_bad_number/contacts.yaml:3:41: '11O' is not a phone number: digits, spaces, +, - and ( ) only",
    ],
    'cycle_without_end.yaml': [
        "tests/data/invalid/cycle_without_end.yaml:10:9: no path from step 'start' reaches an end",
        "tests/data/invalid/cycle_without_end.yaml:15:9: no path from step 'ask' reaches an end",
        "tests/data/invalid/cycle_without_end.yaml:22:9: no path from step 'loop' reaches an end",
    ],
    'day_night_not_in_notify.yaml': [
        "tests/data/invalid/day_night_not_in_notify.yaml:10:13: 'any_of' needs at least 2 entries, found 1",
        "tests/data/invalid/day_night_not_in_notify.yaml:16:13: by_time_of_day needs any_of: true (either call satisfies the step)",
    ],
    'decision_one_choice.yaml': [
        "tests/data/invalid/decision_one_choice.yaml:15:7: 'choices' needs at least 2 entries, found 1",
    ],
    'decision_ten_choices.yaml': [
        "tests/data/invalid/decision_ten_choices.yaml:15:7: 'choices' takes at most 9 entries, found 10",
    ],
    'duplicate_key.yaml': [
        "tests/data/invalid/duplicate_key.yaml:14:5: duplicate key 'source'",
    ],
    'duplicate_step_id.yaml': [
        "tests/data/invalid/duplicate_step_id.yaml:15:9: duplicate step id 'start'",
    ],
    'duration_bad_unit.yaml': [
        "tests/data/invalid/duration_bad_unit.yaml:23:15: '15x' is not a duration: write a whole number and s, m, h or d",
    ],
    'duration_fraction.yaml': [
        "tests/data/invalid/duration_fraction.yaml:23:15: '1.5h' is not a duration: write a whole number and s, m, h or d",
    ],
    'duration_plain_number.yaml': [
        'tests/data/invalid/duration_plain_number.yaml:23:15: a duration is a string like 30s, 3m, 4h or 30d',
    ],
    'duration_zero.yaml': [
        'tests/data/invalid/duration_zero.yaml:23:15: a duration must be positive',
    ],
    'empty.yaml': [
        'tests/data/invalid/empty.yaml:1:1: the file is empty',
    ],
    'escalate_without_target.yaml': [
        'tests/data/invalid/escalate_without_target.yaml:21:11: an escalate_after timer needs escalate_to',
    ],
    'goto_missing_playbook.yaml': [
        "tests/data/invalid/goto_missing_playbook.yaml:19:15: playbook 'no_such_playbook' does not exist",
    ],
    'gt_on_text_field.yaml': [
        "tests/data/invalid/gt_on_text_field.yaml:18:33: gt needs a number field, 'name' is text",
    ],
    'missing_kind.yaml': [
        "tests/data/invalid/missing_kind.yaml:10:5: missing required key 'kind'",
    ],
    'missing_required.yaml': [
        "tests/data/invalid/missing_required.yaml:10:5: missing required key 'source'",
    ],
    'next_missing_step.yaml': [
        "tests/data/invalid/next_missing_step.yaml:14:11: next step 'finish' does not exist",
        "tests/data/invalid/next_missing_step.yaml:15:9: step 'done' cannot be reached from the entry",
    ],
    'not_utf8.yaml': [
        'tests/data/invalid/not_utf8.yaml:3:33: not valid UTF-8 (byte 0xe9): save the file as UTF-8',
    ],
    'not_the_plans_words.yaml': [  # 由於 for the plan's 由于; the body that quotes across a page break passes
        "tests/data/invalid/not_the_plans_words.yaml:13:23: not the plan's words after '對不起由': quote the plan exactly (punctuation aside) or mark the text origin: authors",
    ],
    'notify_unknown_contact.yaml': [
        "tests/data/invalid/notify_unknown_contact.yaml:14:22: contact 'ghostbusters' does not exist",
    ],
    'python_tag.yaml': [
        "tests/data/invalid/python_tag.yaml:12:12: tag '!!python/object/apply:os.system' is not allowed: playbooks hold plain data only",
    ],
    'recursive_alias.yaml': [
        'tests/data/invalid/recursive_alias.yaml:9:11: recursive alias: an anchored value cannot contain its own alias',
    ],
    'route_unknown_field.yaml': [
        "tests/data/invalid/route_unknown_field.yaml:18:23: field 'loss' does not exist",
    ],
    'supplies_negative_quantity/supplies.yaml': [
        'tests/data/invalid/supplies_negative_quantity/supplies.yaml:6:15: must be at least 0, not -20',
    ],
    'tab_indent.yaml': [
        'tests/data/invalid/tab_indent.yaml:12:1: YAML syntax: a tab character here: indent with spaces, never tabs',
    ],
    'text_missing_en.yaml': [
        'tests/data/invalid/text_missing_en.yaml:12:12: text lacks en',
    ],
    'timer_missing_targets.yaml': [
        "tests/data/invalid/timer_missing_targets.yaml:40:20: step 'strat' does not exist",
        "tests/data/invalid/timer_missing_targets.yaml:48:20: checklist item 'start.tock' does not exist",
        "tests/data/invalid/timer_missing_targets.yaml:55:22: choice 'ask.maybe' does not exist",
        "tests/data/invalid/timer_missing_targets.yaml:62:21: record field 'loss' does not exist",
    ],
    'top_level_list.yaml': [
        'tests/data/invalid/top_level_list.yaml:1:1: a playbook is a mapping of keys (id, title, steps…)',
    ],
    'unknown_kind.yaml': [
        "tests/data/invalid/unknown_kind.yaml:11:11: unknown kind 'acton': expected one of 'action', 'checklist', 'decision', 'record', 'notify', 'goto', 'end'",
    ],
    'unknown_step_key.yaml': [
        "tests/data/invalid/unknown_step_key.yaml:15:5: unknown key 'nxet'",
    ],
    'unknown_supply.yaml': [
        "tests/data/invalid/unknown_supply.yaml:14:26: supply 'bandaid' does not exist",
    ],
    'unknown_top_key.yaml': [
        "tests/data/invalid/unknown_top_key.yaml:8:1: unknown key 'author'",
    ],
    'unreachable_step.yaml': [
        "tests/data/invalid/unreachable_step.yaml:15:9: step 'orphan' cannot be reached from the entry",
    ],
    'yaml_syntax.yaml': [
        "tests/data/invalid/yaml_syntax.yaml:4:9: YAML syntax: expected ',' or '}', but got ':' (while parsing a flow mapping that starts at line 3, column 8)",
    ],
}


def problems_of(path: Path) -> list[str]:
    """Load a data file on its own, or a playbook with the shipped site data
    (so that contacts, supplies and goto targets are checked)."""
    try:
        if path.name in DATA_FILES:
            load_data_file(path, DATA_FILES[path.name])
        else:
            load_library([path], Path("data"))
    except LoadError as exc:
        return [str(problem) for problem in exc.problems]
    return []


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def test_table_covers_the_corpus() -> None:
    on_disk = sorted(p.relative_to(REPO / INVALID).as_posix() for p in (REPO / INVALID).rglob("*.yaml"))
    assert on_disk == sorted(EXPECTED)
    assert len(on_disk) >= 32


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_file(name: str) -> None:
    assert problems_of(INVALID / name) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_line_is_one_positioned_line(name: str) -> None:
    for line in EXPECTED[name]:
        assert "\n" not in line
        path, row, col, message = line.split(":", 3)
        assert path == (INVALID / name).as_posix()
        assert int(row) >= 1 and int(col) >= 1
        assert message.startswith(" ") and len(message) > 5


def test_billion_laughs_refused() -> None:
    """Refused by the node limit; how fast, as the expansion grows, is measured
    by `make bench` (benchmarks/hostile_bench.py), not timed here."""
    with pytest.raises(LoadError) as info:
        load_playbook(INVALID / "billion_laughs.yaml")
    assert "alias expansion" in info.value.problems[0].message


def test_file_over_one_megabyte(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"id: big\n" + b"# padding\n" * (MAX_BYTES // 10 + 1))
    assert big.stat().st_size > 1_000_000
    with pytest.raises(LoadError) as info:
        load_playbook(big)
    assert [str(p) for p in info.value.problems] == [
        f"{big}:1:1: file too large ({big.stat().st_size} bytes, limit {MAX_BYTES})"
    ]


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_playbook(tmp_path / "nope.yaml")
    (problem,) = info.value.problems
    assert (problem.line, problem.col) == (1, 1)
    assert problem.message.startswith("cannot read")


def test_library_reports_every_file_at_once() -> None:
    names = ["bad_id.yaml", "unknown_supply.yaml", "text_missing_en.yaml"]
    with pytest.raises(LoadError) as info:
        load_library([INVALID / n for n in names], Path("data"))
    assert sorted(str(p) for p in info.value.problems) == sorted(line for n in names for line in EXPECTED[n])


def test_two_playbooks_with_one_id() -> None:
    with pytest.raises(LoadError) as info:
        load_library([INVALID / "unknown_supply.yaml", INVALID / "notify_unknown_contact.yaml"], Path("data"))
    assert [str(p) for p in info.value.problems] == [
        "tests/data/invalid/notify_unknown_contact.yaml:1:5: playbook id 'mini' is also used by "
        "tests/data/invalid/unknown_supply.yaml",
        *EXPECTED["unknown_supply.yaml"],
    ]
