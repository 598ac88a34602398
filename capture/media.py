"""The units of media that flow from sources to consumers, stamped on one clock.

Every source stamps its output with `now_ns()` (the monotonic clock) at capture time, so audio and
video from different devices can be lined up later by the encoder and the recorder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np


def now_ns() -> int:
    """The one media clock: monotonic nanoseconds, comparable across threads and sources."""
    return time.monotonic_ns()


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """One picture. `image` is H×W×3 uint8 in BGR order (OpenCV's), C-contiguous."""

    image: np.ndarray
    pts_ns: int
    index: int

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class AudioBlock:
    """A block of audio. `samples` is frames×channels float32 in [-1, 1]; `pts_ns` is the
    capture time of the first sample."""

    samples: np.ndarray
    sample_rate: int
    pts_ns: int

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration_ns(self) -> int:
        return self.frames * 1_000_000_000 // self.sample_rate


# The house format every audio source delivers: 48 kHz float32, 10 ms blocks. The voice chain,
# the meters and the Opus encoder all work at this rate, so nothing downstream resamples.
AUDIO_RATE = 48_000
AUDIO_BLOCK_FRAMES = 480
