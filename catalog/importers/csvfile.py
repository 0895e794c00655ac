"""Generic CSV export of a shop: products.csv + interactions.csv (+ reviews.csv).

Columns are found by name; each field accepts a few common aliases, and
`--map TABLE.FIELD=COLUMN` overrides them (e.g. `products.id=sku`). Columns
named `attr_<name>` become product attributes. The full mapping is documented
in docs/csv-format.md and in `COLUMNS` below.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from catalog.cleaning import apply_price, normalise_timestamp
from catalog.errors import InputError
from catalog.importers.base import open_text, require_file
from catalog.models import Interaction, InteractionKind, Product, RawDataset, Review
from catalog.report import ValidationReport

# table -> field -> accepted column names (first match wins); a leading "*" marks required.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "products": {
        "*id": ("id", "product_id", "item_id", "sku", "asin"),
        "*title": ("title", "name", "product_name"),
        "description": ("description", "desc", "details"),
        "brand": ("brand", "manufacturer", "store"),
        "categories": ("categories", "category", "category_path"),
        "price": ("price", "list_price", "sale_price"),
        "currency": ("currency",),
        "image_url": ("image_url", "image", "imageurl"),
        "rating_avg": ("rating_avg", "average_rating", "rating"),
        "rating_count": ("rating_count", "rating_number", "num_ratings"),
        "in_stock": ("in_stock", "available", "availability"),
        "title_zh": ("title_zh", "name_zh"),
    },
    "interactions": {
        "*shopper_id": ("shopper_id", "user_id", "customer_id", "visitorid"),
        "*product_id": ("product_id", "item_id", "sku", "itemid", "asin"),
        "kind": ("kind", "event", "event_type", "action"),
        "value": ("value", "rating", "quantity"),
        "timestamp": ("timestamp", "time", "ts", "date", "event_time"),
    },
    "reviews": {
        "id": ("id", "review_id"),
        "*shopper_id": ("shopper_id", "user_id", "customer_id", "reviewer_id"),
        "*product_id": ("product_id", "item_id", "sku", "asin"),
        "rating": ("rating", "stars", "overall"),
        "title": ("title", "summary", "headline"),
        "text": ("text", "review", "review_text", "body"),
        "timestamp": ("timestamp", "time", "date"),
    },
}

_KIND_ALIASES = {
    "view": InteractionKind.VIEW,
    "click": InteractionKind.VIEW,
    "pageview": InteractionKind.VIEW,
    "cart": InteractionKind.CART,
    "addtocart": InteractionKind.CART,
    "add_to_cart": InteractionKind.CART,
    "purchase": InteractionKind.PURCHASE,
    "buy": InteractionKind.PURCHASE,
    "order": InteractionKind.PURCHASE,
    "transaction": InteractionKind.PURCHASE,
    "rating": InteractionKind.RATING,
    "rate": InteractionKind.RATING,
}
_CATEGORY_SEPARATORS = (" > ", ">", "|", "/")
_FALSE = {"0", "false", "no", "n", "out of stock", "out_of_stock"}


def import_csv(
    products: Path | str,
    interactions: Path | str,
    report: ValidationReport,
    reviews: Path | str | None = None,
    mapping: dict[str, str] | None = None,
    progress: bool = True,
) -> RawDataset:
    del progress  # CSV exports of a shop read in seconds
    data = RawDataset()
    for _, row in _rows(require_file(products, "products CSV"), "products", mapping, report):
        data.products.append(_product(row, report))
    inter_path = require_file(interactions, "interactions CSV")
    for number, row in _rows(inter_path, "interactions", mapping, report):
        parsed = _interaction(row, number, inter_path.name, report)
        if parsed:
            data.interactions.append(parsed)
    if reviews:
        for number, row in _rows(require_file(reviews, "reviews CSV"), "reviews", mapping, report):
            data.reviews.append(
                Review(
                    id=row.get("id") or str(number),
                    shopper_id=row["shopper_id"],
                    product_id=row["product_id"],
                    rating=_float(row.get("rating")),
                    title=row.get("title", ""),
                    text=row.get("text", ""),
                    timestamp=normalise_timestamp(row.get("timestamp")),
                )
            )
    return data


def _rows(
    path: Path, table: str, mapping: dict[str, str] | None, report: ValidationReport
) -> Iterator[tuple[int, dict]]:
    """Rows renamed to our field names (plus attr_* columns kept as they are)."""
    with open_text(path) as fh:
        reader = csv.DictReader(fh)
        found = [c.strip() for c in reader.fieldnames or []]
        lookup = {c.lower(): c for c in found}
        rename: dict[str, str] = {}
        for key, aliases in COLUMNS[table].items():
            name = key.lstrip("*")
            override = (mapping or {}).get(f"{table}.{name}")
            candidates = (override,) if override else aliases
            column = next((lookup[c.lower()] for c in candidates if c.lower() in lookup), None)
            if column:
                rename[column] = name
            elif key.startswith("*"):
                raise InputError(
                    f"{path.name}: no column for required field {name!r} (looked for "
                    f"{', '.join(candidates)}; found {', '.join(found) or 'no header'}); "
                    f"rename the column or pass --map {table}.{name}=COLUMN"
                )
        for number, raw in enumerate(reader, start=2):
            if None in raw or None in raw.values():
                # csv puts surplus fields under the None key and fills short rows with None
                report.malformed_line(
                    path.name, number, f"{len(found)} columns expected, row has a different count"
                )
                continue
            row = {
                rename.get(k.strip(), k.strip()): (v or "").strip()
                for k, v in raw.items()
                if k is not None
            }
            yield number, row


def _product(row: dict[str, str], report: ValidationReport) -> Product:
    categories = [row.get("categories", "")]
    for sep in _CATEGORY_SEPARATORS:
        if sep in categories[0]:
            categories = categories[0].split(sep)
            break
    product = Product(
        id=row["id"],
        title=row.get("title", ""),
        description=row.get("description", ""),
        brand=row.get("brand", ""),
        categories=[c.strip() for c in categories if c.strip()],
        currency=(row.get("currency") or "USD").upper(),
        image_url=row.get("image_url") or None,
        rating_avg=_float(row.get("rating_avg")),
        rating_count=int(_float(row.get("rating_count")) or 0),
        in_stock=(row.get("in_stock", "1").lower() not in _FALSE),
        attributes={k[5:]: v for k, v in row.items() if k.startswith("attr_") and v},
    )
    if row.get("title_zh"):
        product.title_i18n["zh"] = row["title_zh"]
    raw_price = row.get("price", "")
    if raw_price and _float(raw_price) is not None:
        apply_price(product, float(raw_price), report)
    else:
        apply_price(product, raw_price, report)
    return product


def _interaction(
    row: dict[str, str], number: int, filename: str, report: ValidationReport
) -> Interaction | None:
    kind_text = row.get("kind", "purchase").lower().replace("-", "_") or "purchase"
    kind = _KIND_ALIASES.get(kind_text) or _KIND_ALIASES.get(kind_text.replace("_", ""))
    if kind is None:
        report.malformed_line(filename, number, f"unknown kind {row.get('kind')!r}")
        return None
    value = _float(row.get("value"))
    return Interaction(
        row["shopper_id"],
        row["product_id"],
        kind,
        1.0 if value is None else value,
        normalise_timestamp(row.get("timestamp")),
        seq=number,
    )


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None
