"""The noise-suppression stage: the adaptive mix (methods "auto" and "spectral") or RNNoise,
switchable live without a click.

"auto" and "spectral" are one object (denoise_adaptive.py) whose mix moves over 300 ms, so
switching between them is smooth by construction. RNNoise is built on first use; a switch to
or from it restarts the new method's stream (the adaptive mix keeps what it knows about the room), lets it run hidden for two hops (its overlap-add and
state settle), then cross-fades over three hops while the old one still plays. The stage's
latency is the new method's from the switch on. "Learn noise" always learns into the spectral
gate's profile, whichever method is playing.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from capture.voice.denoise_adaptive import AdaptiveDenoiser
from capture.voice.denoise_rnnoise import RnnoiseDenoiser, rnnoise_available
from capture.voice.denoise_settings import DenoiseSettings
from capture.voice.denoise_spectral import NoiseProfile
from capture.voice.room import Room
from capture.voice.stage import HOP, StageKind

_HIDDEN_HOPS = 2
_FADE_HOPS = 3
_FADE = (np.arange(_FADE_HOPS * HOP) + 0.5) / (_FADE_HOPS * HOP)

Method = AdaptiveDenoiser | RnnoiseDenoiser


class Denoiser:
    reduction_db = 0.0

    def __init__(self, settings: DenoiseSettings | None = None) -> None:
        settings = settings or DenoiseSettings()
        self.adaptive = AdaptiveDenoiser(settings)
        self._rnnoise: RnnoiseDenoiser | None = None
        self._active: Method = self.adaptive
        self._leaving: Method | None = None
        self._switch_hops = 0
        self.settings = settings
        self.configure(settings)

    @property
    def method(self) -> str:
        """The method playing: "auto", "spectral" or "rnnoise"."""
        return "rnnoise" if self._active is self._rnnoise else self.adaptive.settings.method

    @property
    def latency(self) -> int:
        return self._active.latency

    @property
    def room(self) -> Room | None:
        """The room as classified, or None while RNNoise plays (it has no room analysis)."""
        return self.adaptive.classifier.room if self._active is self.adaptive else None

    def configure(self, settings: DenoiseSettings) -> None:
        """Apply new settings; call on the audio thread between hops."""
        self.settings = settings
        want_rnnoise = settings.method == "rnnoise" and rnnoise_available()
        if want_rnnoise and self._rnnoise is None:
            self._rnnoise = RnnoiseDenoiser(settings)
        if self._rnnoise is not None:
            self._rnnoise.settings = settings
        if not want_rnnoise and settings.method == "rnnoise":
            settings = replace(settings, method="auto")  # RNNoise is not installed
        self.adaptive.configure(settings)
        new: Method = self._rnnoise if want_rnnoise and self._rnnoise is not None else self.adaptive
        if new is not self._active:
            new.restart()
            self._leaving, self._active = self._active, new
            self._switch_hops = 0

    def process(self, hop: np.ndarray) -> np.ndarray:
        learning = self.adaptive.spectral.learn_progress is not None
        if learning and self.adaptive is not self._active and self.adaptive is not self._leaving:
            self.adaptive.process(hop)  # learning needs the gate's analysis of the room tone
        out = self._active.process(hop)
        leaving = self._leaving
        if leaving is None:
            return out
        old = leaving.process(hop)
        k = self._switch_hops - _HIDDEN_HOPS
        self._switch_hops += 1
        if k < 0:
            return old
        if k >= _FADE_HOPS - 1:
            self._leaving = None
        ramp = _FADE[k * HOP : (k + 1) * HOP]
        return (old + (out - old) * ramp).astype(np.float32)

    def reset(self) -> None:
        self._active.reset()
        self._leaving = None

    def learn(self, hops: int) -> None:
        self.adaptive.spectral.learn(hops)

    @property
    def learn_progress(self) -> float | None:
        return self.adaptive.spectral.learn_progress

    @property
    def profile(self) -> NoiseProfile | None:
        return self.adaptive.spectral.profile

    def set_profile(self, profile: NoiseProfile | None) -> None:
        self.adaptive.spectral.set_profile(profile)


KIND = StageKind("denoise", "Noise suppression", DenoiseSettings, Denoiser)
