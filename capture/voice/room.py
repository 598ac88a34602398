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
"""

from __future__ import annotations

from collections import deque
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
_CLICK_MAX_HOPS = 6  # a click is over within 60 ms
_CLICKS_PER_S = 2.0
_BEAT_LAGS = (25, 100)  # 0.25-1 s
_BEAT_PEAK = 0.5
_PAUSE_SPEECH = 0.2  # frames the suppressor finds (almost) no voice in
_BABBLE_RESTLESS_DB = 4.0
_EPS = 1e-12


class RoomClassifier:
    """Feed one frame per hop (`update`); read `room` (reported, held) and `candidate`."""

    def __init__(self, bins: int) -> None:
        freqs = np.arange(bins) * (RATE / 2) / (bins - 1)
        self._speech_band = (freqs >= 200) & (freqs <= 4000)
        self._high_band = freqs >= 1500
        frame = 2 * (bins - 1)
        # A frame's power sum (sqrt-Hann window, rfft) is frame²/4 times its mean square.
        self._to_dbfs = -10.0 * float(np.log10(frame * frame / 4.0))
        self.reset()

    def reset(self) -> None:
        self._rest_db: deque[float] = deque(maxlen=WINDOW_HOPS)
        self._level_db: deque[float] = deque(maxlen=WINDOW_HOPS)
        self._speech: deque[float] = deque(maxlen=WINDOW_HOPS)
        self._high_db: deque[float] = deque(maxlen=WINDOW_HOPS)
        self._voice_high_db: deque[float] = deque(maxlen=WINDOW_HOPS)
        self._clicks: deque[int] = deque(maxlen=WINDOW_HOPS)  # 1 where a click started
        self._click_open = 0
        self._hops = 0
        self.speech_share = 0.0
        self.room = Room.QUIET
        self.candidate = Room.QUIET
        self._candidate_hops = 0

    def update(self, power: np.ndarray, speech_gain: np.ndarray) -> Room:
        """One frame: its power spectrum and the suppressor's speech gain per bin (0..1)."""
        rest = power * (1.0 - speech_gain) ** 2
        total = float(power.sum()) + _EPS
        band = float(power[self._speech_band].sum()) + _EPS
        kept = float((power * speech_gain**2)[self._speech_band].sum())
        self._level_db.append(_db(total) + self._to_dbfs)
        self._rest_db.append(_db(float(rest.sum())) + self._to_dbfs)
        self.speech_share = kept / band
        self._speech.append(self.speech_share)
        high = _db(float(rest[self._high_band].sum()))
        voice_high = _db(float((power * speech_gain**2)[self._high_band].sum()))
        self._track_clicks(high, voice_high)
        self._high_db.append(high)
        self._voice_high_db.append(voice_high)
        self._hops += 1
        if self._hops % EVERY_HOPS == 0 and len(self._level_db) >= EVERY_HOPS * 5:
            self._decide(self.classify())
        return self.room

    def _track_clicks(self, high_db: float, voice_high_db: float) -> None:
        """A click: the sound the suppressor takes away jumps far above its recent median,
        while what it keeps as voice does not jump with it (a word's onset lifts both)."""
        recent = list(self._high_db)[-50:]
        started = 0
        if len(recent) >= 10:
            base = float(np.median(recent))
            voice_base = float(np.median(list(self._voice_high_db)[-50:]))
            jump = high_db - base
            if jump > _CLICK_JUMP_DB and jump > voice_high_db - voice_base + _CLICK_OVER_VOICE_DB:
                if self._click_open == 0:
                    started = 1
                self._click_open += 1
            else:
                self._click_open = 0
        # A long rise (someone starts talking, music comes in) is not a click.
        if self._click_open > _CLICK_MAX_HOPS:
            started = 0
        self._clicks.append(started)

    def features(self) -> dict[str, float]:
        """The window's figures the decision is made on (for tests and the docs)."""
        rest = np.array(self._rest_db)
        level = np.array(self._level_db)
        speech = np.array(self._speech)
        pauses = rest[speech < _PAUSE_SPEECH]
        seconds = len(self._clicks) * HOP / RATE
        return {
            "floor_dbfs": float(np.percentile(level, 5)),
            "clicks_per_s": sum(self._clicks) / seconds,
            "beat": _beat_strength(rest),
            "restless_db": float(np.std(pauses)) if pauses.size > 20 else 0.0,
        }

    def classify(self) -> Room:
        """The room the current window sounds like (unheld)."""
        f = self.features()
        if f["beat"] >= _BEAT_PEAK:
            return Room.MUSIC
        if f["clicks_per_s"] >= _CLICKS_PER_S:
            return Room.TRANSIENT
        if f["floor_dbfs"] < _QUIET_DB:
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
    ac = np.array([float(np.dot(x[:-lag], x[lag:])) / denom for lag in range(1, hi + 1)])
    best = lo - 1 + int(np.argmax(ac[lo - 1 :]))
    dip = float(ac[4:best].min()) if best > 4 else float(ac[best])
    return float(ac[best] - dip) if ac[best] > 0 else 0.0


def _db(power: float) -> float:
    return float(10.0 * np.log10(power + _EPS))
