"""After a run ends: what happened, what is still owed, and the hash to copy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ehplan.report.summary import Summary
from ehplan.report.vocabulary import VERDICT_SYMBOL, outcome_word, verdict_word
from ehplan.text import Lang
from ehplan.tui.keys import KeySpec, apply_keys
from ehplan.tui.safe import Hanging, plain
from ehplan.tui.strings import t
from ehplan.tui.widgets.countdown import clock_text
from ehplan.tui.widgets.footer import WholeFooter
from ehplan.tui.widgets.notices import Notices
from ehplan.tui.widgets.step_view import OUTCOME_MARKS

if TYPE_CHECKING:
    from ehplan.tui.app import EhplanApp


def summary_lines(summary: Summary, lang: Lang, log_path: str, final_hash: str,
                  score: list[str] | None = None) -> list[str]:
    """The summary as plain lines (also what is saved and what the tests read):
    what matters first, so at 80×24 the outcome, the deadlines, the final hash
    and the log file are on screen without scrolling; then a drill's score,
    the recorded values, calls, notes, follow-ups, overrides, what was open."""
    outcome = outcome_word(summary.outcome, lang)
    lines = [f"{outcome}   ({t('duration', lang)} {clock_text(summary.duration_s)})", "",
             f"{t('deadlines', lang)}:"]
    lines += [f"  {VERDICT_SYMBOL[line.verdict]} {line.label} — {verdict_word(line.verdict, lang)}"
              for line in summary.deadlines] or ["  —"]
    lines += ["", f"{t('final_hash', lang)}:", f"  {final_hash}", f"{t('log_file', lang)}:", f"  {log_path}"]
    if score:
        lines += ["", *score]
    lines += ["", f"{t('values', lang)}:"]
    lines += [f"  {label}: {value}" for label, value in summary.values] or ["  —"]
    lines += ["", f"{t('calls', lang)} ({t('local_time', lang).format(offset=summary.utc_offset)}):"]
    lines += [f"  {OUTCOME_MARKS.get(outcome, '☎')} {' '.join(filter(None, (name, number)))} — {t(outcome, lang)}"
              f" ({ts[11:19]})" for name, number, outcome, ts in summary.calls] or ["  —"]
    lines += ["", f"{t('notes', lang)}:"]
    lines += [f"  ✎ {note}" for note in summary.notes] or ["  —"]
    lines += ["", f"{t('followups', lang)}:"]
    lines += [f"  📅 {due}  {text}" for text, due in summary.followups] or ["  —"]
    if summary.overrides:
        lines += ["", f"{t('override', lang)}:"]
        lines += [f"  ⤼ {title}: {reason}" for title, reason in summary.overrides]
    if summary.open_at_end:
        lines += ["", f"{t('still_open', lang)}:"] + [f"  • {item}" for item in summary.open_at_end]
    return lines


class SummaryScreen(Screen[None]):
    """The end-of-run summary; n starts a new run, Ctrl+Q quits."""

    KEYS = [KeySpec("c", "copy_hash", "k_copy_hash"), KeySpec("s", "save", "k_save"),
            KeySpec("n", "app.new_run", "k_new"), KeySpec("escape", "app.new_run", "k_new", show=False)]

    app: EhplanApp

    def __init__(self, summary: Summary, lang: Lang, log_path: str, final_hash: str,
                 score: list[str] | None = None) -> None:
        super().__init__()
        self.score = score
        self.summary = summary
        self.lang = lang
        self.log_path = log_path
        self.final_hash = final_hash

    def compose(self) -> ComposeResult:
        apply_keys(self, self.KEYS, self.lang)
        yield Static(plain(f"✔ {t('summary_title', self.lang)}"), classes="screen-title")
        with VerticalScroll():
            yield Static(Hanging("\n".join(self.lines())), id="summary")
        yield Notices(id="notices")
        yield WholeFooter()

    def lines(self) -> list[str]:
        """What the screen shows, and what is saved."""
        return summary_lines(self.summary, self.lang, self.log_path, self.final_hash, self.score)

    def action_copy_hash(self) -> None:
        """Put the final hash on the clipboard (the terminal's, through OSC 52)."""
        self.app.copy_to_clipboard(self.final_hash)
        self.app.tell(t("hash_copied", self.lang), "info", timeout=5)

    def action_save(self) -> None:
        """Save the summary as a text file beside the log."""
        path = summary_path(self.log_path)
        try:
            path.write_text("\n".join([t("summary_title", self.lang), "", *self.lines()]) + "\n", encoding="utf-8")
        except OSError as exc:
            self.app.tell(f"{path}: {exc.strerror or exc}", "error", timeout=15)
            return
        self.app.tell(t("summary_saved", self.lang).format(path=path), "info", timeout=15)


def summary_path(log_path: str) -> Path:
    """Where the summary of the run logged at ``log_path`` is saved."""
    log = Path(log_path)
    return log.with_name(log.stem + ".summary.txt")
