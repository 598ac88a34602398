"""What kind of room the microphone is in, told live from the last few seconds of sound.

Rooms: quiet, steady (fan, hum, air conditioning, traffic), transient (keys, clicks, taps,
rustle), babble (other people talking) and music. The classifier looks at the sound around
the host's voice, using the suppressor's per-bin speech gain to split each frame into voice
and the rest:
- **quiet**: the rest stays below -60 dBFS most of the time;
- **transient**: the rest above 1.5 kHz jumps by 12 dB or more over its recent median and
  falls back within 60 ms, at least once every two seconds;
- **music**: the rest's level pulses with a beat (an autocorrelation peak at 0.25-1 s that
  stands clear of the lags before it), or holds steady tones over seconds;
- **babble**: speech is found even in the quietest frames (other voices fill the host's pauses);
- **steady**: anything else.
A new room must win for a whole second before it is reported, so the chain never flickers
between treatments; features are recomputed every 100 ms over a 3 s window.
Per hop the classifier costs a few numpy calls: one matrix product gives every band sum of the
frame, its voice and the rest; the medians and the percentile are partial sorts (`_quantile`),
a third to an eighth of `np.median`'s and `np.percentile`'s time on a few hundred values.
"""

from __future__ import annotations

import math
from enum import Enum

import numpy as np

from capture.voice.stage import HOP, RATE


class Room(Enum):
    QUIET = "quiet"
    STEADY = "steady"
    TRANSIENT = "transient"
    BABBLE = "babble"
    MUSIC = "music"


WINDOW_HOPS = 300  # 3 s
EVERY_HOPS = 10  # features every 100 ms
HOLD_HOPS = 100  # a new room must win for 1 s
_QUIET_DB = -55.0
_CLICK_JUMP_DB = 12.0
_CLICK_OVER_VOICE_DB = 6.0
_BASE_EVERY = 5
_LEVEL, _REST, _SPEECH, _HIGH, _VOICE_HIGH, _CLICK = range(6)
_FIELDS = 6
_CLICK_MAX_HOPS = 6  # a click is over within 60 ms
_CLICKS_PER_S = 2.0
_BEAT_LAGS = (25, 100)  # 0.25-1 s
_BEAT_PEAK = 0.55
_PAUSE_SPEECH = 0.2  # frames the suppressor finds (almost) no voice in
_BABBLE_RESTLESS_DB = 4.0
_LEAVE_BABBLE_CLICKS = 1.5  # × _CLICKS_PER_S (keys 2.7-6 a second, babble up to 2.7)
_LEAVE_BABBLE_BEAT = 0.15
_EPS = 1e-12


