"""Hard product filters, shared by the recommender and the search so that both
apply exactly the same rules.

A filter is data (`ProductFilter`); a `ProductTable` is a catalog's products as
columns, built once, that turns a filter into a boolean mask over its items in
a few vectorised operations. Rules:
- price bounds are inclusive; a product without a price never passes a bound
  (it cannot be shown to respect the budget), unless `unpriced` lets those that
  list no price through (the caller then says their price is unknown);
- a category matches any level of a product's category path, case-insensitively,
  so "Audio" selects headphones and speakers ("including descendants");
- brand include/exclude compare brand keys (`catalog.brands.brand_key`): case,
  punctuation and legal forms aside, so "trusted media brands inc" selects
  "Trusted Media Brands, Inc.";
- `min_rating` drops products without a rating;
- `include_ids` restricts to a candidate set, `exclude_ids` removes ids;
- `exclude_title_words` removes products whose title says one of the words, as a
  whole word and case aside ("men's" for a gift for a sister; "women's" keeps),
  unless it also says one of `keep_title_words` ("men's and women's");
- `avoid_words` removes products whose title (in any language) or attribute values
  say one of the words, not negated: "black", "PVC", "leather" for a shopper who does
  not want them; "fragrance-free" stays for "no fragrance";
- `in_stock_only` drops products marked out of stock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from catalog.brands import brand_key
from catalog.models import Product


@dataclass(slots=True)
class ProductFilter:
    min_price: float | None = None
    max_price: float | None = None
    categories: list[str] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)  # include only these
    exclude_brands: list[str] = field(default_factory=list)
    min_rating: float | None = None
    include_ids: list[str] | None = None
    exclude_ids: list[str] = field(default_factory=list)
    in_stock_only: bool = False
    unpriced: bool = False  # products that list no price pass the price bounds
    exclude_title_words: list[str] = field(default_factory=list)
    keep_title_words: list[str] = field(default_factory=list)
    avoid_words: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return self == ProductFilter()

    def matches(self, product: Product) -> bool:
        """The same rules for one product (for checks and tests)."""
        return bool(ProductTable([product]).mask(self)[0])


_HAN = re.compile(r"[\u4e00-\u9fff]")  # a Chinese word is found inside a run of them


class ProductTable:
    """A catalog's products as columns, aligned with `ids` (the item order)."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.ids: list[str] = [p.id for p in products]
        self.index: dict[str, int] = {pid: i for i, pid in enumerate(self.ids)}
        n = len(products)
        self.price = np.array(
            [np.nan if p.price is None else p.price for p in products], dtype=np.float64
        )  # (n,) nan = unknown
        self.rating = np.array(
            [np.nan if p.rating_avg is None else p.rating_avg for p in products], dtype=np.float64
        )  # (n,)
        self.rating_count = np.array(
            [p.rating_count or 0 for p in products], dtype=np.int64
        )  # (n,) popularity
        self.in_stock = np.array([p.in_stock for p in products], dtype=bool)  # (n,)
        self.brand = np.array([brand_key(p.brand) for p in products], dtype=object)  # (n,)
        self.category = np.array([p.category for p in products], dtype=object)  # (n,) leaf
        self._by_category: dict[str, list[int]] = {}
        for i, p in enumerate(products):
            for level in dict.fromkeys(c.casefold() for c in p.categories):
                self._by_category.setdefault(level, []).append(i)
        self._titles = [p.title.casefold() for p in products]
        self._said = [
            " | ".join(
                [p.title, *p.title_i18n.values(), *map(str, p.attributes.values())]
            ).casefold()
            for p in products
        ]  # what a product's page says of it in short: avoided words are looked for here
        self._worded: dict[tuple[str, ...], np.ndarray] = {}  # title words -> (n,) bool
        self._n = n

    def __len__(self) -> int:
        return self._n

    @property
    def category_names(self) -> list[str]:
        """Every category name at any level, lower-cased."""
        return sorted(self._by_category)

    def rows(self, ids: Iterable[str]) -> np.ndarray:
        """Row indices of known ids (unknown ids are skipped)."""
        return np.array([self.index[i] for i in ids if i in self.index], dtype=np.int64)

    def mask(self, f: ProductFilter | None) -> np.ndarray:
        """(n,) bool: which products pass the filter."""
        keep = np.ones(self._n, dtype=bool)
        if f is None:
            return keep
        with np.errstate(invalid="ignore"):
            unknown = np.isnan(self.price) if f.unpriced else np.zeros(self._n, dtype=bool)
            if f.min_price is not None:
                keep &= (self.price >= f.min_price) | unknown
            if f.max_price is not None:
                keep &= (self.price <= f.max_price) | unknown
            if f.min_rating is not None:
                keep &= self.rating >= f.min_rating
        if f.categories:
            in_category = np.zeros(self._n, dtype=bool)
            for name in f.categories:
                in_category[self._by_category.get(name.casefold(), [])] = True
            keep &= in_category
        if f.brands:
            keep &= np.isin(self.brand, [brand_key(b) for b in f.brands])
        if f.exclude_brands:
            keep &= ~np.isin(self.brand, [brand_key(b) for b in f.exclude_brands])
        if f.include_ids is not None:
            allowed = np.zeros(self._n, dtype=bool)
            allowed[self.rows(f.include_ids)] = True
            keep &= allowed
        if f.exclude_ids:
            keep[self.rows(f.exclude_ids)] = False
        if f.in_stock_only:
            keep &= self.in_stock
        if f.exclude_title_words:
            out = self._titled(tuple(sorted(w.casefold() for w in f.exclude_title_words)))
            if f.keep_title_words:
                out &= ~self._titled(tuple(sorted(w.casefold() for w in f.keep_title_words)))
            keep &= ~out
        if f.avoid_words:
            keep &= ~self._saying(tuple(sorted({w.casefold() for w in f.avoid_words if w.strip()})))
        return keep

    def _saying(self, words: tuple[str, ...]) -> np.ndarray:
        """(n,) bool: products whose title or attributes say one of the words, not
        negated ("non-slip", "fragrance-free", "无香" do not say slip, fragrance, 香)."""
        found = self._worded.get(("avoid", *words))
        if found is None:
            pattern = re.compile("|".join(map(_unnegated, words)))
            found = np.array([bool(pattern.search(t)) for t in self._said], dtype=bool)
            self._worded[("avoid", *words)] = found
        return found

    def _titled(self, words: tuple[str, ...]) -> np.ndarray:
        """(n,) bool: titles that say one of the words (cached: a filter asked often)."""
        found = self._worded.get(words)
        if found is None:
            pattern = re.compile("|".join(
                re.escape(w) if _HAN.search(w) else rf"(?<![\w']){re.escape(w)}(?![\w'])"
                for w in words
            ))  # fmt: skip
            found = np.array([bool(pattern.search(t)) for t in self._titles], dtype=bool)
            self._worded[words] = found
        return found

    def allowed_ids(self, f: ProductFilter | None) -> list[str]:
        return [self.ids[i] for i in np.flatnonzero(self.mask(f))]


def _unnegated(word: str) -> str:
    """A pattern for the word said as a property, not as its absence ("non-slip" is
    no slip: a word joined to the one before it is never this word)."""
    w = re.escape(word)
    if _HAN.search(word):
        return rf"(?<![不无非没免]){w}"
    return (
        rf"(?<![\w'-])(?<!no )(?<!not )(?<!without ){w}(?![\w'])"
        rf"(?![- ]?(?:free|less)\b)"
    )
