"""A panel generated from a settings description (`capture/properties.py`), as OBS generates a
source's properties dialog: no part writes its own widgets for its settings.

`PropertyForm(settings)` shows one row per described setting and emits `changed(new_settings)`
with a validated copy whenever the person edits a control. `show_settings(s)` updates the
controls from outside (another window changed them) without emitting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from capture.properties import Kind, Property, properties, validated

SLIDER_STEPS = 1000  # a float slider's resolution over its range


def translate(text: str) -> str:
    """Property labels, units and help are English source text in the "Properties" context."""
    return QCoreApplication.translate("Properties", text) if text else ""


class _Row:
    """One control: `widget` is placed in the form; `set(v)` shows a value without emitting."""

    def __init__(self, widget: QWidget, setter: Callable[[Any], None]) -> None:
        self.widget = widget
        self.set = setter


class PropertyForm(QWidget):
    #: A validated copy of the settings after each edit by the person.
    changed = Signal(object)

    def __init__(self, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._rows: dict[str, _Row] = {}
        self._updating = False
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # A narrow dock puts a long label above its field rather than scrolling sideways.
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for prop in properties(type(settings)):
            row = self._build(prop)
            row.widget.setObjectName(f"property-{prop.name}")
            if prop.help:
                row.widget.setToolTip(translate(prop.help))
            self._rows[prop.name] = row
            layout.addRow(translate(prop.label), row.widget)
        self.show_settings(settings)

    @property
    def settings(self) -> Any:
        return self._settings

    def control(self, name: str) -> QWidget:
        """The widget that edits setting `name` (tests and focus handling)."""
        return self._rows[name].widget

    def show_settings(self, settings: Any) -> None:
        self._settings = settings
        self._updating = True
        try:
            for name, row in self._rows.items():
                row.set(getattr(settings, name))
        finally:
            self._updating = False

    def _edited(self, name: str, value: Any) -> None:
        if self._updating:
            return
        new = validated(self._settings, **{name: value})
        if new == self._settings:
            return
        self._settings = new
        self._updating = True
        try:
            self._rows[name].set(getattr(new, name))  # show the clamped value
        finally:
            self._updating = False
        self.changed.emit(new)

    # -- one builder per kind --------------------------------------------------------------
    def _build(self, prop: Property) -> _Row:
        builders: dict[Kind, Callable[[Property], _Row]] = {
            Kind.BOOL: self._bool,
            Kind.INT: self._number,
            Kind.FLOAT: self._number,
            Kind.CHOICE: self._choice,
            Kind.TEXT: self._text,
            Kind.PATH: self._path,
            Kind.COLOR: self._color,
        }
        return builders[prop.kind](prop)

    def _bool(self, prop: Property) -> _Row:
        box = QCheckBox()
        box.toggled.connect(lambda on: self._edited(prop.name, bool(on)))
        return _Row(box, box.setChecked)

    def _number(self, prop: Property) -> _Row:
        is_int = prop.kind is Kind.INT
        spin: QSpinBox | QDoubleSpinBox = QSpinBox() if is_int else QDoubleSpinBox()
        lo = prop.minimum if prop.minimum is not None else -1e9
        hi = prop.maximum if prop.maximum is not None else 1e9
        if isinstance(spin, QDoubleSpinBox):
            spin.setDecimals(_decimals(prop))
            spin.setRange(lo, hi)
            spin.setSingleStep(prop.step or _default_step(prop))
            spin.valueChanged.connect(lambda v: self._edited(prop.name, float(v)))
        else:
            spin.setRange(int(lo), int(hi))
            spin.setSingleStep(int(prop.step or 1))
            spin.valueChanged.connect(lambda v: self._edited(prop.name, int(v)))
        if prop.unit:
            spin.setSuffix(f" {translate(prop.unit)}")
        spin.setKeyboardTracking(False)
        if prop.minimum is None or prop.maximum is None:
            return _Row(spin, spin.setValue)
        # A bounded number gets a slider beside its box, as OBS shows one.
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(0, SLIDER_STEPS)
        span = (hi - lo) or 1.0

        def to_slider(v: float) -> int:
            return round((v - lo) / span * SLIDER_STEPS)

        def from_slider(pos: int) -> float:
            return lo + pos / SLIDER_STEPS * span

        slider.valueChanged.connect(
            lambda pos: self._edited(
                prop.name, round(from_slider(pos)) if is_int else from_slider(pos)
            )
        )
        holder = QWidget()
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(slider, 1)
        line.addWidget(spin)

        def show(v: float) -> None:
            slider.blockSignals(True)
            slider.setValue(to_slider(v))
            slider.blockSignals(False)
            spin.blockSignals(True)
            spin.setValue(v)  # type: ignore[arg-type]
            spin.blockSignals(False)

        holder.setFocusProxy(spin)
        slider.setObjectName(f"slider-{prop.name}")
        spin.setObjectName(f"spin-{prop.name}")
        return _Row(holder, show)

    def _choice(self, prop: Property) -> _Row:
        combo = QComboBox()
        for value, label in prop.choices:
            combo.addItem(translate(label), value)
        combo.currentIndexChanged.connect(
            lambda i: self._edited(prop.name, combo.itemData(i)) if i >= 0 else None
        )

        def show(value: str) -> None:
            combo.setCurrentIndex(max(0, combo.findData(value)))

        return _Row(combo, show)

    def _text(self, prop: Property) -> _Row:
        if prop.multiline:
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.textChanged.connect(lambda: self._edited(prop.name, edit.toPlainText()))

            def show_plain(value: str) -> None:
                if edit.toPlainText() != value:
                    edit.setPlainText(value)

            return _Row(edit, show_plain)
        line = QLineEdit()
        line.editingFinished.connect(lambda: self._edited(prop.name, line.text()))
        return _Row(line, line.setText)

    def _path(self, prop: Property) -> _Row:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        line = QLineEdit()
        browse = QPushButton(self.tr("Browse…"))
        row.addWidget(line, 1)
        row.addWidget(browse)
        line.editingFinished.connect(lambda: self._edited(prop.name, line.text()))

        def pick() -> None:
            path, _ = QFileDialog.getOpenFileName(
                self, translate(prop.label), line.text(), translate(prop.file_filter)
            )
            if path:
                line.setText(path)
                self._edited(prop.name, path)

        browse.clicked.connect(pick)
        holder.setFocusProxy(line)
        line.setObjectName(f"path-{prop.name}")
        return _Row(holder, line.setText)

    def _color(self, prop: Property) -> _Row:
        button = QPushButton()
        button.setMinimumWidth(64)

        def show(value: str) -> None:
            button.setText(value)
            button.setStyleSheet(f"background-color: {QColor(value).name()};")

        def pick() -> None:
            options = QColorDialog.ColorDialogOption.ShowAlphaChannel
            chosen = QColorDialog.getColor(
                QColor(button.text()), self, translate(prop.label), options
            )
            if chosen.isValid():
                self._edited(prop.name, chosen.name(QColor.NameFormat.HexArgb))

        button.clicked.connect(pick)
        return _Row(button, show)


def _decimals(prop: Property) -> int:
    step = prop.step or _default_step(prop)
    return max(0, min(4, len(f"{step:g}".partition(".")[2])))


def _default_step(prop: Property) -> float:
    if prop.minimum is None or prop.maximum is None:
        return 0.1
    span = prop.maximum - prop.minimum
    return 1.0 if span >= 20 else 0.1 if span >= 2 else 0.01
