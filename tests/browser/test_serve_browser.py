"""`ehplan serve --drill` in a real headless Chromium (the distribution's
package, driven by playwright): the page loads nothing from outside this
machine; the briefing of the holiday scenario reaches the screen with its
simulated date; Enter starts the drill (its log appears in the drills
directory); F5–F8 reload nothing and reach the app as the terminal's F5–F8
(the app's own tests show what they do there), and the app still takes keys.
Screenshots are kept with the test's files."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("chromium is not installed (/usr/bin/chromium, Debian's package): the browser test is skipped",
                allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
pytest.importorskip("textual_serve", reason="textual-serve is not installed (pip install -e '.[serve]')")

ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[\]PX^_].*?(?:\x07|\x1b\\)|\x1b.", re.S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(*args: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "ehplan", "--lang", "en", "--operator", "Kim", "serve",
                               "--port", str(port), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL, env=os.environ.copy())
    return server, port


def wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the server did not start")


class Screen:
    """What the browser received to draw, escape sequences removed."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.raw = bytearray()
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:  # type: ignore[no-untyped-def]
        if isinstance(payload, bytes):
            self.raw += payload

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw.decode("utf-8", "replace"))

    def shows(self, words: str) -> bool:
        """Whether the words were drawn (a wrapped line is drawn in pieces, so spacing is ignored)."""
        return re.sub(r"\s+", "", words) in re.sub(r"\s+", "", self.text)

    def wait_for(self, page, words: str, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not self.shows(words):
            assert time.monotonic() < deadline, f"{words!r} never reached the screen: {self.text[-3000:]!r}"
            page.wait_for_timeout(50)


def test_the_drill_in_a_browser(tmp_path):
    server, port = serve("--drill", "hotline_holiday")
    try:
        wait_for_port(port, server)
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            typed: list[str] = []
            page.on("websocket", lambda ws: ws.on("framesent", lambda payload: typed.append(str(payload))))
            screen = Screen(page)
            page.goto(f"http://127.0.0.1:{port}/")
            screen.wait_for(page, "Hotline outage on a public holiday")
            screen.wait_for(page, "Friday, a holiday (National Day)")
            page.screenshot(path=str(tmp_path / "briefing.png"))
            assert (tmp_path / "briefing.png").stat().st_size > 10_000
            page.keyboard.press("Enter")
            screen.wait_for(page, "DRILL")
            screen.wait_for(page, "Report to the group head at once")
            drills = Path(os.environ["EHPLAN_LOG_DIR"]) / "drills"
            assert len(list(drills.glob("*.jsonl"))) == 1  # the drill is logged apart from live runs
            page.evaluate("window.ehplanNotReloaded = true")
            for key in ("F5", "F6", "F7", "F8"):
                page.keyboard.press(key)
            page.keyboard.press("1")  # and the app still takes keys: the group head's call
            screen.wait_for(page, "Answered")
            assert page.evaluate("window.ehplanNotReloaded === true")  # the browser reloaded nothing
            sent = "".join(typed)
            for sequence in ("[15~", "[17~", "[18~", "[19~"):  # F5–F8 as a terminal sends them, to the app
                assert sequence in sent, (sequence, sent)
            page.screenshot(path=str(tmp_path / "drill.png"))
            local = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/")
            assert requested and all(url.startswith(local) for url in requested), requested
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
