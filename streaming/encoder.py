"""The project's own encoders: pictures and sound in, `EncodedPacket`s out.

One `VideoEncoder` per rendition and one `AudioEncoder` per audio codec serve every output (see
`streaming/encode_hub.py`), so what is encoded once can go to WebRTC, RTMP and the recording
alike. Video is H.264 from libx264 (veryfast/zerolatency, with the CPU governor of
`streaming/h264.py`) or a hardware encoder found by `probe_h264_encoder`; the SPS/PPS travel
both as extradata (what MP4 and FLV muxers want) and in front of every keyframe (what a WebRTC
viewer joining mid-stream wants).

Timestamps are on the one capture clock: nanoseconds since the owner's origin, converted to each
stream's time base here, so picture and sound stay together at every output.
"""

from __future__ import annotations

import fractions
import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import av
import numpy as np

from capture.media import AudioBlock
from streaming.h264 import EncodeRecord, PresetGovernor, VideoProfile

log = logging.getLogger(__name__)

VIDEO_CLOCK = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK)
AUDIO_RATE = 48_000
AUDIO_TIME_BASE = fractions.Fraction(1, AUDIO_RATE)
_GLOBAL_HEADER = 1 << 22  # AV_CODEC_FLAG_GLOBAL_HEADER: parameter sets as extradata too

#: Hardware H.264 encoders PyAV's FFmpeg ships, most capable first; libx264 is the fallback.
HARDWARE_H264: tuple[str, ...] = ("h264_nvenc", "h264_qsv", "h264_v4l2m2m")
SOFTWARE_H264 = "libx264"


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """What a muxer must know about a stream before its first packet."""

    kind: str  # "video" | "audio"
    codec: str  # FFmpeg codec name of the bitstream: "h264", "aac", "opus"
    time_base: fractions.Fraction
    extradata: bytes = b""
    width: int = 0
    height: int = 0
    fps: int = 0
    sample_rate: int = 0
    channels: int = 0


@dataclass(frozen=True, slots=True)
class EncodedPacket:
    """One encoded access unit (video) or audio frame. `pts` counts `info.time_base` units
    since the capture clock's origin; video H.264 is Annex B."""

    data: bytes
    pts: int
    keyframe: bool
    info: StreamInfo
    duration: int = 0

    @property
    def kind(self) -> str:
        return self.info.kind

    @property
    def seconds(self) -> float:
        return float(self.pts * self.info.time_base)

    def to_av(self) -> av.Packet[Any]:
        packet = av.Packet(self.data)
        packet.pts = packet.dts = self.pts
        packet.time_base = self.info.time_base
        if self.duration:
            packet.duration = self.duration
        packet.is_keyframe = self.keyframe
        return packet


