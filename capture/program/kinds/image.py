"""Image layer: a PNG or JPEG (alpha kept), read once per file change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from capture.program.layer import LayerRenderer, Picture
from capture.properties import Kind, setting


@dataclass(frozen=True, slots=True)
class ImageSettings:
    path: str = setting(
        "", "Image file", kind=Kind.PATH, file_filter="Images (*.png *.jpg *.jpeg *.webp)"
    )


def read_image(path: str) -> np.ndarray | None:
    """BGR or BGRA uint8, or None if the file is missing or not an image."""
    if not path or not Path(path).is_file():
        return None
    data = np.fromfile(path, np.uint8)  # cv2.imread cannot open non-ASCII paths on Windows
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None:
        return None
    if image.dtype != np.uint8:
        image = cv2.convertScaleAbs(image, alpha=255.0 / 65535.0)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(image)


class ImageLayer(LayerRenderer[ImageSettings]):
    kind = "image"
    label = "Image"
    Settings = ImageSettings

    _path: str | None = None
    _held: Picture | None = None
    #: A file that cannot be read, in plain words ("" when fine); the panel shows it.
    problem = ""

    def render(self, now_ns: int, width: int, height: int) -> Picture | None:
        if self.settings.path != self._path:
            self._path = self.settings.path
            image = read_image(self._path)
            self.problem = (
                ""
                if image is not None or not self._path
                else (f"The image {self._path} could not be read.")
            )
            version = (self._held.version + 1) if self._held is not None else 1
            self._held = Picture(image, version) if image is not None else None
        return self._held
