"""The first screen: find the incident's playbook by typing, confirm it by its
definition, start it with Enter; emergency-call procedures on F5–F8."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ehplan.catalog import Entry
from ehplan.text import AUTHORS_TAG, Lang, tagged
from ehplan.tui.keys import KeySpec, apply_keys, bind_emergency_keys
from ehplan.tui.safe import plain, tr
from ehplan.tui.strings import category_name, t
from ehplan.tui.widgets.footer import WholeFooter
from ehplan.tui.widgets.notices import Notices
from ehplan.tui.widgets.runs_strip import STRIP_ID, RunsStrip
from ehplan.tui.widgets.text_input import TextInput

CATEGORY_ORDER = ("agitated", "personal_safety", "property_loss", "system_failure", "other", "emergency_call")


def search_text(playbook: Entry) -> str:
    """Everything a filter may match: titles, summaries and keywords in every language."""
    parts = [playbook.id]
    for lang in ("zh-Hant", "zh-Hans", "en"):
        parts += [tr(playbook.title, lang), tr(playbook.summary, lang)]
        parts += [tr(k, lang) for k in playbook.keywords]
    return " ".join(parts).casefold()


def matches(playbook: Entry, query: str) -> bool:
    """Every word of the query appears somewhere in the playbook's searchable text."""
    if not query.strip():
        return True  # nothing to match: and no zh-Hans conversion before the first paint
    haystack = search_text(playbook)
    return all(word in haystack for word in query.casefold().split())


def rank(playbook: Entry, query: str) -> int:
    """Higher for a query word that starts a word of the title ("Customer fa"
    → "Customer falls or is taken ill"; a Chinese title starts with it), then
    for one inside the title, then in the keywords, than elsewhere."""
    words = query.casefold().split()
    if not words:
        return 0
    titles = [tr(playbook.title, lang).casefold() for lang in ("zh-Hant", "zh-Hans", "en")]
    title_words = {part for title in titles for part in title.replace("/", " ").split()} | set(titles)
    keywords = " ".join(tr(k, lang) for k in playbook.keywords for lang in ("zh-Hant", "zh-Hans", "en")).casefold()

    def score(word: str) -> int:
        if any(part.startswith(word) for part in title_words):
            return 3
        return 2 if any(word in title for title in titles) else 1 if word in keywords else 0

    return sum(score(word) for word in words)


class PlaybookList(OptionList):
    """The playbooks: a single click only highlights one (its definition shows);
    a double click or Enter starts it, so a live run never starts from one stray click."""

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # not OptionList's own handler, which selects at once
        clicked: int | None = event.style.meta.get("option")
        if clicked is None or self.get_option_at_index(clicked).disabled:
            return
        self.highlighted = clicked
        if event.chain >= 2:
            self.action_select()


class PickerScreen(Screen[None]):
    """Pick the incident."""

    BINDINGS = [
        Binding("down", "move(1)", "↓", show=False, priority=True),
        Binding("up", "move(-1)", "↑", show=False, priority=True),
    ]

    class Start(Message):
        """The operator chose a playbook to run."""

        def __init__(self, playbook_id: str) -> None:
            self.playbook_id = playbook_id
            super().__init__()

    def __init__(self, catalog: list[Entry], lang: Lang) -> None:
        super().__init__()
        self.catalog = catalog
        self.lang = lang

    def _bind_emergency_keys(self) -> None:
        apply_keys(self, [KeySpec("enter", "start", "k_start", priority=True)], self.lang)
        bind_emergency_keys(self, self.catalog, self.lang, "start_id")

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static(plain(t("app_title", lang)), id="picker-title")
        yield TextInput(placeholder=t("filter", lang), id="filter")
        with Horizontal(id="picker-body"):
            yield PlaybookList(id="playbooks")
            with VerticalScroll(id="definition-pane"):
                yield Static(id="definition")
        yield RunsStrip(id=STRIP_ID)  # the runs still open while another incident is picked
        yield Notices(id="notices")  # over the divider, a toast would lose a character (widgets/notices.py)
        yield WholeFooter()

    def on_mount(self) -> None:
        self._bind_emergency_keys()
        self._fill("")
        self.query_one("#filter", Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one("#playbooks", OptionList)
        listed: list[Option] = []  # added in one go: each add_option lays the list out again
        first = None
        groups = [(category, sorted((e for e in self.catalog if e.category == category and matches(e, query)),
                                    key=lambda playbook: -rank(playbook, query)))
                  for category in CATEGORY_ORDER]
        # With a query, the group holding the best match comes first (stable: the plan's order otherwise).
        groups.sort(key=lambda group: -max((rank(e, query) for e in group[1]), default=0))
        for category, found in groups:
            if not found:
                continue
            listed.append(Option(plain(f"── {category_name(category, self.lang)}"), disabled=True))
            for playbook in found:
                key = f"  [{playbook.emergency_key.upper()}]" if playbook.emergency_key else ""
                listed.append(Option(plain(f"  {tr(playbook.title, self.lang)}{key}"), id=playbook.id))
                first = first or playbook.id
        if first is None:
            listed.append(Option(plain(t("no_match", self.lang)), disabled=True))
        options.clear_options()
        options.add_options(listed)
        if first is None:
            self._describe(None)
        else:
            options.highlighted = options.get_option_index(first)
            self._describe(first)

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(OptionList.OptionHighlighted, "#playbooks")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._describe(event.option.id)

    @on(OptionList.OptionSelected, "#playbooks")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(self.Start(event.option.id))

    def _describe(self, playbook_id: str | None) -> None:
        pane = self.query_one("#definition", Static)
        if playbook_id is None:
            pane.update("")
            return
        playbook = next(entry for entry in self.catalog if entry.id == playbook_id)
        lang = self.lang
        lines = [tr(playbook.title, lang), "", tr(playbook.summary, lang), "",
                 f"{t('definition', lang)} ({playbook.source}):",
                 tagged(tr(playbook.definition, lang), playbook.definition, lang, AUTHORS_TAG)]
        if playbook.description is not None:
            lines += ["", tagged(tr(playbook.description, lang), playbook.description, lang, AUTHORS_TAG)]
        pane.update(plain("\n".join(lines)))

    def set_language(self, lang: Lang) -> None:
        """Redraw in ``lang`` in place. Recomposing raced the refill that had to
        follow it: the list was sometimes filled before it was replaced, and
        stayed blank after F9."""
        self.lang = lang
        self.query_one("#picker-title", Static).update(plain(t("app_title", lang)))
        search = self.query_one("#filter", Input)
        search.placeholder = t("filter", lang)
        self._bind_emergency_keys()
        self._fill(search.value)

    def show_catalog(self, catalog: list[Entry]) -> None:
        """Show a newer catalog (the validated files differ from the cached one)."""
        self.catalog = catalog
        self._bind_emergency_keys()
        self._fill(self.query_one("#filter", Input).value)

    def reset(self, catalog: list[Entry], lang: Lang) -> None:
        """Ready for the next incident: an empty filter, in the current language."""
        self.catalog = catalog
        search = self.query_one("#filter", Input)
        search.value = ""
        self.set_language(lang)
        search.focus()

    def action_move(self, delta: int) -> None:
        options = self.query_one("#playbooks", OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_start(self) -> None:
        options = self.query_one("#playbooks", OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if option.id:
            self.post_message(self.Start(option.id))

    def action_start_id(self, playbook_id: str) -> None:
        self.post_message(self.Start(playbook_id))
