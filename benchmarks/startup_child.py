"""One cold start, run in a fresh interpreter by benchmarks/run.py.

    python benchmarks/startup_child.py baseline|ehplan OUT.json [LOG_DIR]
    python benchmarks/startup_child.py replay OUT.json LOG PLAYBOOKS   (first frame of `ehplan replay`)
    python benchmarks/startup_child.py ready OUT.json LOG_DIR UNFINISHED

``baseline`` is the smallest Textual app that paints one Static. ``ehplan`` is
the real entry point (`ehplan.entry.run`, exactly what the `ehplan` console
script calls) with ``--log-dir LOG_DIR --operator bench``: it parses the
command line, loads and validates the shipped playbooks and data, builds the
EhplanApp and runs it. In both cases ``App.run`` is switched to headless at
100x30 and the app's ``_display`` (called by the screen with every composed
frame) is watched; at the first frame that shows the target (the Static, or
the picker's OptionList with its options) the child writes its timings and
``ru_maxrss`` to OUT.json and leaves with ``os._exit(0)``.

``ready`` is the same start, timed further: to the first moment the app
answers a key with the library validated and, when LOG_DIR holds UNFINISHED
(> 0) unfinished runs, with all of them offered (the resume screen's list on
screen, every run in it). At that moment a Down key is sent to the driver, as
a terminal's key is; the child stops at the first frame in which the focused
list's highlight has moved (the picker's playbooks, or the offered runs).

The timestamps are CLOCK_MONOTONIC, the same clock the parent reads just
before spawning, so the parent can measure from process start.
"""

from __future__ import annotations

import time

T_START = time.clock_gettime(time.CLOCK_MONOTONIC)  # before any other import

import importlib.abc  # noqa: E402  (cheap; already loaded by the interpreter)
import importlib.machinery  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

SIZE = (100, 30)
MARKS: dict[str, float] = {"interpreter_ready": T_START}


def now() -> float:
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


NOTABLE = ("click", "pydantic", "yaml", "opencc", "platformdirs", "ehplan.tui.screens.run",
           "ehplan.tui.screens.summary", "ehplan.report.summary", "ehplan.engine.decide")


def finish(out: str, extra: dict[str, object]) -> None:
    result = {"marks": MARKS, "maxrss_kib_at_paint": maxrss_kib(), "modules": len(sys.modules),
              "notable_loaded": [name for name in NOTABLE if name in sys.modules], **extra}
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip Textual's shutdown: the measurement is over


# --- after-import patches, without importing anything early -------------------

PATCHES: dict[str, object] = {}


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Runs PATCHES[name](module) right after module `name` is executed."""

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name not in PATCHES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module):  # type: ignore[no-untyped-def]
            original(module)
            PATCHES.pop(name)(module)  # type: ignore[operator]

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def patch_textual_app(module, out: str, painted) -> None:  # type: ignore[no-untyped-def]
    """Make App.run headless at SIZE and watch the frames it composes."""
    MARKS["textual_app_imported"] = now()
    App = module.App
    original_run = App.run

    def run(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        MARKS["app_run_called"] = now()
        original_display = self._display
        frames = 0

        def display(screen, renderable):  # type: ignore[no-untyped-def]
            nonlocal frames
            original_display(screen, renderable)
            if renderable is None:
                return
            frames += 1
            if painted(self, screen):
                MARKS["first_paint"] = now()
                if "first_paint_picker" in MARKS:  # the ready mode: its first paint was earlier
                    MARKS["first_paint"], MARKS["answered"] = MARKS["first_paint_picker"], MARKS["first_paint"]
                finish(out, {"frames": frames, "screen": type(screen).__name__})

        self._display = display
        kwargs.update(headless=True, size=SIZE)
        return original_run(self, *args, **kwargs)

    App.run = run


def baseline_painted(app, screen) -> bool:  # type: ignore[no-untyped-def]
    widget = screen.query("#hello").first() if screen.query("#hello") else None
    return widget is not None and widget in screen._compositor.visible_widgets


def ehplan_painted(app, screen) -> bool:  # type: ignore[no-untyped-def]
    if type(screen).__name__ != "PickerScreen" or screen is not app.screen:
        return False
    found = screen.query("#playbooks")
    if not found:
        return False
    options = found.first()
    return options.option_count > 0 and options in screen._compositor.visible_widgets


def replay_painted(app, screen) -> bool:  # type: ignore[no-untyped-def]
    if type(screen).__name__ != "ReplayScreen" or screen is not app.screen:
        return False
    found = screen.query("#replay-bar")
    return bool(found) and found.first() in screen._compositor.visible_widgets


class Ready:
    """The ``ready`` mode's progress: library validated, offer shown, key answered."""

    unfinished = 0
    library_ready = False
    key_sent = False
    options = None  # the OptionList the key goes to
    highlighted_before: int | None = None


