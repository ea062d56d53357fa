"""The plan's words and the authors': the plan ships as data, every plan-origin
definition, body and script quotes it (characters as written, punctuation
aside), and the authors' text is labelled in the report and the summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ehplan import resources
from ehplan.audit import read_log, verify_log
from ehplan.engine import commands as c
from ehplan.engine.clock import FakeClock
from ehplan.library import Library, load_library
from ehplan.playbook.models import LangText
from ehplan.playbook.verbatim import checked_texts, normalise, plan_origin
from ehplan.report.afteraction import Integrity, after_action_report
from ehplan.session import Session
from ehplan.text import authors

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([resources.playbooks_dir()], resources.data_dir())


def test_the_plan_ships_in_the_repo_and_nothing_reads_the_shared_folder(library):
    assert library.plan is not None
    assert library.plan.count("客戶服務部突發事件應急處理預案") >= 1
    assert "本預案由客戶服務部負責解釋" in library.plan
    for source in (ROOT / "src").rglob("*.py"):
        assert "../shared" not in source.read_text(encoding="utf-8"), source
        assert "seed/" not in source.read_text(encoding="utf-8"), source


def test_normalise_drops_markers_and_punctuation_but_keeps_characters():
    assert normalise("（2） 查看監控錄像，當天…") == "查看監控錄像當天"
    assert normalise("的2、應對能力") == "的應對能力"  # a page number glued in by the extraction
    assert normalise("由于") != normalise("由於")  # the plan's own characters are the point


def _plan_texts(library: Library) -> list[tuple[str, str]]:
    found = []
    for pid, loaded in library.playbooks.items():
        for loc, text in checked_texts(loaded.playbook):
            if plan_origin(text):
                words = text.zh_Hant if isinstance(text, LangText) else text
                assert words is not None
                found.append((f"{pid}:{'.'.join(map(str, loc))}", words))
    return found


def test_every_plan_origin_text_is_in_the_plan(library):
    plan = normalise(library.plan or "")
    texts = _plan_texts(library)
    assert len(texts) > 90
    missing = [where for where, words in texts if normalise(words) not in plan]
    assert not missing, missing


@pytest.mark.parametrize("corrected", ["並", "後", "聯繫", "規範", "雲", "於"])
def test_no_plan_text_corrects_the_plans_characters(library, corrected):
    """The plan writes 并, 后, 聯系, 規范, 云, 于; no plan-origin text or supply name
    'corrects' them (the verbatim check keeps it so; this names the characters)."""
    assert corrected not in (library.plan or "")
    assert not [where for where, words in _plan_texts(library) if corrected in words]
    assert not [s.id for s in library.supplies.supplies if corrected in s.name.zh_Hant]  # type: ignore[union-attr]


def test_the_authors_additions_are_marked(library):
    definitions = {pid: authors(p.playbook.definition) for pid, p in library.playbooks.items()}
    assert {pid for pid, marked in definitions.items() if marked} == {
        "gas_accident_report", "fire_alarm", "electrical_failure", "threatening_call", "explosion"}
    assert authors(library.playbook("kiosk_failure").timer("failure_24h").label)
    assert authors(library.playbook("fire_alarm").step("fire_out").title)
    assert library.playbook("gas_accident_report").reconstructed
    remarks = {s.id for s in library.supplies.supplies if authors(s.remark)}  # type: ignore[union-attr]
    assert {"gauze_pads", "breathable_tape", "alcohol"} <= remarks


def _report(library: Library, tmp_path: Path, playbook: str, lang: str, *commands: c.Command) -> str:
    clock = FakeClock(dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC))
    session = Session.start(library, tmp_path, c.StartRun(playbook, "r-9", "Ann", "live", lang), clock)
    for command in commands:
        session.execute(command)
    session.execute(c.EndRun(confirm=True))
    path = session.path
    session.close()
    records, _ = read_log(path)
    result = verify_log(path)
    assert result.final_hash is not None
    return "\n".join(after_action_report(records, library, Integrity(str(path), result.records, result.final_hash)))


def test_the_report_labels_the_authors_text_and_the_reconstruction(library, tmp_path):
    kiosk = _report(library, tmp_path / "k", "kiosk_failure", "en")
    assert "Failure has lasted 24 hours [authors' addition]" in kiosk
    assert "Handling over 4 hours —" in kiosk  # the plan's own limit carries no label
    assert "Text marked [authors' addition] is the authors' addition" in kiosk
    assert "Reconstructed" not in kiosk
    gas = _report(library, tmp_path / "g", "gas_accident_report", "zh-Hant",
                  c.LogContact("group_manager", "answered"), c.SetField("reporter_name", "王"),
                  c.SetField("reporter_phone", "138"))
    assert "⚠重組流程：原預案流程圖的箭頭已遺失，步驟次序為編寫者推斷" in gas


def test_the_report_names_the_plan_and_the_playbook_set(library, tmp_path):
    report = _report(library, tmp_path, "kiosk_failure", "zh-Hant")
    assert "依據：客戶服務部突發事件應急處理預案" in report.splitlines()[1]
    assert f"現行預案集雜湊（15 個）：{library.set_hash()}" in report
    assert library.plan_info is not None and len(library.plan_info.provisions) == 2


def test_the_set_hash_follows_every_playbook(library):
    first = sorted(library.playbooks)[0]
    other = Library(playbooks=dict(library.playbooks))
    assert other.set_hash() == library.set_hash()
    loaded = other.playbooks[first]
    other.playbooks[first] = type(loaded)(loaded.playbook, loaded.path, loaded.positions, "sha256:0")
    assert other.set_hash() != library.set_hash()


def test_a_data_folder_without_the_plan_says_its_texts_are_unchecked(tmp_path):
    import shutil

    for name in ("contacts.yaml", "supplies.yaml", "calendar.yaml"):
        shutil.copy(ROOT / "data" / name, tmp_path)
    unchecked = load_library([], tmp_path)
    assert unchecked.plan is None
    assert [w.message for w in unchecked.warnings if w.path.endswith("plan.txt")] == [
        "no plan text: the playbooks' plan-origin texts are not checked against the plan"]
