"""The base of layers that are drawn (text, show graphics): drawn again only when their
settings, their box or their clock key change, and otherwise served from the last drawing."""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtGui import QPainter

from capture.program.draw import painted
from capture.program.layer import LayerRenderer, Picture

S = TypeVar("S")


class DrawnLayer(LayerRenderer[S]):
    _held: Picture | None = None
    _key: Any = None

    def clock_key(self, now_ns: int) -> Any:
        """What time makes visible (a countdown's remaining seconds); None when nothing."""
        return None

    def draw(self, painter: QPainter, width: int, height: int, now_ns: int) -> None:
        raise NotImplementedError

    def render(self, now_ns: int, width: int, height: int) -> Picture | None:
        key = (width, height, self.settings, self.clock_key(now_ns))
        if self._held is None or key != self._key:
            image = painted(width, height, lambda p: self.draw(p, width, height, now_ns))
            version = self._held.version + 1 if self._held is not None else 1
            self._held, self._key = Picture(image, version), key
        return self._held
