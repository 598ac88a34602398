"""The generated settings panel: one control per described setting, edits emit validated
copies, updates from outside do not echo back."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSlider, QSpinBox

from capture.properties import validated
from tests.test_properties import Sample
from widgets.property_form import PropertyForm


def test_form_has_a_control_per_setting_and_emits_validated_copies(qtbot) -> None:
    form = PropertyForm(Sample())
    qtbot.addWidget(form)
    got: list[Sample] = []
    form.changed.connect(got.append)

    box = form.control("on")
    assert isinstance(box, QCheckBox)
    box.setChecked(False)
    assert got[-1] == Sample(on=False)

    spin = form.findChild(QDoubleSpinBox, "spin-gain_db")
    slider = form.findChild(QSlider, "slider-gain_db")
    assert spin is not None and slider is not None and spin.suffix() == " dB"
    spin.setValue(12.0)
    assert got[-1].gain_db == 12.0
    assert slider.value() == round((12.0 + 30.0) / 60.0 * slider.maximum())  # slider follows
    slider.setValue(slider.maximum())
    assert got[-1].gain_db == 30.0 and spin.value() == 30.0

    lanes = form.findChild(QSpinBox, "spin-lanes")
    assert lanes is not None
    lanes.setValue(7)
    assert got[-1].lanes == 7

    combo = form.control("mode")
    assert isinstance(combo, QComboBox) and combo.count() == 2
    combo.setCurrentIndex(combo.findData("hard"))
    assert got[-1].mode == "hard"

    title = form.control("title")
    assert isinstance(title, QLineEdit)
    title.setText("今日福利")
    title.editingFinished.emit()
    assert got[-1].title == "今日福利"
    assert got[-1] == Sample(on=False, gain_db=30.0, lanes=7, mode="hard", title="今日福利")


def test_show_settings_updates_controls_without_emitting(qtbot) -> None:
    form = PropertyForm(Sample())
    qtbot.addWidget(form)
    got: list[Sample] = []
    form.changed.connect(got.append)
    form.show_settings(validated(Sample(), gain_db=-6.0, mode="hard", on=False))
    assert got == []
    spin = form.findChild(QDoubleSpinBox, "spin-gain_db")
    assert spin is not None and spin.value() == -6.0
    assert form.control("mode").currentData() == "hard"  # type: ignore[attr-defined]
