"""The RTMP tests' server (streaming/rtmp_local.py: real nginx-rtmp on loopback) and a PyAV
subscriber that pulls a stream back."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import av
import numpy as np

from streaming.rtmp_local import GOOD_KEYS, NginxRtmp, available, free_port

__all__ = ["GOOD_KEYS", "NginxRtmp", "Pulled", "available", "free_port", "pull"]


@dataclass
class Pulled:
    video_frames: int = 0
    sizes: set[tuple[int, int]] = field(default_factory=set)
    audio_frames: int = 0
    audio_peak: float = 0.0
    audio_codec: str = ""
    video_codec: str = ""
    first_frame_s: float | None = None  # wall time from opening to the first picture


def pull(url: str, seconds: float) -> Pulled:
    """Subscribe to `url` with PyAV and decode `seconds` from the first picture on."""
    got = Pulled()
    started = time.monotonic()
    with av.open(url, options={"rw_timeout": "5000000"}, timeout=10) as container:
        streams = [s for s in container.streams if s.type in ("video", "audio")]
        for stream in streams:
            if stream.type == "video":
                got.video_codec = stream.codec_context.name
            else:
                got.audio_codec = stream.codec_context.name
        for packet in container.demux(*streams):
            for frame in packet.decode():
                if packet.stream.type == "video":
                    got.video_frames += 1
                    got.sizes.add((frame.width, frame.height))
                    if got.first_frame_s is None:
                        got.first_frame_s = time.monotonic() - started
                else:
                    got.audio_frames += 1
                    samples = np.asarray(frame.to_ndarray(), dtype=np.float32)
                    got.audio_peak = max(got.audio_peak, float(np.abs(samples).max()))
            # `seconds` of pictures (a subscriber waits for the next keyframe first)
            first = got.first_frame_s
            elapsed = time.monotonic() - started
            if (first is not None and elapsed - first > seconds) or elapsed > seconds + 10:
                break
    return got
