"""`VoiceController`: the live voice chain's owner on the console core.

It builds the `VoiceChain` from the "voice" settings section (and the learned noise profile
saved there), hands `process` to the media controller so the chain runs on the microphone
thread, and turns the chain's state into Qt signals for the panel. Meter readings are polled on
a GUI timer at most 30 times a second — never a signal per audio block.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from capture.media import AudioBlock
from capture.voice import ChainSettings, VoiceChain, VoiceLevels
from capture.voice.denoise_rnnoise import rnnoise_available
from capture.voice.denoise_settings import DenoiseSettings
from capture.voice.denoise_spectral import NoiseProfile
from capture.voice.learned import LearnedModel
from capture.voice.room import Room

log = logging.getLogger(__name__)

SECTION = "voice"
PROFILE_KEY = "noise_profile"
METER_INTERVAL_MS = 34  # < 30 Hz
LEARN_SECONDS = 2.0
LEARN_PATIENCE_S = 3.0  # extra time for audio to arrive before "learn noise" is called stalled


class SettingsStore(Protocol):
    def section(self, name: str) -> dict[str, Any]: ...

    def update_section(self, name: str, values: dict[str, Any]) -> None: ...


class MediaLike(Protocol):
    def set_audio_processor(self, fn: Any) -> None: ...


class VoiceController(QObject):
    levels = Signal(object)  # VoiceLevels
    settings_changed = Signal(object)  # ChainSettings
    learn_progress = Signal(float)  # 0..1 while learning noise
    learn_finished = Signal()
    learn_stalled = Signal(str)  # no audio arrived to learn from; plain words
    problem = Signal(str)  # bad input reported by the chain, plain words
    room_changed = Signal(object)  # Room, or None while the room is not classified

    def __init__(self, store: SettingsStore | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        saved = store.section(SECTION) if store is not None else {}
        settings = ChainSettings.from_dict(saved)
        if settings.of(DenoiseSettings).method == "rnnoise" and not rnnoise_available():
            settings = settings.with_values("denoise", method="auto")
        self._settings = settings
        LearnedModel.load_async()  # about a second on a worker; the gate works alone till then
        self.chain = VoiceChain(settings, live=True)
        profile = NoiseProfile.from_lists(saved.get(PROFILE_KEY))
        if profile is not None:
            self.chain.set_noise_profile(profile)
        self._media: MediaLike | None = None
        self._learning = False
        self._learn_deadline = 0.0
        self._problem = ""
        self._room: Room | None = None
        self._idle = True
        self._timer = QTimer(self)
        self._timer.setInterval(METER_INTERVAL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    # -- wiring -------------------------------------------------------------------------------
    def attach(self, media: MediaLike) -> None:
        """Run the chain on `media`'s microphone thread (core.media.set_audio_processor)."""
        self._media = media
        media.set_audio_processor(self.process)

    def detach(self) -> None:
        if self._media is not None:
            self._media.set_audio_processor(None)
            self._media = None

    def process(self, block: AudioBlock) -> AudioBlock:
        return self.chain.process(block)

    # -- settings -----------------------------------------------------------------------------
    @property
    def settings(self) -> ChainSettings:
        return self._settings

    @property
    def room(self) -> Room | None:
        """The room as last classified (None: noise suppression off, or RNNoise playing)."""
        return self._room

    def set_enabled(self, stage: str, enabled: bool) -> None:
        self.set_values(stage, enabled=enabled)

    def set_values(self, stage: str, **values: Any) -> None:
        """Change some settings of one stage (clamped to their described ranges)."""
        if values.get("method") == "rnnoise" and not rnnoise_available():
            raise ValueError("RNNoise is not installed")
        self._apply(self._settings.with_values(stage, **values))

    def set_stage(self, settings: Any) -> None:
        """Replace one stage's settings (what the panel's generated form emits)."""
        self._apply(self._settings.with_stage(settings))

    def _apply(self, settings: ChainSettings) -> None:
        # Through the dict form so values are clamped exactly as when loading.
        settings = ChainSettings.from_dict(settings.to_dict())
        if settings == self._settings:
            return
        self._settings = settings
        self.chain.configure(settings)
        if self._store is not None:
            self._store.update_section(SECTION, settings.to_dict())
        self.settings_changed.emit(settings)

    # -- learn noise ----------------------------------------------------------------------------
    def learn_noise(self, seconds: float = LEARN_SECONDS) -> None:
        """Learn the room's noise from the next `seconds` of microphone input (stay quiet)."""
        self.chain.learn_noise(seconds)
        self._learning = True
        self._learn_deadline = time.monotonic() + seconds + LEARN_PATIENCE_S
        self.learn_progress.emit(0.0)

    @property
    def learning(self) -> bool:
        return self._learning

    @property
    def has_noise_profile(self) -> bool:
        return self.chain.noise_profile is not None

    # -- polling (GUI thread, < 30 Hz) --------------------------------------------------------
    def _poll(self) -> None:
        reading: VoiceLevels = self.chain.take_levels()
        if reading.hops or not self._idle:
            self.levels.emit(reading)
        self._idle = reading.hops == 0
        if self._learning:
            progress = self.chain.learn_progress
            if progress is None:
                self._learning = False
                self._save_profile()
                self.learn_progress.emit(1.0)
                self.learn_finished.emit()
            elif time.monotonic() > self._learn_deadline:
                # Nothing (or too little) came from the microphone. The chain keeps learning
                # when audio arrives; the host is told instead of watching a bar that never moves.
                self._learning = False
                self.learn_stalled.emit(
                    "No sound reached the voice chain, so the room could not "
                    "be learned. Check the microphone and try again."
                )
            else:
                self.learn_progress.emit(progress)
        room = self.chain.room
        if room != self._room:
            self._room = room
            self.room_changed.emit(room)
        if self.chain.problem != self._problem:
            self._problem = self.chain.problem
            if self._problem:
                self.problem.emit(self._problem)

    def _save_profile(self) -> None:
        profile = self.chain.noise_profile
        if profile is not None and self._store is not None:
            self._store.update_section(SECTION, {PROFILE_KEY: profile.to_lists()})
