"""The program's audio mix: every audio source on air (the microphone after the voice chain, a
file's or a stream's sound, later guests) summed with its own gain and mute, with a level meter
per input and for the mix.

The first input is the clock: each of its blocks produces one mixed block, with its capture
time, at once (no extra buffering on the voice's way to air). Other inputs are buffered
(≤ `MAX_BUFFER_S`, oldest dropped: a source running fast never builds delay) and their newest
samples are added; one running short adds silence. All work is numpy on the clock input's
thread, microseconds per 10 ms block.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from capture.bus import MediaBus
from capture.levels import LevelTracker
from capture.media import AUDIO_RATE, AudioBlock
from capture.properties import setting
from capture.source import Source

MAX_BUFFER_S = 0.2


@dataclass(frozen=True, slots=True)
class MixSettings:
    """One input's place in the mix."""

    gain_db: float = setting(0.0, "Gain", minimum=-60.0, maximum=20.0, unit="dB", step=0.5)
    muted: bool = setting(False, "Mute")


class _Input:
    def __init__(self, input_id: str, label: str, settings: MixSettings) -> None:
        self.id = input_id
        self.label = label
        self.settings = settings
        self.buffer = np.zeros(0, np.float32)
        self.meter = LevelTracker()
        self.undo: Callable[[], None] = lambda: None


def _mono(block: AudioBlock) -> np.ndarray:
    s = block.samples
    return s[:, 0] if s.shape[1] == 1 else s.mean(axis=1, dtype=np.float32)


def gain(settings: MixSettings) -> float:
    return 0.0 if settings.muted else float(10 ** (settings.gain_db / 20))


class AudioMixer:
    def __init__(self) -> None:
        self.audio: MediaBus[AudioBlock] = MediaBus("program audio")
        self.meter = LevelTracker()
        self._inputs: list[_Input] = []
        self._lock = threading.Lock()
        self._max = int(AUDIO_RATE * MAX_BUFFER_S)

    def add(
        self, input_id: str, label: str, source: Source[AudioBlock], settings: MixSettings
    ) -> None:
        """Mix `source` in from now on (the first input added is the clock)."""
        entry = _Input(input_id, label, settings)
        with self._lock:
            clock = not self._inputs
            self._inputs = [*self._inputs, entry]
        entry.undo = source.subscribe(
            (lambda b: self._on_clock(entry, b)) if clock else (lambda b: self._on_other(entry, b))
        )

    def remove(self, input_id: str) -> None:
        with self._lock:
            gone = [i for i in self._inputs if i.id == input_id]
            self._inputs = [i for i in self._inputs if i.id != input_id]
        for entry in gone:
            entry.undo()

    def inputs(self) -> list[tuple[str, str, MixSettings]]:
        return [(i.id, i.label, i.settings) for i in self._inputs]

    def configure(self, input_id: str, settings: MixSettings) -> None:
        for entry in self._inputs:
            if entry.id == input_id:
                entry.settings = settings  # one reference swap: the audio thread sees old or new

    def meter_of(self, input_id: str) -> LevelTracker | None:
        return next((i.meter for i in self._inputs if i.id == input_id), None)

    def close(self) -> None:
        with self._lock:
            inputs, self._inputs = self._inputs, []
        for entry in inputs:
            entry.undo()

    # -- audio threads ----------------------------------------------------------------------
    def _on_other(self, entry: _Input, block: AudioBlock) -> None:
        entry.meter.feed(block)
        with self._lock:
            joined = np.concatenate((entry.buffer, _mono(block)))
            entry.buffer = joined[-self._max :]

    def _on_clock(self, entry: _Input, block: AudioBlock) -> None:
        entry.meter.feed(block)
        mono = _mono(block)
        out = mono * np.float32(gain(entry.settings))
        n = len(out)
        with self._lock:
            others = self._inputs[1:]
            taken = []
            for other in others:
                part, other.buffer = other.buffer[:n], other.buffer[n:]
                taken.append((other, part))
        for other, part in taken:
            g = gain(other.settings)
            if g and len(part):
                out[: len(part)] += part * np.float32(g)
        np.clip(out, -1.0, 1.0, out=out)
        mixed = AudioBlock(out.reshape(-1, 1), block.sample_rate, block.pts_ns)
        self.meter.feed(mixed)
        self.audio.publish(mixed)
