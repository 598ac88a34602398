"""The show's product list, imported from the CSV or JSON an operations team already keeps.

A bad row is reported by its line and skipped; every good row is imported. Headers may be
English or Chinese (名称, 价格, 秒杀价, 库存, 链接, 图片).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

_HEADERS = {
    "id": "id",
    "编号": "id",
    "name": "name",
    "名称": "name",
    "商品": "name",
    "price": "price",
    "价格": "price",
    "原价": "price",
    "flash_price": "flash_price",
    "秒杀价": "flash_price",
    "stock": "stock",
    "库存": "stock",
    "link": "link",
    "链接": "link",
    "image": "image",
    "图片": "image",
}


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    price: Decimal
    flash_price: Decimal | None
    stock: int
    link: str = ""
    image: str = ""  # a path; empty when none (or when the file was missing)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["price"] = str(self.price)
        out["flash_price"] = None if self.flash_price is None else str(self.flash_price)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Product:
        """The inverse of `to_dict` (a journaled sale names its product this way)."""
        flash = data.get("flash_price")
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            price=Decimal(str(data["price"])),
            flash_price=None if flash is None else Decimal(str(flash)),
            stock=int(data.get("stock", 0)),
            link=str(data.get("link", "")),
            image=str(data.get("image", "")),
        )


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str
    skipped: bool  # False: imported with a warning (e.g. the image is missing)

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" + ("" if self.skipped else " (imported)")


def _money(value: Any, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().lstrip("¥￥"))
    except InvalidOperation:
        raise ValueError(f"the {what} {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"the {what} {value!r} is not a price")
    return amount


def _product(row: dict[str, Any], number: int, base: Path | None) -> tuple[Product, str | None]:
    fields = {_HEADERS.get(str(k).strip().lower(), str(k)): v for k, v in row.items() if k}
    name = str(fields.get("name") or "").strip()
    if not name:
        raise ValueError("the product has no name")
    try:
        stock = int(str(fields.get("stock", "0")).strip() or "0")
    except ValueError:
        raise ValueError(f"the stock {fields.get('stock')!r} is not a whole number") from None
    if stock < 0:
        raise ValueError(f"the stock is negative ({stock})")
    flash = fields.get("flash_price")
    price = _money(fields.get("price", ""), "price")
    flash_price = _money(flash, "flash price") if str(flash or "").strip() else None
    warning = None
    image = str(fields.get("image") or "").strip()
    if image:
        path = Path(image) if base is None else base / image
        if not path.is_file():
            warning, image = f"the image {image} was not found; the product has no picture", ""
        else:
            image = str(path)
    product = Product(
        id=str(fields.get("id") or number),
        name=name,
        price=price,
        flash_price=flash_price,
        stock=stock,
        link=str(fields.get("link") or "").strip(),
        image=image,
    )
    return product, warning


def parse(text: str, kind: str, base: Path | None = None) -> tuple[list[Product], list[Problem]]:
    """Products and problems from CSV (`kind="csv"`) or JSON (a list of objects) text."""
    rows: list[tuple[int, Any]]
    if kind == "json":
        try:
            data = json.loads(text)
        except ValueError as bad:
            return [], [Problem(getattr(bad, "lineno", 1), "the file is not valid JSON", True)]
        if not isinstance(data, list):
            return [], [Problem(1, "expected a JSON list of products", True)]
        rows = [(i, item) for i, item in enumerate(data, 1)]
    else:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        rows = [(reader.line_num, row) for row in reader]
    products: list[Product] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, row in rows:
        if not isinstance(row, dict):
            problems.append(Problem(number, "not a product object", True))
            continue
        try:
            product, warning = _product(row, number, base)
        except ValueError as bad:
            problems.append(Problem(number, str(bad), True))
            continue
        if product.id in seen:
            problems.append(Problem(number, f"the id {product.id} is used twice", True))
            continue
        seen.add(product.id)
        products.append(product)
        if warning:
            problems.append(Problem(number, warning, False))
    return products, problems


def load(path: Path) -> tuple[list[Product], list[Problem]]:
    """Products from a .csv or .json file; images are looked up beside the file."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return [], [Problem(0, f"cannot read {path.name} as a UTF-8 text file", True)]
    kind = "json" if path.suffix.lower() == ".json" else "csv"
    return parse(text, kind, path.parent)
