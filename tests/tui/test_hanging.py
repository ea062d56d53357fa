"""Lists wrap under their own text, not back at the margin (the summary and
the end-of-run confirmation), and stay literal."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from ehplan.tui.safe import Hanging

SUMMARY = """Deadlines:
    ○ Report to the customer-centre line head within 3 minutes — still open at the end
    ✓! 3分鐘內報告客戶中心職能線負責人及信息中心，並持續報告新的情況 — 逾時完成
  • short"""


def test_a_long_item_continues_under_its_first_word() -> None:
    assert Hanging(SUMMARY)._wrapped(44).plain.split("\n") == [
        "Deadlines:",
        "    ○ Report to the customer-centre line",
        "      head within 3 minutes — still open at",
        "      the end",
        "    ✓! 3分鐘內報告客戶中心職能線負責人及信息",  # 43 cells: a CJK character is two
        "       中心，並持續報告新的情況 — 逾時完成",
        "  • short",
    ]


def test_lines_that_fit_are_untouched_and_str_is_the_text_as_given() -> None:
    hanging = Hanging(SUMMARY)
    assert hanging._wrapped(200).plain == SUMMARY
    assert str(hanging) == SUMMARY


async def test_on_screen_the_height_counts_the_wrapped_lines_and_markup_stays_text() -> None:
    text = "  • [bold]not bold[/bold] " + "word " * 30 + "\x1b[31m"

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(Hanging(text), id="list")

    app = One()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        rows = ["".join(s.text for s in strip).rstrip() for strip in app.screen._compositor.render_strips()]
        shown = [row for row in rows if row]
        assert shown[0].startswith("  • [bold]not bold[/bold] word")
        assert all(row.startswith("    ") for row in shown[1:])  # hanging, none back at the margin
        assert shown[-1].endswith("\\x1b[31m")  # the escape made visible, never sent
        assert app.screen.query_one("#list").size.height == len(shown)
