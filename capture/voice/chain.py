"""The voice chain: the registered stages (capture/voice/settings.py `STAGES`) in order —
noise suppression → AGC → gate/expander → true-peak limiter.

`VoiceChain.process(block)` is the function the console plugs into
`core.media.set_audio_processor`. Design decisions:
- Multi-channel input is downmixed to mono (the mean of the channels — a host's voice is one
  source; a stereo USB mic sends it twice) and the processed mono is written to every channel of
  the output, so the format downstream stays what the microphone delivers.
- Input is re-blocked into fixed 10 ms hops, so any block sizes give identical output samples;
  the output of a call is every whole hop completed so far (480 samples per 480-sample block
  in steady state; misaligned blocks give whole hops, possibly none).
- Every stage always runs, bypassed or not, so switching one on again is instant and
  glitch-free; a bypassed stage's output is its input delayed by the stage's latency, bit for
  bit, and a switch cross-fades over one hop. The chain's latency therefore never depends on
  which stages are on (only on the denoise method).
- Bad input never reaches a stage: non-finite samples become 0, a block at another sample rate
  passes through untouched; each is reported in `problem` in plain words.
- Settings, learn requests and profile changes from other threads are picked up at the next
  hop boundary on the audio thread; meters are read with `take_levels()`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from capture.media import AudioBlock
from capture.voice.agc import Agc
from capture.voice.denoise import Denoiser
from capture.voice.denoise_spectral import NoiseProfile
from capture.voice.room import Room
from capture.voice.settings import STAGES, ChainSettings
from capture.voice.stage import HOP, RATE, DelayLine, Stage

log = logging.getLogger(__name__)

T = TypeVar("T")
_RAMP = ((np.arange(HOP) + 0.5) / HOP).astype(np.float32)
_LIMIT = 8.0  # samples beyond ±8 (way outside the ±1 contract) are clamped: keeps maths finite


@dataclass(frozen=True, slots=True)
class VoiceLevels:
    """Meter reading over the hops since the previous reading (dBFS; -120 means silence)."""

    input_peak_db: float = -120.0
    input_rms_db: float = -120.0
    output_peak_db: float = -120.0
    output_rms_db: float = -120.0
    gain_reduction_db: float = 0.0  # limiter + gate, the most in the period (positive dB)
    agc_gain_db: float = 0.0
    voice: bool = False  # the AGC heard speech in the period
    hops: int = 0


class _LevelAccumulator:
    def __init__(self) -> None:
        self.in_peak = self.in_sq = self.out_peak = self.out_sq = self.reduction = 0.0
        self.voice = False
        self.hops = 0

    def reading(self, agc_gain_db: float) -> VoiceLevels:
        if self.hops == 0:
            return VoiceLevels(agc_gain_db=agc_gain_db)
        n = self.hops * HOP
        return VoiceLevels(
            _db(self.in_peak),
            _db(np.sqrt(self.in_sq / n)),
            _db(self.out_peak),
            _db(np.sqrt(self.out_sq / n)),
            self.reduction,
            agc_gain_db,
            self.voice,
            self.hops,
        )


def _db(amplitude: float) -> float:
    return float(max(-120.0, 20.0 * np.log10(amplitude + 1e-12)))


class _Slot:
    """A stage with its delay-compensated bypass and cross-fade. A `warm` stage keeps running
    while bypassed (its state — noise profile, gain, lookahead buffer — is ready when it comes
    back); a cold one (the gate: no lookahead, little state) is skipped and restarted."""

    def __init__(self, stage: Stage, enabled: bool, warm: bool = True) -> None:
        self.stage = stage
        self.enabled = enabled
        self.warm = warm
        self._was_enabled = enabled
        self._dry = DelayLine(stage.latency)
        self._dry_delay = stage.latency

    def process(self, x: np.ndarray) -> np.ndarray:
        if self.stage.latency != self._dry_delay:  # the denoise method changed
            self._dry = DelayLine(self.stage.latency)
            self._dry_delay = self.stage.latency
        on, was = self.enabled, self._was_enabled
        self._was_enabled = on
        dry = self._dry.process(x)
        if not (on or was or self.warm):
            return dry
        if on and not was and not self.warm:
            self.stage.reset()
        wet = self.stage.process(x)
        if on == was:
            return wet if on else dry
        start, end = (dry, wet) if on else (wet, dry)
        return (start + (end - start) * _RAMP).astype(np.float32)


class VoiceChain:
    """`live`: the chain feeds the show from the microphone thread, which must never wait; the
    learned suppressor then joins when its model has loaded (the gate works alone until then).
    Otherwise (files, benches, tests) the model is loaded at the first hop, so the output is a
    function of the input alone."""

    def __init__(self, settings: ChainSettings | None = None, *, live: bool = False) -> None:
        settings = settings or ChainSettings()
        self._slots = {
            kind.name: _Slot(kind.build(s), bool(s.enabled), kind.warm)
            for kind, s in zip(STAGES, settings.stages, strict=True)
        }
        self.stages: dict[str, Stage] = {name: slot.stage for name, slot in self._slots.items()}
        # The two stages the chain reads for meters and learning (registered by name).
        self.denoiser = self._typed("denoise", Denoiser)
        self.agc = self._typed("agc", Agc)
        self.denoiser.adaptive.wait_for_model = not live
        self._settings = settings
        self._incoming: ChainSettings | None = None
        self._learn_request = 0
        self._profile_request: tuple[NoiseProfile | None] | None = None
        self._pending = np.zeros(0, dtype=np.float32)
        self._received = 0  # samples taken in since the stream began
        self._emitted = 0  # samples given out
        self._levels = _LevelAccumulator()
        self._lock = threading.Lock()  # only for the request fields, never held while processing
        self.problem = ""  # the latest bad-input report, plain words; "" when all is well
        self.bad_samples = 0

    def _typed(self, name: str, cls: type[T]) -> T:
        stage = self.stages[name]
        if not isinstance(stage, cls):
            raise TypeError(f"stage {name!r} is not a {cls.__name__}")
        return stage

    # -- control (any thread) -----------------------------------------------------------------
    @property
    def settings(self) -> ChainSettings:
        return self._incoming or self._settings

    def configure(self, settings: ChainSettings) -> None:
        with self._lock:
            self._incoming = settings

    def learn_noise(self, seconds: float = 2.0) -> None:
        """Treat the next `seconds` of input as room tone and learn the noise profile from it."""
        with self._lock:
            self._learn_request = max(1, round(seconds * RATE / HOP))

    @property
    def learn_progress(self) -> float | None:
        """0..1 while learning noise, None when not."""
        if self._learn_request:
            return 0.0
        return self.denoiser.learn_progress

    @property
    def noise_profile(self) -> NoiseProfile | None:
        pending = self._profile_request
        return pending[0] if pending is not None else self.denoiser.profile

    def set_noise_profile(self, profile: NoiseProfile | None) -> None:
        with self._lock:
            self._profile_request = (profile,)

    @property
    def room(self) -> Room | None:
        """The room as classified by noise suppression (None when it is off or RNNoise plays;
        read from any thread: one reference)."""
        return self.denoiser.room if self._slots["denoise"].enabled else None

    @property
    def latency(self) -> int:
        """Samples between a sound going in and coming out (algorithmic; whole hops in)."""
        return sum(slot.stage.latency for slot in self._slots.values())

    def take_levels(self) -> VoiceLevels:
        """Meter reading since the previous call (a GUI timer calls this, not the audio thread)."""
        acc, self._levels = self._levels, _LevelAccumulator()
        return acc.reading(self.agc.gain_db)

    # -- audio (one thread) -----------------------------------------------------------------
    def process(self, block: AudioBlock) -> AudioBlock:
        """Process one block from the microphone; see the module notes for the contract."""
        if block.sample_rate != RATE:
            self._report(
                f"The microphone delivers {block.sample_rate} Hz audio but the voice "
                f"chain needs {RATE} Hz; the sound passes through unprocessed."
            )
            return block
        samples = block.samples
        channels = samples.shape[1] if samples.ndim == 2 else 1
        mono = (
            samples.mean(axis=1, dtype=np.float32)
            if samples.ndim == 2 and channels > 1
            else samples.reshape(-1).astype(np.float32, copy=False)
        )
        start = self._received
        try:
            out = self.process_mono(mono)
        except Exception:  # a bug in a stage must not silence the show
            log.exception("voice chain failed; restarting it")
            self._report("The voice chain hit an internal error and restarted.")
            self._restart()
            return block
        pts = (
            block.pts_ns + (self._emitted - out.size - self.latency - start) * 1_000_000_000 // RATE
        )
        out = np.repeat(out[:, None], channels, axis=1) if channels > 1 else out.reshape(-1, 1)
        return AudioBlock(out, RATE, pts)

    def process_mono(self, x: np.ndarray) -> np.ndarray:
        """Mono float32 samples in, every completed hop out (concatenated)."""
        x = self._sanitise(x)
        self._received += x.size
        if self._pending.size == 0 and x.size == HOP:
            out = self._process_hop(x)
        else:
            data = np.concatenate((self._pending, x)) if self._pending.size else x
            whole = data.size - data.size % HOP
            hops = [self._process_hop(data[i : i + HOP]) for i in range(0, whole, HOP)]
            self._pending = data[whole:].copy()
            out = np.concatenate(hops) if hops else np.zeros(0, dtype=np.float32)
        self._emitted += out.size
        return out

    def flush(self) -> np.ndarray:
        """Push silence through so every sample given so far comes out (end of a file)."""
        total = self._pending.size + self.latency
        total += (-total) % HOP  # whole hops: nothing stays pending, the stream can go on
        return self.process_mono(np.zeros(total - self._pending.size, dtype=np.float32))

    def _sanitise(self, x: np.ndarray) -> np.ndarray:
        finite = np.isfinite(x)
        if not finite.all():
            bad = int(x.size - np.count_nonzero(finite))
            self.bad_samples += bad
            self._report(
                f"The microphone sent {bad} invalid samples (NaN or infinite); "
                "they were replaced by silence."
            )
            x = np.where(finite, x, np.float32(0.0)).astype(np.float32)
        if np.abs(x).max(initial=0.0) > _LIMIT:
            x = np.clip(x, -_LIMIT, _LIMIT)
        return x

    def _process_hop(self, x: np.ndarray) -> np.ndarray:
        self._apply_requests()
        levels = self._levels
        levels.in_peak = max(levels.in_peak, float(np.abs(x).max()))
        levels.in_sq += float(np.dot(x, x))
        y = x
        for slot in self._slots.values():
            y = slot.process(y)
        reduction = sum(slot.stage.reduction_db for slot in self._slots.values() if slot.enabled)
        levels.reduction = max(levels.reduction, reduction)
        levels.out_peak = max(levels.out_peak, float(np.abs(y).max()))
        levels.out_sq += float(np.dot(y, y))
        levels.voice = levels.voice or self.agc.voice
        levels.hops += 1
        return y

    def _apply_requests(self) -> None:
        if self._incoming is None and not self._learn_request and self._profile_request is None:
            return
        with self._lock:
            incoming, self._incoming = self._incoming, None
            learn, self._learn_request = self._learn_request, 0
            profile, self._profile_request = self._profile_request, None
        if incoming is not None:
            self._settings = incoming
            for slot, s in zip(self._slots.values(), incoming.stages, strict=True):
                slot.stage.configure(s)
                slot.enabled = bool(s.enabled)
        if profile is not None:
            self.denoiser.set_profile(profile[0])
        if learn:
            self.denoiser.learn(learn)

    def _restart(self) -> None:
        for slot in self._slots.values():
            slot.stage.reset()
        self._pending = np.zeros(0, dtype=np.float32)

    def _report(self, message: str) -> None:
        if message != self.problem:
            log.warning("%s", message)
        self.problem = message


def process_offline(chain: VoiceChain, x: np.ndarray, block: int = HOP) -> np.ndarray:
    """Run a whole mono signal through `chain` in blocks of `block` samples, exactly as live,
    and return the output lined up with the input (latency removed), same length."""
    parts = [chain.process_mono(x[i : i + block]) for i in range(0, x.size, block)]
    parts.append(chain.flush())
    out = np.concatenate(parts)
    return out[chain.latency : chain.latency + x.size]
