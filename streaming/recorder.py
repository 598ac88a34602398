"""The backup recording: the packets every other output gets, written to a fragmented MP4.

No second encode: the recorder is an `Output` of the one encode (H.264 of its rendition, AAC).
The file is fragmented MP4 with an empty `moov` up front and a fragment at least every
`FRAGMENT_S`, each handed to the OS as it is written, so a recording cut off at any instant (the
app killed, the power gone) plays up to its last fragment. Writing happens on a thread of the
recorder's own; the encoder only queues.

Space: `start` refuses below `min_free_bytes` (and says so), a warning goes out when free space
falls below `warn_free_bytes`, and a full disk ends the recording cleanly (the file written so
far stays playable) with a message, while the other outputs go on.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import queue
import re
import shutil
import threading
import time
from pathlib import Path

from streaming.encoder import EncodedPacket
from streaming.h264 import VideoProfile
from streaming.mux import Muxer
from streaming.notice import Notice
from streaming.output import Figures, Output, OutputState

log = logging.getLogger(__name__)

FRAGMENT_S = 0.5
MIN_FREE_BYTES = 500 * 1024 * 1024  # below this a recording does not start
WARN_FREE_BYTES = 2 * 1024 * 1024 * 1024  # below this the host is told space runs low
_SPACE_CHECK_S = 5.0
_MP4_OPTIONS = {
    "movflags": "frag_keyframe+empty_moov+default_base_moof",
    "frag_duration": str(int(FRAGMENT_S * 1_000_000)),
    "flush_packets": "1",
}


def recording_path(folder: Path, show: str, when: dt.datetime | None = None) -> Path:
    """A file per show, named by date and show: `2026-12-03 20-15 Spring sale.mp4`."""
    stamp = (when or dt.datetime.now()).strftime("%Y-%m-%d %H-%M-%S")
    name = " ".join(re.sub(r'[\\/:*?"<>|\x00-\x1f]', " ", show).split()) or "LiveDesk"
    return folder / f"{stamp} {name}.mp4"


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB"


class Recorder(Output):
    """Records `profile` video and AAC audio (either may be None) to `path`."""

    name = "recording"
    audio_codec: str | None = "aac"

    def __init__(
        self,
        path: Path,
        profile: VideoProfile | None,
        audio: bool = True,
        min_free_bytes: int = MIN_FREE_BYTES,
        warn_free_bytes: int = WARN_FREE_BYTES,
    ) -> None:
        super().__init__()
        self.path = path
        self.video_profile = profile
        self.audio_codec = "aac" if audio else None
        self.min_free_bytes = min_free_bytes
        self.warn_free_bytes = warn_free_bytes
        self.warning = ""  # low space, while still recording
        self._queue: queue.SimpleQueue[EncodedPacket | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._accepting = False
        self._bytes = 0
        self._duration_s = 0.0
        self._video_frames = 0

    # ---- Output ----------------------------------------------------------------------------

    def on_packet(self, packet: EncodedPacket) -> None:
        if self._accepting:
            self._queue.put(packet)

    def start(self) -> None:
        if self._thread is not None:
            return
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(folder).free
        except OSError as exc:
            self.set_state(
                OutputState.FAILED,
                Notice("Cannot record in {folder}: {reason}", folder=folder, reason=_plain(exc)),
            )
            return
        if free < self.min_free_bytes:
            self.set_state(
                OutputState.FAILED,
                Notice(
                    "Not recording: only {free} free in {folder} (at least {needed} needed). "
                    "Free some space or choose another recording folder.",
                    free=megabytes(free),
                    folder=folder,
                    needed=megabytes(self.min_free_bytes),
                ),
            )
            return
        self.set_state(
            OutputState.CONNECTING,
            Notice("Waiting for the first keyframe to record {name}…", name=self.path.name),
        )
        self._accepting = True
        self._thread = threading.Thread(target=self._write, name="recorder", daemon=True)
        self._thread.start()
        self.request_keyframe()  # the file starts at a keyframe: do not wait for the next

    def stop(self, timeout: float = 10.0) -> None:
        thread, self._thread = self._thread, None
        self._accepting = False
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout)

    def figures(self) -> Figures:
        return {
            "path": str(self.path),
            "bytes": self._bytes,
            "duration_s": round(self._duration_s, 1),
            "video_frames": self._video_frames,
        }

    # ---- the writer thread -----------------------------------------------------------------

    def _write(self) -> None:
        writer: Muxer | None = None
        next_check = time.monotonic() + _SPACE_CHECK_S
        try:
            while True:
                packet = self._queue.get()
                if packet is None:
                    break
                if writer is None:
                    if packet.kind == "audio" and self.video_profile is not None:
                        continue  # the file starts with the first keyframe
                    if packet.kind == "video" and not packet.keyframe:
                        continue
                    audio = self.feed.audio_info("aac") if self.feed and self.audio_codec else None
                    video = packet.info if packet.kind == "video" else None
                    writer = Muxer(str(self.path), "mp4", _MP4_OPTIONS, video, audio, packet)
                    self.set_state(OutputState.LIVE, Notice("Recording to {path}.", path=self.path))
                writer.write(packet)
                self._bytes = self._size()
                self._duration_s = writer.duration_s
                self._video_frames += packet.kind == "video"
                if time.monotonic() >= next_check:
                    next_check = time.monotonic() + _SPACE_CHECK_S
                    self._check_space()
        except OSError as exc:
            self._accepting = False
            reason = (
                Notice("the disk is full")
                if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
                else _plain(exc)
            )
            self._close(writer)
            self.set_state(
                OutputState.FAILED,
                Notice(
                    "Recording stopped after {seconds:.0f} s: {reason}. The file so far "
                    "({name}) is kept and plays; the stream goes on.",
                    seconds=self._duration_s,
                    reason=reason,
                    name=self.path.name,
                ),
            )
            return
        except Exception as exc:  # never let an unexpected error vanish silently
            self._accepting = False
            log.exception("recorder failed")
            self._close(writer)
            self.set_state(OutputState.FAILED, Notice("Recording stopped: {exc}", exc=str(exc)))
            return
        self._close(writer)
        if writer is not None:
            self.set_state(
                OutputState.IDLE,
                Notice(
                    "Recorded {seconds:.0f} s to {path}.", seconds=self._duration_s, path=self.path
                ),
            )
        else:
            self.set_state(OutputState.IDLE, Notice("Recording stopped before the first picture."))

    def _close(self, writer: Muxer | None) -> None:
        if writer is not None:
            try:
                writer.close()
            except OSError as exc:  # a full disk may refuse the last bytes: the fragments stay
                log.info("recording closed with %s", _plain(exc))
            self._bytes = self._size()

    def _size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def _check_space(self) -> None:
        try:
            free = shutil.disk_usage(self.path.parent).free
        except OSError:
            return
        warning = (
            Notice("Space is running low: {free} left for the recording.", free=megabytes(free))
            if free < self.warn_free_bytes
            else ""
        )
        if warning != self.warning:
            self.warning = warning
            self.set_state(self.state, warning or Notice("Recording to {path}.", path=self.path))


def _plain(exc: OSError) -> str:
    """An OS error in plain words, without the errno number."""
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return Notice("the disk is full")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return Notice("no permission to write there")
    return exc.strerror or str(exc)
