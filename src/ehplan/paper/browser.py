"""The real renderer: the self-contained HTML printed to PDF (and an SVG drawn
to PNG) by headless Chromium, driven through playwright. Chromium is the
system's own (the Debian package); playwright never downloads a browser."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any

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


class Browser:
    """One headless Chromium for many documents: open it once, render each in a page."""

    def __init__(self, chinese: bool = True) -> None:
        self.chinese = chinese
        """Whether the documents hold Chinese (then a Chinese font is required)."""
        self._playwright: Any = None
        self._browser: Any = None

    def __enter__(self) -> Browser:
        executable = chromium_path()
        if executable is None:
            raise RendererMissing(f"no Chromium found (/usr/bin/chromium): {INSTEAD}")
        if self.chinese and chinese_font_missing():
            raise RendererMissing("Chromium has no Chinese font (Debian: apt-get install fonts-noto-cjk); "
                                  "print in English with --lang en, or " + INSTEAD)
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError:
            raise RendererMissing(f"PDF needs playwright (pip install 'ehplan[paper]'): {INSTEAD}") from None
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=str(executable), headless=True,
                                                             args=["--no-sandbox"])
        except Error as exc:
            self._playwright.stop()
            first = str(exc).strip().splitlines()
            raise RendererMissing(f"Chromium ({executable}) did not start ({first[0] if first else exc}): "
                                  f"{INSTEAD}") from None
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()

    def page(self) -> Any:
        """A fresh page that may not reach the network (the HTML is self-contained)."""
        page = self._browser.new_page()
        page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(("data:", "about:"))
                   else route.continue_())
        return page

    def pdf(self, html: str) -> bytes:
        """One HTML document printed to an A4 PDF, backgrounds included."""
        page = self.page()
        try:
            page.set_content(html, wait_until="load")
            page.emulate_media(media="print")
            return bytes(page.pdf(format="A4", print_background=True, prefer_css_page_size=True))
        finally:
            page.close()

    def png(self, svg: str, scale: float = 2.0) -> bytes:
        """An SVG drawn to PNG with the system's fonts (Graphviz's own PNG has no CJK glyphs)."""
        page = self._browser.new_page(device_scale_factor=scale)
        try:
            page.set_content(f"<!doctype html><html><body style='margin:0;background:white'>{svg}</body></html>")
            return bytes(page.locator("svg").first.screenshot())
        finally:
            page.close()
