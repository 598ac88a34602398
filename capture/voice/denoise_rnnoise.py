"""RNNoise (Valin 2018) as the second noise-suppression method, through pyrnnoise's library.

RNNoise works natively at 48 kHz in 480-sample frames — exactly our hop — and needs no noise
profile. It has no strength control of its own, so strength is applied as an attenuation limit:
the removed part is mixed back at -strength dB, giving the same meaning as the spectral
method's floor. Its output lags its input by two frames (20 ms: overlap-add plus the
library's own lookahead), measured, not assumed: see tests/test_voice_denoise.py.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

from capture.voice.denoise_settings import DenoiseSettings
from capture.voice.stage import HOP, DelayLine

_SCALE = 32768.0  # RNNoise expects 16-bit sample values in float


def _library() -> Any | None:
    try:
        from pyrnnoise import rnnoise
    except (ImportError, OSError):
        return None
    if rnnoise.FRAME_SIZE != HOP:
        return None
    return rnnoise.lib


_LIB = _library()


def rnnoise_available() -> bool:
    return _LIB is not None


class RnnoiseDenoiser:
    latency = 2 * HOP

    def __init__(self, settings: DenoiseSettings | None = None) -> None:
        if _LIB is None:
            raise RuntimeError("RNNoise is not available (the pyrnnoise package is missing)")
        self._lib: Any = _LIB
        self.settings = settings or DenoiseSettings()
        self._state = self._lib.rnnoise_create(None)
        self._buf = np.zeros(HOP, dtype=np.float32)
        self._ptr = self._buf.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        self._dry = DelayLine(self.latency)
        self.speech_probability = 0.0

    def process(self, hop: np.ndarray) -> np.ndarray:
        np.multiply(hop, _SCALE, out=self._buf)
        self.speech_probability = float(
            self._lib.rnnoise_process_frame(self._state, self._ptr, self._ptr)
        )
        wet = self._buf / _SCALE
        dry = self._dry.process(hop)
        floor = np.float32(10.0 ** (-self.settings.strength_db / 20.0))
        return (wet + floor * (dry - wet)).astype(np.float32)

    def reset(self) -> None:
        self._lib.rnnoise_destroy(self._state)
        self._state = self._lib.rnnoise_create(None)
        self._dry.reset()

    def restart(self) -> None:
        self.reset()

    def close(self) -> None:
        if self._state:
            self._lib.rnnoise_destroy(self._state)
            self._state = None

    def __del__(self) -> None:
        self.close()
