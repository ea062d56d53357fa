"""About the plan (S1 總則, S10 附則): which plan the library runs, its purpose
and categories, its provisions, and the hash of the playbook set in use."""

from __future__ import annotations

import hashlib

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from ehplan.library import Library
from ehplan.text import SHORT_TAG, Lang, in_lang
from ehplan.tui.safe import Hanging, tr
from ehplan.tui.screens.directory import LookupScreen
from ehplan.tui.strings import t


def about_lines(library: Library, lang: Lang) -> list[str]:
    """The about screen's text, as plain lines (the screen and its test read these)."""
    info = library.plan_info
    lines: list[str] = []
    if info is not None:
        lines += [tr(info.title, lang), "", f"{t('about_purpose', lang)}:", f"  {tr(info.purpose, lang)}",
                  f"  {tr(info.categories, lang)}", "", f"{t('about_provisions', lang)}:"]
        lines += [f"  • {tr(text, lang)}" for text in info.provisions]
    else:
        lines.append(t("about_no_plan", lang))
    lines += ["", f"{t('about_set', lang)} ({len(library.playbooks)}):", f"  {library.set_hash()}"]
    if library.plan is not None:
        digest = hashlib.sha256(library.plan.encode("utf-8")).hexdigest()
        lines += [f"{t('about_text', lang)}:", f"  sha256:{digest}"]
    lines += ["", t("about_origin", lang).format(tag=in_lang(SHORT_TAG, lang))]
    return lines


class AboutScreen(LookupScreen):
    """The plan this library runs."""

    TITLE_KEY = "about"

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with VerticalScroll():
            yield Static(Hanging("\n".join(about_lines(self.library, self.lang))), id="about-text")
        yield Footer(compact=True)
