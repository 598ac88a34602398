"""The question queue panel: ranked questions (pinned first) with pin / answered / dismiss /
merge, and a search over every question ever asked (answered and dismissed included).

It is a view of `AudienceState`: actions go to the state, and the table changes when the state
says the queue changed — so two panels on the same state (host window, assistant window)
always agree. Item views draw text plainly; a question containing markup shows it literally.

The table is ranked by how much each question is asked, so a question asked once sits low; the
"Just asked" lines above it show the newest few questions nobody had asked before (another ask
of a known question only raises its count in the table) the moment they arrive, so the host
never has to scroll to see what is new. The table changes in place (rows inserted or
removed at the end, `dataChanged` for the rest) rather than being reset at every tick: a reset
re-lays out the whole view and drops the scroll position.

A queue the host can click: while the pointer is over the table the rows hold still (counts
of the rows shown still update in place) and a "N new" marker says how much is waiting; the
new order appears when the pointer leaves or the marker is clicked. Selected rows keep their
row when the order changes. Keys in the panel: P pins, A marks answered, N answers the pinned
question and pins the next one. Search results are refreshed after every action.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.danmaku.pipeline import Line
from app.danmaku.questions import QuestionView
from app.danmaku.queue_order import next_to_pin, settle
from app.danmaku.state import AudienceState

JUST_ASKED = 3

_COLUMNS = 4


def _headers() -> tuple[str, ...]:
    return (
        QCoreApplication.translate("QuestionQueue", "Question"),
        QCoreApplication.translate("QuestionQueue", "Asked"),
        QCoreApplication.translate("QuestionQueue", "Askers"),
        QCoreApplication.translate("QuestionQueue", "Status"),
    )


def _status_text(status: str) -> str:
    return {
        "open": QCoreApplication.translate("QuestionQueue", "Open"),
        "pinned": QCoreApplication.translate("QuestionQueue", "Pinned"),
        "answered": QCoreApplication.translate("QuestionQueue", "Answered"),
        "dismissed": QCoreApplication.translate("QuestionQueue", "Dismissed"),
    }.get(status, status)


_Index = QModelIndex | QPersistentModelIndex


class QuestionTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[QuestionView] = []

    def set_rows(self, rows: list[QuestionView]) -> None:
        old, new = len(self.rows), len(rows)
        if new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self.rows = list(rows)
            self.endInsertRows()
        elif new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            self.rows = list(rows)
            self.endRemoveRows()
        else:
            self.rows = list(rows)
        if min(old, new) > 0:
            self.dataChanged.emit(self.index(0, 0), self.index(min(old, new) - 1, _COLUMNS - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else _COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _headers()[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        q = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return q.text
            if column == 1:
                return str(q.count)
            if column == 2:
                return "、".join(q.askers)
            return _status_text(q.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            # Tooltips guess rich text from the content; escaped, a viewer's markup stays text.
            lines = [html.escape(t) for t in (q.text, *q.variants)]
            if q.ordered:
                lines.append(
                    "<i>"
                    + html.escape(
                        QCoreApplication.translate("QuestionQueue", "Asked by a viewer who bought")
                    )
                    + "</i>"
                )
            return "<p>" + "<br>".join(lines) + "</p>"
        if role == Qt.ItemDataRole.FontRole and q.ordered and column == 0:
            font = QFont()
            font.setBold(True)  # a buyer's question: marked, not a status
            return font
        if role == Qt.ItemDataRole.BackgroundRole and q.status == "pinned":
            return QColor("#fff3b0")
        return None


class QuestionQueueWidget(QWidget):
    def __init__(self, state: AudienceState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.pinned_label = QLabel()
        self.pinned_label.setTextFormat(Qt.TextFormat.PlainText)
        self.pinned_label.setWordWrap(True)
        self.just_asked = QLabel()
        self.just_asked.setTextFormat(Qt.TextFormat.PlainText)
        self.just_asked.setStyleSheet("color: #8a6d00")
        self.just_asked_lines: list[Line] = []  # newest first
        self._known: set[int] = set()  # question entries already seen here
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            self.tr("Search all questions (answered and dismissed too), Enter")
        )
        self.search_box.returnPressed.connect(self._search)
        self.search_box.textChanged.connect(self._search_cleared)
        self.model = QuestionTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.viewport().installEventFilter(self)
        self.table.viewport().setMouseTracking(True)
        self.new_marker = QPushButton()
        self.new_marker.setObjectName("questions-new")
        self.new_marker.setFlat(True)
        self.new_marker.setStyleSheet("color: #0b63c5; font-weight: bold; text-align: left")
        self.new_marker.clicked.connect(self.show_waiting)
        self.new_marker.hide()
        self.buttons: dict[str, QPushButton] = {}
        row = QGridLayout()  # two rows of buttons: the panel fits beside a laptop's preview
        for index, (name, label, key, handler) in enumerate(
            (
                ("pin", self.tr("Pin"), "P", self.pin_selected),
                ("unpin", self.tr("Unpin"), "", state.unpin),
                ("answer", self.tr("Answered"), "A", self.answer_selected),
                ("next", self.tr("Next"), "N", self.next_question),
                ("dismiss", self.tr("Dismiss"), "", self.dismiss_selected),
                ("reopen", self.tr("Reopen"), "", self.reopen_selected),
                ("merge", self.tr("Merge"), "", self.merge_selected),
            )
        ):
            button = QPushButton(label)
            button.clicked.connect(handler)
            if key:
                # In the panel only; a line edit keeps its letters (it overrides shortcuts).
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(handler)
                button.setToolTip(self.tr("Key: {0}").format(key))
            self.buttons[name] = button
            row.addWidget(button, *divmod(index, 4))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pinned_label)
        layout.addWidget(self.search_box)
        layout.addWidget(self.just_asked)
        layout.addWidget(self.new_marker)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self._searching: str | None = None
        self._hovering = False
        self.waiting = 0  # ranked questions held back while the pointer is over the table
        state.questionsChanged.connect(self._on_questions)
        state.linesAdded.connect(self._on_lines)
        state.linesRemoved.connect(self._on_lines_removed)
        state.pinnedChanged.connect(self._on_pinned)
        state.searchResults.connect(self._on_search_results)
        self._on_pinned(state.pinned)
        self._on_questions(state.questions)
        self._show_just_asked()

    # --- selection and actions ------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r].id for r in rows if r < len(self.model.rows)]

    def select_ids(self, ids: list[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row, q in enumerate(self.model.rows):
            if q.id in ids:
                selection.select(
                    self.model.index(row, 0),
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )

    def pin_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.state.pin(ids[0])
            self._refresh_search()

    def answer_selected(self) -> None:
        for qid in self.selected_ids():
            self.state.answer(qid)
        self._refresh_search()

    def next_question(self) -> None:
        """The pinned question is answered; pin the best-ranked open one."""
        pinned = self.state.pinned.id if self.state.pinned is not None else None
        following = next_to_pin(self.state.questions, pinned)
        if pinned is not None:
            self.state.answer(pinned)
        if following is not None:
            self.state.pin(following.id)
            self.select_ids([following.id])
        self._refresh_search()

    def dismiss_selected(self) -> None:
        for qid in self.selected_ids():
            self.state.dismiss(qid)
        self._refresh_search()

    def reopen_selected(self) -> None:
        for qid in self.selected_ids():
            self.state.reopen(qid)
        self._refresh_search()

    def _refresh_search(self) -> None:
        """Search results show statuses: ask again after an action (it applies first)."""
        if self._searching is not None:
            self.state.search(self._searching)

    def merge_selected(self) -> None:
        """Merge the selected entries into the most-asked of them."""
        chosen = [q for q in self.model.rows if q.id in set(self.selected_ids())]
        if len(chosen) < 2:
            return
        target = max(chosen, key=lambda q: q.count)
        self.state.merge([q.id for q in chosen if q.id != target.id], target.id)

    # --- state changes --------------------------------------------------------------------
    def _on_questions(self, questions: list[QuestionView]) -> None:
        if self._searching is not None:
            return
        keep = self.selected_ids()
        rows, self.waiting = settle(self.model.rows, questions, keep, self._hovering)
        self.model.set_rows(rows)
        if keep:
            self.select_ids(keep)
        self.new_marker.setVisible(self.waiting > 0)
        self.new_marker.setText(self.tr("▲ %n new — show", "", self.waiting))

    def show_waiting(self) -> None:
        """Show the latest ranking now (the marker was clicked, or the pointer left)."""
        hovering, self._hovering = self._hovering, False
        self._on_questions(self.state.questions)
        self._hovering = hovering

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The pointer over the table holds its rows still; leaving shows what waited."""
        if event.type() == QEvent.Type.Enter:
            self._hovering = True
        elif event.type() == QEvent.Type.Leave:
            self._hovering = False
            self._on_questions(self.state.questions)
        return False

    def _on_lines(self, lines: list[Line]) -> None:
        asked = []
        for line in reversed(lines):
            if line.kind == "question" and line.question not in self._known:
                if not line.restored:  # from before a resume: in the table, not "just asked"
                    asked.append(line)
                if line.question is not None:
                    self._known.add(line.question)
        if asked:
            self.just_asked_lines = (asked + self.just_asked_lines)[:JUST_ASKED]
            self._show_just_asked()

    def _on_lines_removed(self, line_ids: list[int]) -> None:
        gone = set(line_ids)
        kept = [line for line in self.just_asked_lines if line.id not in gone]
        if len(kept) != len(self.just_asked_lines):
            self.just_asked_lines = kept
            self._show_just_asked()

    def _show_just_asked(self) -> None:
        texts = [line.text.replace("\n", " ") for line in self.just_asked_lines] or [
            self.tr("nothing yet")
        ]
        texts += [""] * (JUST_ASKED - len(texts))  # a steady height: the table does not jump
        self.just_asked.setText(self.tr("Just asked:") + "\n" + "\n".join(texts))

    def _on_pinned(self, pinned: QuestionView | None) -> None:
        self.pinned_label.setText(
            self.tr("Pinned: {0}").format(pinned.text)
            if pinned is not None
            else self.tr("Nothing pinned")
        )

    def _search(self) -> None:
        query = self.search_box.text().strip()
        if query:
            self._searching = query
            self.state.search(query)

    def _search_cleared(self, text: str) -> None:
        if not text.strip() and self._searching is not None:
            self._searching = None
            self.model.set_rows(self.state.questions)

    def _on_search_results(
        self, query: str, questions: list[QuestionView], rows: list[Any]
    ) -> None:
        if query == self._searching:
            self.model.set_rows(questions)
