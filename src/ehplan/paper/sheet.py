"""What every printed page shares: the self-contained HTML around a document,
its print stylesheet (A4), and the stamp on every page (the playbook's content
hash, the playbook set's hash and the print date) that matches it to the screen."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ehplan.library import Library
from ehplan.paper.words import PaperLang, Words
from ehplan.text import visible

CSS = """
@page { size: A4; margin: 11mm 12mm 9mm 12mm; }
* { box-sizing: border-box; }
html { font-family: "Noto Sans CJK TC", "Noto Sans TC", "Source Han Sans TC", "PingFang TC",
       "Microsoft JhengHei", "Noto Sans CJK SC", sans-serif; font-size: 12pt; line-height: 1.35;
       color: #000; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; }
@media screen { body { background: #ddd; } article { background: #fff; width: 210mm; margin: 8mm auto;
                padding: 11mm 12mm; box-shadow: 0 0 4px #888; } }
article + article { break-before: page; }
table.sheet { width: 100%; border-collapse: collapse; }
table.sheet + table.sheet { break-before: page; }
table.sheet > thead td, table.sheet > tfoot td { padding: 0; }
table.sheet > tbody > tr > td { padding: 0; vertical-align: top; }
header.top { display: flex; justify-content: space-between; align-items: baseline; gap: 4mm;
             border-bottom: 1.5pt solid #000; margin-bottom: 2mm; }
header.top .doc-title { font-size: 15pt; font-weight: 700; }
header.top .doc-kind { font-size: 11pt; font-weight: 700; white-space: nowrap; border: 1pt solid #000;
                       padding: 0 2mm; }
.stamp { border-top: 0.75pt solid #000; margin-top: 2mm; padding-top: 1mm; font-size: 7.5pt;
         font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK TC", monospace; word-break: break-all; }
.l2 { color: #333; font-size: 0.88em; }
div.l2 { margin-top: 0.3mm; }
h2 { font-size: 13pt; margin: 3.5mm 0 1.5mm; border-bottom: 0.75pt solid #555; break-after: avoid; }
p { margin: 1mm 0; }
.tag { font-size: 0.8em; color: #444; white-space: nowrap; }
.banner { border: 1.5pt solid #000; padding: 1.5mm 2.5mm; margin: 2mm 0; font-weight: 700; }
.step { border-left: 3pt solid #000; padding: 1mm 0 1mm 3mm; margin: 2.5mm 0; break-inside: avoid; }
.step-head { font-size: 13pt; font-weight: 700; display: flex; gap: 2.5mm; align-items: baseline; }
.step-head .num { min-width: 8mm; }
.step-head .kind { font-size: 9pt; font-weight: 400; border: 0.75pt solid #000; padding: 0 1mm; white-space: nowrap; }
.step-head .src { margin-left: auto; font-size: 10pt; font-weight: 400; white-space: nowrap; }
.script { border: 2.5pt double #000; padding: 1.5mm 2.5mm; margin: 1.5mm 0; background: #f4f4f4; }
.script-to { font-size: 9pt; font-weight: 700; }
ul { margin: 1mm 0; padding-left: 6mm; }
li { margin: 0.5mm 0; }
ul.boxes { list-style: none; padding-left: 1mm; }
.go { font-weight: 700; }
.number { font-family: "DejaVu Sans Mono", monospace; font-weight: 700; font-size: 13pt; white-space: nowrap; }
.blank { display: inline-block; min-width: 32mm; border-bottom: 0.75pt solid #000; }
table.grid { width: 100%; border-collapse: collapse; margin: 1mm 0; break-inside: auto; }
table.grid th, table.grid td { border: 0.75pt solid #000; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
table.grid th { background: #eee; font-size: 10pt; }
table.grid tr { break-inside: avoid; }
.box { display: inline-block; min-width: 18mm; height: 7mm; border: 0.75pt solid #000; vertical-align: middle; }
.box.wide { min-width: 60mm; }
.box.full { display: block; width: 100%; height: 9mm; }
.box.hash { display: block; width: 100%; height: 11mm; }
.lines div { border-bottom: 0.75pt solid #000; height: 8mm; }
.flow svg { display: block; margin: 0 auto; }
.flow svg text { font-family: "Noto Sans CJK TC", "Noto Sans CJK SC", "Source Han Sans TC", "PingFang TC",
                 "Microsoft JhengHei", sans-serif; }
"""


@dataclass(frozen=True)
class Stamp:
    """What every page of a playbook's card and form carries, to match it to the screen."""

    playbook: str
    version: int
    content_hash: str
    set_hash: str
    printed: str

    def line(self, words: Words) -> str:
        """The stamp as one line of text."""
        return (f"{words.own_line('page_stamp')}: {self.playbook} v{self.version} · {self.content_hash} · "
                f"{words.own_line('set')} {self.set_hash} · {words.own_line('printed')} {self.printed}")


def stamp_of(library: Library, playbook_id: str, now: dt.datetime) -> Stamp:
    """The stamp of one playbook, printed at ``now`` (shown in the plan's local time)."""
    loaded = library.playbooks[playbook_id]
    zone = library.calendar.zone if library.calendar is not None else dt.UTC
    local = now.astimezone(zone)
    offset = local.strftime("%z")
    printed = f"{local:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}"
    return Stamp(playbook_id, loaded.playbook.version, loaded.content_hash, library.set_hash(), printed)


def esc(text: str) -> str:
    """Text from a playbook, escaped for HTML: shown literally, never as markup, its
    control and bidi characters made visible (they cannot reorder a printed line)."""
    return html.escape(visible(text), quote=True)


def bi(texts: Sequence[str], block: bool = False, tag: str = "") -> str:
    """A text in the page's languages: the first as it is, the others smaller after it."""
    if not texts:
        return ""
    element = "div" if block else "span"
    first = f"<{element} class='l1'>{esc(texts[0])}{tag}</{element}>"
    rest = "".join(f"{'' if block else ' '}<{element} class='l2'>{esc(text)}</{element}>" for text in texts[1:])
    return first + rest


def sheet(title_html: str, kind_html: str, stamp_html: str, body: str) -> str:
    """One sheet: a table whose header and footer Chromium repeats on every printed page."""
    return (f"<table class='sheet'><thead><tr><td><header class='top'><span class='doc-title'>{title_html}</span>"
            f"<span class='doc-kind'>{kind_html}</span></header></td></tr></thead>"
            f"<tfoot><tr><td><div class='stamp'>{stamp_html}</div></td></tr></tfoot>"
            f"<tbody><tr><td>{body}</td></tr></tbody></table>")


def document(title: str, articles: Iterable[str], mode: PaperLang) -> str:
    """A whole self-contained HTML document: its styles inline, no outside file or font."""
    lang = "zh-Hant" if mode == "bilingual" else mode
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body>{''.join(articles)}</body></html>")
