"""The console's flash sales: what was announced, when it opens on the room's clock, what sold.

The hub decides every order (`streaming/interaction/sale.py`); the console only announces sales
and reads back the orders the hub logged, each carrying the units left after it. Those orders
arrive in log order, so the newest order's `remaining` is the stock — a view that, like the
viewers' `StockView`, can only move down until a new sale puts fresh stock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from app.sale.products import Product

ON = "on"
CANCELLED = "cancelled"


class SaleError(ValueError):
    """A sale that cannot be started or changed as asked; plain words."""


@dataclass(frozen=True, slots=True)
class Sale:
    id: str
    product: Product
    units: int
    opens_at: int  # ms on the room clock: the countdown's zero, when the link goes live
    per_viewer: int = 1
    state: str = ON
    reason: str = ""
    remaining: int = 0
    sold: int = 0  # units
    orders: int = 0

    def message(self) -> dict[str, Any]:
        """The `sale` broadcast (docs/interaction-protocol.md)."""
        p = self.product
        price = float(p.price)
        return {
            "v": 1,
            "type": "sale",
            "id": self.id,
            "product_id": p.id,
            "title": p.name,
            "price": price,
            "flash_price": float(p.flash_price) if p.flash_price is not None else price,
            "units": self.units,
            "opens_at": self.opens_at,
            "link": p.link,
            "per_viewer": self.per_viewer,
            "state": self.state,
            "reason": self.reason,
        }


class SaleBook:
    """Every sale of the show by id, and which one holds each product."""

    def __init__(self) -> None:
        self.sales: dict[str, Sale] = {}
        self._by_product: dict[str, str] = {}

    def start(
        self, sale_id: str, product: Product, units: int, opens_at: int, per_viewer: int, now: int
    ) -> Sale:
        if units < 1:
            raise SaleError("a flash sale needs at least one unit")
        if per_viewer < 1:
            raise SaleError("each viewer must be allowed at least one unit")
        if opens_at < now:
            raise SaleError("the countdown is already past: choose a countdown of 0 s or more")
        if sale_id in self.sales:
            raise SaleError(f"the sale {sale_id} exists already")
        sale = Sale(sale_id, product, units, opens_at, per_viewer, remaining=units)
        self.sales[sale_id] = sale
        self._by_product[product.id] = sale_id
        return sale

    def get(self, sale_id: str) -> Sale:
        sale = self.sales.get(sale_id)
        if sale is None:
            raise SaleError(f"there is no sale {sale_id}")
        return sale

    def cancel(self, sale_id: str, reason: str) -> Sale:
        sale = replace(self.get(sale_id), state=CANCELLED, reason=reason)
        self.sales[sale_id] = sale
        return sale

    def move(self, sale_id: str, opens_at: int, reason: str, now: int | None) -> Sale:
        """Extend (or shorten) the countdown; only before the sale opened (`now` None: a
        journaled move being replayed, checked when it was made)."""
        sale = self.get(sale_id)
        if sale.state != ON:
            raise SaleError("the sale was cancelled")
        if now is not None and sale.opens_at <= now:
            raise SaleError("the sale is open already: its countdown cannot move")
        if now is not None and opens_at < now:
            raise SaleError("the countdown is already past")
        sale = replace(sale, opens_at=opens_at, reason=reason)
        self.sales[sale_id] = sale
        return sale

    def on_order(self, data: dict[str, Any]) -> Sale | None:
        """Account an order event the hub logged for a sale; the sale it changed."""
        sale_id = data.get("sale")
        sale = self.sales.get(sale_id) if isinstance(sale_id, str) else None
        remaining = data.get("remaining")
        if sale is None or not isinstance(remaining, int):
            return None
        sale = replace(
            sale,
            remaining=min(sale.remaining, remaining),
            sold=sale.sold + int(data.get("quantity", 1)),
            orders=sale.orders + 1,
        )
        self.sales[sale.id] = sale
        return sale
