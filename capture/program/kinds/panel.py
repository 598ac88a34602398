"""The card most show graphics are: a heading in the accent colour over lines of text, on a
rounded panel (winners banner, pinned question)."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from capture.program.draw import card, draw_text, fit_font, text_path


def heading_and_body(
    painter: QPainter,
    width: int,
    height: int,
    heading: str,
    body: str,
    fill: str,
    accent: str,
    text_color: str,
    heading_share: float = 0.36,
) -> None:
    r = QRectF(0, 0, width, height)
    card(painter, r, fill, accent, min(width, height) * 0.1)
    pad = min(width, height) * 0.08
    inner = r.adjusted(pad * 1.6, pad, -pad, -pad)
    top = QRectF(inner.left(), inner.top(), inner.width(), inner.height() * heading_share)
    rest = QRectF(inner.left(), top.bottom(), inner.width(), inner.height() - top.height())
    f = fit_font(heading, "", top, top.height() * 0.8, bold=True)
    draw_text(painter, text_path(heading, f, top, "left"), accent)
    lines = body.strip() or " "
    count = lines.count("\n") + 1
    f = fit_font(lines, "", rest, rest.height() / count * 0.8)
    draw_text(painter, text_path(lines, f, rest, "left"), text_color)
