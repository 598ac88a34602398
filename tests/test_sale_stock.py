"""Stock that is never wrong: one authority sells atomically; views only move forward."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.sale.products import load, parse
from streaming.interaction.stock import StockAuthority, StockUpdate, StockView


def test_a_buy_storm_sells_exactly_the_stock() -> None:
    authority = StockAuthority()
    authority.put("p1", 100)
    sold: list[StockUpdate] = []
    refused = [0]
    lock = threading.Lock()
    start = threading.Barrier(16)

    def press() -> None:
        start.wait()
        for _ in range(50):
            update = authority.sell("p1")
            with lock:
                if update is None:
                    refused[0] += 1
                else:
                    sold.append(update)

    threads = [threading.Thread(target=press) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sold) == 100 and refused[0] == 700
    assert sorted(u.remaining for u in sold) == list(range(100))
    assert len({u.version for u in sold}) == 100
    assert authority.sell("p1") is None and authority.sell("nope") is None
    assert authority.sell("p1", 0) is None


@given(st.data())
def test_shuffled_and_repeated_updates_never_move_stock_backwards(data: st.DataObject) -> None:
    authority = StockAuthority()
    units = data.draw(st.integers(1, 30))
    updates = [authority.put("p", units)]
    updates += [u for _ in range(units) if (u := authority.sell("p")) is not None]
    delivered = data.draw(st.permutations(updates + data.draw(st.lists(st.sampled_from(updates)))))
    view = StockView()
    shown: list[int] = []
    for update in delivered:
        view.apply(update)
        remaining = view.remaining("p")
        assert remaining is not None
        shown.append(remaining)
        # sold out is shown only when the last unit has really sold
        assert view.sold_out("p") == (remaining == 0)
    assert all(a >= b for a, b in itertools.pairwise(shown))  # never back up
    assert shown[-1] == 0


def test_products_import_reports_bad_rows_by_line_and_keeps_the_rest(tmp_path: Path) -> None:
    (tmp_path / "mask.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "\ufeff名称,价格,秒杀价,库存,链接,图片\n"
        "补水面膜,99,59.9,100,https://shop.example/1,mask.png\n"
        ",10,5,3,,\n"
        "口红,¥129,,-5,,\n"
        "洗面奶,abc,9,10,,\n"
        "保温杯,49,29,20,https://shop.example/4,missing.jpg\n",
        "utf-8",
    )
    products, problems = load(csv_file)
    assert [p.name for p in products] == ["补水面膜", "保温杯"]
    assert products[0].flash_price is not None and str(products[0].flash_price) == "59.9"
    assert products[0].image == str(tmp_path / "mask.png") and products[1].image == ""
    assert [str(p) for p in problems] == [
        "line 3: the product has no name",
        "line 4: the stock is negative (-5)",
        "line 5: the price 'abc' is not a number",
        "line 6: the image missing.jpg was not found; the product has no picture (imported)",
    ]


def test_products_from_json_and_files_that_are_not_lists() -> None:
    products, problems = parse(
        '[{"id": "a", "name": "Mug", "price": 10, "stock": 2}, 5, '
        '{"id": "a", "name": "Dup", "price": 1}]',
        "json",
    )
    assert [p.id for p in products] == ["a"]
    assert [str(p) for p in problems] == [
        "line 2: not a product object",
        "line 3: the id a is used twice",
    ]
    assert [str(p) for p in parse("{oops", "json")[1]] == ["line 1: the file is not valid JSON"]
    assert parse('{"a": 1}', "json")[1][0].message == "expected a JSON list of products"
