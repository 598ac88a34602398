"""The live H.264 encoder: real x264 encodes of real frames, read back from the bitstream."""

from __future__ import annotations

import asyncio
import fractions
import math

import av
import cv2
import numpy as np
import pytest
from aiortc import RTCPeerConnection, VideoStreamTrack
from aiortc.rtcrtpsender import RTCRtpSender

from streaming.h264 import (
    PROFILES,
    EncodeRecord,
    LiveH264Encoder,
    PresetGovernor,
    VideoProfile,
    bgr_to_video_frame,
    h264_level,
    install_live_h264,
    installed_profile,
    observe_encodes,
    uninstall_live_h264,
)

TB = fractions.Fraction(1, 90000)


def moving_picture(index: int, width: int = 1920, height: int = 1080) -> np.ndarray:
    """Textured content that moves, so the encoder has real work every frame."""
    rng = np.random.default_rng(7)
    small = (rng.random((height // 8, width // 8, 3)) * 255).astype(np.uint8)
    base = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    image = np.roll(base, index * 6, axis=1)
    cv2.circle(image, (100 + index * 5 % (width - 200), height // 2), height // 8, (0, 0, 255), -1)
    return image


def frame_at(index: int, image: np.ndarray) -> av.VideoFrame:
    frame = bgr_to_video_frame(image)
    frame.pts = index * 3000
    frame.time_base = TB
    return frame


def nal_units(payloads: list[bytes]) -> list[bytes]:
    """NAL units back from aiortc's RTP payloads (single NAL, STAP-A, FU-A)."""
    from aiortc.codecs.h264 import h264_depayload

    stream = b"".join(h264_depayload(p) for p in payloads)
    return [n for n in LiveH264Encoder._split_bitstream(stream) if n]


def decode_access_unit(decoder: av.CodecContext, nals: list[bytes]) -> list[av.VideoFrame]:
    """Decode one access unit the way aiortc's receiver does (a whole frame per packet)."""
    return list(decoder.decode(av.Packet(b"".join(b"\x00\x00\x00\x01" + n for n in nals))))


def sps_of(nals: list[bytes]) -> bytes | None:
    return next((n for n in nals if n[0] & 0x1F == 7), None)


def is_idr(nals: list[bytes]) -> bool:
    return any(n[0] & 0x1F == 5 for n in nals)


def test_level_matches_resolution_and_rate() -> None:
    assert h264_level(1920, 1080, 30, 6_000_000) == "4.0"
    assert h264_level(1920, 1080, 30, 25_000_000) == "4.1"
    assert h264_level(1920, 1080, 60, 6_000_000) == "4.2"
    assert h264_level(1280, 720, 30, 3_500_000) == "3.1"
    assert h264_level(640, 360, 30, 1_000_000) == "3.0"
    with pytest.raises(ValueError, match="beyond"):
        h264_level(7680, 4320, 60, 6_000_000)


def test_profile_rejects_bad_values_in_plain_words() -> None:
    with pytest.raises(ValueError, match="even"):
        VideoProfile(width=1921)
    with pytest.raises(ValueError, match="bitrates"):
        VideoProfile(min_bitrate=5_000_000, start_bitrate=4_000_000)
    with pytest.raises(ValueError, match="preset must be one of"):
        VideoProfile(preset="turbo")


def test_1080p_stream_is_constrained_baseline_level_4_and_decodes() -> None:
    encoder = LiveH264Encoder(PROFILES["1080p"])
    decoder = av.CodecContext.create("h264", "r")
    decoded = []
    images = []
    first_nals: list[bytes] = []
    for i in range(10):
        image = moving_picture(i)
        images.append(image)
        payloads, timestamp = encoder.encode(frame_at(i, image))
        assert timestamp == i * 3000
        assert all(len(p) <= 1300 for p in payloads)  # fits aiortc's RTP packet size
        nals = nal_units(payloads)
        if i == 0:
            first_nals = nals
        decoded.extend(decode_access_unit(decoder, nals))
    sps = sps_of(first_nals)
    assert sps is not None, "first access unit carries its SPS (viewers can join at a keyframe)"
    profile_idc, constraints, level_idc = sps[1], sps[2], sps[3]
    assert profile_idc == 66  # Baseline
    assert constraints & 0x40  # constraint_set1: Constrained Baseline, what WebRTC negotiates
    assert level_idc == 40  # level 4.0, not aiortc's 3.1
    assert is_idr(first_nals)
    assert len(decoded) == 10  # one picture per access unit, none held back
    out = decoded[-1]
    assert (out.width, out.height) == (1920, 1080)
    psnr = cv2.PSNR(out.to_ndarray(format="bgr24"), images[-1])
    assert psnr > 22, f"decoded picture too far from the input: {psnr:.1f} dB"


def test_keyframes_every_interval_and_on_request_only() -> None:
    profile = VideoProfile(640, 360, 30, 400_000, 1_000_000, 800_000, keyint_s=1.0)
    encoder = LiveH264Encoder(profile)
    idr_frames = []
    for i in range(75):
        payloads, _ = encoder.encode(frame_at(i, moving_picture(i, 640, 360)), i == 45)
        if is_idr(nal_units(payloads)):
            idr_frames.append(i)
    # Scheduled at 0 and 30; forced at 45 (a viewer's PLI), after which the count restarts.
    assert idr_frames == [0, 30, 45]
    assert encoder.keyframes == 3


def _bitrate(sizes: list[int], fps: int) -> float:
    return sum(sizes) * 8 * fps / len(sizes)


def test_bitrate_follows_target_within_range_without_extra_keyframes() -> None:
    profile = VideoProfile(
        960,
        540,
        30,
        min_bitrate=600_000,
        max_bitrate=2_400_000,
        start_bitrate=2_400_000,
        keyint_s=1.0,
        adapt_preset=False,
    )
    records: list[EncodeRecord] = []
    encoder = LiveH264Encoder(profile, observer=lambda record, frame: records.append(record))
    encoder.target_bitrate = 50_000_000
    assert encoder.target_bitrate == 2_400_000  # clamped to the top of the range
    for i in range(90):
        encoder.encode(frame_at(i, moving_picture(i, 960, 540)))
    encoder.target_bitrate = 100_000  # a receiver reports a poor network (REMB)
    assert encoder.target_bitrate == 600_000  # never below the floor
    for i in range(90, 210):
        encoder.encode(frame_at(i, moving_picture(i, 960, 540)))
    sizes = [r.size for r in records]
    high = _bitrate(sizes[30:90], 30)
    low = _bitrate(sizes[120:210], 30)
    assert 0.6 * 2_400_000 < high < 1.2 * 2_400_000, high
    assert low < 1.25 * 600_000, low
    assert low < high / 2
    # The switch waited for the scheduled keyframe: still one IDR per second, none extra.
    assert [r.pts // 3000 for r in records if r.keyframe] == [0, 30, 60, 90, 120, 150, 180]
    assert all(r.finished >= r.started for r in records)


def test_other_pixel_formats_are_converted_once_and_size_changes_reopen() -> None:
    encoder = LiveH264Encoder(PROFILES["360p"])
    red = np.zeros((360, 640, 3), np.uint8)
    red[:, :, 2] = 255
    bgr = av.VideoFrame.from_ndarray(red, format="bgr24")
    bgr.pts, bgr.time_base = 0, TB
    payloads, _ = encoder.encode(bgr)
    decoder = av.CodecContext.create("h264", "r")
    outs = decode_access_unit(decoder, nal_units(payloads))
    pixel = outs[0].to_ndarray(format="bgr24")[180, 320]
    assert pixel[2] > 200 and pixel[0] < 60 and pixel[1] < 60, pixel
    # A smaller picture: the encoder reopens at the new size and starts with a keyframe.
    payloads, _ = encoder.encode(frame_at(1, moving_picture(1, 320, 180)))
    nals = nal_units(payloads)
    assert is_idr(nals)
    assert sps_of(nals) is not None


def test_timestamps_that_do_not_advance_are_nudged_forward() -> None:
    encoder = LiveH264Encoder(PROFILES["360p"])
    for i in range(3):
        frame = frame_at(0, moving_picture(i, 640, 360))  # same pts three times
        payloads, _ = encoder.encode(frame)
        assert payloads


def test_install_makes_aiortc_senders_use_live_encoder_over_real_webrtc() -> None:
    profile = VideoProfile(640, 360, 30, 400_000, 1_000_000, 800_000)
    records: list[EncodeRecord] = []
    install_live_h264(profile)
    stop_observing = observe_encodes(lambda record, frame: records.append(record))
    try:
        assert installed_profile() == profile
        received = asyncio.run(_loopback_h264(frames_wanted=15))
    finally:
        stop_observing()
        uninstall_live_h264()
    assert installed_profile() is None
    assert len(received) >= 15
    assert all(size == (640, 360) for size in received)
    assert records and records[0].keyframe


class _Pattern(VideoStreamTrack):
    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = bgr_to_video_frame(moving_picture(pts // 3000, 640, 360))
        frame.pts, frame.time_base = pts, time_base
        return frame


async def _loopback_h264(frames_wanted: int) -> list[tuple[int, int]]:
    sender_pc, receiver_pc = RTCPeerConnection(), RTCPeerConnection()
    received: list[tuple[int, int]] = []
    done = asyncio.Event()

    pulls: list[asyncio.Future[None]] = []

    @receiver_pc.on("track")
    def on_track(track) -> None:
        async def pull() -> None:
            while len(received) < frames_wanted:
                frame = await track.recv()
                received.append((frame.width, frame.height))
            done.set()

        pulls.append(asyncio.ensure_future(pull()))  # held: a bare task may be collected

    transceiver = sender_pc.addTransceiver(_Pattern(), direction="sendonly")
    h264 = [c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType == "video/H264"]
    transceiver.setCodecPreferences(h264)
    await sender_pc.setLocalDescription(await sender_pc.createOffer())
    await receiver_pc.setRemoteDescription(sender_pc.localDescription)
    await receiver_pc.setLocalDescription(await receiver_pc.createAnswer())
    await sender_pc.setRemoteDescription(receiver_pc.localDescription)
    try:
        await asyncio.wait_for(done.wait(), timeout=30)
        encoder = transceiver.sender._RTCRtpSender__encoder  # the encoder aiortc picked
        assert isinstance(encoder, LiveH264Encoder)
        assert math.isclose(encoder.profile.fps, 30)
    finally:
        await sender_pc.close()
        await receiver_pc.close()
    return received


def test_forwarded_packets_are_packed_without_encoding() -> None:
    # In-process relays forward already-encoded frames through the same lookup: `pack` must
    # packetize them as aiortc's own encoder does, without opening x264.
    source = LiveH264Encoder(PROFILES["360p"])
    payloads, _ = source.encode(frame_at(0, moving_picture(0, 640, 360)))
    annexb = b"".join(b"\x00\x00\x00\x01" + n for n in nal_units(payloads))
    packet = av.Packet(annexb)
    packet.pts, packet.time_base = 6000, TB
    forwarder = LiveH264Encoder(PROFILES["360p"])
    repacked, timestamp = forwarder.pack(packet)
    assert timestamp == 6000
    assert nal_units(repacked) == nal_units(payloads)
    assert forwarder.codec is None


def test_governor_steps_to_faster_presets_under_overload_and_back() -> None:
    governor = PresetGovernor("veryfast", fps=30)
    for _ in range(29):
        governor.observe(0.030)  # 30 ms of a 33 ms frame interval
    assert governor.wanted() == "veryfast"  # not judged before a full window
    governor.observe(0.030)
    assert governor.wanted() == "superfast"
    governor.switch("superfast")
    for _ in range(30):
        governor.observe(0.020)  # better, but not enough room to go back
    assert governor.wanted() == "superfast"
    for _ in range(60):
        governor.observe(0.004)
    assert governor.wanted() == "veryfast"
    governor.switch("veryfast")
    for _ in range(60):
        governor.observe(0.001)
    assert governor.wanted() == "veryfast"  # never slower than the preferred preset


def test_overloaded_encoder_switches_preset_at_the_scheduled_keyframe(monkeypatch) -> None:
    import streaming.h264 as h264_module

    class SlowClock:  # every encode appears to take 30 ms: a machine that cannot keep up
        now = 1000.0

        def time(self) -> float:
            self.now += 0.030
            return self.now

    monkeypatch.setattr(h264_module, "time", SlowClock())
    encoder = LiveH264Encoder(VideoProfile(640, 360, 30, 400_000, 1_000_000, 800_000, keyint_s=1.0))
    idr, settings = [], []
    for i in range(45):
        payloads, _ = encoder.encode(frame_at(i, moving_picture(i, 640, 360)))
        nals = nal_units(payloads)
        if is_idr(nals):
            idr.append(i)
        # x264 writes its settings as text in an SEI when it starts: subme=2 is veryfast's
        # sub-pixel motion search, subme=1 superfast's.
        settings += [(i, n) for n in nals if n[0] & 0x1F == 6 and b"x264" in n]
        if i == 29:
            assert encoder.preset == "veryfast"  # judged, but waiting for the keyframe
    assert encoder.preset == "superfast"
    assert [i for i, _ in settings] == [0, 30]
    assert b" subme=2 " in settings[0][1] and b" subme=1 " in settings[1][1]
    assert idr == [0, 30]  # the switch rode on the scheduled keyframe: none extra
