"""What one viewer's video link carries, measured on the relay's sender to that viewer.

The viewer's RTCP feeds its `ViewerSelector` (streaming/relay/renditions.py): each receiver
report's RTT, loss and rates (`FeedbackCounters`, the publisher's own reader). A sender report
goes every 0.1 s, so any receiver report names a recent one and gives an RTT. REMB is read but
not obeyed: Chromium's trails a ramp by seconds (1 Mbps ten seconds after its link and the
padding went to 4 Mbps), and with one keyframe's queue it cut a viewer that had just moved up
straight back down.

A viewer on a low rendition sends the relay no more than that rendition's rate, so its link
would never show whether it carries a better one: the estimate would climb unchecked and the
viewer flap up and down. So while a better rendition exists (`ViewerSelector.probing`) the
sender fills the link up to the estimate with padding, as libwebrtc does: retransmissions of
its own recent packets (RTX, stamped with the time they leave), which the viewer's jitter
buffer drops. A link that cannot carry the estimate shows it as queueing delay in the next
reports and the estimate comes down; one that can lets it rise to the better rendition. Only
that viewer's link carries the padding.

Retransmissions that a viewer asks for (NACK) are bounded as libwebrtc bounds them: a packet
goes again at most once per `RESEND_AFTER_S`, and all of them together within a share of the
estimate. aiortc answers every NACK, and a browser asks again for a missing packet every round
trip: on a full link the answers filled it further, and a viewer behind 500 kbps lost half its
packets on 360p that the link carried.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import replace
from typing import Any

from aiortc import clock
from aiortc.rtp import RTP_HISTORY_SIZE

from streaming.abr.feedback import FeedbackCounters
from streaming.relay.fanout import ForwardTrack

PAD_TICK_S = 0.02
IDLE_TICK_S = 0.2  # how often a viewer that is not probing is looked at again
#: The sent rate is measured over this span; padding makes up the difference to the estimate.
RATE_SPAN_S = 0.5
#: At most this much of the estimate's bytes is sent in one tick (no burst after a pause).
BURST_TICKS = 2
#: A packet is sent again at most this often, whoever asks how often (longer than the queue a
#: slow link builds, 300 ms, and its round trip).
RESEND_AFTER_S = 0.5
#: Retransmissions together stay within this share of the estimate (at least the floor).
RESEND_SHARE = 0.3
RESEND_FLOOR_BPS = 64_000


def _private(sender: Any, name: str, default: Any = None) -> Any:
    return getattr(sender, f"_RTCRtpSender__{name}", default)


class ViewerLink:
    """Watches `sender` (the relay's video sender to one viewer, fed by `track`)."""

    def __init__(self, sender: Any, track: ForwardTrack) -> None:
        self.sender, self.track = sender, track
        self.counters = FeedbackCounters()
        self.counters.watch(sender)
        self.counters.on_report = self._report
        self.padding_bytes = 0
        self.resends_refused = 0
        self.remb_bps: int | None = None  # the viewer's last REMB, for the figures
        self._sent: deque[tuple[float, int]] = deque()
        self._next = 0  # the history slot padded with next
        self._resend = sender._retransmit  # aiortc's own, for the padding
        self._resent_at: dict[int, float] = {}  # sequence number → when last sent again
        self._resend_budget = 0.0  # bytes
        self._budget_at = time.monotonic()
        sender._retransmit = self._answer_nack

    def _report(self) -> None:
        selector = self.track.selector
        if selector is not None:
            feedback = self.counters.feedback(time.monotonic())
            self.remb_bps = feedback.remb_bps or self.remb_bps
            selector.on_feedback(replace(feedback, remb_bps=None))

    async def _answer_nack(self, sequence_number: int) -> None:
        """aiortc's retransmission of one NACKed packet, within the bounds above."""
        selector = self.track.selector
        if selector is None:  # one rendition: nothing estimates this link
            await self._resend(sequence_number)
            return
        now = time.monotonic()
        rate = max(RESEND_FLOOR_BPS, RESEND_SHARE * selector.controller.target_bps) / 8
        elapsed, self._budget_at = now - self._budget_at, now
        self._resend_budget = min(rate * RESEND_AFTER_S, self._resend_budget + rate * elapsed)
        history: dict[int, Any] = _private(self.sender, "rtp_history", {})
        packet = history.get(sequence_number % RTP_HISTORY_SIZE)
        size = len(packet.payload) if packet is not None else 0
        last = self._resent_at.get(sequence_number, -RESEND_AFTER_S)
        if size == 0 or now - last < RESEND_AFTER_S or self._resend_budget < size:
            self.resends_refused += 1
            return
        self._resend_budget -= size
        self._resent_at[sequence_number] = now
        if len(self._resent_at) > RTP_HISTORY_SIZE:
            self._resent_at = {s: t for s, t in self._resent_at.items() if now - t < RESEND_AFTER_S}
        await self._resend(sequence_number)

    async def run(self) -> None:
        """Sender reports and padding, until cancelled."""
        reports = self.counters.sender_reports
        assert reports is not None
        await asyncio.gather(reports.run(), self._pad())

    async def _pad(self) -> None:
        while True:
            selector = self.track.selector
            if selector is None or not selector.probing:
                self._sent.clear()
                await asyncio.sleep(IDLE_TICK_S)
                continue
            await asyncio.sleep(PAD_TICK_S)
            now = time.monotonic()
            total = int(_private(self.sender, "octet_count", 0)) + self.padding_bytes
            self._sent.append((now, total))
            while now - self._sent[0][0] > RATE_SPAN_S:
                self._sent.popleft()
            then, before = self._sent[0]
            if now - then < RATE_SPAN_S / 2:
                continue
            target = selector.controller.target_bps
            due = target * (now - then) / 8 - (total - before)
            await self._send_padding(min(due, target * PAD_TICK_S * BURST_TICKS / 8))

    async def _send_padding(self, budget: float) -> None:
        """About `budget` bytes of the sender's recent packets again (RTX)."""
        history: dict[int, Any] = _private(self.sender, "rtp_history", {})
        tried = 0
        while budget > 0 and history and tried < RTP_HISTORY_SIZE:
            tried += 1
            self._next = (self._next + 1) % RTP_HISTORY_SIZE
            packet = history.get(self._next)
            if packet is None:
                continue
            packet.extensions.abs_send_time = (clock.current_ntp_time() >> 14) & 0x00FFFFFF
            await self._resend(packet.sequence_number)
            self.padding_bytes += len(packet.payload)  # as aiortc counts the media's octets
            budget -= len(packet.payload)
