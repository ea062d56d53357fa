"""Rich tables of the contact directory and the supplies, for the CLI."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text as RichText

from ehplan.playbook.models import text_map
from ehplan.sitedata.models import ContactsFile, SuppliesFile
from ehplan.text import Lang, pick, visible

_HEAD = {
    "zh-Hant": ("緊急應變外部聯系通信錄（公用）", "聯絡人", "單位名稱 / 職務", "聯系電話", "備注", "未填寫",
                "藥品", "維修工具", "品名", "規格", "單位", "數量", "聯系人"),
    "en": ("External emergency directory (public)", "Internal contacts", "Unit / role", "Number", "Remark",
           "not filled in", "Medicines and first aid", "Repair tools", "Item", "Specification",
           "Unit", "Qty", "Contact person"),
}


def heads(lang: Lang) -> tuple[str, ...]:
    """The table headings in ``lang``."""
    if lang == "zh-Hans":
        from ehplan.text import ui_simplified

        return tuple(ui_simplified(h) for h in _HEAD["zh-Hant"])
    return _HEAD[lang]


def _plain(value: object, lang: Lang) -> RichText:
    return RichText(visible(pick(text_map(value), lang)))  # type: ignore[arg-type]


def contacts_table(data: ContactsFile, lang: Lang) -> Table:
    """External numbers on top, then the internal roles; unfilled ones marked."""
    h = heads(lang)
    table = Table(title=f"{h[0]} · {h[1]}", show_lines=False)
    table.add_column(h[2])
    table.add_column(h[12])
    table.add_column(h[3], no_wrap=True)
    table.add_column(h[4])
    for group in ("external", "internal"):
        for contact in (c for c in data.contacts if c.group == group):
            number = RichText(contact.number) if contact.number else RichText(f"({h[5]})", style="italic dim")
            table.add_row(_plain(contact.name, lang), RichText(visible(contact.person)), number,
                          _plain(contact.note, lang))
        if group == "external":
            table.add_section()
    return table


def supplies_table(data: SuppliesFile, lang: Lang) -> Table:
    """Every supply line, first aid then tools."""
    h = heads(lang)
    table = Table(title=f"{h[6]} · {h[7]}")
    for column in (h[8], h[9], h[10], h[11], h[4]):
        table.add_column(column)
    for category in ("first_aid", "tools"):
        for item in (s for s in data.supplies if s.category == category):
            table.add_row(_plain(item.name, lang), _plain(item.spec, lang), _plain(item.unit, lang),
                          RichText(str(item.quantity)), _plain(item.remark, lang))
        if category == "first_aid":
            table.add_section()
    return table


def print_table(table: Table) -> None:
    """Print to stdout."""
    Console().print(table)
