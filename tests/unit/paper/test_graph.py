"""Every shipped playbook as a flowchart, laid out by the real Graphviz: one
node per step and one edge per next, route, choice and goto, counted against
the playbook's YAML read on its own (not through the graph code)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rich.cells import cell_len

from ehplan import resources
from ehplan.paper.graph import FLOW_EDGES, flow_graph, graphviz_binary, layout, to_dot, wrap
from ehplan.paper.words import Words

SVG = "{http://www.w3.org/2000/svg}"
PLAYBOOKS = sorted(resources.playbooks_dir().glob("*.yaml"))
DOCS = Path(__file__).resolve().parents[3] / "docs" / "graphs"

pytestmark = pytest.mark.skipif(graphviz_binary() is None, reason="no Graphviz (pip install 'ehplan[paper]')")


def expected_edges(raw: dict) -> Counter[tuple[str, str, str]]:
    """(source, target, kind) of every arrow a run can follow, from the YAML itself."""
    found: Counter[tuple[str, str, str]] = Counter()
    for step in raw["steps"]:
        source = f"step_{step['id']}"
        for choice in step.get("choices", []):
            found[(source, f"step_{choice['next']}", "choice")] += 1
        for route in step.get("routes", []):
            found[(source, f"step_{route['next']}", "route")] += 1
        if "next" in step:
            found[(source, f"step_{step['next']}", "next")] += 1
        if step["kind"] == "goto":
            target = f"playbook_{step['playbook']}" + (f"__{step['step']}" if step.get("step") else "")
            found[(source, target, "goto")] += 1
    return found


@pytest.fixture(scope="module")
def laid_out(shipped_library) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every shipped playbook laid out as SVG (bilingual, as the docs show them)."""
    words = Words(shipped_library, "bilingual")
    return {pid: layout(to_dot(flow_graph(shipped_library.playbook(pid), words))) for pid in shipped_library.playbooks}


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_one_node_per_step_and_one_edge_per_next_choice_goto(path: Path, laid_out) -> None:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    svg = ET.fromstring(laid_out[raw["id"]])
    groups = list(svg.iter(f"{SVG}g"))
    step_nodes = [g.get("id") for g in groups if "node" in (g.get("class") or "").split()
                  and "step" in (g.get("class") or "").split()]
    assert sorted(step_nodes) == sorted(f"step_{step['id']}" for step in raw["steps"])
    flow = Counter()
    for g in groups:
        classes = (g.get("class") or "").split()
        if "edge" in classes and set(classes) & set(FLOW_EDGES):
            title = g.find(f"{SVG}title")
            assert title is not None and title.text is not None
            source, target = title.text.split("->")
            kind = next(c for c in classes if c in FLOW_EDGES)
            flow[(source, target, kind)] += 1
    assert flow == expected_edges(raw)
    timers = raw.get("timers", [])
    timer_nodes = [g for g in groups if "timer" in (g.get("class") or "").split()]
    assert len(timer_nodes) == len(timers)
    escalations = [g for g in groups if "escalates" in (g.get("class") or "").split()]
    assert len(escalations) == sum(1 for t in timers if t.get("escalate_to"))
    starts = [g for g in groups if "starts" in (g.get("class") or "").split()]
    assert len(starts) >= len(timers)  # every timer shows what starts it


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_the_authoring_docs_flowchart_is_up_to_date(path: Path, laid_out) -> None:  # type: ignore[no-untyped-def]
    """docs/graphs/<id>.svg is what `make graphs` draws now (graphviz-pure writes the same bytes everywhere)."""
    committed = DOCS / f"{path.stem}.svg"
    assert committed.is_file(), f"run make graphs: {committed} is missing"
    assert committed.read_text(encoding="utf-8") == laid_out[path.stem], f"run make graphs: {committed} is stale"


def test_boxes_are_sized_from_cell_width_so_chinese_fits(shipped_library) -> None:  # type: ignore[no-untyped-def]
    """graphviz-pure measures a CJK character as a space; the DOT fixes every box
    to at least its widest line's cell width in ems (checked in the real browser
    by the card tests)."""
    words = Words(shipped_library, "zh-Hant")
    graph = flow_graph(shipped_library.playbook("gas_accident_report"), words)
    dot = to_dot(graph)
    assert "fixedsize=true" in dot
    node = next(n for n in graph.nodes if n.step == "customer_repair_crew")
    line = '"step_customer_repair_crew" ['
    width_in = float(dot.split(line)[1].split("width=")[1].split(",")[0])
    widest = max(cell_len(text) for text in node.lines)
    assert width_in * 72 >= widest * 11 * 0.5  # at least half an em per cell: a CJK character is one em


def test_wrap_breaks_chinese_anywhere_and_english_between_words() -> None:
    assert wrap("立即通知搶險人員（白天通知組別經理）", 12) == ["立即通知搶險", "人員（白天通", "知組別經理）"]
    assert wrap("分析客戶訴求：屬哪種情況？", 24) == ["分析客戶訴求：屬哪種情況？"]  # ？ never starts a line
    assert wrap("Notify the emergency-repair crew at once", 20) == ["Notify the", "emergency-repair", "crew at once"]
    assert all(cell_len(line) <= 16 for line in wrap("熱線接報 gas accident 燃氣事故 reported to the hotline", 16))


def test_graph_command_prints_svg_and_dot_and_refuses_png_without_a_file(cli) -> None:  # type: ignore[no-untyped-def]
    code, out = cli("graph", "explosion", "--format", "dot")
    assert code == 0 and out.startswith('digraph "explosion"') and "step_call_police" in out
    code, out = cli("graph", "explosion")
    assert code == 0 and "<svg" in out and 'class="node step notify"' in out
    code, out = cli("graph", "explosion", "--format", "png")
    assert code == 2 and out.strip() == "ehplan: --format png needs --out FILE"
    code, out = cli("graph", "no_such_playbook")
    assert code == 2 and out.startswith("ehplan: no playbook 'no_such_playbook': use one of ")
