"""Pacing: a video frame's packets spread over time instead of leaving as one burst.

aiortc's sender hands every packet of a frame to the DTLS transport back to back; a 1080p
keyframe (≈100 kB) then hits the path's bottleneck queue at once, shows as a delay spike (our
own delay-based control would read it as congestion) and overflows shallow router buffers.
`Pacer` wraps one connection's transport (this instance only: aiortc is not forked) and lets
the video sender's RTP out at `FACTOR` × the current target bitrate, WebRTC's pacing factor:
fast enough that pacing adds no lasting delay, slow enough that a frame becomes a stream.
Audio and RTCP pass untouched.

After a large cut (`flush`), the video still on its way out was encoded for the old rate: sent
into a link that shrank it only queues for seconds (the viewer's picture freezes behind it). The
pacer then drops it — the rest of the frame being sent, every frame after it and every
retransmission of them — until the first packet of a keyframe (the publisher asks for one at
the new rate), so the viewer's next picture is that keyframe, not seconds-old video."""

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


def _payload(data: bytes) -> bytes:
    """An RTP packet's payload (after CSRCs and the header extension)."""
    start = 12 + 4 * (data[0] & 0x0F)
    if data[0] & 0x10 and len(data) >= start + 4:
        start += 4 + 4 * int.from_bytes(data[start + 2 : start + 4], "big")
    return data[start:]


def starts_keyframe(data: bytes) -> bool:
    """Whether an H.264 RTP packet (RFC 6184) starts a decodable picture: an SPS or IDR slice
    alone, anywhere in a STAP-A (x264 puts an SEI first after each open), or the first
    fragment of an FU-A."""
    payload = _payload(data)
    if len(payload) < 2:
        return False
    kind = payload[0] & 0x1F
    if kind in (5, 7):
        return True
    if kind == 24:  # STAP-A: (2-byte size, NAL)…
        at = 1
        while at + 3 <= len(payload):
            if payload[at + 2] & 0x1F in (5, 7):
                return True
            at += 2 + int.from_bytes(payload[at : at + 2], "big")
        return False
    if kind == 28:  # FU-A: the start bit and the fragmented NAL's type
        return bool(payload[1] & 0x80) and payload[1] & 0x1F in (5, 7)
    return False


def _seq(data: bytes) -> int:
    return int.from_bytes(data[2:4], "big")


def _before(a: int, b: int) -> bool:
    """Whether 16-bit sequence number `a` comes before `b`."""
    return a != b and (b - a) & 0xFFFF < 0x8000


class Pacer:
    """Paces RTP packets of `ssrcs` at FACTOR × `rate_bps()`; `rtx` is the retransmission SSRC
    among them (its payload starts with the original sequence number)."""

    def __init__(
        self, rate_bps: Callable[[], int], ssrcs: set[int], rtx: int | None = None
    ) -> None:
        self.rate_bps = rate_bps
        self.ssrcs = ssrcs
        self.rtx = rtx
        self.delayed = 0  # packets that waited
        self.dropped = 0  # stale packets dropped after a flush
        self._next = 0.0
        self._generation = 0
        self._skipping = False
        self._first_kept: int | None = None  # the keyframe's first sequence number

    def flush(self) -> None:
        """Drop the video waiting or still to come until a keyframe starts (see the module)."""
        self._generation += 1
        self._skipping = True
        self._next = 0.0

    def stale(self, data: bytes) -> bool:
        """Whether a video packet offered now is dropped (and end the skip at a keyframe)."""
        if _ssrc(data) == self.rtx:
            original = int.from_bytes(_payload(data)[:2], "big")
            first = self._first_kept
            return self._skipping or (first is not None and _before(original, first))
        if self._skipping and starts_keyframe(data):
            self._skipping = False
            self._first_kept = _seq(data)
        elif self._first_kept is not None and (_seq(data) - self._first_kept) & 0xFFFF > 4096:
            self._first_kept = None  # long past: no retransmission can name those any more
        return self._skipping

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
                if self.stale(data):
                    self.dropped += 1
                    return
                generation = self._generation
                wait = self.delay_for(len(data), time.monotonic())
                if wait > 0:
                    self.delayed += 1
                    await asyncio.sleep(wait)
                if generation != self._generation:  # flushed while it waited
                    self.dropped += 1
                    return
            await send(data)

        transport._send_rtp = paced
