"""Sender reports that tell the capture time, so a browser plays picture and sound together.

A receiver lines streams up by mapping each one's RTP timestamps to NTP time through its sender
reports: RFC 3550 (§6.4.1) has the report's RTP timestamp stand for *the same instant* as its
NTP timestamp. aiortc pairs the last packet's RTP timestamp with the moment it was *sent*, so
each stream's mapping is late by that stream's own capture-to-send delay — for Opus at least the
20 ms a packet takes to fill, plus the mix and the queue; for video the encode. Chromium then
plays the sound that much behind the picture: 23 ms on a quiet machine, 54 ms (p95 66) with two
busy processes beside the publisher (`livedesk bench avsync`).

Here every sender report that leaves a sender — aiortc's own, once a second, and the congestion
controller's every 0.1 s — is rewritten with a pair on the capture clock: the RTP timestamp of
*now*, extrapolated from the last frame aiortc sent and that frame's capture time (as libwebrtc
does). The packet and octet counts stay aiortc's; aiortc's RTT bookkeeping is told which report
really went out.
"""

from __future__ import annotations

import time
from typing import Any

from aiortc import clock
from aiortc.rtp import RtcpSenderInfo, RtcpSrPacket

from streaming.encoder import EncodedPacket

#: RTP clock rates of what we send: H.264 and Opus.
CLOCK_RATES = {"video": 90_000, "audio": 48_000}


def _private(sender: Any, name: str) -> Any:
    return getattr(sender, f"_RTCRtpSender__{name}", None)


class RtpCaptureClock:
    """The capture-clock (NTP, RTP) pair of one sender at any moment, anchored on each frame
    its track hands aiortc (`frame_sent`, called once aiortc has sent all of that frame)."""

    def __init__(self, sender: Any, kind: str, origin_ns: int) -> None:
        self.sender = sender
        self.rate = CLOCK_RATES[kind]
        self._origin_s = origin_ns / 1e9
        self._anchor: tuple[int, float] | None = None  # (RTP timestamp, capture monotonic s)
        self._packets = 0

    def frame_sent(self, packet: EncodedPacket) -> None:
        """`packet` went out whole: aiortc's last RTP timestamp is its (unless aiortc sent
        nothing for it, which its packet count tells)."""
        count = int(_private(self.sender, "packet_count") or 0)
        if count == self._packets:
            return
        self._packets = count
        rtp = int(_private(self.sender, "rtp_timestamp") or 0)
        self._anchor = (rtp, self._origin_s + packet.seconds)

    def now(self) -> tuple[int, int] | None:
        """(NTP, RTP) for this instant on the capture clock; None before the first frame."""
        if self._anchor is None:
            return None
        rtp, captured = self._anchor
        elapsed = time.monotonic() - captured
        return clock.current_ntp_time(), (rtp + round(elapsed * self.rate)) & 0xFFFFFFFF

    def fixed(self, packet: Any) -> Any:
        """`packet` with this instant's capture-clock pair if it is this sender's report."""
        pair = self.now()
        if not isinstance(packet, RtcpSrPacket) or packet.ssrc != self.sender._ssrc or not pair:
            return packet
        ntp, rtp = pair
        info = packet.sender_info
        self.sender._RTCRtpSender__lsr = (ntp >> 16) & 0xFFFFFFFF  # aiortc's RTT: which one
        self.sender._RTCRtpSender__lsr_time = time.time()  # went out
        return RtcpSrPacket(
            ssrc=packet.ssrc,
            sender_info=RtcpSenderInfo(ntp, rtp, info.packet_count, info.octet_count),
            reports=packet.reports,
        )
