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


FIELDS = ("name", "price", "flash_price", "stock", "link", "image")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field's fault, as a code a window can translate, and in English for files."""

    field: str
    code: str  # missing | not_number | negative | not_whole | above_price | bad_link | no_file
    value: str = ""

    def __str__(self) -> str:
        what = self.field.replace("_", " ")
        if self.code == "missing":
            return f"the product has no {what}"
        if self.code == "not_number":
            return f"the {what} {self.value!r} is not a number"
        if self.code == "not_whole":
            return f"the {what} {self.value!r} is not a whole number"
        if self.code == "negative":
            return f"the {what} is negative ({self.value})"
        if self.code == "above_price":
            return f"the flash price ({self.value}) is above the price"
        if self.code == "bad_link":
            return f"the link {self.value!r} is not an http:// or https:// address"
        return f"the image {self.value} was not found"


def _key(header: Any) -> str:
    return _HEADERS.get(str(header).strip().lower(), str(header))


def _money(fields: dict[str, str], key: str, errors: list[FieldError]) -> Decimal | None:
    text = fields.get(key, "").lstrip("¥￥").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        errors.append(FieldError(key, "not_number", fields[key]))
        return None
    if amount < 0:
        errors.append(FieldError(key, "negative", fields[key]))
        return None
    return amount


def validate(
    row: dict[str, Any], product_id: str, base: Path | None = None
) -> tuple[Product | None, list[FieldError]]:
    """The product a row (or an editor's form) describes, or every field that is wrong.

    Keys are `FIELDS` (or the import headers); an image path is looked up under `base`."""
    fields = {_key(k): str(v if v is not None else "").strip() for k, v in row.items() if k}
    errors: list[FieldError] = []
    name = fields.get("name", "")
    if not name:
        errors.append(FieldError("name", "missing"))
    price = _money(fields, "price", errors)
    if price is None and not fields.get("price"):
        errors.append(FieldError("price", "missing"))
    flash_price = _money(fields, "flash_price", errors)
    if price is not None and flash_price is not None and flash_price > price:
        errors.append(FieldError("flash_price", "above_price", fields["flash_price"]))
    stock = 0
    try:
        stock = int(fields.get("stock") or "0")
    except ValueError:
        errors.append(FieldError("stock", "not_whole", fields["stock"]))
    if stock < 0:
        errors.append(FieldError("stock", "negative", str(stock)))
    link = fields.get("link", "")
    if link and not link.lower().startswith(("http://", "https://")):
        errors.append(FieldError("link", "bad_link", link))
    image = fields.get("image", "")
    if image:
        path = Path(image) if base is None else base / image
        if path.is_file():
            image = str(path)
        else:
            errors.append(FieldError("image", "no_file", image))
    if errors or price is None:
        return None, errors
    product = Product(product_id, name, price, flash_price, stock, link, image)
    return product, errors


def _product(row: dict[str, Any], number: int, base: Path | None) -> tuple[Product, str | None]:
    """An imported row: a missing picture is a warning (the row is kept without it)."""
    ids = (str(v or "").strip() for k, v in row.items() if k and _key(k) == "id")
    ident = next((i for i in ids if i), str(number))
    product, errors = validate(row, ident, base)
    faults = [e for e in errors if e.code != "no_file"]
    if faults:
        raise ValueError("; ".join(str(e) for e in faults))
    if product is None:  # only the picture was wrong: import the row without it
        product, _ = validate({**row, "image": "", "图片": ""}, ident, base)
        assert product is not None
        return product, f"{errors[0]}; the product has no picture"
    return product, None


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
