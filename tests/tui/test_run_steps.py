"""The run screen on example.yaml: each step kind answers its keys, every
accepted action is on disk before the screen moves, refusals write nothing."""

from __future__ import annotations

from textual.widgets import Input
from tui_helpers import TO_AMOUNT, TO_CALL_IT, TO_FIXED, fast_forward, messages, of_type, start, text_of, types

from ehplan.tui.screens.dialogs import CallDialog, TextDialog
from ehplan.tui.screens.run import RunScreen
from ehplan.tui.widgets.step_view import NumberedLine


async def test_enter_on_an_action_step_goes_to_the_next_step(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        assert text_of(app, "#step-title") == "向客戶說明原因"
        assert "對不起，系統暫時故障。" in text_of(app, "#script")
        script = app.screen.query_one("#script")
        assert script.border_subtitle == "〔編寫者補充〕"  # the example's script is the authors'
        assert "請向對方朗讀" in str(script.border_title)
        await pilot.press("enter")
        await pilot.pause()
        assert types(app)[-2:] == ["step_completed", "step_entered"]
        assert of_type(app, "step_completed") == [{"step": "greet", "next": "checks"}]
        assert app.session.state.step == "checks"
        assert text_of(app, "#step-title") == "即時處理"


async def test_checklist_keys_tick_items_then_enter_continues(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("1", "2")
        await pilot.pause()
        assert of_type(app, "item_done") == [{"step": "checks", "item": "explain"},
                                             {"step": "checks", "item": "divert"}]
        lines = list(app.screen.query(NumberedLine))
        assert [line.has_class("-done") for line in lines] == [True, True, False]
        assert "☑" in str(lines[0].content) and "☐" in str(lines[2].content)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.step == "call_it"


async def test_continuing_with_an_unticked_item_is_refused(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await pilot.press("enter", "1")
        await pilot.pause()
        before = types(app)
        await pilot.press("enter")
        await pilot.pause()
        assert types(app) == before
        assert app.session.state.step == "checks"
        assert any("尚未完成" in m and "疏導分流" in m for m in messages(app))
        # Pressing a number with no item behind it, or ticking twice, writes nothing either.
        await pilot.press("9", "1")
        await pilot.pause()
        assert types(app) == before


async def test_notify_key_opens_the_call_dialog_and_a_logs_answered(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_CALL_IT)
        await pilot.press("enter")  # no call logged yet: refused
        await pilot.pause()
        assert app.session.state.step == "call_it"
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, CallDialog)
        assert "信息中心" in str(app.screen.query_one(".dialog-title").content)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        (logged,) = of_type(app, "contact_logged")
        assert logged == {"contact": "it_centre", "number": "", "outcome": "answered", "step": "call_it"}
        assert "✓ 已接通" in str(app.screen.query_one(NumberedLine).content)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.step == "amount"


async def test_call_dialog_esc_logs_nothing_and_n_logs_no_answer(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_CALL_IT)
        await pilot.press("1", "escape")
        await pilot.pause()
        assert of_type(app, "contact_logged") == []
        await pilot.press("1", "n")
        await pilot.pause()
        assert [c["outcome"] for c in of_type(app, "contact_logged")] == ["no_answer"]
        assert not app.session.state.reached("it_centre")


async def test_record_fields_typed_and_entered_are_logged_and_route_to_police(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_AMOUNT)
        assert app.focused is app.screen.query_one("#field-loss_yuan", Input)
        await pilot.press(*"6,000", "enter")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#field-reporter_phone", Input)
        await pilot.press(*"abc", "enter")
        await pilot.pause()
        assert [f["field"] for f in of_type(app, "field_set")] == ["loss_yuan"]
        assert any("不是電話號碼" in m for m in messages(app))
        app.focused.value = ""
        app.focused.value = "+86 138-0000-0000"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        fields = {f["field"]: f for f in of_type(app, "field_set")}
        assert fields["loss_yuan"]["value"] == 6000
        assert fields["reporter_phone"]["value"] == "+86 138-0000-0000"
        assert fields["place"]["value"] == 0 and fields["place"]["label"] == "營業廳"
        # The recorded values are shown back, choices numbered as typed.
        assert app.screen.query_one("#field-place", Input).value == "1"
        # The optional remark is left empty: Enter on it goes on, and over 5000 goes to the police.
        assert app.focused is app.screen.query_one("#field-remark", Input)
        await pilot.press("enter")
        await pilot.pause()
        assert "remark" not in {f["field"] for f in of_type(app, "field_set")}
        assert app.session.state.step == "police"
        await pilot.press("1")
        await pilot.pause()
        assert "110" in str(app.screen.query_one(".dialog-title").content)
        await pilot.press("a")
        await pilot.pause()
        police = [c for c in of_type(app, "contact_logged") if c["contact"] == "police"]
        assert police == [{"contact": "police", "number": "110", "outcome": "answered", "step": "police"}]


async def test_record_at_5000_does_not_go_to_the_police(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_AMOUNT)
        await pilot.press(*"5000", "enter", *"110", "enter", "2", "enter")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#field-remark", Input)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.step == "fixed"


async def test_decision_keys_choose(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_FIXED)
        assert [str(line.content).strip() for line in app.screen.query(NumberedLine)] == ["1  已排除", "2  未排除"]
        await pilot.press("enter", "3")  # a decision is answered by number only
        await pilot.pause()
        assert of_type(app, "choice_made") == []
        await pilot.press("2")
        await pilot.pause()
        assert of_type(app, "choice_made") == [{"step": "fixed", "choice": "not_fixed", "next": "escalate"}]
        assert app.session.state.step == "escalate"
        await pilot.press("enter")  # the goto step switches playbook
        await pilot.pause()
        assert "playbook_switched" in types(app)
        assert app.session.state.playbook == "example_other"


async def test_decision_key_1_goes_to_done(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await fast_forward(app, pilot, *TO_FIXED)
        await pilot.press("1")
        await pilot.pause()
        assert of_type(app, "choice_made")[0]["choice"] == "yes_fixed"
        assert app.session.state.step == "done"


async def test_ctrl_o_skip_needs_a_reason_then_logs_it(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        before = types(app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await pilot.press("enter")  # empty: refused in the dialog
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        assert app.screen.query_one(Input).has_class("-invalid")
        await pilot.press(*"   ", "enter")  # blank is empty too
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        assert types(app) == before
        await pilot.press(*"left", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert of_type(app, "step_overridden") == [{"step": "greet", "next": "checks",
                                                    "reason": "   left"}]
        assert app.session.state.step == "checks"


async def test_ctrl_o_escape_cancels_without_logging(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        before = types(app)
        await pilot.press("ctrl+o", *"why", "escape")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert types(app) == before


async def test_f2_note_is_logged_as_typed(tmp_path, make_app):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"客[說]", "enter")
        await pilot.pause()
        assert of_type(app, "note_added") == [{"text": "客[說]", "step": "greet"}]
        assert "備註已記錄" in messages(app)
        assert app.session.state.step == "greet"


async def test_at_80_columns_the_header_shortens_the_title_and_keeps_the_run_id(tmp_path, make_app, shipped_library):
    from rich.cells import cell_len

    app = make_app(tmp_path, library=shipped_library, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, "kiosk_failure")
        await pilot.pause()
        header = text_of(app, "#run-header")
        assert header.startswith(" Top-up kiosks failing │ ⏱ 00:00 │ LIVE │ Ann │ ")
        assert header.endswith(app.session.state.run_id)
        assert cell_len(header) <= 78  # inside the bar's padding: nothing cut off
    wide = make_app(tmp_path / "wide", library=shipped_library, lang="en")
    async with wide.run_test(size=(100, 30)) as pilot:  # room enough: the full title
        await start(wide, pilot, "kiosk_failure")
        await pilot.pause()
        assert text_of(wide, "#run-header").startswith(" Self-service top-up kiosks failing │ ")


async def test_a_title_with_no_short_form_is_cut_with_an_ellipsis(tmp_path, make_app):
    app = make_app(tmp_path, lang="en", operator="Wong Tai-man")
    async with app.run_test(size=(60, 24)) as pilot:
        await start(app, pilot)
        await pilot.pause()
        header = text_of(app, "#run-header")
        assert header == " Exa… │ ⏱ 00:00 │ LIVE │ Wong Tai-man │ 20261130-0900-test"
        await pilot.resize_terminal(50, 24)  # narrower still: the title is down to its …
        await pilot.pause()
        assert text_of(app, "#run-header") == " … │ ⏱ 00:00 │ LIVE │ Wong Tai-man │ 20261130-0900-test"


def test_the_day_night_rule_marks_whom_to_call_now():
    """S7.1 「白天通知組別經理」: the step marks the group manager by day and the
    repair crew at night, from the site's daytime hours; without them, nobody."""
    import datetime as dt

    from ehplan import resources
    from ehplan.library import load_library
    from ehplan.tui.widgets.step_view import call_now

    library = load_library([resources.playbooks_dir()], resources.data_dir())
    step = library.playbook("gas_accident_report").step("customer_repair_crew")
    zone = dt.timezone(dt.timedelta(hours=8))
    assert call_now(step, library.calendar, dt.datetime(2026, 11, 30, 10, 0, tzinfo=zone)) == (
        "group_manager", "call_now_day")
    assert call_now(step, library.calendar, dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)) == (
        "group_manager", "call_now_day")  # 10:00 in the plan's time
    assert call_now(step, library.calendar, dt.datetime(2026, 11, 30, 22, 0, tzinfo=zone)) == (
        "repair_duty_crew", "call_now_night")
    no_hours = library.calendar.model_copy(update={"daytime": None})
    assert call_now(step, no_hours, dt.datetime(2026, 11, 30, 10, 0, tzinfo=zone)) is None


def test_step_supplies_and_reconstruction_are_labelled():
    """The supplies box is always the authors' suggestion (the plan names none per
    step), and a reconstructed playbook says so above every step."""
    import datetime as dt

    from ehplan import resources
    from ehplan.engine import commands as cmd
    from ehplan.engine.clock import FakeClock
    from ehplan.engine.memory import MemoryRun
    from ehplan.library import load_library
    from ehplan.tui.widgets.step_view import StepView

    library = load_library([resources.playbooks_dir()], resources.data_dir())
    run = MemoryRun(library, FakeClock(dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)))
    run.do(cmd.StartRun("gas_accident_report", "r", "Ann", "live", "zh-Hant"))
    view = StepView(library.playbook("gas_accident_report").step("record_location"), run.state, library, "zh-Hant")
    texts = [str(getattr(w, "content", "")) for w in view.compose()]
    assert texts[0].startswith("⚠重組流程")
    run = MemoryRun(library, FakeClock(dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)))
    run.do(cmd.StartRun("personal_safety", "r", "Ann", "live", "en"))
    view = StepView(library.playbook("personal_safety").step("self_rescue"), run.state, library, "en")
    boxes = [w for w in view.compose() if getattr(w, "id", None) == "step-supplies"]
    assert boxes and "Supplies for this step" in str(boxes[0].border_title)
    assert "authors' addition]" in str(boxes[0].border_title)
