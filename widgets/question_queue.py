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
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor
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


def status_text(status: str) -> str:
    return {
        "open": QCoreApplication.translate("QuestionQueue", "open"),
        "pinned": QCoreApplication.translate("QuestionQueue", "pinned"),
        "answered": QCoreApplication.translate("QuestionQueue", "answered"),
        "dismissed": QCoreApplication.translate("QuestionQueue", "dismissed"),
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
            ordered = QCoreApplication.translate("QuestionQueue", " · ordered")
            return status_text(q.status) + (ordered if q.ordered else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            # Tooltips guess rich text from the content; escaped, a viewer's markup stays text.
            return "<p>" + "<br>".join(html.escape(t) for t in (q.text, *q.variants)) + "</p>"
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
        self.buttons: dict[str, QPushButton] = {}
        row = QGridLayout()  # two rows of three: the panel fits a laptop's side column
        for name, label, handler in (
            ("pin", self.tr("Pin"), self.pin_selected),
            ("unpin", self.tr("Unpin"), state.unpin),
            ("answer", self.tr("Answered"), self.answer_selected),
            ("dismiss", self.tr("Dismiss"), self.dismiss_selected),
            ("reopen", self.tr("Reopen"), self.reopen_selected),
            ("merge", self.tr("Merge"), self.merge_selected),
        ):
            button = QPushButton(label)
            button.clicked.connect(handler)
            row.addWidget(button, len(self.buttons) // 3, len(self.buttons) % 3)
            self.buttons[name] = button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pinned_label)
        layout.addWidget(self.search_box)
        layout.addWidget(self.just_asked)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self._searching: str | None = None
        self._selected_ids: list[int] = []
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

    def answer_selected(self) -> None:
        for qid in self.selected_ids():
            self.state.answer(qid)

    def dismiss_selected(self) -> None:
        for qid in self.selected_ids():
            self.state.dismiss(qid)

    def reopen_selected(self) -> None:
        for qid in self.selected_ids():
            self.state.reopen(qid)

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
        self.model.set_rows(questions)
        if keep:
            self.select_ids(keep)

    def _on_lines(self, lines: list[Line]) -> None:
        asked = []
        for line in reversed(lines):
            if line.kind == "question" and line.question not in self._known:
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
            self.tr("Pinned: {text}").format(text=pinned.text)
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
