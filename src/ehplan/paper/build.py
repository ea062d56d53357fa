"""Cards, forms and flowcharts for a set of playbooks, as documents and files:
one HTML document per playbook and kind (``<id>.card.html``, ``<id>.form.html``),
or the same printed to PDF by one headless Chromium."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ehplan.library import Library
from ehplan.paper.card import card_article
from ehplan.paper.form import form_article
from ehplan.paper.graph import flow_graph, layout, to_dot
from ehplan.paper.sheet import document, stamp_of
from ehplan.paper.words import Kind, PaperLang, Words, paper_name
from ehplan.safeio import write_private

if TYPE_CHECKING:
    from ehplan.paper.browser import Browser



@dataclass(frozen=True)
class Paper:
    """One printable document: a playbook's card or form."""

    playbook: str
    kind: Kind
    title: str
    article: str
    mode: PaperLang

    @property
    def html(self) -> str:
        """The whole self-contained HTML document."""
        return document(self.title, [self.article], self.mode)

    @property
    def name(self) -> str:
        """Its file name without the extension: ``gas_accident_report.card``."""
        return paper_name(self.playbook, self.kind)


def flowchart_svg(library: Library, playbook_id: str, mode: PaperLang) -> str:
    """One playbook's flowchart laid out by Graphviz, as SVG text."""
    return layout(to_dot(flow_graph(library.playbook(playbook_id), Words(library, mode))))


def articles(library: Library, playbook_ids: Sequence[str], kinds: Sequence[Kind], mode: PaperLang,
             now: dt.datetime) -> list[Paper]:
    """The card and/or form of each playbook, each a whole HTML document."""
    words = Words(library, mode)
    found: list[Paper] = []
    for playbook_id in playbook_ids:
        playbook = library.playbook(playbook_id)
        stamp = stamp_of(library, playbook_id, now)
        title = words.line(playbook.title)
        for kind in kinds:
            if kind == "card":
                # the chart in the card's first language: the card's text beside it has the others
                chart = flowchart_svg(library, playbook_id, words.langs[0])
                article = card_article(library, playbook, words, stamp, chart)
            else:
                article = form_article(playbook, words, stamp)
            found.append(Paper(playbook_id, kind, f"{title} — {words.own_line(kind)}", article, mode))
    return found


def one_document(papers: Sequence[Paper], title: str = "ehplan") -> str:
    """Many cards and forms in one HTML document, each starting on a new page."""
    mode = papers[0].mode if papers else "bilingual"
    return document(title, [paper.article for paper in papers], mode)


COMBINED = "ehplan-paper"
"""The file name (without extension) of every document printed as one."""


def write_combined(papers: Sequence[Paper], out: Path, fmt: Literal["html", "pdf"]) -> Path:
    """Every document in one file (``ehplan-paper.html|pdf``), each starting on a new page."""
    out.mkdir(parents=True, exist_ok=True)
    html = one_document(papers)
    path = out / f"{COMBINED}.{fmt}"
    if fmt == "html":
        write_private(path, html.encode("utf-8"))
        return path
    from ehplan.paper.browser import Browser

    with Browser(chinese=any(paper.mode != "en" for paper in papers)) as browser:
        write_private(path, browser.pdf(html))
    return path


def write_papers(papers: Sequence[Paper], out: Path, fmt: Literal["html", "pdf"],
                 progress: Callable[[Path], None] = lambda _path: None, browser: Browser | None = None) -> list[Path]:
    """Write each document as HTML, or print each to PDF through one Chromium (never
    through a link planted at the file's name). Raises `RendererMissing` (before
    anything is written) when there is nothing to print with."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if fmt == "html":
        for paper in papers:
            path = out / f"{paper.name}.html"
            write_private(path, paper.html.encode("utf-8"))
            written.append(path)
            progress(path)
        return written
    if browser is None:
        from ehplan.paper.browser import Browser

        with Browser(chinese=any(paper.mode != "en" for paper in papers)) as own:
            return write_papers(papers, out, fmt, progress, own)
    for paper in papers:
        path = out / f"{paper.name}.pdf"
        write_private(path, browser.pdf(paper.html))
        written.append(path)
        progress(path)
    return written
