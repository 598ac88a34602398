"""Text layer: any system font (CJK included), colour, outline and shadow, drawn at output
resolution so it stays crisp; the text shrinks to fit its box."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from capture.program.draw import draw_text, fit_font, text_path
from capture.program.kinds.drawn import DrawnLayer
from capture.properties import Kind, setting

ALIGN = (("left", "Left"), ("center", "Centre"), ("right", "Right"))


@dataclass(frozen=True, slots=True)
class TextSettings:
    text: str = setting("直播间专享", "Text", multiline=True)
    font: str = setting(
        "", "Font", help="A font family installed on this computer; empty = default"
    )
    size: int = setting(72, "Size", minimum=8, maximum=600, unit="px")
    bold: bool = setting(True, "Bold")
    align: str = setting("center", "Alignment", choices=ALIGN)
    color: str = setting("#FFFFFFFF", "Colour", kind=Kind.COLOR)
    outline: str = setting("#FF000000", "Outline colour", kind=Kind.COLOR)
    outline_px: float = setting(3.0, "Outline", minimum=0.0, maximum=40.0, unit="px")
    shadow: str = setting("#99000000", "Shadow colour", kind=Kind.COLOR)
    shadow_px: float = setting(3.0, "Shadow distance", minimum=0.0, maximum=40.0, unit="px")


class TextLayer(DrawnLayer[TextSettings]):
    kind = "text"
    label = "Text"
    Settings = TextSettings

    def draw(self, painter: QPainter, width: int, height: int, now_ns: int) -> None:
        s = self.settings
        margin = s.outline_px + s.shadow_px
        box = QRectF(margin, margin, width - 2 * margin, height - 2 * margin)
        f = fit_font(s.text, s.font, box, s.size, s.bold)
        path = text_path(s.text, f, box, s.align)
        draw_text(painter, path, s.color, s.outline, s.outline_px, s.shadow, s.shadow_px)
