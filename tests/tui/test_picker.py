"""The picker: typing filters the shipped playbooks in either language,
Enter starts the highlighted one, F5 starts the gas-accident procedure."""

from __future__ import annotations

from textual.widgets import Input, OptionList
from tui_helpers import text_of, types

from ehplan.tui.safe import tr
from ehplan.tui.screens.picker import PickerScreen
from ehplan.tui.screens.run import RunScreen


def listed(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Ids of the playbooks the picker lists (category headings have none)."""
    options = app.screen.query_one("#playbooks", OptionList)
    return [option.id for option in options.options if option.id]


FILTERS = [
    ("停電", {"hall_power_cut", "electrical_failure"}, {"hotline_system_failure", "gas_accident_report"}),
    ("power", {"hall_power_cut", "electrical_failure"}, {"hotline_system_failure", "gas_accident_report"}),
    ("煤氣", {"gas_accident_report"}, {"hall_power_cut", "hotline_system_failure"}),
    ("燃氣", {"gas_accident_report"}, {"hall_power_cut", "hotline_system_failure"}),
    ("hotline", {"hotline_system_failure", "gas_accident_report"}, {"hall_power_cut", "fire_alarm"}),
    ("熱線", {"hotline_system_failure", "gas_accident_report"}, {"hall_power_cut", "fire_alarm"}),
]
"""(typed, must be listed, must not be listed): Chinese, English and the
mainland word 煤氣 for the plan's 燃氣 all find the gas procedure."""


async def test_typing_filters_to_the_right_playbooks(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        everything = set(listed(app))
        for query, expected, not_expected in FILTERS:
            assert expected | not_expected <= everything
            app.screen.query_one("#filter", Input).value = ""
            await pilot.press(*query)
            await pilot.pause()
            assert app.screen.query_one("#filter", Input).value == query
            shown = set(listed(app))
            assert expected <= shown, query
            assert not shown & not_expected, query
            # The first match is highlighted and its definition is on the right.
            options = app.screen.query_one("#playbooks", OptionList)
            highlighted = options.get_option_at_index(options.highlighted).id
            assert highlighted in shown
            title = tr(shipped_library.playbook(highlighted).title, "zh-Hant")
            assert text_of(app, "#definition").startswith(title)


async def test_nothing_matches_says_so_and_enter_does_nothing(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*"zzzz", "enter")
        await pilot.pause()
        assert listed(app) == []
        options = app.screen.query_one("#playbooks", OptionList)
        assert "沒有符合的預案" in str(options.get_option_at_index(0).prompt)
        assert isinstance(app.screen, PickerScreen)
        assert app.session is None
        assert not list(tmp_path.glob("logs/*.jsonl"))


async def test_enter_starts_the_highlighted_playbook(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*"熱線系統", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert app.session.state.playbook == "hotline_system_failure"
        logged = types(app)
        assert logged[0] == "run_started"
        assert "step_entered" in logged
        entry = shipped_library.playbook("hotline_system_failure").entry
        assert app.session.state.step == entry
        step = shipped_library.playbook("hotline_system_failure").step(entry)
        assert text_of(app, "#step-title") == tr(step.title, "zh-Hant")


async def test_arrow_keys_move_past_headings_before_enter(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*"停電")
        await pilot.pause()
        first, second = listed(app)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert app.session.state.playbook == second


async def test_f5_starts_the_gas_accident_procedure_directly(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert app.session.state.playbook == "gas_accident_report"
        assert types(app)[0] == "run_started"
        assert types(app)[-1] == "step_entered"


def highlighted(app) -> str | None:  # type: ignore[no-untyped-def]
    options = app.screen.query_one("#playbooks", OptionList)
    return None if options.highlighted is None else options.get_option_at_index(options.highlighted).id


async def test_a_prefix_of_the_titles_words_ranks_first(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for query, first in (("Customer fa", "customer_fall_illness"), ("熱線", "hotline_system_failure"),
                             ("hotline sys", "hotline_system_failure"), ("客戶摔", "customer_fall_illness")):
            app.screen.query_one("#filter", Input).value = query
            await pilot.pause()
            assert listed(app)[0] == first and highlighted(app) == first, (query, listed(app))


async def test_one_click_highlights_and_a_double_click_starts(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#playbooks", OptionList)
        target = listed(app)[2]
        row = next(i for i, option in enumerate(options.options) if option.id == target)
        await pilot.click("#playbooks", offset=(4, row + 1 - options.scroll_offset.y))
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen) and app.session is None  # a stray click starts nothing
        assert highlighted(app) == target
        await pilot.click("#playbooks", offset=(4, row + 1 - options.scroll_offset.y), times=2)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RunScreen) and app.session.state.playbook == target


async def test_f9_never_leaves_the_list_blank(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        count = len(listed(app))
        for presses in (1, 2, 3, 1, 1):
            await pilot.press(*["f9"] * presses)  # quickly, as a finger does
            await pilot.pause()
            assert len(listed(app)) == count, app.lang
            assert highlighted(app) is not None
        app.screen.query_one("#filter", Input).value = "power"
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert set(listed(app)) == {"hall_power_cut", "electrical_failure"} and app.lang == "zh-Hant"


async def test_the_picker_under_a_run_does_not_blink_its_cursor(tmp_path, make_app):
    import asyncio

    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        picker = app.screen
        search = picker.query_one("#filter", Input)
        blink = search._blink_timer
        assert search.has_focus and blink is not None and blink._active.is_set()  # the picker's own cursor blinks
        app.start_run("example")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        for _ in range(60):  # a blink or two (0.5 s each): the picker below is not seen, and its timer stops
            if not blink._active.is_set():
                break
            await asyncio.sleep(0.05)
        assert not blink._active.is_set() and search._cursor_visible
