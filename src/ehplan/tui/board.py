"""`ehplan board --hub DSN`: the supervisor's board. Every open incident of
every desk, live (the hub notifies each batch of records it stores), with the
next deadline counting down, warnings (⚠ due soon) and overdue (‼ OVERDUE)
marked in words and symbols as well as colour, the bell on a new incident and
on an expiry; the incidents closed today below. Enter on an incident opens its
live, read-only view on the operator's run screen (`LiveReplayApp`, the replay
screen following the hub) and Ctrl+Q there comes back. Read-only: the board's
login can only read the hub."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from ehplan.audit import AuditRecord
from ehplan.audit.chain import check_one_line
from ehplan.engine.events import EventRecord
from ehplan.hub.board import BoardFeed, BoardRow
from ehplan.hub.db import HubError, HubUnreachable
from ehplan.hub.fetch import HubReader
from ehplan.library import Library
from ehplan.text import Lang, pick, visible
from ehplan.tui.replay import ReplayApp, ReplayScreen
from ehplan.tui.safe import fit, tr
from ehplan.tui.widgets.countdown import clock_text

WORDS: dict[str, dict[str, str]] = {
    "title": {"zh-Hant": "ehplan 值班看板", "zh-Hans": "ehplan 值班看板", "en": "ehplan board"},
    "open": {"zh-Hant": "處理中事件（Enter：即時檢視）", "zh-Hans": "处理中事件（Enter：实时查看）",
             "en": "Open incidents (Enter: live view)"},
    "closed": {"zh-Hant": "今日已結束", "zh-Hans": "今日已结束", "en": "Closed today"},
    "none_open": {"zh-Hant": "目前沒有處理中的事件", "zh-Hans": "目前没有处理中的事件", "en": "No open incident"},
    "desk": {"zh-Hant": "席位", "zh-Hans": "席位", "en": "Desk"},
    "place": {"zh-Hant": "地點", "zh-Hans": "地点", "en": "Hall/seat"},
    "playbook": {"zh-Hant": "預案", "zh-Hans": "预案", "en": "Playbook"},
    "operator": {"zh-Hant": "值班員", "zh-Hans": "值班员", "en": "Operator"},
    "elapsed": {"zh-Hant": "已用時", "zh-Hans": "已用时", "en": "Elapsed"},
    "next": {"zh-Hant": "下一時限", "zh-Hans": "下一时限", "en": "Next deadline"},
    "calls": {"zh-Hant": "通話", "zh-Hans": "通话", "en": "Calls"},
    "started": {"zh-Hant": "開始", "zh-Hans": "开始", "en": "Started"},
    "ended": {"zh-Hant": "結束", "zh-Hans": "结束", "en": "Ended"},
    "outcome": {"zh-Hant": "結果", "zh-Hans": "结果", "en": "Outcome"},
    "overdue": {"zh-Hant": "‼ 已逾時", "zh-Hans": "‼ 已超时", "en": "‼ OVERDUE"},
    "soon": {"zh-Hant": "⚠ 將到時", "zh-Hans": "⚠ 将到时", "en": "⚠ due soon"},
    "live": {"zh-Hant": "hub ✓ 即時", "zh-Hans": "hub ✓ 实时", "en": "hub ✓ live"},
    "unreachable": {"zh-Hant": "hub ✗ 無法連線，自", "zh-Hans": "hub ✗ 无法连接，自", "en": "hub ✗ unreachable since"},
    "connecting": {"zh-Hant": "hub … 連線中", "zh-Hans": "hub … 连接中", "en": "hub … connecting"},
    "n_open": {"zh-Hant": "{n} 件處理中", "zh-Hans": "{n} 件处理中", "en": "{n} open"},
    "drill": {"zh-Hant": "演練", "zh-Hans": "演练", "en": "drill"},
    "new": {"zh-Hant": "新事件", "zh-Hans": "新事件", "en": "New incident"},
    "unreadable": {"zh-Hant": "‼ 無法讀取", "zh-Hans": "‼ 无法读取", "en": "‼ unreadable"},
}


OPEN_COLUMNS = (("desk", 7), ("place", 8), ("playbook", -2), ("operator", 8), ("elapsed", 7), ("next", -3),
                ("calls", 5))
"""Each column and its width (negative: that many shares of what is left)."""
CLOSED_COLUMNS = (("desk", 8), ("place", 9), ("playbook", -1), ("operator", 8), ("started", 5), ("ended", 5),
                  ("outcome", 10), ("calls", 5))


def w(key: str, lang: Lang) -> str:
    return pick(WORDS[key], lang)


class BoardApp(App[None]):
    """The board: two tables and a status line, redrawn every second."""

    TITLE = "ehplan board"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #status { height: 1; background: $panel; padding: 0 1; }
    .heading { height: 1; text-style: bold; padding: 0 1; margin-top: 1; }
    #open { height: auto; max-height: 60%; }
    #closed { height: 1fr; }
    #none { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("ctrl+q", "quit", show=False)]

    def __init__(self, dsn: str, *, zone: dt.tzinfo, lang: Lang = "zh-Hant", library: Library | None = None,
                 now: Callable[[], dt.datetime] | None = None, poll_s: float = 1.0,
                 replay_options: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.replay_options = replay_options
        """`ehplan` options the live view opened with Enter gets (--playbooks, --data)."""
        self.feed = BoardFeed(dsn, zone)
        self.zone = zone
        self.lang: Lang = lang
        self.library = library
        self.now = now or (lambda: dt.datetime.now(dt.UTC))
        self.poll_s = poll_s
        self._lock = threading.Lock()
        self._loaded = False
        self._overdue: set[tuple[tuple[str, str], str]] = set()
        self._hub_text = w("connecting", lang)
        self._stopping = threading.Event()
        self.bells = 0
        """How often the bell rang (the tests count it)."""
        self._width = -1
        self._widths: dict[tuple[str, str], int] = {}
        self._shown_open: list[str] | None = None
        self._shown_closed: list[str] | None = None

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static(id="status")
        yield Static(w("open", lang), classes="heading")
        yield Static(w("none_open", lang), id="none")
        yield DataTable(id="open", cursor_type="row", zebra_stripes=True)
        yield Static(w("closed", lang), classes="heading")
        yield DataTable(id="closed", cursor_type="none", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self._columns(self.size.width)
        self.set_interval(1.0, self.redraw)
        self.follow()
        self.redraw()

    def on_resize(self, event: events.Resize) -> None:
        self._columns(event.size.width)
        self.redraw()

    def _columns(self, width: int) -> None:
        """Fixed column widths that fit the terminal: the free texts (playbook,
        next deadline) get what the others leave; every cell is cut to its column."""
        if width == self._width:
            return
        self._width = width
        for table_id, layout in (("#open", OPEN_COLUMNS), ("#closed", CLOSED_COLUMNS)):
            fixed = sum(size for _key, size in layout if size > 0) + 2 * len(layout) + 3  # padding, scrollbar
            weights = sum(-size for _key, size in layout if size < 0)
            spare = max(2 * weights, width - fixed)
            table: DataTable[Text] = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            for key, size in layout:
                share = size if size > 0 else spare * -size // weights
                self._widths[table_id, key] = share
                table.add_column(w(key, self.lang), key=key, width=share)
        self._shown_open = self._shown_closed = None

    def on_unmount(self) -> None:
        self._stopping.set()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def follow(self) -> None:
        """Refresh whenever the hub notifies (or every few seconds), in a thread."""
        since: dt.datetime | None = None
        waited = False
        while not self._stopping.is_set():
            try:
                with self._lock:
                    new = self.feed.refresh(self.now())
                since = None
                self.call_from_thread(self._refreshed, new, w("live", self.lang))
                waited = self.feed.wait(self.poll_s * 5) or waited
            except HubUnreachable:
                since = since or self.now()
                text = f"{w('unreachable', self.lang)} {since.astimezone(self.zone):%H:%M}"
                self.call_from_thread(self._refreshed, [], text)
                self._stopping.wait(self.poll_s * 2)
            except HubError as exc:
                self.call_from_thread(self._refreshed, [], f"hub ✗ {exc}")
                self._stopping.wait(self.poll_s * 5)
        self.feed.close()

    def _refreshed(self, new: list[tuple[str, str]], hub_text: str) -> None:
        self._hub_text = hub_text
        if self._loaded and new:
            desks = ", ".join(desk for desk, _run in new)
            self.ring()
            self.notify(f"{w('new', self.lang)}: {visible(desks, one_line=True)}", markup=False)
        self._loaded = self._loaded or hub_text == w("live", self.lang)
        self.redraw()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on an open incident: its live, read-only view on the operator's
        run screen (`ehplan replay --follow`), the board back when it is closed."""
        if event.data_table.id != "open" or event.row_key.value is None:
            return
        desk, run = str(event.row_key.value).split("/", 1)
        command = [sys.executable, "-m", "ehplan", *self.replay_options, "replay", "--follow", "--desk", desk,
                   "--lang", self.lang, run]
        try:
            with self.suspend():
                subprocess.run(command, env={**os.environ, "EHPLAN_HUB": self.feed.dsn}, check=False)
        except Exception as exc:  # noqa: BLE001 - no terminal to hand over (a test, a web driver)
            self.notify(f"ehplan replay --follow --desk {desk} {run}: {exc}", markup=False)

    def ring(self) -> None:
        self.bells += 1
        self.bell()

    # --- drawing --------------------------------------------------------------

    def redraw(self) -> None:
        now = self.now()
        with self._lock:
            open_rows, closed_rows = self.feed.rows(now)
        overdue = {(row.key, timer) for row in open_rows for timer in row.overdue}
        if self._loaded and overdue - self._overdue:
            self.ring()
        self._overdue = overdue
        local = now.astimezone(self.zone)
        offset = local.strftime("%z")
        self.query_one("#status", Static).update(Text(
            f"{w('title', self.lang)} │ {self._hub_text} │ {w('n_open', self.lang).format(n=len(open_rows))} │ "
            f"{local:%H:%M:%S} (UTC{offset[:3]}:{offset[3:]})"))
        self.query_one("#none").display = not open_rows
        self._fill_open(open_rows, now)
        self._fill_closed(closed_rows)

    def _fill_open(self, rows: list[BoardRow], now: dt.datetime) -> None:
        table: DataTable[Text] = self.query_one("#open", DataTable)
        keys = [f"{row.desk}/{row.run}" for row in rows]
        if self._shown_open != keys:
            cursor = table.cursor_row
            table.clear()
            for row, key in zip(rows, keys, strict=True):
                table.add_row(*self._open_cells(row, now), key=key)
            if rows:
                table.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
            self._shown_open = keys
            return
        for row, key in zip(rows, keys, strict=True):
            for (column, _size), cell in zip(OPEN_COLUMNS, self._open_cells(row, now), strict=True):
                table.update_cell(key, column, cell)

    def _open_cells(self, row: BoardRow, now: dt.datetime) -> list[Text]:
        mark = row.mark(now)
        style = {"overdue": "bold red", "warning": "bold yellow", "": ""}[mark]
        playbook = self._title(row.playbook) + (f" [{w('drill', self.lang)}]" if row.mode == "drill" else "")
        cells = [row.desk, row.place, playbook, row.operator, clock_text(row.elapsed(now)),
                 self._next_text(row, now), str(row.calls)]
        return [self._cell(text, "#open", key, style if key == "next" else "")
                for text, (key, _size) in zip(cells, OPEN_COLUMNS, strict=True)]

    def _cell(self, text: str, table: str, column: str, style: str = "") -> Text:
        """A cell shown literally (never markup), control characters made visible, cut to its column."""
        return Text(fit(visible(text, one_line=True), self._widths.get((table, column), 20)), style=style)

    def _next_text(self, row: BoardRow, now: dt.datetime) -> str:
        if row.problem:
            return f"{w('unreadable', self.lang)}: {visible(row.problem, one_line=True)}"
        parts = []
        timer = row.next_timer
        overdue = [name for name in row.overdue]
        # The symbol and the time first: at 80 columns the label is what gives way.
        if overdue:
            late = f" +{clock_text((now - timer.due).total_seconds())}" if timer and timer.timer in overdue else ""
            symbol, word = w("overdue", self.lang).split(" ", 1)
            parts.append(f"{symbol}{late} {word} {', '.join(self._timer_label(row, n) for n in overdue)}")
        if timer is not None and timer.timer not in overdue:
            left = clock_text((timer.due - now).total_seconds())
            if row.mark(now) == "warning":
                symbol, word = w("soon", self.lang).split(" ", 1)
                parts.append(f"{symbol} {left} {word} {self._timer_label(row, timer.timer)}")
            else:
                parts.append(f"{left} {self._timer_label(row, timer.timer)}")
        return " · ".join(parts) or "—"

    def _fill_closed(self, rows: list[BoardRow]) -> None:
        table: DataTable[Text] = self.query_one("#closed", DataTable)
        keys = [f"{row.desk}/{row.run}" for row in rows]
        if self._shown_closed == keys:
            return
        table.clear()
        for row, key in zip(rows, keys, strict=True):
            started = row.started_at.astimezone(self.zone).strftime("%H:%M") if row.started_at else "?"
            ended = row.ended_at.astimezone(self.zone).strftime("%H:%M") if row.ended_at else "?"
            cells = [row.desk, row.place, self._title(row.playbook), row.operator, started, ended,
                     row.outcome or "-", str(row.calls)]
            table.add_row(*(self._cell(text, "#closed", column) for text, (column, _size) in zip(cells, CLOSED_COLUMNS,
                                                                                     strict=True)), key=key)
        self._shown_closed = keys

    def _title(self, playbook_id: str) -> str:
        found = self.library.playbooks.get(playbook_id) if self.library is not None else None
        return tr(found.playbook.short_title or found.playbook.title, self.lang) if found is not None else playbook_id

    def _timer_label(self, row: BoardRow, timer_id: str) -> str:
        timer = row.next_timer if row.next_timer is not None and row.next_timer.timer == timer_id else None
        playbook_id = timer.playbook if timer is not None else row.playbook
        found = self.library.playbooks.get(playbook_id) if self.library is not None else None
        declared = next((t for t in found.playbook.timers if t.id == timer_id), None) if found is not None else None
        return tr(declared.label, self.lang) if declared is not None else timer_id




