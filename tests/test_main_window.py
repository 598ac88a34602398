"""The real console window, driven as a host would: pick devices, watch the preview and the
meters, restart and find the choices restored, and survive every kind of bad input."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QLabel

from app.console_core import ConsoleCore
from app.paths import config_dir
from capture.camera import CameraMode
from capture.devices import SYNTHETIC_SILENCE, SYNTHETIC_TONE, SYNTHETIC_VIDEO
from capture.levels import FLOOR_DBFS
from capture.voice.settings import STAGE_NAMES
from tests.media_support import TONE_DBFS, PulseSink, sine
from widgets.fonts import SAMPLE, covers, install_cjk_font
from widgets.main_window import MainWindow


class Console:
    """A running console (core + window) that can be closed and opened again."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.core: ConsoleCore | None = None
        self.window: MainWindow | None = None

    def open(self, features: tuple[str, ...] = ()) -> MainWindow:
        self.core = ConsoleCore()
        self.window = MainWindow(self.core, features=features)
        self.qtbot.addWidget(self.window)
        self.core.start()
        self.window.show()
        return self.window

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
        if self.core is not None:
            self.core.shutdown()
        self.window = self.core = None


@pytest.fixture
def console(qtbot) -> Iterator[Console]:
    c = Console(qtbot)
    yield c
    c.close()


def settings_with(media: dict) -> None:
    import json

    (config_dir() / "settings.json").write_text(json.dumps({"media": media}), encoding="utf-8")


def test_preview_shows_the_synthetic_camera_with_a_readout(console, qtbot) -> None:
    window = console.open()
    qtbot.waitUntil(lambda: window.preview.painted_frames > 10, timeout=10_000)
    assert window.preview.frame_size == (1920, 1080)
    assert window.preview.readout().startswith("1920×1080")
    assert console.core.media.video_device == SYNTHETIC_VIDEO
    qtbot.waitUntil(lambda: "fps" in window.status_text() and "Mic:" in window.status_text())
    status = window.status_text()
    assert "Capture: running" in status and "48 kHz" in status and "dropped" in status


def test_meters_move_with_the_tone_and_drop_for_silence(console, qtbot) -> None:
    settings_with({"camera": SYNTHETIC_VIDEO, "microphone": SYNTHETIC_TONE})
    window = console.open()
    for stage in STAGE_NAMES:  # the meter reads after the voice chain: off, it reads the tone as is
        console.core.voice.set_enabled(stage, False)
    qtbot.wait(400)
    qtbot.waitUntil(lambda: abs(window.meter.levels.peak_dbfs - -20.0) < 0.5, timeout=5000)
    assert window.meter.levels.rms_dbfs == pytest.approx(-23.0, abs=0.5)
    assert window.devices.select("audio", SYNTHETIC_SILENCE)
    qtbot.waitUntil(lambda: window.meter.levels.peak_dbfs == FLOOR_DBFS, timeout=5000)
    assert "silence" in window.status_text()


def test_switching_camera_to_a_file_while_running_then_it_ends(
    console, qtbot, media_file: Path
) -> None:
    window = console.open()
    window.raw_camera_action.setChecked(True)  # the camera as captured, not the program
    qtbot.waitUntil(lambda: window.preview.frame_size == (1920, 1080), timeout=10_000)
    assert window.devices.select("video", f"file:{media_file}")
    qtbot.waitUntil(lambda: window.preview.frame_size == (320, 180), timeout=5000)
    painted = window.preview.painted_frames
    qtbot.waitUntil(lambda: window.preview.painted_frames > painted + 10, timeout=5000)
    assert window.devices.camera.currentData() == f"file:{media_file}"
    # The file ends after 2 s, as an unplugged camera would: a message, and the console goes on.
    qtbot.waitUntil(lambda: window.notice_bar.isVisible(), timeout=10_000)
    assert "test.mp4 ended" in window.notice_bar.label.text()
    assert "SYNTHETIC" in window.notice_bar.label.text()
    qtbot.waitUntil(lambda: window.preview.frame_size == (1920, 1080), timeout=5000)
    assert window.devices.camera.currentData() == SYNTHETIC_VIDEO
    # The host's saved choice is still the file (a camera that comes back is used next start).
    assert console.core.settings.section("media")["camera"] == f"file:{media_file}"


