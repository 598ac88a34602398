"""One encode for every destination.

`EncodeHub` takes the program's video and audio sources and the outputs that want them. Each
video rendition (a `VideoProfile`) that at least one output takes is scaled, converted and
encoded once per program frame, on the hub's own thread; each audio codec once per block, on the
audio source's thread. The packets go to every output of that rendition or codec: adding an
output never adds an encode of what is already encoded. Timestamps count from the hub's origin
on the one capture clock, so every output gets picture and sound on the same time line.

A slow output cannot slow the others down: outputs queue what they get (see `Output`), and an
output that raises is logged and skipped for that packet.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from capture.media import AudioBlock, VideoFrame, now_ns
from capture.source import LatestSlot, Source
from streaming.encoder import (
    AudioEncoder,
    EncodedPacket,
    StreamInfo,
    VideoEncoder,
    machine_h264_encoder,
)
from streaming.h264 import VideoProfile, bgr_to_video_frame, notify_encode
from streaming.output import Output

log = logging.getLogger(__name__)


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


@dataclass
class _Rendition:
    encoder: VideoEncoder
    outputs: list[Output] = field(default_factory=list)
    want_keyframe: bool = True


@dataclass
class _AudioCodec:
    encoder: AudioEncoder
    outputs: list[Output] = field(default_factory=list)


class EncodeHub:
    """Encodes `video` and `audio` once per rendition / codec for all the outputs added."""

    def __init__(
        self,
        video: Source[VideoFrame] | None,
        audio: Source[AudioBlock] | None,
        encoder: str | None = None,
    ) -> None:
        self.video = video
        self.audio = audio
        self.encoder_name = encoder or machine_h264_encoder().name
        self.origin_ns = now_ns()
        self.frames_in = 0
        self._lock = threading.Lock()
        self._renditions: dict[VideoProfile, _Rendition] = {}
        self._codecs: dict[str, _AudioCodec] = {}
        self._slot: LatestSlot[VideoFrame] = LatestSlot()
        self._running = False
        self._thread: threading.Thread | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self.video_encodes = 0  # frames encoded, all renditions together
        self.audio_encodes = 0  # packets encoded, all codecs together
        # (frames_in, video_encodes) as of the last frame fully handled: one assignment, so a
        # reader never sees a frame counted in but its encodes not yet
        self.video_counts = (0, 0)

    # ---- outputs ---------------------------------------------------------------------------

    def add(self, output: Output) -> None:
        """Feed `output` from now on (its first video packet is a keyframe)."""
        with self._lock:
            profile = output.video_profile if self.video is not None else None
            if profile is not None:
                rendition = self._renditions.get(profile)
                if rendition is None:
                    encoder = VideoEncoder(profile, self.encoder_name, observer=notify_encode)
                    rendition = self._renditions[profile] = _Rendition(encoder)
                rendition.outputs.append(output)
                rendition.want_keyframe = True
            codec = output.audio_codec if self.audio is not None else None
            if codec is not None:
                entry = self._codecs.get(codec)
                if entry is None:
                    entry = self._codecs[codec] = _AudioCodec(AudioEncoder(codec))
                entry.outputs.append(output)
        output.attach(self)
        self._start()

    def remove(self, output: Output) -> None:
        """Stop feeding `output`; a rendition or codec nobody takes any more stops encoding."""
        with self._lock:
            for key, rendition in list(self._renditions.items()):
                if output in rendition.outputs:
                    rendition.outputs.remove(output)
                if not rendition.outputs:
                    del self._renditions[key]
            for name, entry in list(self._codecs.items()):
                if output in entry.outputs:
                    entry.outputs.remove(output)
                if not entry.outputs:
                    del self._codecs[name]
        output.attach(None)

    def start_output(self, output: Output) -> None:
        """Add `output` and start it."""
        self.add(output)
        output.start()

    def stop_output(self, output: Output, timeout: float = 10.0) -> None:
        """Stop `output` and stop feeding it."""
        output.stop(timeout)
        self.remove(output)

    @property
    def outputs(self) -> list[Output]:
        with self._lock:
            groups = [r.outputs for r in self._renditions.values()]
            groups += [c.outputs for c in self._codecs.values()]
            seen: list[Output] = []
            for group in groups:
                seen += [o for o in group if o not in seen]
            return seen

    # ---- what outputs ask ------------------------------------------------------------------

    def request_keyframe(self, profile: VideoProfile) -> None:
        with self._lock:
            rendition = self._renditions.get(profile)
            if rendition is not None:
                rendition.want_keyframe = True

    def video_info(self, profile: VideoProfile) -> StreamInfo | None:
        with self._lock:
            rendition = self._renditions.get(profile)
            return rendition.encoder.info if rendition is not None else None

    def audio_info(self, codec: str) -> StreamInfo | None:
        with self._lock:
            entry = self._codecs.get(codec)
            return entry.encoder.info if entry is not None else None

    def set_bitrate(self, profile: VideoProfile, bitrate: int) -> None:
        """Change a rendition's target bitrate (see `VideoEncoder.set_bitrate`)."""
        with self._lock:
            rendition = self._renditions.get(profile)
            if rendition is not None:
                rendition.encoder.set_bitrate(bitrate)

    def set_audio_bitrate(self, codec: str, bitrate: int) -> None:
        """Change an audio codec's bit rate (see `AudioEncoder.set_bitrate`): every output of
        that codec hears the change, as every output of a rendition sees a video one."""
        with self._lock:
            entry = self._codecs.get(codec)
            if entry is not None:
                entry.encoder.set_bitrate(bitrate)

    def encoder(self, profile: VideoProfile) -> VideoEncoder | None:
        with self._lock:
            rendition = self._renditions.get(profile)
            return rendition.encoder if rendition is not None else None

    def video_encoders(self) -> list[VideoEncoder]:
        """One per rendition some output takes."""
        with self._lock:
            return [r.encoder for r in self._renditions.values()]

    @property
    def frames_dropped(self) -> int:
        """Program frames skipped because the encoder was still busy with an earlier one."""
        return self._slot.dropped

    # ---- running ---------------------------------------------------------------------------

    def _start(self) -> None:
        if self._running:
            return
        self._running = True
        if self.video is not None:
            self._unsubscribe.append(self.video.subscribe(self._slot.put))
            self._thread = threading.Thread(
                target=self._run_video, name="encode-video", daemon=True
            )
            self._thread.start()
        if self.audio is not None:
            self._unsubscribe.append(self.audio.subscribe(self._on_audio))

    def stop(self) -> None:
        """Stop encoding (outputs stay attached but get nothing more)."""
        self._running = False
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None

    def _run_video(self) -> None:
        while self._running:
            frame = self._slot.take(timeout=0.2)
            if frame is None or not self._running:
                continue
            self.frames_in += 1
            with self._lock:
                work = [(r, list(r.outputs)) for r in self._renditions.values() if r.outputs]
            for rendition, outputs in work:
                pts_ns = max(0, frame.pts_ns - self.origin_ns)
                if not rendition.encoder.takes(pts_ns):
                    continue
                size = oriented(rendition.encoder.picture_size, frame)
                picture = bgr_to_video_frame(fit(frame.image, size))
                with self._lock:
                    keyframe, rendition.want_keyframe = rendition.want_keyframe, False
                try:
                    packets = rendition.encoder.encode(picture, pts_ns, keyframe)
                except Exception:
                    log.exception("video encode failed")
                    continue
                self.video_encodes += 1
                _deliver(packets, outputs)
            self.video_counts = (self.frames_in, self.video_encodes)

    def _on_audio(self, block: AudioBlock) -> None:
        if not self._running:
            return
        with self._lock:
            work = [(c, list(c.outputs)) for c in self._codecs.values() if c.outputs]
        for entry, outputs in work:
            try:
                packets = entry.encoder.encode(block, block.pts_ns - self.origin_ns)
            except Exception:
                log.exception("audio encode failed")
                continue
            self.audio_encodes += len(packets)
            _deliver(packets, outputs)


def _deliver(packets: list[EncodedPacket], outputs: list[Output]) -> None:
    for output in outputs:
        for packet in packets:
            try:
                output.on_packet(packet)
            except Exception:  # one broken output must not disturb the others
                output.delivery_failures += 1
                if output.delivery_failures == 1:
                    log.exception("output %s failed to take a packet", output.name)
                break
