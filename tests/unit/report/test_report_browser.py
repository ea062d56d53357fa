"""The HTML report in a real headless Chromium (the distribution's, driven by
playwright): it renders what the model holds, prints to an A4 PDF, fetches
nothing and runs no script, even one planted in the file. One browser for the
session; skipped, saying why, where Chromium is not installed.

Playwright's synchronous API marks an event loop as running in the thread that
starts it, for as long as it runs. Started in the test's own thread, it left
every later Pilot test of that xdist worker failing with "Runner.run() cannot
be called from a running event loop"; so the browser is ehplan.paper.browser's,
which lives in a thread of its own, and each test hands it the checks to run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fixture_runs import PLAYBOOKS

from ehplan.paper.browser import Browser, RendererMissing, chromium_path


@pytest.fixture(scope="session")
def in_browser() -> Iterator[Callable[[Callable[[Any], Any]], Any]]:
    """Runs a check, given playwright's browser, in the browser's own thread."""
    if chromium_path() is None:
        pytest.skip("Chromium is not installed (/usr/bin/chromium): the HTML report is not checked in a browser")
    try:
        with Browser(chinese=False) as browser:  # the fixtures' reports are in English
            yield browser.call
    except RendererMissing as exc:
        pytest.skip(str(exc))


def test_the_browser_leaves_the_tests_thread_without_a_running_loop(in_browser):
    import asyncio

    assert in_browser(lambda browser: browser.is_connected())
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()  # the next Pilot test of this worker can start its own


def test_the_html_report_renders_prints_and_runs_no_script(in_browser, fixture_logs, cli, tmp_path):
    out = tmp_path / "missed.html"
    code, output = cli("report", str(fixture_logs["missed"]), "--format", "html", "--out", str(out),
                       "--playbooks", PLAYBOOKS)
    assert code == 0, output
    planted = out.read_text(encoding="utf-8").replace(
        "</body>", "<script>document.title = 'RAN'; window.ran = 1;</script>"
                   "<img src=\"https://example.invalid/x.png\"></body>")
    out.write_text(planted, encoding="utf-8")

    def check(browser: Any) -> None:
        page = browser.new_page()
        requests: list[str] = []
        page.on("requestfinished", lambda request: requests.append(request.url))
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text))
        page.goto(out.as_uri())
        assert page.title().startswith("After-action report") and page.evaluate("typeof window.ran") == "undefined"
        assert any("Content Security Policy" in e for e in errors)  # the planted script was refused, not just absent
        assert requests == [out.as_uri()]  # nothing fetched but the file itself (the planted image is refused)
        assert page.locator("svg.timeline rect.bar:not(.overrun)").count() == 2  # one bar per deadline
        assert page.locator("svg.timeline rect.bar.late").count() == 1
        assert page.locator("svg.timeline rect.bar.overrun").count() == 1  # how late it was met
        body = page.inner_text("body")
        assert "<script>alert(1)</script>" in body  # the logged text, shown as text
        assert "Compliance: 5/9 items (56%)" in body
        pdf = page.pdf(format="A4", display_header_footer=False)
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2
        page.close()

    in_browser(check)


def test_the_summary_html_renders_its_charts_prints_and_runs_no_script(in_browser, fixture_logs, cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "summary.html"
    code, output = cli("report", "--summary", *(str(log.parent) for log in fixture_logs.values()), "--drills",
                       "--format", "html", "--out", str(out), "--playbooks", PLAYBOOKS, "--lang", "en")
    assert code == 0, output
    out.write_text(out.read_text(encoding="utf-8").replace(
        "</body>", "<script>window.ran = 1;</script></body>"), encoding="utf-8")

    def check(browser: Any) -> None:
        page = browser.new_page()
        page.goto(out.as_uri())
        assert page.evaluate("typeof window.ran") == "undefined"
        assert page.locator("svg.chart").count() == 3
        for chart in ("months", "limits", "calls"):
            box = page.locator(f"svg.chart.{chart}").bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 80  # drawn, not collapsed
        assert "5 verified runs (5 run files read)" in page.inner_text("body")
        assert page.pdf(format="A4").startswith(b"%PDF")
        page.close()

    in_browser(check)
