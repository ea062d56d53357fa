"""The summary across runs in text, Markdown, JSON (its schema is
`SummaryJson`, published as schemas/summary.schema.json) and one
self-contained printable HTML file whose charts are SVG drawn by matplotlib
(an optional extra: ``pip install 'ehplan[summary]'``). Every text that came
from a log is escaped for the format it goes into (the report's helpers)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from ehplan.report.acrossruns import AcrossRuns, Evidence
from ehplan.report.formats import _STYLE, h, md
from ehplan.report.vocabulary import DEVIATIONS, GRADES, verdict_word, word
from ehplan.text import Lang, duration_text, in_lang, visible

JSON_VERSION = 1
CHARTS_MISSING = "the summary's HTML charts need matplotlib: pip install 'ehplan[summary]'"

_STRINGS: dict[str, tuple[str, str]] = {
    "title": ("跨事件摘要", "Summary across runs"),
    "filters": ("範圍", "Scope"),
    "all": ("全部", "all"),
    "since": ("自 {d}", "since {d}"),
    "until": ("至 {d}", "until {d}"),
    "playbook_only": ("僅預案 {p}", "playbook {p} only"),
    "with_drills": ("含演練", "drills included"),
    "no_drills": ("不含演練", "drills left out"),
    "counted": ("{runs} 個已核實事件（共讀取 {files} 個記錄檔）", "{runs} verified runs ({files} run files read)"),
    "times_in": ("時間為預案當地時間 UTC{offset}", "Times are the plan's local time, UTC{offset}"),
    "by_playbook": ("各預案事件數", "Runs per playbook"),
    "by_month": ("各月事件數", "Runs per month"),
    "by_playbook_month": ("各預案每月事件數", "Runs per playbook and month"),
    "playbook": ("預案", "playbook"),
    "total": ("合計", "total"),
    "limits": ("各時限達標率", "Deadlines met, per limit"),
    "limit": ("時限", "limit"),
    "met": ("按時", "met"),
    "late": ("逾時完成", "late"),
    "missed": ("未完成", "missed"),
    "open": ("未結", "open"),
    "met_pct": ("按時率", "met %"),
    "calls": ("至首個應致電聯絡的時間", "Time to the first required call"),
    "calls_line": ("{runs} 個事件：中位數 {median}，第 90 百分位 {p90}；"
                   "{without} 個事件沒有應致電的通話（已接通或已通知）",
                   "{runs} runs: median {median}, 90th percentile {p90}; {without} runs without a required call "
                   "logged answered or called"),
    "deviations": ("最常見的偏離", "Most frequent deviations"),
    "count": ("次數", "count"),
    "behind": ("依據", "behind it"),
    "unverified": ("未通過核實的事件（不計入以上數字）", "Runs not verified (left out of every figure above)"),
    "none": ("—", "—"),
    "seq": ("記錄", "seq"),
    "runs": ("事件", "runs"),
    "minutes": ("分鐘", "minutes"),
    "first_call_axis": ("至首個應致電聯絡（分鐘）", "to the first required call (minutes)"),
}


def _s(key: str, lang: Lang, **params: Any) -> str:
    text = in_lang(_STRINGS[key], lang)
    return text.format(**params) if params else text


def _scope(s: AcrossRuns) -> str:
    lang = s.lang
    parts = []
    if s.since:
        parts.append(_s("since", lang, d=s.since))
    if s.until:
        parts.append(_s("until", lang, d=s.until))
    if s.playbook:
        parts.append(_s("playbook_only", lang, p=s.playbook))
    parts.append(_s("with_drills" if s.drills else "no_drills", lang))
    return " · ".join(parts)


def _limit_name(row: Any, lang: Lang) -> str:
    return f"{row.label} ({duration_text(row.duration_s)})"


def _seconds(value: float | None) -> str:
    return duration_text(value) if value is not None else "—"


def _evidence(items: tuple[Evidence, ...], lang: Lang, escape: Callable[[str], str]) -> list[str]:
    """Each run behind a figure: its file, and the seqs that show it."""
    return [escape(e.file) + (f" ({escape(_s('seq', lang))} {escape(', '.join(map(str, e.seqs)))})" if e.seqs else "")
            + (f" — {escape(verdict_word(e.verdict, lang))}" if e.verdict else "") for e in items]


def _grid(s: AcrossRuns) -> list[list[str]]:
    """The playbook × month table as rows of cells: a header, one row per playbook, the totals."""
    lang = s.lang
    rows = [[_s("playbook", lang), *(m.key for m in s.by_month), _s("total", lang)]]
    rows += [[row.label, *map(str, row.months), str(row.total)] for row in s.by_playbook_month]
    rows.append([_s("total", lang), *(str(m.runs) for m in s.by_month), str(s.runs)])
    return rows


def _grid_text(s: AcrossRuns) -> list[str]:
    """The playbook × month table in columns, padded by display width (a CJK character takes two)."""
    from rich.cells import cell_len, set_cell_size

    rows = [[visible(cell, one_line=True) for cell in row] for row in _grid(s)]
    first = max(cell_len(row[0]) for row in rows)
    widths = [max(cell_len(row[i]) for row in rows) for i in range(1, len(rows[0]))]
    return ["  " + set_cell_size(row[0], first) + "".join("  " + " " * (w - cell_len(cell)) + cell
                                                          for cell, w in zip(row[1:], widths, strict=True))
            for row in rows]


# --- text -------------------------------------------------------------------------------


def render_text(s: AcrossRuns) -> list[str]:
    """The summary as plain lines (counts only: the files behind them are in md, html and json)."""
    lang = s.lang
    lines = [f"ehplan — {_s('title', lang)}", f"{_s('filters', lang)}: {_scope(s)}",
             _s("counted", lang, runs=s.runs, files=s.files), _s("times_in", lang, offset=s.utc_offset), "",
             f"{_s('by_playbook', lang)}:"]
    lines += [f"  {c.runs:>6}  {c.label}" for c in s.by_playbook] or [f"  {_s('none', lang)}"]
    lines += ["", f"{_s('by_month', lang)}:"]
    lines += [f"  {c.key}  {c.runs:>6}" for c in s.by_month] or [f"  {_s('none', lang)}"]
    lines += ["", f"{_s('by_playbook_month', lang)}:"]
    lines += _grid_text(s) if s.by_playbook_month else [f"  {_s('none', lang)}"]
    lines += ["", f"{_s('limits', lang)}:"]
    for row in s.limits:
        lines.append(f"  {row.percent:5.1f}%  {_limit_name(row, lang)} — {_s('met', lang)} {row.met}, "
                     f"{_s('late', lang)} {row.late}, {_s('missed', lang)} {row.missed}"
                     + (f", {_s('open', lang)} {row.open}" if row.open else ""))
    if not s.limits:
        lines.append(f"  {_s('none', lang)}")
    c = s.calls
    lines += ["", f"{_s('calls', lang)}:", "  " + _s("calls_line", lang, runs=c.runs, median=_seconds(c.median_s),
                                                    p90=_seconds(c.p90_s), without=c.without)]
    lines += ["", f"{_s('deviations', lang)}:"]
    lines += [f"  {d.count:>6}  {word(GRADES, d.grade, lang)}  {word(DEVIATIONS, d.kind, lang)} — {d.label}"
              for d in s.deviations] or [f"  {_s('none', lang)}"]
    lines += ["", f"{_s('unverified', lang)}:"]
    lines += [f"  {u.file}: {u.integrity}" + (f" ({_s('seq', lang)} {u.bad_seq})" if u.bad_seq is not None else "")
              for u in s.unverified] or [f"  {_s('none', lang)}"]
    return [visible(line, one_line=True) for line in lines]


# --- Markdown ---------------------------------------------------------------------------


def render_md(s: AcrossRuns) -> str:
    lang = s.lang
    out = [f"# {md(_s('title', lang))}", "", f"{md(_s('filters', lang))}: {md(_scope(s))}", "",
           md(_s("counted", lang, runs=s.runs, files=s.files)) + "  ", md(_s("times_in", lang, offset=s.utc_offset)),
           "", f"## {md(_s('by_playbook', lang))}", "", f"| | {md(_s('runs', lang))} |", "|---|---:|"]
    out += [f"| {md(c.label)} | {c.runs} |" for c in s.by_playbook]
    out += ["", f"## {md(_s('by_month', lang))}", "", f"| | {md(_s('runs', lang))} |", "|---|---:|"]
    out += [f"| {md(c.key)} | {c.runs} |" for c in s.by_month]
    out += ["", f"## {md(_s('by_playbook_month', lang))}", ""]
    if s.by_playbook_month:
        grid = _grid(s)
        out += ["| " + " | ".join(md(cell) for cell in grid[0]) + " |", "|---" + "|---:" * (len(grid[0]) - 1) + "|"]
        out += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in grid[1:]]
    else:
        out.append("—")
    out += ["", f"## {md(_s('limits', lang))}", "",
            "| " + " | ".join(md(_s(k, lang)) for k in ("limit", "met_pct", "met", "late", "missed", "open")) + " |",
            "|---|---:|---:|---:|---:|---:|"]
    out += [f"| {md(_limit_name(r, lang))} | {r.percent:.1f}% | {r.met} | {r.late} | {r.missed} | {r.open} |"
            for r in s.limits]
    for r in s.limits:
        if r.evidence:
            out += ["", f"{md(_limit_name(r, lang))} — {md(_s('behind', lang))}:", ""]
            out += [f"- {line}" for line in _evidence(r.evidence, lang, md)]
    c = s.calls
    out += ["", f"## {md(_s('calls', lang))}", "",
            md(_s("calls_line", lang, runs=c.runs, median=_seconds(c.median_s), p90=_seconds(c.p90_s),
                  without=c.without))]
    out += ["", f"## {md(_s('deviations', lang))}", ""]
    for d in s.deviations:
        out += [f"- **{d.count}** × {md(word(GRADES, d.grade, lang))} {md(word(DEVIATIONS, d.kind, lang))} — "
                f"{md(d.label)}"]
        out += [f"  - {line}" for line in _evidence(d.evidence, lang, md)]
    if not s.deviations:
        out.append("—")
    out += ["", f"## {md(_s('unverified', lang))}", ""]
    out += [f"- {md(u.file)}: {md(u.integrity)}" + (f" ({md(_s('seq', lang))} {u.bad_seq})"
                                                      if u.bad_seq is not None else "") for u in s.unverified] or ["—"]
    return "\n".join(out) + "\n"


# --- JSON -------------------------------------------------------------------------------


def _ev(items: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [{"file": e.file, "run": e.run, "seqs": list(e.seqs), **({"verdict": e.verdict} if e.verdict else {})}
            for e in items]


def to_json(s: AcrossRuns) -> dict[str, Any]:
    """The summary as JSON data (stable keys; `SummaryJson` is its schema)."""
    c = s.calls
    return {
        "format": "ehplan-summary", "version": JSON_VERSION, "lang": s.lang,
        "filters": {"since": s.since, "until": s.until, "playbook": s.playbook, "drills": s.drills},
        "files": s.files, "runs": s.runs, "utc_offset": s.utc_offset,
        "by_playbook": [{"playbook": p.key, "label": p.label, "runs": p.runs} for p in s.by_playbook],
        "by_month": [{"month": m.key, "runs": m.runs} for m in s.by_month],
        "by_playbook_month": [
            {"playbook": row.key, "label": row.label, "runs": row.total,
             "months": [{"month": m.key, "runs": n, "evidence": _ev(evidence)}
                        for m, n, evidence in zip(s.by_month, row.months, row.evidence, strict=True)]}
            for row in s.by_playbook_month],
        "limits": [{"timer": r.key, "label": r.label, "limit_s": r.duration_s, "met": r.met, "late": r.late,
                    "missed": r.missed, "open": r.open, "total": r.total, "met_percent": r.percent,
                    "evidence": _ev(r.evidence)} for r in s.limits],
        "first_required_call": {"runs": c.runs, "without": c.without, "median_s": c.median_s, "p90_s": c.p90_s,
                                "evidence": _ev(c.evidence)},
        "deviations": [{"kind": d.kind, "grade": d.grade, "ref": d.ref, "label": d.label, "count": d.count,
                        "evidence": _ev(d.evidence)} for d in s.deviations],
        "unverified": [{"file": u.file, "integrity": u.integrity, "bad_seq": u.bad_seq, "reason": u.reason}
                       for u in s.unverified],
    }


def render_json(s: AcrossRuns) -> str:
    return json.dumps(to_json(s), ensure_ascii=False) + "\n"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Filters(_Strict):
    since: str | None
    until: str | None
    playbook: str | None
    drills: bool


class _Evidence(_Strict):
    file: str
    run: str
    seqs: list[int]
    verdict: str | None = None


class _PlaybookCount(_Strict):
    playbook: str
    label: str
    runs: int


class _MonthCount(_Strict):
    month: str
    runs: int


class _PlaybookMonth(_Strict):
    month: str
    runs: int
    evidence: list[_Evidence]
    """The runs counted in this cell: each file, and seq 0 (its run_started: the playbook and the start)."""


class _PlaybookMonths(_Strict):
    playbook: str
    label: str
    runs: int
    """The playbook's runs over every month."""
    months: list[_PlaybookMonth]
    """Every month of ``by_month``, in its order (a month without a run of this playbook: 0)."""


