"""Video source layer: a camera, a file, a stream, a screen — any source id — placed in the
frame. The console's own camera (the one picked in Devices) is the id `camera`.

A source that is slow shows its last frame; one that sends nothing for `STALE_S` (or has
failed) shows a placeholder saying so, and the program goes on."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from capture.program.layer import LayerRenderer, Picture
from capture.properties import setting

CONSOLE_CAMERA = "camera"
STALE_S = 2.0


@dataclass(frozen=True, slots=True)
class VideoSettings:
    source: str = setting(
        CONSOLE_CAMERA,
        "Source",
        help="camera = the camera picked in Devices; or camera:N, a file path, a named "
        "pipe, - (standard input), rtsp://…, srt://…, rtmp://…, http(s)://…, test",
    )
    audio: bool = setting(False, "Send its sound to the program mix")


class VideoLayer(LayerRenderer[VideoSettings]):
    kind = "video"
    label = "Video source"
    Settings = VideoSettings
    live = True

    _placeholder: Picture | None = None
    _shown: object = None
    _version = 0

    def sources(self) -> tuple[str, ...]:
        return (self.settings.source,)

    def render(self, now_ns: int, width: int, height: int) -> Picture | None:
        frame, age, problem = self.feeds.latest(self.settings.source)
        if frame is None or age > STALE_S:
            return self._no_signal(width, height, problem)
        if frame is not self._shown:
            self._shown = frame
            self._version += 1
        return Picture(frame.image, self._version, frame.pts_ns)

    def _no_signal(self, width: int, height: int, problem: str) -> Picture:
        """A dark card naming the source, drawn once per size (English: it is on air for the
        audience as well; the host reads the translated notice)."""
        held = self._placeholder
        if held is None or held.image.shape[:2] != (height, width):
            image = np.full((height, width, 3), 32, np.uint8)
            scale = max(0.4, min(width, height) / 540)
            for row, text in ((0.45, "NO SIGNAL"), (0.6, self.settings.source[:48])):
                org = (int(width * 0.08), int(height * row))
                cv2.putText(image, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (200, 200, 200), 2)
            self._version += 1
            held = self._placeholder = Picture(image, self._version)
        if self._shown is not None:  # back to live later must count as a change
            self._shown = None
        return held
