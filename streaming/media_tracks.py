"""aiortc tracks fed from LiveDesk sources: the bridge between capture threads and the
publisher's asyncio loop.

A source pushes on its own thread and must never wait for the network, so each track keeps
only what the encoder can still use: video keeps the newest frame (a slow encoder skips
frames instead of falling behind), audio keeps a short queue (dropping the oldest block past
`MAX_AUDIO_QUEUE_MS`, so delay cannot build up). Video is scaled and converted to YUV on a
reader thread of its own, so neither the capture thread nor the event loop pays for it.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import threading
from collections import deque
from typing import Any

import av
import cv2
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from capture.media import AudioBlock, VideoFrame
from capture.source import LatestSlot, Source
from streaming.h264 import bgr_to_video_frame

log = logging.getLogger(__name__)

VIDEO_CLOCK = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK)
MAX_AUDIO_QUEUE_MS = 120
OPUS_RATE = 48_000
OPUS_FRAME = 960  # samples: 20 ms, the packet size browsers send too
OPUS_TIME_BASE = fractions.Fraction(1, OPUS_RATE)


def fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`image` scaled to `size` (width, height) keeping its shape: a 4:3 camera in a 16:9
    stream gets black bars at the sides rather than a stretched face."""
    width, height = size
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    scale = min(width / w, height / h)
    new_w = min(width, max(2, round(w * scale)))
    new_h = min(height, max(2, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
    if (new_w, new_h) == (width, height):
        return scaled
    left, top = (width - new_w) // 2, (height - new_h) // 2
    return cv2.copyMakeBorder(
        scaled,
        top,
        height - new_h - top,
        left,
        width - new_w - left,
        cv2.BORDER_CONSTANT,
        value=(0, 0, 0),
    )


def oriented(size: tuple[int, int], frame: VideoFrame) -> tuple[int, int]:
    """`size` turned to the frame's orientation: a portrait program (1080×1920) goes out
    portrait at the chosen resolution, not letterboxed into a landscape picture."""
    width, height = size
    if (frame.height > frame.width) != (height > width):
        return height, width
    return size


class _LoopHandoff:
    """Delivers items from another thread to a coroutine waiting on `loop`."""

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


class VideoSourceTrack(MediaStreamTrack):
    """Video from a `Source[VideoFrame]`, scaled to `size`, stamped from the media clock."""

    kind = "video"

    def __init__(self, source: Source[VideoFrame], size: tuple[int, int]) -> None:
        super().__init__()
        self.size = size
        self.frames_sent = 0
        self.frames_dropped = 0
        self.last_size: tuple[int, int] | None = None
        self._slot: LatestSlot[VideoFrame] = LatestSlot()
        self._handoff = _LoopHandoff(asyncio.get_running_loop())
        self._lock = threading.Lock()
        self._pending: av.VideoFrame | None = None
        self._origin_ns: int | None = None
        self._last_pts = -1
        self._running = True
        self._unsubscribe = source.subscribe(self._slot.put)
        self._reader = threading.Thread(target=self._read, name="video-track-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """Reader thread: newest frame → scaled YUV `av.VideoFrame` → hand to the loop."""
        while self._running:
            frame = self._slot.take(timeout=0.2)
            if frame is None or not self._running:
                continue
            out = bgr_to_video_frame(fit(frame.image, oriented(self.size, frame)))
            if self._origin_ns is None:
                self._origin_ns = frame.pts_ns
            pts = (frame.pts_ns - self._origin_ns) * VIDEO_CLOCK // 1_000_000_000
            pts = max(pts, self._last_pts + 1)
            self._last_pts = pts
            out.pts = pts
            out.time_base = VIDEO_TIME_BASE
            with self._lock:
                if self._pending is not None:
                    self.frames_dropped += 1
                self._pending = out
            self._handoff.notify_threadsafe()

    async def recv(self) -> av.VideoFrame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            with self._lock:
                frame, self._pending = self._pending, None
            if frame is not None:
                self.frames_sent += 1
                self.last_size = (frame.width, frame.height)
                return frame
            await self._handoff.wait()

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._unsubscribe()
        super().stop()
        self._handoff.notify_threadsafe()

    def join(self, timeout: float = 1.0) -> None:
        """Wait for the reader thread to end (after `stop`), so no conversion is still running
        when the interpreter exits."""
        self._reader.join(timeout)

    @property
    def frames_dropped_total(self) -> int:
        """Frames skipped because a newer one arrived first (at the source slot or here)."""
        return self.frames_dropped + self._slot.dropped


class AudioSourceTrack(MediaStreamTrack):
    """Audio from a `Source[AudioBlock]` as 20 ms Opus packets, encoded on the source's thread.

    aiortc would encode each 10 ms block in its executor: two GIL-contended thread hops per
    block on a loop that also sends 1080p video, so packets left in clumps. A browser's audio
    jitter buffer grows with that arrival jitter, then holds our video back to stay in sync.
    Encoding where the block arrives (about 0.1 ms per packet) and handing aiortc finished
    packets, as the relay does, lets its sender only packetize them. Timestamps count samples
    from the first block; a packet dropped past the cap leaves a gap the viewer conceals."""

    kind = "audio"

    def __init__(self, source: Source[AudioBlock]) -> None:
        super().__init__()
        self.packets_dropped = 0
        self._handoff = _LoopHandoff(asyncio.get_running_loop())
        self._lock = threading.Lock()
        self._queue: deque[tuple[bytes, int]] = deque()
        self._encoder = av.CodecContext.create("libopus", "w")
        self._encoder.bit_rate = 96_000
        self._encoder.format = "s16"
        self._encoder.layout = "stereo"
        self._encoder.sample_rate = OPUS_RATE
        self._encoder.time_base = OPUS_TIME_BASE
        self._encoder.options = {"application": "voip"}
        self._resampler = av.AudioResampler(
            format="s16", layout="stereo", rate=OPUS_RATE, frame_size=OPUS_FRAME
        )
        self._samples_in = 0
        self._first_pts: int | None = None
        self._unsubscribe = source.subscribe(self._push)

    def _push(self, block: AudioBlock) -> None:
        """On the source's thread: encode, queue; drop the oldest packet past the cap."""
        samples = block.samples[:, :2] if block.channels > 2 else block.samples
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)
        layout = "mono" if pcm.shape[1] == 1 else "stereo"
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout=layout)
        frame.sample_rate = block.sample_rate
        frame.pts = self._samples_in
        frame.time_base = fractions.Fraction(1, block.sample_rate)
        self._samples_in += pcm.shape[0]
        packets = [
            packet
            for out in self._resampler.resample(frame)
            for packet in self._encoder.encode(out)  # type: ignore[attr-defined]
        ]
        if not packets:
            return  # the first half of a 20 ms packet
        cap = max(1, MAX_AUDIO_QUEUE_MS * OPUS_RATE // 1000 // OPUS_FRAME)
        with self._lock:
            for packet in packets:
                pts = packet.pts or 0
                if self._first_pts is None:  # libopus starts at minus its look-ahead
                    self._first_pts = pts
                self._queue.append((bytes(packet), pts - self._first_pts))
            while len(self._queue) > cap:
                self._queue.popleft()
                self.packets_dropped += 1
        self._handoff.notify_threadsafe()

    async def recv(self) -> av.Packet[Any]:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            with self._lock:
                item = self._queue.popleft() if self._queue else None
            if item is not None:
                data, pts = item
                packet = av.Packet(data)
                packet.pts = pts
                packet.time_base = OPUS_TIME_BASE
                return packet
            await self._handoff.wait()

    def stop(self) -> None:
        self._unsubscribe()
        super().stop()
        self._handoff.notify_threadsafe()
