"""`ehplan replay LOG`: the run played back on the screens the operator saw.

The run screen is drawn from the log's fold at the replay's clock; nothing can
be done to the run (the log is only read). Space plays or pauses, ← and → step
a moment, + and - change the speed, Home and End jump to the start or end. The
bar above the footer says where the replay is and what happened last.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from ehplan.engine.events import EventRecord
from ehplan.engine.replay import Replay
from ehplan.library import Library
from ehplan.report.afteraction import timeline_text
from ehplan.text import Lang, parse_lang
from ehplan.tui.app import EhplanApp
from ehplan.tui.controller import ReplayRun
from ehplan.tui.keys import KeySpec
from ehplan.tui.safe import plain
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.strings import t
from ehplan.tui.widgets.countdown import clock_text

FRAME_S = 0.1
"""How often playback moves the clock (real seconds)."""


class ReplayScreen(RunScreen, inherit_bindings=False):
    """The run screen, read-only, with playback keys and a status bar."""

    BINDINGS = [Binding(key, "read_only", show=False) for key in ("enter", "f2", "ctrl+o", "f10", *"123456789")]
    """The run's own keys only say that a replay cannot be acted on."""
    KEYS = [
        KeySpec("space", "play_pause", "k_play", priority=True),
        KeySpec("left", "step(-1)", "k_back", priority=True),
        KeySpec("right", "step(1)", "k_forward", priority=True),
        KeySpec("minus", "speed(-1)", "k_slower", priority=True),
        KeySpec("plus", "speed(1)", "k_faster", priority=True),
        KeySpec("home", "seek_start", "k_start_of_run", show=False, priority=True),
        KeySpec("end", "seek_end", "k_end_of_run", show=False, priority=True),
    ]

    run: ReplayRun

    def __init__(self, run: ReplayRun, library: Library) -> None:
        super().__init__(run, library)

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Static(id="replay-bar")

    def on_mount(self) -> None:
        super().on_mount()
        self.move_child_bar()
        if self.app.tick_every_s is not None:  # tests move the replay frame by frame
            self.set_interval(FRAME_S, self._frame)
        self._render_bar()

    def move_child_bar(self) -> None:
        """The bar sits just above the footer, under the path line."""
        self.move_child(self.query_one("#replay-bar"), after=self.query_one("#path"))

    @property
    def replay(self) -> Replay:
        return self.run.replay

    # --- drawing --------------------------------------------------------------

    def render_state(self) -> None:
        super().render_state()
        self._render_bar()

    async def _focus_first(self, view: object, mounted: object) -> None:
        self.set_focus(None)  # nothing to type into: the keys drive the playback

    def _render_bar(self) -> None:
        replay, lang = self.replay, self.app.lang
        state = replay.state
        elapsed = (replay.at - state.started_at).total_seconds() if state.started_at else 0
        mode = f"▶ ×{replay.speed}" if replay.playing else f"⏸ ×{replay.speed}"
        where = f"{replay.moment - replay.first + 1}/{replay.last - replay.first + 1}"
        last = timeline_text(replay.last_record, replay.state, self.library, lang) or ""
        text = f" {t('replay', lang)} {mode} │ {clock_text(elapsed)} │ {where} │ {last}"
        bar = self.query_one("#replay-bar", Static)
        bar.update(plain(text))
        bar.set_class(replay.at_end, "-end")

    # --- the clock ------------------------------------------------------------

    def _frame(self) -> None:
        if self.replay.advance(FRAME_S):
            self.render_state()
        elif self.replay.playing:
            self._render_header()
            self._render_timers()
            self._render_bar()

    # --- playback -------------------------------------------------------------

    def action_play_pause(self) -> None:
        self.replay.toggle()
        self.render_state()

    def action_step(self, delta: int) -> None:
        self.replay.step(delta)
        self.render_state()

    def action_speed(self, delta: int) -> None:
        self.replay.faster(delta)
        self._render_bar()

    def action_seek_start(self) -> None:
        self.replay.playing = False
        self.replay.seek(self.replay.first)
        self.render_state()

    def action_seek_end(self) -> None:
        self.replay.playing = False
        self.replay.seek(self.replay.last)
        self.render_state()

    # --- nothing can be done to a replayed run --------------------------------------
    # The run's own keys say so (`read_only`); the palette's run commands and
    # every action check the controller's `can_act` before a dialog opens.

    def action_read_only(self) -> None:
        self.read_only()


class ReplayApp(EhplanApp):
    """Plays a verified log back on the run screen."""

    def __init__(self, library: Library, path: Path, records: Sequence[EventRecord], *, lang: Lang | None = None,
                 speed: int = 8) -> None:
        self.replay = Replay(records)
        self.replay.speed = speed
        state = self.replay.state
        super().__init__(library, log_dir=path.parent, operator=state.operator or "—",
                         lang=lang or parse_lang(state.lang), clock=self.replay, mode=state.mode,
                         resume_offer=False)
        self.current = ReplayRun(path, self.replay, records)

    def get_default_screen(self) -> Screen[None]:
        assert isinstance(self.current, ReplayRun)
        return ReplayScreen(self.current, self.library)
