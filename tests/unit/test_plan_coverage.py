"""The shipped playbooks cover the whole plan: every instruction-level section
is cited by a step or checklist item, every time limit is a timer (or
follow-up) with exactly the plan's duration, the verbatim scripts keep the
plan's words, and the gas-accident call cannot end before the essentials.

The expected sections and time limits are data files beside the other test
fixtures: tests/data/plan_sections.txt and tests/data/time_limits.yaml.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from ehplan import resources
from ehplan.library import Library, load_library
from ehplan.playbook.models import (
    AnyOf,
    CalendarDuration,
    ChecklistStep,
    Playbook,
    RecordStep,
    Trigger,
)
from ehplan.text import to_simplified

DATA = Path(__file__).resolve().parents[1] / "data"

EXPECTED_PLAYBOOKS = (
    "agitated_customer",
    "personal_safety",
    "property_loss",
    "counter_system_failure",
    "hall_power_cut",
    "hotline_system_failure",
    "kiosk_failure",
    "customer_fall_illness",
    "fight_theft_robbery",
    "hall_fire",
    "gas_accident_report",
    "fire_alarm",
    "electrical_failure",
    "threatening_call",
    "explosion",
)

# The scripts the plan gives word for word (source text, its punctuation aside).
# S7.1's 「囑其關閉燃氣總閥…」 is an instruction to the operator, not words to say:
# it is the step's body, and the script beside it is the authors' wording.
VERBATIM_SCRIPTS = {
    "S2.3": "對不起，由于我們的紕漏給您帶來不便，同時也感謝您指出我們工作中的不足。",
    "S2.6": "我們也是為了解決您反映的問題，請您先平靜一下，我們再看能為您做些什么",
}

# Sections that are headings or non-instruction parts of the plan; a step may
# cite them although they are not in plan_sections.txt.
NON_INSTRUCTION = {"S8.1", "S8.2", "S9.1", "S9.2"}


@lru_cache(maxsize=1)
def library() -> Library:
    return load_library([resources.playbooks_dir()], resources.data_dir())


def plan_sections() -> list[str]:
    ids = []
    for line in (DATA / "plan_sections.txt").read_text(encoding="utf-8").splitlines():
        ident = line.split("#", 1)[0].strip()
        if ident:
            ids.append(ident)
    return ids


def time_limits() -> list[dict]:
    return yaml.safe_load((DATA / "time_limits.yaml").read_text(encoding="utf-8"))


def cited(playbook: Playbook) -> set[str]:
    """Every section a step or checklist item of the playbook cites."""
    found = set()
    for step in playbook.steps:
        found.add(step.source)
        if isinstance(step, ChecklistStep):
            found.update(item.source for item in step.items if item.source)
    return found


def all_cited() -> dict[str, set[str]]:
    """Section id -> the playbooks citing it."""
    by_section: dict[str, set[str]] = {}
    for pid, loaded in library().playbooks.items():
        for section in cited(loaded.playbook):
            by_section.setdefault(section, set()).add(pid)
    return by_section


def normalise(text: str) -> str:
    """Compare scripts on their words: one character set (Simplified, so that the
    extraction's mixed 于/於 and 么/麼 compare equal), full-width punctuation,
    no spaces, no enclosing quotes or final full stop."""
    text = to_simplified(text)
    for ascii_mark, full in ((",", "，"), (";", "；"), (":", "："), ("?", "？"), ("!", "！")):
        text = text.replace(ascii_mark, full)
    text = re.sub(r"\s+", "", text)
    return text.strip("「」“”\"'").rstrip("。.")


# --- the tests ------------------------------------------------------------------


def test_plan_sections_file_is_sane() -> None:
    ids = plan_sections()
    assert len(ids) == len(set(ids)), "duplicate section ids in plan_sections.txt"
    pattern = re.compile(r"^S\d+(\.\d+)*$")
    assert all(pattern.match(i) for i in ids), [i for i in ids if not pattern.match(i)]


@pytest.mark.parametrize("playbook_id", EXPECTED_PLAYBOOKS)
def test_expected_playbook_exists(playbook_id: str) -> None:
    assert playbook_id in library().playbooks, f"no playbook {playbook_id!r} is shipped"


def test_every_plan_section_is_cited() -> None:
    by_section = all_cited()
    missing = [section for section in plan_sections() if section not in by_section]
    assert not missing, "sections no step or checklist item cites: " + ", ".join(missing)


def test_every_cited_section_exists_in_the_plan() -> None:
    """A typo (S5.3.7) or a section that does not exist is caught: a cited id is a
    listed instruction, a heading above one (S5.3, S7), or a non-instruction part."""
    listed = set(plan_sections())
    headings = {".".join(i.split(".")[:n]) for i in listed for n in range(1, i.count(".") + 1)}
    known = listed | headings | NON_INSTRUCTION
    unknown = {s: sorted(p) for s, p in all_cited().items() if s not in known}
    assert not unknown, f"cited sections that are not in the plan: {unknown}"


def _seconds(duration: int | CalendarDuration) -> int | dict[str, int]:
    if isinstance(duration, CalendarDuration):
        return {"workday": duration.workday, "holiday": duration.holiday}
    return duration


@pytest.mark.parametrize(
    "row", time_limits(), ids=lambda r: f"{r['section']}-{r['playbook']}-{r['duration']}"
)
def test_time_limit_is_implemented(row: dict) -> None:
    lib = library()
    assert row["playbook"] in lib.playbooks, f"no playbook {row['playbook']!r} for {row['section']}"
    playbook = lib.playbook(row["playbook"])
    starts = Trigger.model_validate(row["start"])
    if row["kind"] == "followup":
        found = [(f.id, f.source, f.after, f.start) for f in playbook.followups]
        matches = [f for f in found if f[1] == row["section"] and f[2] == row["duration"] and f[3] == starts]
    else:
        found = [(t.id, t.source, _seconds(t.duration), t.kind, t.start) for t in playbook.timers]
        matches = [
            t
            for t in found
            if t[1] == row["section"]
            and t[2] == row["duration"]
            and t[3] == row.get("timer_kind", t[3])
            and t[4] == starts
        ]
    assert matches, (
        f"{row['playbook']} has no {row['kind']} for {row['section']} of {row['duration']} s"
        f" ({row.get('timer_kind', '')}) starting on {row['start']}; it has {found}"
    )


def test_every_timer_is_a_listed_time_limit() -> None:
    """No playbook invents a time limit: each timer and follow-up is in the table."""
    rows = {(r["playbook"], r["section"], str(r["duration"])) for r in time_limits()}
    extra = []
    for pid, loaded in library().playbooks.items():
        pb = loaded.playbook
        for timer in pb.timers:
            if (pid, timer.source, str(_seconds(timer.duration))) not in rows:
                extra.append(f"{pid}:{timer.id} ({timer.source})")
        for followup in pb.followups:
            if (pid, followup.source, str(followup.after)) not in rows:
                extra.append(f"{pid}:{followup.id} ({followup.source})")
    assert not extra, "timers not in tests/data/time_limits.yaml: " + ", ".join(extra)


def _scripts(playbook: Playbook) -> list[tuple[str, str]]:
    """(section, zh-Hant script) of every step and item that carries one."""
    found = []
    for step in playbook.steps:
        script = getattr(step, "script", None)
        if script is not None:
            found.append((step.source, getattr(script, "zh_Hant", None) or str(script)))
        if isinstance(step, ChecklistStep):
            for item in step.items:
                if item.script is not None:
                    text = getattr(item.script, "zh_Hant", None) or str(item.script)
                    found.append((item.source or step.source, text))
    return found


@pytest.mark.parametrize("section", sorted(VERBATIM_SCRIPTS))
def test_verbatim_script_keeps_the_plans_words(section: str) -> None:
    expected = normalise(VERBATIM_SCRIPTS[section])
    scripts = [
        (pid, text)
        for pid, loaded in library().playbooks.items()
        for source, text in _scripts(loaded.playbook)
        if source == section
    ]
    assert any(normalise(text) == expected for _, text in scripts), (
        f"no step citing {section} has the plan's script {VERBATIM_SCRIPTS[section]!r}; "
        f"scripts citing {section}: {scripts}"
    )


def test_an_instruction_is_not_a_script() -> None:
    """「囑其…」 tells the operator what to have the caller do: it is the body (the
    plan's), and the box to read gives words to say, marked as the authors'."""
    step = library().playbook("gas_accident_report").step("customer_safety")
    assert step.body is not None and step.body.as_map()["zh-Hant"].startswith("囑其關閉燃氣總閥")  # type: ignore[union-attr]
    script = step.script  # type: ignore[attr-defined]
    assert script.origin == "authors" and not script.zh_Hant.startswith("囑其")
    assert library().playbook("gas_accident_report").channel == "hotline"
    for loaded in library().playbooks.values():
        for found in loaded.playbook.steps:
            words = getattr(getattr(found, "script", None), "zh_Hant", None) or ""
            assert not words.startswith("囑"), (loaded.playbook.id, found.id)


def test_gas_accident_cannot_end_before_crew_and_reporter() -> None:
    pb = library().playbook("gas_accident_report")
    assert pb.emergency_key == "f5"
    required = list(pb.must_before_end)
    fields = {
        field.id: field
        for step in pb.steps
        if isinstance(step, RecordStep)
        for field in step.fields
    }
    required_fields = [fields[t.field] for t in required if isinstance(t, Trigger) and t.field is not None]
    assert any(f.type == "phone" for f in required_fields), "the reporter's phone must be required"
    assert any(f.type == "text" and "name" in f.id for f in required_fields), (
        "the reporter's name must be required"
    )
    description = pb.description.as_map() if pb.description is not None else {}
    assert any(
        isinstance(entry, AnyOf)
        and {t.contact for t in entry.any_of} == {"repair_duty_crew", "group_manager"}
        for entry in required
    ), "by day the group manager, at night the repair crew: either call satisfies the end"
    lost = "the description must say the flowchart's arrows were lost"
    assert "箭頭" in description.get("zh-Hant", ""), lost
    assert "arrow" in description.get("en", "").lower(), lost


def test_validate_command_accepts_the_shipped_library() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ehplan", "validate"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- instruction level ------------------------------------------------------------------

ROOT = DATA.parents[1]


def instructions() -> list[dict]:
    return yaml.safe_load((DATA / "plan_instructions.yaml").read_text(encoding="utf-8"))


def _cites(playbook: Playbook, step_id: str, section: str) -> bool:
    step = playbook.step(step_id)
    items = step.items if isinstance(step, ChecklistStep) else []
    return section in {step.source, *(item.source for item in items)}


def test_every_instruction_is_the_plans_words_and_cited_by_its_steps() -> None:
    """Each of the plan's instructions (S2–S7, tests/data/plan_instructions.yaml) is
    the plan's own words and names the steps that carry it out; each of those
    steps exists and cites the instruction's section."""
    from ehplan.playbook.verbatim import normalise

    rows = instructions()
    assert len(rows) > 150
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate instruction ids"
    plan = normalise(library().plan or "")
    problems = []
    for row in rows:
        section, _, number = row["id"].partition("/")
        assert re.match(r"^S\d+(\.\d+)*$", section) and number.isdigit(), row["id"]
        if normalise(row["text"]) not in plan:
            problems.append(f"{row['id']}: not the plan's words")
        if not row["steps"]:
            problems.append(f"{row['id']}: no step")
        for ref in row["steps"]:
            pid, _, step_id = ref.partition(".")
            try:
                if not _cites(library().playbook(pid), step_id, section):
                    problems.append(f"{row['id']}: {ref} does not cite {section}")
            except KeyError:
                problems.append(f"{row['id']}: no step {ref}")
    assert not problems, problems


def test_every_instruction_section_is_listed_and_every_listed_section_has_instructions() -> None:
    listed = set(plan_sections())
    sections = {row["id"].split("/")[0] for row in instructions()}
    assert sections <= listed, sorted(sections - listed)
    assert listed - sections == set(), sorted(listed - sections)


def test_every_reading_is_written_down_and_only_readings_are() -> None:
    """An instruction that needed interpretation says `reading`, and the authoring
    doc writes the reading down under its id; a faithful one has no reading there."""
    doc = (ROOT / "docs" / "playbook-authoring.md").read_text(encoding="utf-8")
    readings = doc[doc.index("## Readings of the plan"):]
    for row in instructions():
        assert row["status"] in ("faithful", "reading"), row
        written = f"`{row['id']}` 「" in readings
        assert written == (row["status"] == "reading"), row["id"]
    assert readings.count("`S") == sum(1 for row in instructions() if row["status"] == "reading")