READY = Ready()


def ready_painted(app, screen) -> bool:  # type: ignore[no-untyped-def]
    """Once ready, send Down; True at the frame that shows it moved the highlight."""
    if READY.key_sent:
        options = READY.options
        return options.highlighted != READY.highlighted_before and options in screen._compositor.visible_widgets
    if "first_paint_picker" not in MARKS and ehplan_painted(app, screen):
        MARKS["first_paint_picker"] = now()
    if not READY.library_ready or screen is not app.screen:
        return False
    if READY.unfinished:
        if type(screen).__name__ != "ResumeScreen":
            return False
        options = screen.query_one("#open-runs")
        want = READY.unfinished + (1 if READY.unfinished > 1 else 0)  # "resume all" first
        if options.option_count != want or options not in screen._compositor.visible_widgets:
            return False
        MARKS["offer_painted"] = now()
    else:
        if not ehplan_painted(app, screen):
            return False
        options = screen.query_one("#playbooks")
    send_down(app, options)
    return False


def send_down(app, options) -> None:  # type: ignore[no-untyped-def]
    from textual import events

    READY.options, READY.highlighted_before, READY.key_sent = options, options.highlighted, True
    MARKS["key_sent"] = now()
    key = events.Key("down", None)
    key.set_sender(app)
    app._driver.send_message(key)  # as the terminal driver's input thread does


def patch_ehplan_app(module) -> None:  # type: ignore[no-untyped-def]
    """Mark when the library is validated (`_after_library` runs on the UI
    thread either way) and when the search for unfinished runs ends; with no
    unfinished runs expected, the key goes as soon as the picker is up."""
    App = module.EhplanApp
    after_library, open_runs = App._after_library, App._open_runs

    def _after_library(self):  # type: ignore[no-untyped-def]
        MARKS["library_ready"] = now()
        READY.library_ready = True
        after_library(self)
        if not READY.unfinished and not READY.key_sent and "first_paint_picker" in MARKS:
            screen = self.screen
            if ehplan_painted(self, screen):
                send_down(self, screen.query_one("#playbooks"))

    def _open_runs(self):  # type: ignore[no-untyped-def]
        MARKS["open_runs_search_start"] = now()
        try:
            return open_runs(self)
        finally:
            MARKS["open_runs_search_end"] = now()

    App._after_library = _after_library
    App._open_runs = _open_runs


def patch_library(module) -> None:  # type: ignore[no-untyped-def]
    """Time load_library (run_app imports it inside the function, so this wins)."""
    MARKS["library_imported"] = now()
    original = module.load_library

    def load_library(*args, **kwargs):  # type: ignore[no-untyped-def]
        MARKS["load_library_start"] = now()
        try:
            return original(*args, **kwargs)
        finally:
            MARKS["load_library_end"] = now()

    module.load_library = load_library


def main() -> None:
    mode, out = sys.argv[1], sys.argv[2]
    signal.alarm(60)  # never hang the benchmark
    painted = {"baseline": baseline_painted, "ehplan": ehplan_painted, "ready": ready_painted,
               "replay": replay_painted}[mode]
    PATCHES["textual.app"] = lambda module: patch_textual_app(module, out, painted)
    if mode in ("ehplan", "ready"):
        PATCHES["ehplan.library"] = patch_library
    if mode == "ready":
        READY.unfinished = int(sys.argv[4])
        PATCHES["ehplan.tui.app"] = patch_ehplan_app
    sys.meta_path.insert(0, _PatchAfterImport())

    if mode == "baseline":
        from textual.app import App, ComposeResult
        from textual.widgets import Static

        class Minimal(App[None]):
            def compose(self) -> ComposeResult:
                yield Static("Hello", id="hello")

        MARKS["imports_done"] = now()
        Minimal().run()
    elif mode in ("ehplan", "ready"):
        log_dir = sys.argv[3]
        from ehplan.entry import run

        MARKS["imports_done"] = now()  # the console script's own import
        sys.argv = ["ehplan", "--log-dir", log_dir, "--operator", "bench"]
        run()
    elif mode == "replay":  # python startup_child.py replay OUT.json LOG PLAYBOOKS
        from ehplan.entry import run

        MARKS["imports_done"] = now()
        sys.argv = ["ehplan", "replay", sys.argv[3], "--playbooks", sys.argv[4]]
        run()
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    raise SystemExit(f"{mode}: the app exited before its first paint")


if __name__ == "__main__":
    main()
