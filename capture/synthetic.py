"""Built-in sources for when there is no camera or microphone (and for benches): a moving
pattern with a running clock, and a tone or silence. Both are clearly labelled SYNTHETIC so a
host never mistakes them for a live feed."""

from __future__ import annotations

import math
import time
from typing import TypeVar

import cv2
import numpy as np
from PySide6.QtCore import QCoreApplication

from capture.media import AUDIO_BLOCK_FRAMES, AUDIO_RATE, AudioBlock, VideoFrame, now_ns
from capture.source import SourceState, ThreadSource

T = TypeVar("T")


class _PacedThreadSource(ThreadSource[T]):
    """Runs `_produce(i)` every `period_s` on its own thread, on an absolute schedule (no drift)."""

    period_s = 0.1
    catch_up = False

    def __init__(self) -> None:
        super().__init__()

    def _run(self) -> None:
        self._set_status(SourceState.RUNNING, self.label)
        start = time.monotonic()
        index = slot = 0  # items made; slots of the schedule since `start`
        while not self._stop.is_set():
            self._emit(self._produce(index))
            index += 1
            slot += 1
            delay = start + slot * self.period_s - time.monotonic()
            if delay < -(1.0 if self.catch_up else self.period_s):
                # Behind schedule. Video skips the missed frames as a camera would (no burst);
                # audio catches up unless far behind (machine suspended), keeping its rate.
                start, slot = time.monotonic(), 0
            elif delay > 0:
                self._stop.wait(delay)

    def _produce(self, index: int) -> T:  # pragma: no cover - abstract
        raise NotImplementedError


class SyntheticVideoSource(_PacedThreadSource[VideoFrame]):
    """Colour bars scrolling sideways, a bouncing box and the current time, at any size/rate."""

    def __init__(self, width: int = 1920, height: int = 1080, fps: float = 30.0) -> None:
        super().__init__()
        self.label = QCoreApplication.translate(
            "Devices", "SYNTHETIC test pattern {width}×{height}"
        ).format(width=width, height=height)
        self.width, self.height, self.fps = width, height, fps
        self.period_s = 1.0 / fps
        hues = np.linspace(0, 179, 2 * width, dtype=np.float32).astype(np.uint8)
        hsv = np.stack([hues, np.full_like(hues, 160), np.full_like(hues, 200)], axis=-1)
        strip = cv2.cvtColor(hsv[np.newaxis, :, :], cv2.COLOR_HSV2BGR)
        self._band = np.ascontiguousarray(np.repeat(strip, height, axis=0))

    def _produce(self, index: int) -> VideoFrame:
        w, h = self.width, self.height
        offset = (index * 8) % w
        image = self._band[:, offset : offset + w].copy()
        box = max(8, h // 6)
        x = int((w - box) * (0.5 + 0.5 * math.sin(index / 23.0)))
        y = int((h - box) * (0.5 + 0.5 * math.sin(index / 17.0)))
        cv2.rectangle(image, (x, y), (x + box, y + box), (40, 40, 40), -1)
        scale = h / 360.0
        clock = time.strftime("%H:%M:%S") + f".{int(time.time() * 1000) % 1000:03d}"
        for text, row in (("SYNTHETIC", 0.2), (clock, 0.55), (f"frame {index}", 0.8)):
            org = (int(w * 0.05), int(h * row))
            cv2.putText(
                image,
                text,
                org,
                cv2.FONT_HERSHEY_SIMPLEX,
                1.6 * scale,
                (0, 0, 0),
                int(6 * scale),
                cv2.LINE_AA,
            )
            cv2.putText(
                image,
                text,
                org,
                cv2.FONT_HERSHEY_SIMPLEX,
                1.6 * scale,
                (255, 255, 255),
                int(2 * scale),
                cv2.LINE_AA,
            )
        return VideoFrame(image, now_ns(), index)


class SyntheticAudioSource(_PacedThreadSource[AudioBlock]):
    """A sine tone at a known level (or silence with `level_dbfs=None`), mono, house format."""

    period_s = AUDIO_BLOCK_FRAMES / AUDIO_RATE
    catch_up = True

    def __init__(self, frequency_hz: float = 440.0, level_dbfs: float | None = -20.0) -> None:
        super().__init__()
        self.sample_rate = AUDIO_RATE
        self.level_dbfs = level_dbfs
        self.label = (
            QCoreApplication.translate("Devices", "SYNTHETIC silence")
            if level_dbfs is None
            else QCoreApplication.translate(
                "Devices", "SYNTHETIC tone {frequency} Hz {level} dBFS"
            ).format(frequency=f"{frequency_hz:g}", level=f"{level_dbfs:g}")
        )
        self._amplitude = 0.0 if level_dbfs is None else 10 ** (level_dbfs / 20)
        self._step = 2 * math.pi * frequency_hz / AUDIO_RATE

    def _produce(self, index: int) -> AudioBlock:
        n = np.arange(index * AUDIO_BLOCK_FRAMES, (index + 1) * AUDIO_BLOCK_FRAMES)
        samples = (self._amplitude * np.sin(self._step * n)).astype(np.float32)
        return AudioBlock(samples.reshape(-1, 1), AUDIO_RATE, now_ns())
