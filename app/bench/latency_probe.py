"""Glass-to-glass measuring pieces: a stamped source, stamp reading at the encoder and at
viewers (aiortc, or a Chromium page), and the pages a headless Chromium runs (real files in
`app/bench/latency_pages/`, shipped as package data).

Every timestamp is wall-clock milliseconds (`time.time()` in Python, `performance.timeOrigin +
performance.now()` in a page): one machine, one clock, so differences across processes are
real latencies.
"""

from __future__ import annotations

import asyncio
import json
import queue
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import av
import numpy as np
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender, RTCSessionDescription

from app.bench import frame_stamp
from app.bench.chromium import CHROMIUM_ARGS as CHROMIUM_ARGS  # the benches import it from here
from capture.media import VideoFrame, now_ns
from capture.synthetic import SyntheticVideoSource
from streaming.h264 import EncodeRecord
from streaming.relay.fanout import MarkerJitterBuffer, PacketJitterBuffer

MAX_TRACKED = 4000  # frames whose timing is remembered for matching (~2 min at 30 fps)


def wall_ms() -> float:
    return time.time() * 1000.0


class StampedVideoSource(SyntheticVideoSource):
    """The synthetic test pattern with its capture time and sequence number drawn in."""

    def _produce(self, index: int) -> VideoFrame:
        frame = super()._produce(index)
        frame_stamp.draw(frame.image, int(wall_ms()), index)
        return VideoFrame(frame.image, now_ns(), index)


def read_video_frame(frame: av.VideoFrame) -> frame_stamp.Stamp | None:
    """The stamp in a decoded (or about-to-be-encoded) YUV frame, reading only the top rows
    of its luma plane."""
    plane = frame.planes[0]
    rows = frame_stamp.ROWS * frame_stamp.block_size(frame.width)
    if rows > frame.height:
        return None
    luma = np.frombuffer(memoryview(plane), np.uint8, count=rows * plane.line_size)
    return frame_stamp.read(luma.reshape(rows, plane.line_size)[:, : frame.width])


class _Bounded(OrderedDict[int, tuple[float, ...]]):
    def remember(self, key: int, value: tuple[float, ...]) -> None:
        self[key] = value
        while len(self) > MAX_TRACKED:
            self.popitem(last=False)


class EncodeTimes:
    """Observer for `streaming.h264.observe_encodes`: when each stamped frame entered and left
    the encoder, by sequence number."""

    def __init__(self) -> None:
        self.by_seq = _Bounded()
        self.presets: dict[str, int] = {}  # frames encoded with each x264 preset

    def __call__(self, record: EncodeRecord, frame: av.VideoFrame) -> None:
        self.presets[record.preset] = self.presets.get(record.preset, 0) + 1
        stamp = read_video_frame(frame)
        if stamp is not None:
            self.by_seq.remember(stamp.seq, (record.started * 1000, record.finished * 1000))


class ArrivalQueue(queue.Queue[Any]):
    """Takes the place of an aiortc receiver's decoder queue: notes when each complete encoded
    frame left the jitter buffer (by RTP timestamp), then passes it on to the decoder."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals = _Bounded()

    def put(self, item, block: bool = True, timeout: float | None = None) -> None:  # type: ignore[no-untyped-def]
        if item is not None:
            self.arrivals.remember(item[1].timestamp, (wall_ms(),))
        super().put(item, block, timeout)

    @staticmethod
    def install(receiver: RTCRtpReceiver) -> ArrivalQueue:
        """Must run before the receiver starts (before the connection comes up). The
        receiver also gets the relay's low-latency frame assembly (frames complete on the
        marker bit), as a real player's would."""
        video = receiver._RTCRtpReceiver__kind == "video"  # type: ignore[attr-defined]
        receiver._RTCRtpReceiver__jitter_buffer = (  # type: ignore[attr-defined]
            MarkerJitterBuffer(512) if video else PacketJitterBuffer()
        )
        tap = ArrivalQueue()
        receiver._RTCRtpReceiver__decoder_queue = tap  # type: ignore[attr-defined]
        return tap


@dataclass(frozen=True, slots=True)
class Sample:
    """One frame seen by a viewer. Times in wall-clock ms; None where the viewer cannot say."""

    seq: int
    captured: float
    shown: float
    arrived: float | None = None  # complete encoded frame at the viewer
    decode_ms: float | None = None
    width: int = 0
    height: int = 0


def _h264_only(kind: str) -> list[Any]:
    mime = "video/h264" if kind == "video" else "audio/opus"
    return [
        c
        for c in RTCRtpSender.getCapabilities(kind).codecs
        if c.mimeType.lower() in (mime, f"{kind}/rtx")
    ]


