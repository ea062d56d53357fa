"""A playbook as a flowchart: the graph as data (one node per step, one edge
per ``next``, route, choice and goto, timers with what starts them and where
they escalate), written as DOT and laid out by Graphviz.

The Graphviz that pip installs (graphviz-pure) has font metrics for Latin
faces only and sizes every other character as a space, so a Chinese label
would overflow its box. Each box is therefore sized here from its text's
terminal cell width (a CJK character is two cells, about one em) and fixed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rich.cells import cell_len

from ehplan.paper.words import Words, step_number
from ehplan.playbook.models import (
    ActionStep,
    ChecklistStep,
    DecisionStep,
    EndStep,
    GotoStep,
    NotifyStep,
    Playbook,
    RecordStep,
    StepBase,
    Trigger,
    split_ref,
)
from ehplan.text import SHORT_TAG, in_lang, visible

EdgeKind = Literal["next", "route", "choice", "goto", "starts", "escalates"]
FLOW_EDGES: tuple[EdgeKind, ...] = ("next", "route", "choice", "goto")
"""The edges a run can follow: one per ``next``, route, choice and goto."""

FONT = "Noto Sans CJK TC, Noto Sans CJK SC, Source Han Sans TC, PingFang TC, Microsoft JhengHei, sans-serif"
NODE_PT = 11.0
EDGE_PT = 9.5
WRAP_CELLS = 30
EM_PER_CELL = 0.58
"""How wide one terminal cell is in ems: a CJK character (two cells) is a
little over one em in Noto Sans CJK, Latin letters average about half."""

SHAPES = {"action": "box", "checklist": "box", "decision": "diamond", "record": "parallelogram",
          "notify": "box", "goto": "cds", "end": "doubleoctagon", "timer": "note", "playbook": "component"}
FILLS = {"action": "#ffffff", "checklist": "#f3f7ff", "decision": "#fff7e0", "record": "#eef9ee",
         "notify": "#fdeef4", "goto": "#eeeeee", "end": "#e8e8e8", "timer": "#fff3c4", "playbook": "#f4f4f4"}
MARKS = {"action": "", "checklist": "☑ ", "decision": "? ", "record": "✎ ", "notify": "☎ ", "goto": "↪ ",
         "end": "■ "}


@dataclass(frozen=True)
class Node:
    """One box: a step, a timer, or another playbook a goto leads to."""

    id: str
    kind: str
    lines: tuple[str, ...]
    step: str = ""


@dataclass(frozen=True)
class Edge:
    """One arrow, of a kind: the run's own flow, or a timer's start and escalation."""

    source: str
    target: str
    kind: EdgeKind
    label: str = ""


@dataclass
class FlowGraph:
    """A playbook's flowchart as data, before any layout."""

    playbook: str
    title: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    reconstructed: bool = False
    legend: str = ""


def step_node_id(step_id: str) -> str:
    """The node id of a step."""
    return f"step_{step_id}"


NO_LINE_START = frozenset("，。、；：？！）」』】〉》,.;:?!)")
"""Punctuation that stays at the end of its line rather than start the next (kinsoku)."""


