"""Flash sales and keyword lotteries on the console: the Products, Flash sale and Lottery docks
over one `CommerceController` (the products are the show's shared `ProductCatalog`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from app.sale.controller import CommerceController
from app.sale.program_graphics import ProgramGraphics
from widgets.lottery_panel import LotteryPanel
from widgets.sale_panel import SalePanel
from widgets.sale_products import ProductEditor

if TYPE_CHECKING:
    from app.console_core import ConsoleCore
    from widgets.main_window import MainWindow


def install(window: MainWindow, core: ConsoleCore) -> None:
    """Add the Products, Flash sale and Lottery docks for `core.audience`'s show."""
    controller = CommerceController(core.audience.state, parent=window)
    controller.setObjectName("commerce")
    ProgramGraphics(core.audience.state, core.program, parent=controller).setObjectName(
        "commerce-graphics"
    )
    window.add_dock(
        QCoreApplication.translate("SaleFeature", "Products"),
        ProductEditor(controller.catalog),
        name="products",
    )
    window.add_dock(
        QCoreApplication.translate("SaleFeature", "Flash sale"), SalePanel(controller), name="sale"
    )
    window.add_dock(
        QCoreApplication.translate("SaleFeature", "Lottery"),
        LotteryPanel(controller),
        name="lottery",
    )
