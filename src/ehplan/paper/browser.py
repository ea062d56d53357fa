"""The real renderer: the self-contained HTML printed to PDF (and an SVG drawn
to PNG) by headless Chromium, driven through playwright. Chromium is the
system's own (the Debian package); playwright never downloads a browser."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


class RendererMissing(Exception):
    """No browser (or no playwright) to print with; the message says what to do instead."""


def chromium_path() -> Path | None:
    """The system Chromium: ``EHPLAN_CHROMIUM``, else the usual paths, else on PATH."""
    given = os.environ.get("EHPLAN_CHROMIUM")
    candidates = [given] if given else [*CHROMIUM_PATHS, shutil.which("chromium") or ""]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


INSTEAD = "write the cards as HTML (--format html) and print them from a browser"


def chinese_font_missing() -> bool:
    """Whether fontconfig (what Chromium draws with on Linux) knows no Chinese font:
    a card printed then would show boxes for every character. False when it
    cannot be told (no fc-list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        found = subprocess.run([fc_list, ":lang=zh-tw", "family"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return found.returncode == 0 and not found.stdout.strip()


@dataclass(frozen=True)
class Rendered:
    """A document as Chromium printed it, and what a script found in it first."""

    pdf: bytes
    found: Any = None


class Browser:
    """One headless Chromium for many documents: open it once, render each in a page.

    Playwright's synchronous API runs an event loop of its own in the thread that
    starts it; that thread is one of this object's, so the caller's thread (an
    asyncio app or test) never finds a loop it did not start."""

    def __init__(self, chinese: bool = True) -> None:
        self.chinese = chinese
        """Whether the documents hold Chinese (then a Chinese font is required)."""
        self._playwright: Any = None
        self._browser: Any = None
        self._thread: ThreadPoolExecutor | None = None

    def _run(self, work: Callable[..., T], *args: Any) -> T:
        assert self._thread is not None, "use Browser as a context manager"
        return self._thread.submit(work, *args).result()

    def __enter__(self) -> Browser:
        executable = chromium_path()
        if executable is None:
            raise RendererMissing(f"no Chromium found (/usr/bin/chromium): {INSTEAD}")
        if self.chinese and chinese_font_missing():
            raise RendererMissing("Chromium has no Chinese font (Debian: apt-get install fonts-noto-cjk); "
                                  "print in English with --lang en, or " + INSTEAD)
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            raise RendererMissing(f"PDF needs playwright (pip install 'ehplan[paper]'): {INSTEAD}") from None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="chromium")
        try:
            self._run(self._start, executable)
        except BaseException:
            self._thread.shutdown()
            self._thread = None
            raise
        return self

    def _start(self, executable: Path) -> None:
        from playwright.sync_api import Error, sync_playwright

        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=str(executable), headless=True,
                                                             args=["--no-sandbox"])
        except Error as exc:
            self._playwright.stop()
            first = str(exc).strip().splitlines()
            raise RendererMissing(f"Chromium ({executable}) did not start ({first[0] if first else exc}): "
                                  f"{INSTEAD}") from None

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._thread is not None:
            self._run(self._stop)
            self._thread.shutdown()
            self._thread = None

    def _stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()

    def call(self, work: Callable[[Any], T]) -> T:
        """``work(browser)`` run in the browser's own thread, with playwright's
        Browser: for a caller that drives pages itself (the report's tests)."""
        return self._run(work, self._browser)

    def _page(self, scale: float = 1.0) -> Any:
        """A fresh page that may not reach the network (the HTML is self-contained)."""
        page = self._browser.new_page(device_scale_factor=scale)
        page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(("data:", "about:"))
                   else route.continue_())
        return page

    def render(self, html: str, script: str | None = None) -> Rendered:
        """One HTML document printed to an A4 PDF (backgrounds included), after
        running ``script`` (a JavaScript function) on it as the screen shows it."""
        return self._run(self._render, html, script)

    def _render(self, html: str, script: str | None) -> Rendered:
        page = self._page()
        try:
            page.set_content(html, wait_until="load")
            found = page.evaluate(script) if script is not None else None
            page.emulate_media(media="print")
            return Rendered(bytes(page.pdf(format="A4", print_background=True, prefer_css_page_size=True)), found)
        finally:
            page.close()

    def pdf(self, html: str) -> bytes:
        """One HTML document printed to an A4 PDF."""
        return self.render(html).pdf

    def png(self, svg: str, scale: float = 2.0) -> bytes:
        """An SVG drawn to PNG with the system's fonts (Graphviz's own PNG has no CJK glyphs)."""
        return self._run(self._png, svg, scale)

    def _png(self, svg: str, scale: float) -> bytes:
        page = self._page(scale)
        try:
            page.set_content(f"<!doctype html><html><body style='margin:0;background:white'>{svg}</body></html>")
            return bytes(page.locator("svg").first.screenshot())
        finally:
            page.close()
