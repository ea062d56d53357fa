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
