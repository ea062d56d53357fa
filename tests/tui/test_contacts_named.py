"""Every contact a step names can be logged with a number key (those listed
beside it too), or with Enter in the F3 directory; the call dialog's Enter does
what its footer says; "no answer" is not shown as done, and says what next."""

from __future__ import annotations

from textual.widgets import DataTable, Footer
from tui_helpers import fast_forward, of_type, screen_text, start

from ehplan.engine import commands as cmd
from ehplan.tui.screens.dialogs import CallDialog
from ehplan.tui.screens.directory import ContactsScreen
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.widgets.step_view import NumberedLine, numbered_targets

TO_REPAIR_CREW = (cmd.SetField("incident_location", "中山路1號"), cmd.Continue(), cmd.Choose("customer"),
                  cmd.Continue())
"""gas_accident_report → customer_repair_crew (S7.1): the group manager by day, the repair crew by night."""


async def test_both_contacts_of_the_day_night_rule_have_a_number_key(tmp_path, make_app, shipped_library):
    app = make_app(tmp_path, library=shipped_library)  # Monday 09:00: daytime, the group manager is marked
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, "gas_accident_report")
        await fast_forward(app, pilot, *TO_REPAIR_CREW)
        assert app.session.state.step == "customer_repair_crew"
        lines = [str(line.content) for line in app.screen.query(NumberedLine)]
        assert len(lines) == 2 and "組別經理" in lines[0] and "◀" in lines[0] and "搶險值班人員" in lines[1]
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, CallDialog) and "組別經理" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        logged = of_type(app, "contact_logged")[-1]
        assert (logged["contact"], logged["outcome"], logged["step"]) == (
            "group_manager", "answered", "customer_repair_crew")


def test_every_contact_a_shipped_step_names_has_a_number_key(shipped_library):
    step = shipped_library.playbook("hotline_system_failure").step("answer_report_cc")  # S5.3.2
    assert numbered_targets(step) == [("contact", "cc_line_head"), ("contact", "hotline_supervisor")]
    for loaded in shipped_library.playbooks.values():
        for step in loaded.playbook.steps:
            named = {*getattr(step, "notify", []), *step.contacts}
            assert named <= {target for kind, target in numbered_targets(step) if kind == "contact"}, step.id


async def test_enter_in_the_directory_logs_a_call_for_the_current_step(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, cmd.Continue(), cmd.TickItem("explain"), cmd.TickItem("divert"),
                           cmd.Continue())
        assert app.session.state.step == "call_it"
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, ContactsScreen)
        await pilot.press(*"110", "enter")  # the search finds the police; Enter takes it
        await pilot.pause()
        assert isinstance(app.screen, CallDialog)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert of_type(app, "contact_logged")[-1] == {"contact": "police", "number": "110", "outcome": "no_answer",
                                                      "step": "call_it"}
        await pilot.press("f3")
        await pilot.pause()
        app.screen.query_one(DataTable).focus()
        await pilot.press("enter")  # Enter in the table itself
        await pilot.pause()
        assert isinstance(app.screen, CallDialog)


async def test_call_dialog_enter_does_what_its_footer_says_and_no_answer_is_not_done(tmp_path, make_app):
    app = make_app(tmp_path, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, cmd.Continue(), cmd.TickItem("explain"), cmd.TickItem("divert"),
                           cmd.Continue())
        await pilot.press("1")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CallDialog)
        footer = dialog.query_one(Footer)
        shown = {b.key: b.description for (_, b, enabled, _) in dialog.active_bindings.values() if b.show}
        assert footer.is_attached and shown["enter"] == "Choose" and "Next" not in shown.values()
        await pilot.press("right", "right", "enter")  # the highlighted button: no answer
        await pilot.pause()
        assert of_type(app, "contact_logged")[-1]["outcome"] == "no_answer"
        [line] = app.screen.query(NumberedLine)
        assert "✗ No answer" in str(line.content) and "✓" not in str(line.content)
        assert line.has_class("-no-answer") and not line.has_class("-done")
        advice = str(app.screen.query_one(".no-answer-next").content)
        assert "call again (press 1)" in advice and "F3" in advice and "Ctrl+O" in advice
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("enter")  # Enter on the first button: answered
        await pilot.pause()
        assert of_type(app, "contact_logged")[-1]["outcome"] == "answered"
        [line] = app.screen.query(NumberedLine)
        assert "✓ Answered" in str(line.content) and line.has_class("-done")
        assert not app.screen.query(".no-answer-next")
