"""The Voice panel in the real console window, driven through its widgets: stage switches change
what reaches the processed-audio bus, "learn noise" learns from the microphone and is saved,
settings survive a restart, and meters update at most 30 times a second."""

from __future__ import annotations

import bisect
import json
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDockWidget, QDoubleSpinBox

from app.console_core import ConsoleCore
from app.paths import config_dir
from app.voice_controller import SECTION, VoiceController
from capture.devices import SYNTHETIC_TONE, SYNTHETIC_VIDEO
from capture.voice.agc import AgcSettings
from capture.voice.denoise_settings import DenoiseSettings
from capture.voice.limiter import LimiterSettings
from capture.voice.room import Room
from capture.voice.settings import STAGE_NAMES
from widgets.main_window import MainWindow
from widgets.voice_panel import VoicePanel

FEATURE = ("widgets.voice_feature:install",)


class Console:
    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.core: ConsoleCore | None = None
        self.window: MainWindow | None = None

    def open(self) -> tuple[MainWindow, VoicePanel]:
        self.core = ConsoleCore()
        self.window = MainWindow(self.core, features=FEATURE)
        self.qtbot.addWidget(self.window)
        self.core.start()
        self.window.show()
        assert not self.window.feature_errors
        panel = self.window.findChild(VoicePanel)
        assert panel is not None
        return self.window, panel

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
        if self.core is not None:
            self.core.shutdown()
        self.window = self.core = None


@pytest.fixture
def console(qtbot) -> Iterator[Console]:
    (config_dir()).mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.json").write_text(
        json.dumps({"media": {"camera": SYNTHETIC_VIDEO, "microphone": SYNTHETIC_TONE}}),
        encoding="utf-8",
    )
    c = Console(qtbot)
    yield c
    c.close()


