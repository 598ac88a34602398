"""`ProductCatalog`: the show's one product list, shared by every window that edits it.

The host's console and the assistant window are views of one `AudienceState`; the catalog hangs
off that state as a child object (`ProductCatalog.of(state)`), so each window finds the same
list without the other knowing it exists, and each repaints on `changed`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.sale.products import Problem, Product, load

NAME = "products"


class ProductCatalog(QObject):
    changed = Signal(list)  # list[Product], in the host's order

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(NAME)
        self._items: dict[str, Product] = {}

    @classmethod
    def of(cls, owner: QObject) -> ProductCatalog:
        """The catalog of `owner` (the show's audience state), made on first use."""
        found = owner.findChild(cls, NAME)
        return found if isinstance(found, cls) else cls(owner)

    @property
    def products(self) -> list[Product]:
        return list(self._items.values())

    def get(self, product_id: str) -> Product | None:
        return self._items.get(product_id)

    def new_id(self) -> str:
        """The smallest whole-number id no product uses (imports number rows the same way)."""
        taken = set(self._items)
        number = 1
        while str(number) in taken:
            number += 1
        return str(number)

    def put(self, product: Product) -> None:
        """Add `product`, or replace the one with its id (keeping its place)."""
        self._items[product.id] = product
        self.changed.emit(self.products)

    def remove(self, product_id: str) -> None:
        if self._items.pop(product_id, None) is not None:
            self.changed.emit(self.products)

    def merge(self, items: Iterable[Product]) -> None:
        """New ids are added, known ids replaced."""
        self._items.update((p.id, p) for p in items)
        self.changed.emit(self.products)

    def import_file(self, path: Path) -> tuple[list[Product], list[Problem]]:
        """Merge the good rows of a CSV/JSON file; those rows and the problems, by line."""
        found, problems = load(path)
        self.merge(found)
        return found, problems
