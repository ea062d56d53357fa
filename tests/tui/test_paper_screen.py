"""The red "continue on paper" screen names the card and the form of the
current run, the step to continue from, and what is already on disk (the last
seq and hash), so the paper picks up exactly where the screen stopped."""

from __future__ import annotations

from tui_helpers import TO_CALL_IT, fast_forward, start

from ehplan.audit import AuditWriteError, read_log
from ehplan.session import Session
from ehplan.tui.screens.resume import PaperScreen


def paper_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(str(static.content) for static in app.screen.query("Static"))


async def test_the_paper_screen_names_card_form_step_and_the_last_seq_and_hash(tmp_path, make_app, monkeypatch):
    app = make_app(tmp_path, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_CALL_IT)
        records, _ = read_log(app.session.path)

        def disk_full(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise AuditWriteError(28, "No space left")

        monkeypatch.setattr(app.session.writer, "append", disk_full)
        await pilot.press("1", "a")
        await pilot.pause()
        assert isinstance(app.screen, PaperScreen)
        text = paper_text(app)
        content_hash = app.library.playbooks["example"].content_hash
        assert "Pick up the card: " in text and "(example.card.pdf)" in text
        assert "Continue on the blank incident form: example.form.pdf" in text
        assert f"example v1 · {content_hash}" in text
        number = [step.id for step in app.library.playbook("example").steps].index(app.session.state.step) + 1
        assert f"Continue from step {number}. " in text
        assert f"{len(records)} events recorded, last seq {records[-1].seq}, hash {records[-1].hash}" in text
        assert str(app.session.path) in text


async def test_a_run_that_could_not_start_says_nothing_was_recorded(tmp_path, make_app, monkeypatch):
    app = make_app(tmp_path)

    def refused(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AuditWriteError(13, "Permission denied")

    monkeypatch.setattr(Session, "start", refused)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.start_run("example")
        await pilot.pause()
        assert isinstance(app.screen, PaperScreen)
        text = paper_text(app)
        assert "（example.card.pdf）" in text and "example.form.pdf" in text
        assert "尚未記錄任何事項" in text and "從這一步繼續：1. " in text