def wrap(text: str, width: int = WRAP_CELLS) -> list[str]:
    """Lines of at most ``width`` terminal cells: Latin text breaks between
    words, CJK text between any two characters."""
    tokens = re.findall(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uf900-\ufaff"
                        r"\uff00-\uffef\u3000-\u303f]+|\s+", text)
    lines: list[str] = []
    current = ""
    for token in tokens:
        if token.isspace():
            if current:
                current += " "
            continue
        if current and cell_len(current + token) > width and token not in NO_LINE_START:
            lines.append(current.rstrip())
            current = ""
        while cell_len(token) > width:  # one word longer than a line
            lines.append(token[:width])
            token = token[width:]
        current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def flow_graph(playbook: Playbook, words: Words) -> FlowGraph:
    """The flowchart of one playbook, as data."""
    graph = FlowGraph(playbook.id, words.line(playbook.title), reconstructed=playbook.reconstructed)
    if playbook.reconstructed:
        graph.legend = words.own_line("reconstructed_arrows")
    for step in playbook.steps:
        graph.nodes.append(Node(step_node_id(step.id), step.kind, _step_lines(playbook, step, words), step.id))
        graph.edges.extend(_step_edges(playbook, step, words, graph))
    for timer in playbook.timers:
        node_id = f"timer_{timer.id}"
        label = f"◷ {words.text(timer.label)[0]}"
        lines = (*wrap(label), *wrap(words.limit(timer.duration)))
        graph.nodes.append(Node(node_id, "timer", tuple(lines)))
        for source, how in trigger_steps(playbook, timer.start, words):
            graph.edges.append(Edge(source, node_id, "starts", how))
        if timer.escalate_to is not None:
            graph.edges.append(Edge(node_id, step_node_id(timer.escalate_to), "escalates",
                                    words.own("escalate_after")[0]))
    return graph


def _step_lines(playbook: Playbook, step: StepBase, words: Words) -> tuple[str, ...]:
    number = step_number(playbook, step.id)
    mark = MARKS[step.kind]  # type: ignore[attr-defined]
    lines: list[str] = []
    for i, title in enumerate(words.text(step.title)):
        lines += wrap(f"{number}. {mark}{title}" if i == 0 else title)
    if words.is_authors(step.title):
        lines.append(in_lang(SHORT_TAG, words.langs[0]))
    lines.append(step.source)
    return tuple(line for line in lines if line)


def _step_edges(playbook: Playbook, step: StepBase, words: Words, graph: FlowGraph) -> list[Edge]:
    here = step_node_id(step.id)
    match step:
        case ActionStep() | ChecklistStep() | NotifyStep():
            return [Edge(here, step_node_id(step.next), "next")]
        case RecordStep():
            routes = [Edge(here, step_node_id(route.next), "route", words.condition(playbook, route.when))
                      for route in step.routes]
            otherwise = words.own("otherwise")[0] if step.routes else ""
            return [*routes, Edge(here, step_node_id(step.next), "next", otherwise)]
        case DecisionStep():
            return [Edge(here, step_node_id(choice.next), "choice", words.line(choice.label))
                    for choice in step.choices]
        case GotoStep():
            target = f"playbook_{step.playbook}" + (f"__{step.step}" if step.step else "")
            if all(node.id != target for node in graph.nodes):
                lines = wrap(f"↪ {words.playbook_title(step.playbook)}")
                if step.step is not None:
                    lines += wrap(f"{words.own('at_step')[0]} {step.step}")
                graph.nodes.append(Node(target, "playbook", (*lines, step.playbook)))
            return [Edge(here, target, "goto")]
        case EndStep():
            return []
    raise AssertionError(f"unknown step kind {step!r}")  # pragma: no cover


def trigger_steps(playbook: Playbook, trigger: Trigger, words: Words) -> list[tuple[str, str]]:
    """The steps a trigger happens at, each with a short label."""
    if trigger.run:
        return [(step_node_id(playbook.entry), words.own("t_run")[0])]
    if trigger.enter is not None:
        return [(step_node_id(trigger.enter), words.own("t_enter")[0])]
    if trigger.complete is not None:
        return [(step_node_id(trigger.complete), words.own("t_complete")[0])]
    if trigger.item is not None:
        return [(step_node_id(split_ref(trigger.item)[0]), words.own("t_item")[0])]
    if trigger.choice is not None:
        step_id, choice_id = split_ref(trigger.choice)
        return [(step_node_id(step_id), words.trigger(playbook, trigger).split(" (")[0])]
    if trigger.contact is not None:
        found = [s.id for s in playbook.steps if isinstance(s, NotifyStep)
                 and trigger.contact in (*s.notify, *s.best_effort)]
        found += [s.id for s in playbook.steps if trigger.contact in s.contacts and s.id not in found]
        label = f"{words.own('t_contact')[0]} {words.contact_name(trigger.contact)}"
        return [(step_node_id(s), label) for s in found]
    found = [s.id for s in playbook.steps if isinstance(s, RecordStep) and any(f.id == trigger.field
                                                                                for f in s.fields)]
    return [(step_node_id(s), words.own("t_field")[0]) for s in found]


