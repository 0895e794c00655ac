"""A simulated shopper with a hidden target product, in the spirit of
InteRecAgent's user simulator, but rule-based and deterministic (no LLM).

The shopper knows one product (a held-out real purchase) and never says its
title. It opens with a vague request; on each later turn it reacts to the
products it was shown and then reveals at most two new true facts about the
target: its category, a price band, its brand, its use, one or two attribute
words from its attributes or title. Reactions are true statements too:
"cheaper" only when the target is cheaper than everything shown, "not that
brand" only when the first product shown is of another brand, a reminder of
the budget or the brand when a shown product breaks what was already said,
"none of these" otherwise. English or Chinese; a Chinese shopper of an
English-only catalog writes catalog words (brands, attribute words) as they
appear on the site, inside Chinese sentences.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from catalog.models import Product

MAX_FACTS_PER_TURN = 2
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
# Words that tell nothing about a product, or that only a title would contain.
_DULL = frozenset(
    """
    the and for with from this that pack count inch inches size sizes new set piece pieces
    item items product products one two three four five six ten use used using includes
    include including each per high low made make quality great best premium standard
    type style model version old amazon com gift card cards
    """.split()  # noqa: SIM905
)
# Attribute keys of real catalogs that describe shipping or bookkeeping, not the product.
_SKIP_ATTRIBUTE = re.compile(r"ship|dimension|weight|categor|feature|rank|date|asin|upc", re.I)


@dataclass(frozen=True)
class Fact:
    kind: str  # category | price | brand | use | attribute
    en: str  # as the shopper says it in English
    zh: str  # as the shopper says it in Chinese
    value: str | float


@dataclass(frozen=True)
class Turn:
    message: str
    revealed: tuple[Fact, ...]  # the facts new in this message
    reaction: str | None  # cheaper | brand | budget | none | None


@cache
def _demo_chinese() -> dict[str, str]:
    """English -> Chinese for the demo shop's categories, attribute values and uses."""
    from catalog.demo import load_vocab

    out: dict[str, str] = {}
    for cat in load_vocab()["categories"]:
        out[cat["path"][-1].lower()] = cat["zh"]
        out[cat["noun"].lower()] = cat["zh"]
        for en, zh in zip(cat.get("uses", []), cat.get("uses_zh", []), strict=False):
            out[en.lower()] = zh
        for values in cat.get("attributes", {}).values():
            for en, meta in values.items():
                out[en.lower()] = (meta or {}).get("zh", en)
    return out


def _zh(text: str) -> str:
    return _demo_chinese().get(text.lower(), text)


def price_band(price: float) -> float:
    """A round budget a shopper would name for a product of this price (always above it)."""
    step = 5 if price < 50 else 10 if price < 200 else 50 if price < 1000 else 100
    return float(math.floor(price / step) * step + step)


def own_title(product: Product) -> str:
    """The title without the id that ingest appends to tell look-alikes apart ("Amazon
    eGift Card (item B004LLJ5SM)"): a shopper does not know a product's id."""
    return product.title.replace(f"item {product.id}", " ").replace(product.id, " ")


@dataclass(frozen=True)
class CatalogWords:
    """What the shopper knows of the catalog: how rare each title word is, and the
    category nearly every product shares (naming it tells the assistant nothing)."""

    idf: dict[str, float]
    dominant_category: str | None = None

    @classmethod
    def of(cls, products: Sequence[Product]) -> CatalogWords:
        df: dict[str, int] = {}
        cats: dict[str, int] = {}
        for p in products:
            for w in {w.lower() for w in _WORD.findall(own_title(p))}:
                df[w] = df.get(w, 0) + 1
            if p.category:
                cats[p.category.lower()] = cats.get(p.category.lower(), 0) + 1
        n = max(1, len(products))
        dominant = max(cats.items(), key=lambda kv: kv[1]) if cats else None
        return cls(
            {w: math.log(n / c) + 0.1 for w, c in df.items()},
            dominant[0] if dominant and dominant[1] > 0.5 * n else None,
        )


def target_facts(
    product: Product, words: CatalogWords, rng: np.random.Generator, currency: str = "USD"
) -> list[Fact]:
    """The true facts the shopper may reveal, category first, the rest in a seeded order."""
    facts: list[Fact] = []
    leaf = product.category
    if leaf and leaf.lower() != words.dominant_category and len(leaf) <= 40:
        facts.append(Fact("category", leaf.lower(), _zh(leaf), leaf))
    rest: list[Fact] = []
    if product.price is not None and product.price > 0:
        band = price_band(product.price)
        sign = "$" if currency == "USD" else f"{currency} "
        unit = "美元" if currency == "USD" else currency
        rest.append(Fact("price", f"under {sign}{band:g}", f"预算{band:g}{unit}以内", band))
    if product.brand and len(product.brand) <= 40:
        rest.append(Fact("brand", product.brand, product.brand, product.brand))
    use = product.attributes.get("best_for")
    if use and len(use) <= 30:
        rest.append(Fact("use", use, _zh(use), use))
    for word in _attribute_words(product, words.idf, rng):
        rest.append(Fact("attribute", word, _zh(word), word))
    order = rng.permutation(len(rest))
    return facts + [rest[i] for i in order]


