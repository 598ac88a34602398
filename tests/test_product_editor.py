"""The product editor in the real console window (the Products dock) and the real assistant
window, over one show: bad fields are named beside the field and nothing typed is lost, a
product added, edited or deleted in one window shows in the other (and in the Flash sale
panel's product list) through the shared `ProductCatalog`'s signals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox

from app.console_core import ConsoleCore
from app.sale.catalog import ProductCatalog
from widgets.audience_feature import AudienceViews
from widgets.main_window import MainWindow
from widgets.sale_panel import SalePanel
from widgets.sale_products import ProductEditor

FEATURES = ("widgets.audience_feature:install", "widgets.sale_feature:install")


@pytest.fixture
def console(qtbot: Any) -> Iterator[tuple[MainWindow, ConsoleCore]]:
    core = ConsoleCore()
    window = MainWindow(core, features=FEATURES)
    qtbot.addWidget(window)
    window.show()
    yield window, core
    window.close()
    core.shutdown()


def _fill(editor: ProductEditor, **fields: str) -> None:
    for field, text in fields.items():
        editor.edits[field].setText(text)


def _rows(editor: ProductEditor) -> list[list[str]]:
    table = editor.table
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def _errors(editor: ProductEditor) -> dict[str, str]:
    return {f: label.text() for f, label in editor.errors.items() if not label.isHidden()}


def test_products_edited_in_either_window_show_in_both(
    console: tuple[MainWindow, ConsoleCore], qtbot: Any, tmp_path: Path
) -> None:
    window, core = console
    assert window.feature_errors == {}
    host = window.findChild(ProductEditor)
    sale = window.findChild(SalePanel)
    views = window.findChild(AudienceViews)
    assert host is not None and sale is not None and views is not None
    assistant = views.open_assistant().products
    catalog = ProductCatalog.of(core.audience.state)
    assert host.catalog is catalog is assistant.catalog

    # Every wrong field says why, beside the field; the form keeps what was typed.
    host.new_product()
    bad = {
        "name": "",
        "price": "99",
        "flash_price": "129",
        "stock": "-3",
        "link": "shop.example/p1",
        "image": str(tmp_path / "missing.png"),
    }
    _fill(host, **bad)
    host.save_button.click()
    assert catalog.products == [] and _rows(assistant) == []
    assert _errors(host) == {
        "name": "Required.",
        "flash_price": "The flash price must not be above the price.",
        "stock": "Cannot be negative.",
        "link": "The link must start with http:// or https://.",
        "image": f"No image file at “{tmp_path / 'missing.png'}”.",
    }
    assert {f: e.text() for f, e in host.edits.items()} == bad
    assert host.status.text() == "Not saved: correct the fields marked in red."
    _fill(host, price="abc", stock="2.5")
    host.save_button.click()
    assert _errors(host)["price"] == "“abc” is not a number."
    assert _errors(host)["stock"] == "“2.5” is not a whole number."

    image = tmp_path / "mask.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    _fill(
        host,
        name="补水面膜",
        price="99",
        flash_price="59.9",
        stock="100",
        link="https://shop.example/p1",
        image=str(image),
    )
    host.save_button.click()
    assert _errors(host) == {}
    row = ["补水面膜", "99", "59.9", "100"]
    assert _rows(host) == [row]
    assert host.table.item(0, 0).toolTip() == "补水面膜\nhttps://shop.example/p1\nmask.png"
    assert _rows(assistant) == [row]  # the other window, through the catalog's signal
    combo = sale.findChild(QComboBox)
    assert combo is sale.product and [combo.itemText(i) for i in range(combo.count())] == [
        "补水面膜"
    ]
    assert sale.start.isEnabled()

    # The assistant edits it and adds another; the console's dock follows.
    assistant.table.selectRow(0)
    assert assistant.edits["name"].text() == "补水面膜" and assistant.editing == "1"
    _fill(assistant, stock="50")
    assistant.save_button.click()
    assert _rows(host)[0][3] == "50" and catalog.products[0].stock == 50
    assistant.new_button.click()
    _fill(assistant, name="保温杯", price="49", flash_price="", stock="20", link="", image="")
    assistant.save_button.click()
    assert [r[0] for r in _rows(host)] == ["补水面膜", "保温杯"]
    assert [sale.product.itemText(i) for i in range(sale.product.count())] == ["补水面膜", "保温杯"]
    assert [p.id for p in catalog.products] == ["1", "2"]

    # The console deletes the product the assistant has open: its form keeps it; Save restores.
    assistant.table.selectRow(0)
    host.table.selectRow(0)
    host.delete_button.click()
    assert [r[0] for r in _rows(assistant)] == ["保温杯"]
    assert assistant.edits["name"].text() == "补水面膜" and assistant.edits["stock"].text() == "50"
    assert assistant.status.text() == "This product was deleted; Save adds it again."
    assistant.save_button.click()
    assert sorted(r[0] for r in _rows(host)) == ["保温杯", "补水面膜"]


def test_import_into_the_editor_reports_bad_rows_by_line(qtbot: Any, tmp_path: Path) -> None:
    catalog = ProductCatalog()
    editor = ProductEditor(catalog)
    qtbot.addWidget(editor)
    listing = tmp_path / "products.csv"
    listing.write_text("名称,价格,秒杀价,库存\n口红,129,99,10\n杯子,10,12,3\n,5,,1\n", "utf-8")
    editor.import_products(str(listing))
    assert [r[0] for r in _rows(editor)] == ["口红"]
    assert editor.status.text() == (
        "1 products imported.\n"
        "Line 3: the flash price (12) is above the price\n"
        "Line 4: the product has no name"
    )