class LiveReplayApp(ReplayApp):
    """One run on the operator's run screen, read-only, following the hub: what
    its desk ships appears within a second, and while the view is at the run's
    latest moment its countdowns run on the wall clock. The replay keys work as
    on a log (Space, ←/→, Home); End comes back to following."""

    def __init__(self, library: Library, path: Path, records: Sequence[EventRecord], *, dsn: str, desk: str,
                 lang: Lang | None = None, now: Callable[[], dt.datetime] | None = None,
                 poll_s: float = 1.0) -> None:
        super().__init__(library, path, records, lang=lang, speed=1)
        self.replay.seek(self.replay.last)
        self.dsn, self.desk, self.run_id = dsn, desk, self.replay.state.run_id
        self.wall = now or (lambda: dt.datetime.now(dt.UTC))
        self.poll_s = poll_s
        self._reader: HubReader | None = None
        self.replay.at = max(self.replay.at, self.wall())

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(self.poll_s, self.follow)

    def on_unmount(self) -> None:
        super().on_unmount()
        if self._reader is not None:
            self._reader.close()

    @work(thread=True, exclusive=True, group="follow", exit_on_error=False)
    def follow(self) -> None:
        """Read what the hub holds beyond the last record shown, in a thread."""
        last = self.replay.records[-1].seq
        try:
            if self._reader is None:
                self._reader = HubReader(self.dsn)
            lines = self._reader.lines_after(self.desk, self.run_id, last)
            records = [AuditRecord(**check_one_line(line.encode("ascii") + b"\n")) for line in lines]
        except (HubError, ValueError) as exc:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
            self.call_from_thread(self.tell, f"hub: {exc}", "refusal", 3)
            return
        if any(record.seq != last + 1 + n for n, record in enumerate(records)):
            return  # not in order: leave it for the next read
        self.call_from_thread(self._more, records)

    def _more(self, records: list[AuditRecord]) -> None:
        replay = self.replay
        following = replay.at_end and not replay.playing
        if records:
            replay.extend(records)
        if following:
            replay.seek(replay.last)
            replay.at = max(replay.at, self.wall())
        if isinstance(self.screen, ReplayScreen) and self.screen.is_mounted:
            self.screen.render_state()
