"""Colour layer: a flat colour (a background, a bar behind text)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtGui import QColor

from capture.program.layer import LayerRenderer, Picture
from capture.properties import Kind, setting


@dataclass(frozen=True, slots=True)
class ColorSettings:
    color: str = setting("#FF202020", "Colour", kind=Kind.COLOR)


def bgra(color: str) -> tuple[int, int, int, int]:
    """ "#RRGGBB" / "#AARRGGBB" as (B, G, R, A)."""
    c = QColor(color)
    return c.blue(), c.green(), c.red(), c.alpha()


class ColorLayer(LayerRenderer[ColorSettings]):
    kind = "color"
    label = "Colour"
    Settings = ColorSettings

    _held: Picture | None = None

    def render(self, now_ns: int, width: int, height: int) -> Picture | None:
        held = self._held
        key = (height, width, self.settings.color)
        if held is None or (held.image.shape[0], held.image.shape[1], self._color) != key:
            image = np.empty((height, width, 4), np.uint8)
            image[:] = bgra(self.settings.color)
            self._color = self.settings.color
            held = self._held = Picture(image, (held.version + 1) if held else 1)
        return held

    _color = ""
