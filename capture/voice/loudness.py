"""Level measurement shared by the voice stages, the benchmark and the tests.

Loudness follows ITU-R BS.1770 (K-weighting, LUFS) and true peak its Annex 2 (4× oversampled
peak). The streaming pieces (`KWeighting`, `TruePeakDetector`) keep their filter state between
hops so a stream measured in hops reads exactly like the whole file measured at once.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

RATE = 48_000
OVERSAMPLE = 4
_TAPS_PER_PHASE = 16

# BS.1770 K-weighting at 48 kHz: a high-shelf (head effect) and the RLB high-pass.
_K_SOS = np.array(
    [
        [
            1.53512485958697,
            -2.69169618940638,
            1.19839281085285,
            1.0,
            -1.69065929318241,
            0.73248077421585,
        ],
        [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621],
    ]
)
_EPS = 1e-20


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def gain_to_db(gain: float) -> float:
    return float(20.0 * np.log10(max(gain, 1e-10)))


def rms_dbfs(x: np.ndarray) -> float:
    """RMS level in dBFS (a full-scale sine reads -3 dBFS); -200 for silence or no samples."""
    if x.size == 0:
        return -200.0
    ms = float(np.mean(np.square(x, dtype=np.float64)))
    return 10.0 * np.log10(ms) if ms > _EPS else -200.0


def mean_square_to_lufs(ms: float) -> float:
    return -0.691 + 10.0 * np.log10(ms + _EPS)


# The two biquads as one 4th-order filter: one lfilter call per hop costs a fifth of sosfilt's,
# and in float64 it matches the cascade to 1e-10.
_K_B = np.convolve(_K_SOS[0, :3], _K_SOS[1, :3])
_K_A = np.convolve(_K_SOS[0, 3:], _K_SOS[1, 3:])


class KWeighting:
    """Streaming K-weighting filter: call on consecutive pieces of one signal."""

    def __init__(self) -> None:
        self._zi = np.zeros(4)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        y, self._zi = signal.lfilter(_K_B, _K_A, x, zi=self._zi)
        return np.asarray(y)

    def reset(self) -> None:
        self._zi[:] = 0.0


def k_weighted(x: np.ndarray) -> np.ndarray:
    return np.asarray(signal.sosfilt(_K_SOS, np.asarray(x, dtype=np.float64)))


def short_term_loudness(
    x: np.ndarray, rate: int = RATE, window_s: float = 3.0, step_s: float = 0.1
) -> np.ndarray:
    """BS.1770 short-term loudness (3 s window) every `step_s`, for windows fully inside x."""
    y2 = np.square(k_weighted(x))
    win, step = int(window_s * rate), int(step_s * rate)
    if y2.size < win:
        return np.zeros(0)
    csum = np.concatenate(([0.0], np.cumsum(y2)))
    starts = np.arange(0, y2.size - win + 1, step)
    ms = (csum[starts + win] - csum[starts]) / win
    return np.asarray(-0.691 + 10.0 * np.log10(ms + _EPS))


def integrated_loudness(x: np.ndarray, rate: int = RATE) -> float:
    """BS.1770 gated integrated loudness (400 ms blocks, 75 % overlap, -70 LUFS and -10 LU gates)."""
    y2 = np.square(k_weighted(x))
    win, step = int(0.4 * rate), int(0.1 * rate)
    if y2.size < win:
        return -200.0
    csum = np.concatenate(([0.0], np.cumsum(y2)))
    starts = np.arange(0, y2.size - win + 1, step)
    ms = (csum[starts + win] - csum[starts]) / win
    lk = -0.691 + 10.0 * np.log10(ms + _EPS)
    ms = ms[lk > -70.0]
    if ms.size == 0:
        return -200.0
    rel = mean_square_to_lufs(float(ms.mean())) - 10.0
    ms = ms[-0.691 + 10.0 * np.log10(ms + _EPS) > rel]
    return mean_square_to_lufs(float(ms.mean())) if ms.size else -200.0


def _interpolator() -> np.ndarray:
    """Polyphase taps (OVERSAMPLE × 16) of the true-peak interpolation low-pass (longer and
    sharper than BS.1770's 12 per phase, which reads full-band peaks up to ~1 dB low)."""
    taps = signal.firwin(OVERSAMPLE * _TAPS_PER_PHASE, 0.98 / OVERSAMPLE, window=("kaiser", 6.0))
    taps *= OVERSAMPLE
    return np.ascontiguousarray(taps.reshape(_TAPS_PER_PHASE, OVERSAMPLE).T)


_PHASES = _interpolator()
# The four phases as one matrix for a matrix product with the signal's sliding windows
# (convolution flips the taps): one product per call instead of four `np.convolve`s.
_PHASE_MATRIX = np.ascontiguousarray(_PHASES[:, ::-1])
#: Reading i of `TruePeakDetector` is the peak between samples i - 8 and i - 7.
TRUE_PEAK_DELAY = _TAPS_PER_PHASE // 2
_HISTORY = _TAPS_PER_PHASE - 1


class TruePeakDetector:
    """Streaming true peak: reading i is the largest of samples i-8, i-7 and the 4 points the
    interpolator reconstructs between them (the 64-tap filter centres half a step off-grid).
    The input is copied after the last call's 15 samples into one buffer whose sliding-window
    view is made once per piece size (a view is as costly to make as the product itself)."""

    def __init__(self) -> None:
        self._ext = np.zeros(_HISTORY)
        self._windows = np.zeros((0, _TAPS_PER_PHASE))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        n = x.size
        if n != self._windows.shape[0]:  # a new piece size: a new buffer, the history kept
            ext = np.zeros(_HISTORY + n)
            ext[:_HISTORY] = self._ext[:_HISTORY]
            self._ext = ext
            self._windows = np.lib.stride_tricks.sliding_window_view(ext, _TAPS_PER_PHASE)
        ext = self._ext
        ext[_HISTORY:] = x
        centre = _TAPS_PER_PHASE // 2
        peaks = np.maximum(
            np.abs(ext[centre - 1 : centre - 1 + n]), np.abs(ext[centre : centre + n])
        )
        # (4, n) and the maximum down the columns: numpy is slow along a short last axis.
        np.maximum(peaks, np.abs(_PHASE_MATRIX @ self._windows.T).max(axis=0), out=peaks)
        ext[:_HISTORY] = ext[n:]
        return peaks

    def reset(self) -> None:
        self._ext[:] = 0.0


def true_peak_dbtp(x: np.ndarray) -> float:
    """True peak of a whole signal in dBTP, measured with a long high-quality 4× resampler
    (independent of the limiter's own short interpolator, so it checks it)."""
    if x.size == 0:
        return -200.0
    up = signal.resample_poly(np.asarray(x, dtype=np.float64), 4, 1, window=("kaiser", 10.0))
    peak = max(float(np.max(np.abs(up))), float(np.max(np.abs(x))))
    return 20.0 * np.log10(peak) if peak > 0 else -200.0