def test_choices_and_geometry_survive_a_restart(console, qtbot) -> None:
    window = console.open()
    assert window.devices.select("audio", SYNTHETIC_SILENCE)
    window.resize(700, 520)  # within the offscreen screen (800×600)
    qtbot.wait(50)
    console.close()
    window = console.open()
    assert console.core.media.audio_device == SYNTHETIC_SILENCE
    assert window.devices.microphone.currentData() == SYNTHETIC_SILENCE
    assert window.size() == QSize(700, 520)
    assert not window.notice_bar.isVisible()


def test_corrupt_settings_file_is_reported_and_defaults_used(console, qtbot) -> None:
    (config_dir() / "settings.json").write_text("{ this is not json", encoding="utf-8")
    window = console.open()
    assert window.notice_bar.isVisible()
    assert "could not be read" in window.notice_bar.label.text()
    qtbot.waitUntil(lambda: window.preview.painted_frames > 5, timeout=10_000)


def test_unsupported_camera_mode_and_missing_camera_are_explained(console, qtbot) -> None:
    window = console.open()
    media = console.core.media
    media.set_camera_mode(CameraMode(1920, 1080, 30.0, "H264"))
    assert not media.select_video("camera:/dev/video0")
    assert "camera format must be one of" in window.notice_bar.label.text()
    assert media.video_device == SYNTHETIC_VIDEO  # kept the picture it had
    media.set_camera_mode(CameraMode())
    assert media.select_video("camera:/dev/video97")  # no such device on this machine
    qtbot.waitUntil(lambda: "could not be opened" in window.notice_bar.label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: media.video_device == SYNTHETIC_VIDEO, timeout=5000)
    painted = window.preview.painted_frames
    qtbot.waitUntil(lambda: window.preview.painted_frames > painted + 5, timeout=5000)


def broken_install(window: MainWindow, core: ConsoleCore) -> None:
    raise RuntimeError("panel exploded")


def good_install(window: MainWindow, core: ConsoleCore) -> None:
    window.add_dock("Good panel", QLabel("弹幕 works"))
    window.add_action("Show", QAction("Do a thing", window))


def test_a_failing_feature_is_reported_and_the_others_install(console, qtbot) -> None:
    window = console.open(
        features=(
            "tests.test_main_window:broken_install",
            "tests.test_main_window:good_install",
            "tests.no_such_module:install",
        )
    )
    assert set(window.feature_errors) == {
        "tests.test_main_window:broken_install",
        "tests.no_such_module:install",
    }
    assert "panel exploded" in window.feature_errors["tests.test_main_window:broken_install"]
    assert window.notice_bar.isVisible()
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[:3] == ["File", "View", "Show"]
    assert "Good panel" in [d.windowTitle() for d in window.findChildren(QDockWidget)]
    qtbot.waitUntil(lambda: window.preview.painted_frames > 5, timeout=10_000)


def test_app_font_covers_chinese(qapp) -> None:
    family = install_cjk_font(qapp)
    assert family is not None
    assert covers(qapp.font(), SAMPLE + "主播优惠链接抢购")
    assert covers(qapp.font(), "问题倒计时抽奖")


