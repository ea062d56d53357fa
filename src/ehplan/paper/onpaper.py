"""Where the paper takes over when the log cannot be written: which card and
form to pick up (named as `ehplan cards --forms` prints them, with the
playbook's content hash as on every page), the step the screen stopped at,
and what was already recorded (the last seq and hash, to write on the form)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ehplan.library import Library
from ehplan.paper.words import Words, paper_name, step_number
from ehplan.text import Lang, in_lang

SCREEN_WORDS: dict[str, tuple[str, str]] = {
    "card": ("請拿起處理卡：{title}（{file}）", "Pick up the card: {title} ({file})"),
    "form": ("在空白事件記錄表上繼續：{file}", "Continue on the blank incident form: {file}"),
    "match": ("核對卡上每頁底部：{playbook} v{version} · {hash}",
              "Match the foot of every page: {playbook} v{version} · {hash}"),
    "step": ("從這一步繼續：{step}", "Continue from step {step}"),
    "recorded": ("已記錄 {count} 項，最後 seq {seq}，雜湊 {hash}：請抄在表格「接續螢幕記錄」一欄",
                 "{count} events recorded, last seq {seq}, hash {hash}: copy them onto the form "
                 "(\"Continued from the screen\")"),
    "nothing": ("尚未記錄任何事項：表格從頭填寫", "Nothing was recorded yet: fill in the form from the start"),
    "log": ("記錄檔：{path}", "Log file: {path}"),
    "print": ("沒有紙本？在任何一台電腦上執行 ehplan cards --forms --format pdf",
              "No paper? On any computer: ehplan cards --forms --format pdf"),
}


@dataclass(frozen=True)
class OnPaper:
    """What the red screen tells the operator to continue with."""

    playbook: str
    title: str
    version: int
    content_hash: str
    step: str
    """``N. title`` of the step the run stopped at (numbered as on the card)."""
    records: int
    last_seq: int | None
    last_hash: str | None
    log: Path | None

    def lines(self, lang: Lang) -> list[str]:
        """The lines to show, in the operator's language."""
        def say(key: str, **params: Any) -> str:
            return in_lang(SCREEN_WORDS[key], lang).format(**params)

        found = [say("card", title=self.title, file=paper_name(self.playbook, "card") + ".pdf"),
                 say("form", file=paper_name(self.playbook, "form") + ".pdf"),
                 say("match", playbook=self.playbook, version=self.version, hash=self.content_hash),
                 say("step", step=self.step)]
        if self.last_seq is None:
            found.append(say("nothing"))
        else:
            found.append(say("recorded", count=self.records, seq=self.last_seq, hash=self.last_hash))
        if self.log is not None:
            found.append(say("log", path=self.log))
        found.append(say("print"))
        return found


def on_paper(library: Library, playbook_id: str, step_id: str | None, lang: Lang, *,
             records: list[Any] | None = None, log: Path | None = None) -> OnPaper:
    """Where the paper continues a run of ``playbook_id`` that stopped at ``step_id``
    (None: before its first step), after the ``records`` already on disk."""
    playbook = library.playbook(playbook_id)
    step_id = step_id or playbook.entry
    words = Words(library, lang)
    title = words.line(playbook.title)
    label = words.step_label(playbook, step_id) if step_number(playbook, step_id) else step_id
    last = records[-1] if records else None
    return OnPaper(playbook_id, title, playbook.version, library.playbooks[playbook_id].content_hash, label,
                   len(records or []), getattr(last, "seq", None), getattr(last, "hash", None), log)
