"""One headless Chromium for every paper test of the session (the system's own,
driven by playwright); the tests skip, saying why, when there is none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ehplan.paper.browser import Browser, RendererMissing, chromium_path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The system Chromium, started once."""
    if chromium_path() is None:
        pytest.skip("no Chromium at /usr/bin/chromium (Debian package chromium): cards not checked in a browser")
    pytest.importorskip("playwright", reason="playwright is not installed (pip install -e '.[test]')")
    try:
        with Browser() as started:
            yield started
    except RendererMissing as exc:
        pytest.skip(str(exc))