async def aiortc_viewer(
    negotiate: Callable[[RTCPeerConnection, Callable[[RTCRtpReceiver], None]], Awaitable[None]],
    seconds: float,
) -> list[Sample]:
    """Watch a stream with aiortc for `seconds`, reading every decoded frame's stamp.
    `negotiate(pc, tap)` does the signalling and must call `tap(receiver)` on the video
    receiver before the connection comes up."""
    pc = RTCPeerConnection()
    samples: list[Sample] = []
    taps: list[ArrivalQueue] = []
    got_track: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    @pc.on("track")
    def on_track(track) -> None:  # type: ignore[no-untyped-def]
        if track.kind == "video" and not got_track.done():
            got_track.set_result(track)

    try:
        await negotiate(pc, lambda receiver: taps.append(ArrivalQueue.install(receiver)))
        track = await asyncio.wait_for(got_track, 15)
        stop_at = wall_ms() + seconds * 1000
        while wall_ms() < stop_at:
            frame = await asyncio.wait_for(track.recv(), 10)
            shown = wall_ms()
            stamp = read_video_frame(frame)
            if stamp is None:
                continue
            arrived = taps[0].arrivals.pop(frame.pts, None) if taps else None
            samples.append(
                Sample(
                    stamp.seq,
                    frame_stamp.unwrap_ms(stamp.time_ms, int(shown)),
                    shown,
                    arrived[0] if arrived else None,
                    shown - arrived[0] if arrived else None,
                    frame.width,
                    frame.height,
                )
            )
    finally:
        await pc.close()
    return samples


def whep_negotiator(url: str) -> Callable[..., Awaitable[None]]:
    """Signalling for `aiortc_viewer` through a WHEP endpoint."""
    from streaming.whip import WhipClient

    async def negotiate(pc: RTCPeerConnection, tap: Callable[[RTCRtpReceiver], None]) -> None:
        video = pc.addTransceiver("video", direction="recvonly")
        video.setCodecPreferences(_h264_only("video"))
        pc.addTransceiver("audio", direction="recvonly")
        tap(video.receiver)
        await pc.setLocalDescription(await pc.createOffer())
        client = WhipClient(url)
        try:
            session = await client.offer(pc.localDescription.sdp)
        finally:
            await client.close()
        await pc.setRemoteDescription(RTCSessionDescription(session.answer_sdp, "answer"))

    return negotiate


def janus_negotiator(url: str, room: int, keep: list[Any]) -> Callable[..., Awaitable[None]]:
    """Signalling for `aiortc_viewer` through a Janus VideoRoom (Janus offers). The
    subscriber object is appended to `keep` so the caller can close it afterwards."""
    from streaming.janus import JanusSubscriber

    async def negotiate(pc: RTCPeerConnection, tap: Callable[[RTCRtpReceiver], None]) -> None:
        subscriber = JanusSubscriber(url, room)
        keep.append(subscriber)
        feed = await subscriber.first_publisher()
        await pc.setRemoteDescription(RTCSessionDescription(await subscriber.offer(feed), "offer"))
        for transceiver in pc.getTransceivers():
            if transceiver.kind == "video":
                tap(transceiver.receiver)
        await pc.setLocalDescription(await pc.createAnswer())
        await subscriber.answer(pc.localDescription.sdp)

    return negotiate


# -- Chromium ---------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("app.bench.latency_pages").joinpath(name).read_text("utf-8")


def _page(name: str, scripts: str) -> str:
    """The page `name` with `scripts` where it says `/*@scripts*/`."""
    return _asset(name).replace("/*@scripts*/", scripts)


# Injected into a viewer page: reads the stamp of every frame the <video> presents
# (requestVideoFrameCallback), from the frame's luma through WebCodecs when it can (cheap: only
# the code's corner is copied), else from a canvas copy of that corner.
VIEWER_PROBE_JS = frame_stamp.READER_JS + _asset("viewer_probe.js")

# Cumulative inbound figures of the page's peer connection (window.livedesk.pc): video, and
# audio's jitter buffer (a browser holds video back to stay in sync with the sound).
INBOUND_STATS_JS = _asset("inbound_stats.js")

# Janus VideoRoom signalling from a page (the two pages below share it).
_JANUS_JS = _asset("janus.js")

# A Janus VideoRoom viewer page (the relay's own viewer page plays WHEP only).
JANUS_VIEWER_HTML = _page("janus_viewer.html", _JANUS_JS)

# A page that publishes a canvas (test pattern + stamp, drawn 30 times a second) the way a
# browser would: captureStream, Chromium's own H.264 encoder, WHIP (or Janus) signalling.
CHROMIUM_PUBLISHER_HTML = _page("chromium_publisher.html", frame_stamp.READER_JS + _JANUS_JS)


def page_samples(rows: list[list[Any]]) -> list[Sample]:
    """Samples from a probed page's `window.__latency` rows."""
    out = []
    for seq, time_ms, shown, received, decode_ms, width, height in rows:
        captured = frame_stamp.unwrap_ms(int(time_ms), int(shown))
        out.append(
            Sample(
                int(seq),
                float(captured),
                float(shown),
                None if received is None else float(received),
                None if decode_ms is None else float(decode_ms),
                int(width),
                int(height),
            )
        )
    return out


def js_call(function: str, *args: object) -> str:
    """A page expression calling `function(*args)` with JSON-encoded arguments."""
    return f"{function}({', '.join(json.dumps(a) for a in args)})"
