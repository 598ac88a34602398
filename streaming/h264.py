"""Live H.264 settings: what the encoders of `streaming/encoder.py` aim for.

x264 for live use: a fast preset with zero-latency tuning, the level the picture size needs, a
bitrate range suited to the resolution, a fixed keyframe interval, IDR frames when a viewer asks
(PLI/FIR), threads for a 2-core machine, and a governor that picks a faster preset when the
machine cannot keep up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import av
import cv2
import numpy as np

# H.264 levels (Table A-1): (level, max macroblocks per frame, max macroblocks per second,
# max video bitrate in kbit/s for Baseline/Main). The smallest level that fits is chosen.
_LEVELS: tuple[tuple[str, int, int, int], ...] = (
    ("3.0", 1620, 40500, 10000),
    ("3.1", 3600, 108000, 14000),
    ("3.2", 5120, 216000, 20000),
    ("4.0", 8192, 245760, 20000),
    ("4.1", 8192, 245760, 50000),
    ("4.2", 8704, 522240, 50000),
    ("5.0", 22080, 589824, 135000),
    ("5.1", 36864, 983040, 240000),
    ("5.2", 36864, 2073600, 240000),
)


def h264_level(width: int, height: int, fps: float, max_bitrate: int) -> str:
    """The smallest H.264 level whose frame size, macroblock rate and bitrate limits fit."""
    mbs = ((width + 15) // 16) * ((height + 15) // 16)
    for level, max_fs, max_mbps, max_kbps in _LEVELS:
        if mbs <= max_fs and mbs * fps <= max_mbps and max_bitrate <= max_kbps * 1000:
            return level
    raise ValueError(f"{width}x{height} at {fps} fps is beyond H.264 level 5.2")


# x264 presets from slowest to fastest.
PRESETS = (
    "placebo",
    "veryslow",
    "slower",
    "slow",
    "medium",
    "fast",
    "faster",
    "veryfast",
    "superfast",
    "ultrafast",
)


@dataclass(frozen=True, slots=True)
class VideoProfile:
    """What the live encoder aims for. Bitrates are bits per second; `keyint_s` is the
    keyframe interval in seconds (viewers who join, or lose a packet, wait at most that long
    when they cannot ask for a keyframe). `preset` is the preferred x264 preset; with
    `adapt_preset` a machine too busy to encode it in time gets a faster one (see
    `PresetGovernor`) rather than dropped frames and growing delay."""

    width: int = 1920
    height: int = 1080
    fps: int = 30
    min_bitrate: int = 2_500_000
    max_bitrate: int = 6_000_000
    start_bitrate: int = 4_000_000
    preset: str = "veryfast"
    profile: str = "baseline"
    keyint_s: float = 2.0
    threads: int = 2
    vbv_seconds: float = 0.5
    adapt_preset: bool = True

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0 or self.width % 2 or self.height % 2:
            raise ValueError(
                f"picture size must be positive and even, not {self.width}x{self.height}"
            )
        if self.fps <= 0:
            raise ValueError(f"frame rate must be positive, not {self.fps}")
        if not 0 < self.min_bitrate <= self.start_bitrate <= self.max_bitrate:
            raise ValueError("bitrates must satisfy 0 < min <= start <= max")
        if self.preset not in PRESETS:
            raise ValueError(
                f"x264 preset must be one of {', '.join(PRESETS)}, not {self.preset!r}"
            )

    @property
    def keyint(self) -> int:
        """Keyframe interval in frames."""
        return max(1, round(self.keyint_s * self.fps))

    @property
    def level(self) -> str:
        return h264_level(self.width, self.height, self.fps, self.max_bitrate)

    def clamp(self, bitrate: int) -> int:
        return max(self.min_bitrate, min(int(bitrate), self.max_bitrate))

    def x264_options(self, bitrate: int) -> dict[str, str]:
        """The encoder options for a target `bitrate`, as libx264 takes them through FFmpeg
        (the ffmpeg command-line anchor of `livedesk bench encode` uses the same). The rate is
        capped at the target with a `vbv_seconds` buffer, as a network path wants (near-CBR:
        a burst above the estimate only queues up as delay)."""
        bitrate = self.clamp(bitrate)
        return {
            "b": str(bitrate),
            "maxrate": str(bitrate),
            "bufsize": str(int(bitrate * self.vbv_seconds)),
            "preset": self.preset,
            "tune": "zerolatency",
            "profile": self.profile,
            "level": self.level,
            "forced-idr": "1",
            "x264-params": f"keyint={self.keyint}:min-keyint={self.keyint}:scenecut=0",
        }


# Named resolutions the console offers, with bitrate ranges suited to each.
PROFILES: dict[str, VideoProfile] = {
    "1080p": VideoProfile(),
    "720p": VideoProfile(1280, 720, 30, 1_200_000, 3_500_000, 2_500_000),
    "540p": VideoProfile(960, 540, 30, 800_000, 2_000_000, 1_500_000),
    "360p": VideoProfile(640, 360, 30, 400_000, 1_000_000, 800_000),
}


@dataclass(frozen=True, slots=True)
class EncodeRecord:
    """One encoded frame, for stats and the latency bench (times are `time.time()` seconds,
    the wall clock a browser page shares)."""

    pts: int
    started: float
    finished: float
    size: int
    keyframe: bool
    preset: str


# Told about every encoded frame, on the encoder's thread, with the picture that went in (the
# latency bench reads the capture time drawn into it); must return quickly.
Observer = Callable[[EncodeRecord, av.VideoFrame], None]


def bgr_to_video_frame(image: np.ndarray) -> av.VideoFrame:
    """The one colour conversion of the publish path: BGR (OpenCV's order) to planar
    YUV 4:2:0 (BT.601, limited range), which is what x264 encodes, so nothing converts again."""
    i420: np.ndarray = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420), dtype=np.uint8)
    return av.VideoFrame.from_ndarray(i420, format="yuv420p")


class PresetGovernor:
    """CPU overuse adaptation for the encoder. A live encoder that takes longer than a frame
    interval makes the capture side drop frames and every viewer wait longer, so when the
    average encode time passes `high` of the frame interval the next faster preset is wanted;
    when it falls under `low` on a faster-than-preferred preset, the next slower one (never
    slower than the preferred). Each preset is judged on its own `window` frames."""

    def __init__(
        self, preferred: str, fps: float, high: float = 0.8, low: float = 0.3, window: int = 30
    ) -> None:
        self.preferred = preferred
        self.current = preferred
        self._budget = 1.0 / fps
        self._high, self._low, self._window = high, low, window
        self._average = 0.0
        self._count = 0

    def observe(self, encode_seconds: float) -> None:
        self._count += 1
        weight = max(1.0 / self._count, 0.1)  # plain mean at first, then ~10-frame average
        self._average += weight * (encode_seconds - self._average)

    def wanted(self) -> str:
        if self._count < self._window:
            return self.current
        index = PRESETS.index(self.current)
        if self._average > self._high * self._budget and index + 1 < len(PRESETS):
            return PRESETS[index + 1]
        if self._average < self._low * self._budget and index > PRESETS.index(self.preferred):
            return PRESETS[index - 1]
        return self.current

    def switch(self, preset: str) -> None:
        self.current = preset
        self._average, self._count = 0.0, 0


_observers: list[Observer] = []


def notify_encode(record: EncodeRecord, frame: av.VideoFrame) -> None:
    """Tell every observer of `observe_encodes` about one encoded frame."""
    for observer in list(_observers):
        observer(record, frame)


def observe_encodes(observer: Observer) -> Callable[[], None]:
    """Tell `observer` about every frame the encoders of `streaming/encoder.py` encode (stats,
    the latency bench); returns the function that stops it."""
    _observers.append(observer)

    def remove() -> None:
        if observer in _observers:
            _observers.remove(observer)

    return remove
