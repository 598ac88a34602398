"""The relay's forwarding parts on their own: frames leave the ingest as soon as they are
complete, viewers start at a keyframe, timestamps keep rising across publisher sessions."""

from __future__ import annotations

import asyncio

from aiortc.rtp import RtpPacket

from streaming.relay.fanout import (
    FRAME_STEP,
    FanOut,
    MarkerJitterBuffer,
    PacketJitterBuffer,
    is_h264_keyframe,
)

IDR = b"\x00\x00\x00\x01\x67\x42\x00\x1f" + b"\x00\x00\x00\x01\x65\x88\x80"
P_FRAME = b"\x00\x00\x00\x01\x41\x9a\x00"


def packet(seq: int, ts: int, data: bytes, marker: bool = False) -> RtpPacket:
    p = RtpPacket(payload_type=97, sequence_number=seq, timestamp=ts, marker=int(marker))
    p._data = data
    return p


def test_marker_jitter_buffer_hands_frame_over_at_its_last_packet():
    buffer = MarkerJitterBuffer(64)
    assert buffer.add(packet(100, 3000, b"a"))[1] is None
    assert buffer.add(packet(101, 3000, b"b"))[1] is None
    frame = buffer.add(packet(102, 3000, b"c", marker=True))[1]
    assert frame is not None and (frame.data, frame.timestamp) == (b"abc", 3000)
    # next frame, its packets out of order: complete only once the missing one arrives
    assert buffer.add(packet(104, 6000, b"e", marker=True))[1] is None
    late = buffer.add(packet(103, 6000, b"d"))[1]
    following = buffer.add(packet(105, 9000, b"f", marker=True))[1]
    delivered = [f for f in (late, following) if f is not None]
    assert delivered[0].data == b"de" and delivered[0].timestamp == 6000


def test_packet_jitter_buffer_forwards_each_packet_once_in_order():
    buffer = PacketJitterBuffer()
    assert buffer.add(packet(10, 960, b"x"))[1].data == b"x"
    assert buffer.add(packet(10, 960, b"x"))[1] is None  # duplicate
    assert buffer.add(packet(12, 2880, b"z"))[1].data == b"z"
    assert buffer.add(packet(11, 1920, b"y"))[1] is None  # too late
    wrapping = PacketJitterBuffer()
    wrapping.add(packet(65535, 0, b"a"))
    assert wrapping.add(packet(0, 960, b"b"))[1].data == b"b"  # sequence numbers wrap


def test_keyframe_detection():
    assert is_h264_keyframe(IDR)
    assert not is_h264_keyframe(P_FRAME)


def test_viewer_starts_at_keyframe_and_timestamps_rise_across_publishers():
    async def scenario():
        requests = []
        fanout = FanOut()
        fanout.publisher_started(lambda _rendition: requests.append("pli"))
        track = fanout.new_track("video")
        assert requests == ["pli"]  # a new viewer asks for a keyframe
        fanout.on_frame("video", P_FRAME, 0)  # dropped: the viewer cannot decode it yet
        fanout.on_frame("video", IDR, 3000)
        fanout.on_frame("video", P_FRAME, 6000)
        first = await track.recv()
        second = await track.recv()
        # the publisher reconnects: its timestamps restart at 0
        fanout.publisher_stopped()
        fanout.publisher_started(lambda _rendition: None)
        fanout.on_frame("video", IDR, 0)
        third = await track.recv()
        return first, second, third

    first, second, third = asyncio.run(scenario())
    assert bytes(first) == IDR and bytes(second) == P_FRAME
    assert first.pts == 3000 and second.pts == 6000
    assert third.pts == 6000 + FRAME_STEP["video"]
