"""Text from a playbook is shown literally on paper: markup in a title is text
in the card's HTML and in the flowchart's DOT and SVG, never an element."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ehplan.library import load_library
from ehplan.paper.build import articles
from ehplan.paper.graph import flow_graph, graphviz_binary, layout, to_dot
from ehplan.paper.words import Words

ROOT = Path(__file__).resolve().parents[3]
HOSTILE = '<img src=x onerror=alert(1)> "quoted" \\\\N & </svg> \u202eevil'


@pytest.fixture
def hostile_library(tmp_path: Path):  # type: ignore[no-untyped-def]
    source = (ROOT / "tests/data/playbooks/example.yaml").read_text(encoding="utf-8")
    title = "title: {zh-Hant: 示例事件, en: Example incident}"
    assert title in source
    yaml_title = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    (tmp_path / "example.yaml").write_text(source.replace(title, f'title: {{zh-Hant: 示例事件, en: "{yaml_title}"}}'),
                                           encoding="utf-8")
    (tmp_path / "example_other.yaml").write_text(
        (ROOT / "tests/data/playbooks/example_other.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return load_library([tmp_path], ROOT / "data")


def test_markup_in_a_title_is_text_in_the_card_and_the_form(hostile_library) -> None:  # type: ignore[no-untyped-def]
    if graphviz_binary() is None:
        pytest.skip("no Graphviz (pip install 'ehplan[paper]')")
    assert hostile_library.playbook("example").title.en == HOSTILE
    printed_at = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    for paper in articles(hostile_library, ["example"], ["card", "form"], "en", printed_at):
        assert "<img" not in paper.html and "&lt;img src=x onerror=alert(1)&gt;" in paper.html
        assert "\u202e" not in paper.html and "\\u202eevil" in paper.html  # a bidi override is shown, not obeyed
        assert paper.html.count("</svg>") == paper.html.count("<svg ")


def test_markup_in_a_title_is_text_in_the_flowchart(hostile_library) -> None:  # type: ignore[no-untyped-def]
    if graphviz_binary() is None:
        pytest.skip("no Graphviz (pip install 'ehplan[paper]')")
    svg = ET.fromstring(layout(to_dot(flow_graph(hostile_library.playbook("example"), Words(hostile_library, "en")))))
    texts = " ".join(text.text or "" for text in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "<img src=x onerror=alert(1)>" in texts and '"quoted"' in texts and "\\\\N" in texts
    assert "\u202e" not in texts and "\\u202eevil" in texts
    assert not list(svg.iter("img")) and not list(svg.iter("{http://www.w3.org/2000/svg}img"))
