"""PK scoreboard graphic: two sides' names and scores on a bar split by their share."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter

from capture.program.draw import draw_text, fit_font, text_path
from capture.program.kinds.drawn import DrawnLayer
from capture.properties import Kind, setting


@dataclass(frozen=True, slots=True)
class PkSettings:
    left_name: str = setting("我方", "Left side")
    left_score: int = setting(0, "Left score", minimum=0, maximum=2_000_000_000)
    right_name: str = setting("对方", "Right side")
    right_score: int = setting(0, "Right score", minimum=0, maximum=2_000_000_000)
    left_color: str = setting("#FFFF3B30", "Left colour", kind=Kind.COLOR)
    right_color: str = setting("#FF0A84FF", "Right colour", kind=Kind.COLOR)


class PkScoreboardLayer(DrawnLayer[PkSettings]):
    kind = "pk_scoreboard"
    label = "PK scoreboard"
    Settings = PkSettings
    graphic = True

    def draw(self, painter: QPainter, width: int, height: int, now_ns: int) -> None:
        s = self.settings
        total = s.left_score + s.right_score
        share = 0.5 if total == 0 else min(0.9, max(0.1, s.left_score / total))
        radius = height * 0.2
        painter.setPen(QColor(0, 0, 0, 0))
        painter.setBrush(QColor(s.right_color))
        painter.drawRoundedRect(QRectF(0, 0, width, height), radius, radius)
        painter.setBrush(QColor(s.left_color))
        painter.drawRoundedRect(QRectF(0, 0, width * share, height), radius, radius)
        pad = height * 0.12
        half = width / 2 - pad
        for text, box, align in (
            (f"{s.left_name} {s.left_score}", QRectF(pad, pad, half, height - 2 * pad), "left"),
            (
                f"{s.right_score} {s.right_name}",
                QRectF(width / 2, pad, half, height - 2 * pad),
                "right",
            ),
        ):
            f = fit_font(text, "", box, box.height() * 0.7, bold=True)
            draw_text(painter, text_path(text, f, box, align), "#FFFFFFFF", "#80000000", 1.5)
