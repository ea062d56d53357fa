"""The Textual app: owns the session and routes screens. Thin on purpose;
drawing lives in screens/, state in the engine, durability in the session."""

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
    from ehplan.engine import commands as cmd
    from ehplan.hub.ship import Shipper, ShipperProcess
    from ehplan.library import Library
    from ehplan.session import Session
    from ehplan.tui.screens.resume import OpenRun
    from ehplan.tui.screens.run import RunScreen


class EhplanApp(App[None]):
    """Walks an operator through a playbook; every action is logged first."""

    CSS_PATH = "app.tcss"
    TITLE = "ehplan"
    ENABLE_COMMAND_PALETTE = True
    KEYS = [
        KeySpec("f3", "contacts", "contacts"),
        KeySpec("f4", "supplies", "supplies"),
        KeySpec("f9", "switch_language", "language"),
        KeySpec("f1", "about", "about", show=False),
        KeySpec("ctrl+q", "quit", "quit", priority=True),
    ]

    can_act = True
    """Whether the run on screen can be acted on (not when a log is replayed)."""

    lang: reactive[Lang] = reactive("zh-Hant", init=False)
    """The language everything is shown in; F9 cycles zh-Hant → zh-Hans → en."""

    def __init__(self, library: Library | None = None, *, log_dir: Path, operator: str | None,
                 lang: Lang = "zh-Hant", clock: Clock | None = None, mode: str = "live",
                 remember_operator: object = None, resume_offer: bool = True,
                 catalog: list[Entry] | None = None, load_library: Callable[[], Library] | None = None,
                 scenario: Scenario | None = None, key: bytes | None = None) -> None:
        """Give either a validated ``library``, or a ``catalog`` to paint the picker
        at once and ``load_library`` to validate the files right after. With a
        ``key``, run logs are HMAC-chained with it."""
        super().__init__()
        if library is None and (catalog is None or load_library is None):
            raise ValueError("give a library, or a catalog and a way to load the library")
        self._library = library
        self.catalog = catalog if catalog is not None else entries_of(library)  # type: ignore[arg-type]
        self._load_library = load_library
        self._library_ready = asyncio.Event()
        self.load_problems: list[str] = []
        self.log_dir = log_dir
        self.operator = operator
        self.clock: Clock = clock or SystemClock()
        self.mode = mode
        self.session: Session | None = None
        self._remember_operator = remember_operator
        self._resume_offer = resume_offer
        self._lock = asyncio.Lock()
        self.scenario = scenario
        """A drill's scenario: briefed, run on its playbook with injects, scored."""
        self.key = key
        """The HMAC key run logs are written with, or None for plain SHA-256 chains."""
        self.set_reactive(EhplanApp.lang, lang)
        apply_keys(self, self.KEYS, lang)

    # --- start-up ---------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        """The picker is the bottom of the stack: runs, summaries and dialogs go
        over it (and painting it first, rather than an empty default screen and
        then the picker, makes the first frame come sooner)."""
        return PickerScreen(self.catalog, self.lang)

    def on_mount(self) -> None:
        if self._library is not None:
            self._library_ready.set()
            self.call_after_refresh(self._after_library)
        else:
            self.call_after_refresh(self._start_loading)
        self.call_after_refresh(self._tune_garbage_collector)

    def on_unmount(self) -> None:
        """Close the run's log on the way out (Ctrl+Q): the lock and its pid
        sidecar go, and the run stays open in the log, to be resumed."""
        if self.session is not None:
            self.session.close()

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
            runs = self._open_runs()
            if runs:
                from ehplan.tui.screens.resume import ResumeScreen

                self.push_screen(ResumeScreen(runs, self.lang, self.catalog), self._resume_chosen)

    def action_start_emergency(self, playbook_id: str) -> None:
        """F5–F8 on the name dialog or the resume offer: leave it and start the
        emergency run (with the name typed so far, or none); unfinished runs are
        offered again after it."""
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
        facts = t("drill_facts", lang).format(playbook=tr(self.library.playbook(scenario.playbook).title, lang),
                                              scale=getattr(self.clock, "scale", 1), injects=len(scenario.injects),
                                              expect=len(scenario.expect))
        if await self.push_screen_wait(BriefingDialog(tr(scenario.title, lang), tr(scenario.briefing, lang),
                                                      facts, lang)):
            self.start_run(scenario.playbook)
        else:
            self.exit()

    def drill_score(self) -> list[str]:
        """The score lines of the current run, if it is the drill's run."""
        from ehplan.drill import score_lines, score_run

        session, scenario = self.session, self.scenario
        if session is None or scenario is None or session.state.scenario != scenario.id:
            return []
        return score_lines(score_run(session.records, scenario, self.library, self.lang), self.lang)

    def _open_runs(self) -> list[OpenRun]:
        from ehplan.audit import find_open_runs, read_log
        from ehplan.engine.fold import fold
        from ehplan.report.summary import local_time, plan_calendar
        from ehplan.tui.screens.resume import OpenRun

        at, offset = local_time(self.library), plan_calendar(self.library).utc_offset
        found = []
        for path in find_open_runs(self.log_dir)[:9]:
            try:
                records, _ = read_log(path)
                state = fold(records)
                playbook = self.library.playbook(state.playbook)
                step = playbook.step(state.step)
            except Exception:  # noqa: BLE001 - a log we cannot read is simply not offered
                continue
            started = f"{at(state.path[0].ts)} ({t('local_time', self.lang).format(offset=offset)})"
            found.append(OpenRun(path, tr(playbook.title, self.lang), started,
                                 f"{tr(step.title, self.lang)} ({step.source})", state.operator))
        return found

    def _resume_chosen(self, path: Path | None) -> None:
        from ehplan.audit import AuditWriteError, LogLockedError, TamperedLogError
        from ehplan.engine.fold import FoldError
        from ehplan.session import Session
        from ehplan.tui.screens.run import RunScreen

        if path is None:
            return
        try:
            self.session = Session.resume(self.library, path, self.clock, key=self.key)
        except (LogLockedError, TamperedLogError, AuditWriteError, FoldError) as exc:
            self.tell(str(exc), "error", timeout=20)
            return
        self.clock = self.session.clock  # a drill's own, faster clock
        self.operator = self.operator or self.session.state.operator
        self.push_screen(RunScreen())

    # --- runs ---------------------------------------------------------------------

    def start_run(self, playbook_id: str) -> None:
        """Create the run's log and show its first step (once the files are validated)."""
        self.run_worker(self._start_run(playbook_id), group="start", exclusive=True)

    async def _start_run(self, playbook_id: str) -> None:
        await self.library_loaded()
        from ehplan.audit import AuditWriteError
        from ehplan.engine import commands as cmd
        from ehplan.session import Session
        from ehplan.tui.screens.dialogs import TextDialog
        from ehplan.tui.screens.resume import PaperScreen
        from ehplan.tui.screens.run import RunScreen

        if not self.operator:  # the name prompt is up (or comes now); start again after it
            if not isinstance(self.screen, TextDialog):
                self.run_worker(self._ask_operator())
            return
        scenario = self.scenario.id if self.scenario is not None and playbook_id == self.scenario.playbook else None
        start = cmd.StartRun(playbook_id, new_run_id(self.clock), self.operator, self.mode, self.lang,
                             getattr(self.clock, "scale", 1), scenario)
        try:
            self.session = Session.start(self.library, self.log_dir, start, self.clock, key=self.key)
        except AuditWriteError as exc:
            self.push_screen(PaperScreen(str(exc), self.lang))
            return
        self.push_screen(RunScreen())

    def on_picker_screen_start(self, message: PickerScreen.Start) -> None:
        self.start_run(message.playbook_id)

    async def execute(self, command: cmd.Command) -> list[AuditRecord] | None:
        """Run a command off the event loop; None if refused or not durable."""
        from ehplan.audit import AuditWriteError
        from ehplan.engine.decide import NeedsConfirmation
        from ehplan.engine.messages import Refused
        from ehplan.tui.screens.resume import PaperScreen

        if self.session is None:
            return None
        async with self._lock:
            try:
                return await asyncio.to_thread(self.session.execute, command)
            except NeedsConfirmation:
                raise
            except Refused as exc:
                self.tell(exc.text(self.lang), "refusal", title=t("refused", self.lang))
            except AuditWriteError as exc:
                self.push_screen(PaperScreen(str(exc), self.lang))
        return None

    def tell(self, text: str, kind: Kind = "info", *, title: str | None = None,
             timeout: float | None = None) -> None:
        """Tell the operator something: in the screen's own notices where it has
        them (see widgets/notices.py for why), else as a toast."""
        found = self.screen.query(Notices)
        if found:
            found.first().add(kind, text, title=title, timeout=timeout)
        else:
            self.notify(text, title=title or "", severity=SEVERITY[kind], timeout=timeout or 8, markup=False)

    def end_run(self) -> None:
        """End the run, asking for confirmation when anything is still open."""
        self.run_worker(self._end_run())

    async def _end_run(self) -> None:
        from ehplan.engine import commands as cmd
        from ehplan.engine.decide import NeedsConfirmation
        from ehplan.tui.screens.dialogs import ConfirmEndDialog

        try:
            records = await self.execute(cmd.EndRun())
        except NeedsConfirmation as exc:
            items = [item.text(self.lang) for item in exc.open_items]
            if not await self.push_screen_wait(ConfirmEndDialog(items, self.lang)):
                return
            records = await self.execute(cmd.EndRun(confirm=True))
        if records is not None:
            self.show_summary()

    def show_summary(self) -> None:
        """Replace the run screen with the end-of-run summary."""
        from ehplan.report.summary import summarize
        from ehplan.tui.screens.summary import SummaryScreen

        assert self.session is not None
        session = self.session
        summary = summarize(session.state, self.library, self.lang)
        self.switch_screen(SummaryScreen(summary, self.lang, str(session.path), session.writer.last_hash,
                                         score=self.drill_score()))
        session.close()

    def action_new_run(self) -> None:
        """Back to the picker after a run, cleared for the next incident."""
        self.session = None
        picker = self.screen_stack[0]
        for _ in self.screen_stack[1:]:
            self.pop_screen()
        if isinstance(picker, PickerScreen):
            picker.reset(self.catalog, self.lang)
        if self._offer_later:  # an emergency key went past the offer: make it now
            self._offer_later = False
            self._offer_resume()

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
        if (isinstance(screen, RunScreen) and self.session is not None and not self.session.state.ended
                and self.can_act):
            yield SystemCommand(t("note", lang), "F2", screen.action_note)
            yield SystemCommand(t("override", lang), "F8", screen.action_override)
            yield SystemCommand(t("end_run", lang), "F10", self.end_run)
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

        apply_keys(self, self.KEYS, lang)
        screen = self.screen
        if isinstance(screen, RunScreen):
            screen.render_state()
        elif isinstance(screen, PickerScreen):
            screen.set_language(lang)
        elif hasattr(screen, "lang"):
            screen.lang = lang
            screen.refresh(recompose=True)
