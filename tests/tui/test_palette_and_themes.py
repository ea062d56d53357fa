"""The command palette keeps Textual's own commands beside ehplan's, and the
run screen stays readable under every built-in theme."""

from __future__ import annotations

from rich.color import Color
from rich.style import Style
from tui_helpers import TO_AMOUNT, fast_forward, start

from ehplan.engine import commands as cmd
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.screens.summary import SummaryScreen

DRAWING = range(0x2500, 0x25A0)


def contrast(fg: Color, bg: Color) -> float:
    """The WCAG contrast ratio of two colours."""

    def luminance(color: Color) -> float:
        r, g, b = (c / 255 for c in color.get_truecolor())
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def faint_text(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Visible characters whose colour is too close to their background to read (ratio under 2:1)."""
    found = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            style = segment.style or Style()
            text = segment.text.strip()
            if not text or all(ord(c) in DRAWING for c in text) or style.color is None or style.bgcolor is None:
                continue
            fg, bg = (style.bgcolor, style.color) if style.reverse else (style.color, style.bgcolor)
            if contrast(fg, bg) < 2.0:
                found.append(f"row {y}: {text!r} {contrast(fg, bg):.2f}")
    return found


async def test_the_palette_keeps_textuals_system_commands(tmp_path, make_app):
    app = make_app(tmp_path, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Theme", "Keys", "Screenshot"} <= set(titles)
        assert {"Contacts", "Note", "End the run"} & set(titles)
        assert titles.count("Quit") == 1 and titles.index("Contacts") < titles.index("Theme")


THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "catppuccin-mocha", "dracula", "tokyo-night",
          "monokai", "flexoki", "catppuccin-latte", "solarized-light")


async def faint_under_every_theme(app, pilot, what: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The faint text of the screen on top, under each built-in theme in turn."""
    found = []
    for theme in THEMES:
        app.theme = theme
        await pilot.pause()
        found += [f"{what}, {theme}: {line}" for line in faint_text(app)]
    return found


async def test_the_screens_are_readable_under_built_in_themes(tmp_path, make_app):
    """The picker, a run with a refusal, and the summary, under every theme (one
    app, the theme switched on each screen: an app per theme cost 11 starts)."""
    app = make_app(tmp_path, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        assert set(THEMES) <= set(app.available_themes)
        await pilot.pause()
        assert await faint_under_every_theme(app, pilot, "picker") == []
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_AMOUNT)
        app.tell("fill in first: Loss amount", "refusal", title="Not done")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert await faint_under_every_theme(app, pilot, "run") == []
        await fast_forward(app, pilot, cmd.SetField("loss_yuan", "100"), cmd.SetField("reporter_phone", "110"),
                           cmd.SetField("place", "1"), cmd.Continue(), cmd.Choose("yes_fixed"))
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert await faint_under_every_theme(app, pilot, "summary") == []
