"""Open the real console on a screen of a given size in a given language with a few products,
bring the Products, Flash sale and Lottery docks to the front one by one, save a screenshot of
the window for each and print, per dock, whether anything in it is cut off, as one JSON object.

    QT_QPA_PLATFORM=offscreen:configfile=SCREEN.json python -m tests.commerce_screenshot \
        LANGUAGE OUT_PREFIX

Run in its own process by tests/test_commerce_layout.py (the screen size is fixed when Qt
starts); OUT_PREFIX-products.png, -sale.png and -lottery.png are written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QLineEdit,
    QWidget,
)

from tests.console_screenshot import OpenConsole, cut_tabs

DOCKS = ("products", "sale", "lottery")
PRODUCTS = (
    "名称,价格,秒杀价,库存,链接\n"
    "补水保湿面膜 10 片装,99,59.9,100,https://shop.example/p1\n"
    "不锈钢保温杯 500 ml,49,29,20,https://shop.example/p2\n"
    "口红 #3 正红色,129,99,50,https://shop.example/p3\n"
)


def cut_texts(panel: QWidget) -> list[str]:
    """Buttons and labels in `panel` whose text does not fit their width (drawn clipped)."""
    cut = []
    for widget in panel.findChildren(QWidget):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        if isinstance(widget, QAbstractButton) and not widget.text():
            continue
        if isinstance(widget, (QAbstractButton, QLineEdit)):
            if widget.minimumSizeHint().width() > widget.width() + 1:
                cut.append(getattr(widget, "text", lambda: "")() or widget.objectName())
        elif (
            isinstance(widget, QLabel)
            and not widget.wordWrap()
            and widget.text()
            and widget.sizeHint().width() > widget.width() + 1
        ):
            cut.append(widget.text())
    return cut


def scrolls_sideways(dock: QWidget) -> list[str]:
    """Scroll areas in `dock` (the dock's own, its tables) that scroll sideways to show all."""
    return [
        area.objectName() or type(area).__name__
        for area in dock.findChildren(QAbstractScrollArea)
        if area.isVisible() and area.horizontalScrollBar().maximum() > 0
    ]


def main(argv: list[str]) -> int:
    language, prefix = argv[0], argv[1]
    from widgets.sale_products import ProductEditor

    console = OpenConsole(language)
    window, wait = console.window, console.wait
    wait(2.0)
    editor = window.findChild(ProductEditor)
    assert editor is not None
    listing = Path(prefix + "-products.csv")
    listing.write_text(PRODUCTS, "utf-8")
    editor.import_products(str(listing))
    listing.unlink()
    editor.table.selectRow(0)
    editor.edits["stock"].setText("-3")  # a field the host got wrong: its message shows
    editor.save()
    figures: dict[str, object] = {"cut_tabs": cut_tabs(window)}
    for name in DOCKS:
        dock = window._docks[name]
        dock.show()
        dock.raise_()
        wait(0.5)
        panel = dock.widget()
        figures[name] = {
            "visible": dock.isVisible() and not dock.visibleRegion().isEmpty(),
            "size": [dock.width(), dock.height()],
            "scrolls_sideways": scrolls_sideways(dock),
            "cut": cut_texts(panel),
        }
        window.grab().save(f"{prefix}-{name}.png")
        dock.grab().save(f"{prefix}-{name}-dock.png")
    console.close()
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
