"""In a 16-colour terminal every character stays readable.

Textual draws in true colour and Rich maps each colour to the nearest of the
terminal's 16 when that is all it has. Two different theme colours can land on
the same one (a warning-orange text on a dark-orange bar, say), and the text
vanishes. These tests map every cell of each screen the way Rich does and
check that no visible character ends up in its own background colour. The
states themselves never rely on colour: other tests check their words and
symbols (⚠, ‼, ☑, OVERDUE)."""

from __future__ import annotations

from rich.color import Color, ColorSystem
from rich.style import Style
from textual.screen import ModalScreen
from tui_helpers import TO_AMOUNT, fast_forward, messages, start

from ehplan.tui.app import EhplanApp
from ehplan.tui.screens.dialogs import ConfirmEndDialog, TextDialog
from ehplan.tui.screens.directory import ContactsScreen, SuppliesScreen
from ehplan.tui.screens.summary import SummaryScreen

DEFAULT_FG, DEFAULT_BG = -1, -2
"""The terminal's own colours: never equal to each other or to a numbered one."""

DRAWING = range(0x2500, 0x25A0)
"""Box-drawing and block characters: borders and bars, drawn in the colours
around them on purpose (Textual's tall borders are half blocks)."""


def visible(text: str) -> bool:
    return any(not char.isspace() and ord(char) not in DRAWING for char in text)


def sixteen(color: Color | None, default: int) -> int:
    """The number (0–15) Rich picks for ``color`` in a 16-colour terminal."""
    if color is None or color.is_default:
        return default
    return color.downgrade(ColorSystem.STANDARD).number or 0


def unreadable(app: EhplanApp) -> list[str]:
    """Every visible character drawn in its own background colour, with where.
    Over a dialog, only the dialog counts: the screen behind it is faded on
    purpose (and may fade out entirely)."""
    found = []
    area = None
    if isinstance(app.screen, ModalScreen):
        area = app.screen.query_one(".dialog-box").region
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        x = 0
        for segment in strip:
            if area is not None and not area.contains(x, y):
                x += segment.cell_length
                continue
            style = segment.style or Style()
            fg, bg = sixteen(style.color, DEFAULT_FG), sixteen(style.bgcolor, DEFAULT_BG)
            if style.reverse:
                fg, bg = bg, fg
            if fg == bg and visible(segment.text):
                found.append(f"row {y} col {x}: {segment.text.strip()!r} in colour {fg} on {bg}")
            x += segment.cell_length
    return found


async def check(app: EhplanApp, pilot, what: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    assert unreadable(app) == [], what


async def test_the_picker_and_a_run_in_every_state(tmp_path, make_app, clock):
    for lang in ("zh-Hant", "en"):
        app = make_app(tmp_path / lang, clock=clock, lang=lang)
        async with app.run_test(size=(100, 30)) as pilot:
            await check(app, pilot, "picker")
            await pilot.press("z")
            await check(app, pilot, "picker, nothing matches")
            await start(app, pilot)
            await check(app, pilot, "script step, two countdowns running")
            clock.advance(150)
            await app.tick_runs()
            assert app.screen.query(".-warning")
            await check(app, pilot, "a countdown at its warning")
            clock.advance(60)
            await app.tick_runs()
            assert app.screen.query(".-expired")
            await check(app, pilot, "a countdown overdue")
            await fast_forward(app, pilot, *TO_AMOUNT)
            await pilot.press("x")  # not a number: the amount is refused
            await pilot.press("enter")
            assert any(m.startswith(("不是數字", "not a number")) for m in messages(app)), messages(app)
            await check(app, pilot, "record form, the refusal shown as a notification")
            await pilot.press("f2")
            assert isinstance(app.screen, TextDialog)
            await check(app, pilot, "note dialog")
            await pilot.press("escape", "f3")
            assert isinstance(app.screen, ContactsScreen)
            await check(app, pilot, "contacts")
            await pilot.press("escape", "f4")
            assert isinstance(app.screen, SuppliesScreen)
            await check(app, pilot, "supplies")
            await pilot.press("escape", "f10")
            assert isinstance(app.screen, ConfirmEndDialog)
            await check(app, pilot, "end-run confirmation")
            await pilot.press("y")
            assert isinstance(app.screen, SummaryScreen)
            await check(app, pilot, "summary")


async def test_the_paper_screen(tmp_path, make_app):
    from ehplan.tui.screens.resume import PaperScreen

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(PaperScreen("[Errno 28] No space left on device", app.lang))
        await check(app, pilot, "continue on paper")


def test_the_check_finds_text_in_its_own_background() -> None:
    """The check itself: light grey text on a lighter grey bar is caught; a
    border drawn in its own background is not text."""
    from rich.segment import Segment

    class Screen:
        class _compositor:  # noqa: N801 - stands in for the real attribute
            @staticmethod
            def render_strips() -> list[list[Segment]]:
                return [[Segment("▊", Style(color="#121212", bgcolor="#101010")),
                         Segment("⚠ 00:36", Style(color="#a0a0a0", bgcolor="#b0b0b0")),
                         Segment(" ok", Style(color="#e0e0e0", bgcolor="#121212"))]]

    class App:
        screen = Screen

    assert unreadable(App) == ["row 0 col 1: '⚠ 00:36' in colour 7 on 7"]  # type: ignore[arg-type]


async def test_the_replay_screen(tmp_path, example_library, clock):
    from ehplan.audit import read_log
    from ehplan.engine import commands as c
    from ehplan.session import Session
    from ehplan.tui.replay import ReplayApp

    session = Session.start(example_library, tmp_path / "logs", c.StartRun("example", "r", "Ann"), clock)
    clock.advance(200)
    session.execute(c.Tick())
    session.close()
    records, _ = read_log(session.path)
    app = ReplayApp(example_library, session.path, records)
    async with app.run_test(size=(80, 24)) as pilot:
        await check(app, pilot, "replay at the start")
        await pilot.press("end")
        assert app.replay.at_end
        await check(app, pilot, "replay at the end, a countdown overdue")


async def test_a_drill_with_an_inject_on_the_side(tmp_path, example_library, clock):
    from pathlib import Path

    from ehplan.drill import load_scenario
    from ehplan.tui.screens.run import RunScreen

    root = Path(__file__).resolve().parents[2]
    scenario = load_scenario(root / "tests/data/drills/example_drill.yaml", example_library)
    app = EhplanApp(example_library, log_dir=tmp_path / "logs", operator="Ann", lang="en", clock=clock,
                    mode="drill", resume_offer=False, scenario=scenario)
    async with app.run_test(size=(80, 24)) as pilot:
        await check(app, pilot, "drill briefing")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        clock.advance(61)
        await app.tick_runs()
        assert app.screen.query_one("#side-injects").display
        await check(app, pilot, "drill run with an inject")
