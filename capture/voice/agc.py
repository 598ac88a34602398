"""Automatic gain control: brings speech to a target loudness (LUFS, short-term) and holds it.

The level is measured the way it is judged: K-weighted mean square (BS.1770) over the current
stretch of speech, up to the last 3 s (the short-term window), so gain = target - loudness
lands the output's short-term loudness on the target. The gain only moves while someone speaks
(a voice-activity gate: hop level above both an absolute threshold and the tracked noise floor),
so pauses never pump room noise up and silence is never amplified. It starts at 0 dB, is
smoothed with a time constant short enough to converge within 3 s from anywhere in
-40..-10 dBFS, and ramps sample by sample across each hop (no zipper noise).
A DC blocker sits in front: gain applied to a DC offset would eat the limiter's headroom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import signal

from capture.properties import setting
from capture.voice.loudness import KWeighting, mean_square_to_lufs
from capture.voice.stage import HOP, RATE, StageKind

_HOP_S = HOP / RATE
_WINDOW_HOPS = 300  # 3 s: the short-term loudness window
_MIN_WINDOW_HOPS = 30  # measure at least 0.3 s of speech before trusting the level
_SPEECH_END_HOPS = 100  # 1 s without voice ends a stretch of speech
_FLOOR_RISE_DB = 3.0 * _HOP_S  # noise floor tracker rises 3 dB/s, falls at once
_VAD_ABOVE_FLOOR_DB = 8.0
_DC_POLE = 1.0 - 2 * math.pi * 10.0 / RATE  # ~10 Hz one-pole high-pass


@dataclass(frozen=True, slots=True)
class AgcSettings:
    enabled: bool = setting(True, "Automatic gain")
    target_lufs: float = setting(
        -16.0,
        "Target loudness",
        minimum=-30.0,
        maximum=-10.0,
        step=1.0,
        unit="LUFS",
        help="Short-term loudness the voice is brought to.",
    )
    max_gain_db: float = setting(30.0, "Most gain", minimum=0.0, maximum=40.0, unit="dB")
    min_gain_db: float = setting(-20.0, "Least gain", minimum=-40.0, maximum=0.0, unit="dB")
    vad_threshold_lufs: float = setting(
        -60.0,
        "Quietest speech",
        minimum=-90.0,
        maximum=-20.0,
        unit="LUFS",
        help="Quieter sound never counts as speech, so the gain does not move for it.",
    )
    rise_time_s: float = setting(
        0.5, "Rise time", minimum=0.05, maximum=10.0, unit="s", help="While the gain goes up."
    )
    fall_time_s: float = setting(
        0.2,
        "Fall time",
        minimum=0.02,
        maximum=10.0,
        unit="s",
        help="While the gain comes down (too-loud speech is corrected faster).",
    )


class Agc:
    latency = 0
    reduction_db = 0.0

    def __init__(self, settings: AgcSettings | None = None) -> None:
        self.settings = settings or AgcSettings()
        self._kw = KWeighting()
        self._dc_b = np.array([1.0, -1.0])
        self._dc_a = np.array([1.0, -_DC_POLE])
        self._ramp = (np.arange(1, HOP + 1) / HOP).astype(np.float32)
        self.reset()

    def configure(self, settings: AgcSettings) -> None:
        self.settings = settings

    def reset(self) -> None:
        self._kw.reset()
        self._dc_zi = np.zeros(1)
        self._energy = np.zeros(_WINDOW_HOPS)
        self._pos = 0
        self._stretch_hops = 0  # hops since the current stretch of speech began (max 3 s)
        self._stretch_sum = 0.0  # their energy
        self._quiet_hops = _SPEECH_END_HOPS
        self._floor_db: float | None = None
        self.gain_db = 0.0
        self.voice = False

    def process(self, hop: np.ndarray) -> np.ndarray:
        x, self._dc_zi = signal.lfilter(self._dc_b, self._dc_a, hop, zi=self._dc_zi)
        k = self._kw(x)
        ms = float(np.dot(k, k)) / HOP
        if not math.isfinite(ms):  # never let a bad hop into the state: it would stick
            self.reset()
            return np.zeros(HOP, dtype=np.float32)
        leaving = float(self._energy[self._pos])  # 3 s ago
        self._energy[self._pos] = ms
        self._pos = (self._pos + 1) % _WINDOW_HOPS
        level = mean_square_to_lufs(ms)
        self.voice = self._is_voice(level)
        old = self.gain_db
        self._quiet_hops = 0 if self.voice else self._quiet_hops + 1
        if self._quiet_hops >= _SPEECH_END_HOPS:
            self._stretch_hops = 0
            self._stretch_sum = 0.0
        elif self._stretch_hops < _WINDOW_HOPS:
            self._stretch_hops += 1
            self._stretch_sum += ms
        elif self._pos == 0:  # the window is full: re-sum now and then, no drift over hours
            self._stretch_sum = float(self._energy.sum())
        else:  # the window is full: the oldest hop leaves it
            self._stretch_sum += ms - leaving
        if self.voice:
            self._adapt()
        return self._apply(x, old, self.gain_db)

    def _is_voice(self, level: float) -> bool:
        floor = self._floor_db
        self._floor_db = level if floor is None else min(level, floor + _FLOOR_RISE_DB)
        if floor is None:
            return False
        return level > self.settings.vad_threshold_lufs and level > floor + _VAD_ABOVE_FLOOR_DB

    def _adapt(self) -> None:
        """Move the gain toward target - loudness of the current stretch of speech."""
        n = self._stretch_hops
        if n < _MIN_WINDOW_HOPS:
            return
        loudness = mean_square_to_lufs(max(self._stretch_sum, 0.0) / n)
        s = self.settings
        want = min(max(s.target_lufs - loudness, s.min_gain_db), s.max_gain_db)
        tau = s.rise_time_s if want > self.gain_db else s.fall_time_s
        self.gain_db += (want - self.gain_db) * (1.0 - math.exp(-_HOP_S / tau))

    def _apply(self, x: np.ndarray, old_db: float, new_db: float) -> np.ndarray:
        g0, g1 = 10.0 ** (old_db / 20.0), 10.0 ** (new_db / 20.0)
        if g0 == g1:
            return (x * g1).astype(np.float32)
        return (x * (g0 + (g1 - g0) * self._ramp)).astype(np.float32)


KIND = StageKind("agc", "Automatic gain", AgcSettings, Agc)
