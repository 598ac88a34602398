"""The host's flash-sale panel (秒杀): pick a product (from the Products dock's list), price,
units, limit and countdown, start; then watch the countdown on the room's clock, units sold and stock, and cancel or extend.

A view of `CommerceController` (app/sale/controller.py): it paints what the audience state says
and sends the host's choices; the hub sells, the pipeline journals.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.sale.controller import CommerceController
from app.sale.flash import CANCELLED, Sale
from app.sale.products import Product

REFRESH_MS = 50  # the countdown's last digit changes on time to within a frame


class SalePanel(QWidget):
    def __init__(self, controller: CommerceController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.product = QComboBox()
        self.price = QLabel()
        self.units = QSpinBox()
        self.units.setRange(1, 10_000_000)
        self.units.setValue(100)
        self.limit = QSpinBox()
        self.limit.setRange(1, 10_000)
        self.countdown = QSpinBox()
        self.countdown.setRange(0, 3600)
        self.countdown.setValue(10)
        self.countdown.setSuffix(self.tr(" s"))
        self.start = QPushButton(self.tr("Start flash sale"))
        form = QFormLayout()
        form.addRow(self.tr("Product"), self.product)
        form.addRow(self.tr("Price"), self.price)
        form.addRow(self.tr("Units"), self.units)
        form.addRow(self.tr("Per viewer"), self.limit)
        form.addRow(self.tr("Countdown"), self.countdown)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start)
        self.big = QLabel()  # the running sale's countdown, large
        self.big.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.big.font()
        font.setPointSize(font.pointSize() * 2)
        font.setBold(True)
        self.big.setFont(font)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Product"), self.tr("Countdown"), self.tr("Sold"), self.tr("Stock")]
        )
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()  # the product's name takes what the figures leave
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.cancel = QPushButton(self.tr("Cancel sale…"))
        self.extend = QPushButton(self.tr("+30 s"))
        row = QHBoxLayout()
        row.addWidget(self.extend)
        row.addWidget(self.cancel)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.big)
        column.addWidget(self.table, 1)
        column.addLayout(row)
        self.product.currentIndexChanged.connect(self._show_price)
        self.start.clicked.connect(self.start_sale)
        self.cancel.clicked.connect(lambda: self.cancel_sale())
        self.extend.clicked.connect(self.extend_sale)
        controller.productsChanged.connect(self._products)
        controller.state.salesChanged.connect(lambda _sales: self.refresh())
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self._products(controller.products)

    # --- products -------------------------------------------------------------------------
    def _products(self, items: list[Product]) -> None:
        self.product.clear()
        for p in items:
            self.product.addItem(p.name, p.id)
        self.start.setEnabled(bool(items))

    def selected(self) -> Product | None:
        pid = self.product.currentData()
        return next((p for p in self.controller.products if p.id == pid), None)

    def _show_price(self) -> None:
        p = self.selected()
        if p is None:
            self.price.clear()
            return
        if p.flash_price is None:
            self.price.setText(self.tr("¥%1").replace("%1", str(p.price)))
        else:
            self.price.setText(
                self.tr("¥%1 (was ¥%2)")
                .replace("%1", str(p.flash_price))
                .replace("%2", str(p.price))
            )
        if p.stock > 0:
            self.units.setValue(p.stock)

    # --- sales ----------------------------------------------------------------------------
    def start_sale(self) -> None:
        p = self.selected()
        if p is not None:
            self.controller.start_sale(
                p, self.units.value(), float(self.countdown.value()), self.limit.value()
            )

    def current(self) -> Sale | None:
        """The newest sale that is still on."""
        live = [s for s in self.controller.sales if s.state != CANCELLED]
        return live[-1] if live else None

    def cancel_sale(self, reason: str | None = None) -> None:
        sale = self.current()
        if sale is None:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(
                self, self.tr("Cancel sale"), self.tr("Reason viewers will see:")
            )
            if not ok:
                return
        self.controller.cancel_sale(sale.id, reason)

    def extend_sale(self) -> None:
        sale = self.current()
        if sale is not None:
            self.controller.extend_sale(sale.id, 30, self.tr("Countdown extended by 30 s"))

    def countdown_text(self, sale: Sale) -> str:
        if sale.state == CANCELLED:
            return self.tr("Cancelled")
        if sale.remaining <= 0:
            return self.tr("Sold out")
        left = self.controller.ms_left(sale.opens_at)
        if left <= 0:
            return self.tr("Link live")
        tenths = int(left // 100) + (1 if left % 100 else 0)
        return self.tr("%1 s").replace("%1", f"{tenths // 10}.{tenths % 10}")

    def refresh(self) -> None:
        sales = self.controller.sales
        self.table.setRowCount(len(sales))
        for i, sale in enumerate(reversed(sales)):
            cells = (
                sale.product.name,
                self.countdown_text(sale),
                str(sale.sold),
                f"{sale.remaining}/{sale.units}",
            )
            for j, text in enumerate(cells):
                item = self.table.item(i, j)
                if item is None:
                    self.table.setItem(i, j, QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)
        running = self.current()
        self.big.setText("" if running is None else self.countdown_text(running))
        can_change = running is not None and self.controller.ms_left(running.opens_at) > 0
        self.extend.setEnabled(can_change)
        self.cancel.setEnabled(running is not None)