class _Limit(_Strict):
    timer: str
    label: str
    limit_s: int
    met: int
    late: int
    missed: int
    open: int
    total: int
    met_percent: float
    evidence: list[_Evidence]


class _Calls(_Strict):
    runs: int
    without: int
    median_s: float | None
    p90_s: float | None
    evidence: list[_Evidence]


class _Deviation(_Strict):
    kind: str
    grade: str
    ref: str
    label: str
    count: int
    evidence: list[_Evidence]


class _Unverified(_Strict):
    file: str
    integrity: str
    bad_seq: int | None
    reason: str


class SummaryJson(_Strict):
    """`ehplan report --summary --format json`: the summary across runs, each figure with the runs behind it."""

    format: str
    version: int
    lang: str
    filters: _Filters
    files: int
    runs: int
    utc_offset: str
    by_playbook: list[_PlaybookCount]
    by_month: list[_MonthCount]
    by_playbook_month: list[_PlaybookMonths]
    limits: list[_Limit]
    first_required_call: _Calls
    deviations: list[_Deviation]
    unverified: list[_Unverified]


# --- HTML -------------------------------------------------------------------------------


def charts_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _chart_text(text: str) -> str:
    """A label for matplotlib, on one line (literal: the charts parse no mathtext)."""
    return visible(text, one_line=True)


