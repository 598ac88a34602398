"""A microphone through PortAudio (sounddevice), delivered in the house format.

PortAudio's callback runs on a real-time audio thread where Python must do almost nothing: it
only copies the block into a bounded queue. A normal Python thread takes blocks from the queue
and pushes them to subscribers (the voice chain, meters, encoder), so slow consumers can never
make PortAudio drop input, and a full queue drops the newest audio (counted) rather than grow.
If blocks stop arriving while the stream should be running (device unplugged, stream closed),
the source ends with a message.
"""

from __future__ import annotations

import logging
import queue
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication

from capture.media import AUDIO_BLOCK_FRAMES, AUDIO_RATE, AudioBlock, now_ns
from capture.source import SourceState, ThreadSource
from streaming.notice import Notice

log = logging.getLogger(__name__)

#: Blocks buffered between PortAudio and the delivery thread (0.5 s): plenty for a GC pause.
QUEUE_BLOCKS = 50
#: No block for this long while running means the device went away.
SILENCE_TIMEOUT_S = 1.0
#: Some servers take over a second to start a fresh capture stream (PulseAudio via ALSA does).
FIRST_BLOCK_TIMEOUT_S = 5.0


def parse_device(device: str) -> str | None:
    """'mic:default' → None (PortAudio's default input); 'mic:<name>' → name."""
    name = device.removeprefix("mic:")
    return None if name in ("", "default") else name


class MicrophoneSource(ThreadSource[AudioBlock]):
    def __init__(self, device: str = "mic:default", channels: int = 1) -> None:
        super().__init__()
        self.device = device
        self.channels = channels
        self.sample_rate = AUDIO_RATE
        name = parse_device(device)
        self.label = (
            QCoreApplication.translate("Devices", "System default microphone")
            if name is None
            else name
        )
        self.dropped = 0
        self._queue: queue.Queue[AudioBlock] = queue.Queue(maxsize=QUEUE_BLOCKS)
        self._stream: Any = None

    def _acquire(self) -> bool:
        import sounddevice as sd

        try:
            self._stream = sd.InputStream(
                device=parse_device(self.device),
                samplerate=AUDIO_RATE,
                channels=self.channels,
                dtype="float32",
                blocksize=AUDIO_BLOCK_FRAMES,
                callback=self._callback,
            )
            self._stream.start()
        except Exception as exc:  # PortAudioError, ValueError (no such device), …
            self._stream = None
            self._set_status(
                SourceState.FAILED,
                Notice(
                    "Microphone {device} could not be opened at 48 kHz: {exc}",
                    device=self.label,
                    exc=str(exc),
                ),
            )
            return False
        return True

    def _release(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close()
            except Exception:
                log.exception("closing %s", self.label)

    def close_stream(self) -> None:
        """Close the PortAudio stream as an unplugged device would (the source notices and
        ends with a message); used by rehearsals and tests of the unplug path."""
        stream = self._stream
        if stream is not None:
            stream.close()

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # PortAudio thread: copy and hand over, nothing else.
        block = AudioBlock(
            indata.copy(), AUDIO_RATE, now_ns() - frames * 1_000_000_000 // AUDIO_RATE
        )
        try:
            self._queue.put_nowait(block)
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        self._set_status(SourceState.RUNNING, f"{self.label} 48 kHz")
        timeout = FIRST_BLOCK_TIMEOUT_S
        while not self._stop.is_set():
            try:
                block = self._queue.get(timeout=timeout)
            except queue.Empty:
                if self._stop.is_set():
                    return
                self._set_status(
                    SourceState.ENDED,
                    Notice(
                        "Microphone {device} stopped sending sound (unplugged?).",
                        device=self.label,
                    ),
                )
                return
            timeout = SILENCE_TIMEOUT_S
            self._emit(block)
