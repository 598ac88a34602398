"""Product card graphic: picture, name, price, flash price (the old price struck through) and
stock left — what a buyer looks for before tapping 抢购."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from capture.program.draw import card, draw_text, fit_font, text_path
from capture.program.kinds.drawn import DrawnLayer
from capture.program.kinds.image import read_image
from capture.properties import Kind, setting


@dataclass(frozen=True, slots=True)
class ProductCardSettings:
    name: str = setting("保湿精华液 30ml", "Product name")
    price: str = setting("¥199", "Price")
    flash_price: str = setting("¥99", "Flash price", help="Empty when there is no flash sale")
    stock: int = setting(50, "Stock left", minimum=0, maximum=10_000_000)
    image: str = setting(
        "", "Product picture", kind=Kind.PATH, file_filter="Images (*.png *.jpg *.jpeg)"
    )
    fill: str = setting("#F0FFFFFF", "Panel colour", kind=Kind.COLOR)
    accent: str = setting("#FFFF3B30", "Accent colour", kind=Kind.COLOR)
    text_color: str = setting("#FF202020", "Text colour", kind=Kind.COLOR)


class ProductCardLayer(DrawnLayer[ProductCardSettings]):
    kind = "product_card"
    label = "Product card"
    Settings = ProductCardSettings
    graphic = True

    def draw(self, painter: QPainter, width: int, height: int, now_ns: int) -> None:
        s = self.settings
        r = QRectF(0, 0, width, height)
        card(painter, r, s.fill, s.accent, min(width, height) * 0.08)
        pad = min(width, height) * 0.07
        text_left = pad * 1.5
        picture = read_image(s.image)
        if picture is not None:
            side = int(height - 2 * pad)
            fitted = cv2.resize(picture, (side, side), interpolation=cv2.INTER_AREA)
            fmt = (
                QImage.Format.Format_ARGB32 if fitted.shape[2] == 4 else QImage.Format.Format_BGR888
            )
            qimage = QImage(fitted.data, side, side, fitted.strides[0], fmt)
            painter.drawImage(QRectF(pad * 1.5, pad, side, side), qimage)
            text_left = pad * 2.5 + side
        inner = QRectF(text_left, pad, width - text_left - pad, height - 2 * pad)
        rows = [inner.height() * share for share in (0.36, 0.40, 0.24)]
        name_box = QRectF(inner.left(), inner.top(), inner.width(), rows[0])
        f = fit_font(s.name, "", name_box, rows[0] * 0.8, bold=True)
        draw_text(painter, text_path(s.name, f, name_box, "left"), s.text_color)
        price_box = QRectF(inner.left(), name_box.bottom(), inner.width(), rows[1])
        if s.flash_price:
            flash = fit_font(s.flash_price, "", price_box, rows[1] * 0.9, bold=True)
            flash_path = text_path(s.flash_price, flash, price_box, "left")
            draw_text(painter, flash_path, s.accent)
            old_left = flash_path.boundingRect().right() + pad
            old_box = QRectF(old_left, price_box.top(), inner.right() - old_left, rows[1])
            old = fit_font(s.price, "", old_box, rows[1] * 0.5)
            old_path = text_path(s.price, old, old_box, "left")
            draw_text(painter, old_path, "#FF8A8A8A")
            bounds = old_path.boundingRect()
            painter.setPen(QPen(QColor("#FF8A8A8A"), max(1.0, rows[1] * 0.04)))
            mid = bounds.center().y()
            painter.drawLine(QPointF(bounds.left(), mid), QPointF(bounds.right(), mid))
        else:
            f = fit_font(s.price, "", price_box, rows[1] * 0.9, bold=True)
            draw_text(painter, text_path(s.price, f, price_box, "left"), s.accent)
        stock_box = QRectF(inner.left(), price_box.bottom(), inner.width(), rows[2])
        stock = f"仅剩 {s.stock} 件" if s.stock > 0 else "已售罄"
        f = fit_font(stock, "", stock_box, rows[2] * 0.8)
        draw_text(painter, text_path(stock, f, stock_box, "left"), s.text_color)