def _attribute_words(
    product: Product, idf: dict[str, float], rng: np.random.Generator
) -> list[str]:
    """Up to three short attribute phrases: the product's own attribute values when it
    has clean ones (the demo shop), else informative title words drawn by IDF, never
    more than half the title's content words."""
    values = [
        v
        for k, v in product.attributes.items()
        if not _SKIP_ATTRIBUTE.search(k)
        and k != "best_for"
        and isinstance(v, str)
        and 0 < len(v) <= 30
        and len(v.split()) <= 3
    ]
    if values:
        picked = rng.permutation(len(values))[:3]
        return [values[i] for i in sorted(picked)]
    brand_words = {w.lower() for w in _WORD.findall(product.brand)}
    words = list(
        dict.fromkeys(
            w.lower()
            for w in _WORD.findall(own_title(product))
            if w.lower() not in _DULL and w.lower() not in brand_words
        )
    )
    if not words:
        words = list(
            dict.fromkeys(
                w.lower()
                for w in _WORD.findall(product.description)[:60]
                if w.lower() not in _DULL and w.lower() not in brand_words
            )
        )[:8]
    if not words:
        return []
    n = min(3, max(1, len(words) // 2))
    weights = np.array([idf.get(w, 1.0) for w in words], dtype=float)
    picked = rng.choice(len(words), size=n, replace=False, p=weights / weights.sum())
    return [words[i] for i in sorted(picked)]


_OPENERS = {
    "en": [
        "Hi, I'm looking for something.",
        "Can you recommend something for me?",
        "I need to buy something, can you help?",
        "Show me something I might like.",
    ],
    "zh": [
        "你好，我想买点东西。",
        "能给我推荐点什么吗？",
        "我需要买个东西，帮我看看。",
        "推荐点我可能喜欢的。",
    ],
}


def _say(fact: Fact, language: str) -> str:
    if language == "zh":
        return {
            "category": f"我想找{fact.zh}。",
            "price": f"{fact.zh}。",
            "brand": f"最好是{fact.zh}的。",
            "use": f"主要用于{fact.zh}。",
            "attribute": f"要{fact.zh}的。",
        }[fact.kind]
    return {
        "category": f"I'm looking for {fact.en}.",
        "price": f"My budget is {fact.en}.",
        "brand": f"I'd like it from {fact.en}.",
        "use": f"It's for {fact.en}.",
        "attribute": f"It should be {fact.en}.",
    }[fact.kind]


_REACTIONS = {
    "en": {
        "cheaper": "Something cheaper, please.",
        "brand": "Not that brand.",
        "none": "None of these is what I want.",
    },
    "zh": {
        "cheaper": "有便宜一点的吗？",
        "brand": "不要这个牌子。",
        "none": "这些都不是我想要的。",
    },
}


@dataclass
class SimulatedShopper:
    """One episode's shopper: `opening()` first, then `respond(shown)` each turn."""

    target: Product
    facts: list[Fact]
    language: str = "en"
    seed: int = 0
    revealed: list[Fact] = field(default_factory=list)

    @classmethod
    def for_target(
        cls,
        target: Product,
        words: CatalogWords,
        seed: int,
        language: str = "en",
        currency: str = "USD",
    ) -> SimulatedShopper:
        rng = np.random.default_rng(seed)
        return cls(target, target_facts(target, words, rng, currency), language, seed)

    def opening(self) -> Turn:
        options = _OPENERS[self.language]
        return Turn(options[self.seed % len(options)], (), None)

    def found(self, shown: Sequence[str]) -> bool:
        return self.target.id in shown

    def respond(self, shown: Sequence[Product]) -> Turn:
        """React to what was shown, then reveal up to two facts not yet said."""
        reaction = self._reaction(shown)
        parts: list[str] = []
        if reaction in _REACTIONS[self.language]:
            parts.append(_REACTIONS[self.language][reaction])
        elif reaction == "budget":
            parts.append(_say(self._said("price"), self.language))
        elif reaction == "brand_reminder":
            parts.append(_say(self._said("brand"), self.language))
        new = [f for f in self.facts if f not in self.revealed][:MAX_FACTS_PER_TURN]
        self.revealed.extend(new)
        parts.extend(_say(f, self.language) for f in new)
        if not parts:
            parts.append(_REACTIONS[self.language]["none"])
        sep = "" if self.language == "zh" else " "
        return Turn(sep.join(parts), tuple(new), reaction)

    def _said(self, kind: str) -> Fact:
        return next(f for f in self.revealed if f.kind == kind)

    def _reaction(self, shown: Sequence[Product]) -> str | None:
        if not shown:
            return None
        said = {f.kind for f in self.revealed}
        t = self.target
        prices = [p.price for p in shown if p.price is not None]
        if "price" in said:
            band = float(self._said("price").value)
            if any(p > band for p in prices):
                return "budget"
        if "brand" in said and any(p.brand != t.brand for p in shown):
            return "brand_reminder"
        if t.price is not None and prices and t.price < min(prices) and "price" not in said:
            return "cheaper"
        first = shown[0].brand
        if first and t.brand and first != t.brand and "brand" not in said:
            return "brand"
        return "none"

    def query(self) -> str:
        """What a search-only shopper would type: the facts revealed so far."""
        if not self.revealed:
            return self.opening().message
        words = [f.en if self.language == "en" else f.zh for f in self.revealed]
        return " ".join(words)


# -- statistics ------------------------------------------------------------------------


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion."""
    if n == 0:
        return (0.0, 0.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def mean_ci(values: Sequence[float], z: float = 1.96) -> tuple[float, float, float]:
    """Mean and its normal-approximation 95 % interval."""
    a = np.asarray(values, dtype=float)
    if len(a) == 0:
        return (0.0, 0.0, 0.0)
    m = float(a.mean())
    half = z * float(a.std(ddof=1)) / math.sqrt(len(a)) if len(a) > 1 else 0.0
    return (m, m - half, m + half)
