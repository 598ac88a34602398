"""What the RTCP a sender receives says, for a congestion controller: NACKs and PLI/FIR
keyframe requests counted, and each receiver report turned into RTT (from `SenderReports`'
history), loss and the rates received and sent over the last reports, as `Feedback`.

The publisher reads the relay's RTCP on its video sender with it (the bitrate controller), and
the relay reads each viewer's on its sender to that viewer (the viewer's rendition,
streaming/relay/renditions.py). The sender's RTCP handler is wrapped (aiortc is not forked).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from aiortc import RTCRtpSender
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RTCP_PSFB_FIR,
    RTCP_PSFB_PLI,
    RTCP_RTPFB_NACK,
    RtcpPsfbPacket,
    RtcpRrPacket,
    RtcpRtpfbPacket,
    RtcpSrPacket,
    unpack_remb_fci,
)

from streaming.abr.controller import LOSS_WINDOW_S, Feedback
from streaming.abr.rtcp import SenderReports
from streaming.rtp_clock import RtpCaptureClock

log = logging.getLogger(__name__)


@dataclass
class _Report:
    """What the receiver's RTCP said since the last `take` (None: nothing new)."""

    rtt_s: float | None = None
    fraction_lost: float | None = None
    remb_bps: int | None = None
    received_bps: float | None = None
    sent_bps: float | None = None
    nacked: int = 0
    packets: int = 0


#: Rates (received, sent) are measured over at least this span of receiver reports: reports
#: come every 0.1 s (streaming/abr/rtcp.py), a few packets apart on a slow link.
RATE_WINDOW_S = 0.3
# Loss is counted over LOSS_WINDOW_S: one lost packet in a 0.1 s report of three is not 33 %.


@dataclass(frozen=True)
class _Snapshot:
    at: float
    highest: int  # 16-bit, as aiortc reports it
    lost: int
    sent: int  # packets we had sent
    octets: int


