"""The Voice panel: stage switches, strength/target sliders, "learn noise", and meters.

A view of `VoiceController`: every control calls the controller, and the controller's signals
(settings, ≤30 Hz meter readings, learn progress, problems) repaint the panel. Nothing here
touches audio.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.voice_controller import LEARN_SECONDS, VoiceController
from capture.voice import ChainSettings, VoiceLevels

SCALE_MIN_DB = -60.0
GR_SCALE_DB = 20.0
STAGE_TITLES = {
    "denoise": "Noise suppression",
    "agc": "Automatic gain",
    "gate": "Gate / expander",
    "limiter": "True-peak limiter (−1 dBTP)",
}
METHOD_TITLES = {"spectral": "Spectral gating", "rnnoise": "RNNoise"}


def _fraction(db: float, lo: float = SCALE_MIN_DB) -> float:
    return min(1.0, max(0.0, (db - lo) / -lo))


class VoiceMeters(QWidget):
    """Input and output level (peak bar, RMS inner bar) and gain reduction, as last read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.levels = VoiceLevels()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        return QSize(260, 78)

    def show_levels(self, levels: VoiceLevels) -> None:
        self.levels = levels
        self.setToolTip(self.text())
        self.update()

    def text(self) -> str:
        lv = self.levels
        return (
            f"In {lv.input_peak_db:.1f} dBFS peak / {lv.input_rms_db:.1f} RMS · "
            f"Out {lv.output_peak_db:.1f} / {lv.output_rms_db:.1f} · "
            f"GR {lv.gain_reduction_db:.1f} dB · AGC {lv.agc_gain_db:+.1f} dB"
        )

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        lv = self.levels
        p = QPainter(self)
        label_w, w = 34.0, float(self.width())
        bar_w, row = w - label_w, self.height() / 3.0
        rows = [
            ("In", lv.input_peak_db, lv.input_rms_db),
            ("Out", lv.output_peak_db, lv.output_rms_db),
        ]
        for i, (name, peak, rms) in enumerate(rows):
            y = i * row
            p.setPen(self.palette().windowText().color())
            p.drawText(QRectF(0, y, label_w, row), Qt.AlignmentFlag.AlignVCenter, name)
            p.fillRect(QRectF(label_w, y + 2, bar_w, row - 4), QColor(30, 30, 30))
            hot = QColor(230, 70, 60) if peak > -1.0 else QColor(70, 150, 70)
            p.fillRect(QRectF(label_w, y + 2, bar_w * _fraction(peak), row - 4), hot)
            p.fillRect(
                QRectF(label_w, y + row * 0.3, bar_w * _fraction(rms), row * 0.4),
                QColor(130, 230, 130),
            )
        y = 2 * row
        p.setPen(self.palette().windowText().color())
        p.drawText(QRectF(0, y, label_w, row), Qt.AlignmentFlag.AlignVCenter, "GR")
        p.fillRect(QRectF(label_w, y + 2, bar_w, row - 4), QColor(30, 30, 30))
        gr = min(1.0, lv.gain_reduction_db / GR_SCALE_DB)
        p.fillRect(QRectF(label_w, y + 2, bar_w * gr, row - 4), QColor(230, 160, 40))
        p.setPen(QColor(235, 235, 235))  # on the dark bar
        p.drawText(
            QRectF(label_w + 4, y, bar_w - 8, row),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            f"AGC {lv.agc_gain_db:+.1f} dB",
        )
        p.end()


def _slider(lo: int, hi: int) -> QSlider:
    s = QSlider(Qt.Orientation.Horizontal)
    s.setRange(lo, hi)
    s.setPageStep(3)
    return s


