"""The whole-flow tree: every step of every playbook exactly once (a step
reached again is a reference), with where the run is and the branches taken."""

from __future__ import annotations

import pytest

from ehplan.paper.outline import Branch, outline, outline_lines
from ehplan.paper.words import Words


def steps_shown(branch: Branch) -> list[str]:
    found = [branch.step] if branch.kind not in ("again", "choice", "route", "timer", "goto_target",
                                                 "playbook") else []
    for child in branch.children:
        found += steps_shown(child)
    return found


@pytest.mark.parametrize("playbook_id", ["gas_accident_report", "hotline_system_failure", "agitated_customer",
                                         "property_loss", "personal_safety"])
def test_every_step_once(shipped_library, playbook_id: str) -> None:  # type: ignore[no-untyped-def]
    playbook = shipped_library.playbook(playbook_id)
    shown = steps_shown(outline(playbook, Words(shipped_library, "en")))
    assert sorted(shown) == sorted(step.id for step in playbook.steps)


def test_marks_where_the_run_is_and_the_branches_taken(shipped_library) -> None:  # type: ignore[no-untyped-def]
    playbook = shipped_library.playbook("gas_accident_report")
    tree = outline(playbook, Words(shipped_library, "en"), visited=["record_location", "network", "customer_safety"],
                   current="customer_safety", chosen={"network": "customer"})
    lines = [line.strip() for line in outline_lines(tree)]
    assert lines[:2] == ["✓ 1. Record the location of the incident", "✓ 2. What kind of place is the incident at?"]
    assert "● Residential or commercial-industrial customer" in lines
    assert "○ Municipal gas main" in lines and "○ Estate (residential-compound) network" in lines
    assert "▶ 8. Give the caller the safety instructions" in lines
    assert lines.count("↑ 14. Record the reporter's phone number and name") == 4


def test_a_route_taken_is_marked_from_the_path(shipped_library) -> None:  # type: ignore[no-untyped-def]
    playbook = shipped_library.playbook("property_loss")
    record = next(step for step in playbook.steps if getattr(step, "routes", None))
    target = record.routes[0].next  # type: ignore[attr-defined]
    tree = outline(playbook, Words(shipped_library, "en"), visited=[playbook.entry, record.id, target],
                   current=target)
    routes = [line.strip() for line in outline_lines(tree) if line.strip()[:1] in "●○" and ("if" in line
                                                                                            or "otherwise" in line)]
    assert routes[0].startswith("● if ") and all(line.startswith("○") for line in routes[1:]), routes
