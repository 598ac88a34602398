"""Drawing for layers that are drawn rather than captured (text, show graphics): a QPainter on
a QImage the size of the layer's box, so text is rendered at output resolution with any system
font (CJK included) and comes out as a BGRA numpy array.

Qt allows painting on a QImage off the GUI thread (here: the compositor's); a QGuiApplication
must exist for fonts, which the console and the headless core both create.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen


def painted(width: int, height: int, paint: Callable[[QPainter], None]) -> np.ndarray:
    """A transparent `width`×`height` image painted by `paint`, as BGRA uint8 (straight
    alpha, a copy owned by numpy)."""
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    try:
        paint(painter)
    finally:
        painter.end()
    # Format_ARGB32 is B, G, R, A in memory on little-endian machines: BGRA as numpy sees it.
    view = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine() // 4, 4)
    return view[:, :width].copy()


def font(family: str, pixel_size: float, bold: bool = False) -> QFont:
    f = QFont(family) if family else QFont()
    f.setPixelSize(max(1, round(pixel_size)))
    f.setBold(bold)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return f


def text_path(text: str, f: QFont, box: QRectF, align: str = "center") -> QPainterPath:
    """`text` (several lines allowed) as a path laid out in `box`, vertically centred."""
    metrics = QFontMetricsF(f)
    lines = text.split("\n") or [""]
    line_h = metrics.lineSpacing()
    top = box.top() + (box.height() - line_h * len(lines)) / 2 + metrics.ascent()
    path = QPainterPath()
    for i, line in enumerate(lines):
        w = metrics.horizontalAdvance(line)
        if align == "left":
            x = box.left()
        elif align == "right":
            x = box.right() - w
        else:
            x = box.left() + (box.width() - w) / 2
        path.addText(QPointF(x, top + i * line_h), f, line)
    return path


def fit_font(text: str, family: str, box: QRectF, max_px: float, bold: bool = False) -> QFont:
    """The largest font up to `max_px` at which every line of `text` fits `box`."""
    f = font(family, max_px, bold)
    lines = text.split("\n") or [""]
    metrics = QFontMetricsF(f)
    widest = max(metrics.horizontalAdvance(line) for line in lines) or 1.0
    tall = metrics.lineSpacing() * len(lines) or 1.0
    scale = min(1.0, box.width() / widest, box.height() / tall)
    if scale < 1.0:
        f.setPixelSize(max(1, int(max_px * scale)))
    return f


def draw_text(
    painter: QPainter,
    path: QPainterPath,
    color: str,
    outline: str = "",
    outline_px: float = 0.0,
    shadow: str = "",
    shadow_px: float = 0.0,
) -> None:
    """Fill `path` in `color`, with an optional outline and a drop shadow offset by
    `shadow_px` (the stroke first, so the outline grows outwards and never thins letters)."""
    painter.setPen(Qt.PenStyle.NoPen)
    if shadow and shadow_px > 0:
        painter.save()
        painter.translate(shadow_px, shadow_px)
        if outline and outline_px > 0:
            painter.strokePath(path, _pen(shadow, outline_px * 2))
        painter.fillPath(path, QColor(shadow))
        painter.restore()
    if outline and outline_px > 0:
        painter.strokePath(path, _pen(outline, outline_px * 2))
    painter.fillPath(path, QColor(color))


def _pen(color: str, width: float) -> QPen:
    pen = QPen(QColor(color), width)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def card(painter: QPainter, rect: QRectF, fill: str, accent: str, radius: float) -> None:
    """The rounded panel every show graphic sits on, with an accent bar on its left."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(fill))
    painter.drawRoundedRect(rect, radius, radius)
    bar = QRectF(rect.left(), rect.top(), max(4.0, radius * 0.6), rect.height())
    clip = QPainterPath()
    clip.addRoundedRect(rect, radius, radius)
    painter.save()
    painter.setClipPath(clip)
    painter.fillRect(bar, QColor(accent))
    painter.restore()
