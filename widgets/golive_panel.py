"""The Go-live panel: where to publish, Go live / Stop (each confirmed), the live state in
plain words, time on air and the sending figures; the Record button with the recording's
state, and the list of other destinations (widgets/destinations_panel.py). A view of
`GoLiveController` only. `RecordingIndicator` is the status-bar badge (size, duration)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.golive import GoLiveController
from app.on_air import OnAirClock
from app.recording import RecordingController
from streaming.encoder import EncoderChoice
from streaming.publisher import RESOLUTIONS
from widgets.destinations_panel import DestinationsPanel

STATE_COLOUR = {
    "idle": "#888",
    "connecting": "#c90",
    "live": "#d22",
    "reconnecting": "#c60",
    "failed": "#a00",
}

FIGURES = (
    ("video_kbps", "{:.0f} kbit/s"),
    ("audio_kbps", "{:.0f} kbit/s"),
    ("fps", "{:.0f} fps"),
    ("resolution", "{}"),
    ("rtt_ms", "{:.0f} ms"),
    ("loss", "{}"),
    ("feedback", "{}"),
    ("network", "{}"),
)


def state_title(state: str) -> str:
    titles = {
        "idle": QCoreApplication.translate("GoLivePanel", "Not live"),
        "connecting": QCoreApplication.translate("GoLivePanel", "Connecting…"),
        "live": QCoreApplication.translate("GoLivePanel", "LIVE"),
        "reconnecting": QCoreApplication.translate("GoLivePanel", "Reconnecting…"),
        "failed": QCoreApplication.translate("GoLivePanel", "Not live — problem"),
    }
    return titles.get(state, state)


def figure_titles() -> dict[str, str]:
    return {
        "video_kbps": QCoreApplication.translate("GoLivePanel", "Video"),
        "audio_kbps": QCoreApplication.translate("GoLivePanel", "Audio"),
        "fps": QCoreApplication.translate("GoLivePanel", "Frame rate"),
        "resolution": QCoreApplication.translate("GoLivePanel", "Resolution"),
        "rtt_ms": QCoreApplication.translate("GoLivePanel", "Round trip"),
        "loss": QCoreApplication.translate("GoLivePanel", "Packet loss"),
        "feedback": QCoreApplication.translate("GoLivePanel", "NACK / PLI"),
        "network": QCoreApplication.translate("GoLivePanel", "Network"),
    }


def network_text(stats: dict[str, Any]) -> str:
    """The adaptive bitrate's view: good / fair / poor, the picture sent, the rate aimed at and
    why (the controller's cause, translated here; see streaming/abr/controller.py)."""
    grade = {
        "good": QCoreApplication.translate("GoLivePanel", "good"),
        "fair": QCoreApplication.translate("GoLivePanel", "fair"),
        "poor": QCoreApplication.translate("GoLivePanel", "poor"),
    }.get(str(stats.get("quality") or ""), "")
    if not grade:
        return "—"
    figure = stats.get("reason_figure", 0)
    causes = {
        "start": QCoreApplication.translate("GoLivePanel", "starting at the last good rate"),
        "severe": QCoreApplication.translate(
            "GoLivePanel", "queuing delay {0} ms: backing off hard"
        ),
        "loss_backoff": QCoreApplication.translate("GoLivePanel", "loss {0} %: backing off"),
        "delay_backoff": QCoreApplication.translate(
            "GoLivePanel", "delay rising ({0} ms): backing off"
        ),
        "loss_hold": QCoreApplication.translate("GoLivePanel", "loss {0} %: holding"),
        "draining": QCoreApplication.translate("GoLivePanel", "queue draining: holding"),
        "full": QCoreApplication.translate("GoLivePanel", "at full quality"),
        "probe": QCoreApplication.translate("GoLivePanel", "link clean: stepping up"),
        "remb": QCoreApplication.translate("GoLivePanel", "held to the relay's estimate"),
    }
    reason = causes.get(str(stats.get("reason_cause") or ""), "").format(figure)
    return QCoreApplication.translate("GoLivePanel", "{0} · {1} at {2} kbit/s — {3}").format(
        grade, stats.get("rendition", ""), stats.get("target_kbps", 0), reason
    )


def encoder_text(choice: EncoderChoice) -> str:
    if choice.hardware:
        return QCoreApplication.translate("GoLivePanel", "Encoder: hardware ({0})").format(
            choice.name
        )
    return QCoreApplication.translate(
        "GoLivePanel", "Encoder: software x264 ({0} hardware encoders not usable here)"
    ).format(len(choice.passed_over))


def _plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def format_elapsed(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def format_size(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


class RecordingIndicator(QLabel):
    """● REC 00:12:03 · 153 MB while recording; empty otherwise."""

    def __init__(self, recording: RecordingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet("color: #d22; font-weight: bold;")
        recording.progress.connect(self._show)
        recording.state_changed.connect(self._state)

    def _show(self, size: int, seconds: float) -> None:
        self.setText(
            self.tr("● REC {0} · {1}").format(format_elapsed(int(seconds)), format_size(size))
        )

    def _state(self, state: str, _message: str) -> None:
        if state in ("idle", "failed"):
            self.clear()
        elif not self.text():
            self.setText(self.tr("● REC"))


class GoLivePanel(QWidget):
    def __init__(self, controller: GoLiveController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        settings = controller.settings

        self.mode = QComboBox()
        self.mode.addItem(self.tr("WHIP relay"), "whip")
        self.mode.addItem(self.tr("Janus VideoRoom"), "janus")
        self.mode.setCurrentIndex(max(0, self.mode.findData(settings["mode"])))
        self.url = QLineEdit()
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(self.tr("token (kept in the system keyring)"))
        self.room = QSpinBox()
        self.room.setRange(1, 2**31 - 1)
        self.room.setValue(int(settings["janus_room"]))
        self.resolution = QComboBox()
        self.resolution.addItems(list(RESOLUTIONS))
        self.resolution.setCurrentText(str(settings["resolution"]))

        form = QFormLayout()
        form.addRow(self.tr("Publish to"), self.mode)
        form.addRow(self.tr("URL"), self.url)
        form.addRow(self.tr("Token"), self.token)
        self.room_label = QLabel(self.tr("Room"))
        form.addRow(self.room_label, self.room)
        form.addRow(self.tr("Resolution"), self.resolution)

        self.go_button = QPushButton(self.tr("Go live"))
        self.stop_button = QPushButton(self.tr("Stop"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.go_button)
        buttons.addWidget(self.stop_button)

        self.state_label = _plain(QLabel())
        font = self.state_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.state_label.setFont(font)
        self.elapsed_label = _plain(QLabel("00:00:00"))
        self.message_label = _plain(QLabel())
        self.message_label.setWordWrap(True)
        self.viewer_label = _plain(QLabel())
        self.viewer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.viewer_label.setWordWrap(True)

        state_row = QHBoxLayout()
        state_row.addWidget(self.state_label, 1)
        state_row.addWidget(self.elapsed_label)

        grid = QGridLayout()
        self.figures: dict[str, QLabel] = {}
        titles = figure_titles()
        for index, (key, _) in enumerate(FIGURES):  # two pairs a row: the panel is tall
            row, col = divmod(index, 2)
            self.figures[key] = _plain(QLabel("—"))
            self.figures[key].setWordWrap(True)  # "0.4 % (1,204 packets)" wraps, never scrolls
            if key == "network":  # a sentence: a row of its own, wrapped
                row, col = row + col, 0
                grid.addWidget(_plain(QLabel(titles[key])), row, 0)
                grid.addWidget(self.figures[key], row, 1, 1, 3)
                continue
            grid.addWidget(_plain(QLabel(titles[key])), row, col * 2)
            grid.addWidget(self.figures[key], row, col * 2 + 1)

        recording = controller.recording
        self.record_button = QPushButton(self.tr("● Record"))
        self.record_button.setCheckable(True)
        self.record_status = _plain(QLabel())
        self.record_status.setWordWrap(True)
        self.record_indicator = RecordingIndicator(recording)
        record_row = QHBoxLayout()
        record_row.addWidget(self.record_button)
        record_row.addWidget(self.record_indicator, 1)
        self.encoder_label = _plain(QLabel(encoder_text(controller.encoder_choice())))
        self.encoder_label.setWordWrap(True)
        self.encoder_label.setStyleSheet("color: #666;")

        self.destinations = DestinationsPanel(controller.destinations)
        others = QGroupBox(self.tr("Also stream to"))
        QVBoxLayout(others).addWidget(self.destinations)

        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addLayout(state_row)
        column.addWidget(self.message_label)
        column.addLayout(record_row)
        column.addWidget(self.record_status)
        column.addWidget(others)
        column.addLayout(grid)
        column.addWidget(self.viewer_label)
        column.addWidget(self.encoder_label)
        column.addStretch(1)

        self.record_button.clicked.connect(self._record_clicked)
        recording.state_changed.connect(self._show_recording)

        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.url.editingFinished.connect(self._url_changed)
        self.resolution.currentTextChanged.connect(self._resolution_changed)
        self.room.valueChanged.connect(self._room_changed)
        self.go_button.clicked.connect(self.ask_go_live)
        self.stop_button.clicked.connect(self.ask_stop)
        # Bound methods only: Qt disconnects them when this panel goes away.
        controller.state_changed.connect(self._show_state)
        controller.stats_updated.connect(self._show_stats)
        # Time on air as the badge counts it: held while reconnecting, not the controller's
        # time since first going live.
        self.on_air = OnAirClock(controller, self)
        self.on_air.changed.connect(self._show_elapsed)
        controller.relay_info_changed.connect(self._show_relay)
        controller.notice.connect(self._show_notice)

        self._load_target()
        self._show_state(controller.state.value, controller.message)

    # ---- target fields --------------------------------------------------------------------

    def _load_target(self) -> None:
        janus = self.controller.settings["mode"] == "janus"
        self.room.setVisible(janus)
        self.room_label.setVisible(janus)
        self.url.setPlaceholderText(
            "http://janus-host:8088/janus"
            if janus
            else self.tr("empty = the built-in relay on this computer")
        )
        url = self.controller.target_url()
        self.url.setText(url)
        self.token.setText(self.controller.token_for(url) if url else "")
        self._refresh_relay()

    def _refresh_relay(self) -> None:
        embedded = self.controller.embedded
        self._show_relay(embedded.info if embedded is not None else {})

    def _mode_changed(self) -> None:
        self.controller.configure(mode=self.mode.currentData())
        self._load_target()

    def _url_changed(self) -> None:
        url = self.url.text().strip()
        key = "janus_url" if self.controller.settings["mode"] == "janus" else "whip_url"
        if url != self.controller.settings[key]:
            self.controller.configure(**{key: url})
            self.token.setText(self.controller.token_for(url) if url else "")
            self._refresh_relay()

    def _resolution_changed(self, text: str) -> None:
        self.controller.configure(resolution=text)

    def _room_changed(self, room: int) -> None:
        self.controller.configure(janus_room=room)

    def _commit_fields(self) -> None:
        """Take what the host typed: URL into settings, token into the keyring."""
        self._url_changed()
        url = self.controller.target_url()
        token = self.token.text().strip()
        if url and token != self.controller.token_for(url):
            self.controller.save_token(url, token)

    # ---- buttons --------------------------------------------------------------------------

    def ask_go_live(self) -> None:
        target = self.controller.target_url() or self.tr("the built-in relay on this computer")
        if self._confirm(
            self.tr("Go live?"),
            self.tr("Start streaming your camera and microphone to {target}?").format(
                target=target
            ),
        ):
            self._commit_fields()
            self.controller.go_live()

    def ask_stop(self) -> None:
        if self._confirm(
            self.tr("Stop the stream?"),
            self.tr("Stop streaming? Viewers will see the stream end."),
        ):
            self.controller.stop()

    def _confirm(self, title: str, text: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    # ---- controller → view ----------------------------------------------------------------

    def _show_state(self, state: str, message: str) -> None:
        colour = STATE_COLOUR.get(state, "#888")
        self.state_label.setText(state_title(state))
        self.state_label.setStyleSheet(f"color: {colour};")
        self.message_label.setText(message)
        busy = self.controller.busy
        self.go_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        for field in (self.mode, self.url, self.token, self.room, self.resolution):
            field.setEnabled(not busy)
        if not busy:
            for label in self.figures.values():
                label.setText("—")

    def _show_stats(self, stats: dict[str, Any]) -> None:
        values = dict(stats)
        values["resolution"] = f"{stats['width']}×{stats['height']}" if stats["width"] else "—"
        values["loss"] = self.tr("{percent} % ({count} packets)").format(
            percent=f"{stats['loss_percent']:.1f}", count=stats["packets_lost"]
        )
        values["feedback"] = f"{stats['nack_count']} / {stats['pli_count']}"
        values["network"] = network_text(stats)
        for key, pattern in FIGURES:
            value = values.get(key)
            self.figures[key].setText("—" if value is None else pattern.format(value))

    def _show_elapsed(self) -> None:
        self.elapsed_label.setText(format_elapsed(self.on_air.seconds()))

    def _show_notice(self, text: str) -> None:
        self.message_label.setText(text)

    def _record_clicked(self) -> None:
        recording = self.controller.recording
        if recording.recording:
            recording.stop()
        else:
            recording.start()
        self.record_button.setChecked(recording.recording)

    def _show_recording(self, state: str, message: str) -> None:
        self.record_button.setChecked(self.controller.recording.recording)
        self.record_status.setText(message)
        colour = "#a00" if state == "failed" else "#666"
        self.record_status.setStyleSheet(f"color: {colour};")

    def _show_relay(self, info: dict[str, Any]) -> None:
        viewer = info.get("viewer")
        # Only while the stream goes there: publishing elsewhere, viewers are not on this page.
        built_in = self.controller.settings["mode"] == "whip" and not self.controller.target_url()
        self.viewer_label.setText(
            self.tr("Viewer page (built-in relay): {url}").format(url=viewer)
            if viewer and built_in
            else ""
        )
