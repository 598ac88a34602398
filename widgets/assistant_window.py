"""The assistant window: a second top-level window (second screen, second person) on the same
`AudienceState` as the host window — the full message stream with search, the question queue
with every action, moderation (block word / user, delete message) and the show's products
(the same `ProductCatalog` the console's Products dock edits). Because both windows
are views of one state, an action here shows in the host window on the next state tick.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.danmaku.journal import EventRow
from app.danmaku.pipeline import Line
from app.danmaku.questions import QuestionView
from app.danmaku.state import RECENT_LINES, AudienceState
from app.sale.catalog import ProductCatalog
from widgets.question_queue import QuestionQueueWidget
from widgets.sale_products import ProductEditor

_Index = QModelIndex | QPersistentModelIndex
LINE_ROLE = Qt.ItemDataRole.UserRole + 1
_KIND_COLORS = {"question": QColor("#8a6d00"), "cheer": QColor("#1f6f8b")}


def line_text(line: Line) -> str:
    count = f" ×{line.count}" if line.count > 1 else ""
    return f"{line.user_name}: {line.text}{count}"


class LinesModel(QAbstractListModel):
    """The recent stream as a list model, appended to in batches (one insert per state tick)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[Line] = []
        self._position: dict[int, int] = {}  # line id -> position counted from the first ever
        self._dropped = 0  # lines trimmed from the front since then

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.lines)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return line_text(line)
        if role == LINE_ROLE:
            return line
        if role == Qt.ItemDataRole.ForegroundRole:
            return _KIND_COLORS.get(line.kind)
        return None

    def append(self, lines: list[Line]) -> None:
        if not lines:
            return
        start = len(self.lines)
        self.beginInsertRows(QModelIndex(), start, start + len(lines) - 1)
        for offset, line in enumerate(lines, self._dropped + start):
            self._position[line.id] = offset
        self.lines.extend(lines)
        self.endInsertRows()
        overflow = len(self.lines) - RECENT_LINES
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            for line in self.lines[:overflow]:
                self._position.pop(line.id, None)
            del self.lines[:overflow]
            self._dropped += overflow
            self.endRemoveRows()

    def changed(self, lines: list[Line]) -> None:
        rows = [
            p - self._dropped
            for p in (self._position.get(line.id) for line in lines)
            if p is not None
        ]
        if rows:  # one signal for the tick's whole range: views repaint once
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)))

    def remove(self, line_ids: list[int]) -> None:
        gone = set(line_ids)
        if not any(line.id in gone for line in self.lines):
            return
        self.beginResetModel()
        self.lines = [line for line in self.lines if line.id not in gone]
        self._dropped = 0
        self._position = {line.id: row for row, line in enumerate(self.lines)}
        self.endResetModel()


