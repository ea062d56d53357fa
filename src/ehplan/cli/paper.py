"""Paper and pictures: `ehplan cards` (with `--forms`), `ehplan forms` and
`ehplan graph`, all from the validated playbooks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ehplan.cli.common import DATA_OPTION, PLAYBOOKS_OPTION, fail, load_or_exit
from ehplan.terminal import say
from ehplan.text import parse_lang

if TYPE_CHECKING:
    from ehplan.library import Library
    from ehplan.paper.words import PaperLang


def _paper_lang(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None or value.strip().lower() in ("bilingual", "both", "bi"):
        return None if value is None else "bilingual"
    try:
        return parse_lang(value)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}, or bilingual") from None


PAPER_LANG_OPTION = click.option(
    "--lang", callback=_paper_lang, default=None, metavar="bilingual|zh-Hant|zh-Hans|en",
    help="Print in one language, or bilingual (zh-Hant with English under it; the default).")
FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True,
                             help="Self-contained HTML (print it from a browser), or PDF through headless Chromium.")
OUT_OPTION = click.option("--out", type=click.Path(path_type=Path), default=Path("paper"), show_default=True,
                          help="Directory to write <playbook>.card.* and <playbook>.form.* into.")


def _chosen(library: Library, wanted: Sequence[str]) -> list[str]:
    """The playbook ids asked for (all, in id order, when none is named), or one line and exit 2."""
    if not wanted:
        return sorted(library.playbooks)
    for playbook_id in wanted:
        if playbook_id not in library.playbooks:
            fail(f"no playbook {playbook_id!r}: use one of {', '.join(sorted(library.playbooks))}")
    return list(dict.fromkeys(wanted))


def _mode(lang: str | None) -> PaperLang:
    return (lang or "bilingual")  # type: ignore[return-value]


COMBINED_OPTION = click.option("--combined", is_flag=True,
                               help="One file (ehplan-paper.html|pdf) with every document, each on new pages.")


def _print_papers(ctx: click.Context, wanted: Sequence[str], kinds: Sequence[Any], lang: str | None,
                  fmt: str, out: Path, playbooks: Path | None, data: Path | None, combined: bool) -> None:
    from ehplan.paper.browser import RendererMissing
    from ehplan.paper.build import articles, write_combined, write_papers
    from ehplan.paper.graph import GraphvizMissing

    library = load_or_exit(playbooks or ctx.obj.get("playbooks"), data or ctx.obj.get("data"))
    chosen = _chosen(library, wanted)
    try:
        papers = articles(library, chosen, kinds, _mode(lang), dt.datetime.now(dt.UTC))
        if combined:
            written = [write_combined(papers, out, fmt)]  # type: ignore[arg-type]
            say(f"wrote {written[0]}")
        else:
            written = write_papers(papers, out, fmt,  # type: ignore[arg-type]
                                   progress=lambda path: say(f"wrote {path}"))
    except (GraphvizMissing, RendererMissing, RuntimeError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write to {out}: {exc.strerror or exc}")
    say(f"{len(written)} file(s) in {out}, playbook set {library.set_hash()}")


@click.command(short_help="Printable playbook cards (--forms: and blank incident forms).")
@click.argument("names", nargs=-1, metavar="[PLAYBOOK]...")
@click.option("--forms", is_flag=True, help="Print each playbook's blank incident form beside its card.")
@PAPER_LANG_OPTION
@FORMAT_OPTION
@OUT_OPTION
@COMBINED_OPTION
@PLAYBOOKS_OPTION
@DATA_OPTION
@click.pass_context
def cards(ctx: click.Context, names: Sequence[str], forms: bool, lang: str | None, fmt: str, out: Path,
          combined: bool, playbooks: Path | None, data: Path | None) -> None:
    """Write one printable A4 card per playbook (all of them when none is named):
    its definition, every step with its plan section, scripts, branches, time
    limits, contacts and numbers, supplies and the flowchart, with the
    playbook's content hash, the playbook set's hash and the print date on
    every page. --forms adds each playbook's blank incident form."""
    _print_papers(ctx, names, ["card", "form"] if forms else ["card"], lang, fmt, out, playbooks, data, combined)


@click.command(short_help="Blank incident forms to fill in by hand when the app is down.")
@click.argument("names", nargs=-1, metavar="[PLAYBOOK]...")
@PAPER_LANG_OPTION
@FORMAT_OPTION
@OUT_OPTION
@COMBINED_OPTION
@PLAYBOOKS_OPTION
@DATA_OPTION
@click.pass_context
def forms(ctx: click.Context, names: Sequence[str], lang: str | None, fmt: str, out: Path,
          combined: bool, playbooks: Path | None, data: Path | None) -> None:
    """Write one blank incident form per playbook (all when none is named): the
    values it records, the calls with time boxes, the deadlines with "due at"
    boxes, where the screen stopped (last seq and hash) and the final hash."""
    _print_papers(ctx, names, ["form"], lang, fmt, out, playbooks, data, combined)


@click.command(short_help="A playbook as a flowchart (SVG, PNG or DOT), laid out by Graphviz.")
@click.argument("name", metavar="PLAYBOOK")
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "dot"]), default="svg", show_default=True,
              help="SVG (laid out), PNG (the SVG drawn by headless Chromium) or DOT (Graphviz's input).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Write to this file (PNG needs one); else print to stdout.")
@PAPER_LANG_OPTION
@PLAYBOOKS_OPTION
@DATA_OPTION
@click.pass_context
def graph(ctx: click.Context, name: str, fmt: str, out: Path | None, lang: str | None,
          playbooks: Path | None, data: Path | None) -> None:
    """Draw one playbook as a flowchart: steps by kind, decisions with their
    labelled branches, gotos to other playbooks, timers with what starts them
    and where they escalate."""
    from ehplan.paper.browser import Browser, RendererMissing
    from ehplan.paper.graph import GraphvizMissing, flow_graph, layout, svg_body, to_dot
    from ehplan.paper.words import Words
    from ehplan.safeio import write_private

    if fmt == "png" and out is None:
        fail("--format png needs --out FILE")
    library = load_or_exit(playbooks or ctx.obj.get("playbooks"), data or ctx.obj.get("data"))
    playbook_id = _chosen(library, [name])[0]
    dot = to_dot(flow_graph(library.playbook(playbook_id), Words(library, _mode(lang))))
    try:
        if fmt == "dot":
            text = dot
        else:
            text = layout(dot)
        if fmt == "png":
            assert out is not None
            with Browser(chinese=_mode(lang) != "en") as browser:
                write_private(out, browser.png(svg_body(text)))
            say(f"wrote {out}")
            return
    except (GraphvizMissing, RendererMissing, RuntimeError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    if out is None:
        click.echo(text, nl=False)  # generated here; every text in it is escaped for SVG/DOT
        return
    try:
        write_private(out, text.encode("utf-8"))
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    say(f"wrote {out}")

