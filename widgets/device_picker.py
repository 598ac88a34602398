"""Camera and microphone pickers. Choosing switches the device at once, while the show runs;
when the console falls back on its own (device unplugged) the pickers follow."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from app.media_controller import MediaController
from capture.camera import CameraMode
from capture.devices import Device

#: Modes offered for a camera; 1080p30 MJPEG is what the console asks for by default.
CAMERA_MODES = tuple(
    CameraMode(w, h, 30.0, fourcc)
    for (w, h) in ((1920, 1080), (1280, 720), (640, 480))
    for fourcc in ("MJPG", "YUYV")
)


def mode_label(mode: CameraMode) -> str:
    return f"{mode.width}×{mode.height} {mode.fps:g} fps {mode.fourcc}"


class DevicePicker(QWidget):
    #: Emitted after the host picked a device: (kind, device id).
    picked = Signal(str, str)

    def __init__(self, media: MediaController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.media = media
        self.camera = QComboBox()
        self.microphone = QComboBox()
        self.camera_mode = QComboBox()
        self.camera_mode.setObjectName("camera_mode_picker")
        current = media.camera_mode()
        for mode in CAMERA_MODES:
            self.camera_mode.addItem(mode_label(mode), mode)
        if current not in CAMERA_MODES:
            self.camera_mode.addItem(mode_label(current), current)
        self.camera_mode.setCurrentIndex(self.camera_mode.findText(mode_label(current)))
        self.camera.setObjectName("camera_picker")
        self.microphone.setObjectName("microphone_picker")
        for combo in (self.camera, self.microphone):  # long device names must not widen the dock
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(16)
        refresh = QPushButton(self.tr("Refresh devices"))
        open_file = QPushButton(self.tr("Play a file…"))
        open_file.setToolTip(self.tr("Use a video file as the camera (rehearsals)"))
        buttons = QHBoxLayout()
        buttons.addWidget(refresh)
        buttons.addWidget(open_file)
        form = QFormLayout(self)
        form.addRow(self.tr("Camera"), self.camera)
        form.addRow(self.tr("Camera mode"), self.camera_mode)
        form.addRow(self.tr("Microphone"), self.microphone)
        form.addRow(buttons)
        refresh.clicked.connect(self.refresh)
        open_file.clicked.connect(self._open_file)
        self.camera.activated.connect(lambda i: self._choose("video", self.camera, i))
        self.microphone.activated.connect(lambda i: self._choose("audio", self.microphone, i))
        self.camera_mode.activated.connect(
            lambda i: media.set_camera_mode(self.camera_mode.itemData(i))
        )
        media.device_changed.connect(self._show_active)
        self.refresh()

    def refresh(self) -> None:
        """Re-list the devices (after plugging one in)."""
        self._fill(self.camera, self.media.video_devices(), self.media.video_device)
        self._fill(self.microphone, self.media.audio_devices(), self.media.audio_device)

    def select(self, kind: str, device_id: str) -> bool:
        """Pick a device by id, as the host would (used by tests and the command line)."""
        combo = self.camera if kind == "video" else self.microphone
        index = combo.findData(device_id)
        if index < 0:
            combo.addItem(device_id.removeprefix("file:"), device_id)
            index = combo.count() - 1
        combo.setCurrentIndex(index)
        return self._choose(kind, combo, index)

    def _choose(self, kind: str, combo: QComboBox, index: int) -> bool:
        device_id = combo.itemData(index)
        if not device_id:
            return False
        ok = (self.media.select_video if kind == "video" else self.media.select_audio)(device_id)
        if ok:
            self.picked.emit(kind, device_id)
        return ok

    def _open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Play a video file as the camera"))
        if path:
            self.select("video", f"file:{path}")

    @staticmethod
    def _fill(combo: QComboBox, items: list[Device], active: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        for dev in items:
            combo.addItem(dev.label, dev.id)
        if active and combo.findData(active) < 0:
            combo.addItem(active.removeprefix("file:"), active)
        combo.setCurrentIndex(max(0, combo.findData(active)))
        combo.blockSignals(False)

    def _show_active(self, kind: str, device_id: str) -> None:
        combo = self.camera if kind == "video" else self.microphone
        combo.blockSignals(True)
        index = combo.findData(device_id)
        if index < 0:
            combo.addItem(device_id.removeprefix("file:"), device_id)
            index = combo.count() - 1
        combo.setCurrentIndex(index)
        combo.blockSignals(False)
