"""What every voice stage is, and the hop they all work in.

Stages see mono float32 audio in fixed hops of `HOP` samples at 48 kHz, whatever block sizes
the microphone or a file delivers: the chain re-blocks input into hops, so a stream cut into
10 ms blocks and the same stream cut into any other sizes produce the same output samples.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

RATE = 48_000
HOP = 480  # 10 ms: RNNoise's frame, the house block size


class Stage(Protocol):
    """One processing step. `process` takes exactly HOP samples and returns HOP samples that
    lag the input by `latency` samples (constant, so bypassing can be delay-compensated)."""

    @property
    def latency(self) -> int: ...

    def process(self, hop: np.ndarray) -> np.ndarray: ...

    def reset(self) -> None: ...


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
