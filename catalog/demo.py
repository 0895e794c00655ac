"""The generated demo shop: products, shoppers with latent tastes, their
interactions and reviews. Seeded and deterministic.

Shoppers' behaviour follows hidden tastes so that recommenders have real
signal: each shopper has a sparse preference over categories, affinities to
brands, a favourite colour, a budget and a latent style vector that matches
products' latent style (collaborative structure that text alone cannot
explain). What it simplifies on purpose: one currency (USD), one shop, no
stock changes, and review texts from phrase tables.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from catalog.models import (
    Interaction,
    InteractionKind,
    Product,
    RawDataset,
    Review,
    Shopper,
)

GENERATOR_VERSION = "1"
START_TS = 1_735_689_600  # 2025-01-01 UTC
SPAN_SECONDS = 540 * 86_400
STYLE_DIM = 8
DEFAULT_SEED = 7


@dataclass(frozen=True, slots=True)
class DemoConfig:
    seed: int = DEFAULT_SEED
    products: int = 2000
    shoppers: int = 1000
    min_views: int = 8
    max_views: int = 50


def load_vocab() -> dict[str, Any]:
    text = importlib.resources.files("catalog").joinpath("demo_vocab.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def generate(config: DemoConfig | None = None) -> RawDataset:
    config = config or DemoConfig()
    rng = np.random.default_rng(config.seed)
    vocab = load_vocab()
    products, meta = _products(rng, vocab, config.products)
    shoppers, tastes = _shoppers(rng, vocab, meta, config.shoppers)
    interactions, reviews = _behaviour(rng, vocab, products, meta, shoppers, tastes, config)
    _rating_stats(products, interactions)
    return RawDataset(products, shoppers, interactions, reviews)


def _rating_stats(products: list[Product], interactions: list[Interaction]) -> None:
    ratings: dict[str, list[float]] = {}
    for it in interactions:
        if it.kind is InteractionKind.RATING:
            ratings.setdefault(it.product_id, []).append(it.value)
    for p in products:
        if p.id in ratings:
            p.rating_avg = round(float(np.mean(ratings[p.id])), 2)
            p.rating_count = len(ratings[p.id])


# -- products ----------------------------------------------------------------------


@dataclass(slots=True)
class _ProductMeta:
    category: np.ndarray  # (n_products,) int category index
    brand: list[str]
    color: list[str]
    quality: np.ndarray  # (n_products,) float, hidden product quality
    style: np.ndarray  # (n_products, STYLE_DIM) float32 latent style


def _products(rng: np.random.Generator, vocab: dict, n: int) -> tuple[list[Product], _ProductMeta]:
    categories = vocab["categories"]
    products: list[Product] = []
    cat_index, brands, colors = [], [], []
    for i in range(n):
        c = i % len(categories)
        cat = categories[c]
        brand = str(rng.choice(cat["brands"]))
        chosen = {name: str(rng.choice(list(values))) for name, values in cat["attributes"].items()}
        product = _make_product(rng, vocab, cat, brand, chosen, 1001 + i)
        products.append(product)
        cat_index.append(c)
        brands.append(brand)
        colors.append(chosen.get("color", ""))
    style = rng.normal(size=(n, STYLE_DIM)).astype(np.float32)
    style /= np.linalg.norm(style, axis=1, keepdims=True)
    meta = _ProductMeta(np.array(cat_index), brands, colors, rng.normal(0, 0.5, n), style)
    return products, meta


def _make_product(
    rng: np.random.Generator, vocab: dict, cat: dict, brand: str, chosen: dict[str, str], pid: int
) -> Product:
    series = f"{rng.choice(vocab['series'])} {int(rng.integers(1, 10)) * 100}"
    attrs = cat["attributes"]
    noun = chosen["type"] if cat.get("type_is_noun") else cat["noun"]
    noun_zh = attrs["type"][chosen["type"]]["zh"] if cat.get("type_is_noun") else cat["zh"]
    adjectives, suffixes, features = _split_attributes(cat, chosen, noun)
    title = " ".join([brand, series, *adjectives[:2], noun, *suffixes])
    if features:
        title += f" with {features[0]}"
    if "color" in chosen:
        title += f", {chosen['color'].title()}"
    zh_keys = [k for k in chosen if k not in ("color", "type")][:3]
    if "type" in chosen and not cat.get("type_is_noun"):
        zh_keys = ["type", *zh_keys][:3]
    title_zh = f"{brand} {series} " + "".join(attrs[k][chosen[k]]["zh"] for k in zh_keys)
    title_zh += noun_zh + (f" {attrs['color'][chosen['color']]['zh']}" if "color" in chosen else "")
    tier = vocab["brands"][brand]
    premium = sum(attrs[k][v].get("premium", 0.0) for k, v in chosen.items())
    low, high = cat["price"]
    base = rng.uniform(low, high) * (0.75, 1.0, 1.45)[tier] * (1.0 + premium)
    price = round(max(5.0, base)) - 0.01
    use = str(rng.choice(cat["uses"]))
    description = _description(brand, series, noun, chosen, use, cat)
    return Product(
        id=str(pid),
        title=title,
        description=description,
        brand=brand,
        categories=list(cat["path"]),
        price=float(price),
        currency="USD",
        attributes={k: v for k, v in chosen.items()} | {"best_for": use},
        in_stock=bool(rng.random() > 0.05),
        title_i18n={"zh": title_zh},
    )


def _split_attributes(
    cat: dict, chosen: dict[str, str], noun: str
) -> tuple[list[str], list[str], list[str]]:
    """Attribute values that read before the noun, after it ("for dry skin"), or after "with"."""
    adjectives, suffixes, features = [], [], []
    for key, value in chosen.items():
        if key == "color" or value == noun:
            continue
        if key in cat["features"]:
            features.append(value)
        elif value.startswith("for "):
            suffixes.append(value)
        else:
            adjectives.append(value)
    return adjectives, suffixes, features


def _description(
    brand: str, series: str, noun: str, chosen: dict[str, str], use: str, cat: dict
) -> str:
    adjectives, suffixes, features = _split_attributes(cat, chosen, noun)
    described = " ".join([", ".join(adjectives), noun, *suffixes]).strip()
    if cat["plural"]:
        lead = f"The {brand} {series} are {described}"
    else:
        lead = f"The {brand} {series} is {_article(described)} {described}"
    if features:
        listed = (
            features[0]
            if len(features) == 1
            else (", ".join(features[:-1]) + " and " + features[-1])
        )
        lead += f" with {listed}"
    sentences = [f"{lead}.", f"Designed for {use}."]
    if "color" in chosen:
        sentences.append(f"Finished in {chosen['color']}.")
    sentences.append(f"Part of {brand}'s {cat['name'].lower()} range.")
    return " ".join(sentences)


def _article(phrase: str) -> str:
    word = phrase.split()[0].strip(",")
    if word.isupper() and word[0] in "AEFHILMNORSX":  # acronyms read letter by letter
        return "an"
    return "an" if word[0].lower() in "aeiou" else "a"


# -- shoppers ----------------------------------------------------------------------


@dataclass(slots=True)
class _Tastes:
    category: np.ndarray  # (n_shoppers, n_categories) preference, rows sum to 1
    brand: dict[str, np.ndarray]  # brand -> (n_shoppers,) affinity
    color: list[str]
    budget: np.ndarray  # (n_shoppers,) price multiplier they are comfortable with
    style: np.ndarray  # (n_shoppers, STYLE_DIM)


def _shoppers(
    rng: np.random.Generator, vocab: dict, meta: _ProductMeta, n: int
) -> tuple[list[Shopper], _Tastes]:
    n_cat = len(vocab["categories"])
    category = rng.dirichlet(np.full(n_cat, 0.25), size=n)
    brand = {b: rng.normal(0, 0.8, n) for b in vocab["brands"]}
    palette = sorted({c for c in meta.color if c})
    color = [str(rng.choice(palette)) for _ in range(n)]
    budget = rng.choice([0.7, 1.0, 1.5], size=n, p=[0.35, 0.45, 0.2])
    style = rng.normal(size=(n, STYLE_DIM)).astype(np.float32)
    shoppers = [
        Shopper(
            id=f"u{i + 1:04d}",
            name=f"Demo shopper {i + 1}",
            attributes={"locale": "zh" if rng.random() < 0.3 else "en"},
        )
        for i in range(n)
    ]
    return shoppers, _Tastes(category, brand, color, budget, style)


# -- behaviour ---------------------------------------------------------------------


def _utility(
    products: list[Product], meta: _ProductMeta, tastes: _Tastes, vocab: dict
) -> np.ndarray:
    """(n_shoppers, n_products) how much each shopper likes each product."""
    cat_pref = np.log(tastes.category[:, meta.category] + 1e-4)  # (S, P)
    brand = np.stack([tastes.brand[b] for b in meta.brand], axis=1)  # (S, P)
    color = (np.array(tastes.color)[:, None] == np.array(meta.color)[None, :]).astype(np.float32)
    ranges = np.array([np.mean(vocab["categories"][c]["price"]) for c in meta.category])
    relative = np.array([p.price for p in products]) / ranges  # (P,) 1.0 = typical price
    over = np.maximum(0.0, relative[None, :] - tastes.budget[:, None])
    style = tastes.style @ meta.style.T  # (S, P)
    return 1.2 * cat_pref + brand + 0.8 * color - 2.0 * over + 1.0 * style + meta.quality[None, :]


def _behaviour(
    rng: np.random.Generator,
    vocab: dict,
    products: list[Product],
    meta: _ProductMeta,
    shoppers: list[Shopper],
    tastes: _Tastes,
    config: DemoConfig,
) -> tuple[list[Interaction], list[Review]]:
    utility = _utility(products, meta, tastes, vocab)
    interactions: list[Interaction] = []
    reviews: list[Review] = []
    for s, shopper in enumerate(shoppers):
        n_views = int(rng.integers(config.min_views, config.max_views + 1))
        logits = utility[s] / 0.7
        prob = np.exp(logits - logits.max())
        prob /= prob.sum()
        viewed = rng.choice(len(products), size=n_views, replace=False, p=prob)
        times = np.sort(rng.integers(START_TS, START_TS + SPAN_SECONDS, size=n_views))
        u_rank = utility[s].argsort().argsort()[viewed] / len(products)  # percentile of each view
        for j, p in enumerate(viewed):
            ts = int(times[j])
            pid = products[p].id
            interactions.append(Interaction(shopper.id, pid, InteractionKind.VIEW, 1.0, ts))
            if rng.random() > 0.15 + 0.5 * u_rank[j] ** 4:
                continue
            interactions.append(Interaction(shopper.id, pid, InteractionKind.CART, 1.0, ts + 60))
            if rng.random() > 0.75:
                continue
            interactions.append(
                Interaction(shopper.id, pid, InteractionKind.PURCHASE, 1.0, ts + 300)
            )
            if rng.random() < 0.7:
                stars = _stars(rng, u_rank[j])
                interactions.append(
                    Interaction(
                        shopper.id, pid, InteractionKind.RATING, float(stars), ts + 86_400 * 7
                    )
                )
                if rng.random() < 0.6:
                    reviews.append(_review(rng, vocab, meta, p, shopper, stars, ts, len(reviews)))
    return interactions, reviews


def _stars(rng: np.random.Generator, percentile: float) -> int:
    return int(np.clip(round(1 + 4 * percentile**2 + rng.normal(0, 0.6)), 1, 5))


def _review(
    rng: np.random.Generator,
    vocab: dict,
    meta: _ProductMeta,
    p: int,
    shopper: Shopper,
    stars: int,
    ts: int,
    number: int,
) -> Review:
    cat = vocab["categories"][int(meta.category[p])]
    zh = shopper.attributes.get("locale") == "zh" and rng.random() < 0.5
    suffix = "_zh" if zh else ""
    use = str(rng.choice(cat["uses" + suffix]))
    if stars >= 4:
        point = str(rng.choice(cat["highlights" + suffix]))
        text = f"{use}用起来很合适，{point}。" if zh else f"Bought it for {use}, and {point}."
        title = "很满意" if zh else str(rng.choice(["Love it", "Great value", "Exactly right"]))
    else:
        point = str(rng.choice(cat["complaints" + suffix]))
        text = f"{use}的时候用，但是{point}。" if zh else f"Bought it for {use}, but {point}."
        title = "一般" if zh else str(rng.choice(["Just okay", "Some issues", "Not for me"]))
    return Review(
        id=str(number + 1),
        shopper_id=shopper.id,
        product_id=str(1001 + p),
        rating=float(stars),
        title=title,
        text=text,
        timestamp=ts + 86_400 * 7,
    )
