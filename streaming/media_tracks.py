"""aiortc tracks of already-encoded packets: the bridge from the encode hub's threads to the
publisher's asyncio loop.

aiortc's `RTCRtpSender` packetizes whatever a track's `recv()` returns: a frame it would encode
itself, or an `av.Packet` it only packs (`Encoder.pack`). These tracks return packets from the
one encode, so a WebRTC output costs no encode of its own.

The encoder never waits for the network: video keeps a short queue and, when the loop falls that
far behind, drops it whole and waits for the next keyframe (asking for one) rather than send a
picture the viewer cannot decode; audio keeps `MAX_AUDIO_QUEUE_MS`, dropping the oldest packet.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from streaming.encoder import EncodedPacket

MAX_AUDIO_QUEUE_MS = 120
MAX_VIDEO_QUEUE = 15  # half a second at 30 fps


class _LoopHandoff:
    """Wakes a coroutine waiting on `loop` from another thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._ready = asyncio.Event()

    def notify_threadsafe(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._ready.set)
        except RuntimeError:  # loop already closed: the track is going away
            pass

    async def wait(self) -> None:
        await self._ready.wait()
        self._ready.clear()


class EncodedTrack(MediaStreamTrack):
    """A video or audio track fed with `EncodedPacket`s by `push` (any thread). `track_id`
    names it in the SDP (`a=msid`), e.g. which rendition it carries (streaming/simulcast.py)."""

    def __init__(
        self,
        kind: str,
        want_keyframe: Callable[[], None] | None = None,
        track_id: str | None = None,
    ) -> None:
        super().__init__()
        self.kind = kind
        if track_id is not None:
            self._id = track_id
        self.frames_sent = 0
        self.dropped = 0
        self.last_size: tuple[int, int] | None = None
        self._want_keyframe = want_keyframe
        self._handoff = _LoopHandoff(asyncio.get_running_loop())
        self._lock = threading.Lock()
        self._queue: deque[EncodedPacket] = deque()
        self._waiting_for_key = kind == "video"
        #: Told of each packet once aiortc has sent it whole (it asks for the next only then).
        self.on_sent: Callable[[EncodedPacket], None] | None = None
        self._returned: EncodedPacket | None = None
        if want_keyframe is not None:
            want_keyframe()

    def push(self, packet: EncodedPacket) -> None:
        if self.readyState != "live":
            return
        ask = False
        with self._lock:
            if self.kind == "video":
                if len(self._queue) >= MAX_VIDEO_QUEUE and not packet.keyframe:
                    self.dropped += len(self._queue)
                    self._queue.clear()
                    ask = not self._waiting_for_key
                    self._waiting_for_key = True
                if self._waiting_for_key and not packet.keyframe:
                    self.dropped += 1
                else:
                    self._waiting_for_key = False
                    self._queue.append(packet)
            else:
                self._queue.append(packet)
                rate = packet.info.sample_rate or 48_000
                cap = max(1, MAX_AUDIO_QUEUE_MS * rate // 1000 // max(1, packet.duration or 960))
                while len(self._queue) > cap:
                    self._queue.popleft()
                    self.dropped += 1
        if ask and self._want_keyframe is not None:
            self._want_keyframe()
        self._handoff.notify_threadsafe()

    async def recv(self) -> av.Packet[Any]:
        if self._returned is not None and self.on_sent is not None:
            self.on_sent(self._returned)
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            with self._lock:
                packet = self._queue.popleft() if self._queue else None
            if packet is not None:
                self.frames_sent += 1
                self._returned = packet
                if packet.info.width:
                    self.last_size = (packet.info.width, packet.info.height)
                return packet.to_av()
            await self._handoff.wait()

    def stop(self) -> None:
        super().stop()
        self._handoff.notify_threadsafe()
