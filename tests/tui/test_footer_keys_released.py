"""The footer recomposes whenever the screen's keys change (every step), and the
keys it drops must be released: Textual's Footer keeps a watcher entry per key
on itself (Textualize/textual #6666) unless WholeFooter forgets it."""

from __future__ import annotations

import gc

from textual.widgets._footer import FooterKey
from tui_helpers import start

from ehplan.engine import commands as cmd


def live_footer_keys() -> int:
    gc.collect()
    return sum(isinstance(o, FooterKey) for o in gc.get_objects())


async def test_old_footer_keys_do_not_pile_up(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await pilot.pause()
        settled = live_footer_keys()
        for _ in range(15):  # back and forth between steps whose keys differ: a recompose each time
            await app.current.execute(cmd.AddNote("x"))
            await pilot.press("f9")
            await pilot.pause()
        assert live_footer_keys() <= settled + 15  # one footer's worth at most, not fifteen


async def test_the_footer_is_built_again_only_when_its_keys_change(tmp_path, make_app):
    from ehplan.tui.widgets.footer import WholeFooter

    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await pilot.pause()
        footer = app.screen.query_one(WholeFooter)
        keys = list(footer.query(FooterKey))
        assert keys
        footer.bindings_changed(app.screen)  # what the screen signals on a focus change or a refresh
        app.screen.refresh_bindings()
        await pilot.pause()
        assert list(footer.query(FooterKey)) == keys  # the same widgets: nothing was built again
        await pilot.press("f9")  # another language: every label changes
        await pilot.pause()
        relabelled = list(footer.query(FooterKey))
        assert relabelled and not set(map(id, relabelled)) & set(map(id, keys))