def ns_to(ns: int, time_base: fractions.Fraction) -> int:
    """Nanoseconds as a count of `time_base` units (to the nearest)."""
    unit = time_base.numerator * 1_000_000_000
    return int((ns * time_base.denominator + unit // 2) // unit)


# ---- video ---------------------------------------------------------------------------------


def _codec_options(codec: str, profile: VideoProfile, bitrate: int) -> dict[str, str]:
    """Low-latency, fixed-GOP, no-B-frame settings for each encoder family."""
    if codec == SOFTWARE_H264:
        options = profile.x264_options(bitrate)
        options["x264-params"] += ":repeat-headers=1"
        return options
    common = {"b": str(bitrate), "g": str(profile.keyint), "bf": "0"}
    if codec == "h264_nvenc":
        return {**common, "preset": "p2", "tune": "ll", "rc": "cbr", "forced-idr": "1"}
    if codec == "h264_qsv":
        return {**common, "preset": "veryfast", "look_ahead": "0", "forced_idr": "1"}
    return common


@dataclass
class VideoEncoder:
    """An H.264 encoder for one rendition, any FFmpeg H.264 encoder (`codec`).

    The target bitrate changes at runtime (`set_bitrate`): a lower one at once, in place
    (libx264 re-configures its rate control between two frames: no keyframe, no stall); a higher
    one than the rate cap the encoder was opened with waits for the next scheduled keyframe,
    where the encoder re-opens with the new cap (so a change never costs an extra keyframe)."""

    profile: VideoProfile
    codec_name: str = SOFTWARE_H264
    observer: Callable[[EncodeRecord, av.VideoFrame], None] | None = None
    encoded: int = 0
    keyframes: int = 0
    opened: int = 0
    _codec: av.VideoCodecContext | None = field(default=None, repr=False)
    _target: int = 0
    _cap: int = 0
    _size: tuple[int, int] | None = None
    _since_idr: int = 0
    _last_pts: int | None = None
    _info: StreamInfo | None = None
    _governor: PresetGovernor | None = None
    _picture: tuple[int, int] | None = None
    _fps: int = 0
    _last_taken_ns: int | None = None

    def __post_init__(self) -> None:
        self._target = self.profile.start_bitrate
        if self.profile.adapt_preset and self.codec_name == SOFTWARE_H264:
            self._governor = PresetGovernor(self.profile.preset, self.profile.fps)

    @property
    def target_bitrate(self) -> int:
        return self._target

    @property
    def preset(self) -> str:
        return self._governor.current if self._governor is not None else self.profile.preset

    @property
    def info(self) -> StreamInfo | None:
        """The stream's parameters once the first frame opened the encoder."""
        return self._info

    def set_bitrate(self, bitrate: int) -> None:
        """Aim at `bitrate` (clamped to the profile's range) from the next frame on."""
        self._target = self.profile.clamp(bitrate)
        if self._codec is not None and self._target <= self._cap:
            self._codec.bit_rate = self._target

    @property
    def picture_size(self) -> tuple[int, int]:
        """The size to encode at: the profile's, unless `set_picture` chose another."""
        return self._picture or (self.profile.width, self.profile.height)

    @property
    def fps(self) -> int:
        return self._fps or self.profile.fps

    def set_picture(self, size: tuple[int, int] | None, fps: int | None = None) -> None:
        """Encode at `size` (None: the profile's) and at most `fps` frames a second (None: the
        profile's), from the next frame on: a new size re-opens the encoder, so the change
        costs exactly one keyframe (the decoder takes the new size from the in-band SPS)."""
        self._picture = size
        self._fps = fps if fps and fps < self.profile.fps else 0

    def takes(self, pts_ns: int) -> bool:
        """Whether the frame captured at `pts_ns` is encoded at the current frame rate (a lower
        one than the program's skips frames evenly)."""
        if not self._fps:
            return True
        if self._last_taken_ns is not None and pts_ns - self._last_taken_ns < 0.9e9 / self._fps:
            return False
        self._last_taken_ns = pts_ns
        return True

    def encode(
        self, frame: av.VideoFrame, pts_ns: int, keyframe: bool = False
    ) -> list[EncodedPacket]:
        """Encode a yuv420p `frame` captured `pts_ns` after the origin; `keyframe` forces IDR."""
        if self._should_reopen(frame, keyframe):
            self._open(frame.width, frame.height)
        assert self._codec is not None and self._info is not None
        pts = ns_to(pts_ns, VIDEO_TIME_BASE)
        if self._last_pts is not None and pts <= self._last_pts:
            pts = self._last_pts + 1  # encoders need strictly increasing timestamps
        self._last_pts = pts
        frame.pts, frame.time_base = pts, VIDEO_TIME_BASE
        frame.pict_type = (
            av.video.frame.PictureType.I if keyframe else av.video.frame.PictureType.NONE
        )
        started = time.time()
        packets = self._codec.encode(frame)
        finished = time.time()
        if self._governor is not None:
            self._governor.observe(finished - started)
        out = [
            EncodedPacket(
                bytes(p), int(p.pts if p.pts is not None else pts), p.is_keyframe, self._info
            )
            for p in packets
        ]
        self.encoded += 1
        for packet in out:
            self.keyframes += packet.keyframe
            self._since_idr = 0 if packet.keyframe else self._since_idr + 1
        if self.observer is not None:
            size = sum(len(p.data) for p in out)
            key = any(p.keyframe for p in out)
            self.observer(EncodeRecord(pts, started, finished, size, key, self.preset), frame)
        return out

    def _should_reopen(self, frame: av.VideoFrame, keyframe: bool) -> bool:
        if self._codec is None or self._size != (frame.width, frame.height):
            return True
        wanted = self._target > self._cap
        if self._governor is not None and self._governor.wanted() != self._governor.current:
            wanted = True
        return wanted and (keyframe or self._since_idr + 1 >= self.profile.keyint)

    def _open(self, width: int, height: int) -> None:
        if self._governor is not None and self._codec is not None:
            self._governor.switch(self._governor.wanted())
        profile = replace(self.profile, width=width, height=height, preset=self.preset)
        self._codec = open_h264(self.codec_name, profile, self._target)
        self._cap = self._target
        self._size = (width, height)
        self._since_idr = 0
        self.opened += 1
        self._info = StreamInfo(
            "video",
            "h264",
            VIDEO_TIME_BASE,
            bytes(self._codec.extradata or b""),
            width=width,
            height=height,
            fps=self.fps,
        )


def open_h264(codec_name: str, profile: VideoProfile, bitrate: int) -> av.VideoCodecContext:
    """An opened H.264 encoder context for `profile` at `bitrate`."""
    codec = av.CodecContext.create(codec_name, "w")
    assert isinstance(codec, av.VideoCodecContext)
    codec.width, codec.height = profile.width, profile.height
    codec.pix_fmt = "yuv420p" if codec_name != "h264_qsv" else "nv12"
    codec.framerate = fractions.Fraction(profile.fps, 1)
    codec.time_base = VIDEO_TIME_BASE  # real capture times: the true frame spacing
    codec.thread_count = profile.threads
    codec.flags |= _GLOBAL_HEADER
    codec.options = _codec_options(codec_name, profile, bitrate)
    codec.open()
    return codec


@dataclass(frozen=True, slots=True)
class EncoderChoice:
    """Which H.264 encoder start-up picked, and why each better one was passed over."""

    name: str
    hardware: bool
    passed_over: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        """The choice in plain words, for the UI and `livedesk publish`."""
        if self.hardware:
            return f"hardware encoder {self.name}"
        return f"software encoder x264 ({len(self.passed_over)} hardware encoders not usable here)"


def probe_h264_encoder(candidates: Sequence[str] = HARDWARE_H264) -> EncoderChoice:
    """The first of `candidates` that opens and encodes a frame here, else libx264. A driver
    that is present but has no device fails at open or at the first frame; both are tried."""
    passed: list[tuple[str, str]] = []
    frame = av.VideoFrame.from_ndarray(np.zeros((144 * 3 // 2, 256), np.uint8), format="yuv420p")
    for name in candidates:
        try:
            codec = open_h264(name, VideoProfile(256, 144, 30, 100_000, 300_000, 200_000), 200_000)
            test = frame if codec.pix_fmt == "yuv420p" else frame.reformat(format=codec.pix_fmt)
            test.pts, test.time_base = 0, VIDEO_TIME_BASE
            if not [*codec.encode(test), *codec.encode(None)]:
                raise RuntimeError("no output for a test frame")
        except Exception as exc:  # every failure means: not this one
            passed.append((name, f"{type(exc).__name__}: {exc}"[:200]))
            continue
        return EncoderChoice(name, True, tuple(passed))
    return EncoderChoice(SOFTWARE_H264, False, tuple(passed))


@functools.cache
def machine_h264_encoder() -> EncoderChoice:
    """The probe's answer for this machine, asked once per process."""
    choice = probe_h264_encoder()
    log.info("H.264 encoder: %s; passed over %s", choice.name, dict(choice.passed_over))
    return choice


# ---- audio ---------------------------------------------------------------------------------

_AUDIO: dict[str, tuple[str, int, int]] = {
    # name: (FFmpeg encoder, bit rate, samples per frame)
    "opus": ("libopus", 96_000, 960),  # 20 ms, what browsers send
    "aac": ("aac", 128_000, 1024),  # what RTMP platforms and MP4 players take
}


def _open_audio(codec: str, bit_rate: int) -> av.AudioCodecContext:
    context = av.CodecContext.create(_AUDIO[codec][0], "w")
    assert isinstance(context, av.AudioCodecContext)
    context.bit_rate = bit_rate
    context.format = "s16" if codec == "opus" else "fltp"
    context.layout = "stereo"
    context.sample_rate = AUDIO_RATE
    context.time_base = AUDIO_TIME_BASE
    context.flags |= _GLOBAL_HEADER
    if codec == "opus":
        context.options = {"application": "voip"}
    context.open()
    return context


class AudioEncoder:
    """Audio blocks (48 kHz float) to Opus or AAC packets, stamped on the capture clock: the
    first block places the stream on the clock, after that samples are counted (no jitter).
    A packet's pts is where its decoded samples start, priming included, so the first real
    sample plays at its capture time.

    The bit rate changes at runtime (`set_bitrate`, for a slow link): FFmpeg's libopus reads
    it only when opened, so the next block reopens the encoder. The new encoder's first packet
    starts its priming where the old one's last packet ended (timestamps run on unbroken); the
    old one's look-ahead (6.5 ms for Opus) is the one gap a switch costs."""

    def __init__(self, codec: str) -> None:
        if codec not in _AUDIO:
            raise ValueError(f"audio codec must be one of {', '.join(_AUDIO)}, not {codec!r}")
        _, bit_rate, frame_size = _AUDIO[codec]
        self.codec = codec
        self.encoded = 0
        self.bit_rate = self._wanted = bit_rate
        context = self._context = _open_audio(codec, bit_rate)
        self._resampler = av.AudioResampler(
            format=context.format.name, layout="stereo", rate=AUDIO_RATE, frame_size=frame_size
        )
        self.info = StreamInfo(
            "audio",
            codec,
            AUDIO_TIME_BASE,
            bytes(context.extradata or b""),
            sample_rate=AUDIO_RATE,
            channels=2,
        )
        self._samples_in = 0
        self._start: int | None = None  # the first block's place on the clock, in samples

    def set_bitrate(self, bit_rate: int) -> None:
        """Encode at `bit_rate` from the next block on (any thread)."""
        self._wanted = bit_rate

    def encode(self, block: AudioBlock, pts_ns: int) -> list[EncodedPacket]:
        """Encode `block`, captured `pts_ns` after the origin."""
        if self._start is None:
            self._start = max(0, ns_to(pts_ns, AUDIO_TIME_BASE))
        if self._wanted != self.bit_rate:
            self.bit_rate = wanted = self._wanted
            self._context = _open_audio(self.codec, wanted)
        samples = block.samples[:, :2] if block.channels > 2 else block.samples
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(
            pcm.reshape(1, -1), format="s16", layout="mono" if pcm.shape[1] == 1 else "stereo"
        )
        frame.sample_rate = block.sample_rate
        frame.pts = self._samples_in
        frame.time_base = fractions.Fraction(1, block.sample_rate)
        self._samples_in += pcm.shape[0]
        out = []
        for resampled in self._resampler.resample(frame):
            for packet in self._context.encode(resampled):
                # The encoder's own pts counts input samples, starting below zero by its
                # priming (AAC 1024, Opus 312): kept, so the decoded sound lands on the clock.
                out.append(
                    EncodedPacket(
                        bytes(packet),
                        self._start + int(packet.pts or 0),
                        True,
                        self.info,
                        int(packet.duration or 0),
                    )
                )
        self.encoded += len(out)
        return out