def click(qtbot, widget) -> None:
    """Click where a host would: a check box on its indicator (its click area is the box and
    its text, not its whole width), a button in its middle."""
    pos = (
        QPoint(8, widget.height() // 2) if isinstance(widget, QCheckBox) else widget.rect().center()
    )
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def test_voice_dock_is_installed_and_meters_follow_the_microphone(console, qtbot) -> None:
    window, panel = console.open()
    docks = [d.windowTitle() for d in window.findChildren(QDockWidget)]
    assert "Voice" in docks
    # The synthetic tone peaks at -20 dBFS.
    qtbot.waitUntil(lambda: abs(panel.meters.levels.input_peak_db + 20.0) < 0.3, timeout=5000)
    assert "In -20.0 dBFS" in panel.meters.text()


def control(panel: VoicePanel, stage: str, name: str):
    """The generated control for one setting, on a tab brought to the front as a host would."""
    panel.tabs.setCurrentIndex(STAGE_NAMES.index(stage))
    form = panel.forms[stage]
    widget = form.control(name)
    spin = widget.findChild(QDoubleSpinBox, f"spin-{name}")
    return spin if spin is not None else widget


def toggle(qtbot, panel: VoicePanel, stage: str) -> None:
    click(qtbot, control(panel, stage, "enabled"))


def test_toggling_stages_through_the_checkboxes(console, qtbot) -> None:
    _window, panel = console.open()
    core = console.core
    method = control(panel, "denoise", "method")
    assert isinstance(method, QComboBox)
    method.setCurrentIndex(method.findData("spectral"))  # the gate alone: known tone answer
    for stage in STAGE_NAMES:
        if control(panel, stage, "enabled").isChecked():
            toggle(qtbot, panel, stage)
    assert not any(core.voice.settings.enabled(s) for s in STAGE_NAMES)
    # All bypassed: output level equals input level.
    qtbot.wait(300)
    qtbot.waitUntil(lambda: abs(panel.meters.levels.output_peak_db + 20.0) < 0.3, timeout=5000)
    # Noise suppression on: with no profile, a steady tone is stationary "noise" for the
    # minimum-statistics floor and is pulled down by the strength (30 dB).
    toggle(qtbot, panel, "denoise")
    assert core.voice.settings.enabled("denoise")
    qtbot.waitUntil(lambda: panel.meters.levels.output_rms_db < -40.0, timeout=8000)
    # The choice is saved in the "voice" section.
    saved = core.settings.section(SECTION)
    assert saved["denoise"]["enabled"] is True and saved["agc"]["enabled"] is False
    # Strength: the generated box changes the chain's settings.
    control(panel, "denoise", "strength_db").setValue(12)
    assert core.voice.settings.of(DenoiseSettings).strength_db == 12.0
    qtbot.waitUntil(
        lambda: abs(panel.meters.levels.output_rms_db - (-23.0 - 12.0)) < 1.5, timeout=8000
    )


def test_learn_noise_button_learns_saves_and_survives_restart(console, qtbot) -> None:
    _window, panel = console.open()
    assert not console.core.voice.has_noise_profile
    progress: list[float] = []
    console.core.voice.learn_progress.connect(progress.append)
    click(qtbot, panel.learn_button)
    assert not panel.learn_button.isEnabled()
    qtbot.waitUntil(lambda: panel.learn_bar.value() == 100, timeout=10_000)
    assert console.core.voice.has_noise_profile
    assert panel.learn_button.isEnabled()
    assert "learned" in panel.learn_status.text()
    assert progress[0] == 0.0 and progress[-1] == 1.0 and progress == sorted(progress)
    assert any(0.2 < p < 0.9 for p in progress)  # real progress in between
    toggle(qtbot, panel, "gate")
    control(panel, "agc", "target_lufs").setValue(-20)
    console.core.settings.flush()
    saved = console.core.settings.section(SECTION)
    assert len(saved["noise_profile"]["power"]) == 481
    console.close()
    _window, panel = console.open()
    assert console.core.voice.has_noise_profile
    assert control(panel, "gate", "enabled").isChecked()
    assert control(panel, "agc", "target_lufs").value() == -20
    assert console.core.voice.settings.of(AgcSettings).target_lufs == -20.0


def test_meter_signal_rate_is_at_most_30_hz(console, qtbot) -> None:
    """Judged on what arrived, not on a wall-clock window: on a loaded machine the audio may
    come late, but however it comes, no second holds more than 30 readings and each reading
    gathers several 10 ms hops (a signal per audio block would give one or two)."""
    _window, _panel = console.open()
    # The spectral gate alone: the learned model's CPU is not what this test is about.
    console.core.voice.set_values("denoise", method="spectral")
    stamped: list[tuple[float, int]] = []
    console.core.voice.levels.connect(lambda r: stamped.append((time.monotonic(), r.hops)))
    qtbot.waitUntil(lambda: sum(h for _, h in stamped) >= 200, timeout=30_000)
    times = [t for t, _ in stamped]
    busiest = max(bisect.bisect_right(times, t + 1.0) - i for i, t in enumerate(times))
    assert busiest <= 31, f"{busiest} readings within one second"
    hops = sum(h for _, h in stamped)
    assert hops >= 2.5 * len(stamped), f"{hops} hops over {len(stamped)} readings"


def test_learn_noise_without_audio_says_so_and_frees_the_button(qtbot, monkeypatch) -> None:
    import app.voice_controller as vc

    monkeypatch.setattr(vc, "LEARN_PATIENCE_S", 0.2)
    controller = VoiceController()  # attached to nothing: no audio will come
    panel = VoicePanel(controller)
    qtbot.addWidget(panel)
    click(qtbot, panel.learn_button)
    assert not panel.learn_button.isEnabled()
    with qtbot.waitSignal(controller.learn_stalled, timeout=2_000 + 1000 * vc.LEARN_SECONDS):
        pass
    assert panel.learn_button.isEnabled()
    assert "No sound reached" in panel.learn_status.text()
    assert not controller.has_noise_profile


def test_panel_standalone_without_audio(qtbot) -> None:
    controller = VoiceController()
    panel = VoicePanel(controller)
    qtbot.addWidget(panel)
    panel.show()
    toggle(qtbot, panel, "limiter")
    assert not controller.settings.of(LimiterSettings).enabled
    method = control(panel, "denoise", "method")
    method.setCurrentIndex(method.findData("rnnoise"))
    assert controller.settings.of(DenoiseSettings).method == "rnnoise"
    assert "RNNoise" in panel.room_action.text()
    controller.chain.problem = "The microphone sent 3 invalid samples (NaN or infinite); x"
    qtbot.waitUntil(lambda: panel.problem_label.isVisible(), timeout=2000)
    assert "invalid samples" in panel.problem_label.text()


def test_room_indicator_says_what_the_chain_does(qtbot) -> None:
    controller = VoiceController()
    panel = VoicePanel(controller)
    qtbot.addWidget(panel)
    controller.room_changed.emit(Room.TRANSIENT)
    assert "clicks" in panel.room_label.text()
    controller.set_values("denoise", keep_music=True, duck_db=10.0)
    controller.room_changed.emit(Room.MUSIC)
    assert "kept" in panel.room_action.text() and "10 dB" in panel.room_action.text()
    controller.set_enabled("denoise", False)
    assert "off" in panel.room_action.text()
