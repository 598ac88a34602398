"""The product editor (商品管理): the show's products as a table, and a form that adds, edits and
deletes them, in the console and in the assistant window over one `ProductCatalog`.

A wrong field is named beside the field in plain words and the form keeps what was typed; a
product deleted (here or in the other window) stays in the form, so Save brings it back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.sale import products
from app.sale.catalog import ProductCatalog
from app.sale.products import FIELDS, FieldError, Product

ERROR_STYLE = "color: #c0392b;"


class ProductEditor(QWidget):
    def __init__(self, catalog: ProductCatalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.editing: str | None = None  # the id the form saves to; None: a new product
        labels = (
            self.tr("Name"),
            self.tr("Price"),
            self.tr("Flash price"),
            self.tr("Stock"),
            self.tr("Link"),
            self.tr("Image"),
        )
        # Name, prices and stock fit a 320 px dock; the link and picture are in the form (and
        # in the name's tooltip).
        shown = 4
        self.table = QTableWidget(0, shown)
        self.table.setHorizontalHeaderLabels(list(labels[:shown]))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.edits = {field: QLineEdit() for field in FIELDS}
        self.edits["price"].setPlaceholderText(self.tr("e.g. 99"))
        self.edits["flash_price"].setPlaceholderText(self.tr("optional, e.g. 59.9"))
        self.edits["stock"].setPlaceholderText(self.tr("whole number, e.g. 100"))
        self.edits["link"].setPlaceholderText(self.tr("https://…"))
        self.errors = {field: QLabel() for field in FIELDS}
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(lambda: self.choose_image())
        form = QFormLayout()
        for field, label in zip(FIELDS, labels, strict=True):
            error = self.errors[field]
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            row = QVBoxLayout()
            row.setSpacing(2)
            line = QHBoxLayout()
            line.addWidget(self.edits[field], 1)
            if field == "image":
                line.addWidget(browse)
            row.addLayout(line)
            row.addWidget(error)
            form.addRow(label, row)
        self.new_button = QPushButton(self.tr("New"))
        self.save_button = QPushButton(self.tr("Save"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.import_button = QPushButton(self.tr("Import…"))
        buttons = QGridLayout()  # two by two: four buttons side by side overflow a narrow dock
        for i, button in enumerate(
            (self.new_button, self.save_button, self.delete_button, self.import_button)
        ):
            buttons.addWidget(button, i // 2, i % 2)
        self.status = QLabel()
        self.status.setWordWrap(True)
        column = QVBoxLayout(self)
        column.addWidget(self.table, 1)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.status)
        self.new_button.clicked.connect(self.new_product)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(lambda: self.import_products())
        self.table.itemSelectionChanged.connect(self._selected)
        catalog.changed.connect(self._show)
        self._show(catalog.products)

    # --- the table ------------------------------------------------------------------------
    def _show(self, items: list[Product]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(items))
        selected = None
        for row, p in enumerate(items):
            cells = (
                p.name,
                str(p.price),
                "" if p.flash_price is None else str(p.flash_price),
                str(p.stock),
            )
            tip = "\n".join(x for x in (p.name, p.link, Path(p.image).name if p.image else "") if x)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, p.id)
                item.setToolTip(tip)  # the link and picture the table has no room for
                self.table.setItem(row, col, item)
            if p.id == self.editing:
                selected = row
        self.table.clearSelection()
        if selected is not None:
            self.table.selectRow(selected)
        self.table.blockSignals(False)
        self.delete_button.setEnabled(selected is not None)
        if self.editing is not None and selected is None:  # deleted elsewhere: keep the form
            self.editing = None
            self.status.setText(self.tr("This product was deleted; Save adds it again."))

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        product = self.catalog.get(str(rows[0].data(Qt.ItemDataRole.UserRole)))
        if product is not None:
            self.load(product)

    # --- the form -------------------------------------------------------------------------
    def load(self, product: Product) -> None:
        self.editing = product.id
        for field, text in zip(FIELDS, self._texts(product), strict=True):
            self.edits[field].setText(text)
        self._mark([])
        self.delete_button.setEnabled(True)
        self.status.clear()

    @staticmethod
    def _texts(p: Product) -> tuple[str, ...]:
        flash = "" if p.flash_price is None else str(p.flash_price)
        return (p.name, str(p.price), flash, str(p.stock), p.link, p.image)

    def new_product(self) -> None:
        self.editing = None
        self.table.clearSelection()
        for edit in self.edits.values():
            edit.clear()
        self._mark([])
        self.delete_button.setEnabled(False)
        self.status.setText(self.tr("New product: fill in the form and Save."))

    def save(self) -> bool:
        """Validate the form; a good product goes into the catalog, else each wrong field
        says why and nothing typed is lost."""
        form = {field: edit.text() for field, edit in self.edits.items()}
        product_id = self.editing or self.catalog.new_id()
        product, errors = products.validate(form, product_id)
        self._mark(errors)
        if product is None:
            self.status.setText(self.tr("Not saved: correct the fields marked in red."))
            return False
        self.editing = product.id
        self.catalog.put(product)
        self.status.setText(self.tr("Saved “%1”.").replace("%1", product.name))
        return True

    def delete_selected(self) -> None:
        if self.editing is None:
            return
        product = self.catalog.get(self.editing)
        self.catalog.remove(self.editing)
        if product is not None:
            self.status.setText(
                self.tr("Deleted “%1”; it is still in the form: Save adds it again.").replace(
                    "%1", product.name
                )
            )

    def choose_image(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Product image"), "", self.tr("Images (*.png *.jpg *.jpeg *.webp)")
            )
        if path:
            self.edits["image"].setText(path)

    def import_products(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Import products"), "", self.tr("Product lists (*.csv *.json)")
            )
            if not path:
                return
        found, problems = self.catalog.import_file(Path(path))
        text = self.tr("%1 products imported.").replace("%1", str(len(found)))
        for problem in problems:
            line = self.tr("Line %1: %2").replace("%1", str(problem.line))
            text += "\n" + line.replace("%2", problem.message)
        self.status.setText(text)

    def _mark(self, errors: list[FieldError]) -> None:
        by_field: dict[str, list[str]] = {}
        for error in errors:
            by_field.setdefault(error.field, []).append(self.message(error))
        for field, label in self.errors.items():
            messages = by_field.get(field)
            label.setText("\n".join(messages or []))
            label.setVisible(bool(messages))
            self.edits[field].setStyleSheet("border: 1px solid #c0392b;" if messages else "")

    def message(self, error: FieldError) -> str:
        """`error` in the host's language."""
        code = error.code
        if code == "missing":
            return self.tr("Required.")
        if code == "not_number":
            return self.tr("“%1” is not a number.").replace("%1", error.value)
        if code == "not_whole":
            return self.tr("“%1” is not a whole number.").replace("%1", error.value)
        if code == "negative":
            return self.tr("Cannot be negative.")
        if code == "above_price":
            return self.tr("The flash price must not be above the price.")
        if code == "bad_link":
            return self.tr("The link must start with http:// or https://.")
        return self.tr("No image file at “%1”.").replace("%1", error.value)
