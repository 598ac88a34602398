"""RTCP at the cadence congestion control needs.

aiortc sends a sender report and a receiver report every 0.5–1.5 s (RFC 3550's randomised
interval). A queue that fills in 100 ms after a drop then shows up to 1.5 s late, and a receiver
report only gives an RTT when it names the *latest* sender report. Both ends here are ours, so
each sends its reports every `INTERVAL_S` as well, from the same private state aiortc keeps for
its own (aiortc is not forked), and the sender remembers when each recent report went out so any
receiver report that names one gives an RTT. A report every 0.1 s is ~1 kbit/s.

Every sender report leaving the sender (aiortc's as well as these) passes through
`SenderReports`: it gives it the capture-clock timing of `streaming/rtp_clock.py` when given one,
and notes when it went out.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any

from aiortc.rtp import RtcpReceiverInfo, RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket

from streaming.rtp_clock import RtpCaptureClock

INTERVAL_S = 0.1
HISTORY = 64  # sender reports remembered (6 s at INTERVAL_S: longer than any queue)


def _private(obj: object, owner: str, name: str, default: Any = None) -> Any:
    return getattr(obj, f"_{owner}__{name}", default)


class SenderReports:
    """Every SR `sender` sends, with `clock`'s timing if given, remembered by when its LSR went
    out; `run()` sends one every `INTERVAL_S` besides aiortc's."""

    def __init__(self, sender: Any, clock: RtpCaptureClock | None = None) -> None:
        self.sender = sender
        self._clock = clock
        self._sent: OrderedDict[int, float] = OrderedDict()
        send = sender._send_rtcp

        async def send_noted(packets: list[Any]) -> None:
            packets = [self._clock.fixed(p) for p in packets] if self._clock else packets
            for packet in packets:
                if isinstance(packet, RtcpSrPacket) and packet.ssrc == sender._ssrc:
                    self._note((packet.sender_info.ntp_timestamp >> 16) & 0xFFFFFFFF)
            await send(packets)

        sender._send_rtcp = send_noted

    def _note(self, lsr: int) -> None:
        self._sent[lsr] = time.time()
        self._sent.move_to_end(lsr)
        while len(self._sent) > HISTORY:
            self._sent.popitem(last=False)

    def sent_at(self, lsr: int) -> float | None:
        """When the SR that an RR names (its LSR) left here (time.time()), if known."""
        return self._sent.get(lsr)

    def report(self) -> RtcpSrPacket | None:
        """This moment's SR as aiortc would word it (None before the first frame went out)."""
        ntp = int(_private(self.sender, "RTCRtpSender", "ntp_timestamp", 0))
        if not ntp:
            return None
        info = RtcpSenderInfo(
            ntp_timestamp=ntp,
            rtp_timestamp=int(_private(self.sender, "RTCRtpSender", "rtp_timestamp", 0)),
            packet_count=int(_private(self.sender, "RTCRtpSender", "packet_count", 0)) & 0xFFFFFFFF,
            octet_count=int(_private(self.sender, "RTCRtpSender", "octet_count", 0)) & 0xFFFFFFFF,
        )
        return RtcpSrPacket(ssrc=self.sender._ssrc, sender_info=info)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(INTERVAL_S)
            packet = self.report()
            if packet is not None:
                await self.sender._send_rtcp([packet])


class ReceiverReports:
    """Sends `receiver`'s RR every `INTERVAL_S` (what aiortc's own loop would send)."""

    def __init__(self, receiver: Any) -> None:
        self.receiver = receiver

    def report(self) -> RtcpRrPacket | None:
        ssrc = _private(self.receiver, "RTCRtpReceiver", "rtcp_ssrc")
        streams: dict[int, Any] = _private(self.receiver, "RTCRtpReceiver", "remote_streams", {})
        lsrs: dict[int, int] = _private(self.receiver, "RTCRtpReceiver", "lsr", {})
        times: dict[int, float] = _private(self.receiver, "RTCRtpReceiver", "lsr_time", {})
        if ssrc is None or not streams:
            return None
        reports = []
        for source, stream in list(streams.items()):
            lsr, dlsr = lsrs.get(source, 0), 0
            if source in times:
                delay = time.time() - times[source]
                dlsr = int(delay * 65536) if 0 < delay < 65536 else 0
            reports.append(
                RtcpReceiverInfo(
                    ssrc=source,
                    fraction_lost=stream.fraction_lost,
                    packets_lost=stream.packets_lost,
                    highest_sequence=stream.max_seq,
                    jitter=stream.jitter,
                    lsr=lsr,
                    dlsr=dlsr,
                )
            )
        return RtcpRrPacket(ssrc=ssrc, reports=reports)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(INTERVAL_S)
            packet = self.report()
            if packet is not None:
                await self.receiver._send_rtcp(packet)
