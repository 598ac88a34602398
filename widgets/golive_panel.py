"""The Go-live panel: where to publish, Go live / Stop (each confirmed), the live state in
plain words, time on air and the sending figures. A view of `GoLiveController` only."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
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
from streaming.publisher import RESOLUTIONS

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
    }


def _plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def format_elapsed(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


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
        for row, (key, _) in enumerate(FIGURES):
            grid.addWidget(_plain(QLabel(titles[key])), row, 0)
            self.figures[key] = _plain(QLabel("—"))
            grid.addWidget(self.figures[key], row, 1)

        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addLayout(state_row)
        column.addWidget(self.message_label)
        column.addLayout(grid)
        column.addWidget(self.viewer_label)
        column.addStretch(1)

        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.url.editingFinished.connect(self._url_changed)
        self.resolution.currentTextChanged.connect(self._resolution_changed)
        self.room.valueChanged.connect(self._room_changed)
        self.go_button.clicked.connect(self.ask_go_live)
        self.stop_button.clicked.connect(self.ask_stop)
        # Bound methods only: Qt disconnects them when this panel goes away.
        controller.state_changed.connect(self._show_state)
        controller.stats_updated.connect(self._show_stats)
        controller.elapsed_changed.connect(self._show_elapsed)
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
        for key, pattern in FIGURES:
            value = values.get(key)
            self.figures[key].setText("—" if value is None else pattern.format(value))

    def _show_elapsed(self, seconds: int) -> None:
        self.elapsed_label.setText(format_elapsed(seconds))

    def _show_notice(self, text: str) -> None:
        self.message_label.setText(text)

    def _show_relay(self, info: dict[str, Any]) -> None:
        viewer = info.get("viewer")
        # Only while the stream goes there: publishing elsewhere, viewers are not on this page.
        built_in = self.controller.settings["mode"] == "whip" and not self.controller.target_url()
        self.viewer_label.setText(
            self.tr("Viewer page (built-in relay): {url}").format(url=viewer)
            if viewer and built_in
            else ""
        )
