"""The console's flash-sale and lottery panels over a real pipeline (in process, a room clock
the test moves): products imported with bad rows reported by line, a sale counted down, sold
out from the hub's orders, cancelled; a lottery's entrants counted live, drawn, winners listed."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from app.danmaku.journal import Journal
from app.danmaku.pipeline import Pipeline, Update
from app.danmaku.state import AudienceState
from app.media_controller import MediaController
from app.program_controller import ProgramController
from app.sale.controller import CommerceController
from app.sale.program_graphics import ProgramGraphics
from app.settings import Settings
from widgets.lottery_panel import LotteryPanel
from widgets.sale_panel import SalePanel


class _Source:
    """The pipeline as the windows see it, in process."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    def take_update(self) -> Update:
        return self.pipeline.take_update()

    def command(self, action: str, **args: Any) -> None:
        self.pipeline.command(action, args)


def _frame(seq: int, ts: int, kind: str, uid: str, **fields: Any) -> str:
    event = {"seq": seq, "v": 1, "type": kind, "ts": ts, "user": {"id": uid, "name": uid}}
    return json.dumps([event | fields])


def test_sale_and_lottery_panels(qtbot: Any, tmp_path: Path) -> None:
    skew = [60_000.0]  # the room clock runs a minute ahead of ours
    sent: list[dict[str, Any]] = []
    journal = Journal(tmp_path / "show.sqlite")
    pipeline = Pipeline(
        journal, send=sent.append, clock=lambda: time.time() * 1000 + skew[0], results_dir=tmp_path
    )
    state = AudienceState(_Source(pipeline))
    controller = CommerceController(state)
    settings = Settings()
    program = ProgramController(
        settings, MediaController(settings), show_file=tmp_path / "show.json", persist=False
    )
    scene = program.show.program
    layers = {k: program.add_layer(scene, k) for k in ("countdown", "product_card", "winners")}
    graphics = ProgramGraphics(state, program)  # noqa: F841 (kept alive: it observes)

    def layer(kind: str) -> Any:
        found = program.scene(scene).layer(layers[kind])
        assert found is not None
        return found.settings

    sale = SalePanel(controller)
    lottery = LotteryPanel(controller)
    qtbot.addWidget(sale)
    qtbot.addWidget(lottery)
    products = tmp_path / "products.csv"
    products.write_text(
        "名称,价格,秒杀价,库存,链接,图片\n补水面膜,99,59.9,2,https://shop/p1,\n坏的,12,,-3,,\n",
        "utf-8",
    )
    problems = controller.import_products(products)
    assert [str(p) for p in problems] == ["line 3: the stock is negative (-3)"]
    assert sale.product.count() == 1 and sale.price.text() == "¥59.9 (was ¥99)"
    assert sale.units.value() == 2

    sale.countdown.setValue(5)
    sale.start.click()
    qtbot.waitUntil(lambda: len(controller.sales) == 1)
    assert sent[-1]["type"] == "sale"
    assert abs(sent[-1]["opens_at"] - (time.time() * 1000 + skew[0] + 5000)) < 500
    qtbot.waitUntil(lambda: sale.big.text() in ("5.0 s", "4.9 s"), timeout=2000)
    opens = controller.sales[0].opens_at
    pipeline.process(
        [
            _frame(
                1,
                opens,
                "order",
                "a",
                product_id="1",
                quantity=1,
                sale=controller.sales[0].id,
                remaining=1,
            ),
            _frame(
                2,
                opens,
                "order",
                "b",
                product_id="1",
                quantity=1,
                sale=controller.sales[0].id,
                remaining=0,
            ),
        ]
    )
    qtbot.waitUntil(lambda: sale.big.text() == "Sold out")
    # The program's graphics: the countdown ends at the sale's zero in this machine's time.
    assert abs(layer("countdown").end_epoch - (opens - skew[0]) / 1000) < 0.2
    assert layer("countdown").title == "补水面膜" and layer("product_card").stock == 0
    assert layer("product_card").flash_price == "¥59.9"
    assert sale.table.item(0, 3).text() == "0/2" and sale.table.item(0, 2).text() == "2"
    sale.cancel_sale("主播改了价格")
    qtbot.waitUntil(lambda: sent[-1].get("state") == "cancelled")
    assert sent[-1]["reason"] == "主播改了价格"
    qtbot.waitUntil(lambda: sale.table.item(0, 1).text() == "Cancelled")

    lottery.keyword.setText("福袋")
    lottery.window_s.setValue(5)
    lottery.winners.setValue(2)
    lottery.start.click()
    qtbot.waitUntil(lambda: state.lottery is not None)
    start = state.lottery.start_ms
    assert not lottery.draw.isEnabled() and "commitment" in sent[-1]
    pipeline.process(
        [_frame(10 + i, start + 10 * i, "danmaku", f"u{i % 4}", text="福 袋") for i in range(9)]
    )
    qtbot.waitUntil(lambda: "4 entrants" in lottery.status.text())
    skew[0] += 7_000  # the room clock jumps past the window's end (and the console follows)
    pipeline.process([_frame(30, start + 7_000, "danmaku", "x", text="来晚了")])
    qtbot.waitUntil(lottery.draw.isEnabled)
    lottery.draw.click()
    qtbot.waitUntil(lambda: lottery.winner_list.count() == 2)
    assert lottery.status.text() == "Drawn: 4 entrants, 2 winners."
    names = [name for _uid, name in state.lottery.winners]
    assert layer("winners").names.split("\n") == names  # the banner in the program
    assert (tmp_path / f"lottery-{state.lottery.id}.json").exists()
    journal.close(ended=True)
