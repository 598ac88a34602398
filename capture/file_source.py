"""A video or audio file played as if it were a live camera or microphone.

Any file PyAV opens works. Frames come out at real-time pace (by their timestamps) with pts on
the live media clock, in the same formats as the devices: BGR frames, 48 kHz float32 mono
10 ms blocks. This is how tests and rehearsals feed real media through the real code path.
When the file ends the source reports ENDED with a message — exactly what an unplugged device
does — unless `loop` is set.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import av
import numpy as np

from capture.live_source import plain_failure
from capture.media import AUDIO_BLOCK_FRAMES, AUDIO_RATE, AudioBlock, VideoFrame, now_ns
from capture.source import SourceState, ThreadSource
from streaming.notice import Notice

Kind = Literal["video", "audio"]


def plain_reason(exc: Exception) -> str:
    """Why a file cannot be played, in words a host understands (no errno, no FFmpeg code)."""
    if isinstance(exc, FileNotFoundError):
        return "the file is not there any more"
    if isinstance(exc, PermissionError):
        return "LiveDesk is not allowed to read it"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not a file"
    if isinstance(exc, av.FFmpegError):
        return "it is not a video or sound file LiveDesk can play (damaged, or an unknown format)"
    return "the file could not be read"


class FileSource(ThreadSource[VideoFrame | AudioBlock]):
    def __init__(self, path: str | Path, kind: Kind = "video", loop: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.kind = kind
        self.loop = loop
        self.label = f"File {self.path.name} ({kind})"
        self.sample_rate = AUDIO_RATE

    def _run(self) -> None:
        try:
            container = av.open(str(self.path))
        except (OSError, av.FFmpegError) as exc:
            self._set_status(SourceState.FAILED, plain_failure(exc, str(self.path)))
            return
        try:
            streams = container.streams.video if self.kind == "video" else container.streams.audio
            if not streams:
                self._set_status(
                    SourceState.FAILED,
                    Notice("{name} has no {kind} track.", name=self.path.name, kind=self.kind),
                )
                return
            if self.kind == "video":
                container.streams.video[0].thread_type = "AUTO"  # decode on several cores
            self._set_status(SourceState.RUNNING, self.label)
            while not self._stop.is_set():
                items = self._video(container) if self.kind == "video" else self._audio(container)
                self._play(items)
                if not self.loop or self._stop.is_set():
                    break
                container.seek(0)
            if not self._stop.is_set():
                self._set_status(SourceState.ENDED, Notice("{name} ended.", name=self.path.name))
        except Exception as exc:  # a damaged file must end the source, not kill its thread
            reason = plain_failure(exc, self.path.name, "could not be read to its end")
            self._set_status(SourceState.ENDED, reason)
        finally:
            container.close()

    def _play(self, items: Iterator[tuple[float, VideoFrame | AudioBlock]]) -> None:
        """Emit each (media time in s, item) when the wall clock reaches it, stamped then (the
        moment a live device would have delivered it)."""
        start = time.monotonic()
        first: float | None = None
        for t, item in items:
            if first is None:
                first = t
            delay = start + (t - first) - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                return
            if self._stop.is_set():
                return
            self._emit(dataclasses.replace(item, pts_ns=now_ns()))

    def _video(self, container: av.container.InputContainer) -> Iterator[tuple[float, VideoFrame]]:
        for index, frame in enumerate(container.decode(container.streams.video[0])):
            t = float(frame.time) if frame.time is not None else index / 30.0
            image = frame.to_ndarray(format="bgr24")
            yield t, VideoFrame(np.ascontiguousarray(image), now_ns(), index)

    def _audio(self, container: av.container.InputContainer) -> Iterator[tuple[float, AudioBlock]]:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE)
        pending = np.zeros(0, np.float32)
        sent = 0
        for frame in container.decode(container.streams.audio[0]):
            for out in resampler.resample(frame):
                pending = np.concatenate([pending, out.to_ndarray().reshape(-1)])
                while len(pending) >= AUDIO_BLOCK_FRAMES:
                    chunk, pending = pending[:AUDIO_BLOCK_FRAMES], pending[AUDIO_BLOCK_FRAMES:]
                    t = sent / AUDIO_RATE
                    sent += AUDIO_BLOCK_FRAMES
                    yield t, AudioBlock(chunk.reshape(-1, 1).copy(), AUDIO_RATE, now_ns())
