"""A video layer's filters, as OBS lists a source's filters: the list in the order they apply
(a box to switch each off), Add (every registered kind), Remove, ▲/▼, and the selected
filter's generated settings panel. Edits go to the program as the layer's new filter list."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture.filters import FILTERS
from capture.program.layer import FilterSpec
from capture.properties import from_dict, to_dict
from widgets.move_buttons import move_buttons
from widgets.property_form import PropertyForm

Apply = Callable[[tuple[FilterSpec, ...]], None]


def filter_label(kind: str) -> str:
    cls = FILTERS.get(kind)
    text = cls.label if cls is not None else kind
    return QCoreApplication.translate("Filters", text)


class FilterList(QWidget):
    def __init__(
        self, filters: tuple[FilterSpec, ...], apply: Apply, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._filters = filters
        self._apply = apply
        self.list = QListWidget()
        self.list.setObjectName("filter-list")
        self.list.setMaximumHeight(90)
        self.list.currentRowChanged.connect(lambda _row: self._show_form())
        self.list.itemChanged.connect(self._toggled)
        self.kinds = QComboBox()
        # Its longest filter name would otherwise set the dock's width (it scrolled sideways).
        self.kinds.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kinds.setMinimumContentsLength(8)
        for kind in FILTERS:
            self.kinds.addItem(filter_label(kind), kind)
        self.add_button = QPushButton(self.tr("Add filter"))
        self.add_button.clicked.connect(lambda: self.add(str(self.kinds.currentData())))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove)
        self.up_button, self.down_button = move_buttons(
            self._move, self.tr("Apply earlier"), self.tr("Apply later")
        )
        self.form: PropertyForm | None = None
        self._form_holder = QVBoxLayout()
        adding = QHBoxLayout()
        adding.addWidget(self.kinds, 1)
        adding.addWidget(self.add_button)
        editing = QHBoxLayout()
        for b in (self.remove_button, self.up_button, self.down_button):
            editing.addWidget(b)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(adding)
        column.addWidget(self.list)
        column.addLayout(editing)
        column.addLayout(self._form_holder)
        self.show_filters(filters)

    def show_filters(self, filters: tuple[FilterSpec, ...]) -> None:
        row = max(0, self.list.currentRow())
        self._filters = filters
        self.list.blockSignals(True)
        self.list.clear()
        for spec in filters:
            item = QListWidgetItem(filter_label(spec.kind))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if spec.enabled else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.setCurrentRow(min(row, len(filters) - 1))
        self.list.blockSignals(False)
        self._show_form()

    def _show_form(self) -> None:
        row = self.list.currentRow()
        spec = self._filters[row] if 0 <= row < len(self._filters) else None
        cls = FILTERS.get(spec.kind) if spec is not None else None
        for b in (self.remove_button, self.up_button, self.down_button):
            b.setEnabled(spec is not None)
        settings = from_dict(cls.Settings, dict(spec.settings)) if spec and cls else None
        if (
            self.form is not None
            and settings is not None
            and type(self.form.settings) is type(settings)
        ):
            self.form.show_settings(settings)
            return
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
            self.form = None
        if settings is not None:
            self.form = PropertyForm(settings)
            self.form.setObjectName("filter-settings")
            self.form.changed.connect(self._edited)
            self._form_holder.addWidget(self.form)

    def _set(self, filters: tuple[FilterSpec, ...]) -> None:
        self._filters = filters
        self._apply(filters)

    def add(self, kind: str) -> None:
        self._set((*self._filters, FilterSpec(kind, to_dict(FILTERS[kind].Settings()))))
        self.list.setCurrentRow(len(self._filters) - 1)

    def remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._filters):
            self._set(self._filters[:row] + self._filters[row + 1 :])

    def _move(self, delta: int) -> None:
        row = self.list.currentRow()
        specs = list(self._filters)
        target = row + delta
        if 0 <= row < len(specs) and 0 <= target < len(specs):
            specs.insert(target, specs.pop(row))
            self._set(tuple(specs))
            self.list.setCurrentRow(target)

    def _toggled(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        spec = self._filters[row]
        enabled = item.checkState() == Qt.CheckState.Checked
        if enabled != spec.enabled:
            specs = list(self._filters)
            specs[row] = FilterSpec(spec.kind, spec.settings, enabled)
            self._set(tuple(specs))

    def _edited(self, settings: object) -> None:
        row = self.list.currentRow()
        spec = self._filters[row]
        specs = list(self._filters)
        specs[row] = FilterSpec(spec.kind, to_dict(settings), spec.enabled)
        self._set(tuple(specs))
