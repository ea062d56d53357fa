"""After a run ends: what happened, what is still owed, and the hash to copy."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ehplan.report.summary import VERDICT_SYMBOL, Summary
from ehplan.text import Lang
from ehplan.tui.keys import KeySpec, apply_keys
from ehplan.tui.safe import Hanging, plain
from ehplan.tui.strings import has_string, t
from ehplan.tui.widgets.countdown import clock_text


def summary_lines(summary: Summary, lang: Lang, log_path: str, final_hash: str,
                  score: list[str] | None = None) -> list[str]:
    """The summary as plain lines (also what the snapshot tests read); a
    drill's ``score`` lines come right after the outcome."""
    outcome = t(summary.outcome, lang) if has_string(summary.outcome) else summary.outcome
    lines = [f"{t('duration', lang)}: {clock_text(summary.duration_s)}   ({outcome})", ""]
    if score:
        lines += [*score, ""]
    lines.append(f"{t('deadlines', lang)}:")
    for line in summary.deadlines:
        lines.append(f"  {VERDICT_SYMBOL[line.verdict]} {line.label} — {t(line.verdict, lang)}")
    if not summary.deadlines:
        lines.append("  —")
    lines += ["", f"{t('calls', lang)}:"]
    lines += [f"  ☎ {' '.join(filter(None, (name, number)))} — {t(outcome, lang)} ({ts[11:19]})"
              for name, number, outcome, ts in summary.calls] or ["  —"]
    lines += ["", f"{t('followups', lang)}:"]
    lines += [f"  📅 {due}  {text}" for text, due in summary.followups] or ["  —"]
    if summary.overrides:
        lines += ["", f"{t('override', lang)}:"]
        lines += [f"  ⤼ {title}: {reason}" for title, reason in summary.overrides]
    if summary.open_at_end:
        lines += ["", f"{t('still_open', lang)}:"] + [f"  • {item}" for item in summary.open_at_end]
    lines += ["", f"{t('log_file', lang)}:", f"  {log_path}", "", f"{t('final_hash', lang)}:", f"  {final_hash}"]
    return lines


class SummaryScreen(Screen[None]):
    """The end-of-run summary; n starts a new run, Ctrl+Q quits."""

    KEYS = [KeySpec("n", "app.new_run", "k_new"), KeySpec("escape", "app.new_run", "k_new", show=False)]

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
            yield Static(Hanging("\n".join(summary_lines(self.summary, self.lang, self.log_path,
                                                         self.final_hash, self.score))), id="summary")
        yield Footer(compact=True)
