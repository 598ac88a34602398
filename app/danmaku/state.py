"""AudienceState: the one shared audience state that the host window and the assistant window
both observe. Both are views of it, so an action taken in either shows in both at once.

It lives on the GUI thread. Every 33 ms (≤ 30 Hz) it takes whatever the pipeline produced since
the last tick and emits each kind of change once — never a signal per message. Memory stays
bounded: `lines` keeps the most recent stream for display; the full history is in the journal.
Actions go to the pipeline's thread (`DanmakuWorker.command`), whose effect comes back through
the same tick.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from app.danmaku.commands import Command
from app.danmaku.filters import FilterConfig
from app.danmaku.pipeline import Line, Update
from app.danmaku.questions import QuestionView
from app.lottery.live import LotteryView
from app.sale.flash import Sale

TICK_MS = 33
RECENT_LINES = 5_000


class UpdateSource(Protocol):
    def take_update(self) -> Update: ...

    def command(self, action: str, **args: Any) -> None: ...


class NoSource:
    """Stands in until the show's pipeline exists (e.g. while the host decides whether to
    resume a crashed show): nothing arrives, actions are ignored."""

    def take_update(self) -> Update:
        return Update()

    def command(self, action: str, **args: Any) -> None:
        return None


class AudienceState(QObject):
    linesAdded = Signal(list)  # list[Line], oldest first
    linesChanged = Signal(list)  # list[Line] whose count changed
    linesRemoved = Signal(list)  # list[int] line ids
    questionsChanged = Signal(list)  # list[QuestionView], ranked (pinned first)
    pinnedChanged = Signal(object)  # QuestionView | None
    filtersChanged = Signal(object)  # FilterConfig
    countersChanged = Signal(dict)
    searchResults = Signal(str, list, list)  # query, list[QuestionView], list[journal rows]
    notice = Signal(str)  # plain words for the status bar
    salesChanged = Signal(list)  # list[app.sale.flash.Sale]
    lotteryChanged = Signal(object)  # app.lottery.live.LotteryView

    def __init__(self, source: UpdateSource | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source: UpdateSource = source if source is not None else NoSource()
        self._lines: OrderedDict[int, Line] = OrderedDict()
        self.questions: list[QuestionView] = []
        self.pinned: QuestionView | None = None
        self.filters = FilterConfig()
        self.counters: dict[str, int] = {}
        self.sales: list[Sale] = []
        self.lottery: LotteryView | None = None
        #: The room (hub) clock minus this machine's, ms: countdowns end on the room's clock.
        self.room_offset_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    def set_source(self, source: UpdateSource) -> None:
        """Start observing a (new) pipeline; its first update restores what it already holds."""
        self._source = source

    # --- reading ------------------------------------------------------------------------------
    def lines(self) -> list[Line]:
        """The recent stream, oldest first."""
        return list(self._lines.values())

    def line(self, line_id: int) -> Line | None:
        return self._lines.get(line_id)

    # --- actions (GUI thread) -------------------------------------------------------------
    def block_word(self, word: str) -> None:
        self._source.command("block_word", word=word)

    def unblock_word(self, word: str) -> None:
        self._source.command("unblock_word", word=word)

    def block_user(self, user_id: str) -> None:
        self._source.command("block_user", user_id=user_id)

    def unblock_user(self, user_id: str) -> None:
        self._source.command("unblock_user", user_id=user_id)

    def block_senders(self, line: Line) -> None:
        """Block everyone whose message `line` shows (all senders of a collapsed line)."""
        self._source.command("block_senders", line_id=line.id, user_id=line.user_id)

    def block_lists(self, words: list[str], users: list[str]) -> None:
        """Add many words and users at once (a saved or imported list)."""
        self._source.command("block_lists", words=list(words), users=list(users))

    def delete_line(self, line_id: int) -> None:
        self._source.command("delete", line_id=line_id)

    def pin(self, question_id: int) -> None:
        self._source.command("pin", question_id=question_id)

    def unpin(self) -> None:
        self._source.command("unpin")

    def answer(self, question_id: int) -> None:
        self._source.command("answer", question_id=question_id)

    def dismiss(self, question_id: int) -> None:
        self._source.command("dismiss", question_id=question_id)

    def reopen(self, question_id: int) -> None:
        self._source.command("reopen", question_id=question_id)

    def merge(self, source_ids: list[int], target_id: int) -> None:
        self._source.command("merge", source_ids=list(source_ids), target_id=target_id)

    def bookmark(self, label: str) -> None:
        """Mark this moment of the show (journaled; a marker on the insights' charts)."""
        self._source.command("bookmark", label=label)

    def search(self, query: str) -> None:
        """Search questions (any status) and the journaled stream; answers via `searchResults`."""
        self._source.command("search", query=query)

    def send(self, command: Command) -> None:
        """Any typed audience command (sales, lotteries...)."""
        self._source.command(command.action, **command.args())

    # --- applying updates -----------------------------------------------------------------
    def tick(self) -> None:
        update = self._source.take_update()
        if update.empty():
            return
        if update.lines:
            for line in update.lines:
                self._lines[line.id] = line
            while len(self._lines) > RECENT_LINES:
                self._lines.popitem(last=False)
        changed = []
        for line_id, count in update.bumps.items():
            bumped = self._lines.get(line_id)
            if bumped is not None:
                bumped.count = count
                changed.append(bumped)
        removed = [i for i in update.removed_lines if self._lines.pop(i, None) is not None]
        if update.removed_users:
            gone = [i for i, line in self._lines.items() if line.user_id in update.removed_users]
            for i in gone:
                del self._lines[i]
            removed.extend(gone)
        if update.lines:
            self.linesAdded.emit([line for line in update.lines if line.id in self._lines])
        if changed:
            self.linesChanged.emit(changed)
        if removed:
            self.linesRemoved.emit(removed)
        if update.filters is not None:
            self.filters = update.filters
            self.filtersChanged.emit(update.filters)
        if update.pinned_changed:
            self.pinned = update.pinned
            self.pinnedChanged.emit(update.pinned)
        if update.questions is not None:
            self.questions = update.questions
            self.questionsChanged.emit(update.questions)
        if update.counters is not None:
            self.counters = update.counters
            self.countersChanged.emit(update.counters)
        if update.room_offset_ms is not None:
            self.room_offset_ms = update.room_offset_ms
        if update.sales is not None:
            self.sales = update.sales
            self.salesChanged.emit(update.sales)
        if update.lottery is not None:
            self.lottery = update.lottery
            self.lotteryChanged.emit(update.lottery)
        for query, questions, rows in update.searches:
            self.searchResults.emit(query, questions, rows)
        for message in update.notices:
            self.notice.emit(message)
