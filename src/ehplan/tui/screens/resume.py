"""Offer to resume runs that never ended (a crash, a power cut)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ehplan.catalog import Entry
from ehplan.text import Lang
from ehplan.tui.keys import KeySpec, apply_keys, bind_emergency_keys
from ehplan.tui.safe import plain
from ehplan.tui.strings import t
from ehplan.tui.widgets.footer import WholeFooter

if TYPE_CHECKING:
    from ehplan.paper.onpaper import OnPaper


@dataclass(frozen=True)
class OpenRun:
    """An unfinished run as the resume list shows it."""

    path: Path
    playbook_title: str
    started: str
    last_step: str
    operator: str


class ResumeScreen(Screen[list[Path] | None]):
    """Resume every unfinished run together (the first line when there are
    several), or pick one; Esc goes to the picker and leaves them alone."""

    KEYS = [KeySpec("escape", "skip", "k_new")]

    def __init__(self, runs: list[OpenRun], lang: Lang, catalog: list[Entry] | None = None) -> None:
        super().__init__()
        self.runs = runs
        self.lang = lang
        self.catalog = catalog or []

    def compose(self) -> ComposeResult:
        lang = self.lang
        apply_keys(self, self.KEYS, lang)
        bind_emergency_keys(self, self.catalog, lang, "app.start_emergency")
        yield Static(plain(f"⚠ {t('resume_title', lang)}"), classes="screen-title")
        yield Static(plain(t("resume_hint_all" if len(self.runs) > 1 else "resume_hint", lang)), classes="hint")
        every = [Option(plain(f"▶ {t('resume_all', lang).format(n=len(self.runs))}"), id="all")] \
            if len(self.runs) > 1 else []
        yield OptionList(*every, *(
            Option(plain(f"{run.playbook_title}\n  {t('started', lang)} {run.started} · {run.operator}"
                         f"\n  {t('last_step', lang)}: {run.last_step}"), id=str(i))
            for i, run in enumerate(self.runs)
        ), id="open-runs")
        yield WholeFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option.id or "0"
        self.dismiss([run.path for run in self.runs] if chosen == "all" else [self.runs[int(chosen)].path])

    def action_skip(self) -> None:
        self.dismiss(None)


class PaperScreen(Screen[None]):
    """The log cannot be written: say so unmissably, stop taking actions, and name
    the card and form to continue on and what is already recorded."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit")]

    def __init__(self, reason: str, lang: Lang, where: OnPaper | None = None) -> None:
        super().__init__(classes="paper")
        self.reason = reason
        self.lang = lang
        self.where = where

    def compose(self) -> ComposeResult:
        yield Static(plain(f"‼ {t('paper_title', self.lang)} ‼"), id="paper-title")
        yield Static(plain(t("paper_body", self.lang)), id="paper-body")
        if self.where is not None:
            yield Static(plain("\n".join(f"▸ {line}" for line in self.where.lines(self.lang))), id="paper-where")
        yield Static(plain(self.reason), classes="hint")
        yield WholeFooter()

    def on_mount(self) -> None:
        self.app.bell()
