"""Flash sales at the hub: the one place stock is decremented.

The host announces a sale (`sale`: product, units, the instant it opens on the room's clock,
the link, a per-viewer limit) as a broadcast; from then on the hub, not the console, decides each
viewer's `order` for that product: refused before the opening instant, after a cancel, beyond the
per-viewer limit or when no unit remains; otherwise sold from `StockAuthority` (atomic, so N
units sell exactly N orders however many press at zero) and logged with the stock left. Orders
for products not on sale pass through as ordinary order events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from streaming.interaction.stock import StockAuthority, StockUpdate

# Refusal codes sent back to the viewer in an `error` control message.
NOT_OPEN = "sale_not_open"
SOLD_OUT = "sold_out"
CANCELLED = "sale_cancelled"
LIMIT = "order_limit"

_MESSAGES = {
    NOT_OPEN: "the sale has not started yet",
    SOLD_OUT: "sold out",
    CANCELLED: "this sale was cancelled",
    LIMIT: "you have already bought the most this sale allows",
}


def refusal_message(code: str) -> str:
    return _MESSAGES[code]


@dataclass
class _Sale:
    id: str
    product_id: str
    opens_at: int
    per_viewer: int
    cancelled: bool = False
    bought: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    """An order's fate: `update` when it sold (the stock after it), else a refusal code."""

    sale_id: str | None
    update: StockUpdate | None = None
    refused: str | None = None


class SaleDesk:
    def __init__(self) -> None:
        self.stock = StockAuthority()
        self._by_product: dict[str, _Sale] = {}

    def announce(
        self,
        sale_id: str,
        product_id: str,
        units: int,
        opens_at: int,
        per_viewer: int,
        cancelled: bool,
    ) -> StockUpdate | None:
        """A new sale puts its stock (a new version); re-announcing the same sale moves its
        opening instant or cancels it and keeps what has sold. The stock update, if any."""
        sale = self._by_product.get(product_id)
        if sale is not None and sale.id == sale_id:
            sale.opens_at, sale.per_viewer, sale.cancelled = opens_at, per_viewer, cancelled
            return None
        self._by_product[product_id] = _Sale(sale_id, product_id, opens_at, per_viewer, cancelled)
        return self.stock.put(product_id, units)

    def order(self, user_id: str, product_id: str, quantity: int, now_ms: int) -> Decision:
        sale = self._by_product.get(product_id)
        if sale is None:
            return Decision(None)
        refused = None
        if sale.cancelled:
            refused = CANCELLED
        elif now_ms < sale.opens_at:
            refused = NOT_OPEN
        elif sale.bought.get(user_id, 0) + quantity > sale.per_viewer:
            refused = LIMIT
        if refused is not None:
            return Decision(sale.id, refused=refused)
        update = self.stock.sell(product_id, quantity)
        if update is None:
            return Decision(sale.id, refused=SOLD_OUT)
        sale.bought[user_id] = sale.bought.get(user_id, 0) + quantity
        return Decision(sale.id, update)
