"""Low-latency frame assembly: frames released on the marker bit, audio passed straight on."""

from __future__ import annotations

from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from streaming.rtp_jitter import MarkerJitterBuffer, PassThroughAudioBuffer


def packet(seq: int, timestamp: int, marker: bool, data: bytes) -> RtpPacket:
    p = RtpPacket(sequence_number=seq, timestamp=timestamp, marker=int(marker))
    p._data = data  # type: ignore[attr-defined]  # what aiortc's receiver depayloads into
    return p


def frames_of(buffer: JitterBuffer, packets: list[RtpPacket]) -> list[tuple[int, int, bytes]]:
    """(index of the packet that released it, timestamp, data) for every frame released."""
    out = []
    for i, p in enumerate(packets):
        _, frame = buffer.add(p)
        if frame is not None:
            out.append((i, frame.timestamp, frame.data))
    return out


STREAM = [
    packet(65534, 3000, False, b"a1"), packet(65535, 3000, False, b"a2"),
    packet(0, 3000, True, b"a3"),  # sequence numbers wrap inside the frame
    packet(1, 6000, True, b"b"),
    packet(3, 9000, True, b"c2"), packet(2, 9000, False, b"c1"),  # reordered
    packet(4, 12000, False, b"d1"),
]


def test_marker_bit_releases_each_frame_with_its_last_packet() -> None:
    released = frames_of(MarkerJitterBuffer(capacity=64, is_video=True), STREAM)
    assert released == [(2, 3000, b"a1a2a3"), (3, 6000, b"b"), (5, 9000, b"c1c2")]


def test_aiortc_buffer_waits_for_the_next_frame() -> None:
    # The behaviour being replaced: each frame leaves one packet of the next frame later.
    released = frames_of(JitterBuffer(capacity=64, is_video=True), STREAM)
    assert [(i, ts) for i, ts, _ in released] == [(3, 3000), (5, 6000), (6, 9000)]


def test_a_frame_missing_a_packet_is_not_released_early() -> None:
    buffer = MarkerJitterBuffer(capacity=64, is_video=True)
    stream = [packet(10, 3000, False, b"x1"), packet(12, 3000, True, b"x3")]  # 11 lost
    assert frames_of(buffer, stream) == []


def test_audio_packets_pass_straight_through_in_order() -> None:
    buffer = PassThroughAudioBuffer()
    stream = [packet(100, 960, True, b"o1"), packet(101, 1920, False, b"o2"),
              packet(100, 960, False, b"dup"), packet(103, 3840, False, b"o4")]
    assert frames_of(buffer, stream) == [(0, 960, b"o1"), (1, 1920, b"o2"), (3, 3840, b"o4")]
