"""The live H.264 encoder (streaming/encoder.py with streaming/h264.py's settings): real x264
encodes of real frames, packed as aiortc's sender packs them, read back from the bitstream."""

from __future__ import annotations

import asyncio

import av
import cv2
import numpy as np
import pytest
from aiortc import RTCPeerConnection
from aiortc.codecs.h264 import H264Encoder, h264_depayload
from aiortc.rtcrtpsender import RTCRtpSender

from streaming.encoder import EncodedPacket, VideoEncoder
from streaming.h264 import (
    PROFILES,
    EncodeRecord,
    PresetGovernor,
    VideoProfile,
    bgr_to_video_frame,
    h264_level,
)
from streaming.media_tracks import EncodedTrack

FRAME_NS = 100_000_000 // 3  # 30 fps


def moving_picture(index: int, width: int = 1920, height: int = 1080) -> np.ndarray:
    """Textured content that moves, so the encoder has real work every frame."""
    rng = np.random.default_rng(7)
    small = (rng.random((height // 8, width // 8, 3)) * 255).astype(np.uint8)
    base = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    image = np.roll(base, index * 6, axis=1)
    cv2.circle(image, (100 + index * 5 % (width - 200), height // 2), height // 8, (0, 0, 255), -1)
    return image


def encode(encoder: VideoEncoder, index: int, image: np.ndarray, keyframe: bool = False):
    return encoder.encode(bgr_to_video_frame(image), index * FRAME_NS, keyframe)


def packed(packets: list[EncodedPacket]) -> tuple[list[bytes], int]:
    """RTP payloads and timestamp, as aiortc's sender makes them from our packets."""
    assert len(packets) == 1, "one access unit per frame, none held back"
    return H264Encoder().pack(packets[0].to_av())


def nal_units(payloads: list[bytes]) -> list[bytes]:
    """NAL units back from aiortc's RTP payloads (single NAL, STAP-A, FU-A)."""
    stream = b"".join(h264_depayload(p) for p in payloads)
    return [n for n in H264Encoder._split_bitstream(stream) if n]


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
    encoder = VideoEncoder(PROFILES["1080p"])
    decoder = av.CodecContext.create("h264", "r")
    decoded = []
    images = []
    nals_by_frame: list[list[bytes]] = []
    for i in range(10):
        image = moving_picture(i)
        images.append(image)
        payloads, timestamp = packed(encode(encoder, i, image))
        assert timestamp == i * 3000
        assert all(len(p) <= 1300 for p in payloads)  # fits aiortc's RTP packet size
        nals_by_frame.append(nal_units(payloads))
        decoded.extend(decode_access_unit(decoder, nals_by_frame[-1]))
    sps = sps_of(nals_by_frame[0])
    assert sps is not None, "first access unit carries its SPS (viewers can join at a keyframe)"
    profile_idc, constraints, level_idc = sps[1], sps[2], sps[3]
    assert profile_idc == 66  # Baseline
    assert constraints & 0x40  # constraint_set1: Constrained Baseline, what WebRTC negotiates
    assert level_idc == 40  # level 4.0, not aiortc's 3.1
    assert is_idr(nals_by_frame[0])
    assert len(decoded) == 10
    out = decoded[-1]
    assert (out.width, out.height) == (1920, 1080)
    psnr = cv2.PSNR(out.to_ndarray(format="bgr24"), images[-1])
    assert psnr > 22, f"decoded picture too far from the input: {psnr:.1f} dB"
    # The parameter sets are also extradata, for the MP4 and FLV muxers.
    info = encoder.info
    assert info is not None and info.extradata.startswith(b"\x00\x00\x00\x01")
    assert (info.width, info.height, info.codec) == (1920, 1080, "h264")


def test_keyframes_every_interval_and_on_request_only() -> None:
    profile = VideoProfile(640, 360, 30, 400_000, 1_000_000, 800_000, keyint_s=1.0)
    encoder = VideoEncoder(profile)
    idr_frames = []
    for i in range(75):
        packets = encode(encoder, i, moving_picture(i, 640, 360), i == 45)
        if is_idr(nal_units(packed(packets)[0])):
            idr_frames.append(i)
            assert packets[0].keyframe
    # Scheduled at 0 and 30; forced at 45 (a viewer's PLI), after which the count restarts.
    assert idr_frames == [0, 30, 45]
    assert encoder.keyframes == 3


def _bitrate(sizes: list[int], fps: int) -> float:
    return sum(sizes) * 8 * fps / len(sizes)


def test_bitrate_change_down_in_place_up_at_the_scheduled_keyframe() -> None:
    profile = VideoProfile(
        960,
        540,
        30,
        min_bitrate=600_000,
        max_bitrate=2_400_000,
        start_bitrate=1_200_000,
        keyint_s=2.0,
        adapt_preset=False,
    )
    records: list[EncodeRecord] = []
    encoder = VideoEncoder(profile, observer=lambda record, frame: records.append(record))
    for i in range(70):
        encode(encoder, i, moving_picture(i, 960, 540))
    encoder.set_bitrate(100_000)  # a poor network
    assert encoder.target_bitrate == 600_000  # never below the floor
    for i in range(70, 130):
        encode(encoder, i, moving_picture(i, 960, 540))
    assert encoder.opened == 1  # down: in place, the encoder was not reopened
    encoder.set_bitrate(50_000_000)  # the network recovered: above the cap it was opened with
    assert encoder.target_bitrate == 2_400_000  # clamped to the top of the range
    for i in range(130, 210):
        encode(encoder, i, moving_picture(i, 960, 540))
    assert encoder.opened == 2  # up: reopened ...
    sizes = [r.size for r in records]
    high = _bitrate(sizes[30:70], 30)
    low = _bitrate(sizes[80:130], 30)  # within 10 frames of the change
    back = _bitrate(sizes[185:210], 30)
    assert 0.6 * 1_200_000 < high < 1.2 * 1_200_000, high
    assert low < 1.25 * 600_000, low
    assert back > 1.3 * high, (back, high)
    # ... at the scheduled keyframe (frame 180): one IDR every 2 s, none extra for either change.
    assert [r.pts // 3000 for r in records if r.keyframe] == [0, 60, 120, 180]
    assert all(r.finished >= r.started for r in records)


def test_size_changes_reopen_with_a_keyframe() -> None:
    encoder = VideoEncoder(PROFILES["360p"])
    encode(encoder, 0, moving_picture(0, 640, 360))
    packets = encode(encoder, 1, moving_picture(1, 320, 180))
    nals = nal_units(packed(packets)[0])
    assert is_idr(nals) and sps_of(nals) is not None
    assert encoder.info is not None and (encoder.info.width, encoder.info.height) == (320, 180)


def test_timestamps_that_do_not_advance_are_nudged_forward() -> None:
    encoder = VideoEncoder(PROFILES["360p"])
    pts = [encode(encoder, 0, moving_picture(i, 640, 360))[0].pts for i in range(3)]
    assert pts == [0, 1, 2]


def test_encoded_packets_cross_real_webrtc_without_a_second_encode() -> None:
    encoder = VideoEncoder(PROFILES["360p"])
    packets = [encode(encoder, i, moving_picture(i, 640, 360))[0] for i in range(20)]
    sizes, sender_encoder = asyncio.run(_loopback(packets))
    assert len(sizes) >= 15
    assert set(sizes) == {(640, 360)}
    assert isinstance(sender_encoder, H264Encoder)
    assert sender_encoder.codec is None  # aiortc only packed our packets: x264 never opened
    assert encoder.encoded == 20


async def _loopback(packets: list[EncodedPacket]) -> tuple[list[tuple[int, int]], object]:
    sender_pc, receiver_pc = RTCPeerConnection(), RTCPeerConnection()
    received: list[tuple[int, int]] = []
    done = asyncio.Event()
    pulls: list[asyncio.Future[None]] = []

    @receiver_pc.on("track")
    def on_track(track) -> None:
        async def pull() -> None:
            while len(received) < 15:
                frame = await track.recv()
                received.append((frame.width, frame.height))
            done.set()

        pulls.append(asyncio.ensure_future(pull()))  # held: a bare task may be collected

    track = EncodedTrack("video")
    transceiver = sender_pc.addTransceiver(track, direction="sendonly")
    h264 = [c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType == "video/H264"]
    transceiver.setCodecPreferences(h264)
    await sender_pc.setLocalDescription(await sender_pc.createOffer())
    await receiver_pc.setRemoteDescription(sender_pc.localDescription)
    await receiver_pc.setLocalDescription(await receiver_pc.createAnswer())
    await sender_pc.setRemoteDescription(receiver_pc.localDescription)

    async def feed() -> None:
        for packet in packets:
            track.push(packet)
            await asyncio.sleep(1 / 30)

    feeding = asyncio.ensure_future(feed())
    try:
        await asyncio.wait_for(done.wait(), timeout=30)
        used = transceiver.sender._RTCRtpSender__encoder  # the encoder aiortc picked
    finally:
        feeding.cancel()
        await sender_pc.close()
        await receiver_pc.close()
    return received, used


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
    import streaming.encoder as encoder_module

    class SlowClock:  # every encode appears to take 30 ms: a machine that cannot keep up
        now = 1000.0

        def time(self) -> float:
            self.now += 0.030
            return self.now

    monkeypatch.setattr(encoder_module, "time", SlowClock())
    encoder = VideoEncoder(VideoProfile(640, 360, 30, 400_000, 1_000_000, 800_000, keyint_s=1.0))
    idr, settings = [], []
    for i in range(45):
        nals = nal_units(packed(encode(encoder, i, moving_picture(i, 640, 360)))[0])
        if is_idr(nals):
            idr.append(i)
        # x264 writes its settings as text in an SEI when it starts: subme=2 is veryfast's
        # sub-pixel motion search, subme=1 superfast's.
        settings += [(i, n) for n in nals if n[0] & 0x1F == 6 and b"x264" in n]
        if i == 29:
            assert encoder.preset == "veryfast"  # judged, but waiting for the keyframe
    assert encoder.preset == "superfast"
    assert sorted({i for i, _ in settings}) == [0, 30]  # written when the encoder (re)opens
    assert b" subme=2 " in settings[0][1] and b" subme=1 " in settings[-1][1]
    assert idr == [0, 30]  # the switch rode on the scheduled keyframe: none extra
