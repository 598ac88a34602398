"""The list of other destinations (同时推多个平台): one row each with its state and Start/Stop,
and a form to add one from a platform preset (push URL + stream key). A view of
`DestinationsController` only."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.destinations import PRESET_BY_KEY, PRESETS, DestinationsController

STATE_COLOURS = {
    "idle": "#888",
    "connecting": "#c90",
    "live": "#d22",
    "reconnecting": "#c60",
    "failed": "#a00",
}


class DestinationsPanel(QWidget):
    def __init__(self, controller: DestinationsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.state_titles = {
            "idle": self.tr("Off"),
            "connecting": self.tr("Connecting…"),
            "live": self.tr("LIVE"),
            "reconnecting": self.tr("Reconnecting…"),
            "failed": self.tr("Problem"),
        }

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Destination"), self.tr("State"), ""])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.preset = QComboBox()
        for preset in PRESETS:
            self.preset.addItem(QCoreApplication.translate("Destinations", preset.name), preset.key)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("name shown here (optional)"))
        self.url = QLineEdit()
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(self.tr("stream key (kept in the system keyring)"))
        self.add_button = QPushButton(self.tr("Add destination"))
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a00;")

        form = QFormLayout()
        form.addRow(self.tr("Platform"), self.preset)
        form.addRow(self.tr("URL 推流地址"), self.url)
        form.addRow(self.tr("Key 推流码"), self.key)
        form.addRow(self.tr("Name"), self.name)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table)
        column.addLayout(form)
        column.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addWidget(self.problem)

        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.add_button.clicked.connect(self._add)
        controller.changed.connect(self._rebuild)
        controller.state_changed.connect(self._show_state)
        controller.figures_updated.connect(self._show_figures)
        controller.notice.connect(self.problem.setText)
        self._preset_changed()
        self._rebuild()

    # ---- adding ----------------------------------------------------------------------------

    def _preset_changed(self) -> None:
        preset = PRESET_BY_KEY[str(self.preset.currentData())]
        self.url.setText(preset.url)
        self.url.setPlaceholderText(preset.hint)

    def _add(self) -> None:
        try:
            self.controller.add(
                self.name.text(), str(self.preset.currentData()), self.url.text(), self.key.text()
            )
        except ValueError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.clear()
        self.key.clear()
        self.name.clear()

    # ---- the rows --------------------------------------------------------------------------

    def row_of(self, destination_id: str) -> int:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == destination_id:
                return row
        return -1

    def _rebuild(self) -> None:
        self.table.setRowCount(0)
        for destination in self.controller.items:
            row = self.table.rowCount()
            self.table.insertRow(row)
            name = QTableWidgetItem(destination.name)
            name.setData(Qt.ItemDataRole.UserRole, destination.id)
            name.setToolTip(destination.url)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem())
            buttons = QWidget()
            line = QHBoxLayout(buttons)
            line.setContentsMargins(2, 0, 2, 0)
            toggle = QPushButton()
            toggle.setObjectName("toggle")
            toggle.clicked.connect(lambda _=False, d=destination.id: self._toggle(d))
            remove = QPushButton("✕")
            remove.setObjectName("remove")
            remove.setToolTip(self.tr("Remove this destination"))
            remove.setFixedWidth(remove.fontMetrics().horizontalAdvance("✕") + 16)
            remove.clicked.connect(lambda _=False, d=destination.id: self.controller.remove(d))
            line.addWidget(toggle)
            line.addWidget(remove)
            self.table.setCellWidget(row, 2, buttons)
            self._show_state(destination.id, *self.controller.state_of(destination.id))
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as its rows (one empty row's space when there are none): no inner scroll."""
        rows = max(1, self.table.rowCount())
        row_height = self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows * row_height + 4)

    def toggle_button(self, destination_id: str) -> QPushButton:
        widget = self.table.cellWidget(self.row_of(destination_id), 2)
        button = widget.findChild(QPushButton, "toggle")
        assert isinstance(button, QPushButton)
        return button

    def _toggle(self, destination_id: str) -> None:
        if destination_id in self.controller.outputs:
            self.controller.stop(destination_id)
        else:
            self.controller.start(destination_id)
        self._show_state(destination_id, *self.controller.state_of(destination_id))

    def _show_state(self, destination_id: str, state: str, message: str) -> None:
        row = self.row_of(destination_id)
        if row < 0:
            return
        item = self.table.item(row, 1)
        assert item is not None
        item.setText(self.state_titles.get(state, state))
        item.setForeground(_colour(STATE_COLOURS.get(state, "#888")))
        item.setToolTip(message)
        name = self.table.item(row, 0)
        destination = self.controller.find(destination_id)
        if name is not None and destination is not None:
            name.setToolTip(f"{destination.url}\n{message}" if message else destination.url)
        running = destination_id in self.controller.outputs
        self.toggle_button(destination_id).setText(self.tr("Stop") if running else self.tr("Start"))
        if state == "failed":
            self.problem.setText(f"{destination.name if destination else ''}: {message}")

    def _show_figures(self, destination_id: str, figures: dict[str, Any]) -> None:
        row = self.row_of(destination_id)
        item = self.table.item(row, 1) if row >= 0 else None
        if item is not None and figures.get("video_kbps"):
            state, _ = self.controller.state_of(destination_id)
            item.setText(
                f"{self.state_titles.get(state, state)} · {figures['video_kbps']:.0f} kbit/s"
            )


def _colour(name: str) -> Any:
    from PySide6.QtGui import QColor

    return QColor(name)