class VoicePanel(QWidget):
    def __init__(self, controller: VoiceController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.toggles: dict[str, QCheckBox] = {}
        for stage, title in STAGE_TITLES.items():
            box = QCheckBox(title)
            box.setObjectName(f"voice_{stage}")
            box.toggled.connect(lambda on, s=stage: controller.set_enabled(s, on))
            self.toggles[stage] = box

        self.method_box = QComboBox()
        for method in controller.methods:
            self.method_box.addItem(METHOD_TITLES[method], method)
        self.method_box.currentIndexChanged.connect(
            lambda i: controller.set_method(self.method_box.itemData(i))
        )
        self.strength_slider = _slider(0, 40)
        self.strength_label = QLabel()
        self.strength_slider.valueChanged.connect(lambda v: controller.set_strength(v))
        self.target_slider = _slider(-30, -10)
        self.target_label = QLabel()
        self.target_slider.valueChanged.connect(lambda v: controller.set_target(v))
        self.gate_slider = _slider(-80, -20)
        self.gate_label = QLabel()
        self.gate_slider.valueChanged.connect(lambda v: controller.set_gate_threshold(v))

        self.learn_button = QPushButton("Learn noise")
        self.learn_button.setToolTip(
            f"Stay quiet for {LEARN_SECONDS:.0f} s while the microphone listens to the room."
        )
        self.learn_button.clicked.connect(self._learn)
        self.learn_bar = QProgressBar()
        self.learn_bar.setRange(0, 100)
        self.learn_bar.setTextVisible(True)
        self.learn_status = QLabel()
        self.learn_status.setTextFormat(Qt.TextFormat.PlainText)
        self.learn_status.setWordWrap(True)

        self.meters = VoiceMeters()
        self.problem_label = QLabel()
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #c0392b;")
        self.problem_label.hide()

        self._build_layout()
        self._show_settings(controller.settings)
        self._show_learn_state()
        controller.settings_changed.connect(self._show_settings)
        controller.levels.connect(self.meters.show_levels)
        controller.learn_progress.connect(self._on_learn_progress)
        controller.learn_finished.connect(self._show_learn_state)
        controller.learn_stalled.connect(self._on_learn_stalled)
        controller.problem.connect(self._on_problem)

    def _build_layout(self) -> None:
        """One compact grid (the dock shares the side bar with other panels): a stage switch
        and its main control per row."""
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(4)
        rows: list[tuple[QWidget, QWidget | None, QWidget | None]] = [
            (self.toggles["denoise"], self.method_box, None),
            (QLabel("Strength"), self.strength_slider, self.strength_label),
            (self.learn_button, self.learn_bar, None),
            (self.toggles["agc"], self.target_slider, self.target_label),
            (self.toggles["gate"], self.gate_slider, self.gate_label),
            (self.toggles["limiter"], None, None),
        ]
        for r, (first, second, third) in enumerate(rows):
            grid.addWidget(first, r, 0)
            if second is not None:
                grid.addWidget(second, r, 1, 1, 1 if third is not None else 2)
            if third is not None:
                grid.addWidget(third, r, 2)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(grid)
        layout.addWidget(self.learn_status)
        layout.addWidget(self.meters)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)

    @Slot(object)
    def _show_settings(self, s: ChainSettings) -> None:
        widgets = [
            *self.toggles.values(),
            self.method_box,
            self.strength_slider,
            self.target_slider,
            self.gate_slider,
        ]
        for w in widgets:
            w.blockSignals(True)
        try:
            for stage, box in self.toggles.items():
                box.setChecked(getattr(s, stage).enabled)
            index = self.method_box.findData(s.denoise.method)
            self.method_box.setCurrentIndex(max(index, 0))
            self.strength_slider.setValue(round(s.denoise.strength_db))
            self.target_slider.setValue(round(s.agc.target_lufs))
            self.gate_slider.setValue(round(s.gate.threshold_db))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.strength_label.setText(f"{s.denoise.strength_db:.0f} dB")
        self.target_label.setText(f"{s.agc.target_lufs:.0f} LUFS")
        self.gate_label.setText(f"{s.gate.threshold_db:.0f} dB")
        for w in (self.method_box, self.strength_slider, self.learn_button):
            w.setEnabled(s.denoise.enabled)
        self.target_slider.setEnabled(s.agc.enabled)
        self.gate_slider.setEnabled(s.gate.enabled)

    def _learn(self) -> None:
        self.controller.learn_noise()
        self.learn_button.setEnabled(False)
        self.learn_status.setText("Listening to the room… please stay quiet.")

    @Slot(float)
    def _on_learn_progress(self, fraction: float) -> None:
        if self.controller.learning:  # 100 % is shown only once the profile is in place
            self.learn_bar.setValue(min(99, int(100 * fraction)))

    @Slot()
    def _show_learn_state(self) -> None:
        self.learn_button.setEnabled(self.controller.settings.denoise.enabled)
        if self.controller.has_noise_profile:
            self.learn_bar.setValue(100)
            self.learn_status.setText("Noise profile learned (keeps adapting in pauses).")
        else:
            self.learn_bar.setValue(0)
            self.learn_status.setText(
                "No noise profile yet (estimated automatically); learn one for the best result."
            )

    @Slot(str)
    def _on_learn_stalled(self, text: str) -> None:
        self._show_learn_state()
        self.learn_status.setText(text)

    @Slot(str)
    def _on_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))
