"""Contacts (F3) and supplies (F4) open over the run, filter as the operator
types, and Esc returns to the very step the run was on."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable
from tui_helpers import TO_CALL_IT, fast_forward, start, text_of, types

from ehplan.tui.screens.about import AboutScreen, about_lines
from ehplan.tui.screens.directory import ContactsScreen, SuppliesScreen
from ehplan.tui.screens.run import RunScreen


def rows(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.parametrize(("key", "screen", "query", "must_show"), [
    ("f3", ContactsScreen, "110", "公安局"),
    ("f4", SuppliesScreen, "紗布", "醫用紗布塊"),
])
async def test_directory_opens_filters_and_returns_to_the_same_step(tmp_path, make_app, key, screen, query,
                                                                   must_show):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_CALL_IT)
        logged = types(app)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, screen)
        everything = len(rows(app))
        await pilot.press(*query)
        await pilot.pause()
        found = rows(app)
        assert 0 < len(found) < everything
        assert all(query in " ".join(row) for row in found)
        assert any(must_show in " ".join(row) for row in found)
        await pilot.press(key)  # pressing it again does not stack a second copy
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert app.session.state.step == "call_it"
        assert text_of(app, "#step-title") == "通知信息中心"
        assert types(app) == logged  # looking things up writes nothing


@pytest.mark.parametrize(("key", "screen"), [("f3", ContactsScreen), ("f1", AboutScreen)])
async def test_lookups_open_from_the_picker_too(tmp_path, make_app, key, screen):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, screen)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "PickerScreen"


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans", "en"])
async def test_the_contact_search_finds_english_and_chinese_names_in_every_language(tmp_path, make_app, lang):
    app = make_app(tmp_path, lang=lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        for query, shown in (("police", {"zh-Hant": "公安局", "zh-Hans": "公安局", "en": "Police"}[lang]),
                             ("公安", {"zh-Hant": "公安局", "zh-Hans": "公安局", "en": "Police"}[lang])):
            app.screen.query_one("#table-filter").value = query
            await pilot.pause()
            found = rows(app)
            assert any(shown in row[1] for row in found), (query, found)


def test_about_names_the_plan_its_provisions_and_the_set_hash():
    """S1 and S10 as the library's metadata: the plan's title, purpose, its two
    provisions, and the hash of the playbook set in use (F1)."""
    from ehplan import resources
    from ehplan.library import load_library

    library = load_library([resources.playbooks_dir()], resources.data_dir())
    shown = "\n".join(about_lines(library, "zh-Hant"))
    assert shown.startswith("客戶服務部突發事件應急處理預案")
    assert "本預案自頒發之日起生效" in shown and "本預案由客戶服務部負責解釋" in shown
    assert library.set_hash() in shown


def test_contacts_show_s82s_columns():
    """S8.2's 公用 heading and its 聯系人 / 備注 columns."""
    from ehplan import resources
    from ehplan.library import load_library

    library = load_library([], resources.data_dir())
    screen = ContactsScreen(library, "zh-Hant")
    assert screen.headings()[2:] == ["聯系人", "聯系電話", "備注"]
    assert screen.rows()[0][1:3] == ["公用", "公安局"]  # after the row's key