def _svg(draw: Callable[[Any], None], salt: str, size: tuple[float, float]) -> str:
    """One chart as inline SVG: text kept as text (system fonts), no date, ids from ``salt``."""
    import logging
    import warnings

    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    rc: Any = {"text.parse_math": False, "svg.hashsalt": f"ehplan-{salt}", "svg.fonttype": "none", "font.size": 9,
          "font.family": "sans-serif", "axes.spines.top": False, "axes.spines.right": False}
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph the layout font lacks: the browser's system font has it
        figure = Figure(figsize=size)
        FigureCanvasSVG(figure)
        draw(figure.add_subplot())
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):].replace("<svg ", f'<svg class="chart {salt}" role="img" ', 1)


_COLOURS = {"met": "#2e7d32", "late": "#f9a825", "missed": "#c62828", "open": "#9e9e9e"}


def charts(s: AcrossRuns) -> list[str]:
    """The summary's charts: runs per month, each limit met / late / missed, time to the first required call."""
    lang = s.lang
    out = []

    def months(ax: Any) -> None:
        ax.bar([_chart_text(m.key) for m in s.by_month], [m.runs for m in s.by_month], color="#1565c0")
        ax.set_ylabel(_chart_text(_s("runs", lang)))
        ax.tick_params(axis="x", labelrotation=45)

    if s.by_month:
        out.append(_svg(months, "months", (7.0, 2.6)))

    def limits(ax: Any) -> None:
        rows = list(reversed(s.limits))
        names = [_chart_text(_limit_name(r, lang))[:48] for r in rows]
        left = [0.0] * len(rows)
        for key, attr in (("met", "met"), ("late", "late"), ("missed", "missed"), ("open", "open")):
            values = [100 * getattr(r, attr) / r.total if r.total else 0 for r in rows]
            ax.barh(names, values, left=left, color=_COLOURS[key], label=_chart_text(_s(key, lang)))
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_xlim(0, 100)
        ax.set_xlabel("%")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4, fontsize=7, frameon=False)

    if s.limits:
        out.append(_svg(limits, "limits", (7.0, 1.2 + 0.35 * len(s.limits))))
    minutes = [t / 60 for t in s.calls.times]

    def calls(ax: Any) -> None:
        ax.hist(minutes, bins=min(20, max(len(set(minutes)), 1)), color="#1565c0")
        ax.set_xlabel(_chart_text(_s("first_call_axis", lang)))
        ax.set_ylabel(_chart_text(_s("runs", lang)))

    if minutes:
        out.append(_svg(calls, "calls", (7.0, 2.4)))
    return out


