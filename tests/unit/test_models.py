"""The playbook schema models, durations and bilingual text, positive and negative."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from ehplan.playbook.duration import format_duration, parse_duration
from ehplan.playbook.models import (
    ActionStep,
    CalendarDuration,
    ChecklistItem,
    ChecklistStep,
    Choice,
    Condition,
    DecisionStep,
    EndStep,
    FollowUp,
    GotoStep,
    LangText,
    NotifyStep,
    Playbook,
    RecordField,
    RecordStep,
    Route,
    Timer,
    Trigger,
    split_ref,
    successors,
    text_map,
)
from ehplan.text import LANGS, parse_lang, pick, to_simplified, visible

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "playbooks" / "example.yaml"
T = {"zh-Hant": "開始", "en": "Start"}


def example() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def errors(model: Any, data: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return info.value.errors()


# --- durations ---------------------------------------------------------------


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("3m", 180), ("15m", 900), ("4h", 14400),
                                               ("24h", 86400), ("30d", 2592000), (" 5m ", 300)])
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["0m", "15x", "1.5h", "15", "m", "-5m", "1234567s", "5 m", "", "5M"])
def test_parse_duration_refuses(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


@pytest.mark.parametrize("bad", [15, 1.5, True, None, ["3m"]])
def test_parse_duration_refuses_non_strings(bad: object) -> None:
    with pytest.raises(ValueError, match="a duration is a string"):
        parse_duration(bad)


@pytest.mark.parametrize(("seconds", "text"), [(30, "30s"), (180, "3m"), (3600, "1h"), (90, "90s"),
                                               (86400 * 30, "30d"), (5400, "90m")])
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


# --- texts -------------------------------------------------------------------


def test_langtext() -> None:
    text = LangText.model_validate({"zh-Hant": "開始", "en": "Start"})
    assert text.as_map() == {"zh-Hant": "開始", "en": "Start"}
    assert text_map(text) == {"zh-Hant": "開始", "en": "Start"}
    assert text_map("plain") == "plain"
    assert text_map(None) is None
    assert LangText(zh_Hans="开始").as_map() == {"zh-Hans": "开始"}


@pytest.mark.parametrize("bad", [{}, {"fr": "x"}, {"en": ""}, {"zh-Hant": None}, {"en": 5}])
def test_langtext_refuses(bad: dict[str, Any]) -> None:
    errors(LangText, bad)


def test_langtext_is_frozen() -> None:
    text = LangText(en="x")
    with pytest.raises(ValidationError):
        text.en = "y"  # type: ignore[misc]


def test_pick_plain_and_present() -> None:
    assert pick(None, "en") == ""
    assert pick("same", "zh-Hans") == "same"
    assert pick(T, "en") == "Start"
    assert pick(T, "zh-Hant") == "開始"
    assert pick({"zh-Hant": "開始", "zh-Hans": "起始", "en": "x"}, "zh-Hans") == "起始"


def test_pick_zh_hans_is_converted_with_opencc() -> None:
    assert pick({"zh-Hant": "醫用紗布塊", "en": "gauze"}, "zh-Hans") == "医用纱布块"
    assert to_simplified("緊急應變") == "紧急应变"


def test_pick_fallbacks() -> None:
    assert pick({"en": "Only English"}, "zh-Hant") == "Only English"
    assert pick({"en": "Only English"}, "zh-Hans") == "Only English"
    assert pick({"zh-Hant": "只有中文"}, "en") == "只有中文"
    assert pick({"zh-Hans": "简体"}, "en") == "简体"
    assert pick({"zh-Hans": "简体"}, "zh-Hant") == "简体"
    assert pick({}, "en") == ""


@pytest.mark.parametrize(("given", "lang"), [("zh-Hant", "zh-Hant"), ("ZH-TW", "zh-Hant"), ("tc", "zh-Hant"),
                                             ("zh_cn", "zh-Hans"), ("sc", "zh-Hans"), (" en ", "en"),
                                             ("en-US", "en")])
def test_parse_lang(given: str, lang: str) -> None:
    assert parse_lang(given) == lang
    assert lang in LANGS


def test_parse_lang_refuses() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        parse_lang("fr")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("a\x9bb", "a\\x9bb"),
        ("abc\u202edef", "abc\\u202edef"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("a\u200fb", "a\\u200fb"),
        ("nul\x00", "nul\\x00"),
        ("del\x7f", "del\\x7f"),
        ("line1\nline2\tcol", "line1\nline2\tcol"),
        ("開始 [bold]x[/bold]", "開始 [bold]x[/bold]"),
        ("", ""),
    ],
)
def test_visible(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_visible_leaves_no_control_characters() -> None:
    import unicodedata

    raw = "".join(chr(c) for c in range(0x00, 0xA0)) + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    out = visible(raw)
    assert all(ch in "\n\t" or unicodedata.category(ch) not in ("Cc",) for ch in out)
    assert not any(ch in out for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# --- conditions and routes ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "operator", "operand"),
    [
        ({"field": "loss_yuan", "gt": 5000}, "gt", 5000),
        ({"field": "loss_yuan", "ge": 0}, "ge", 0),
        ({"field": "loss_yuan", "lt": 1}, "lt", 1),
        ({"field": "loss_yuan", "le": 2}, "le", 2),
        ({"field": "place", "eq": 1}, "eq", 1),
        ({"field": "name", "ne": "x"}, "ne", "x"),
        ({"field": "place", "in": [0, 1]}, "in", [0, 1]),
    ],
)
def test_condition(data: dict[str, Any], operator: str, operand: Any) -> None:
    cond = Condition.model_validate(data)
    assert (cond.operator, cond.operand) == (operator, operand)


@pytest.mark.parametrize(
    "data",
    [
        {"field": "x"},
        {"field": "x", "gt": 1, "lt": 5},
        {"field": "x", "eq": 1, "in": [1]},
        {"field": "X", "eq": 1},
        {"field": "x", "gt": "big"},
        {"field": "x", "contains": "a"},
        {"gt": 1},
    ],
)
def test_condition_refuses(data: dict[str, Any]) -> None:
    errors(Condition, data)


def test_route() -> None:
    route = Route.model_validate({"when": {"field": "a", "eq": "b"}, "next": "s"})
    assert route.next == "s"
    errors(Route, {"when": {"field": "a", "eq": "b"}})
    errors(Route, {"when": "a > 5", "next": "s"})


# --- steps ---------------------------------------------------------------------

BASE = {"id": "s", "title": T, "source": "S1.2"}


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        (ActionStep, {"kind": "action", "next": "n", "script": T, "body": "x", "supplies": ["a"], "contacts": ["b"]}),
        (ChecklistStep, {"kind": "checklist", "next": "n", "items": [{"id": "i", "text": T}]}),
        (DecisionStep, {"kind": "decision", "choices": [{"id": "a", "label": T, "next": "n"},
                                                         {"id": "b", "label": T, "next": "m"}]}),
        (RecordStep, {"kind": "record", "next": "n", "fields": [{"id": "f", "label": T}]}),
        (NotifyStep, {"kind": "notify", "next": "n", "notify": ["police"], "any_of": True}),
        (GotoStep, {"kind": "goto", "playbook": "other", "step": "start"}),
        (EndStep, {"kind": "end"}),
    ],
)
def test_steps(model: Any, extra: dict[str, Any]) -> None:
    step = model.model_validate({**BASE, **extra})
    assert step.id == "s"
    errors(model, {**BASE, **extra, "colour": "red"})
    missing_source = {k: v for k, v in {**BASE, **extra}.items() if k != "source"}
    errors(model, missing_source)
    errors(model, {**BASE, **extra, "source": "5.3"})
    errors(model, {**BASE, **extra, "id": "Bad-Id"})


def test_step_defaults() -> None:
    end = EndStep.model_validate({**BASE, "kind": "end"})
    assert end.outcome == "resolved" and end.supplies == [] and end.contacts == [] and end.body is None
    notify = NotifyStep.model_validate({**BASE, "kind": "notify", "next": "n", "notify": ["x"]})
    assert notify.any_of is False


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (ChecklistStep, {"kind": "checklist", "next": "n", "items": []}),
        (DecisionStep, {"kind": "decision", "choices": [{"id": "a", "label": T, "next": "n"}]}),
        (DecisionStep, {"kind": "decision", "choices": [{"id": f"c{i}", "label": T, "next": "n"} for i in range(10)]}),
        (RecordStep, {"kind": "record", "next": "n", "fields": []}),
        (NotifyStep, {"kind": "notify", "next": "n", "notify": []}),
        (ActionStep, {"kind": "action"}),
        (ActionStep, {"kind": "end", "next": "n"}),
        (GotoStep, {"kind": "goto"}),
        (EndStep, {"kind": "end", "outcome": "Not An Id"}),
    ],
)
def test_steps_refuse(model: Any, data: dict[str, Any]) -> None:
    errors(model, {**BASE, **data})


def test_decision_takes_two_to_nine_choices() -> None:
    for n in (2, 9):
        step = DecisionStep.model_validate(
            {**BASE, "kind": "decision", "choices": [{"id": f"c{i}", "label": T, "next": "n"} for i in range(n)]}
        )
        assert len(step.choices) == n


def test_checklist_item_and_choice() -> None:
    item = ChecklistItem.model_validate({"id": "i", "text": T, "source": "S1", "optional": True, "script": "x"})
    assert item.optional is True
    assert ChecklistItem.model_validate({"id": "i", "text": T}).optional is False
    errors(ChecklistItem, {"id": "i"})
    errors(ChecklistItem, {"id": "i", "text": T, "optional": "maybe"})
    assert Choice.model_validate({"id": "c", "label": "x", "next": "n"}).next == "n"
    errors(Choice, {"id": "c", "label": "x"})


def test_record_field() -> None:
    field = RecordField.model_validate({"id": "f", "label": T})
    assert (field.type, field.required, field.choices) == ("text", True, None)
    choice = RecordField.model_validate({"id": "f", "label": T, "type": "choice", "choices": [T, "B"]})
    assert len(choice.choices or []) == 2
    for kind in ("phone", "number"):
        assert RecordField.model_validate({"id": "f", "label": T, "type": kind}).type == kind


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "choice"}, "a choice field needs choices"),
        ({"type": "choice", "choices": []}, "a choice field needs choices"),
        ({"type": "text", "choices": ["a"]}, "only a choice field takes choices"),
        ({"type": "date"}, "Input should be"),
    ],
)
def test_record_field_refuses(data: dict[str, Any], message: str) -> None:
    (error,) = errors(RecordField, {"id": "f", "label": T, **data})
    assert message in error["msg"]


# --- triggers, timers, follow-ups ----------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [{"run": True}, {"enter": "s"}, {"complete": "s"}, {"item": "s.i"}, {"contact": "police"},
     {"choice": "s.c"}, {"field": "f"}],
)
def test_trigger(data: dict[str, Any]) -> None:
    assert Trigger.model_validate(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "a trigger needs exactly one of run, enter, complete, item, contact, choice, field"),
        ({"enter": "a", "complete": "b"}, "a trigger needs exactly one of"),
        ({"run": False}, "run: false starts nothing; write run: true"),
        ({"item": "no_dot"}, "String should match pattern"),
        ({"choice": "a.b.c"}, "String should match pattern"),
        ({"leave": "s"}, "Extra inputs are not permitted"),
    ],
)
def test_trigger_refuses(data: dict[str, Any], message: str) -> None:
    assert any(message in e["msg"] for e in errors(Trigger, data))


TIMER = {"id": "t", "kind": "deadline", "label": T, "duration": "3m", "start": {"run": True},
         "until": [{"enter": "s"}], "source": "S5.3.2"}


def test_timer() -> None:
    timer = Timer.model_validate(TIMER)
    assert timer.duration == 180 and timer.warn_before is None and timer.escalate_to is None
    cal = Timer.model_validate({**TIMER, "duration": {"workday": "15m", "holiday": "45m"}, "warn_before": "1m"})
    assert isinstance(cal.duration, CalendarDuration)
    assert (cal.duration.workday, cal.duration.holiday) == (900, 2700)
    assert cal.warn_before == 60
    esc = Timer.model_validate({**TIMER, "kind": "escalate_after", "escalate_to": "s"})
    assert esc.escalate_to == "s"


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "escalate_after"},
        {"kind": "alarm"},
        {"duration": "0m"},
        {"duration": "15x"},
        {"duration": "1.5h"},
        {"duration": 15},
        {"duration": {"workday": "15m"}},
        {"duration": {"workday": "15m", "holiday": "45m", "weekend": "1h"}},
        {"until": []},
        {"warn_before": "soon"},
        {"source": "S"},
    ],
)
def test_timer_refuses(change: dict[str, Any]) -> None:
    errors(Timer, {**TIMER, **change})


def test_escalate_after_message() -> None:
    (error,) = errors(Timer, {**TIMER, "kind": "escalate_after"})
    assert "an escalate_after timer needs escalate_to" in error["msg"]


def test_followup() -> None:
    data = {"id": "keep", "text": T, "after": "30d", "start": {"enter": "s"}, "source": "S4.1.2"}
    assert FollowUp.model_validate(data).after == 30 * 86400
    errors(FollowUp, {**data, "after": "30 days"})
    errors(FollowUp, {k: v for k, v in data.items() if k != "start"})


def test_durations_serialise_back() -> None:
    timer = Timer.model_validate({**TIMER, "duration": {"workday": "15m", "holiday": "45m"}})
    assert timer.model_dump(mode="json")["duration"] == {"workday": "15m", "holiday": "45m"}


# --- the playbook ---------------------------------------------------------------


def test_example_playbook() -> None:
    playbook = Playbook.model_validate(example())
    assert playbook.id == "example"
    assert {type(s) for s in playbook.steps} == {ActionStep, ChecklistStep, NotifyStep, RecordStep,
                                                 DecisionStep, GotoStep, EndStep}
    assert playbook.step("fixed").id == "fixed"
    assert list(playbook.step_index) == [s.id for s in playbook.steps]
    duration = playbook.timer("it_on_site").duration
    assert isinstance(duration, CalendarDuration) and (duration.workday, duration.holiday) == (900, 2700)
    with pytest.raises(KeyError):
        playbook.step("nope")
    with pytest.raises(KeyError):
        playbook.timer("nope")


def test_playbook_is_frozen() -> None:
    playbook = Playbook.model_validate(example())
    with pytest.raises(ValidationError):
        playbook.id = "other"  # type: ignore[misc]


def test_playbook_accepts_schema_key_and_emergency_key() -> None:
    data = {**example(), "$schema": "../schemas/playbook.schema.json", "emergency_key": "f12"}
    playbook = Playbook.model_validate(data)
    assert playbook.schema_ == "../schemas/playbook.schema.json"
    assert playbook.emergency_key == "f12"


@pytest.mark.parametrize(
    "change",
    [
        {"version": 0},
        {"version": "one"},
        {"category": "fire"},
        {"emergency_key": "f13"},
        {"emergency_key": "F5"},
        {"steps": []},
        {"keywords": ["  "]},
        {"entry": "Greet"},
        {"source": "5"},
        {"author": "me"},
        {"title": 5},
    ],
)
def test_playbook_refuses(change: dict[str, Any]) -> None:
    errors(Playbook, {**example(), **change})


@pytest.mark.parametrize("key", ["id", "version", "title", "category", "summary", "definition", "source",
                                 "entry", "steps"])
def test_playbook_required_keys(key: str) -> None:
    data = example()
    del data[key]
    (error,) = errors(Playbook, data)
    assert error["type"] == "missing" and error["loc"] == (key,)


def test_step_kind_discriminates() -> None:
    data = example()
    data["steps"][0]["kind"] = "acton"
    (error,) = errors(Playbook, data)
    assert error["type"] == "union_tag_invalid"
    data = example()
    del data["steps"][0]["kind"]
    (error,) = errors(Playbook, data)
    assert error["type"] == "union_tag_not_found"


def test_successors() -> None:
    playbook = Playbook.model_validate(example())
    assert successors(playbook.step("greet")) == ["checks"]
    assert successors(playbook.step("fixed")) == ["done", "escalate"]
    assert successors(playbook.step("amount")) == ["police", "fixed"]
    assert successors(playbook.step("escalate")) == []
    assert successors(playbook.step("done")) == []


def test_split_ref() -> None:
    assert split_ref("checks.divert") == ("checks", "divert")


def test_example_is_not_mutated_by_validation() -> None:
    data = example()
    before = copy.deepcopy(data)
    Playbook.model_validate(data)
    assert data == before


def test_json_dump_round_trips() -> None:
    playbook = Playbook.model_validate(example())
    assert Playbook.model_validate(playbook.model_dump(mode="json", by_alias=True, exclude_none=True)) == playbook
