"""Graph, reference, id and language checks beyond the schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ehplan.playbook.checks import (
    check_graph,
    check_ids,
    check_languages,
    check_playbook,
    check_references,
    iter_texts,
    record_fields,
    referenced_contacts,
)
from ehplan.playbook.models import Playbook
from ehplan.yamlpos import Positions, Problem, load_yaml, validate_model

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "playbooks" / "example.yaml"

Check = Callable[[Playbook, Positions], list[Problem]]


def example() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def build(data: dict[str, Any]) -> tuple[Playbook, Positions]:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    value, positions = load_yaml(Path("p.yaml"), text.encode("utf-8"))
    return validate_model(Playbook, value, positions), positions


def run(check: Check, data: dict[str, Any]) -> list[tuple[tuple[int, int], str]]:
    playbook, positions = build(data)
    return [((p.line, p.col), p.message) for p in check(playbook, positions)]


def at(data: dict[str, Any], *loc: str | int) -> tuple[int, int]:
    _, positions = build(data)
    return positions.values[loc]


def step(data: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in data["steps"] if s["id"] == step_id)


def index(data: dict[str, Any], step_id: str) -> int:
    return next(i for i, s in enumerate(data["steps"]) if s["id"] == step_id)


T = {"zh-Hant": "步驟", "en": "Step"}


def test_example_passes_every_check() -> None:
    playbook, positions = build(example())
    assert check_playbook(playbook, positions, require_langs=True) == []


# --- ids --------------------------------------------------------------------


def test_duplicate_step_id() -> None:
    data = example()
    data["steps"].append({**step(data, "done")})
    n = len(data["steps"]) - 1
    assert run(check_ids, data) == [(at(data, "steps", n, "id"), "duplicate step id 'done'")]


def test_duplicate_timer_and_followup_ids() -> None:
    data = example()
    data["timers"].append({**data["timers"][0]})
    data["followups"].append({**data["followups"][0]})
    assert run(check_ids, data) == [
        (at(data, "timers", 3, "id"), "duplicate timer id 'report_3m'"),
        (at(data, "followups", 1, "id"), "duplicate follow-up id 'keep_cctv'"),
    ]


def test_duplicate_field_choice_item_ids() -> None:
    data = example()
    fields = step(data, "amount")["fields"]
    fields.append({**fields[0]})
    choices = step(data, "fixed")["choices"]
    choices[1]["id"] = choices[0]["id"]
    items = step(data, "checks")["items"]
    items[2]["id"] = "explain"
    a, f, c = index(data, "amount"), index(data, "fixed"), index(data, "checks")
    assert sorted(run(check_ids, data)) == sorted([
        (at(data, "steps", a, "fields", 4, "id"), "duplicate field id 'loss_yuan'"),
        (at(data, "steps", f, "choices", 1, "id"), "duplicate choice id 'yes_fixed'"),
        (at(data, "steps", c, "items", 2, "id"), "duplicate item id 'explain'"),
    ])


def test_same_item_id_in_two_checklists_is_fine() -> None:
    data = example()
    data["steps"].insert(2, {"id": "checks2", "kind": "checklist", "title": T, "source": "S5",
                             "items": [{"id": "explain", "text": T}], "next": "call_it"})
    step(data, "checks")["next"] = "checks2"
    assert run(check_ids, data) == []
    assert run(check_graph, data) == []


# --- references ----------------------------------------------------------------


def test_missing_entry() -> None:
    data = {**example(), "entry": "nowhere"}
    assert run(check_references, data) == [(at(data, "entry"), "entry step 'nowhere' does not exist")]
    assert run(check_graph, data) == []  # not reported twice


def test_missing_next_everywhere() -> None:
    data = example()
    step(data, "greet")["next"] = "nope1"
    step(data, "fixed")["choices"][0]["next"] = "nope2"
    step(data, "amount")["routes"][0]["next"] = "nope3"
    g, f, a = index(data, "greet"), index(data, "fixed"), index(data, "amount")
    assert sorted(run(check_references, data)) == sorted([
        (at(data, "steps", g, "next"), "next step 'nope1' does not exist"),
        (at(data, "steps", f, "choices", 0, "next"), "next step 'nope2' does not exist"),
        (at(data, "steps", a, "routes", 0, "next"), "next step 'nope3' does not exist"),
    ])


def test_route_on_unknown_field() -> None:
    data = example()
    step(data, "amount")["routes"][0]["when"] = {"field": "loss", "gt": 1}
    a = index(data, "amount")
    assert run(check_references, data) == [
        (at(data, "steps", a, "routes", 0, "when", "field"), "field 'loss' does not exist")
    ]


@pytest.mark.parametrize("op", ["gt", "ge", "lt", "le"])
@pytest.mark.parametrize(("field", "kind"), [("reporter_phone", "phone"), ("place", "choice"), ("remark", "text")])
def test_ordering_needs_a_number_field(op: str, field: str, kind: str) -> None:
    data = example()
    step(data, "amount")["routes"][0]["when"] = {"field": field, op: 1}
    a = index(data, "amount")
    assert run(check_references, data) == [
        (at(data, "steps", a, "routes", 0, "when", op), f"{op} needs a number field, {field!r} is {kind}")
    ]


@pytest.mark.parametrize("when", [{"field": "place", "eq": 1}, {"field": "remark", "ne": "x"},
                                  {"field": "place", "in": [0, 1]}, {"field": "loss_yuan", "le": 10}])
def test_equality_on_any_field(when: dict[str, Any]) -> None:
    data = example()
    step(data, "amount")["routes"][0]["when"] = when
    assert run(check_references, data) == []


def test_a_route_may_use_a_field_of_an_earlier_step() -> None:
    data = example()
    step(data, "fixed")  # decision, keep
    data["steps"].insert(index(data, "police"), {
        "id": "second", "kind": "record", "title": T, "source": "S5", "fields": [{"id": "x", "label": T}],
        "routes": [{"when": {"field": "loss_yuan", "ge": 1}, "next": "fixed"}], "next": "fixed",
    })
    step(data, "police")["next"] = "second"
    assert run(check_references, data) == []


@pytest.mark.parametrize(
    ("trigger", "key", "message"),
    [
        ({"enter": "ghost"}, "enter", "step 'ghost' does not exist"),
        ({"complete": "ghost"}, "complete", "step 'ghost' does not exist"),
        ({"item": "checks.ghost"}, "item", "checklist item 'checks.ghost' does not exist"),
        ({"item": "greet.explain"}, "item", "checklist item 'greet.explain' does not exist"),
        ({"item": "ghost.explain"}, "item", "checklist item 'ghost.explain' does not exist"),
        ({"choice": "fixed.ghost"}, "choice", "choice 'fixed.ghost' does not exist"),
        ({"choice": "greet.yes_fixed"}, "choice", "choice 'greet.yes_fixed' does not exist"),
        ({"field": "ghost"}, "field", "record field 'ghost' does not exist"),
    ],
)
def test_triggers_must_resolve(trigger: dict[str, str], key: str, message: str) -> None:
    for where in ("start", "until", "followup", "must_before_end"):
        data = example()
        if where == "start":
            data["timers"][0]["start"] = trigger
            loc: tuple[str | int, ...] = ("timers", 0, "start", key)
        elif where == "until":
            data["timers"][1]["until"].append(trigger)
            loc = ("timers", 1, "until", 2, key)
        elif where == "followup":
            data["followups"][0]["start"] = trigger
            loc = ("followups", 0, "start", key)
        else:
            data["must_before_end"].append(trigger)
            loc = ("must_before_end", 1, key)
        assert run(check_references, data) == [(at(data, *loc), message)], where


def test_contact_and_run_triggers_are_not_checked_here() -> None:
    data = example()
    data["timers"][0]["until"] = [{"contact": "anybody"}]
    assert run(check_references, data) == []


def test_escalation_target_must_exist() -> None:
    data = example()
    data["timers"][2]["escalate_to"] = "ghost"
    assert run(check_references, data) == [
        (at(data, "timers", 2, "escalate_to"), "escalation step 'ghost' does not exist")
    ]


# --- graph -------------------------------------------------------------------------


def test_escalation_target_counts_as_reachable() -> None:
    data = example()
    assert "wait_or_leave" not in {n for s in data["steps"] for n in [s.get("next")]}
    assert run(check_graph, data) == []
    data["timers"][2]["kind"] = "deadline"
    del data["timers"][2]["escalate_to"]
    w = index(data, "wait_or_leave")
    assert run(check_graph, data) == [
        (at(data, "steps", w, "id"), "step 'wait_or_leave' cannot be reached from the entry")
    ]


def test_unreachable_step() -> None:
    data = example()
    data["steps"].append({"id": "orphan", "kind": "end", "title": T, "source": "S5"})
    n = len(data["steps"]) - 1
    assert run(check_graph, data) == [(at(data, "steps", n, "id"), "step 'orphan' cannot be reached from the entry")]


def test_cycle_without_an_end() -> None:
    data = example()
    step(data, "fixed")["choices"][0]["next"] = "wait_or_leave"  # fixed <-> wait_or_leave, escalate is a goto
    step(data, "fixed")["choices"][1]["next"] = "wait_or_leave"
    problems = run(check_graph, data)
    assert ((at(data, "steps", index(data, "done"), "id"), "step 'done' cannot be reached from the entry") in problems)
    assert ((at(data, "steps", index(data, "escalate"), "id"), "step 'escalate' cannot be reached from the entry")
            in problems)
    no_path = sorted(m for _, m in problems if m.startswith("no path"))
    assert no_path == sorted(f"no path from step {s!r} reaches an end"
                             for s in ["greet", "checks", "call_it", "amount", "police", "fixed", "wait_or_leave"])


def test_goto_counts_as_an_end() -> None:
    data = example()
    step(data, "fixed")["choices"][0]["next"] = "escalate"
    data["steps"] = [s for s in data["steps"] if s["id"] != "done"]
    data["timers"][2]["until"] = [{"enter": "escalate"}]
    assert run(check_graph, data) == []


def test_a_missing_next_does_not_cascade() -> None:
    data = example()
    step(data, "greet")["next"] = "nope"
    problems = run(check_graph, data)
    assert all(not m.startswith("no path") for _, m in problems)
    assert {m for _, m in problems} == {f"step {s!r} cannot be reached from the entry"
                                        for s in ["checks", "call_it", "amount", "police"]}


# --- languages ----------------------------------------------------------------------


def test_iter_texts_skips_ids() -> None:
    playbook, _ = build(example())
    locs = [loc for loc, _ in iter_texts(playbook)]
    assert ("title",) in locs
    assert ("steps", 0, "script") in locs
    assert ("keywords", 1) in locs
    assert not any(loc[-1] in ("id", "source", "next", "kind", "playbook") for loc in locs)


def test_languages_ok_for_example() -> None:
    assert run(check_languages, example()) == []


def test_text_missing_a_required_language() -> None:
    data = example()
    step(data, "greet")["title"] = {"zh-Hant": "開始"}
    step(data, "greet")["script"] = {"en": "Hello"}
    step(data, "checks")["items"][0]["text"] = {"zh-Hans": "说明"}
    g, c = index(data, "greet"), index(data, "checks")
    assert sorted(run(check_languages, data)) == sorted([
        (at(data, "steps", g, "title"), "text lacks en"),
        (at(data, "steps", g, "script"), "text lacks zh-Hant"),
        (at(data, "steps", c, "items", 0, "text"), "text lacks zh-Hant, en"),
    ])


def test_chinese_plain_string() -> None:
    data = example()
    data["keywords"].append("停電")
    step(data, "greet")["body"] = "請稍候"
    g = index(data, "greet")
    msg = "Chinese text without an English version: write {zh-Hant: …, en: …}"
    assert sorted(run(check_languages, data)) == sorted([
        (at(data, "keywords", 2), msg),
        (at(data, "steps", g, "body"), msg),
    ])


def test_plain_ascii_string_is_language_neutral() -> None:
    data = example()
    step(data, "greet")["body"] = "110 / 119"
    assert run(check_languages, data) == []


def test_require_langs_switch() -> None:
    data = example()
    step(data, "greet")["title"] = {"zh-Hant": "開始"}
    playbook, positions = build(data)
    assert check_playbook(playbook, positions, require_langs=False) == []
    assert [p.message for p in check_playbook(playbook, positions, require_langs=True)] == ["text lacks en"]


# --- helpers --------------------------------------------------------------------------


def test_record_fields() -> None:
    playbook, _ = build(example())
    assert list(record_fields(playbook)) == ["loss_yuan", "reporter_phone", "place", "remark"]


def test_referenced_contacts() -> None:
    data = example()
    step(data, "greet")["contacts"] = ["store_manager"]
    data["timers"][0]["start"] = {"contact": "security"}
    found = list(referenced_contacts(build(data)[0]))
    assert found == [
        ("line_head", ("roles", 0)),
        ("store_manager", ("steps", 0, "contacts", 0)),
        ("it_centre", ("steps", 2, "notify", 0)),
        ("police", ("steps", 4, "notify", 0)),
        ("security", ("timers", 0, "start", "contact")),
        ("it_centre", ("timers", 0, "until", 0, "contact")),
        ("it_centre", ("must_before_end", 0, "contact")),
    ]
