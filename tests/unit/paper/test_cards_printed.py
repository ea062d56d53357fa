"""Every shipped playbook's card and form, rendered in the real headless
Chromium and printed to PDF in one page load: each page carries its playbook's
content hash, the set's hash and the print date; every step, number and time
limit is in the PDF's text; each card ends with its flowchart on one page; and
in the browser, with the real fonts, every flowchart label fits its box."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from ehplan.library import Library
from ehplan.paper.browser import chromium_path
from ehplan.paper.build import Paper, articles, flowchart_svg, one_document
from ehplan.paper.graph import paper_tiles
from ehplan.paper.words import Words
from ehplan.playbook.checks import referenced_contacts
from ehplan.playbook.models import NotifyStep

pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 is not installed (pip install -e '.[test]')")

PRINTED_AT = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in the plan's UTC+8
STAMP = re.compile(r"([a-z][a-z0-9_]*) v(\d+) · (sha256:[0-9a-f]{64})")

FITS = """() => {
  const bad = [];
  for (const node of document.querySelectorAll('.flow svg g.node')) {
    const shape = node.querySelector('polygon, ellipse, path');
    if (!shape) continue;
    const box = shape.getBBox();
    for (const text of node.querySelectorAll('text')) {
      const t = text.getBBox();
      if (t.x < box.x - 1 || t.x + t.width > box.x + box.width + 1) {
        bad.push(node.id + ': ' + text.textContent + ' ' + t.width.toFixed(1) + ' > ' + box.width.toFixed(1));
      }
    }
  }
  return bad;
}"""


@dataclass
class Printed:
    papers: list[Paper]
    pages: list[str]
    overflowing: list[str]


def flat(text: str) -> str:
    """Text as compared: NFKC (the PDF's CJK radicals and ligatures) and no whitespace (line breaks)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def printed(browser, shipped_library: Library, tmp_path_factory) -> Printed:  # type: ignore[no-untyped-def]
    papers = articles(shipped_library, sorted(shipped_library.playbooks), ["card", "form"], "bilingual", PRINTED_AT)
    rendered = browser.render(one_document(papers), FITS)
    out = tmp_path_factory.mktemp("paper") / "all.pdf"
    out.write_bytes(rendered.pdf)
    overflowing = rendered.found
    document = pdfium.PdfDocument(str(out))
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    return Printed(papers, pages, overflowing)


def by_paper(printed: Printed) -> list[tuple[str, str, list[str]]]:
    """The pages in runs of one playbook and kind, from each page's own stamp and header."""
    runs: list[tuple[str, str, list[str]]] = []
    for text in printed.pages:
        found = set(STAMP.findall(text.replace("\r", "").replace("\n", "")))
        assert len(found) == 1, f"a page without exactly one stamp: {found}"
        playbook = next(iter(found))[0]
        kind = "form" if "Incidentform(blank)" in flat(text) else "card"
        if runs and runs[-1][:2] == (playbook, kind):
            runs[-1][2].append(text)
        else:
            runs.append((playbook, kind, [text]))
    return runs


def test_every_page_carries_its_playbooks_hash_the_set_and_the_print_date(printed: Printed,
                                                                          shipped_library: Library) -> None:
    set_hash = shipped_library.set_hash()
    for text in printed.pages:
        line = text.replace("\r", "").replace("\n", "")
        (playbook, version, content_hash), = set(STAMP.findall(line))
        loaded = shipped_library.playbooks[playbook]
        assert content_hash == loaded.content_hash and int(version) == loaded.playbook.version
        assert set_hash in line
        assert "2026-11-30 09:00 UTC+08:00" in line


def test_each_card_and_form_starts_on_its_own_pages_and_the_card_ends_with_its_flowchart(
        printed: Printed, shipped_library: Library) -> None:
    """A flowchart too big for one page at a readable scale is printed in tiles, each a page."""
    runs = by_paper(printed)
    assert [(playbook, kind) for playbook, kind, _ in runs] == [(p.playbook, p.kind) for p in printed.papers]
    for playbook, kind, pages in runs:
        flowchart_pages = [i for i, text in enumerate(pages) if "Flowchart" in text]
        if kind == "card":
            tiles = len(paper_tiles(flowchart_svg(shipped_library, playbook, "zh-Hant")))
            assert flowchart_pages == list(range(len(pages) - tiles, len(pages))), f"{playbook}: {flowchart_pages}"
            assert 1 <= len(pages) - tiles <= 8, f"{playbook}: {len(pages) - tiles} pages of text"
        else:
            assert flowchart_pages == [] and 1 <= len(pages) <= 6, f"{playbook} form: {len(pages)} pages"
    assert len(printed.pages) == sum(len(pages) for *_, pages in runs)


def test_every_step_number_and_limit_is_in_the_pdf_text(printed: Printed, shipped_library: Library) -> None:
    words = Words(shipped_library, "bilingual")
    for playbook_id, kind, pages in by_paper(printed):
        text = flat("".join(pages))
        playbook = shipped_library.playbook(playbook_id)
        for number, step in enumerate(playbook.steps, start=1):
            titles = words.text(step.title) if kind == "card" else words.text(step.title)[:1]
            for title in titles:
                assert flat(f"{number}.") in text and flat(title) in text, f"{playbook_id} {kind}: step {step.id}"
        if kind == "card":
            contacts = {contact for contact, _ in referenced_contacts(playbook)}
        else:
            contacts = {c for s in playbook.steps if isinstance(s, NotifyStep) for c in (*s.notify, *s.best_effort)}
        for contact in sorted(contacts):
            number = shipped_library.contact(contact).number
            if number:
                assert flat(number) in text, f"{playbook_id} {kind}: {contact}'s number {number}"
        for timer in playbook.timers:
            assert flat(words.limit(timer.duration)) in text, f"{playbook_id} {kind}: timer {timer.id}"
            assert flat(words.text(timer.label)[0]) in text


def test_the_form_has_boxes_for_where_the_screen_stopped_calls_deadlines_and_the_final_hash(
        printed: Printed, shipped_library: Library) -> None:
    for playbook_id, kind, pages in by_paper(printed):
        if kind != "form":
            continue
        text = flat("".join(pages))
        playbook = shipped_library.playbook(playbook_id)
        assert "lastseq" in text and "lasthash" in text and "Finalhash" in text, playbook_id
        assert ("dueat" in text) == bool(playbook.timers), playbook_id
        assert ("calledat" in text) == any(isinstance(s, NotifyStep) for s in playbook.steps), playbook_id


def test_every_flowchart_label_fits_its_box_in_the_browser(printed: Printed) -> None:
    """With Chromium's real CJK font, not Graphviz's guess (it sizes 漢字 as spaces)."""
    assert printed.overflowing == []


def test_cards_command_writes_html_and_names_chromium_when_it_is_missing(cli, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = cli("cards", "explosion", "--forms", "--lang", "en", "--out", str(tmp_path))
    assert code == 0, out
    card = (tmp_path / "explosion.card.html").read_text(encoding="utf-8")
    assert "<svg" in card and "Call the police" in card and "110" in card and "<script" not in card
    assert (tmp_path / "explosion.form.html").is_file()
    code, out = cli("forms", "explosion", "fire_alarm", "--combined", "--out", str(tmp_path / "one"))
    assert code == 0, out
    one = (tmp_path / "one" / "ehplan-paper.html").read_text(encoding="utf-8")
    assert one.count("<article class='form'") == 2 and one.index("form-explosion") < one.index("form-fire_alarm")
    monkeypatch.setenv("EHPLAN_CHROMIUM", str(tmp_path / "no-chromium"))
    code, out = cli("cards", "explosion", "--format", "pdf", "--out", str(tmp_path / "pdf"))
    assert code == 2 and out.count("\n") == 1 and "no Chromium" in out and "--format html" in out
    assert not (tmp_path / "pdf").exists() or not any((tmp_path / "pdf").iterdir())


def test_pdf_is_refused_in_one_line_when_chromium_has_no_chinese_font(cli, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A card in Chinese printed without a Chinese font would be boxes: fontconfig is asked first."""
    if chromium_path() is None:
        pytest.skip("no Chromium: the missing-Chromium line is checked instead")
    fonts = tmp_path / "bin"
    fonts.mkdir()
    (fonts / "fc-list").write_text("#!/bin/sh\nexit 0\n")  # fontconfig answering: no font for zh-tw
    (fonts / "fc-list").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fonts}:{os.environ['PATH']}")
    code, out = cli("cards", "explosion", "--format", "pdf", "--out", str(tmp_path / "pdf"))
    assert code == 2 and out.count("\n") == 1 and "no Chinese font" in out and "fonts-noto-cjk" in out


def test_a_flowchart_drawn_to_png_by_chromium(browser, shipped_library: Library) -> None:  # type: ignore[no-untyped-def]
    """Graphviz's own PNG has no Chinese glyphs; the SVG drawn by Chromium has."""
    from ehplan.paper.graph import svg_body

    svg = flowchart_svg(shipped_library, "explosion", "zh-Hant")
    png = browser.png(svg_body(svg), scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    points = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))  # type: ignore[union-attr]
    assert abs(width - points * 96 / 72) <= 2  # CSS pixels at scale 1
