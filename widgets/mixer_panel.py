"""The Audio mix panel: each source in the program's mix with its meter, gain and mute (the
row's panel generated from `MixSettings`), and the mix itself as viewers hear it."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from app.program_controller import ProgramController
from widgets.level_meter import LevelMeter
from widgets.property_form import PropertyForm

REBUILD_MS = 1000


class MixerPanel(QWidget):
    def __init__(self, program: ProgramController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.program = program
        self._column = QVBoxLayout(self)
        self._shown: list[str] = []
        self.mix_meter = LevelMeter()
        mix = self.program.meter()
        if mix is not None:
            self.mix_meter.read_from(mix)
        self._rows = QVBoxLayout()
        self._column.addLayout(self._rows)
        self._column.addWidget(QLabel(self.tr("Program mix")))
        self._column.addWidget(self.mix_meter)
        self._column.addStretch(1)
        self.rebuild()
        program.show_changed.connect(lambda _show: QTimer.singleShot(200, self.rebuild))

    def rebuild(self) -> None:
        inputs = self.program.mix_inputs()
        if [i for i, _, _ in inputs] == self._shown:
            return
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for input_id, label, settings in inputs:
            box = QGroupBox(self.tr("Microphone") if input_id == "microphone" else label)
            box.setObjectName(f"mix-{input_id}")
            column = QVBoxLayout(box)
            meter = LevelMeter()
            tracker = self.program.meter(input_id)
            if tracker is not None:
                meter.read_from(tracker)
            form = PropertyForm(settings)
            form.changed.connect(lambda s, i=input_id: self.program.set_mix(i, s))
            column.addWidget(meter)
            column.addWidget(form)
            self._rows.addWidget(box)
        self._shown = [i for i, _, _ in inputs]
