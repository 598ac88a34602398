"""The show's flash sale and lottery, drawn into the program: every countdown, product-card and
winners layer (capture/program/kinds) follows the running sale and the last draw.

The host places those graphics where they like in their scenes; this keeps their contents true:
the countdown's end is the sale's zero converted from the room clock to this machine's, so the
program reaches zero with the host's panel and the viewers' pages; the card shows the live stock;
the winners banner the names drawn.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QObject

from app.danmaku.state import AudienceState
from app.lottery.live import DRAWN, LotteryView
from app.program_controller import ProgramController
from app.sale.flash import CANCELLED, Sale


def countdown_changes(sale: Sale, room_offset_ms: float) -> dict[str, Any]:
    """Countdown settings for a sale: its zero as this machine's Unix time."""
    end = 0.0 if sale.state == CANCELLED else (sale.opens_at - room_offset_ms) / 1000.0
    return {"title": sale.product.name, "end_epoch": end}


def card_changes(sale: Sale) -> dict[str, Any]:
    p = sale.product
    return {
        "name": p.name,
        "price": f"¥{p.price}",
        "flash_price": f"¥{p.flash_price}" if p.flash_price is not None else "",
        "stock": max(0, sale.remaining),
    }


def winners_changes(lottery: LotteryView) -> dict[str, Any]:
    title = f"恭喜中奖 · {lottery.prize}" if lottery.prize else "恭喜中奖"
    return {"title": title, "names": "\n".join(name for _uid, name in lottery.winners)}


class ProgramGraphics(QObject):
    def __init__(
        self, state: AudienceState, program: ProgramController, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.program = program
        state.salesChanged.connect(self._sales)
        state.lotteryChanged.connect(self._lottery)

    def _sales(self, sales: list[Sale]) -> None:
        live = [s for s in sales if s.state != CANCELLED] or sales[-1:]
        if not live:
            return
        sale = live[-1]
        self._apply("countdown", countdown_changes(sale, self.state.room_offset_ms))
        self._apply("product_card", card_changes(sale))

    def _lottery(self, lottery: LotteryView) -> None:
        if lottery.state == DRAWN:
            self._apply("winners", winners_changes(lottery))

    def _apply(self, kind: str, changes: dict[str, Any]) -> None:
        """Set `changes` on every layer of `kind` in every scene (unchanged layers cost nothing)."""
        for scene in self.program.show.scenes:
            for layer in scene.layers:
                if layer.kind == kind:
                    settings = dataclasses.replace(layer.settings, **changes)
                    self.program.update_layer(scene.id, layer.id, settings=settings)
