"""The compliance score of a run, live or drill, in the manner of dispatch
quality assurance: the items the plan makes applicable to this run, how many
were done, and each deviation graded with the seqs that prove it. The rules
are docs/compliance.md; this module is them, item for item. Pure: built as the
run's states go by (`ComplianceBuilder.visit`), from the log and the playbooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ehplan.engine import events as ev
from ehplan.engine.fold import triggers_of
from ehplan.engine.state import RunState
from ehplan.engine.timers import trigger_key
from ehplan.library import Library
from ehplan.playbook.models import ActionStep, AnyOf, ChecklistStep, DecisionStep, NotifyStep, RecordStep
from ehplan.report.vocabulary import verdict

CATEGORIES = ("deadline", "step", "must_before_end", "script", "call", "expectation")
"""Kinds of applicable item, in the order the report lists them (``expectation``: a drill
scenario's, added by the drill score, `ehplan.drill.score_run`)."""

GRADES = ("major", "minor")


@dataclass(frozen=True, slots=True)
class Item:
    """One applicable item: what, whether it was done, and the seqs that show it."""

    category: str
    ref: str
    """The playbook's own id of it: ``playbook/timer``, ``playbook/step``, ``playbook/step:contact``…"""
    done: bool
    evidence: tuple[int, ...]
    label: str = ""
    """What it is, in the report's language."""


@dataclass(frozen=True, slots=True)
class Deviation:
    """Something done against the plan, graded."""

    kind: str
    """missed_deadline, late, open_deadline, skipped, call_not_made, must_not_done, out_of_order,
    corrected_after_branch, ended_early; for a drill's expectations, expectation_late, expectation_missed,
    wrong_branch."""
    grade: str
    ref: str
    detail: str
    """As logged (an override's reason, a correction's steps); shown escaped by every format."""
    evidence: tuple[int, ...]
    label: str = ""


@dataclass(frozen=True, slots=True)
class Compliance:
    """Items done out of items applicable, and the deviations."""

    items: tuple[Item, ...]
    deviations: tuple[Deviation, ...]

    @property
    def applicable(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.applicable) if self.applicable else 100

    def extended(self, items: tuple[Item, ...], deviations: tuple[Deviation, ...]) -> Compliance:
        """These items and deviations besides (a drill scenario's expectations), deviations in log order."""
        return Compliance((*self.items, *items), tuple(sorted((*self.deviations, *deviations), key=_first_seq)))

    def by_category(self) -> list[tuple[str, int, int]]:
        """(category, done, applicable) for each category with an item."""
        out = []
        for category in CATEGORIES:
            items = [i for i in self.items if i.category == category]
            if items:
                out.append((category, sum(i.done for i in items), len(items)))
        return out


def _first_seq(deviation: Deviation) -> int:
    return (deviation.evidence or (-1,))[0]


_DEVIATION_CATEGORY = {"late": "deadline", "missed_deadline": "deadline", "open_deadline": "deadline",
                       "skipped": "step", "call_not_made": "call", "must_not_done": "must_before_end",
                       "corrected_after_branch": "field", "ended_early": "playbook",
                       "expectation_late": "expectation", "expectation_missed": "expectation",
                       "wrong_branch": "expectation"}


def deviation_category(kind: str, ref: str) -> str:
    """What a deviation's ``ref`` names, for its label: an out-of-order step's is a call
    (``playbook/step:contact``) or a field (``playbook/field``)."""
    if kind == "out_of_order":
        return "call" if ":" in ref else "field"
    return _DEVIATION_CATEGORY.get(kind, "")


class ComplianceBuilder:
    """Collects, as the run goes by, the seqs each rule needs; `finish` scores."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.first: dict[str, int] = {}
        """Trigger key -> the seq of the first event that set it off."""
        self.entered: dict[tuple[str, str], int] = {}
        self.completed: dict[tuple[str, str], int] = {}
        self.skipped: dict[tuple[str, str], tuple[int, str]] = {}
        self.timer_seqs: dict[str, list[int]] = {}
        self.corrections: list[tuple[int, str, str, str]] = []
        self.ended_seq: int | None = None
        self.done_at: dict[str, list[tuple[int, str, str]]] = {}
        """``contact:<id>`` (a call answered or called) or ``field:<playbook>/<id>`` -> (seq, playbook, step)
        of each time it was done, with the step the run was at: what an out-of-order step is told from."""

    def visit(self, entry: ev.Entry, before: RunState, after: RunState) -> None:
        event, seq = entry.event, entry.seq
        if type(event) is ev.NoteAdded:  # most of a long run: no trigger, no rule of its own
            return
        for key in triggers_of(event, before.playbook or getattr(event, "playbook", "")):
            self.first.setdefault(key, seq)
        match event:
            case ev.StepEntered():
                self.entered.setdefault((event.playbook, event.step), seq)
            case ev.StepCompleted():
                self.completed.setdefault((before.playbook, event.step), seq)
            case ev.StepOverridden():
                self.skipped.setdefault((before.playbook, event.step), (seq, event.reason))
            case ev.TimerStarted():
                self.timer_seqs[event.key] = [seq]
            case ev.TimerMet() | ev.TimerExpired() | ev.EscalationRaised():
                self.timer_seqs.setdefault(event.key, []).append(seq)
            case ev.ContactLogged() if event.outcome != "no_answer":
                self.done_at.setdefault(f"contact:{event.contact}", []).append((seq, before.playbook, before.step))
            case ev.FieldSet():
                self.done_at.setdefault(f"field:{before.playbook}/{event.field}", []).append(
                    (seq, before.playbook, before.step))
                if event.branch:
                    self.corrections.append((seq, f"{before.playbook}/{event.field}", event.branch["went"],
                                             event.branch["would"]))
            case ev.RunEnded():
                self.ended_seq = seq

    def finish(self, state: RunState, label: Callable[[str, str], str] = lambda _c, ref: ref) -> Compliance:
        """The score; ``label(category, ref)`` names an item in the report's language."""
        items: list[Item] = []
        deviations: list[Deviation] = []
        escalated = {key for key, _step, _ts in state.escalations}
        for timer in sorted(state.timers.values(), key=lambda t: t.started_at):
            if timer.kind != "deadline":
                continue  # an escalate-after limit measures the fault, not the operator
            word = verdict(timer.kind, timer.status, timer.late, timer.key in escalated)
            seqs = tuple(self.timer_seqs.get(timer.key, ()))
            items.append(Item("deadline", timer.key, word == "met", seqs))
            if word == "met_late":
                deviations.append(Deviation("late", "minor", timer.key, "", seqs))
            elif word == "missed":
                deviations.append(Deviation("missed_deadline", "major", timer.key, "", seqs))
            elif word == "open" and state.ended:
                deviations.append(Deviation("open_deadline", "major", timer.key, "", seqs))
        for (playbook_id, step_id), entered in sorted(self.entered.items(), key=lambda kv: kv[1]):
            step = self._step(playbook_id, step_id)
            if step is None:
                continue
            ref = f"{playbook_id}/{step_id}"
            done_seq = self.completed.get((playbook_id, step_id))
            skipped = self.skipped.get((playbook_id, step_id))
            evidence = tuple(s for s in (entered, done_seq, skipped[0] if skipped else None) if s is not None)
            if isinstance(step, ActionStep | ChecklistStep | RecordStep | NotifyStep):
                items.append(Item("step", ref, done_seq is not None, evidence))
                if skipped is not None:
                    deviations.append(Deviation("skipped", "major", ref, skipped[1], evidence))
            script = getattr(step, "script", None) or any(getattr(i, "script", None)
                                                          for i in getattr(step, "items", []))
            if script and isinstance(step, ActionStep | ChecklistStep | DecisionStep | NotifyStep):
                read = done_seq is not None or (isinstance(step, DecisionStep) and any(
                    key[0] == playbook_id and key[1] == step_id for key in self.completed))
                items.append(Item("script", ref, read, evidence))
            if isinstance(step, NotifyStep):
                for contact in ([step.notify[0]] if step.any_of else step.notify):
                    contacts = step.notify if step.any_of else [contact]
                    calls = sorted(self.first[k] for c in contacts if (k := f"*:contact:{c}") in self.first)
                    call_ref = f"{ref}:{'|'.join(contacts)}"
                    items.append(Item("call", call_ref, bool(calls), (*calls[:1], entered)))
                    if not calls and (skipped is not None or state.ended):
                        deviations.append(Deviation("call_not_made", "major", call_ref,
                                                    skipped[1] if skipped else "", (entered,)))
        for playbook_id in state.playbook_versions:
            found = self.library.playbooks.get(playbook_id)
            if found is None:
                continue
            for index, must in enumerate(found.playbook.must_before_end):
                triggers = must.any_of if isinstance(must, AnyOf) else [must]
                keys = [trigger_key(playbook_id, t) for t in triggers]
                happened = sorted(self.first[k] for k in keys if k in self.first)
                ref = f"{playbook_id}/must_before_end[{index}]"
                items.append(Item("must_before_end", ref, bool(happened), tuple(happened[:1])))
                if not happened and state.ended:
                    deviations.append(Deviation("must_not_done", "major", ref, " | ".join(keys), ()))
        deviations += self._out_of_order()
        for seq, ref, went, would in self.corrections:
            deviations.append(Deviation("corrected_after_branch", "minor", ref, f"{went} → {would}", (seq,)))
        if state.ended and state.outcome == "ended_early" and self.ended_seq is not None:
            deviations.append(Deviation("ended_early", "major", state.playbook, "", (self.ended_seq,)))
        named = tuple(replace(i, label=label(i.category, i.ref)) for i in items)
        graded = tuple(replace(d, label=label(deviation_category(d.kind, d.ref), d.ref))
                       for d in sorted(deviations, key=_first_seq))
        return Compliance(named, graded)

    def _out_of_order(self) -> list[Deviation]:
        """A step's work done after the run passed the step (docs/compliance.md, "Out of order"): for each
        step overridden, each call it requires (for ``any_of``, one of them) and each required field it
        asks for that was not done before the override and was first done afterwards at another step."""
        found = []
        for (playbook_id, step_id), (override_seq, _reason) in self.skipped.items():
            step = self._step(playbook_id, step_id)
            ref = f"{playbook_id}/{step_id}"
            wanted: list[tuple[str, list[str]]] = []
            if isinstance(step, NotifyStep):
                groups = [step.notify] if step.any_of else [[contact] for contact in step.notify]
                wanted = [(f"{ref}:{'|'.join(group)}", [f"contact:{c}" for c in group]) for group in groups]
            elif isinstance(step, RecordStep):
                wanted = [(f"{playbook_id}/{f.id}", [f"field:{playbook_id}/{f.id}"]) for f in step.fields
                          if f.required]
            for item_ref, keys in wanted:
                done = sorted(d for key in keys for d in self.done_at.get(key, ()))
                if any(seq < override_seq for seq, _p, _s in done):
                    continue  # done in its place, then the step was passed: not out of order
                if done and (done[0][1], done[0][2]) != (playbook_id, step_id):  # not on a later visit to it
                    entered = self.entered.get((playbook_id, step_id), override_seq)
                    found.append(Deviation("out_of_order", "minor", item_ref, "",
                                           (entered, override_seq, done[0][0])))
        return found

    def _step(self, playbook_id: str, step_id: str) -> object | None:
        found = self.library.playbooks.get(playbook_id)
        if found is None:
            return None
        try:
            return found.playbook.step(step_id)
        except KeyError:
            return None
