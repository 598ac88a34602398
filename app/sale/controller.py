"""`CommerceController`: the show's products, flash sales and keyword lotteries, for the windows.

State only (no widgets). The sales and lotteries themselves run in the audience pipeline, which
journals them and talks to the hub; this object keeps the product list, turns the host's
choices into typed commands and answers the one question every view asks: how long until zero
on the room's clock.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.danmaku import commands
from app.danmaku.state import AudienceState
from app.lottery.rules import Match
from app.sale.catalog import ProductCatalog
from app.sale.flash import Sale
from app.sale.products import Problem, Product


class CommerceController(QObject):
    productsChanged = Signal(list)  # list[Product]

    def __init__(self, state: AudienceState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.catalog = ProductCatalog.of(state)  # the assistant window edits the same list
        self.catalog.changed.connect(self.productsChanged)
        self._ids = itertools.count(1)
        self._stamp = time.strftime("%H%M%S")  # ids stay distinct across console restarts

    # --- products -------------------------------------------------------------------------
    def import_products(self, path: Path) -> list[Problem]:
        """Add the good rows of a CSV/JSON file (same id: replaced); the problems, by line."""
        return self.catalog.import_file(path)[1]

    @property
    def products(self) -> list[Product]:
        return self.catalog.products

    # --- the room clock -------------------------------------------------------------------
    def room_now_ms(self) -> float:
        return time.time() * 1000 + self.state.room_offset_ms

    def ms_left(self, zero_ms: int) -> float:
        """Time until `zero_ms` on the room clock (negative once past)."""
        return zero_ms - self.room_now_ms()

    # --- flash sales ----------------------------------------------------------------------
    def start_sale(self, product: Product, units: int, countdown_s: float, per_viewer: int) -> str:
        """Announce a sale: the link goes live at zero, `countdown_s` from now on the room
        clock. Its id; refusals come back as notices."""
        sale_id = f"s{self._stamp}-{next(self._ids)}"
        self.state.send(
            commands.SaleStart(
                sale_id, product.to_dict(), units, per_viewer, round(countdown_s * 1000)
            )
        )
        return sale_id

    def cancel_sale(self, sale_id: str, reason: str) -> None:
        self.state.send(commands.SaleCancel(sale_id, reason))

    def extend_sale(self, sale_id: str, seconds: float, reason: str) -> None:
        self.state.send(commands.SaleExtend(sale_id, round(seconds * 1000), reason))

    @property
    def sales(self) -> list[Sale]:
        return self.state.sales

    # --- lotteries ------------------------------------------------------------------------
    def start_lottery(
        self,
        keyword: str,
        window_s: float,
        winners: int,
        prize: str,
        exact: bool = False,
        buyers_only: bool = False,
    ) -> str:
        lottery_id = f"l{self._stamp}-{next(self._ids)}"
        match = Match.EXACT if exact else Match.NORMALISED
        self.state.send(
            commands.LotteryStart(
                lottery_id,
                keyword,
                round(window_s * 1000),
                winners,
                prize,
                match.value,
                buyers_only,
            )
        )
        return lottery_id

    def draw_lottery(self) -> None:
        lottery = self.state.lottery
        if lottery is not None:
            self.state.send(commands.LotteryDraw(lottery.id))