_SUMMARY_STYLE = _STYLE.replace("RUN_ID", '"summary"') + "svg.chart { width: 100%; height: auto; }\n"


def render_html(s: AcrossRuns) -> str:
    """One self-contained HTML file: no script, nothing fetched (a CSP says so),
    system fonts, printable on A4, the charts inline SVG."""
    lang = s.lang
    page_word = "頁" if lang != "en" else "page"
    style = _SUMMARY_STYLE.replace("PAGE_WORD", '"' + page_word + '"')
    drawn = charts(s)
    out = ["<!DOCTYPE html>", f'<html lang="{h(lang)}">', "<head>", '<meta charset="utf-8">',
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
           "img-src data:\">", f"<title>ehplan — {h(_s('title', lang))}</title>", f"<style>{style}</style>",
           "</head>", "<body>", f"<h1>ehplan — {h(_s('title', lang))}</h1>",
           f"<p>{h(_s('filters', lang))}: {h(_scope(s))}</p>",
           f"<p>{h(_s('counted', lang, runs=s.runs, files=s.files))}. "
           f"{h(_s('times_in', lang, offset=s.utc_offset))}</p>"]
    out += [f"<h2>{h(_s('by_playbook', lang))}</h2>", "<table>"]
    out += [f"<tr><td>{h(c.label)}</td><td>{c.runs}</td></tr>" for c in s.by_playbook]
    out += ["</table>", f"<h2>{h(_s('by_month', lang))}</h2>"]
    out += [d for d in drawn if 'class="chart months"' in d]
    out += ["<table>"] + [f"<tr><td>{h(c.key)}</td><td>{c.runs}</td></tr>" for c in s.by_month] + ["</table>"]
    out.append(f"<h2>{h(_s('by_playbook_month', lang))}</h2>")
    if s.by_playbook_month:
        grid = _grid(s)
        out += ["<table>", "<tr>" + "".join(f"<th>{h(cell)}</th>" for cell in grid[0]) + "</tr>"]
        out += ["<tr>" + "".join(f"<td>{h(cell)}</td>" for cell in row) + "</tr>" for row in grid[1:]]
        out.append("</table>")
    else:
        out.append(f"<p>{h(_s('none', lang))}</p>")
    out += [f"<h2>{h(_s('limits', lang))}</h2>"] + [d for d in drawn if 'class="chart limits"' in d]
    out += ["<table><tr>" + "".join(f"<th>{h(_s(k, lang))}</th>" for k in
                                    ("limit", "met_pct", "met", "late", "missed", "open")) + "</tr>"]
    out += [f"<tr><td>{h(_limit_name(r, lang))}</td><td>{r.percent:.1f}%</td><td>{r.met}</td><td>{r.late}</td>"
            f"<td>{r.missed}</td><td>{r.open}</td></tr>" for r in s.limits]
    out.append("</table>")
    for r in s.limits:
        if r.evidence:
            out.append(f"<h3>{h(_limit_name(r, lang))} — {h(_s('behind', lang))}</h3><ul class=\"mono\">")
            out += [f"<li>{line}</li>" for line in _evidence(r.evidence, lang, h)] + ["</ul>"]
    c = s.calls
    out += [f"<h2>{h(_s('calls', lang))}</h2>"] + [d for d in drawn if 'class="chart calls"' in d]
    out.append("<p>" + h(_s("calls_line", lang, runs=c.runs, median=_seconds(c.median_s), p90=_seconds(c.p90_s),
                            without=c.without)) + "</p>")
    out += [f"<h2>{h(_s('deviations', lang))}</h2>", "<ul>"]
    for d in s.deviations:
        out.append(f'<li class="{h(d.grade)}">{d.count} × {h(word(GRADES, d.grade, lang))} '
                   f"{h(word(DEVIATIONS, d.kind, lang))} — {h(d.label)}<ul class=\"mono\">")
        out += [f"<li>{line}</li>" for line in _evidence(d.evidence, lang, h)] + ["</ul></li>"]
    if not s.deviations:
        out.append("<li>—</li>")
    out += ["</ul>", f"<h2>{h(_s('unverified', lang))}</h2>", "<ul class=\"mono\">"]
    out += [f"<li>{h(u.file)}: {h(u.integrity)}" + (f" ({h(_s('seq', lang))} {u.bad_seq})"
                                                     if u.bad_seq is not None else "") + "</li>"
            for u in s.unverified] or ["<li>—</li>"]
    out += ["</ul>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def render(s: AcrossRuns, form: str) -> str:
    if form == "text":
        return "\n".join(render_text(s)) + "\n"
    if form == "md":
        return render_md(s)
    if form == "json":
        return render_json(s)
    if form == "html":
        return render_html(s)
    raise ValueError(f"unknown summary format {form!r}")
