"""Fan-out of the host's encoded media to many viewers, without decoding or re-encoding.

aiortc's receiver reassembles each encoded frame (an H.264 access unit, an Opus packet) and
hands it to a decoder thread through a queue. `EncodedTap` takes that queue's place: complete
encoded frames go to the `FanOut` on the event loop instead. Each viewer gets `ForwardTrack`s
whose `recv()` returns those frames as `av.Packet`s, so aiortc's sender for that viewer only
packetizes them (`Encoder.pack`). One encode on the host serves every viewer.

Viewers that join (or report a lost picture with PLI/FIR) need a keyframe: the fan-out asks
the publisher for one (an RTCP PLI upstream, on the track of the rendition that viewer needs),
at most every `KEYFRAME_MIN_INTERVAL_S` per rendition whoever asks (requests are merged), and a
new viewer's video starts at a keyframe so its decoder never sees a broken picture. One viewer's PLIs count at most every `VIEWER_PLI_MIN_INTERVAL_S`: a
stale or hostile viewer asking every second must not make the host's encoder send keyframes
more often than its own keyframe interval (2 s).
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import av
from aiortc import RTCRtpReceiver
from aiortc.codecs.h264 import H264Encoder
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_gt

from streaming.relay.renditions import ViewerSelector
from streaming.simulcast import Rendition

log = logging.getLogger(__name__)

KEYFRAME_MIN_INTERVAL_S = 0.5
VIEWER_PLI_MIN_INTERVAL_S = 4.0
MAX_VIDEO_QUEUE = 30  # frames (1 s at 30 fps); past this a viewer restarts at a keyframe
MAX_AUDIO_QUEUE = 25  # Opus packets (0.5 s)
CLOCK = {"video": 90_000, "audio": 48_000}
FRAME_STEP = {"video": 3_000, "audio": 960}  # one frame at 30 fps / one 20 ms Opus packet


def is_h264_keyframe(annexb: bytes) -> bool:
    """Whether an Annex B access unit starts a decodable picture (SPS or IDR slice)."""
    return any(nal and nal[0] & 0x1F in (5, 7) for nal in H264Encoder._split_bitstream(annexb))


class EncodedTap:
    """Stands in for an `RTCRtpReceiver`'s decoder queue (`put`/`get` like `queue.Queue`).
    `put((codec, frame))` is called on the event loop for every complete encoded frame;
    the receiver's decoder thread blocks in `get()` until the receiver stops."""

    def __init__(self, kind: str, on_frame: Callable[[str, bytes, int], None]) -> None:
        self._kind = kind
        self._on_frame = on_frame
        self._stopped = threading.Event()

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        if item is None:
            self._stopped.set()
            return
        _codec, frame = item
        self._on_frame(self._kind, frame.data, frame.timestamp)

    def get(self) -> None:
        self._stopped.wait()

    @staticmethod
    def install(receiver: RTCRtpReceiver, tap: EncodedTap) -> None:
        """Must run before the receiver starts (before the connection comes up)."""
        receiver._RTCRtpReceiver__decoder_queue = tap  # type: ignore[attr-defined]
        buffer = MarkerJitterBuffer(512) if tap._kind == "video" else PacketJitterBuffer()
        receiver._RTCRtpReceiver__jitter_buffer = buffer  # type: ignore[attr-defined]


