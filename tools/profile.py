"""A shopper's interest profile from their history: top categories, brands and
price band, each with the history items behind it.

Weights by interaction kind (a purchase says more than a view) are a deliberate
simplification; recency is not weighted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from catalog.models import Interaction, InteractionKind, Product

KIND_WEIGHT = {
    InteractionKind.VIEW: 1.0,
    InteractionKind.CART: 2.0,
    InteractionKind.PURCHASE: 3.0,
    InteractionKind.RATING: 1.0,
}


@dataclass(slots=True)
class Interest:
    name: str
    weight: float  # share of the profile's total weight, 0..1
    product_ids: list[str]  # history items behind it, most recent first


@dataclass(slots=True)
class Profile:
    shopper_id: str
    n_interactions: int
    history: list[str]  # distinct product ids, most recent first
    categories: list[Interest] = field(default_factory=list)
    brands: list[Interest] = field(default_factory=list)
    price_band: tuple[float, float] | None = None  # 25th..75th percentile of purchase prices
    price_items: list[str] = field(default_factory=list)


def build_profile(
    shopper_id: str, history: list[Interaction], products: dict[str, Product], top: int = 3
) -> Profile:
    distinct = list(dict.fromkeys(h.product_id for h in reversed(history)))
    weights: dict[str, float] = Counter()
    for h in history:
        weights[h.product_id] += KIND_WEIGHT.get(h.kind, 1.0)
    total = sum(weights.values()) or 1.0
    cats: dict[str, float] = defaultdict(float)
    brands: dict[str, float] = defaultdict(float)
    cat_items: dict[str, list[str]] = defaultdict(list)
    brand_items: dict[str, list[str]] = defaultdict(list)
    for pid in distinct:
        p = products.get(pid)
        if p is None:
            continue
        if p.category:
            cats[p.category] += weights[pid]
            cat_items[p.category].append(pid)
        if p.brand:
            brands[p.brand] += weights[pid]
            brand_items[p.brand].append(pid)
    profile = Profile(shopper_id, len(history), distinct)
    profile.categories = _top(cats, cat_items, total, top)
    profile.brands = _top(brands, brand_items, total, top)
    bought = [
        pid
        for pid in distinct
        if products.get(pid) is not None
        and products[pid].price is not None
        and weights[pid] >= KIND_WEIGHT[InteractionKind.CART]
    ]
    priced = bought or [
        pid for pid in distinct if products.get(pid) is not None and products[pid].price is not None
    ]
    if priced:
        prices = np.array([products[pid].price for pid in priced])
        profile.price_band = (
            round(float(np.percentile(prices, 25)), 2),
            round(float(np.percentile(prices, 75)), 2),
        )
        profile.price_items = priced[:5]
    return profile


def _top(
    scores: dict[str, float], items: dict[str, list[str]], total: float, top: int
) -> list[Interest]:
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [Interest(name, round(w / total, 3), items[name][:5]) for name, w in ranked]


def feedback_history(feedback: list[tuple[str, str, float]], shopper_id: str) -> list[Interaction]:
    """Likes and carts given in the assistant (`Store.feedback` rows), as interactions
    that count as interest, as views and carts do: a shopper new to the catalog who
    liked two products has a history of two."""
    return [
        Interaction(
            shopper_id,
            pid,
            InteractionKind.CART if kind == "cart" else InteractionKind.VIEW,
            timestamp=int(at),
        )
        for pid, kind, at in feedback
        if kind in ("like", "cart")
    ]
