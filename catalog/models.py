"""The catalog's data model: products, shoppers, interactions and reviews.

Plain dataclasses with slots: importers create hundreds of thousands of these,
so they stay cheap to build. Validation and repair happen in `catalog.cleaning`,
not in constructors, so that a bad row can be counted and reported instead of
raising half-way through a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class InteractionKind(StrEnum):
    VIEW = "view"
    CART = "cart"
    PURCHASE = "purchase"
    RATING = "rating"


class Split(StrEnum):
    """Which evaluation split an interaction belongs to.

    Sources with a fixed benchmark split (LightGCN, RecBole, MiniOneRec) keep it;
    everything else is `train`, and evaluation derives its own split.
    """

    TRAIN = "train"
    VALID = "valid"
    TEST = "test"


@dataclass(slots=True)
class Product:
    id: str
    title: str
    description: str = ""
    brand: str = ""
    categories: list[str] = field(default_factory=list)  # root first, leaf last
    price: float | None = None
    currency: str = "USD"
    attributes: dict[str, str] = field(default_factory=dict)
    rating_avg: float | None = None
    rating_count: int = 0
    image_url: str | None = None
    in_stock: bool = True
    title_i18n: dict[str, str] = field(default_factory=dict)  # e.g. {"zh": "..."}

    @property
    def category(self) -> str:
        """The leaf category, or an empty string."""
        return self.categories[-1] if self.categories else ""


@dataclass(slots=True)
class Shopper:
    id: str
    name: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Interaction:
    shopper_id: str
    product_id: str
    kind: InteractionKind = InteractionKind.PURCHASE
    value: float = 1.0
    timestamp: int | None = None  # Unix seconds, UTC
    split: Split = Split.TRAIN
    seq: int = 0  # order within the source, for sources without timestamps


@dataclass(slots=True)
class Review:
    id: str
    shopper_id: str
    product_id: str
    rating: float | None
    title: str = ""
    text: str = ""
    timestamp: int | None = None


@dataclass(slots=True)
class RawDataset:
    """What an importer read, before cleaning.

    `shoppers` may be empty: shoppers named by interactions or reviews are
    created implicitly during cleaning.
    """

    products: list[Product] = field(default_factory=list)
    shoppers: list[Shopper] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
