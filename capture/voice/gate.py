"""Downward expander / noise gate for the silence between sentences (off by default).

Below the threshold, the level falls `ratio - 1` dB per dB further, never more than `range_db`;
at or above it the signal passes untouched (gain exactly 1, so a tone above the threshold keeps
its level bit for bit). Level is measured per millisecond; the gain opens fast (attack), waits
`hold_ms` after the voice stops, then closes slowly (release), ramped across samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from capture.properties import setting
from capture.voice.stage import HOP, RATE, StageKind

_SUB = RATE // 1000  # 1 ms level steps
_SUBS = HOP // _SUB


@dataclass(frozen=True, slots=True)
class GateSettings:
    enabled: bool = setting(False, "Gate / expander")
    threshold_db: float = setting(
        -50.0, "Threshold", minimum=-80.0, maximum=-20.0, step=1.0, unit="dBFS",
        help="RMS over 1 ms; below it the sound is turned down.",
    )  # fmt: skip
    ratio: float = setting(
        4.0, "Ratio", minimum=1.0, maximum=100.0,
        help="1 dB under the threshold turns the sound down by this many dB; large = hard gate.",
    )  # fmt: skip
    range_db: float = setting(24.0, "Range", minimum=0.0, maximum=90.0, unit="dB")
    attack_ms: float = setting(2.0, "Attack", minimum=0.1, maximum=100.0, unit="ms")
    hold_ms: float = setting(150.0, "Hold", minimum=0.0, maximum=2000.0, unit="ms")
    release_ms: float = setting(150.0, "Release", minimum=1.0, maximum=5000.0, unit="ms")


class Gate:
    latency = 0

    def __init__(self, settings: GateSettings | None = None) -> None:
        self.settings = settings or GateSettings()
        self._x = (np.arange(HOP) + 1.0) / _SUB  # sample positions in 1 ms steps
        self.reset()

    def configure(self, settings: GateSettings) -> None:
        self.settings = settings

    def reset(self) -> None:
        self._atten_db = 0.0  # current attenuation, >= 0
        self._held_ms = 0.0

    def process(self, hop: np.ndarray) -> np.ndarray:
        s = self.settings
        # np.mean and np.clip spelt out: their Python wrappers cost more than the sums.
        ms = np.add.reduce(np.square(hop.reshape(_SUBS, _SUB), dtype=np.float64), axis=1) / _SUB
        level = 10.0 * np.log10(ms + 1e-20)
        want = np.minimum(np.maximum((s.threshold_db - level) * (s.ratio - 1.0), 0.0), s.range_db)
        if self._atten_db == 0.0 and not want.any():
            return hop.copy()
        a_att = 1.0 - math.exp(-1.0 / max(s.attack_ms, 0.1))
        a_rel = 1.0 - math.exp(-1.0 / max(s.release_ms, 0.1))
        curve = np.empty(_SUBS + 1)
        curve[0] = att = self._atten_db
        for i, w in enumerate(want.tolist()):
            if w < att:  # opening
                att += (w - att) * a_att
                self._held_ms = 0.0
            elif self._held_ms < s.hold_ms:
                self._held_ms += 1.0
            else:  # closing
                att += (w - att) * a_rel
            curve[i + 1] = att
        self._atten_db = att if att > 1e-3 else 0.0
        gain_db = -np.interp(self._x, np.arange(_SUBS + 1), curve)
        return (hop * 10.0 ** (gain_db / 20.0)).astype(np.float32)

    @property
    def reduction_db(self) -> float:
        return self._atten_db


KIND = StageKind("gate", "Gate / expander", GateSettings, Gate, warm=False)
