"""The Voice panel: the room as classified and what the chain does about it, "learn this
room", meters, and one generated form per stage (capture/properties.py → PropertyForm).

A view of `VoiceController`: every control calls the controller, and the controller's signals
(settings, room, ≤30 Hz meter readings, learn progress, problems) repaint the panel. Nothing
here touches audio, and no stage's setting is written here: the forms come from the stages'
descriptions, so a new stage shows up with its own tab.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.voice_controller import LEARN_SECONDS, VoiceController
from capture.voice import ChainSettings, VoiceLevels
from capture.voice.denoise_settings import DenoiseSettings
from capture.voice.room import Room
from capture.voice.settings import STAGES
from widgets.property_form import PropertyForm, translate

SCALE_MIN_DB = -60.0
GR_SCALE_DB = 20.0


def _fraction(db: float, lo: float = SCALE_MIN_DB) -> float:
    return min(1.0, max(0.0, (db - lo) / -lo))


class VoiceMeters(QWidget):
    """Input and output level (peak bar, RMS inner bar) and gain reduction, as last read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.levels = VoiceLevels()

    def sizeHint(self) -> QSize:
        return QSize(260, 78)

    def show_levels(self, levels: VoiceLevels) -> None:
        self.levels = levels
        self.setToolTip(self.text())
        self.update()

    def text(self) -> str:
        lv = self.levels
        return self.tr(
            "In {in_peak} dBFS peak / {in_rms} RMS · Out {out_peak} / {out_rms} · "
            "GR {reduction} dB · AGC {agc} dB"
        ).format(
            in_peak=f"{lv.input_peak_db:.1f}",
            in_rms=f"{lv.input_rms_db:.1f}",
            out_peak=f"{lv.output_peak_db:.1f}",
            out_rms=f"{lv.output_rms_db:.1f}",
            reduction=f"{lv.gain_reduction_db:.1f}",
            agc=f"{lv.agc_gain_db:+.1f}",
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        lv = self.levels
        p = QPainter(self)
        label_w, w = 34.0, float(self.width())
        bar_w, row = w - label_w, self.height() / 3.0
        rows = [
            (self.tr("In"), lv.input_peak_db, lv.input_rms_db),
            (self.tr("Out"), lv.output_peak_db, lv.output_rms_db),
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


class VoicePanel(QWidget):
    def __init__(self, controller: VoiceController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.room_label = QLabel()
        self.room_label.setObjectName("voice_room")
        self.room_label.setTextFormat(Qt.TextFormat.PlainText)
        self.room_label.setWordWrap(True)  # some rooms' names are long in a 320 px dock
        self.room_action = QLabel()
        self.room_action.setTextFormat(Qt.TextFormat.PlainText)
        self.room_action.setWordWrap(True)

        self.learn_button = QPushButton(self.tr("Learn this room"))
        self.learn_button.setToolTip(
            self.tr("Stay quiet for {seconds} s while the microphone listens to the room.").format(
                seconds=f"{LEARN_SECONDS:.0f}"
            )
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

        #: One generated form per registered stage, by stage name.
        self.forms: dict[str, PropertyForm] = {}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for kind in STAGES:
            form = PropertyForm(controller.settings.stage(kind.name))
            form.setObjectName(f"voice_form_{kind.name}")
            form.changed.connect(controller.set_stage)
            self.forms[kind.name] = form
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(form)
            self.tabs.addTab(scroll, translate(kind.title))

        self._build_layout()
        self._show_settings(controller.settings)
        self._show_room(controller.room)
        self._show_learn_state()
        controller.settings_changed.connect(self._show_settings)
        controller.room_changed.connect(self._show_room)
        controller.levels.connect(self.meters.show_levels)
        controller.learn_progress.connect(self._on_learn_progress)
        controller.learn_finished.connect(self._show_learn_state)
        controller.learn_stalled.connect(self._on_learn_stalled)
        controller.problem.connect(self._on_problem)

    def _build_layout(self) -> None:
        """Room and learning on top (what a host needs at a glance), meters, then the stages'
        forms in tabs (the dock shares the side bar with other panels)."""
        top = QGridLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setVerticalSpacing(4)
        top.addWidget(self.room_label, 0, 0, 1, 2)
        top.addWidget(self.room_action, 1, 0, 1, 2)
        top.addWidget(self.learn_button, 2, 0)
        top.addWidget(self.learn_bar, 2, 1)
        top.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.learn_status)
        layout.addWidget(self.meters)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.tabs, 1)

    @Slot(object)
    def _show_settings(self, s: ChainSettings) -> None:
        for name, form in self.forms.items():
            form.show_settings(s.stage(name))
        self.learn_button.setEnabled(s.enabled("denoise") and not self.controller.learning)
        self._show_room(self.controller.room)

    @Slot(object)
    def _show_room(self, room: Room | None) -> None:
        denoise = self.controller.settings.of(DenoiseSettings)
        title, action = self._room_texts(room, denoise)
        self.room_label.setText(title)
        self.room_action.setText(action)

    def _room_texts(self, room: Room | None, s: DenoiseSettings) -> tuple[str, str]:
        """What the host reads: the room, and what the chain does about it."""
        if not s.enabled:
            return self.tr("Room: —"), self.tr("Noise suppression is off.")
        if room is None:
            if s.method == "rnnoise":
                return self.tr("Room: —"), self.tr(
                    "RNNoise removes what is not speech; choose Automatic to have the room told."
                )
            return self.tr("Room: listening…"), self.tr("Waiting for sound from the microphone.")
        names = {
            Room.QUIET: self.tr("Room: quiet"),
            Room.STEADY: self.tr("Room: steady noise (fan, hum, traffic)"),
            Room.TRANSIENT: self.tr("Room: clicks and rustle (keys, taps, parcels)"),
            Room.BABBLE: self.tr("Room: other people talking"),
            Room.MUSIC: self.tr("Room: music"),
        }
        if s.method == "spectral":
            return names[room], self.tr("Spectral gating removes the steady part of the noise.")
        actions = {
            Room.QUIET: self.tr("Little to remove: a light touch."),
            Room.STEADY: self.tr("The learned room noise is removed under your voice."),
            Room.TRANSIENT: self.tr("Clicks are removed as they happen; your voice is kept."),
            Room.BABBLE: self.tr("Other voices are lowered gently so yours is never cut."),
            Room.MUSIC: self.tr("The music is removed under your voice."),
        }
        if room is Room.MUSIC and s.keep_music:
            return names[room], self.tr(
                "The music is kept, and lowered {db} dB while you speak."
            ).format(db=f"{s.duck_db:.0f}")
        return names[room], actions[room]

    def _learn(self) -> None:
        self.controller.learn_noise()
        self.learn_button.setEnabled(False)
        self.learn_status.setText(self.tr("Listening to the room… please stay quiet."))

    @Slot(float)
    def _on_learn_progress(self, fraction: float) -> None:
        if self.controller.learning:  # 100 % is shown only once the profile is in place
            self.learn_bar.setValue(min(99, int(100 * fraction)))

    @Slot()
    def _show_learn_state(self) -> None:
        self.learn_button.setEnabled(self.controller.settings.enabled("denoise"))
        if self.controller.has_noise_profile:
            self.learn_bar.setValue(100)
            self.learn_status.setText(self.tr("Room learned (keeps adapting in pauses)."))
        else:
            self.learn_bar.setValue(0)
            self.learn_status.setText(
                self.tr(
                    "Room not learned yet (estimated automatically); learn it for the best result."
                )
            )

    @Slot(str)
    def _on_learn_stalled(self, text: str) -> None:
        self._show_learn_state()
        self.learn_status.setText(text)

    @Slot(str)
    def _on_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))