class MarkerJitterBuffer(JitterBuffer):
    """aiortc's video jitter buffer hands over a frame when the *next* frame's first packet
    arrives: one frame interval (33 ms) of delay per hop. This one also hands it over as soon
    as the frame's last packet (RTP marker bit) is in and all its packets are there.

    It also gets past a gap that will never fill (packets lost at a full bottleneck and not
    retransmitted, or dropped by the sender's pacer after a big cut): aiortc's buffer waits
    for the missing packet until 512 packets later — 30 s at 150 kbps, a frozen picture all
    along. A complete keyframe after the gap is handed over at once and the gap dropped; a
    complete delta frame after a gap that outlives `GAP_PLI_AFTER_S` asks for a keyframe (at
    most every `GAP_PLI_EVERY_S`)."""

    GAP_PLI_AFTER_S = 0.25
    GAP_PLI_EVERY_S = 1.0

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity=capacity, is_video=True)
        self._gap_since: float | None = None
        self._last_pli = -self.GAP_PLI_EVERY_S
        self.gaps_skipped = 0

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        pli_flag, frame = super().add(packet)
        if frame is not None or not packet.marker or self._origin is None:
            if frame is not None:
                self._gap_since = None
            return pli_flag, frame
        packets: list[RtpPacket] = []
        for count in range(self.capacity):
            stored = self._packets[(self._origin + count) % self.capacity]
            if stored is None or stored.timestamp != packet.timestamp:
                return self._after_gap(packet, pli_flag)
            packets.append(stored)
            if stored.sequence_number == packet.sequence_number:
                break
        self.remove(len(packets))
        self._gap_since = None
        data = b"".join(p._data for p in packets)  # type: ignore[attr-defined]
        return pli_flag, JitterFrame(data=data, timestamp=packet.timestamp)

    def _after_gap(self, last: RtpPacket, pli_flag: bool) -> tuple[bool, JitterFrame | None]:
        """`last` ends a frame that is not the oldest one held: if that frame is whole and a
        keyframe, hand it over and forget everything before it."""
        run = [last]
        seq = last.sequence_number
        while len(run) < self.capacity:
            seq = (seq - 1) & 0xFFFF
            stored = self._packets[seq % self.capacity]
            if (
                stored is None
                or stored.timestamp != last.timestamp
                or stored.sequence_number != seq
            ):
                break
            run.append(stored)
        run.reverse()
        first: bytes = run[0]._data  # type: ignore[attr-defined]
        starts = (
            first[:4] == b"\x00\x00\x00\x01" and first[4:5] != b"" and first[4] & 0x1F in (6, 7, 9)
        )
        data = b"".join(p._data for p in run)  # type: ignore[attr-defined]
        origin = self._origin
        if starts and origin is not None and is_h264_keyframe(data):
            self.remove((last.sequence_number - origin + 1) & 0xFFFF)
            self._gap_since = None
            self.gaps_skipped += 1
            return pli_flag, JitterFrame(data=data, timestamp=last.timestamp)
        now = time.monotonic()
        if self._gap_since is None:
            self._gap_since = now
        elif (
            now - self._gap_since >= self.GAP_PLI_AFTER_S
            and now - self._last_pli >= self.GAP_PLI_EVERY_S
        ):
            self._last_pli = now
            pli_flag = True
        return pli_flag, None


class PacketJitterBuffer:
    """For Opus (one frame per packet): forward each packet at once, dropping duplicates
    and late ones; the viewers' own jitter buffers smooth the timing. aiortc's audio buffer
    holds four packets (~80 ms) first."""

    capacity = 1

    def __init__(self) -> None:
        self._last: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        seq = packet.sequence_number
        if self._last is not None and not uint16_gt(seq, self._last):
            return False, None
        self._last = seq
        return False, JitterFrame(data=packet._data, timestamp=packet.timestamp)  # type: ignore[attr-defined]