# --- DOT ---------------------------------------------------------------------------


def _size(lines: tuple[str, ...] | list[str], points: float) -> tuple[float, float]:
    """Width and height in points of a text block, from its widest line's cell width."""
    widest = max((cell_len(line) for line in lines), default=1)
    return widest * points * EM_PER_CELL, len(lines) * points * 1.3


def _quote(text: str) -> str:
    text = visible(text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _html(text: str) -> str:
    return (visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\\", "\\\\").replace("\n", "<BR/>"))  # Graphviz unescapes \\ even here


def _table(lines: list[str], points: float) -> str:
    """An HTML-like label of fixed size (Graphviz cannot measure CJK text itself)."""
    width, height = _size(lines, points)
    return (f'<<TABLE BORDER="0" CELLPADDING="1" FIXEDSIZE="TRUE" WIDTH="{width + 6:.0f}" HEIGHT="{height + 3:.0f}" '
            f'BGCOLOR="white"><TR><TD><FONT FACE="{_html(FONT)}" POINT-SIZE="{points}">'
            f'{_html(chr(10).join(lines))}</FONT></TD></TR></TABLE>>')


def to_dot(graph: FlowGraph) -> str:
    """The graph in DOT, every box sized from its text's cell width."""
    out = [f"digraph {_quote(graph.playbook)} {{",
           f"  graph [rankdir=TB, nodesep=0.35, ranksep=0.45, fontname={_quote(FONT)}, fontsize=12, "
           f"labelloc=t, label={_table([*wrap(graph.title, 80), *wrap(graph.legend, 90)], 12.0)}];",
           f"  node [fontname={_quote(FONT)}, fontsize={NODE_PT}, style=filled, fixedsize=true, margin=0];",
           f"  edge [fontname={_quote(FONT)}, fontsize={EDGE_PT}];"]
    for node in graph.nodes:
        width, height = _size(node.lines, NODE_PT)
        width, height = width + 18, height + 12
        if node.kind == "decision":
            width, height = width * 1.55 + 10, height * 1.8 + 8
        elif node.kind == "record":
            width += 44
        elif node.kind == "end":
            width += 28
        elif node.kind in ("goto", "playbook"):
            width += 24
        shape = SHAPES[node.kind]
        style = "filled,rounded" if node.kind == "notify" else "filled"
        classes = f"step {node.kind}" if node.step else node.kind
        out.append(f"  {_quote(node.id)} [id={_quote(node.id)}, class={_quote(classes)}, "
                   f"shape={shape}, style={_quote(style)}, fillcolor={_quote(FILLS[node.kind])}, "
                   f"width={width / 72:.3f}, height={height / 72:.3f}, label={_quote(chr(10).join(node.lines))}];")
    for number, edge in enumerate(graph.edges, start=1):
        attrs = [f"id={_quote(f'edge{number}_{edge.kind}')}", f"class={_quote(edge.kind)}"]
        if edge.label:
            attrs.append(f"label={_table(wrap(edge.label, 22), EDGE_PT)}")
        if edge.kind in ("starts", "escalates"):
            colour = "#b26b00" if edge.kind == "starts" else "#c00000"
            attrs += ["style=dashed", f"color={_quote(colour)}", f"fontcolor={_quote(colour)}"]
        elif edge.kind == "goto":
            attrs += ["penwidth=1.6"]
        elif graph.reconstructed:
            attrs += ["style=dashed", 'color="#5a4fcf"']
        out.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"


# --- layout --------------------------------------------------------------------------


class GraphvizMissing(Exception):
    """No Graphviz to lay the graph out with."""


def graphviz_binary() -> Path | None:
    """graphviz-pure (installed with ehplan's ``paper`` extra, beside this Python), else a system ``dot``."""
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / "graphviz-pure", Path(sys.executable).parent / "graphviz-pure"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    for name in ("graphviz-pure", "dot"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def layout(dot: str, fmt: Literal["svg", "dot"] = "svg") -> str:
    """Lay the DOT out with Graphviz: SVG, or DOT with positions. Raises
    `GraphvizMissing` or `RuntimeError` (one line)."""
    binary = graphviz_binary()
    if binary is None:
        raise GraphvizMissing("no Graphviz found: pip install 'ehplan[paper]' (graphviz-pure) or a system dot")
    try:
        done = subprocess.run([str(binary), f"-T{fmt}"], input=dot.encode("utf-8"), capture_output=True,
                              timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"Graphviz ({binary}) failed: {exc}") from None
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"Graphviz ({binary}) failed: {first[-1] if first else done.returncode}")
    return done.stdout.decode("utf-8")


def svg_body(svg: str) -> str:
    """The ``<svg>`` element alone (no XML prolog or doctype), to put inside HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


# --- on paper --------------------------------------------------------------------

PAGE_WIDTH_PT = 527.0
"""The width an A4 sheet leaves for a flowchart (186 mm), in points."""
PAGE_HEIGHT_PT = 650.0
"""The height it leaves under the sheet's header and above its stamp (~229 mm)."""
MIN_SCALE = 0.65
"""No smaller: 11 pt labels stay at least 7 pt on paper; a larger chart is tiled."""
OVERLAP_PT = 24.0
"""Tiles overlap this much, so a box cut at one tile's edge is whole on the next."""


@dataclass(frozen=True)
class Tile:
    """One printed piece of a flowchart: a window onto the SVG, at a scale."""

    svg: str
    row: int
    column: int
    rows: int
    columns: int


def paper_tiles(svg: str) -> list[Tile]:
    """The flowchart cut into A4 pieces: on one page when it fits at 70 % or
    more, else in rows (and columns) of pages at a readable scale."""
    body = svg_body(svg)
    head_end = body.index(">") + 1
    head, inner = body[:head_end], body[head_end:body.rindex("</svg>")]
    box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"', head)
    if box is None:
        return [Tile(body, 1, 1, 1, 1)]
    x0, y0, width, height = (float(v) for v in box.groups())
    fit = min(1.0, PAGE_WIDTH_PT / width, PAGE_HEIGHT_PT / height)
    if fit >= MIN_SCALE:
        scale, columns, rows = fit, 1, 1
    else:  # the largest scale of those that need the fewest pages
        candidates = [(MIN_SCALE + (1.0 - MIN_SCALE) * i / 10) for i in range(10, -1, -1)]
        scale = min(candidates, key=lambda s: (_pieces(width * s, PAGE_WIDTH_PT) * _pieces(height * s, PAGE_HEIGHT_PT),
                                               -s))
        columns = _pieces(width * scale, PAGE_WIDTH_PT)
        rows = _pieces(height * scale, PAGE_HEIGHT_PT)
    tile_w, tile_h = PAGE_WIDTH_PT / scale, PAGE_HEIGHT_PT / scale
    step_w = (width - tile_w) / (columns - 1) if columns > 1 else 0.0
    step_h = (height - tile_h) / (rows - 1) if rows > 1 else 0.0
    tiles = []
    for row in range(rows):
        for column in range(columns):
            w, h = min(tile_w, width), min(tile_h, height)
            x, y = x0 + column * step_w, y0 + row * step_h
            tiles.append(Tile(f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                              f'viewBox="{x:.2f} {y:.2f} {w:.2f} {h:.2f}" width="{w * scale:.1f}pt" '
                              f'height="{h * scale:.1f}pt">{inner}</svg>', row + 1, column + 1, rows, columns))
    return tiles


def _pieces(length: float, page: float) -> int:
    """How many overlapping pages a length needs."""
    if length <= page:
        return 1
    count = 2
    while count * page - (count - 1) * OVERLAP_PT < length:
        count += 1
    return count
