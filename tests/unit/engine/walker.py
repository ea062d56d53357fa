"""A diligent operator for engine tests: does what each step asks and explores
every branch of a playbook (decision choices, record routes and their default).

Runs are cloned at each branch (the state is frozen, the log is copied), so a
walk never replays its prefix. Cycles are bounded: a branching edge
(playbook, step, choice) already taken on the current path is not taken again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import product

from ehplan.engine import commands as c
from ehplan.engine import events as ev
from ehplan.engine.clock import FakeClock
from ehplan.engine.memory import MemoryRun
from ehplan.library import Library
from ehplan.playbook.models import (
    ChecklistStep,
    DecisionStep,
    EndStep,
    NotifyStep,
    RecordField,
    RecordStep,
    StepBase,
)

TEXT = "測試"
PHONE = "13800000000"
DEFAULT_NUMBER = 1
MAX_STEPS = 300

Edge = tuple[str, str, str]


def clone(run: MemoryRun) -> MemoryRun:
    """An independent copy of ``run`` (frozen state shared, log and clock copied)."""
    copy = MemoryRun(run.library, FakeClock(run.clock.now()))
    copy.state = run.state
    copy.log = list(run.log)
    return copy


def start(library: Library, playbook: str, when: dt.datetime, run_id: str = "walk") -> MemoryRun:
    """A run of ``playbook`` started at ``when`` on a fake clock."""
    run = MemoryRun(library, FakeClock(when))
    run.do(c.StartRun(playbook, run_id, "測試員"))
    return run


def current(run: MemoryRun) -> StepBase:
    """The step the run is on."""
    return run.library.playbook(run.state.playbook).step(run.state.step)


def raw_value(f: RecordField, number: int | None = None) -> str:
    """What a diligent operator types into ``f``."""
    if f.type == "phone":
        return PHONE
    if f.type == "number":
        return str(DEFAULT_NUMBER if number is None else number)
    if f.type == "choice":
        return str(1 if number is None else number + 1)
    return TEXT


def _candidates(step: RecordStep, f: RecordField) -> list[int | None]:
    """Values of ``f`` that hit each side of every route condition on it."""
    out: list[int | None] = []
    for route in step.routes:
        cond = route.when
        if cond.field != f.id:
            continue
        op, x = cond.operator, cond.operand
        if op == "gt":
            out += [x + 1, x]
        elif op == "ge":
            out += [x, x - 1]
        elif op == "lt":
            out += [x - 1, x]
        elif op == "le":
            out += [x, x + 1]
        elif op in ("eq", "ne") and isinstance(x, int):
            out += [x, x + 1]
        elif op == "in":
            out += [v for v in x if isinstance(v, int)]
    if f.type == "choice":
        out = [v for v in out if v is not None and 0 <= v < len(f.choices or [])] or [None]
    seen: list[int | None] = []
    for v in out or [None]:
        if v not in seen:
            seen.append(v)
    return seen


def record_variants(step: RecordStep) -> list[tuple[str, dict[str, str]]]:
    """(label, field -> typed text) for each combination of route-hitting values."""
    per_field = [[(f.id, v) for v in _candidates(step, f)] for f in step.fields]
    variants = []
    fields = {f.id: f for f in step.fields}
    for combo in product(*per_field):
        values = {fid: raw_value(fields[fid], v) for fid, v in combo}
        label = ",".join(f"{fid}={values[fid]}" for fid, v in combo if v is not None) or "fill"
        variants.append((label, values))
    return variants


def do_step(run: MemoryRun) -> None:
    """Do everything the current non-decision step asks, then go on."""
    step = current(run)
    if isinstance(step, ChecklistStep):
        for item in step.items:
            if run.state.item_key(step.id, item.id) not in run.state.items_done:
                run.do(c.TickItem(item.id))
    elif isinstance(step, NotifyStep):
        for contact in step.notify:
            run.do(c.LogContact(contact, "answered"))
    elif isinstance(step, RecordStep):
        for fid, value in record_variants(step)[0][1].items():
            run.do(c.SetField(fid, value))
    elif isinstance(step, DecisionStep | EndStep):
        raise AssertionError(f"do_step on a {step.kind} step {step.id}")
    run.do(c.Continue())


def advance_to(run: MemoryRun, target: str, choices: dict[str, str] | None = None,
               playbook: str | None = None, max_steps: int = MAX_STEPS) -> MemoryRun:
    """Act as the operator until the run is on ``target`` (decisions answered from ``choices``)."""
    choices = choices or {}
    for _ in range(max_steps):
        if run.state.step == target and (playbook is None or run.state.playbook == playbook):
            return run
        step = current(run)
        if isinstance(step, DecisionStep):
            if step.id not in choices:
                raise AssertionError(f"no choice given for decision {step.id}")
            run.do(c.Choose(choices[step.id]))
        elif isinstance(step, EndStep):
            raise AssertionError(f"reached the end step {step.id} before {target}")
        else:
            do_step(run)
    raise AssertionError(f"did not reach {target}")


@dataclass
class Walk:
    """A finished (or stuck) walk."""

    run: MemoryRun
    edges: tuple[Edge, ...]
    stuck: str = ""


@dataclass
class Explorer:
    """Depth-first exploration of every branch from a run's current step."""

    on_node: Callable[[MemoryRun, frozenset[Edge]], None] | None = None
    walks: list[Walk] = field(default_factory=list)
    limit: int | None = None

    def explore(self, run: MemoryRun, taken: frozenset[Edge] = frozenset(),
                edges: tuple[Edge, ...] = ()) -> list[Walk]:
        self._explore(run, taken, edges, 0)
        return self.walks

    def _done(self) -> bool:
        return self.limit is not None and len(self.walks) >= self.limit

    def _explore(self, run: MemoryRun, taken: frozenset[Edge], edges: tuple[Edge, ...], depth: int) -> None:
        while True:
            if self._done():
                return
            if depth > MAX_STEPS:
                self.walks.append(Walk(run, edges, stuck=f"more than {MAX_STEPS} steps"))
                return
            depth += 1
            if self.on_node is not None:
                self.on_node(run, taken)
            pb = run.state.playbook
            step = current(run)
            if isinstance(step, EndStep):
                run.do(c.EndRun(confirm=True))
                self.walks.append(Walk(run, edges))
                return
            branches: list[tuple[Edge, Callable[[MemoryRun], None]]] = []
            if isinstance(step, DecisionStep):
                for choice in step.choices:
                    branches.append(((pb, step.id, choice.id), lambda r, ch=choice.id: r.do(c.Choose(ch))))
            elif isinstance(step, RecordStep) and step.routes:
                for label, values in record_variants(step):
                    def fill(r: MemoryRun, values: dict[str, str] = values) -> None:
                        for fid, value in values.items():
                            r.do(c.SetField(fid, value))
                        r.do(c.Continue())
                    branches.append(((pb, step.id, label), fill))
            else:
                do_step(run)  # action, checklist, notify, record without routes, goto
                continue
            open_branches = [(e, act) for e, act in branches if e not in taken]
            if not open_branches:
                self.walks.append(Walk(run, edges, stuck=f"every branch of {pb}/{step.id} already taken"))
                return
            for edge, act in open_branches:
                if self._done():
                    return
                branch = clone(run)
                act(branch)
                self._explore(branch, taken | {edge}, (*edges, edge), depth)
            return


def explore(run: MemoryRun, **kwargs) -> list[Walk]:  # type: ignore[no-untyped-def]
    """Every walk from ``run``'s current step to an end step."""
    return Explorer(**kwargs).explore(run)


def visited(walks: list[Walk], playbook: str) -> set[str]:
    """Steps of ``playbook`` entered by any of ``walks``."""
    return {p.step for w in walks for p in w.run.state.path if p.playbook == playbook}


def types(records: list[ev.Logged]) -> list[str]:
    """The event types of some logged records."""
    return [r.type for r in records]


