"""zh-Hans: ehplan's own strings use mainland IT terms (哈希, 日志文件, 密钥,
字节, 文件, 搜索, 超时), not Taiwan terms carried through OpenCC; the plan's own
text keeps OpenCC's conversion."""

from __future__ import annotations

import pytest

from ehplan import tables
from ehplan.drill import _NOTES as DRILL
from ehplan.engine.messages import TEMPLATES
from ehplan.report.afteraction import _STRINGS as REPORT
from ehplan.text import in_lang, pick
from ehplan.tui.strings import _STRINGS as UI

TAIWAN_TERMS = ("杂凑", "记录档", "金钥", "位元组", "档案", "搜寻", "逾时", "资讯", "磁碟")


@pytest.mark.parametrize("table", [UI, TEMPLATES, REPORT, DRILL], ids=["ui", "engine", "report", "drill"])
def test_no_taiwan_it_term_in_simplified_ui_strings(table):
    for key, pair in table.items():
        shown = in_lang(pair, "zh-Hans")
        assert not [term for term in TAIWAN_TERMS if term in shown], (key, shown)
    for head in tables.heads("zh-Hans"):
        assert not [term for term in TAIWAN_TERMS if term in head], head


def test_the_mainland_words_are_there():
    assert in_lang(UI["final_hash"], "zh-Hans").startswith("最终哈希")
    assert in_lang(UI["log_file"], "zh-Hans") == "日志文件"
    assert in_lang(UI["overdue"], "zh-Hans") == "超时"
    assert "搜索" in in_lang(UI["search"], "zh-Hans")


def test_the_plans_text_keeps_opencc():
    assert pick({"zh-Hant": "調閱監控檔案，逾時回報"}, "zh-Hans") == "调阅监控档案，逾时回报"
