"""The contact directory (S8) and the supplies inventory (S9), each a screen
over whatever is underneath, so a run is never lost by looking something up."""

from __future__ import annotations

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from ehplan.library import Library
from ehplan.text import LANGS, Lang, visible
from ehplan.tui.keys import KeySpec, apply_keys
from ehplan.tui.safe import plain, tr
from ehplan.tui.strings import t
from ehplan.tui.widgets.footer import WholeFooter
from ehplan.tui.widgets.text_input import TextInput


class LookupScreen(Screen[None]):
    """Something to look up in the library, over whatever is underneath (a run is
    never lost by it); Esc goes back."""

    KEYS = [KeySpec("escape", "app.pop_screen", "back")]
    TITLE_KEY = ""

    def __init__(self, library: Library, lang: Lang) -> None:
        super().__init__(classes="directory")
        self.library = library
        self.lang = lang

    def compose_title(self) -> ComposeResult:
        """The keys and the screen's title."""
        apply_keys(self, self.KEYS, self.lang)
        yield Static(plain(t(self.TITLE_KEY, self.lang)), classes="screen-title")


class _TableScreen(LookupScreen):
    """A searchable table."""

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        yield TextInput(placeholder=t("search", self.lang), id="table-filter")
        yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
        yield WholeFooter()

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    @on(Input.Submitted, "#table-filter")
    def _submitted(self) -> None:
        """Enter in the search box takes the highlighted row, as Enter in the table does."""
        table = self.query_one(DataTable)
        if table.row_count:
            self.chosen(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.chosen(str(event.row_key.value))

    def chosen(self, key: str) -> None:
        """A row was taken with Enter; each screen says what that does."""

    @on(Input.Changed, "#table-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        # DataTable measures Rich Text, not Content; Text() is literal (no markup).
        table.add_columns(*(RichText(visible(h)) for h in self.headings()))
        words = query.casefold().split()
        for row in self.rows():
            haystack = " ".join([*row, self.also_found_by(row[0])]).casefold()
            if all(word in haystack for word in words):
                table.add_row(*(RichText(visible(cell)) for cell in row[1:]), key=row[0])

    def headings(self) -> list[str]:
        """Column headings; each screen names its own."""
        return []

    def rows(self) -> list[list[str]]:
        """Table rows as plain strings, each after its key (not shown); each screen provides its own."""
        return []

    def also_found_by(self, key: str) -> str:
        """Words the search finds a row by beyond what it shows: its names in
        every language, so "police" finds 公安局 whatever the UI language."""
        return ""


class ContactsScreen(_TableScreen):
    """S8.2's 公用 (public) emergency numbers first, then the internal roles
    (S8.1), in the plan's columns: unit, contact person, number, remark."""

    TITLE_KEY = "contacts"

    def headings(self) -> list[str]:
        lang = self.lang
        return ["", tr({"zh-Hant": "單位名稱 / 職務", "en": "Unit / role"}, lang), t("person", lang),
                tr({"zh-Hant": "聯系電話", "en": "Number"}, lang), t("remark", lang)]

    def rows(self) -> list[list[str]]:
        lang = self.lang
        rows = []
        contacts = self.library.contacts.contacts if self.library.contacts else []
        for group in ("external", "internal"):
            for contact in (c for c in contacts if c.group == group):
                blank = f"({t('not_filled', lang)})" if contact.site_fills_number else "—"
                rows.append([contact.id, t(group, lang), tr(contact.name, lang), contact.person,
                             contact.number or blank,
                             tr(contact.note, lang)])
        return rows

    def also_found_by(self, key: str) -> str:
        contact = self.library.contact(key)
        return " ".join([key, *(tr(text, lang) for text in (contact.name, contact.note) for lang in LANGS)])

    def chosen(self, key: str) -> None:
        """Enter on a contact during a run logs a call to it for the current step."""
        from ehplan.tui.screens.run import RunScreen

        under = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if not isinstance(under, RunScreen) or not under.can_log_call():
            self.notify(t("call_from_run", self.lang), severity="warning", timeout=5, markup=False)
            return
        self.app.pop_screen()
        under.log_call(key)


class SuppliesScreen(_TableScreen):
    """Every line of the service hall's standard supplies."""

    TITLE_KEY = "supplies"

    def headings(self) -> list[str]:
        lang = self.lang
        return ["", tr({"zh-Hant": "品名", "en": "Item"}, lang), t("spec", lang), t("unit", lang),
                t("qty", lang), t("remark", lang)]

    def rows(self) -> list[list[str]]:
        lang = self.lang
        supplies = self.library.supplies.supplies if self.library.supplies else []
        return [[s.id, t(s.category, lang), tr(s.name, lang), tr(s.spec, lang), tr(s.unit, lang),
                 str(s.quantity), tr(s.remark, lang)] for s in supplies]
