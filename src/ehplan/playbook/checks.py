"""Graph checks a playbook must pass beyond its schema: ids unique, references
resolve, every step reachable, every path able to end, texts in every language.

Each check returns problems placed at the YAML node that causes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from ehplan.playbook.models import (
    AnyOf,
    ChecklistStep,
    DecisionStep,
    EndStep,
    GotoStep,
    LangText,
    NotifyStep,
    Playbook,
    RecordStep,
    Trigger,
    split_ref,
    successors,
)
from ehplan.text import REQUIRED_LANGS
from ehplan.yamlpos import PathKey, Positions, Problem

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _duplicates(ids: list[tuple[str, PathKey]], what: str, positions: Positions) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for ident, loc in ids:
        if ident in seen:
            problems.append(positions.problem(loc, f"duplicate {what} id {ident!r}"))
        seen.add(ident)
    return problems


def check_ids(playbook: Playbook, positions: Positions) -> list[Problem]:
    """Step, timer, follow-up, field, choice and item ids are unique where they must be."""
    problems = _duplicates([(s.id, ("steps", i, "id")) for i, s in enumerate(playbook.steps)], "step", positions)
    problems += _duplicates([(t.id, ("timers", i, "id")) for i, t in enumerate(playbook.timers)], "timer", positions)
    problems += _duplicates(
        [(f.id, ("followups", i, "id")) for i, f in enumerate(playbook.followups)], "follow-up", positions
    )
    fields: list[tuple[str, PathKey]] = [
        (field.id, ("steps", i, "fields", j, "id"))
        for i, step in enumerate(playbook.steps)
        if isinstance(step, RecordStep)
        for j, field in enumerate(step.fields)
    ]
    problems += _duplicates(fields, "field", positions)
    for i, step in enumerate(playbook.steps):
        if isinstance(step, DecisionStep):
            problems += _duplicates(
                [(c.id, ("steps", i, "choices", j, "id")) for j, c in enumerate(step.choices)], "choice", positions
            )
        if isinstance(step, ChecklistStep):
            problems += _duplicates(
                [(c.id, ("steps", i, "items", j, "id")) for j, c in enumerate(step.items)], "item", positions
            )
    return problems


def record_fields(playbook: Playbook) -> dict[str, Any]:
    """Every record field of the playbook by id."""
    return {
        field.id: field
        for step in playbook.steps
        if isinstance(step, RecordStep)
        for field in step.fields
    }


def check_references(playbook: Playbook, positions: Positions) -> list[Problem]:
    """Every ``next``, route field, timer trigger and escalation names something that exists."""
    steps = playbook.step_index
    fields = record_fields(playbook)
    problems: list[Problem] = []
    if playbook.entry not in steps:
        problems.append(positions.problem(("entry",), f"entry step {playbook.entry!r} does not exist"))
    for i, step in enumerate(playbook.steps):
        base: PathKey = ("steps", i)
        if hasattr(step, "next") and step.next not in steps:
            problems.append(positions.problem((*base, "next"), f"next step {step.next!r} does not exist"))
        if isinstance(step, DecisionStep):
            for j, choice in enumerate(step.choices):
                if choice.next not in steps:
                    problems.append(
                        positions.problem((*base, "choices", j, "next"), f"next step {choice.next!r} does not exist")
                    )
        if isinstance(step, RecordStep):
            for j, route in enumerate(step.routes):
                loc = (*base, "routes", j)
                if route.next not in steps:
                    problems.append(positions.problem((*loc, "next"), f"next step {route.next!r} does not exist"))
                field = fields.get(route.when.field)
                if field is None:
                    problems.append(
                        positions.problem((*loc, "when", "field"), f"field {route.when.field!r} does not exist")
                    )
                elif route.when.operator in ("gt", "ge", "lt", "le") and field.type != "number":
                    problems.append(
                        positions.problem(
                            (*loc, "when", route.when.operator),
                            f"{route.when.operator} needs a number field, {field.id!r} is {field.type}",
                        )
                    )
    for i, timer in enumerate(playbook.timers):
        base = ("timers", i)
        problems += trigger_problems(playbook, timer.start, (*base, "start"), positions)
        for j, trigger in enumerate(timer.until):
            problems += trigger_problems(playbook, trigger, (*base, "until", j), positions)
        if timer.escalate_to is not None and timer.escalate_to not in steps:
            problems.append(
                positions.problem((*base, "escalate_to"), f"escalation step {timer.escalate_to!r} does not exist")
            )
    for i, followup in enumerate(playbook.followups):
        problems += trigger_problems(playbook, followup.start, ("followups", i, "start"), positions)
    for trigger, loc in must_triggers(playbook):
        problems += trigger_problems(playbook, trigger, loc, positions)
    return problems


def trigger_problems(playbook: Playbook, trigger: Trigger, loc: PathKey, positions: Positions) -> list[Problem]:
    steps = playbook.step_index
    for key in ("enter", "complete"):
        target = getattr(trigger, key)
        if target is not None and target not in steps:
            return [positions.problem((*loc, key), f"step {target!r} does not exist")]
    if trigger.item is not None:
        step_id, item_id = split_ref(trigger.item)
        step = steps.get(step_id)
        if not isinstance(step, ChecklistStep) or item_id not in {i.id for i in step.items}:
            return [positions.problem((*loc, "item"), f"checklist item {trigger.item!r} does not exist")]
    if trigger.field is not None and trigger.field not in record_fields(playbook):
        return [positions.problem((*loc, "field"), f"record field {trigger.field!r} does not exist")]
    if trigger.choice is not None:
        step_id, choice_id = split_ref(trigger.choice)
        step = steps.get(step_id)
        if not isinstance(step, DecisionStep) or choice_id not in {c.id for c in step.choices}:
            return [positions.problem((*loc, "choice"), f"choice {trigger.choice!r} does not exist")]
    return []


def check_graph(playbook: Playbook, positions: Positions) -> list[Problem]:
    """Every step is reachable from the entry (or an escalation), and every
    reachable step can reach an ``end`` or a ``goto``."""
    steps = playbook.step_index
    if playbook.entry not in steps:
        return []  # already reported by check_references
    roots = [playbook.entry, *(t.escalate_to for t in playbook.timers if t.escalate_to in steps)]
    reachable: set[str] = set()
    stack = [r for r in roots if r is not None]
    while stack:
        current = stack.pop()
        if current in reachable:
            continue
        reachable.add(current)
        stack.extend(n for n in successors(steps[current]) if n in steps)
    problems = [
        positions.problem(("steps", i, "id"), f"step {step.id!r} cannot be reached from the entry")
        for i, step in enumerate(playbook.steps)
        if step.id not in reachable
    ]
    # Backwards from every terminal step: which steps can finish?
    predecessors: dict[str, set[str]] = {sid: set() for sid in steps}
    for step in playbook.steps:
        for nxt in successors(step):
            if nxt in predecessors:
                predecessors[nxt].add(step.id)
    # A step whose next is missing is reported by check_references; do not
    # also report every step before it as unable to end.
    can_finish = {
        s.id for s in playbook.steps
        if isinstance(s, EndStep | GotoStep) or any(n not in steps for n in successors(s))
    }
    stack = list(can_finish)
    while stack:
        for before in predecessors[stack.pop()]:
            if before not in can_finish:
                can_finish.add(before)
                stack.append(before)
    problems += [
        positions.problem(("steps", i, "id"), f"no path from step {step.id!r} reaches an end")
        for i, step in enumerate(playbook.steps)
        if step.id in reachable and step.id not in can_finish
    ]
    return problems


def iter_texts(value: Any, loc: PathKey = ()) -> Iterator[tuple[PathKey, Any]]:
    """Every text value inside a model, with its data path."""
    if isinstance(value, LangText):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            child = getattr(value, name)
            key = info.alias or name
            if name in ("id", "source", "next", "kind", "playbook", "step", "schema_", "number"):
                continue
            yield from iter_texts(child, (*loc, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from iter_texts(child, (*loc, i))
    elif isinstance(value, str):
        yield loc, value


def check_languages(model: BaseModel, positions: Positions) -> list[Problem]:
    """Every text of a shipped file carries zh-Hant and en (a language-neutral
    plain string without Chinese is fine)."""
    problems: list[Problem] = []
    for loc, text in iter_texts(model):
        if isinstance(text, LangText):
            missing = [lang for lang in REQUIRED_LANGS if lang not in text.as_map()]
            if missing:
                problems.append(positions.problem(loc, f"text lacks {', '.join(missing)}"))
        elif _CJK.search(text) and loc and loc[-1] not in ("person",):
            problems.append(positions.problem(
                loc, "Chinese text without an English version: write {zh-Hant: …, en: …}"))
    return problems


def check_playbook(playbook: Playbook, positions: Positions, *, require_langs: bool) -> list[Problem]:
    """All checks that need only the playbook itself."""
    problems = check_ids(playbook, positions) + check_references(playbook, positions)
    problems += check_graph(playbook, positions)
    if require_langs:
        problems += check_languages(playbook, positions)
    return problems


def referenced_contacts(playbook: Playbook) -> Iterator[tuple[str, PathKey]]:
    """Contact ids a playbook refers to, with where."""
    for i, role in enumerate(playbook.roles):
        yield role, ("roles", i)
    for i, step in enumerate(playbook.steps):
        for j, contact in enumerate(step.contacts):
            yield contact, ("steps", i, "contacts", j)
        if isinstance(step, NotifyStep):
            for j, contact in enumerate(step.notify):
                yield contact, ("steps", i, "notify", j)
            for j, contact in enumerate(step.best_effort):
                yield contact, ("steps", i, "best_effort", j)
    for i, timer in enumerate(playbook.timers):
        for j, trigger in enumerate([timer.start, *timer.until]):
            if trigger.contact is not None:
                where: PathKey = ("timers", i, "start") if j == 0 else ("timers", i, "until", j - 1)
                yield trigger.contact, (*where, "contact")
    for trigger, loc in must_triggers(playbook):
        if trigger.contact is not None:
            yield trigger.contact, (*loc, "contact")


def must_triggers(playbook: Playbook) -> Iterator[tuple[Trigger, PathKey]]:
    """Every trigger of ``must_before_end``, alternatives of an ``any_of`` included,
    with its data path."""
    for i, entry in enumerate(playbook.must_before_end):
        if isinstance(entry, AnyOf):
            for j, trigger in enumerate(entry.any_of):
                yield trigger, ("must_before_end", i, "any_of", j)
        else:
            yield entry, ("must_before_end", i)
