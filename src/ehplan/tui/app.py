"""The Textual app: holds the set of runs and routes screens. Thin on purpose:
drawing lives in screens/, state in the engine, durability in the session.

Several runs can be open at once (a hotline outage, then a gas-leak call): each
is a `LiveRun` with its own log, lock and timers. The app ticks them all every
second, whichever is on screen; the run screen shows one and a strip shows the
others' nearest deadlines. F5–F8 start an emergency run from any screen, F12
goes to another open run, Ctrl+N back to the picker for a new incident."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.reactive import reactive
from textual.screen import Screen

from ehplan.catalog import Entry, entries_of
from ehplan.engine.clock import Clock, SystemClock
from ehplan.resources import new_run_id
from ehplan.text import LANGS, Lang
from ehplan.tui.keys import KeySpec, apply_keys
from ehplan.tui.safe import tr
from ehplan.tui.screens.picker import PickerScreen
from ehplan.tui.strings import t
from ehplan.tui.widgets.notices import SEVERITY, Kind, Notices

if TYPE_CHECKING:  # the first paint needs none of these: they load with the library
    from ehplan.audit import AuditRecord
    from ehplan.drill import Scenario
    from ehplan.hub.ship import Shipper, ShipperProcess
    from ehplan.library import Library
    from ehplan.open_runs import OpenRunsSearch
    from ehplan.session import Session
    from ehplan.tui.controller import LiveRun, RunController
    from ehplan.tui.screens.resume import OpenRun
    from ehplan.tui.screens.run import RunScreen


LOW_SPACE_CHECK_EVERY = 30
"""Seconds between checks of a run's log disk for free space."""
IDLE_COLLECT_AFTER_S = 2.0
"""Seconds without a key press after which a deferred full garbage collection may run."""
SWITCH_TARGET_S = 60.0
"""For this long after a hidden run rang, F12 goes to it."""