def test_microphone_through_portaudio_moves_the_meter_to_the_known_level(
    console, qtbot, pulse_null_sink: PulseSink
) -> None:
    settings_with({"camera": SYNTHETIC_VIDEO, "microphone": SYNTHETIC_SILENCE})
    window = console.open()
    assert window.devices.select("audio", "mic:default")
    for stage in STAGE_NAMES:  # the meter reads after the voice chain: off, it reads the tone as is
        console.core.voice.set_enabled(stage, False)
    meter = window.meter
    qtbot.waitUntil(lambda: meter.tracker.blocks > 20, timeout=10_000)
    player = threading.Thread(target=pulse_null_sink.play, args=(sine(2.5),))
    player.start()
    readings = []
    while player.is_alive():
        qtbot.wait(100)
        readings.append(meter.levels)
    player.join()
    loud = [r for r in readings if r.peak_dbfs > -60][2:-2]
    assert len(loud) >= 10
    peaks = sorted(r.peak_dbfs for r in loud)
    rms = sorted(r.rms_dbfs for r in loud)
    assert peaks[len(peaks) // 2] == pytest.approx(TONE_DBFS, abs=1.0)
    assert rms[len(rms) // 2] == pytest.approx(TONE_DBFS - 3.01, abs=1.0)
    assert "System default microphone" in window.status_text()


def test_microphone_closed_mid_run_is_explained_and_replaced(
    console, qtbot, pulse_null_sink: PulseSink
) -> None:
    settings_with({"camera": SYNTHETIC_VIDEO, "microphone": "mic:default"})
    window = console.open()
    media = console.core.media
    qtbot.waitUntil(lambda: window.meter.tracker.blocks > 10, timeout=10_000)
    media.raw_audio.source.close_stream()
    qtbot.waitUntil(
        lambda: "stopped sending sound" in window.notice_bar.label.text(), timeout=10_000
    )
    qtbot.waitUntil(lambda: media.audio_device == SYNTHETIC_SILENCE, timeout=5000)
    blocks = window.meter.tracker.blocks
    qtbot.waitUntil(lambda: window.meter.tracker.blocks > blocks + 20, timeout=5000)


def test_camera_running_below_the_asked_mode_is_explained(console, qtbot, monkeypatch) -> None:
    """No physical camera here: a stand-in with the camera's reporting (`mode_warning`) and a
    real 1280×720 picture goes through the same controller path a camera takes."""
    import capture.camera
    from capture.synthetic import SyntheticVideoSource

    class CameraWithout1080p(SyntheticVideoSource):
        def __init__(self, device: str, mode: CameraMode) -> None:
            super().__init__(1280, 720, mode.fps)
            self.mode_warning = (
                f"Camera {device} does not support {mode.width}×{mode.height} "
                f"{mode.fourcc}; running at 1280×720 YUYV 30 fps."
            )

    # The source registry opens `camera:` ids with capture.camera.CameraSource.
    monkeypatch.setattr(capture.camera, "CameraSource", CameraWithout1080p)
    window = console.open()
    window.raw_camera_action.setChecked(True)  # the camera as captured, not the program
    assert window.devices.select("video", "camera:/dev/video0")
    qtbot.waitUntil(
        lambda: "does not support 1920×1080 MJPG" in window.notice_bar.label.text(), timeout=5000
    )
    qtbot.waitUntil(lambda: window.preview.frame_size == (1280, 720), timeout=5000)


def test_camera_mode_choice_is_saved_and_offered_again(console, qtbot) -> None:
    window = console.open()
    picker = window.devices.camera_mode
    assert picker.currentText() == "1920×1080 30 fps MJPG"
    index = picker.findText("1280×720 30 fps YUYV")
    picker.setCurrentIndex(index)
    picker.activated.emit(index)
    assert console.core.media.camera_mode() == CameraMode(1280, 720, 30.0, "YUYV")
    console.close()
    window = console.open()
    assert window.devices.camera_mode.currentText() == "1280×720 30 fps YUYV"


def tall_panels_install(window: MainWindow, core: ConsoleCore) -> None:
    for title in ("Tall one", "Tall two", "Tall three"):
        panel = QLabel("\n".join(f"第{i}行" for i in range(40)))
        window.add_dock(title, panel)


def test_many_tall_panels_still_fit_a_laptop_screen(console) -> None:
    window = console.open(features=("tests.test_main_window:tall_panels_install",))
    assert window.minimumSizeHint().height() <= 768
    assert not window.feature_errors


def test_feature_panel_layout_survives_a_restart(console, qtbot) -> None:
    features = ("tests.test_main_window:good_install",)
    window = console.open(features=features)
    dock = next(d for d in window.findChildren(QDockWidget) if d.windowTitle() == "Good panel")
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)  # the host moves it
    qtbot.wait(50)
    console.close()
    window = console.open(features=features)
    dock = next(d for d in window.findChildren(QDockWidget) if d.windowTitle() == "Good panel")
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea
