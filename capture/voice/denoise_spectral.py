"""Streaming spectral-gating noise suppression: noisereduce's stationary method, causal.

noisereduce builds a per-bin threshold from the noise spectrum (mean + n_std · std of its dB
values, std capped here), gates each STFT bin against it and smooths the 0/1 mask over time
and frequency.
Calling `reduce_noise` per block is far too slow (it recomputes the statistics on every call),
so this stage keeps them: learned once from ~2 s of room tone ("learn noise") and adapted slowly
while nobody speaks. Each 10 ms hop is one 20 ms sqrt-Hann frame (50 % overlap-add), so the
algorithmic latency is 10 ms. The mask is smoothed over frequency with a bell-shaped kernel
(noisereduce smooths ±500 Hz) and over time with a one-pole (recursive, so causal, where noisereduce uses ±50 ms), then floored at
the chosen strength (dB of reduction): a floor keeps a little room tone instead of dead silence
and hides the "musical noise" a bare gate leaves.
Without a learned profile the noise floor comes from minimum statistics (Martin 2001).
FFTs are scipy's: the same pocketfft as numpy's at a half to two thirds of its time per call on
these sizes (numpy's wrapper costs more than a 960-point transform).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft

from capture.voice.denoise_settings import DenoiseSettings
from capture.voice.stage import HOP, RATE

FRAME = 2 * HOP
BINS = FRAME // 2 + 1
_EPS = 1e-12
_N_STD = 1.7  # noisereduce uses 1.5 with a hard gate; the soft gate below wants it a little higher
# The std term is capped at 6 dB (a Gaussian bin's dB spread is 5.6 dB), so the threshold never
# sits more than 9 dB over the noise's mean: a clicky or babbly room tone would otherwise set it so
# high that the voice itself is gated (measured: STOI on keyboard noise -0.058 → -0.025, and PESQ
# on stationary noise +0.05..0.1).
_STD_CAP_DB = 6.0
_FREQ_TAPS = 4  # two triangular kernels over ±4 bins each: a bell ±400 Hz wide
_SOFT_DB = 3.0  # the gate opens over ±1.5 dB around the threshold (measured: PESQ +0.02..0.05)
# A restless room (clicks, chatter) is told by how much its level above 200 Hz moves from frame
# to frame: ~0.6-1.4 dB for hiss, hum or an air conditioner, 3+ dB for keys or babble. There the
# threshold comes down 6 dB: speech-like or clicky noise spreads wide, and a threshold above most
# of it gates the voice too (measured STOI at 0 dB: keyboard -0.03 → +0.00, babble -0.025 → 0.00).
_LEVEL_FROM_BIN = 4
_RESTLESS_LEVEL_STD_DB = 2.0
_RESTLESS_DROP_DB = 6.0
_TIME_SMOOTH = 0.35  # one-pole weight of the previous frame's mask
_ADAPT_TAU_S = 4.0  # noise statistics follow a changed room within a few seconds of pauses
_RISE_TAU_S = 1.0  # ... and within about a second where minimum statistics say it got louder
_PAUSE_RATIO = 1.5  # a frame is a pause when its power is below 1.5 × the noise power
_MS_SUBWIN, _MS_COUNT = 16, 8  # minimum statistics over 8 × 16 frames ≈ 1.3 s
_MS_BIAS = 2.0  # the minimum of a smoothed periodogram sits ~3 dB below the mean
# dB statistics of a bin of Gaussian noise (exponentially distributed power).
_EXP_MEAN_DB, _EXP_STD_DB = -2.51, 5.57


@dataclass(frozen=True, slots=True)
class NoiseProfile:
    """Per-bin noise statistics: mean power, and mean and std of the power in dB; and how much
    the room tone's level moves from frame to frame (std in dB; 0 for a profile saved before
    it was measured)."""

    power: np.ndarray
    mean_db: np.ndarray
    std_db: np.ndarray
    level_std_db: float = 0.0

    @classmethod
    def from_frames(cls, powers: np.ndarray) -> NoiseProfile:
        """Statistics of the room-tone frames. Frames far quieter than the rest (a muted mic, a
        dropout, digital silence) are left out: one of them would blow up the dB spread."""
        totals = powers.sum(axis=1)
        keep = totals >= 0.01 * np.median(totals)
        if keep.any():
            powers = powers[keep]
        db = 10.0 * np.log10(powers + _EPS)
        # Above 200 Hz: the few lowest bins of a rumbling or pink room carry most of its power
        # and swing from frame to frame, which would make a steady room look restless.
        level = powers[:, _LEVEL_FROM_BIN:].sum(axis=1)
        level_std = float(np.std(10.0 * np.log10(level + _EPS)))
        return cls(powers.mean(axis=0), db.mean(axis=0), db.std(axis=0), level_std)

    def to_lists(self) -> dict[str, list[float] | float]:
        return {
            "power": self.power.tolist(),
            "mean_db": self.mean_db.tolist(),
            "std_db": self.std_db.tolist(),
            "level_std_db": self.level_std_db,
        }

    @classmethod
    def from_lists(cls, data: object) -> NoiseProfile | None:
        """The profile saved by `to_lists`, or None if `data` is not one (old or damaged)."""
        try:
            arrays = [
                np.asarray(data[k], dtype=np.float64)  # type: ignore[index]
                for k in ("power", "mean_db", "std_db")
            ]
        except (KeyError, TypeError, ValueError):
            return None
        if any(a.shape != (BINS,) or not np.all(np.isfinite(a)) for a in arrays):
            return None
        level_std = data.get("level_std_db", 0.0) if isinstance(data, dict) else 0.0
        if not isinstance(level_std, (int, float)) or not np.isfinite(level_std):
            return None
        return cls(arrays[0], arrays[1], arrays[2], float(level_std))


def _sqrt_hann() -> np.ndarray:
    n = np.arange(FRAME)
    return np.sqrt(0.5 - 0.5 * np.cos(2 * np.pi * n / FRAME))


def _triangle(half: int) -> np.ndarray:
    k = 1.0 + half - np.abs(np.arange(-half, half + 1))
    return k / k.sum()


class SpectralDenoiser:
    latency = FRAME - HOP

    def __init__(self, settings: DenoiseSettings | None = None) -> None:
        self.settings = settings or DenoiseSettings()
        self._win = _sqrt_hann()
        self._kernel = np.convolve(_triangle(_FREQ_TAPS), _triangle(_FREQ_TAPS))
        self.profile: NoiseProfile | None = None
        self._learn_target = 0
        self._learned: list[np.ndarray] = []
        self.reset()

    def restart(self) -> None:
        """Start a new stream from silence, keeping what was learned about the room (the
        noise statistics): a method switched back in does not re-learn the room."""
        self._frame = np.zeros(FRAME)
        self._ola = np.zeros(FRAME - HOP)

    def reset(self) -> None:
        """Forget the stream (the learned profile stays)."""
        self.restart()
        self._mask = np.ones(BINS)
        self._ms_smooth = np.zeros(BINS)
        self._ms_cur = np.full(BINS, np.inf)
        self._ms_ring = np.full((_MS_COUNT, BINS), np.inf)
        self._ms_ring_min = self._ms_cur.copy()  # the ring's minimum, which moves once a sub-window
        self._frames = 0
        self.set_profile(self.profile)

    def set_profile(self, profile: NoiseProfile | None) -> None:
        self.profile = profile
        if profile is not None:
            self._noise = profile.power.copy()
            self._mean_db = profile.mean_db.copy()
            # The spread stays as learned: re-estimating it from a few pause frames (or while the
            # mean is still catching up with a louder room) inflates it.
            self._spread_db = _N_STD * np.minimum(profile.std_db, _STD_CAP_DB)
            restless = np.clip(profile.level_std_db - _RESTLESS_LEVEL_STD_DB, 0.0, 1.0)
            self._spread_db = self._spread_db - restless * _RESTLESS_DROP_DB

    def learn(self, hops: int) -> None:
        """Take the next `hops` hops as room tone and make them the noise profile."""
        self._learned = []
        self._learn_target = max(1, hops)

    @property
    def learn_progress(self) -> float | None:
        """0..1 while learning, None otherwise."""
        if self._learn_target == 0:
            return None
        return len(self._learned) / self._learn_target

    def process(self, hop: np.ndarray) -> np.ndarray:
        spec = fft.rfft(self.push(hop))
        power = spec.real * spec.real + spec.imag * spec.imag
        return self.synthesise(spec * self.mask(power))

    def push(self, hop: np.ndarray) -> np.ndarray:
        """Shift `hop` into the analysis frame and return the windowed frame."""
        frame = self._frame
        frame[:HOP] = frame[HOP:]
        frame[HOP:] = hop
        return frame * self._win

    def mask(self, power: np.ndarray) -> np.ndarray:
        """The gate's gain per bin for this frame's power spectrum; learns and adapts the
        noise profile on the way (call once per hop)."""
        self._frames += 1
        if self._learn_target:
            self._collect(power)
        floor_ms = self._track_minimum(power)
        return self._gain(power, floor_ms)

    def synthesise(self, spec: np.ndarray) -> np.ndarray:
        """Overlap-add a processed frame spectrum; returns the hop that is complete."""
        out = fft.irfft(spec) * self._win
        result = self._ola + out[:HOP]
        self._ola = out[HOP:]
        return result.astype(np.float32)

    def _collect(self, power: np.ndarray) -> None:
        if self._frames > 1:  # a stream's first frame is half zeros
            self._learned.append(power)
        if len(self._learned) >= self._learn_target:
            self.set_profile(NoiseProfile.from_frames(np.array(self._learned)))
            self._learned = []
            self._learn_target = 0

    def _track_minimum(self, power: np.ndarray) -> np.ndarray:
        """Bias-compensated minimum of the smoothed power over the last ~1.3 s."""
        self._ms_smooth = 0.7 * self._ms_smooth + 0.3 * power
        np.minimum(self._ms_cur, self._ms_smooth, out=self._ms_cur)
        if self._frames % _MS_SUBWIN == 0:
            self._ms_ring[(self._frames // _MS_SUBWIN) % _MS_COUNT] = self._ms_cur
            self._ms_ring_min = self._ms_ring.min(axis=0)
            self._ms_cur = self._ms_smooth.copy()
        floor = np.minimum(self._ms_ring_min, self._ms_cur)
        if not np.isfinite(floor[0]):  # the first sub-window of a stream
            floor = self._ms_smooth
        return np.maximum(_MS_BIAS * floor, _EPS)

    def _gain(self, power: np.ndarray, floor_ms: np.ndarray) -> np.ndarray:
        p_db = 10.0 * np.log10(power + _EPS)
        if self.profile is None:
            thresh = 10.0 * np.log10(floor_ms) + _EXP_MEAN_DB + _N_STD * _EXP_STD_DB
        else:
            if self.settings.adapt:
                self._adapt(power, p_db, floor_ms)
            thresh = self._mean_db + self._spread_db
        opening = (p_db - thresh) / _SOFT_DB + 0.5
        np.minimum(np.maximum(opening, 0.0, out=opening), 1.0, out=opening)  # np.clip's cost / 3
        gate = np.convolve(opening, self._kernel, mode="same")
        self._mask = _TIME_SMOOTH * self._mask + (1.0 - _TIME_SMOOTH) * gate
        return np.maximum(self._mask, 10.0 ** (-self.settings.strength_db / 20.0))

    def _adapt(self, power: np.ndarray, p_db: np.ndarray, floor_ms: np.ndarray) -> None:
        """Move the noise level toward this frame in a pause, and toward minimum statistics in
        bins where the room has clearly got louder than the profile (no pause needed). The dB
        mean is tracked in dB (robust to a stray loud bin, as noisereduce's statistics are)."""
        rate: float | np.ndarray
        # A pause is judged against the larger of profile and minimum statistics, so a profile
        # that is too low (the room got louder) can still find pauses and catch up.
        if power.sum() < _PAUSE_RATIO * np.maximum(self._noise, floor_ms).sum():
            rate = HOP / RATE / _ADAPT_TAU_S
        else:
            expected_db = 10.0 * np.log10(floor_ms) + _EXP_MEAN_DB  # dB mean of noise that loud
            rate = np.where(expected_db > self._mean_db + 3.0, HOP / RATE / _RISE_TAU_S, 0.0)
        self._noise += rate * (power - self._noise)
        self._mean_db += rate * (p_db - self._mean_db)
