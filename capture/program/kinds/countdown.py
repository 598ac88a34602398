"""Countdown graphic (flash sales): a title over the time left, mm:ss. A flash sale sets
`end_epoch`; until then it shows the full `duration_s`."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from capture.program.draw import card, draw_text, fit_font, text_path
from capture.program.kinds.drawn import DrawnLayer
from capture.properties import Kind, setting


@dataclass(frozen=True, slots=True)
class CountdownSettings:
    title: str = setting("限时秒杀", "Title")
    duration_s: int = setting(300, "Duration", minimum=1, maximum=24 * 3600, unit="s")
    end_epoch: float = setting(
        0.0, "Ends at", minimum=0.0, unit="s", help="Unix time the sale ends; 0 = not started"
    )
    fill: str = setting("#E0161616", "Panel colour", kind=Kind.COLOR)
    accent: str = setting("#FFFF3B30", "Accent colour", kind=Kind.COLOR)


def remaining_s(s: CountdownSettings, now: float) -> int:
    if s.end_epoch <= 0:
        return s.duration_s
    return max(0, math.ceil(s.end_epoch - now))


def clock_text(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return (
        f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        if hours
        else f"{rest // 60:02d}:{rest % 60:02d}"
    )


class CountdownLayer(DrawnLayer[CountdownSettings]):
    kind = "countdown"
    label = "Countdown"
    Settings = CountdownSettings
    graphic = True

    def clock_key(self, now_ns: int) -> int:
        return remaining_s(self.settings, time.time())

    def draw(self, painter: QPainter, width: int, height: int, now_ns: int) -> None:
        s = self.settings
        r = QRectF(0, 0, width, height)
        card(painter, r, s.fill, s.accent, height * 0.12)
        pad = height * 0.08
        inner = r.adjusted(pad * 2, pad, -pad, -pad)
        top = QRectF(inner.left(), inner.top(), inner.width(), inner.height() * 0.38)
        bottom = QRectF(inner.left(), top.bottom(), inner.width(), inner.height() - top.height())
        title = fit_font(s.title, "", top, top.height() * 0.8, bold=True)
        draw_text(painter, text_path(s.title, title, top), s.accent)
        digits = clock_text(remaining_s(s, time.time()))
        big = fit_font(digits, "", bottom, bottom.height() * 0.9, bold=True)
        draw_text(painter, text_path(digits, big, bottom), "#FFFFFFFF")
