"""The noise-suppression stage: one of two methods, switchable live.

The spectral method is always built (it owns the learned noise profile, so "learn noise" works
whichever method is playing); RNNoise is built on first use. Switching methods restarts the
newly chosen one's stream state; its latency becomes the stage's latency.
"""

from __future__ import annotations

import numpy as np

from capture.voice.denoise_rnnoise import RnnoiseDenoiser, rnnoise_available
from capture.voice.denoise_spectral import NoiseProfile, SpectralDenoiser
from capture.voice.settings import DenoiseSettings


class Denoiser:
    def __init__(self, settings: DenoiseSettings | None = None) -> None:
        self.spectral = SpectralDenoiser(settings)
        self._rnnoise: RnnoiseDenoiser | None = None
        self._active: SpectralDenoiser | RnnoiseDenoiser = self.spectral
        self.settings = DenoiseSettings()
        self.configure(settings or DenoiseSettings())

    @property
    def method(self) -> str:
        return "rnnoise" if self._active is self._rnnoise else "spectral"

    @property
    def latency(self) -> int:
        return self._active.latency

    def configure(self, settings: DenoiseSettings) -> None:
        """Apply new settings; call on the audio thread between hops."""
        self.settings = settings
        self.spectral.settings = settings
        want_rnnoise = settings.method == "rnnoise" and rnnoise_available()
        if want_rnnoise and self._rnnoise is None:
            self._rnnoise = RnnoiseDenoiser(settings)
        if self._rnnoise is not None:
            self._rnnoise.settings = settings
        new = self._rnnoise if want_rnnoise and self._rnnoise is not None else self.spectral
        if new is not self._active:
            new.reset()
            self._active = new

    def process(self, hop: np.ndarray) -> np.ndarray:
        if self.spectral.learn_progress is not None and self._active is not self.spectral:
            self.spectral.process(hop)  # learning needs the spectral analysis of the room tone
        return self._active.process(hop)

    def reset(self) -> None:
        self._active.reset()

    def learn(self, hops: int) -> None:
        self.spectral.learn(hops)

    @property
    def profile(self) -> NoiseProfile | None:
        return self.spectral.profile

    def set_profile(self, profile: NoiseProfile | None) -> None:
        self.spectral.set_profile(profile)
