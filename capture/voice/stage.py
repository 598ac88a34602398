"""What every voice stage is, and the hop they all work in.

Stages see mono float32 audio in fixed hops of `HOP` samples at 48 kHz, whatever block sizes
the microphone or a file delivers: the chain re-blocks input into hops, so a stream cut into
10 ms blocks and the same stream cut into any other sizes produce the same output samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

RATE = 48_000
HOP = 480  # 10 ms: RNNoise's frame, the house block size


class Stage(Protocol):
    """One processing step. `process` takes exactly HOP samples and returns HOP samples that
    lag the input by `latency` samples (constant while the settings stay, so bypassing can be
    delay-compensated). `configure` takes new settings between hops on the audio thread;
    `reduction_db` is the gain reduction the meters show (0 for a stage that only cleans)."""

    @property
    def latency(self) -> int: ...

    @property
    def reduction_db(self) -> float: ...

    def configure(self, settings: Any) -> None: ...

    def process(self, hop: np.ndarray) -> np.ndarray: ...

    def reset(self) -> None: ...


@dataclass(frozen=True, slots=True)
class StageKind:
    """A kind of stage as the chain registers it (capture/voice/settings.py `STAGES`).

    `settings` is a frozen dataclass whose fields are declared with `capture.properties.setting`
    and include `enabled: bool`; `build(settings)` makes the stage. `title` is English source
    text (views translate it). A `warm` stage keeps running while bypassed, so its state is
    ready when it is switched back on; a cold one is skipped and restarted."""

    name: str
    title: str
    settings: type
    build: Callable[[Any], Stage]
    warm: bool = True


class DelayLine:
    """Fixed delay in whole samples for hop-sized pieces (the dry path of a bypassed stage)."""

    def __init__(self, delay: int) -> None:
        self._buf = np.zeros(delay + HOP, dtype=np.float32)
        self._delay = delay

    def process(self, hop: np.ndarray) -> np.ndarray:
        if self._delay == 0:
            return hop.copy()
        buf = self._buf
        buf[self._delay :] = hop
        out = buf[:HOP].copy()
        buf[: self._delay] = buf[HOP:]
        return out

    def reset(self) -> None:
        self._buf[:] = 0.0
