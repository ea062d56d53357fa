"""UI strings in zh-Hant and en; zh-Hans is derived with OpenCC."""

from __future__ import annotations

from ehplan.text import Lang, in_lang

_STRINGS: dict[str, tuple[str, str]] = {
    # key: (zh-Hant, en)
    "app_title": ("ehplan 應急預案", "ehplan emergency plan"),
    "filter": ("輸入以篩選（中文、English、關鍵字）", "Type to filter (Chinese, English, keywords)"),
    "definition": ("類型定義", "Definition"),
    "summary": ("適用", "Use when"),
    "no_match": ("沒有符合的預案", "No playbook matches"),
    "start": ("開始", "Start"),
    "live": ("實戰", "LIVE"),
    "drill": ("演練", "DRILL"),
    "operator": ("值班員", "Operator"),
    "run": ("記錄", "Run"),
    "elapsed": ("已用時", "Elapsed"),
    "timers": ("計時", "Timers"),
    "no_timers": ("沒有進行中的計時", "No running timers"),
    "contacts_here": ("本步聯絡人", "Contacts for this step"),
    "path": ("已走步驟", "Path so far"),
    "script": ("請向對方朗讀", "Read to the caller"),
    "tell_contact": ("告知對方", "Tell them"),
    "ph_text": ("輸入文字", "type here"),
    "ph_phone": ("電話號碼", "phone number"),
    "ph_number": ("數字，如 5000 或 5,000.50", "number, e.g. 5000 or 5,000.50"),
    "ph_choice": ("選項編號", "option number"),
    "k_next": ("下一步", "Next"),
    "k_skip": ("跳過", "Skip"),
    "k_end": ("結束", "End run"),
    "k_start": ("開始", "Start"),
    "k_new": ("新事件", "New run"),
    "drill_start": ("開始演練", "Start the drill"),
    "drill_facts": ("預案：{playbook}　時鐘 ×{scale}　注入 {injects} 項　評分項目 {expect} 項",
                    "Playbook: {playbook} · clock ×{scale} · {injects} injects · {expect} scored expectations"),
    "k_play": ("播放／暫停", "Play/pause"),
    "k_back": ("上一刻", "Back"),
    "k_forward": ("下一刻", "Forward"),
    "k_slower": ("減速", "Slower"),
    "k_faster": ("加速", "Faster"),
    "k_start_of_run": ("開頭", "Start"),
    "k_end_of_run": ("結尾", "End"),
    "replay": ("重播", "REPLAY"),
    "replay_read_only": ("重播只供查看：記錄不會更改", "A replay is read-only: the log is never changed"),
    "continue": ("完成，下一步", "Done, next step"),
    "choose": ("請選擇", "Choose"),
    "tick_hint": ("按數字鍵勾選", "Press a number to tick"),
    "call_hint": ("按數字鍵記錄致電結果", "Press a number to log the call"),
    "no_answer_next": ("無人接聽：再撥一次（按 {keys}）、改撥其他聯絡人（F3 通訊錄，Enter 記錄），"
                       "或按 F8 註明原因跳過此步",
                       "No answer: call again (press {keys}), try another contact (F3, Enter logs the call), "
                       "or F8 to skip this step with a reason"),
    "answered": ("已接通", "Answered"),
    "called": ("已通知（留言等）", "Called (message left)"),
    "no_answer": ("無人接聽", "No answer"),
    "not_filled": ("號碼未填寫", "number not filled in"),
    "record_hint": ("輸入後按 Enter 記錄", "Type, then Enter to record"),
    "recorded": ("已記錄", "recorded"),
    "corrected": ("已更正：{field} {old} → {new}（兩個值都在記錄檔中）",
                  "Corrected: {field} {old} → {new} (both are in the log)"),
    "corrected_branch": ("按新的值，預案應轉到「{would}」，但當時已轉到「{went}」："
                         "請補做該步（F3 找聯絡人），或以 F2 備註原因。",
                         "With the new value the plan goes to \"{would}\", but the run went to \"{went}\": "
                         "do that step now (F3 for the contact) or note why not with F2."),
    "correct": ("更正已記錄的值", "Correct a recorded value"),
    "goto_hint": ("按 Enter 轉到該預案，記錄不中斷", "Enter switches playbook within this run"),
    "end_hint": ("按 F10 結束並查看摘要", "Press F10 to end the run and see the summary"),
    "switched": ("已轉到預案", "Switched to playbook"),
    "note": ("備註", "Note"),
    "note_prompt": ("輸入備註，Enter 保存，Esc 取消", "Type a note, Enter to save, Esc to cancel"),
    "note_saved": ("備註已記錄", "Note logged"),
    "override": ("跳過／越過此步", "Skip / override this step"),
    "reason_prompt": ("請輸入原因（必填），Enter 確認", "Type the reason (required), Enter to confirm"),
    "end_run": ("結束事件", "End run"),
    "still_open": ("尚有未完成事項", "Still open"),
    "end_anyway": ("仍然結束", "End anyway"),
    "cancel": ("取消", "Cancel"),
    "contacts": ("聯絡人", "Contacts"),
    "supplies": ("物料", "Supplies"),
    "language": ("語言", "Language"),
    "quit": ("離開", "Quit"),
    "back": ("返回", "Back"),
    "search": ("搜尋", "Search"),
    "summary_title": ("事件摘要", "Run summary"),
    "duration": ("時長", "Duration"),
    "deadlines": ("時限", "Deadlines"),
    "met": ("按時完成", "met"),
    "met_late": ("逾時完成", "met late"),
    "missed": ("逾時未完成", "missed"),
    "open": ("結束時仍未完成", "still open at the end"),
    "resolved": ("已處理", "resolved"),
    "handed_over": ("已移交", "handed over"),
    "ended_early": ("預案未走完即結束", "ended before the playbook's end"),
    "cleared": ("已解除", "cleared"),
    "escalated": ("已升級", "escalated"),
    "calls": ("已致電", "Calls"),
    "followups": ("後續事項", "Follow-ups"),
    "log_file": ("記錄檔", "Log file"),
    "final_hash": ("最終雜湊（抄到事件表）", "Final hash (copy onto the incident form)"),
    "new_run": ("新事件", "New run"),
    "resume_title": ("有未結束的事件", "Unfinished runs"),
    "resume_hint": ("Enter 繼續該事件，Esc 略過", "Enter resumes the run, Esc skips"),
    "started": ("開始於", "Started"),
    "last_step": ("最後步驟", "Last step"),
    "paper_title": ("記錄失敗：請改用紙本記錄！", "LOGGING FAILED: CONTINUE ON PAPER!"),
    "paper_body": ("磁碟無法寫入，之後的操作不會被記錄。請立即改用紙本表格繼續處理，並通知主管。",
                   "The disk refused the write; nothing more can be recorded. "
                   "Continue on the paper form now and tell your supervisor."),
    "low_space": ("磁碟空間不足，請通知資訊人員", "Disk space is low: tell IT"),
    "operator_prompt": ("請輸入您的姓名（只需一次）", "Your name (asked once, remembered on this machine)"),
    "emergency": ("緊急來電", "Emergency calls"),
    "overdue": ("逾時", "OVERDUE"),
    "warning": ("即將到時", "due soon"),
    "escalation": ("升級：", "Escalation: "),
    "refused": ("未執行", "Not done"),
    "ended": ("事件已結束", "Run ended"),
    "not_at_end": ("尚未到達結束步驟", "not at the end step"),
    "item_done": ("已完成", "done"),
    "optional": ("可選", "optional"),
    "source": ("出處", "Source"),
    "unit": ("單位", "Unit"),
    "qty": ("數量", "Qty"),
    "spec": ("規格", "Spec"),
    "remark": ("備註", "Remark"),
    "external": ("外部緊急電話", "External emergency numbers"),
    "internal": ("內部聯絡人", "Internal contacts"),
    "first_aid": ("藥品", "Medicines and first aid"),
    "tools": ("維修工具", "Repair tools"),
    "supplies_here": ("本步可用物料", "Supplies for this step"),
    "log_call": ("記錄致電結果", "Log the call"),
    "k_take": ("選定", "Choose"),
    "call_from_run": ("在進行中的事件裡按 Enter 可記錄致電結果", "Enter logs a call during a run"),
    "k_other": ("換一個", "Other"),
    "required": ("必填", "required"),
    "inject": ("演練注入", "Drill inject"),
}

CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "agitated": ("情緒激動類", "Agitated customer"),
    "personal_safety": ("人身安全類", "Personal safety"),
    "property_loss": ("財產損失類", "Property loss"),
    "system_failure": ("系統故障類", "System failure"),
    "other": ("其他應急事件", "Other emergencies"),
    "emergency_call": ("緊急應變處理程序", "Emergency-call procedures"),
}


def t(key: str, lang: Lang) -> str:
    """The UI string ``key`` in ``lang``."""
    return in_lang(_STRINGS[key], lang)


def has_string(key: str) -> bool:
    """Whether ``key`` is a UI string (for values that may or may not be one)."""
    return key in _STRINGS


def category_name(category: str, lang: Lang) -> str:
    """A playbook category's name as the plan writes it."""
    return in_lang(CATEGORY_NAMES[category], lang)