class AssistantWindow(QMainWindow):
    def __init__(self, state: AudienceState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle(self.tr("LiveDesk assistant — audience"))

        # Message stream with a live filter, and a search of the whole journal.
        self.model = LinesModel(self)
        self.model.append(state.lines())
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.stream = QListView()
        self.stream.setModel(self.proxy)
        self.stream.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.stream.setUniformItemSizes(True)
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText(
            self.tr("Filter the stream; Enter searches the whole show")
        )
        self.filter_box.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter_box.returnPressed.connect(self._search_history)
        self.history = QListWidget()
        self.history.hide()
        self._history_query = ""

        self.delete_button = QPushButton(self.tr("Delete message"))
        self.delete_button.clicked.connect(self.delete_selected)
        self.block_user_button = QPushButton(self.tr("Block sender"))
        self.block_user_button.clicked.connect(self.block_selected_user)
        self.word_box = QLineEdit()
        self.word_box.setPlaceholderText(
            self.tr("Word to block (pinyin and look-alikes are caught too)")
        )
        self.word_box.returnPressed.connect(self.block_word_from_box)
        self.blocked_words = QListWidget()
        unblock = QPushButton(self.tr("Unblock word"))
        unblock.clicked.connect(self._unblock_selected_word)

        moderation = QHBoxLayout()
        moderation.addWidget(self.delete_button)
        moderation.addWidget(self.block_user_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.filter_box)
        left_layout.addWidget(self.stream, 3)
        left_layout.addWidget(self.history, 1)
        left_layout.addLayout(moderation)
        left_layout.addWidget(QLabel(self.tr("Blocked words")))
        left_layout.addWidget(self.word_box)
        left_layout.addWidget(self.blocked_words, 1)
        left_layout.addWidget(unblock)

        self.queue = QuestionQueueWidget(state)
        self.counters_label = QLabel()
        self.counters_label.setTextFormat(Qt.TextFormat.PlainText)
        questions = QWidget()
        right_layout = QVBoxLayout(questions)
        right_layout.addWidget(self.queue, 1)
        right_layout.addWidget(self.counters_label)
        self.products = ProductEditor(ProductCatalog.of(state))
        right = QTabWidget()
        right.addTab(questions, self.tr("Questions"))
        right.addTab(self.products, self.tr("Products"))
        self.tabs = right

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        self.setCentralWidget(splitter)
        self.resize(1100, 700)

        state.linesAdded.connect(self._append)
        state.linesChanged.connect(self.model.changed)
        state.linesRemoved.connect(self.model.remove)
        state.filtersChanged.connect(self._on_filters)
        state.countersChanged.connect(self._on_counters)
        state.searchResults.connect(self._on_search_results)
        state.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._on_filters(state.filters)
        self._on_counters(state.counters)

    def _append(self, lines: list[Line]) -> None:
        """New lines at the bottom; follow them unless the assistant scrolled up to read."""
        bar = self.stream.verticalScrollBar()
        following = bar.value() >= bar.maximum() - 2
        self.model.append(lines)
        if following:
            self.stream.scrollToBottom()

    # --- moderation -----------------------------------------------------------------------
    def selected_line(self) -> Line | None:
        indexes = self.stream.selectionModel().selectedIndexes()
        if not indexes:
            return None
        line = indexes[0].data(LINE_ROLE)
        return line if isinstance(line, Line) else None

    def delete_selected(self) -> None:
        line = self.selected_line()
        if line is not None:
            self.state.delete_line(line.id)

    def block_selected_user(self) -> None:
        line = self.selected_line()
        if line is not None:
            self.state.block_senders(line)  # a collapsed line: all its senders

    def block_word_from_box(self) -> None:
        word = self.word_box.text().strip()
        if word:
            self.state.block_word(word)
            self.word_box.clear()

    def _unblock_selected_word(self) -> None:
        for item in self.blocked_words.selectedItems():
            self.state.unblock_word(item.text())

    # --- state changes --------------------------------------------------------------------
    def _on_filters(self, config: Any) -> None:
        self.blocked_words.clear()
        self.blocked_words.addItems(list(config.blocked_words))

    def _on_counters(self, counters: dict[str, int]) -> None:
        hidden = sum(
            v for k, v in counters.items() if k.startswith("status:") and k != "status:shown"
        )
        rejected = sum(v for k, v in counters.items() if k.startswith("rejected:"))
        self.counters_label.setText(
            self.tr(
                "messages {messages} · questions {questions} · spam {spam} · hidden {hidden} · "
                "rejected {rejected} · likes {likes} · orders {orders}"
            ).format(
                messages=counters.get("danmaku", 0),
                questions=counters.get("question", 0),
                spam=counters.get("spam", 0),
                hidden=hidden,
                rejected=rejected,
                likes=counters.get("likes", 0),
                orders=counters.get("order", 0),
            )
        )

    def _search_history(self) -> None:
        query = self.filter_box.text().strip()
        if query:
            self._history_query = query
            self.state.search(query)

    def _on_search_results(
        self, query: str, questions: list[QuestionView], rows: list[EventRow]
    ) -> None:
        if query != self._history_query:
            return
        self.history.clear()
        self.history.addItems(
            [f"#{row[0]} {row[4]}: {row[5]}  [{row[6]}, {row[7]}]" for row in rows]
        )
        self.history.show()
