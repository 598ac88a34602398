"""Stock: one authority that sells atomically, and views that only ever move forward.

The authority (the hub) holds the count and sells a unit only while one remains, each sale
giving the next version number. Everyone else sees versioned updates: an update older than the
newest seen is ignored, so a late or reordered update never moves the count back up (or down
past what was sold); "sold out" is shown when, and only when, an update says zero remain.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StockUpdate:
    product_id: str
    version: int  # strictly increasing per product at the authority
    remaining: int

    @property
    def sold_out(self) -> bool:
        return self.remaining <= 0


class StockAuthority:
    """The one place units are sold. Thread-safe; `sell` is all-or-nothing per order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stock: dict[str, StockUpdate] = {}

    def put(self, product_id: str, units: int) -> StockUpdate:
        """Set the stock (a new sale or a correction by the host); a new version."""
        if units < 0:
            raise ValueError("stock cannot be negative")
        with self._lock:
            old = self._stock.get(product_id)
            update = StockUpdate(product_id, (old.version if old else 0) + 1, units)
            self._stock[product_id] = update
            return update

    def sell(self, product_id: str, quantity: int = 1) -> StockUpdate | None:
        """The update after selling `quantity`, or None when not enough units remain."""
        with self._lock:
            old = self._stock.get(product_id)
            if old is None or quantity < 1 or old.remaining < quantity:
                return None
            update = StockUpdate(product_id, old.version + 1, old.remaining - quantity)
            self._stock[product_id] = update
            return update

    def current(self, product_id: str) -> StockUpdate | None:
        with self._lock:
            return self._stock.get(product_id)


class StockView:
    """What a screen shows: the newest version seen per product."""

    def __init__(self) -> None:
        self._seen: dict[str, StockUpdate] = {}

    def apply(self, update: StockUpdate) -> bool:
        """True when the update is news (and was applied)."""
        old = self._seen.get(update.product_id)
        if old is not None and update.version <= old.version:
            return False
        self._seen[update.product_id] = update
        return True

    def remaining(self, product_id: str) -> int | None:
        seen = self._seen.get(product_id)
        return None if seen is None else seen.remaining

    def sold_out(self, product_id: str) -> bool:
        seen = self._seen.get(product_id)
        return seen is not None and seen.sold_out
