"""A playbook's whole flow as a tree, for the run screen's overview: the steps
in order, each decision's branches under it, a step reached again shown as a
reference, with where the operator is and which branches were taken."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ehplan.paper.words import Words
from ehplan.playbook.models import DecisionStep, EndStep, GotoStep, Playbook, RecordStep, successors


@dataclass
class Branch:
    """One line of the tree: a step, a branch (choice or route), or a reference to a step above."""

    label: str
    kind: str
    """A step's kind, or ``choice``, ``route``, ``again`` (a step shown above) or ``goto_target``."""
    step: str = ""
    state: str = ""
    """``here`` (the current step), ``done`` (on the run's path), ``taken`` / ``not_taken``
    (a decision's branch once decided), or empty."""
    children: list[Branch] = field(default_factory=list)


MARKS = {"here": "▶", "done": "✓", "taken": "●", "not_taken": "○", "": " "}


def outline(playbook: Playbook, words: Words, *, visited: Iterable[str] = (), current: str | None = None,
            chosen: dict[str, str] | None = None) -> Branch:
    """The tree of ``playbook``: ``visited`` steps (the run's path in it, in order),
    the ``current`` one, and ``chosen`` (step id to the choice id taken); a
    record step's route is taken when the path went from it to the route's step."""
    path = list(visited)
    done = set(path)
    followed = set(zip(path, path[1:], strict=False))
    chosen = chosen or {}
    shown: set[str] = set()
    root = Branch(words.line(playbook.title), "playbook")

    def state_of(step_id: str) -> str:
        return "here" if step_id == current else "done" if step_id in done else ""

    def walk(step_id: str, into: list[Branch]) -> None:
        while True:
            label = words.step_label(playbook, step_id)
            if step_id in shown:
                into.append(Branch(f"↑ {label}", "again", step_id, state_of(step_id)))
                return
            shown.add(step_id)
            step = playbook.step(step_id)
            node = Branch(label, step.kind, step_id, state_of(step_id))
            into.append(node)
            if isinstance(step, DecisionStep):
                decided = chosen.get(step.id)
                for choice in step.choices:
                    mark = "" if decided is None else "taken" if choice.id == decided else "not_taken"
                    branch = Branch(words.line(choice.label), "choice", step.id, mark)
                    node.children.append(branch)
                    walk(choice.next, branch.children)
                return
            if isinstance(step, RecordStep) and step.routes:
                left = any(source == step.id for source, _ in followed)
                targets = [(f"{words.own_line('if')} {words.condition(playbook, route.when)}", route.next)
                           for route in step.routes] + [(words.own_line("otherwise"), step.next)]
                for label, target in targets:
                    mark = "" if not left else "taken" if (step.id, target) in followed else "not_taken"
                    branch = Branch(label, "route", step.id, mark)
                    node.children.append(branch)
                    walk(target, branch.children)
                return
            if isinstance(step, GotoStep):
                node.children.append(Branch(f"↪ {words.playbook_title(step.playbook)}", "goto_target"))
                return
            if isinstance(step, EndStep):
                return
            step_id = successors(step)[0]

    walk(playbook.entry, root.children)
    for timer in playbook.timers:  # escalation steps are reached by a timer, not by an arrow
        if timer.escalate_to is not None and timer.escalate_to not in shown:
            branch = Branch(f"◷ {words.line(timer.label)} — {words.own_line('escalate')}", "timer")
            root.children.append(branch)
            walk(timer.escalate_to, branch.children)
    return root


def outline_lines(branch: Branch, depth: int = 0) -> list[str]:
    """The tree as indented text lines with their marks (for tests and plain output)."""
    lines = [] if depth == 0 else [f"{'  ' * (depth - 1)}{MARKS[branch.state]} {branch.label}"]
    for child in branch.children:
        lines += outline_lines(child, depth + 1)
    return lines
