"""Microphone level figures: peak and RMS in dBFS, with a peak hold, as a meter shows them.

`block_levels` is the pure computation. `LevelTracker` is fed blocks on the audio thread and read
by the meter's timer on the GUI thread; it keeps only a few numbers, so memory is flat and the
audio thread never waits for the GUI.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np

from capture.media import AudioBlock

#: The floor the meters show: anything quieter reads as this (silence is -inf otherwise).
FLOOR_DBFS = -90.0


def to_dbfs(amplitude: float) -> float:
    """Amplitude relative to full scale (1.0) in dB, clamped at the floor."""
    if amplitude <= 0.0:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 20.0 * math.log10(amplitude))


def block_levels(samples: np.ndarray) -> tuple[float, float]:
    """(peak dBFS, RMS dBFS) of a block, over all channels. A full-scale sine reads 0 dBFS peak
    and −3.01 dBFS RMS (RMS is not rescaled to the sine convention)."""
    if samples.size == 0:
        return FLOOR_DBFS, FLOOR_DBFS
    x = samples.astype(np.float64, copy=False)
    peak = float(np.max(np.abs(x)))
    rms = float(np.sqrt(np.mean(np.square(x))))
    return to_dbfs(peak), to_dbfs(rms)


@dataclass(frozen=True, slots=True)
class Levels:
    peak_dbfs: float  # highest sample since the previous read
    rms_dbfs: float  # RMS over the last `window_s`
    hold_dbfs: float  # highest peak within the last `hold_s`
    clipped: bool  # a sample reached full scale since the previous read


class LevelTracker:
    def __init__(self, window_s: float = 0.3, hold_s: float = 1.5) -> None:
        self._lock = threading.Lock()
        self._window_s = window_s
        self._hold_s = hold_s
        self._peak = 0.0
        self._clipped = False
        self._squares: list[tuple[float, float, int]] = []  # (time, sum of squares, samples)
        self._hold = 0.0
        self._hold_at = 0.0
        self.blocks = 0

    def feed(self, block: AudioBlock) -> None:
        """Audio thread: account one block (microseconds of work)."""
        x = block.samples
        peak = float(np.max(np.abs(x))) if x.size else 0.0
        squares = float(np.sum(np.square(x, dtype=np.float64)))
        now = time.monotonic()
        with self._lock:
            self.blocks += 1
            self._peak = max(self._peak, peak)
            self._clipped = self._clipped or peak >= 1.0
            self._squares.append((now, squares, int(x.size)))
            cutoff = now - self._window_s
            while self._squares and self._squares[0][0] < cutoff:
                self._squares.pop(0)
            if peak >= self._hold or now - self._hold_at > self._hold_s:
                self._hold, self._hold_at = peak, now

    def read(self) -> Levels:
        """GUI thread: the figures to draw; resets the peak since the previous read."""
        now = time.monotonic()
        with self._lock:
            total = sum(s for _, s, _ in self._squares)
            count = sum(n for _, _, n in self._squares)
            stale = not self._squares or now - self._squares[-1][0] > self._window_s
            rms = 0.0 if stale or count == 0 else math.sqrt(total / count)
            if now - self._hold_at > self._hold_s:
                self._hold = self._peak
                self._hold_at = now
            levels = Levels(to_dbfs(self._peak), to_dbfs(rms), to_dbfs(self._hold), self._clipped)
            self._peak, self._clipped = 0.0, False
        return levels