class RoomClassifier:
    """Feed one frame per hop (`update`); read `room` (reported, held) and `candidate`."""

    def __init__(self, bins: int) -> None:
        freqs = np.arange(bins) * (RATE / 2) / (bins - 1)
        speech_band = (freqs >= 200) & (freqs <= 4000)
        self._bands = np.stack((np.ones(bins), speech_band, freqs >= 1500), axis=1).astype(float)
        self._parts = np.empty((3, bins))  # rows: the frame, its voice, the rest
        frame = 2 * (bins - 1)
        # A frame's power sum (sqrt-Hann window, rfft) is frame²/4 times its mean square.
        self._to_dbfs = -10.0 * float(np.log10(frame * frame / 4.0))
        self.reset()

    def reset(self) -> None:
        # The last WINDOW_HOPS frames' figures, one row each, written round-robin.
        self._ring = np.zeros((_FIELDS, WINDOW_HOPS))
        self._click_open = 0
        self._base: tuple[float, float] | None = None
        self._hops = 0
        self.speech_share = 0.0
        self.room = Room.QUIET
        self.candidate = Room.QUIET
        self._candidate_hops = 0

    def update(self, power: np.ndarray, speech_gain: np.ndarray) -> Room:
        """One frame: its power spectrum and the suppressor's speech gain per bin (0..1)."""
        parts = self._parts
        parts[0] = power
        np.multiply(speech_gain, speech_gain, out=parts[1])
        parts[1] *= power
        np.subtract(1.0, speech_gain, out=parts[2])
        np.square(parts[2], out=parts[2])
        parts[2] *= power
        # Rows: frame, voice, rest; columns (self._bands): all, speech band, high.
        sums = (parts @ self._bands).tolist()
        (total, total_band, _), (_, voice_band, voice_high), (rest_all, _, rest_high) = sums
        level, rest_db, high, v_high = (
            10.0 * math.log10(float(v) + _EPS) for v in (total, rest_all, rest_high, voice_high)
        )
        self.speech_share = float(voice_band / (total_band + _EPS))
        i = self._hops % WINDOW_HOPS
        ring = self._ring
        ring[_LEVEL, i] = level + self._to_dbfs
        ring[_REST, i] = rest_db + self._to_dbfs
        ring[_SPEECH, i] = self.speech_share
        ring[_HIGH, i] = high
        ring[_VOICE_HIGH, i] = v_high
        ring[_CLICK, i] = self._click(i, float(high), float(v_high))
        self._hops += 1
        if self._hops % EVERY_HOPS == 0 and self._hops >= EVERY_HOPS * 5:
            self._decide(self.classify())
        return self.room

    def _click(self, i: int, high_db: float, voice_high_db: float) -> float:
        """1 where a click starts: the sound the suppressor takes away jumps far above its
        median of the last half second while what it keeps as voice does not jump with it (a
        word's onset lifts both); a rise that lasts longer than a click is taken back."""
        if self._hops % _BASE_EVERY == 0 and self._hops >= 10:
            high, voice_high = _quantile(self._ring[_HIGH : _VOICE_HIGH + 1, self._recent(50)], 0.5)
            self._base = (float(high), float(voice_high))
        if self._base is None:
            return 0.0
        jump = high_db - self._base[0]
        if jump > _CLICK_JUMP_DB and jump > voice_high_db - self._base[1] + _CLICK_OVER_VOICE_DB:
            self._click_open += 1
        else:
            self._click_open = 0
        if self._click_open == _CLICK_MAX_HOPS + 1:  # not a click after all
            self._ring[_CLICK, (i - _CLICK_MAX_HOPS) % WINDOW_HOPS] = 0.0
        return 1.0 if self._click_open == 1 else 0.0

    def _recent(self, n: int) -> np.ndarray:
        """Ring indices of the last `n` frames (at most those seen), oldest first."""
        n = min(n, self._hops, WINDOW_HOPS)
        return (np.arange(self._hops - n, self._hops)) % WINDOW_HOPS

    def features(self) -> dict[str, float]:
        """The window's figures the decision is made on (for tests and the docs)."""
        window = self._ring[:, self._recent(WINDOW_HOPS)]
        rest, speech = window[_REST], window[_SPEECH]
        pauses = rest[speech < _PAUSE_SPEECH]
        return {
            "floor_dbfs": float(_quantile(window[_LEVEL], 0.05)),
            "clicks_per_s": float(window[_CLICK].sum()) / (window.shape[1] * HOP / RATE),
            "beat": _beat_strength(rest),
            "restless_db": _std(pauses) if pauses.size > 20 else 0.0,
            "pause_rest_dbfs": float(_quantile(pauses, 0.5)) if pauses.size > 20 else -120.0,
        }

    def classify(self) -> Room:
        """The room the current window sounds like (unheld)."""
        f = self.features()
        # Taking babble for clicks or music costs the host's voice (min(Gs, Gn) lets the
        # model remove the voice with the other voices: STOI -0.06), taking clicks for babble
        # only leaves some clicks in: so leaving babble takes clearer evidence.
        babble = self.room is Room.BABBLE
        if f["beat"] >= _BEAT_PEAK + (_LEAVE_BABBLE_BEAT if babble else 0.0):
            return Room.MUSIC
        if f["clicks_per_s"] >= _CLICKS_PER_S * (_LEAVE_BABBLE_CLICKS if babble else 1.0):
            return Room.TRANSIENT
        # Quiet most of the time between words, not only for a moment: other voices that all
        # pause at once leave a quiet 5th percentile too.
        if f["floor_dbfs"] < _QUIET_DB and f["pause_rest_dbfs"] < _QUIET_DB:
            return Room.QUIET
        if f["restless_db"] >= _BABBLE_RESTLESS_DB:
            return Room.BABBLE
        return Room.STEADY

    def _decide(self, found: Room) -> None:
        if found == self.room:
            self.candidate, self._candidate_hops = found, 0
            return
        if found != self.candidate:
            self.candidate, self._candidate_hops = found, 0
        self._candidate_hops += EVERY_HOPS
        if self._candidate_hops >= HOLD_HOPS or self._hops <= HOLD_HOPS:
            self.room = found
            self._candidate_hops = 0


def _beat_strength(level_db: np.ndarray) -> float:
    """How clearly the level pulses with a period of 0.25-1 s: the autocorrelation's best
    peak in that range above its lowest value at shorter lags (0 for smooth swells)."""
    x = level_db - level_db.mean()
    lo, hi = _BEAT_LAGS
    if x.size < 2 * hi:
        return 0.0
    denom = float(np.dot(x, x)) + _EPS
    # Lags 0..hi only (the full correlation is 2·size - 1 lags): x against itself padded.
    ac = np.correlate(np.concatenate((x, np.zeros(hi))), x, mode="valid")[1:] / denom  # 1..hi
    best = lo - 1 + int(np.argmax(ac[lo - 1 :]))
    dip = float(ac[4:best].min()) if best > 4 else float(ac[best])
    return float(ac[best] - dip) if ac[best] > 0 else 0.0


def _quantile(x: np.ndarray, q: float) -> np.ndarray:
    """`np.quantile(x, q, axis=-1)` (linear interpolation) by a partial sort."""
    n = x.shape[-1]
    pos = (n - 1) * q
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    part = np.partition(x, (lo, hi), axis=-1)
    a, b = part[..., lo], part[..., hi]
    return np.asarray(a + (b - a) * (pos - lo))


def _std(x: np.ndarray) -> float:
    """`np.std(x)` without the cost of its generality."""
    d = x - x.mean()
    return math.sqrt(float(np.dot(d, d)) / x.size)
