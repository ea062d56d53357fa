"""The after-action report's other forms, each rendered from the same `Report`:
Markdown, one self-contained printable HTML file, and JSON (its schema is
`ehplan.report.reportjson.ReportJson`, kept apart so that writing a report
builds no pydantic model; published as schemas/report.schema.json). Every
text that came from the log or the playbooks is escaped for the format it
goes into."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from ehplan.report.afteraction import Report, _s, compliance_lines, render_text
from ehplan.report.vocabulary import (
    DEVIATIONS,
    GRADE_SYMBOL,
    GRADES,
    ITEM_CATEGORIES,
    VERDICT_SYMBOL,
    call_word,
    outcome_word,
    verdict_word,
    word,
)
from ehplan.text import UNSAFE_CHARS, duration_text, durations, visible

FORMATS = ("text", "md", "html", "json")
JSON_VERSION = 1


# --- JSON -------------------------------------------------------------------------------


def to_json(report: Report, rows: bool = False) -> dict[str, Any]:
    """The report as JSON data (stable keys; `ReportJson` is its schema); with
    ``rows``, only the members that grow with the run, each row made as it is read."""
    if rows:
        return {
            "timeline": ({"seq": m.seq, "elapsed_s": m.elapsed_s, "time": m.time, "type": m.type, "text": m.text}
                         for m in report.timeline),
            "calls": ({"seq": c.seq, "contact": c.contact, "name": c.name, "number": c.number or None,
                       "outcome": c.outcome, "time": c.time} for c in report.calls),
            "notes": ({"seq": n.seq, "time": n.time, "step": n.step, "text": n.text} for n in report.notes),
            "overrides": ({"seq": o.seq, "time": o.time, "step": o.step_id, "step_title": o.step,
                           "reason": o.reason} for o in report.overrides),
            "followups": ({"seq": f.seq, "due": f.due, "text": f.text} for f in report.followups)}
    head, integrity = report.header, report.integrity
    compliance = report.compliance
    score = report.score
    return {
        "format": "ehplan-report", "version": JSON_VERSION, "lang": report.lang,
        "header": {"run": head.run_id, "playbook": head.playbook_id, "playbook_title": head.playbook,
                   "operator": head.operator, "mode": head.mode, "clock_scale": head.clock_scale,
                   "scenario": head.scenario, "started": head.started or None, "ended": head.ended or None,
                   "duration_s": head.duration_s, "outcome": head.outcome or None, "utc_offset": head.utc_offset,
                   "plan": head.plan, "playbook_set": {"count": head.set_size, "hash": head.set_hash},
                   "reconstructed": list(head.reconstructed),
                   "versions": [{"playbook": p, "status": what} for p, what in head.versions]},
        "deadlines": [{"timer": d.key, "label": d.label, "kind": d.kind, "verdict": d.verdict,
                       "duration_s": d.duration_s, "rule": d.rule, "started": d.started, "due": d.due,
                       "done": d.done or None, "started_s": d.started_s, "due_s": d.due_s, "done_s": d.done_s,
                       "started_seq": d.started_seq, "done_seq": d.done_seq} for d in report.deadlines],
        "timeline": [{"seq": m.seq, "elapsed_s": m.elapsed_s, "time": m.time, "type": m.type, "text": m.text}
                     for m in report.timeline],
        "calls": [{"seq": c.seq, "contact": c.contact, "name": c.name, "number": c.number or None,
                   "outcome": c.outcome, "time": c.time} for c in report.calls],
        "notes": [{"seq": n.seq, "time": n.time, "step": n.step, "text": n.text} for n in report.notes],
        "overrides": [{"seq": o.seq, "time": o.time, "step": o.step_id, "step_title": o.step, "reason": o.reason}
                      for o in report.overrides],
        "followups": [{"seq": f.seq, "due": f.due, "text": f.text} for f in report.followups],
        "still_open": list(report.still_open),
        "compliance": None if compliance is None else {
            "done": compliance.done, "applicable": compliance.applicable, "percent": compliance.percent,
            "items": [{"category": i.category, "ref": i.ref, "label": i.label, "done": i.done,
                       "evidence": list(i.evidence)} for i in compliance.items],
            "deviations": [{"kind": d.kind, "grade": d.grade, "ref": d.ref, "label": d.label, "detail": d.detail,
                            "evidence": list(d.evidence)} for d in compliance.deviations]},
        "drill_score": None if score is None else {
            "points": score.points, "possible": score.possible, "percent": score.percent,
            "lines": [{"label": line.label, "points": line.points, "possible": line.possible, "note": line.note,
                       "item": line.item or None, "seq": line.seq} for line in (*score.lines, *score.penalties)]},
        "integrity": {"log": integrity.path, "records": integrity.records, "final_hash": integrity.final_hash,
                      "torn_tail": integrity.torn_tail, "hmac_checked": integrity.hmac_checked},
    }


_ROWS = ("timeline", "calls", "notes", "overrides", "followups")
"""The members that grow with the run: written a row at a time."""


def _row_encoder() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False)`` made once: dumps builds its
    encoder anew on every call, which a long run's 100,000 rows each paid."""
    encoder = json.JSONEncoder(ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return encoder.encode
    # The arguments JSONEncoder.iterencode gives the C encoder for dumps's defaults:
    # a circular check, no default, UTF-8 strings, no indent, ": " and ", ", keys
    # in order, no skipping, NaN allowed (the report has none).
    scan = make({}, encoder.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)
    return lambda value: "".join(scan(value, 0))


_ROW = _row_encoder()
_STR = json.encoder.encode_basestring
"""A JSON string as `_ROW` writes one (ensure_ascii=False: the C function it uses)."""


def _row_lines(report: Report) -> dict[str, Iterator[str]]:
    """The rows of the three members a long run is made of, each as `_ROW` of its
    `to_json` row writes it, straight from the report (no dict per row, no
    encoder call: the members in `to_json`'s order, strings through the same
    C function, numbers as their repr). A test holds every row to `_ROW`'s."""
    def number(value: str) -> str:
        return _STR(value) if value else "null"

    return {
        "timeline": (f'{{"seq": {m.seq!r}, "elapsed_s": {m.elapsed_s!r}, "time": {_STR(m.time)}, '
                     f'"type": {_STR(m.type)}, "text": {_STR(m.text)}}}' for m in report.timeline),
        "calls": (f'{{"seq": {c.seq!r}, "contact": {_STR(c.contact)}, "name": {_STR(c.name)}, '
                  f'"number": {number(c.number)}, "outcome": {_STR(c.outcome)}, "time": {_STR(c.time)}}}'
                  for c in report.calls),
        "notes": (f'{{"seq": {n.seq!r}, "time": {_STR(n.time)}, "step": {_STR(n.step)}, "text": {_STR(n.text)}}}'
                  for n in report.notes)}


def json_chunks(report: Report) -> Iterator[str]:
    """`to_json` as text, a row per line for the members that grow with the run,
    so a long run's JSON is never held twice (as objects and as text)."""
    short = Report(report.lang, report.header, report.deadlines, (), (), (), (), (), report.still_open,
                   report.integrity, report.score, report.compliance)
    rows = to_json(report, rows=True)
    lines = _row_lines(report)
    data = to_json(short)
    for i, (key, value) in enumerate(data.items()):
        yield ("{" if i == 0 else ",\n") + json.dumps(key) + ": "
        if key in _ROWS:
            yield "["
            written = lines[key] if key in lines else map(_ROW, rows[key])
            lead = "\n "
            while batch := list(islice(written, 4096)):  # a piece per 4,096 rows, not per row
                yield lead + ",\n ".join(batch)
                lead = ",\n "
            yield "]"
        else:
            yield json.dumps(value, ensure_ascii=False)
    yield "}\n"


def render_json(report: Report) -> str:
    return "".join(json_chunks(report))


# --- Markdown ---------------------------------------------------------------------------



_MD_PLAIN = re.compile(f"[{UNSAFE_CHARS}\n&<\\\\`*_\\[\\]()!|~]")
"""Any character `md` would change: without one, the text is its own Markdown."""


def md(text: str) -> str:
    """Text from the log as literal Markdown: on one line, HTML made inert, every
    Markdown character escaped (so ``](javascript:…)`` is never a link and ``|``
    never ends a table cell)."""
    text = str(text)
    if _MD_PLAIN.search(text) is None:  # most texts: one scan in C, nothing to escape
        return text
    return visible(text, one_line=True).translate(_MD_ESCAPES)


_MD_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", **{c: "\\" + c for c in "\\`*_[]()!|~"}})
"""What `md` does to each character, in one pass in C: HTML made inert, each
Markdown character after a backslash (the neutralised forms hold no Markdown
character, so the order of the two does not matter)."""


def _memo(escape: Callable[[str], str]) -> Callable[[str], str]:
    """``escape`` of each text once: a long run's report repeats its times,
    step names and contacts on thousands of lines (one dict per render)."""
    known: dict[str, str] = {}

    def once(text: str) -> str:
        found = known.get(text)
        if found is None:
            found = known[text] = escape(text)
        return found

    return once


def render_md(report: Report) -> str:
    return "\n".join(md_lines(report)) + "\n"


def md_lines(report: Report) -> list[str]:
    lang, head = report.lang, report.header
    out = [f"# {md(_s('title', lang))} — {md(head.run_id)}", "", md(_s("plan", lang, title=head.plan)), ""]
    mode = _s("drill", lang) if head.mode == "drill" else _s("live", lang)
    rows = [("run", head.run_id), ("playbook", head.playbook), ("operator", head.operator), ("mode", mode),
            ("started", head.started or "—"),
            ("ended", head.ended or _s("not_ended", lang))]
    if head.duration_s is not None:
        rows += [("duration", duration_text(head.duration_s)), ("outcome", outcome_word(head.outcome, lang))]
    out += ["| | |", "|---|---|"] + [f"| {md(_s(k, lang))} | {md(v)} |" for k, v in rows]
    out += ["", md(_s("times_in", lang, offset=head.utc_offset)), ""]
    if report.compliance is not None:
        c = report.compliance
        out += [f"## {md(_s('compliance', lang, done=c.done, n=c.applicable, pct=c.percent))}", ""]
        out += ["| | | |", "|---|---|---|"]
        out += [f"| {md(word(ITEM_CATEGORIES, i.category, lang))} | {'✓' if i.done else '○'} {md(i.label)} | "
                f"{md(', '.join(map(str, i.evidence)))} |" for i in c.items]
        if c.deviations:
            out += ["", f"### {md(_s('deviations', lang))}", ""]
            out += [f"- {GRADE_SYMBOL[d.grade]} **{md(word(GRADES, d.grade, lang))}** "
                    f"{md(word(DEVIATIONS, d.kind, lang))} — {md(d.label)}"
                    + (f": {md(d.detail)}" if d.detail else "")
                    + (f" ({md(_s('seq', lang))} {md(', '.join(map(str, d.evidence)))})" if d.evidence else "")
                    for d in c.deviations]
        out.append("")
    if report.score is not None:
        from ehplan.drill import score_lines

        score = score_lines(report.score, lang, with_compliance=report.compliance is None)
        out += [f"## {md(score[0])}", ""] + [f"- {md(line.strip())}" for line in score[1:]] + [""]
    out += [f"## {md(_s('deadlines', lang))}", ""]
    out += ["| | | | | |", "|---|---|---|---|---|"]
    out += [f"| {VERDICT_SYMBOL[d.verdict]} {md(verdict_word(d.verdict, lang))} | {md(d.label)} | "
            f"{md(duration_text(d.duration_s))} | {md(d.due)} | {md(d.done or '—')} |" for d in report.deadlines]
    cell, duration = _memo(md), durations()  # times, steps and contacts repeat on thousands of lines
    out += ["", f"## {md(_s('timeline', lang))}", "", "| | | |", "|---|---|---|"]
    out += [f"| +{cell(duration(m.elapsed_s))} | {cell(m.time)} | {md(m.text)} |" for m in report.timeline]
    out += ["", f"## {md(_s('calls', lang))}", ""]
    out += [f"- ☎ {cell(c.name)}{' ' + cell(c.number) if c.number else ''} — {cell(call_word(c.outcome, lang))} "
            f"({cell(c.time)})" for c in report.calls] or ["—"]
    out += ["", f"## {md(_s('notes', lang))}", ""]
    out += [f"- ✎ {cell(n.time)} \\[{cell(n.step)}\\] {md(n.text)}" for n in report.notes] or ["—"]
    out += ["", f"## {md(_s('overrides', lang))}", ""]
    out += [f"- ⤼ {md(o.time)} {md(o.step)}: {md(o.reason)}" for o in report.overrides] or ["—"]
    out += ["", f"## {md(_s('followups', lang))}", ""]
    out += [f"- 📅 {md(f.due)} {md(f.text)}" for f in report.followups] or ["—"]
    if report.still_open:
        out += ["", f"## {md(_s('still_open', lang))}", ""] + [f"- {md(item)}" for item in report.still_open]
    integrity = report.integrity
    out += ["", f"## {md(_s('log', lang))}", "", f"- {md(integrity.path)}",
            f"- {md(_s('intact', lang, n=integrity.records))}"
            + (f"; {md(_s('hmac_checked', lang))}" if integrity.hmac_checked else "")]
    if integrity.torn_tail:
        out.append(f"- {md(_s('torn', lang))}")
    out.append(f"- {md(_s('final_hash', lang))}: `{integrity.final_hash}`")
    return out


# --- HTML -------------------------------------------------------------------------------


_HTML_PLAIN = re.compile(f"[{UNSAFE_CHARS}\n&<>\"']")
"""Any character `h` would change: without one, the text is its own HTML."""


def h(text: object) -> str:
    """Text from the log as HTML text: escaped, on one line, controls visible."""
    text = str(text)
    if _HTML_PLAIN.search(text) is None:  # most texts: one scan in C, nothing to escape
        return text
    return html.escape(visible(text, one_line=True), quote=True)


def _css_string(text: str) -> str:
    """A CSS string literal that no text can break out of."""
    return '"' + "".join(ch if ch.isalnum() and ch.isascii() or ch in " ._-" else f"\\{ord(ch):06x}"
                         for ch in text) + '"'


_VERDICT_CLASS = {"met": "met", "met_late": "late", "missed": "missed", "open": "open", "cleared": "met",
                  "escalated": "missed"}


def timeline_svg(report: Report, width: int = 680) -> str:
    """The run's deadlines as bars on its time axis: each bar spans the limit,
    filled by its verdict (met, late, missed: also said in words and symbols),
    with a tick where it was met."""
    deadlines = report.deadlines
    end = max([report.header.duration_s or 0, *(d.due_s for d in deadlines),
               *(d.done_s or 0 for d in deadlines), *(m.elapsed_s for m in report.timeline[-1:]), 1])
    left, row = 230, 26
    span = width - left - 10
    height = 30 + row * max(len(deadlines), 1)

    def x(seconds: float) -> float:
        return round(left + span * max(seconds, 0) / end, 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{h(_s("deadlines", report.lang))}">',
             f'<line x1="{left}" y1="{height - 18}" x2="{width - 10}" y2="{height - 18}" class="axis"/>',
             f'<text x="{left}" y="{height - 4}" class="tick">+00:00</text>',
             f'<text x="{width - 10}" y="{height - 4}" class="tick" text-anchor="end">+{h(duration_text(end))}</text>']
    for i, d in enumerate(deadlines):
        y = 8 + i * row
        css = _VERDICT_CLASS.get(d.verdict, "open")
        parts.append(f'<text x="0" y="{y + 14}" class="label">{h(VERDICT_SYMBOL[d.verdict])} {h(d.label[:34])}</text>')
        parts.append(f'<rect x="{x(d.started_s)}" y="{y}" width="{max(round(x(d.due_s) - x(d.started_s), 1), 1)}" '
                     f'height="18" class="bar {css}"><title>{h(d.label)} — '
                     f'{h(verdict_word(d.verdict, report.lang))}</title></rect>')
        if d.verdict == "met_late" and d.done_s is not None and d.done_s > d.due_s:
            parts.append(f'<rect x="{x(d.due_s)}" y="{y + 5}" width="{max(round(x(d.done_s) - x(d.due_s), 1), 1)}" '
                         f'height="8" class="bar overrun"/>')
        if d.done_s is not None:
            parts.append(f'<line x1="{x(d.done_s)}" y1="{y - 2}" x2="{x(d.done_s)}" y2="{y + 20}" class="done"/>')
    parts.append("</svg>")
    return "".join(parts)


_STYLE = """
:root { font-family: system-ui, "Noto Sans CJK TC", "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", sans-serif;
        font-size: 11pt; color: #111; }
body { max-width: 190mm; margin: 1em auto; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 1.2em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #bbb; padding: 2px 5px;
        vertical-align: top; text-align: left; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
.bar.met { fill: #2e7d32; } .bar.late { fill: #f9a825; } .bar.missed { fill: #c62828; } .bar.open { fill: #9e9e9e; }
.bar.overrun { fill: #c62828; }
.axis, .done { stroke: #111; stroke-width: 1.5; } .tick, .label { font-size: 10px; fill: #111; }
.major { font-weight: bold; }
@page { size: A4; margin: 18mm 14mm;
        @top-left { content: "ehplan — " RUN_ID; font-size: 9pt; }
        @top-right { content: PAGE_WORD " " counter(page) " / " counter(pages); font-size: 9pt; } }
@media print { body { max-width: none; margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; }
               section.report + section.report { break-before: page; } }
"""


def render_html(reports: Report | list[Report]) -> str:
    return "\n".join(html_lines(reports)) + "\n"


def html_lines(reports: Report | list[Report]) -> list[str]:
    """One self-contained HTML file of one or more reports: no script, nothing
    fetched (a CSP says so), system fonts, printable on A4 with the run id and
    page numbers at the top and foot of every page (each report starts a page)."""
    many = [reports] if isinstance(reports, Report) else reports
    first = many[0]
    pages = "".join(
        f"@page run{i} {{ @top-left {{ content: \"ehplan — \" {_css_string(r.header.run_id)}; }} }}\n"
        for i, r in enumerate(many))
    page_word = "頁" if first.lang != "en" else "page"
    style = _STYLE.replace("RUN_ID", _css_string(first.header.run_id)).replace("PAGE_WORD", _css_string(page_word))
    title = f"{h(_s('title', first.lang))} — {h(', '.join(r.header.run_id for r in many))}"
    out = ['<!DOCTYPE html>', f'<html lang="{h(first.lang)}">', "<head>", '<meta charset="utf-8">',
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
           "img-src data:\">", f"<title>{title}</title>", f"<style>{style}{pages}</style>", "</head>", "<body>"]
    for i, report in enumerate(many):
        out.append(f'<section class="report" style="page: run{i}">')
        out += _html_body(report)
        out.append("</section>")
    out += ["</body>", "</html>"]
    return out


def _html_body(report: Report) -> list[str]:
    lang, head = report.lang, report.header
    mode = _s("drill", lang) if head.mode == "drill" else _s("live", lang)
    rows = [("run", head.run_id), ("playbook", head.playbook), ("operator", head.operator), ("mode", mode),
            ("started", head.started or "—"), ("ended", head.ended or _s("not_ended", lang))]
    if head.duration_s is not None:
        rows += [("duration", duration_text(head.duration_s)), ("outcome", outcome_word(head.outcome, lang))]
    out = [f"<h1>ehplan — {h(_s('title', lang))}: {h(head.run_id)}</h1>",
           f"<p>{h(_s('plan', lang, title=head.plan))}</p>", "<table>"]
    out += [f"<tr><th>{h(_s(k, lang))}</th><td>{h(v)}</td></tr>" for k, v in rows]
    out += ["</table>", f"<p>{h(_s('times_in', lang, offset=head.utc_offset))}</p>"]
    if report.compliance is not None:
        c = report.compliance
        out.append(f"<h2>{h(_s('compliance', lang, done=c.done, n=c.applicable, pct=c.percent))}</h2>")
        out.append("<p>" + h(" · ".join(f"{word(ITEM_CATEGORIES, cat, lang)} {d}/{n}"
                                      for cat, d, n in c.by_category())) + "</p>")
        out.append("<table>")
        out += [f"<tr><td>{h(word(ITEM_CATEGORIES, i.category, lang))}</td><td>{'✓' if i.done else '○'} "
                f"{h(i.label)}</td><td class=\"mono\">{h(', '.join(map(str, i.evidence)))}</td></tr>"
                for i in c.items]
        out.append("</table>")
        if c.deviations:
            out.append(f"<h3>{h(_s('deviations', lang))}</h3><ul>")
            out += [f'<li class="{h(d.grade)}">{h(GRADE_SYMBOL[d.grade])} {h(word(GRADES, d.grade, lang))} — '
                    f"{h(word(DEVIATIONS, d.kind, lang))}: {h(d.label)}"
                    + (f" — {h(d.detail)}" if d.detail else "")
                    + (f" ({h(_s('seq', lang))} {h(', '.join(map(str, d.evidence)))})" if d.evidence else "")
                    + "</li>" for d in c.deviations]
            out.append("</ul>")
    if report.score is not None:
        from ehplan.drill import score_lines

        score = score_lines(report.score, lang, with_compliance=report.compliance is None)
        out += [f"<h2>{h(score[0])}</h2><ul>"] + [f"<li>{h(line.strip())}</li>" for line in score[1:]] + ["</ul>"]
    out += [f"<h2>{h(_s('deadlines', lang))}</h2>", timeline_svg(report), "<table>"]
    out += [f"<tr><td>{h(VERDICT_SYMBOL[d.verdict])} {h(verdict_word(d.verdict, lang))}</td><td>{h(d.label)}</td>"
            f"<td>{h(_s('limit', lang, d=duration_text(d.duration_s)))}</td><td>{h(_s('due_at', lang, t=d.due))}</td>"
            f"<td>{h(_s('done_at', lang, t=d.done) if d.done else '—')}</td></tr>" for d in report.deadlines]
    out += ["</table>", f"<h2>{h(_s('timeline', lang))}</h2>", "<table>"]
    cell, duration = _memo(h), durations()  # times repeat on thousands of lines
    out += [f"<tr><td class=\"mono\">+{cell(duration(m.elapsed_s))}</td><td class=\"mono\">{cell(m.time)}</td>"
            f"<td>{h(m.text)}</td></tr>" for m in report.timeline]
    out.append("</table>")
    for key, items in (("calls", [f"☎ {c.name}{'  ' + c.number if c.number else ''} — "
                                  f"{call_word(c.outcome, lang)} ({c.time})" for c in report.calls]),
                       ("notes", [f"✎ {n.time} [{n.step}] {n.text}" for n in report.notes]),
                       ("overrides", [f"⤼ {o.time} {o.step}: {o.reason}" for o in report.overrides]),
                       ("followups", [f"📅 {f.due}  {f.text}" for f in report.followups]),
                       ("still_open", list(report.still_open))):
        if items or key != "still_open":
            out.append(f"<h2>{h(_s(key, lang))}</h2><ul>")
            out += [f"<li>{h(item)}</li>" for item in items] or ["<li>—</li>"]
            out.append("</ul>")
    integrity = report.integrity
    out += [f"<h2>{h(_s('log', lang))}</h2>", f"<p class=\"mono\">{h(integrity.path)}</p>",
            f"<p>{h(_s('intact', lang, n=integrity.records))}"
            + (f"; {h(_s('hmac_checked', lang))}" if integrity.hmac_checked else "") + "</p>"]
    if integrity.torn_tail:
        out.append(f"<p>{h(_s('torn', lang))}</p>")
    out.append(f"<p>{h(_s('final_hash', lang))}: <span class=\"mono\">{h(integrity.final_hash)}</span></p>")
    return out




def render(reports: list[Report], form: str) -> str:
    """The reports in ``form`` (one of `FORMATS`): text and Markdown one after
    the other, one HTML document, JSON one object (an array of them for several)."""
    return "".join(chunks(reports, form))


def chunks(reports: list[Report], form: str) -> Iterator[str]:
    """`render` a piece at a time, for writing a long run's report as it is made."""
    if form == "json":
        if len(reports) > 1:
            yield "["
        for i, report in enumerate(reports):
            pieces = list(json_chunks(report)) if len(reports) > 1 else json_chunks(report)
            if len(reports) > 1:
                yield ("" if i == 0 else ",\n") + "".join(pieces).rstrip("\n")
            else:
                yield from pieces
        if len(reports) > 1:
            yield "]\n"
        return
    if form == "text":
        blocks = [[visible(line, one_line=True) for line in render_text(r)] for r in reports]
        separator = ""
    elif form == "md":
        blocks, separator = [md_lines(r) for r in reports], "---\n\n"
    elif form == "html":
        blocks, separator = [html_lines(reports)], ""
    else:
        raise ValueError(f"unknown report format {form!r}")
    for i, lines in enumerate(blocks):
        if i:
            yield "\n" + separator
        for start in range(0, len(lines), 4096):
            yield "".join(line + "\n" for line in lines[start:start + 4096])


__all__ = ["FORMATS", "compliance_lines", "render", "render_html", "render_json", "render_md",
           "timeline_svg", "to_json"]