class ForwardTrack(MediaStreamTrack):
    """A viewer's track: already-encoded frames, returned as `av.Packet`s. With several
    renditions, `selector` picks which reach this viewer (streaming/relay/renditions.py).
    `on_keyframe_needed(rendition)` asks for a keyframe of the rendition it needs."""

    def __init__(
        self,
        kind: str,
        on_keyframe_needed: Callable[[str], None],
        selector: ViewerSelector | None = None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.selector = selector
        self.rendition: str | None = None  # the rendition of the last frame pushed
        self._shift = 0  # added to that rendition's timestamps: one clock for the viewer
        self._last_out: int | None = None
        self._time_base = fractions.Fraction(1, CLOCK[kind])
        self._queue: deque[tuple[bytes, int]] = deque()
        self._ready = asyncio.Event()
        self._need_keyframe = kind == "video"
        self._on_keyframe_needed = on_keyframe_needed
        self.frames_forwarded = 0
        self.last_pli_honoured = -VIEWER_PLI_MIN_INTERVAL_S

    @property
    def wanted(self) -> str:
        """The rendition this viewer needs a keyframe of: the one it waits to switch to, else
        the one it gets ("" for a publisher's only video)."""
        if self.selector is not None:
            return self.selector.pending or self.selector.current
        return self.rendition or ""

    def push(self, data: bytes, timestamp: int, keyframe: bool, rendition: str = "") -> None:
        if rendition != self.rendition:  # a switch (at a keyframe): the next frame moment
            self.rendition = rendition
            last = self._last_out
            self._shift = 0 if last is None else last + FRAME_STEP[self.kind] - timestamp
        timestamp += self._shift
        if self._need_keyframe:
            if not keyframe:
                self._on_keyframe_needed(self.wanted)
                return
            self._need_keyframe = False
        limit = MAX_VIDEO_QUEUE if self.kind == "video" else MAX_AUDIO_QUEUE
        if len(self._queue) >= limit:
            self._queue.clear()  # this viewer fell behind: skip ahead rather than lag
            if self.kind == "video":
                self._need_keyframe = True
                self._on_keyframe_needed(self.wanted)
                return
        self._queue.append((data, timestamp))
        self._last_out = timestamp
        self._ready.set()

    async def recv(self) -> av.Packet[Any]:
        while not self._queue:
            if self.readyState != "live":
                raise MediaStreamError
            self._ready.clear()
            await self._ready.wait()
        if self.readyState != "live":
            raise MediaStreamError
        data, timestamp = self._queue.popleft()
        packet = av.Packet(data)
        packet.pts = timestamp
        packet.time_base = self._time_base
        self.frames_forwarded += 1
        return packet

    def stop(self) -> None:
        super().stop()
        self._ready.set()


class FanOut:
    """Routes the current publisher's encoded frames to every viewer's tracks. Runs on the
    relay's event loop only. Timestamps are re-based so that they keep rising for viewers
    across publisher reconnects (each new publisher session starts its own at zero)."""

    def __init__(self) -> None:
        self._tracks: dict[str, set[ForwardTrack]] = {"video": set(), "audio": set()}
        self._renditions: tuple[Rendition, ...] = ()
        # Re-basing per (kind, rendition): each of the publisher's senders has its own clock.
        self._offset: dict[tuple[str, str], int] = {}
        self._last_out: dict[tuple[str, str], int] = {}
        self._rebase: set[tuple[str, str]] = set()
        self._request_keyframe: Callable[[str], None] | None = None
        self._last_keyframe_request: dict[str, float] = {}
        self.keyframe_requests = 0  # PLIs sent to the publisher
        self.viewer_plis_ignored = 0
        self.frames_in = {"video": 0, "audio": 0}
        self.video_frames_in: Counter[str] = Counter()  # by rendition
        self.last_frame_at = 0.0

    def publisher_started(self, request_keyframe: Callable[[str], None]) -> None:
        """A publisher is on; `request_keyframe(rendition)` asks it for a keyframe of that
        rendition ("": of its only video)."""
        self._request_keyframe = request_keyframe
        self._rebase = set(self._last_out)

    def set_renditions(self, renditions: tuple[Rendition, ...]) -> None:
        """The publisher's video renditions (best first); with two or more, each viewer's
        video track gets its own `ViewerSelector` (the viewers watching already get a new one
        when the renditions change)."""
        if renditions == self._renditions:
            return
        self._renditions = renditions
        for track in self._tracks["video"]:
            track.selector = self._selector()

    @property
    def renditions(self) -> tuple[Rendition, ...]:
        return self._renditions

    def _selector(self) -> ViewerSelector | None:
        if len(self._renditions) < 2:
            return None
        return ViewerSelector(self._renditions, self.keyframe_needed)

    def publisher_stopped(self) -> None:
        self._request_keyframe = None

    def add_track(self, track: ForwardTrack) -> None:
        self._tracks[track.kind].add(track)
        if track.kind == "video":
            self.keyframe_needed(track.wanted)

    def remove_track(self, track: ForwardTrack) -> None:
        self._tracks[track.kind].discard(track)

    def new_track(self, kind: str) -> ForwardTrack:
        selector = self._selector() if kind == "video" else None
        track = ForwardTrack(kind, self.keyframe_needed, selector)
        self.add_track(track)
        return track

    @property
    def viewer_tracks(self) -> int:
        return len(self._tracks["video"]) + len(self._tracks["audio"])

    def keyframe_needed(self, rendition: str = "") -> None:
        """Ask the publisher for a keyframe of `rendition`, at most every
        `KEYFRAME_MIN_INTERVAL_S` for each."""
        now = time.monotonic()
        last = self._last_keyframe_request.get(rendition, -KEYFRAME_MIN_INTERVAL_S)
        if self._request_keyframe is None or now - last < KEYFRAME_MIN_INTERVAL_S:
            return
        self._last_keyframe_request[rendition] = now
        self.keyframe_requests += 1
        self._request_keyframe(rendition)

    def viewer_pli(self, track: ForwardTrack) -> None:
        """A viewer reported a lost picture (PLI/FIR on its sender): passed on at most every
        `VIEWER_PLI_MIN_INTERVAL_S` for that viewer, and merged with everyone else's."""
        now = time.monotonic()
        if now - track.last_pli_honoured < VIEWER_PLI_MIN_INTERVAL_S:
            self.viewer_plis_ignored += 1
            return
        track.last_pli_honoured = now
        self.keyframe_needed(track.wanted)

    def on_frame(self, kind: str, data: bytes, timestamp: int, rendition: str = "") -> None:
        """One complete encoded frame from the publisher (called by `EncodedTap`), of one of
        its video `rendition`s when it sends several."""
        self.frames_in[kind] += 1
        if kind == "video":
            self.video_frames_in[rendition] += 1
        self.last_frame_at = time.monotonic()
        key = (kind, rendition)
        if key in self._rebase or key not in self._offset:
            last = self._last_out.get(key)
            self._offset[key] = 0 if last is None else last + FRAME_STEP[kind] - timestamp
            self._rebase.discard(key)
        out = timestamp + self._offset[key]
        self._last_out[key] = out
        keyframe = kind == "video" and is_h264_keyframe(data)
        for track in list(self._tracks[kind]):
            if track.readyState != "live":
                self._tracks[kind].discard(track)
                continue
            if track.selector is not None and not track.selector.accept(rendition, keyframe):
                continue
            track.push(data, out, keyframe, rendition)