class EhplanApp(App[None]):
    """Walks an operator through a playbook; every action is logged first."""

    CSS_PATH = "app.tcss"
    TITLE = "ehplan"
    ENABLE_COMMAND_PALETTE = True
    KEYS = [
        KeySpec("f3", "contacts", "contacts"),
        KeySpec("f4", "supplies", "supplies"),
        KeySpec("f9", "switch_language", "language"),
        KeySpec("f12", "switch_run", "k_switch_run", priority=True),
        KeySpec("ctrl+n", "new_incident", "k_new_incident", priority=True),
        KeySpec("f1", "about", "about", show=False),
        KeySpec("ctrl+q", "quit", "quit", priority=True),
    ]

    tick_every_s: float | None = 1.0
    """How often every run is ticked; None for none but the explicit `tick_runs`
    (tests on a fake clock, which only moves when they move it)."""

    lang: reactive[Lang] = reactive("zh-Hant", init=False)
    """The language everything is shown in; F9 cycles zh-Hant → zh-Hans → en."""

    def __init__(self, library: Library | None = None, *, log_dir: Path, operator: str | None,
                 lang: Lang = "zh-Hant", clock: Clock | None = None, mode: str = "live",
                 remember_operator: object = None, resume_offer: bool = True,
                 catalog: list[Entry] | None = None, load_library: Callable[[], Library] | None = None,
                 scenario: Scenario | None = None, key: bytes | None = None,
                 open_runs_search: OpenRunsSearch | None = None) -> None:
        """Give either a validated ``library``, or a ``catalog`` to paint the picker
        at once and ``load_library`` to validate the files right after. With a
        ``key``, run logs are HMAC-chained with it. An ``open_runs_search``
        (``ehplan.open_runs``) is begun after the first frame and gives the
        first resume offer."""
        super().__init__()
        if library is not None:
            catalog = catalog if catalog is not None else entries_of(library)
        elif catalog is None or load_library is None:
            raise ValueError("give a library, or a catalog and a way to load the library")
        self._library = library
        self.catalog: list[Entry] = catalog
        self._load_library = load_library
        self._library_ready = asyncio.Event()
        self.load_problems: list[str] = []
        self.log_dir = log_dir
        self.operator = operator
        self.clock: Clock = clock or SystemClock()
        self.mode = mode
        self.runs: list[LiveRun] = []
        """The open runs (and ended ones whose summary is still on screen), in the order they started."""
        self.current: RunController | None = None
        """The run on screen, or the last one shown."""
        self._remember_operator = remember_operator
        self._resume_offer = resume_offer
        self._ticks = 0
        self._tick_lock = asyncio.Lock()
        self._switch_target: tuple[str, float] | None = None
        """A hidden run that just rang (its id, when): where F12 goes for a while."""
        self.scenario = scenario
        """A drill's scenario: briefed, run on its playbook with injects, scored."""
        self.key = key
        """The HMAC key run logs are written with, or None for plain SHA-256 chains."""
        self._open_runs_search = open_runs_search
        self.set_reactive(EhplanApp.lang, lang)
        self._bind_keys(lang)

    def _bind_keys(self, lang: Lang) -> None:
        from ehplan.tui.keys import bind_emergency_keys

        apply_keys(self, self.KEYS, lang)
        if self.scenario is None:  # a drill runs its scenario's playbook only
            # F5–F8 on every screen (hidden here: the screens that promise them show them)
            bind_emergency_keys(self, self.catalog, lang, "start_emergency", show=False)

    # --- start-up ---------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        """The picker is the bottom of the stack: runs, summaries and dialogs go
        over it (and painting it first, rather than an empty default screen and
        then the picker, makes the first frame come sooner)."""
        return PickerScreen(self.catalog, self.lang)

    def on_mount(self) -> None:
        if self._open_runs_search is not None and self._resume_offer:
            self.call_after_refresh(self._open_runs_search.begin)  # on the other core, beside the library
        if self._library is not None:
            self._library_ready.set()
            self.call_after_refresh(self._after_library)
        else:
            self.call_after_refresh(self._start_loading)
        self.call_after_refresh(self._tune_garbage_collector)
        if self.tick_every_s is not None:
            self.set_interval(self.tick_every_s, self.tick_runs)

    def on_unmount(self) -> None:
        """Close every run's log on the way out (Ctrl+Q): the locks and their pid
        sidecars go, and the runs stay open in their logs, to be resumed."""
        for run in self.runs:
            run.close()
        if self.current is not None:
            self.current.close()
        if self._open_runs_search is not None:
            self._open_runs_search.close()

    @property
    def session(self) -> Session | None:
        """The durable session of the run on screen (None for a replay)."""
        from ehplan.tui.controller import LiveRun

        return self.current.session if isinstance(self.current, LiveRun) else None

    shipper: Shipper | ShipperProcess | None = None
    """Ships the log directory to the department's hub (ehplan.hub), when the settings name one."""

    def hub_text(self) -> str:
        """The hub's state for the run header (" │ hub ✓ synced"), or "" without a hub."""
        zone = self._library.calendar.zone if self._library is not None and self._library.calendar else None
        return f" │ {self.shipper.status().text(zone)}" if self.shipper is not None else ""

    @property
    def library(self) -> Library:
        """The validated playbooks and site data (only once loaded)."""
        assert self._library is not None, "the library is not loaded yet"
        return self._library

    def _start_loading(self) -> None:
        self.run_worker(self._load_in_thread(), exclusive=True, group="library")

    async def _load_in_thread(self) -> None:
        from ehplan.yamlpos import LoadError

        assert self._load_library is not None
        try:
            library = await asyncio.to_thread(self._load_library)
        except LoadError as exc:
            # Nothing starts on bad data: leave with every problem, one line each.
            self.load_problems = [str(problem) for problem in exc.problems]
            self.exit(return_code=2)
            return
        self._library = library
        self._library_ready.set()
        fresh = entries_of(library)
        if fresh != self.catalog:  # the cache was stale: show what was validated
            self.catalog = fresh
            if isinstance(self.screen, PickerScreen):
                self.screen.show_catalog(fresh)
        self._after_library()

    async def library_loaded(self) -> Library:
        """Wait (briefly, right after start) until the library is validated."""
        await self._library_ready.wait()
        return self.library

    def _after_library(self) -> None:
        if self.scenario is not None:
            self.run_worker(self._brief())  # it asks for the name first, if need be
            return
        self.run_worker(self._ask_then_offer())

    async def _ask_then_offer(self) -> None:
        """The name first (if not known), then the runs to resume; an emergency
        key on either starts its run at once and keeps the offer for later."""
        if self.operator is None:
            await self._ask_operator()
        if self._emergency_started:
            self._offer_later = True
        else:
            self._offer_resume()

    _emergency_started = False
    _offer_later = False

    def _offer_resume(self) -> None:
        if self._resume_offer:
            self.run_worker(self._find_and_offer(), group="resume-offer", exclusive=True)

    async def _find_and_offer(self) -> None:
        """Unfinished runs are found off the UI thread (the picker answers keys
        meanwhile), then offered, all of them together."""
        from ehplan.tui.screens.resume import ResumeScreen

        found = await asyncio.to_thread(self._open_runs)
        if found:
            self.push_screen(ResumeScreen(found, self.lang, self.catalog), self._resume_chosen)

    async def action_start_emergency(self, playbook_id: str) -> None:
        """F5–F8, on any screen: start that emergency run now. On the name dialog
        it takes the name typed so far (or none); the resume offer comes back
        after it; any other dialog is left as if cancelled; open runs go on."""
        from textual.screen import ModalScreen

        from ehplan.tui.screens.dialogs import TextDialog
        from ehplan.tui.screens.resume import ResumeScreen

        self._emergency_started = True
        screen = self.screen
        if isinstance(screen, ResumeScreen):
            self._offer_later = True
            screen.dismiss(None)
        elif isinstance(screen, TextDialog) and self.operator is None:
            name = screen.typed.strip()
            self.operator = name or t("unnamed", self.lang)
            self._operator_unnamed = not name
            screen.dismiss(self.operator)
        else:
            while isinstance(self.screen, ModalScreen):
                await self.screen.dismiss(None)
        self.start_run(playbook_id)

    _operator_unnamed = False

    # --- latency ------------------------------------------------------------------------
    # A full (generation 2) collection of Textual's object graph takes ~130 ms: the
    # one key press it lands on misses the 50 ms frame budget. Everything alive after
    # start-up is frozen out of collection, full collections are made rare, and one
    # is run when the operator has not pressed a key for a while.

    _last_key = 0.0
    _collected_idle = True

    def _tune_garbage_collector(self) -> None:
        gc.collect()
        gc.freeze()
        gc.set_threshold(700, 10, 1000)
        gc.enable()  # the entry point turns it off until the first frame

    def on_key(self) -> None:
        self._last_key = time.monotonic()
        self._collected_idle = False

    def idle_for(self) -> float:
        """Seconds since the last key press."""
        return time.monotonic() - self._last_key

    def collect_garbage_when_idle(self) -> None:
        """One full collection per idle period."""
        if not self._collected_idle:
            self._collected_idle = True
            gc.collect()

    async def _ask_operator(self) -> None:
        from ehplan.tui.keys import bind_emergency_keys
        from ehplan.tui.screens.dialogs import TextDialog

        lang = self.lang
        while not self.operator:
            dialog = TextDialog(t("operator", lang), t("operator_prompt", lang), lang=lang,
                                empty=t("operator_empty", lang), cancel=False)
            bind_emergency_keys(dialog, self.catalog, lang, "app.start_emergency")
            name = await self.push_screen_wait(dialog)
            self.operator = self.operator or (name or "").strip() or None
        if callable(self._remember_operator) and not self._operator_unnamed:
            self._remember_operator(self.operator)

    async def _brief(self) -> None:
        """Show the drill's briefing; Enter starts its run, Esc leaves."""
        from ehplan.tui.screens.dialogs import BriefingDialog

        await self._ask_operator()
        scenario, lang = self.scenario, self.lang
        assert scenario is not None
        if self._resume_offer:  # this scenario's unfinished drills first (ehplan.tui.drill_control)
            from ehplan.tui import drill_control

            if await drill_control.offer_resume(self):
                return
        facts = t("drill_facts", lang).format(playbook=tr(self.library.playbook(scenario.playbook).title, lang),
                                              scale=getattr(self.clock, "scale", 1), injects=len(scenario.injects),
                                              expect=len(scenario.expect))
        from ehplan.drill import start_line  # the simulated date and how the calendar takes it

        facts = "\n".join(filter(None, [start_line(scenario, self.library, lang), facts]))
        if await self.push_screen_wait(BriefingDialog(tr(scenario.title, lang), tr(scenario.briefing, lang),
                                                      facts, lang)):
            self.start_run(scenario.playbook)
        else:
            self.exit()

    def drill_score(self, run: RunController) -> list[str]:
        """The score lines of ``run``, if it is the drill's run."""
        from ehplan.drill import score_lines, score_run

        if run.scenario is None:
            return []
        return score_lines(score_run(list(run.records), run.scenario, self.library, self.lang), self.lang)

    def _open_runs(self) -> list[OpenRun]:
        """The unfinished runs in the log directory that this app does not hold."""
        from ehplan.audit import find_open_runs, read_log
        from ehplan.engine.fold import fold
        from ehplan.report.summary import local_time, plan_calendar
        from ehplan.resources import closed_memo
        from ehplan.tui.screens.resume import OpenRun

        at, offset = local_time(self.library), plan_calendar(self.library).utc_offset
        held = {run.path for run in self.runs}
        search, self._open_runs_search = self._open_runs_search, None  # the first offer's, begun at start
        found = []
        for path in search.take() if search is not None else find_open_runs(self.log_dir, closed_memo(self.log_dir)):
            if path in held:
                continue
            try:
                records, _ = read_log(path)
                state = fold(records)
                if state.mode != self.mode:
                    continue  # a drill is never resumed as a live run, nor a live run as a drill
                playbook = self.library.playbook(state.playbook)
                step = playbook.step(state.step)
            except Exception:  # noqa: BLE001 - a log we cannot read is simply not offered
                continue
            started = f"{at(state.path[0].ts)} ({t('local_time', self.lang).format(offset=offset)})"
            found.append(OpenRun(path, tr(playbook.title, self.lang), started,
                                 f"{tr(step.title, self.lang)} ({step.source})", state.operator))
        return found

    def _resume_chosen(self, paths: list[Path] | None) -> None:
        """Resume the runs chosen on the offer (one, or all); the most urgent shows."""
        from ehplan.audit import AuditWriteError, LogLockedError, TamperedLogError
        from ehplan.engine.fold import FoldError
        from ehplan.session import Session
        from ehplan.tui.controller import LiveRun

        resumed = []
        for path in paths or []:
            try:
                session = Session.resume(self.library, path, self.clock, key=self.key)
            except (LogLockedError, TamperedLogError, AuditWriteError, FoldError) as exc:
                self.tell(str(exc), "error", timeout=20)
                continue
            self.clock = session.clock  # a drill's own, faster clock
            self.operator = self.operator or session.state.operator
            run = LiveRun(session, self.scenario)
            self.runs.append(run)
            resumed.append(run)
        if resumed:
            self.show_run(self._most_urgent(resumed))

    # --- runs ---------------------------------------------------------------------

    def open_runs(self) -> list[LiveRun]:
        """The runs still taking actions."""
        return [run for run in self.runs if run.open]

    def _most_urgent(self, runs: list[LiveRun]) -> LiveRun:
        from ehplan.tui.widgets.runs_strip import by_urgency, strip_row

        rows = by_urgency([strip_row(run, self.library, self.lang) for run in runs])
        return next(run for run in runs if run.run_id == rows[0].run_id)

    def start_run(self, playbook_id: str) -> None:
        """Create the run's log and show its first step (once the files are validated)."""
        self.run_worker(self._start_run(playbook_id), group="start", exclusive=True)

    async def _start_run(self, playbook_id: str) -> None:
        await self.library_loaded()
        from ehplan.audit import AuditWriteError
        from ehplan.engine import commands as cmd
        from ehplan.paper.onpaper import on_paper
        from ehplan.session import Session
        from ehplan.tui.controller import LiveRun
        from ehplan.tui.screens.dialogs import TextDialog
        from ehplan.tui.screens.resume import PaperScreen

        if not self.operator:  # the name prompt is up (or comes now); start again after it
            if not isinstance(self.screen, TextDialog):
                self.run_worker(self._ask_operator())
            return
        scenario = self.scenario.id if self.scenario is not None and playbook_id == self.scenario.playbook else None
        start = cmd.StartRun(playbook_id, new_run_id(self.clock), self.operator, self.mode, self.lang,
                             getattr(self.clock, "scale", 1), scenario)
        try:
            session = Session.start(self.library, self.log_dir, start, self.clock, key=self.key)
        except AuditWriteError as exc:
            self._show_over_picker(PaperScreen(str(exc), self.lang,
                                               on_paper(self.library, playbook_id, None, self.lang)))
            return
        run = LiveRun(session, self.scenario)
        self.runs.append(run)
        self.show_run(run)

    def show_run(self, run: RunController) -> None:
        """Put ``run`` on screen, over the picker (dialogs of the run before it go)."""
        from ehplan.tui.screens.run import RunScreen

        self.current = run
        self._show_over_picker(RunScreen(run, self.library))
        if run.scenario is not None:  # the trainer's console can reach the drill from now on
            from ehplan.tui import drill_control

            drill_control.director(self)
        self.call_after_refresh(self.refresh_strips)  # once the screen is up

    def _show_over_picker(self, screen: Screen[None]) -> None:
        self._pop_to_picker()
        self.push_screen(screen)

    def _pop_to_picker(self) -> None:
        """Every screen over the picker goes (the picker is the bottom of the stack)."""
        for _ in self.screen_stack[1:]:
            self.pop_screen()

    def on_picker_screen_start(self, message: PickerScreen.Start) -> None:
        self.start_run(message.playbook_id)

    def on_run_screen_ended(self, message: RunScreen.Ended) -> None:
        self.show_summary(message.run)

    def on_run_screen_failed(self, message: RunScreen.Failed) -> None:
        """A run's log refused a write: that run stops (the others go on), and
        the red screen says which card and form continue it, from where."""
        from ehplan.paper.onpaper import on_paper
        from ehplan.tui.screens.resume import PaperScreen

        state = message.run.state
        where = on_paper(self.library, state.playbook, state.step, self.lang, records=list(message.run.records),
                         log=message.run.path)
        self.push_screen(PaperScreen(message.reason, self.lang, where))

    def tell(self, text: str, kind: Kind = "info", *, title: str | None = None,
             timeout: float | None = None) -> None:
        """Tell the operator something: in the screen's own notices where it has
        them (see widgets/notices.py for why), else as a toast."""
        found = self.screen.query(Notices)
        if found:
            found.first().add(kind, text, title=title, timeout=timeout)
        else:
            self.notify(text, title=title or "", severity=SEVERITY[kind], timeout=timeout or 8, markup=False)

    def show_summary(self, run: RunController) -> None:
        """Replace the run screen with the end-of-run summary; the run's log is released."""
        from ehplan.report.summary import summarize
        from ehplan.tui.controller import LiveRun
        from ehplan.tui.screens.summary import SummaryScreen

        summary = summarize(run.state, self.library, self.lang)
        final_hash = run.last_hash if isinstance(run, LiveRun) else ""
        self._show_over_picker(SummaryScreen(summary, self.lang, str(run.path), final_hash,
                                             score=self.drill_score(run)))
        if run.scenario is not None:
            from ehplan.tui import drill_control

            drill_control.closed(self)  # no more console actions
        run.close()
        self.runs = [other for other in self.runs if other is not run]
        self.refresh_strips()

    def action_new_run(self) -> None:
        """After a run's summary: on to the most urgent run still open, else to
        the picker, cleared for the next incident."""
        self.current = None
        still_open = self.open_runs()
        if still_open:
            self.show_run(self._most_urgent(still_open))
            return
        self._to_picker()
        if self._offer_later:  # an emergency key went past the offer: make it now
            self._offer_later = False
            self._offer_resume()

    def _to_picker(self) -> None:
        picker = self.screen_stack[0]
        self._pop_to_picker()
        if isinstance(picker, PickerScreen):
            picker.reset(self.catalog, self.lang)
        self.call_after_refresh(self.refresh_strips)

    def action_new_incident(self) -> None:
        """Ctrl+N: to the picker for another incident; the open runs go on."""
        if self._can_pick_another():
            self._to_picker()

    def _can_pick_another(self) -> bool:
        """On a live run's screen (not a replay, not under a dialog)."""
        from ehplan.tui.screens.run import RunScreen

        return isinstance(self.screen, RunScreen) and self.current is not None and self.current.can_act

    def action_switch_run(self) -> None:
        """F12: to the run that just rang, else to the next open run in the order they started."""
        target = self._f12_target()
        if target is not None:
            self._switch_target = None
            self.show_run(target)

    def _f12_target(self) -> LiveRun | None:
        if not self._on_run_screen():  # the picker or a summary: back to the run left last
            back = [run for run in self.open_runs() if run is self.current] or self.open_runs()
            return back[0] if back else None
        others = [run for run in self.open_runs() if run is not self.current]
        if not others:
            return None
        if self._switch_target is not None:
            run_id, when = self._switch_target
            rang = next((run for run in others if run.run_id == run_id), None)
            if rang is not None and time.monotonic() - when < SWITCH_TARGET_S:
                return rang
        order = self.open_runs()
        if self.current in order:
            at = order.index(self.current)
            return next(run for run in order[at + 1:] + order[:at] if run is not self.current)
        return others[0]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F12 and Ctrl+N are offered only when they would do something."""
        if action == "switch_run":
            return self._f12_target() is not None
        if action == "new_incident":
            return self._can_pick_another()
        return True

    # --- the clock ----------------------------------------------------------------

    async def tick_runs(self) -> None:
        """Every second: every open run logs what came due, on screen or not; the
        run screen redraws its clock, a hidden run's warnings and expiries ring
        and say how to get to it, and the strips of other runs are redrawn."""
        from ehplan.audit import AuditWriteError
        from ehplan.engine.messages import Refused
        from ehplan.tui.screens.resume import PaperScreen
        from ehplan.tui.screens.run import RunScreen

        async with self._tick_lock:  # one tick at a time; a second caller ticks after it
            self._ticks += 1
            shown = next((s for s in reversed(self.screen_stack) if isinstance(s, RunScreen)), None)
            on_screen: list[AuditRecord] = []
            for run in list(self.runs):
                try:
                    records = await run.tick()
                except AuditWriteError as exc:
                    self.push_screen(PaperScreen(str(exc), self.lang))
                    continue
                except Refused:
                    continue
                if shown is not None and run is shown.run:
                    on_screen = records
                else:
                    self._announce_hidden(run, records)
                if self._ticks % LOW_SPACE_CHECK_EVERY == 1 and not run.warned_low_space and await run.low_space():
                    run.warned_low_space = True
                    self.tell(t("low_space", self.lang), "error", timeout=30)
            if self.scenario is not None:  # the trainer's console and the injects due
                from ehplan.tui import drill_control

                await drill_control.tick(self)
            if shown is not None:
                await shown.clock_moved(on_screen)
            self.refresh_strips()
            if self.idle_for() > IDLE_COLLECT_AFTER_S:
                self.collect_garbage_when_idle()

    def _announce_hidden(self, run: LiveRun, records: list[AuditRecord]) -> None:
        """A run not on screen rang: bell, a notice naming it, and F12 goes to it."""
        from ehplan.tui.controller import alarm_of, run_title

        lang = self.lang
        for record in records:
            alarm = alarm_of(record, run.state, self.library, lang)
            if alarm is None:
                continue
            if alarm.rings:
                self.bell()
            self._switch_target = (run.run_id, time.monotonic())
            name = run_title(run.state, self.library, lang)
            self.tell(t("hidden_run_alarm", lang).format(run=name, what=alarm.text), alarm.kind, title=alarm.title,
                      timeout=alarm.timeout)

    def refresh_strips(self) -> None:
        """Redraw the other-runs strip of the screen on top, if it has one."""
        from textual.css.query import NoMatches

        from ehplan.tui.widgets.runs_strip import STRIP_ID, RunsStrip, by_urgency, strip_row

        try:  # a child of the screen, found by id: this runs every second, a query walks the whole screen
            strip = self.screen.get_child_by_id(STRIP_ID, RunsStrip)
        except NoMatches:
            return
        if self._library is None:
            return
        target = self._f12_target()
        rows = by_urgency([strip_row(run, self.library, self.lang) for run in self.open_runs()
                           if run is not self.current or not self._on_run_screen()])
        strip.show(rows, target.run_id if target is not None else None, self.lang)
        if (target is not None) != self._could_switch:  # F12 comes into the footer or leaves it
            self._could_switch = target is not None
            self.screen.refresh_bindings()

    _could_switch = False

    def _on_run_screen(self) -> bool:
        from ehplan.tui.screens.run import RunScreen

        return any(isinstance(s, RunScreen) for s in self.screen_stack)

    # --- anywhere -------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette offers what fits the screen (run actions on a
        run), then Textual's own commands."""
        from ehplan.tui.screens.run import RunScreen
        from ehplan.tui.widgets.step_view import numbered_targets

        lang = self.lang
        yield SystemCommand(t("contacts", lang), "F3", self.action_contacts)
        yield SystemCommand(t("supplies", lang), "F4", self.action_supplies)
        yield SystemCommand(t("language", lang), "F9 繁 → 简 → EN", self.action_switch_language)
        yield SystemCommand(t("about", lang), "F1", self.action_about)
        from ehplan.tui.controller import run_title

        for run in self.open_runs():
            if run is not self.current:
                yield SystemCommand(f"⇄ {t('switch_to', lang)}: {run_title(run.state, self.library, lang)} · "
                                    f"{run.run_id}", "F12",
                                    partial(self.show_run, run))
        if isinstance(screen, RunScreen) and screen.can_log_call():
            yield SystemCommand(t("note", lang), "F2", screen.action_note)
            yield SystemCommand(t("override", lang), "Ctrl+O", screen.action_override)
            yield SystemCommand(t("end_run", lang), "F10", screen.action_end)
            for field, value in screen.recorded_fields():
                yield SystemCommand(f"✎ {t('correct', lang)}: {tr(field.label, lang)} = {value}", t("correct", lang),
                                    partial(screen.correct, field))
            step = screen.current_step()
            for number, (kind, target) in enumerate(numbered_targets(step), 1):
                if kind == "contact":
                    name = tr(self.library.contact(target).name, lang)
                    yield SystemCommand(f"☎ {name}", t("log_call", lang),
                                        partial(self._pick_later, screen, number))
        yield SystemCommand(t("quit", lang), "Ctrl+Q", self.action_quit)
        # Textual's own (theme, keys, maximize, screenshot) stay, after ehplan's; its Quit is ours above.
        yield from (command for command in super().get_system_commands(screen) if command.title != "Quit")

    def _pick_later(self, screen: RunScreen, number: int) -> None:
        screen.run_worker(screen.action_pick(number))

    async def action_contacts(self) -> None:
        """Open the contact directory over the current screen."""
        from ehplan.tui.screens.directory import ContactsScreen

        if not isinstance(self.screen, ContactsScreen):
            self.push_screen(ContactsScreen(await self.library_loaded(), self.lang))

    async def action_about(self) -> None:
        """Show which plan the library runs (S1, S10) and the playbook set's hash."""
        from ehplan.tui.screens.about import AboutScreen

        if not isinstance(self.screen, AboutScreen):
            self.push_screen(AboutScreen(await self.library_loaded(), self.lang))

    async def action_supplies(self) -> None:
        """Open the supplies inventory over the current screen."""
        from ehplan.tui.screens.directory import SuppliesScreen

        if not isinstance(self.screen, SuppliesScreen):
            self.push_screen(SuppliesScreen(await self.library_loaded(), self.lang))

    def action_switch_language(self) -> None:
        """Cycle zh-Hant → zh-Hans → en."""
        self.lang = LANGS[(LANGS.index(self.lang) + 1) % len(LANGS)]

    def watch_lang(self, lang: Lang) -> None:
        from ehplan.tui.screens.run import RunScreen

        self._bind_keys(lang)
        screen = self.screen
        if isinstance(screen, RunScreen):
            screen.render_state()
        elif isinstance(screen, PickerScreen):
            screen.set_language(lang)
        elif hasattr(screen, "lang"):
            screen.lang = lang
            screen.refresh(recompose=True)
        self.refresh_strips()
