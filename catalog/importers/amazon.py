"""Amazon review data: the 2018 release (McAuley lab, `*_5.json.gz` + `meta_*.json.gz`)
and the 2023 release (`*.jsonl` + `meta_*.jsonl`, field names as published).

Each review becomes a Review and a `rating` interaction. Products come from the
metadata file, including products nobody reviewed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.cleaning import apply_price, clean_text, normalise_timestamp
from catalog.importers.base import iter_json_lines, require_file, text_of
from catalog.models import Interaction, InteractionKind, Product, RawDataset, Review
from catalog.report import ValidationReport

_DETAIL_KEY_RE = re.compile(r"[\s:]+$|^[\s:]+")
_SKIPPED_DETAILS = {"ASIN", "Customer Reviews", "Best Sellers Rank", "Amazon Best Sellers Rank"}


@dataclass(frozen=True, slots=True)
class _Release:
    """Where one release keeps each field."""

    product_key: str
    user_key: str
    rating_key: str
    title_key: str
    text_key: str
    time_key: str
    product: Callable[[dict[str, Any], ValidationReport], Product]
    reviews_hint: str
    meta_hint: str


def import_amazon2018(
    reviews: Path | str, meta: Path | str, report: ValidationReport, progress: bool = True
) -> RawDataset:
    return _import(reviews, meta, report, progress, _RELEASE_2018)


def import_amazon2023(
    reviews: Path | str, meta: Path | str, report: ValidationReport, progress: bool = True
) -> RawDataset:
    return _import(reviews, meta, report, progress, _RELEASE_2023)


def _import(
    reviews: Path | str,
    meta: Path | str,
    report: ValidationReport,
    progress: bool,
    release: _Release,
) -> RawDataset:
    reviews_path = require_file(reviews, f"reviews file ({release.reviews_hint})")
    meta_path = require_file(meta, f"metadata file ({release.meta_hint})")
    data = RawDataset()
    key = release.product_key
    for number, row in iter_json_lines(meta_path, report, progress):
        if not row.get(key):
            report.malformed_line(meta_path.name, number, f"no '{key}'")
            continue
        data.products.append(release.product(row, report))
    for number, row in iter_json_lines(reviews_path, report, progress):
        if not row.get(key) and row.get("asin"):
            row[key] = row["asin"]  # 2023 reviews name the variant and its parent
        user, item = row.get(release.user_key), row.get(key)
        if not user or not item:
            report.malformed_line(reviews_path.name, number, f"no '{release.user_key}' or '{key}'")
            continue
        rating = _float_or_none(row.get(release.rating_key))
        ts = normalise_timestamp(row.get(release.time_key) or row.get("reviewTime"))
        data.reviews.append(
            Review(
                id=str(number),
                shopper_id=str(user),
                product_id=str(item),
                rating=rating,
                title=text_of(row.get(release.title_key)),
                text=text_of(row.get(release.text_key)),
                timestamp=ts,
            )
        )
        data.interactions.append(
            Interaction(
                str(user),
                str(item),
                InteractionKind.RATING,
                rating if rating is not None else 1.0,
                ts,
                seq=number,
            )
        )
    return data


def _product_2018(row: dict[str, Any], report: ValidationReport) -> Product:
    categories = _dedupe_path(row.get("category") or [])
    product = Product(
        id=str(row["asin"]),
        title=text_of(row.get("title")),
        description=text_of(row.get("description")),
        brand=text_of(row.get("brand")),
        categories=categories,
        image_url=_first_url(row.get("imageURLHighRes") or row.get("imageURL")),
    )
    apply_price(product, row.get("price"), report)
    features = [clean_text(f) for f in row.get("feature") or [] if f]
    if features:
        product.attributes["features"] = " | ".join(dict.fromkeys(features))[:2000]
    _details_to_attributes(row.get("details"), product)
    if row.get("main_cat"):
        product.attributes["main_category"] = clean_text(row["main_cat"])
    return product


def _product_2023(row: dict[str, Any], report: ValidationReport) -> Product:
    details = row.get("details") if isinstance(row.get("details"), dict) else {}
    images = row.get("images") or []
    image = None
    if images and isinstance(images[0], dict):
        image = images[0].get("hi_res") or images[0].get("large") or images[0].get("thumb")
    product = Product(
        id=str(row["parent_asin"]),
        title=text_of(row.get("title")),
        description=text_of(row.get("description")),
        brand=text_of(row.get("store") or details.get("Brand") or ""),
        categories=_dedupe_path(row.get("categories") or []),
        image_url=image,
        rating_avg=_float_or_none(row.get("average_rating")),
        rating_count=int(row.get("rating_number") or 0),
    )
    price = row.get("price")
    apply_price(product, None if price in ("None", None) else price, report)
    if not product.categories and row.get("main_category"):
        product.categories = [clean_text(row["main_category"])]
    features = [clean_text(f) for f in row.get("features") or [] if f]
    if features:
        product.attributes["features"] = " | ".join(features)[:2000]
    _details_to_attributes(details, product)
    return product


def _details_to_attributes(details: Any, product: Product) -> None:
    if not isinstance(details, dict):
        return
    for key, value in details.items():
        name = _DETAIL_KEY_RE.sub("", clean_text(key))
        if not name or name in _SKIPPED_DETAILS or not isinstance(value, str | int | float):
            continue
        text = clean_text(value)
        if text and len(text) <= 200:
            product.attributes[name] = text


def _dedupe_path(path: list[Any]) -> list[str]:
    out: list[str] = []
    for level in path:
        text = clean_text(level)
        if text and (not out or out[-1] != text):
            out.append(text)
    return out


def _first_url(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


_RELEASE_2018 = _Release(
    "asin",
    "reviewerID",
    "overall",
    "summary",
    "reviewText",
    "unixReviewTime",
    _product_2018,
    "*_5.json.gz",
    "meta_*.json.gz",
)
_RELEASE_2023 = _Release(
    "parent_asin",
    "user_id",
    "rating",
    "title",
    "text",
    "timestamp",
    _product_2023,
    "<category>.jsonl",
    "meta_<category>.jsonl",
)
