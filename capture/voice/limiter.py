"""True-peak limiter: keeps the output under -1 dBTP with a short lookahead.

Peaks are found 4× oversampled (BS.1770 Annex 2), so the peaks a DAC or a lossy codec will
reconstruct between samples are caught too. Each sample's needed gain is made a smooth curve:
a trailing minimum over the attack window and a moving average of the same length reach the
needed gain exactly when the peak arrives (the lookahead hides the ramp), and a release limited
to `release_db_per_s` (constant dB per second, which is a cumulative minimum and so vectorises)
brings it back. Nothing loops per sample in Python. A hop that needs no limiting passes through
unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d

from capture.properties import setting
from capture.voice.loudness import TRUE_PEAK_DELAY, TruePeakDetector
from capture.voice.stage import HOP, RATE, StageKind

ATTACK = 90  # samples over which gain ramps down ahead of a peak (1.9 ms)
_SAFETY_DB = 0.4  # the 16-tap interpolator reads up to a few tenths of a dB low above 20 kHz


@dataclass(frozen=True, slots=True)
class LimiterSettings:
    enabled: bool = setting(True, "True-peak limiter")
    ceiling_dbtp: float = setting(-1.0, "Ceiling", minimum=-20.0, maximum=0.0, unit="dBTP")
    release_db_per_s: float = setting(
        500.0, "Release", minimum=1.0, maximum=1000.0, unit="dB/s",
        help="6 dB back in 12 ms at 500 dB/s: a click or plosive ducks little speech.",
    )  # fmt: skip


class Limiter:
    # Audio waits for the true-peak reading (which lags by TRUE_PEAK_DELAY) plus the attack.
    latency = ATTACK + TRUE_PEAK_DELAY

    def __init__(self, settings: LimiterSettings | None = None) -> None:
        self.settings = settings or LimiterSettings()
        self._tp = TruePeakDetector()
        self.reset()

    def configure(self, settings: LimiterSettings) -> None:
        self.settings = settings

    def reset(self) -> None:
        self._tp.reset()
        self._audio = np.zeros(self.latency + HOP, dtype=np.float32)
        # Needed gain (dB) for the samples that the attack window still has to see.
        self._need = np.zeros(2 * ATTACK + HOP)
        self._env_db = 0.0
        self.reduction_db = 0.0

    def process(self, hop: np.ndarray) -> np.ndarray:
        audio = self._audio
        audio[self.latency :] = hop
        peaks = self._tp(hop)  # read into its float64 buffer
        ceiling = self.settings.ceiling_dbtp - _SAFETY_DB
        with np.errstate(divide="ignore"):
            need_db = np.minimum(0.0, ceiling - 20.0 * np.log10(peaks))
        need = self._need
        need[: 2 * ATTACK] = need[HOP:]
        need[2 * ATTACK :] = need_db
        out = audio[:HOP].copy()
        audio[: self.latency] = audio[HOP:]
        if self._env_db == 0.0 and not need.any():
            self.reduction_db = 0.0
            return out
        # need[i] belongs to output sample i - ATTACK of this hop. held[m] = min(need[m..m+ATTACK])
        # (one extra sample: a peak reading spans two samples); output j averages held[j..j+A-1],
        # every one of which contains the peak p when j is p or p+1, so the gain has reached
        # need[p] when p goes out, after a ramp over the ATTACK samples before it.
        held = minimum_filter1d(need, ATTACK + 1, origin=-((ATTACK + 1) // 2))
        csum = np.concatenate(([0.0], np.cumsum(held)))
        smooth = (csum[ATTACK : ATTACK + HOP] - csum[:HOP]) / ATTACK
        # Release at most `rate` dB per sample: env[j] = min(smooth[j], env[j-1] + rate).
        rate = self.settings.release_db_per_s / RATE
        ramp = rate * np.arange(HOP)
        env = np.minimum(np.minimum.accumulate(smooth - ramp) + ramp, self._env_db + rate + ramp)
        self._env_db = float(env[-1]) if env[-1] < -1e-4 else 0.0
        self.reduction_db = float(-env.min())
        return (out * 10.0 ** (env / 20.0)).astype(np.float32)


KIND = StageKind("limiter", "True-peak limiter", LimiterSettings, Limiter)