class FeedbackCounters:
    """Reads the RTCP a receiver sends one video sender: counts NACKs and PLI/FIR keyframe
    requests and passes the requests to `want_keyframe` (aiortc would only tell an encoder of
    its own; None leaves them to the sender's `_send_keyframe`), and turns each receiver report
    into RTT, loss and rates (`feedback`) for a controller, which `on_report` runs at once."""

    def __init__(self, want_keyframe: Callable[[], None] | None = None) -> None:
        self.nacks = 0
        self.plis = 0
        self.reports_seen = 0
        self._want_keyframe = want_keyframe
        #: Run after each receiver report for our video (the bitrate controller's step).
        self.on_report: Callable[[], None] | None = None
        self._report = _Report()
        self._nacks_taken = 0
        self._packets_taken = 0
        self._sender: RTCRtpSender | None = None
        self.sender_reports: SenderReports | None = None
        self._history: deque[_Snapshot] = deque()
        self._nacked: set[int] = set()  # sequence numbers NACKed since the last `take`
        self._tasks: set[asyncio.Task[None]] = set()

    def take(self) -> _Report:
        """What arrived since the last call; NACKs and packets sent as counts over that time."""
        report, self._report = self._report, _Report()
        self._nacked.clear()
        sent = _sender_packets(self._sender)
        report.nacked, self._nacks_taken = self.nacks - self._nacks_taken, self.nacks
        report.packets, self._packets_taken = sent - self._packets_taken, sent
        return report

    def feedback(self, at: float, sent_bps: float | None = None) -> Feedback:
        """What arrived since the last call, as one controller observation at `at`
        (`sent_bps`: the rate that went out, when the reports gave none)."""
        report = self.take()
        return Feedback(
            at=at,
            rtt_s=report.rtt_s,
            fraction_lost=report.fraction_lost,
            remb_bps=report.remb_bps,
            sent_bps=report.sent_bps or sent_bps or None,
            received_bps=report.received_bps,
            nacked=report.nacked,
            packets=report.packets,
        )

    def _read_report(self, sender: RTCRtpSender, packet: RtcpRrPacket | RtcpSrPacket) -> bool:
        for info in packet.reports:
            if info.ssrc != sender._ssrc:
                continue
            self.reports_seen += 1
            self._window(sender, info.highest_sequence, info.packets_lost)
            # aiortc smooths the RTT it reports (85 % of the old value) and only computes it
            # for its latest SR: a queue would show seconds late. The raw one, for any SR.
            sent_at = self.sender_reports.sent_at(info.lsr) if self.sender_reports else None
            if sent_at is not None and info.lsr:
                self._report.rtt_s = max(0.0, time.time() - sent_at - info.dlsr / 65536)
            return True
        return False

    def _window(self, sender: RTCRtpSender, highest: int, lost: int) -> None:
        """Rates and loss over the last reports: the packets the relay's highest sequence
        number moved by, less those it lost, at our mean packet size (RTP header included)."""
        now = time.monotonic()
        sent = _sender_packets(sender)
        octets = int(getattr(sender, "_RTCRtpSender__octet_count", 0))
        snap = _Snapshot(now, highest & 0xFFFF, lost, sent, octets)
        self._history.append(snap)
        while len(self._history) > 2 and now - self._history[1].at >= LOSS_WINDOW_S:
            self._history.popleft()
        if sent <= 0:
            return
        size = octets / sent + 12
        rate_ref = next((h for h in reversed(self._history) if now - h.at >= RATE_WINDOW_S), None)
        if rate_ref is not None:
            span = now - rate_ref.at
            moved = (snap.highest - rate_ref.highest) & 0xFFFF
            received = moved - (lost - rate_ref.lost)
            if 0 <= received < 0x8000:
                self._report.received_bps = received * size * 8 / span
            self._report.sent_bps = (sent - rate_ref.sent) * size * 8 / span
        loss_ref = self._history[0]
        expected = (snap.highest - loss_ref.highest) & 0xFFFF
        if loss_ref is not snap and 0 < expected < 0x8000 and now - loss_ref.at >= RATE_WINDOW_S:
            self._report.fraction_lost = max(0.0, min(1.0, (lost - loss_ref.lost) / expected))

    def watch(self, sender: RTCRtpSender, clock: RtpCaptureClock | None = None) -> None:
        handle = sender._handle_rtcp_packet
        self._sender = sender
        self.sender_reports = SenderReports(sender, clock)

        async def counted(packet: object) -> None:
            if isinstance(packet, (RtcpRrPacket, RtcpSrPacket)):
                if self._read_report(sender, packet) and self.on_report is not None:
                    try:
                        self.on_report()
                    except Exception:
                        # Raised here, it would end aiortc's DTLS receive loop and the
                        # connection with it: a controller fault costs one step, not the show.
                        log.exception("bitrate step failed")
            elif isinstance(packet, RtcpRtpfbPacket) and packet.fmt == RTCP_RTPFB_NACK:
                fresh = set(packet.lost) - self._nacked  # a receiver asks again and again
                self._nacked |= fresh
                self.nacks += len(fresh)
                # Retransmissions are paced: answered inline they would hold up every RTCP
                # packet behind them (the next receiver reports among them).
                task = asyncio.ensure_future(handle(packet))  # type: ignore[arg-type]
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                return
            elif isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
                try:
                    bitrate, ssrcs = unpack_remb_fci(packet.fci)
                except ValueError:
                    bitrate, ssrcs = 0, []
                if sender._ssrc in ssrcs:
                    self._report.remb_bps = bitrate
            elif isinstance(packet, RtcpPsfbPacket) and packet.fmt in (
                RTCP_PSFB_PLI,
                RTCP_PSFB_FIR,
            ):
                self.plis += 1
                if self._want_keyframe is not None:
                    self._want_keyframe()
            await handle(packet)  # type: ignore[arg-type]

        sender._handle_rtcp_packet = counted  # type: ignore[method-assign]


def _sender_packets(sender: RTCRtpSender | None) -> int:
    """RTP packets `sender` has sent so far (aiortc keeps the count for its sender reports)."""
    return int(getattr(sender, "_RTCRtpSender__packet_count", 0)) if sender is not None else 0
