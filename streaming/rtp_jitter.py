"""Low-latency frame assembly for aiortc receivers (relay ingest, subscribers).

aiortc's receive-side `JitterBuffer` knows a video frame is complete only when the first packet
of the *next* frame arrives — one frame interval (33 ms at 30 fps) of delay per aiortc hop —
and holds 4 audio packets (80 ms of Opus) before releasing the first. A relay that forwards
encoded media needs neither: the RTP marker bit ends each video frame, every Opus packet is a
whole frame, and the viewer's own jitter buffer smooths the network. `install_low_latency`
swaps the buffer of one receiver; it must run before that receiver starts receiving.
"""

from __future__ import annotations

from aiortc import RTCRtpReceiver
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket


class MarkerJitterBuffer(JitterBuffer):
    """Releases a video frame as soon as its packets up to the marker bit are all in."""

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        frame = super()._remove_frame(sequence_number)
        if frame is not None or self._origin is None:
            return frame
        packets: list[RtpPacket] = []
        for count in range(self.capacity):
            packet = self._packets[(self._origin + count) % self.capacity]
            if packet is None or (packets and packet.timestamp != packets[0].timestamp):
                return None
            packets.append(packet)
            if packet.marker:
                self.remove(count + 1)
                return JitterFrame(
                    data=b"".join(p._data for p in packets),  # type: ignore[attr-defined]
                    timestamp=packets[0].timestamp,
                )
        return None


class PassThroughAudioBuffer(JitterBuffer):
    """Every audio packet is a whole frame: release it at once, in order, late ones dropped."""

    def __init__(self) -> None:
        super().__init__(capacity=16)

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        if self._origin is not None:
            ahead = (packet.sequence_number - self._origin) & 0xFFFF
            if ahead >= 0x8000:  # older than what was already released
                return False, None
        self._origin = (packet.sequence_number + 1) & 0xFFFF
        return False, JitterFrame(
            data=packet._data, timestamp=packet.timestamp)  # type: ignore[attr-defined]


def install_low_latency(receiver: RTCRtpReceiver) -> None:
    """Give `receiver` the low-latency buffer for its kind (before it starts receiving)."""
    buffer: JitterBuffer = (
        MarkerJitterBuffer(capacity=512, is_video=True) if receiver.track.kind == "video"
        else PassThroughAudioBuffer())
    receiver._RTCRtpReceiver__jitter_buffer = buffer  # type: ignore[attr-defined]
