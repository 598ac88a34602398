"""Pacing: a video frame's packets spread over time instead of leaving as one burst.

aiortc's sender hands every packet of a frame to the DTLS transport back to back; a 1080p
keyframe (≈100 kB) then hits the path's bottleneck queue at once, shows as a delay spike (our
own delay-based control would read it as congestion) and overflows shallow router buffers.
`Pacer` wraps one connection's transport (this instance only: aiortc is not forked) and lets
the video sender's RTP out at `FACTOR` × the current target bitrate, WebRTC's pacing factor:
fast enough that pacing adds no lasting delay, slow enough that a frame becomes a stream.
Audio and RTCP pass untouched."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

FACTOR = 2.5
BURST_S = 0.005  # what may leave at once (a few packets): sleeping for less is imprecise


def _ssrc(data: bytes) -> int | None:
    """The SSRC of an RTP packet; None for RTCP (payload types 200–207 after the marker bit)."""
    if len(data) < 12 or 192 <= data[1] <= 223:
        return None
    return int.from_bytes(data[8:12], "big")


class Pacer:
    """Paces RTP packets of `ssrcs` at FACTOR × `rate_bps()`."""

    def __init__(self, rate_bps: Callable[[], int], ssrcs: set[int]) -> None:
        self.rate_bps = rate_bps
        self.ssrcs = ssrcs
        self.delayed = 0  # packets that waited
        self._next = 0.0

    def delay_for(self, size: int, now: float) -> float:
        """How long a packet of `size` bytes offered at `now` waits (and book its slot)."""
        rate = max(1, self.rate_bps()) * FACTOR
        self._next = max(self._next, now - BURST_S)
        wait = self._next - now
        self._next += size * 8 / rate
        return max(0.0, wait)

    def install(self, transport: Any) -> None:
        """Wrap `transport._send_rtp` (an `RTCDtlsTransport`) of this connection only."""
        send: Callable[[bytes], Awaitable[None]] = transport._send_rtp

        async def paced(data: bytes) -> None:
            if _ssrc(data) in self.ssrcs:
                wait = self.delay_for(len(data), time.monotonic())
                if wait > 0:
                    self.delayed += 1
                    await asyncio.sleep(wait)
            await send(data)

        transport._send_rtp = paced
