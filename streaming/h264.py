"""A live H.264 encoder for aiortc, installed without forking aiortc.

aiortc's own `H264Encoder` is tuned for demos: level 3.1 whatever the picture size, libx264's
default (slow) preset, a 3 Mbps cap, and it re-opens the encoder (a fresh keyframe) whenever the
receiver's bitrate estimate moves by 10 %. `LiveH264Encoder` keeps aiortc's RTP packetization
but configures x264 for live use: a fast preset with zero-latency tuning, the level the picture
size needs, a bitrate range suited to the resolution that follows the receiver's estimate
(switching at the next scheduled keyframe, so adapting costs no extra keyframe), a fixed keyframe
interval, IDR frames when a viewer asks (PLI/FIR), and threads for a 2-core machine.

`install_live_h264(profile)` makes every aiortc `RTCRtpSender` created afterwards use it.
"""

from __future__ import annotations

import fractions
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import av
import cv2
import numpy as np
from aiortc import rtcrtpsender
from aiortc.codecs import get_encoder as aiortc_get_encoder
from aiortc.codecs.base import Encoder
from aiortc.codecs.h264 import H264Encoder
from aiortc.mediastreams import VIDEO_TIME_BASE, convert_timebase
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av.frame import Frame

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


class LiveH264Encoder(H264Encoder):
    """aiortc's H.264 encoder with live x264 settings; packetization is aiortc's own."""

    def __init__(
        self,
        profile: VideoProfile,
        observer: Observer | None = None,
    ) -> None:
        super().__init__()
        self.profile = profile
        self.observer = observer
        self._target = profile.start_bitrate
        self._size: tuple[int, int] | None = None
        self._opened_bitrate = self._target
        self._since_idr = 0
        self._last_pts: int | None = None
        self.keyframes = 0
        self.governor = (
            PresetGovernor(profile.preset, profile.fps) if profile.adapt_preset else None
        )

    @property
    def target_bitrate(self) -> int:
        """Where x264's rate control aims, within the profile's range; aiortc sets it from
        the receiver's estimate (REMB)."""
        return self._target

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        self._target = self.profile.clamp(bitrate)

    @property
    def preset(self) -> str:
        """The x264 preset in use (the profile's, unless the machine could not keep up)."""
        return self.governor.current if self.governor is not None else self.profile.preset

    def _open(self, width: int, height: int) -> None:
        if self.governor is not None and self.codec is not None:
            self.governor.switch(self.governor.wanted())
        profile = replace(self.profile, width=width, height=height, preset=self.preset)
        codec = av.CodecContext.create("libx264", "w")
        codec.width = width
        codec.height = height
        codec.pix_fmt = "yuv420p"
        codec.framerate = fractions.Fraction(profile.fps, 1)
        # Real capture times: x264 sees the true frame spacing (no rounding to 1/fps).
        codec.time_base = VIDEO_TIME_BASE
        codec.thread_count = profile.threads
        codec.options = profile.x264_options(self._target)
        codec.open()
        self.codec = codec
        self._size = (width, height)
        self._opened_bitrate = self._target
        self._since_idr = 0
        self._last_pts = None

    def _should_reopen(self, frame: av.VideoFrame, force_keyframe: bool) -> bool:
        """A new picture size reopens at once. A new bitrate target, or a new preset from the
        governor, waits for the next keyframe (scheduled, or asked for by a viewer): libx264
        cannot change a VBV-capped rate in place through FFmpeg, and reopening there costs
        no extra keyframe."""
        if self._size != (frame.width, frame.height):
            return True
        moved = abs(self._target - self._opened_bitrate) > 0.1 * self._opened_bitrate
        if self.governor is not None and self.governor.wanted() != self.governor.current:
            moved = True
        at_keyframe = force_keyframe or self._since_idr + 1 >= self.profile.keyint
        return moved and at_keyframe

    def _encode_frame(self, frame: av.VideoFrame, force_keyframe: bool) -> Iterator[bytes]:
        if self._should_reopen(frame, force_keyframe):
            self._open(frame.width, frame.height)
        assert self.codec is not None
        if frame.format.name != "yuv420p":
            frame = frame.reformat(format="yuv420p")
        frame.pict_type = (
            av.video.frame.PictureType.I if force_keyframe else av.video.frame.PictureType.NONE
        )
        pts = convert_timebase(frame.pts or 0, frame.time_base or VIDEO_TIME_BASE, VIDEO_TIME_BASE)
        if self._last_pts is not None and pts <= self._last_pts:
            pts = self._last_pts + 1  # x264 needs strictly increasing timestamps
        self._last_pts = pts
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE

        started = time.time()
        data = b"".join(bytes(packet) for packet in self.codec.encode(frame))
        finished = time.time()
        if self.governor is not None:
            self.governor.observe(finished - started)
        keyframe = _has_idr(data)
        self._since_idr = 0 if keyframe else self._since_idr + 1
        self.keyframes += keyframe
        if self.observer is not None:
            self.observer(
                EncodeRecord(pts, started, finished, len(data), keyframe, self.preset), frame
            )
        if data:
            yield from self._split_bitstream(data)

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        assert isinstance(frame, av.VideoFrame)
        timestamp = convert_timebase(
            frame.pts or 0, frame.time_base or VIDEO_TIME_BASE, VIDEO_TIME_BASE
        )
        return self._packetize(self._encode_frame(frame, force_keyframe)), timestamp


def _has_idr(annexb: bytes) -> bool:
    """Whether an Annex B access unit holds an IDR slice (NAL type 5)."""
    return any(nal and nal[0] & 0x1F == 5 for nal in H264Encoder._split_bitstream(annexb))


_installed: list[VideoProfile] = []
_observers: list[Observer] = []


def _notify(record: EncodeRecord, frame: av.VideoFrame) -> None:
    for observer in list(_observers):
        observer(record, frame)


def _get_encoder(codec: RTCRtpCodecParameters) -> Encoder:
    if codec.mimeType.lower() == "video/h264" and _installed:
        return LiveH264Encoder(_installed[-1], _notify)
    return aiortc_get_encoder(codec)


def install_live_h264(profile: VideoProfile) -> None:
    """Make aiortc's RTP senders encode H.264 with `profile` from now on (senders already
    sending keep their encoder). aiortc looks its encoders up through the `get_encoder` name
    in `aiortc.rtcrtpsender`; that lookup is the one thing replaced. Calling again replaces
    the profile."""
    _installed[:] = [profile]
    rtcrtpsender.get_encoder = _get_encoder  # type: ignore[attr-defined]


def uninstall_live_h264() -> None:
    """Back to aiortc's own encoders (tests use this to leave aiortc as they found it)."""
    _installed.clear()
    rtcrtpsender.get_encoder = aiortc_get_encoder  # type: ignore[attr-defined]


def installed_profile() -> VideoProfile | None:
    return _installed[-1] if _installed else None


def observe_encodes(observer: Observer) -> Callable[[], None]:
    """Tell `observer` about every frame the installed encoders encode (stats, the latency
    bench); returns the function that stops it."""
    _observers.append(observer)

    def remove() -> None:
        if observer in _observers:
            _observers.remove(observer)

    return remove
