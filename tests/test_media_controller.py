"""The media controller without a window: the voice-chain hook, device start-up defaults."""

from __future__ import annotations

import dataclasses
import threading

from app.media_controller import MediaController
from app.settings import Settings
from capture.devices import SYNTHETIC_TONE, SYNTHETIC_VIDEO
from capture.levels import block_levels
from capture.media import AudioBlock


def test_audio_processor_runs_on_the_microphone_thread_and_a_broken_one_is_unplugged(qtbot) -> None:
    settings = Settings()
    settings.update_section("media", {"camera": SYNTHETIC_VIDEO, "microphone": SYNTHETIC_TONE})
    media = MediaController(settings)
    raw: list[AudioBlock] = []
    processed: list[AudioBlock] = []
    threads: set[str] = set()
    media.raw_audio.subscribe(raw.append)
    media.audio.subscribe(processed.append)
    notices: list[str] = []
    media.notice.connect(notices.append)

    def halve(block: AudioBlock) -> AudioBlock:
        threads.add(threading.current_thread().name)
        return dataclasses.replace(block, samples=block.samples * 0.5)

    media.set_audio_processor(halve)
    media.start()
    try:
        qtbot.waitUntil(lambda: len(processed) > 20, timeout=5000)
        assert threads and threading.main_thread().name not in threads
        assert abs(block_levels(raw[-1].samples)[0] - -20.0) < 0.1  # the tone as captured
        assert abs(block_levels(processed[-1].samples)[0] - -26.02) < 0.1  # halved: −6.02 dB

        def explode(block: AudioBlock) -> AudioBlock:
            raise RuntimeError("denoiser out of memory")

        media.set_audio_processor(explode)
        count = len(processed)
        qtbot.waitUntil(lambda: len(processed) > count + 20, timeout=5000)  # raw flows on
        qtbot.waitUntil(lambda: any("denoiser out of memory" in n for n in notices), timeout=5000)
        assert abs(block_levels(processed[-1].samples)[0] - -20.0) < 0.1
    finally:
        media.stop()


def test_start_without_devices_or_settings_uses_labelled_synthetic_sources(qtbot) -> None:
    media = MediaController(Settings())
    media.start()
    try:
        assert media.video_device == SYNTHETIC_VIDEO  # no /dev/video* on this machine
        assert "SYNTHETIC" in media.video_label()
        assert "SYNTHETIC" in media.audio_label() or media.audio_device.startswith("mic:")
    finally:
        media.stop()
