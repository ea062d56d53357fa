"""The current playbook's whole flow as a tree, over the run: every step in
order with each decision's branches, where the operator is, and which
branches were taken (from the run's state, so it is what the log says)."""

from __future__ import annotations

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from ehplan.engine.state import RunState
from ehplan.library import Library
from ehplan.paper.outline import MARKS, Branch, outline
from ehplan.paper.words import Words
from ehplan.text import Lang, visible
from ehplan.tui.keys import KeySpec, apply_keys
from ehplan.tui.safe import plain, tr
from ehplan.tui.screens.directory import LookupScreen
from ehplan.tui.strings import t
from ehplan.tui.widgets.footer import WholeFooter

STYLES = {"here": "bold reverse", "done": "", "taken": "bold", "not_taken": "dim", "": ""}


def run_outline(library: Library, state: RunState, lang: Lang) -> Branch:
    """The tree of the run's current playbook, marked from the run's state."""
    playbook_id = state.playbook
    visited = [entry.step for entry in state.path if entry.playbook == playbook_id]
    chosen = {key.split("/", 1)[1]: choice for key, choice in state.choices.items()
              if key.startswith(f"{playbook_id}/")}
    return outline(library.playbook(playbook_id), Words(library, lang), visited=visited, current=state.step,
                   chosen=chosen)


def _label(branch: Branch) -> RichText:
    return RichText(f"{MARKS[branch.state]} {visible(branch.label, one_line=True)}", style=STYLES[branch.state])


class FlowScreen(LookupScreen):
    """The whole flow of the run's playbook; Esc (or the key that opened it) goes back."""

    TITLE_KEY = "flow"
    KEYS = [KeySpec("escape", "app.pop_screen", "back"), KeySpec("ctrl+g", "app.pop_screen", "back", show=False)]

    def __init__(self, library: Library, state: RunState, lang: Lang) -> None:
        super().__init__(library, lang)
        self.state = state

    def compose(self) -> ComposeResult:
        apply_keys(self, self.KEYS, self.lang)
        title = tr(self.library.playbook(self.state.playbook).title, self.lang)
        yield Static(plain(f"{t('flow', self.lang)}: {title}"), classes="screen-title")
        yield Static(plain(t("flow_legend", self.lang)), classes="hint")
        root = run_outline(self.library, self.state, self.lang)
        tree: Tree[str] = Tree(RichText(visible(root.label, one_line=True)), id="flow-tree")
        tree.show_root = False
        tree.guide_depth = 3
        here = self._fill(tree.root, root)
        tree.root.expand_all()
        self._here = here
        yield tree
        yield WholeFooter()

    def _fill(self, node: TreeNode[str], branch: Branch) -> TreeNode[str] | None:
        here = None
        for child in branch.children:
            if child.children:
                added = node.add(_label(child), data=child.step, expand=True)
                found = self._fill(added, child)
            else:
                added = node.add_leaf(_label(child), data=child.step)
                found = None
            if child.state == "here" and child.kind != "again":
                here = added
            here = here or found
        return here

    def on_mount(self) -> None:
        tree = self.query_one(Tree)
        tree.focus()
        if self._here is not None:
            tree.move_cursor(self._here)
