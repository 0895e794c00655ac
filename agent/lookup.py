"""Known-item lookup: a product named in a message ("Does the Brewmaster Peak 200
espresso machine have a milk frother?") found by its name before anything is
answered, with no list shown first.

A product's name is its brand plus the words of its title that set it apart
(model numbers, series names). A message names a product when it holds the
brand or a model token and the title words it holds weigh (by how rare they
are in the catalog's titles) clearly more for one product than for any other;
a model number the message gives rules out the products that lack it ("Peak 200"
is not the Peak 800); when several products fit about equally, they are the
short list the shopper chooses from.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from catalog.models import Product

_TOKEN = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
_MODEL = re.compile(r"(?=.*\d)[a-z0-9-]{2,}")  # tokens with a digit: "200", "xr-7"
MIN_SHARE = 0.5  # of the title's weight the message must hold
LEAD = 1.3  # the best match must weigh this much more than the next to be "the" product
MAX_CHOICES = 3


@dataclass
class Lookup:
    products: list[Product]
    _tokens: list[set[str]] = field(default_factory=list, init=False)
    _idf: dict[str, float] = field(default_factory=dict, init=False)
    _by_token: dict[str, list[int]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        df: Counter = Counter()
        for p in self.products:
            tokens = set(_TOKEN.findall(f"{p.brand} {p.title}".casefold()))
            self._tokens.append(tokens)
            df.update(tokens)
        n = len(self.products)
        self._idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        for i, tokens in enumerate(self._tokens):
            for t in tokens:
                if self._idf[t] > 2.0 or _MODEL.fullmatch(t):  # distinctive words only
                    self._by_token.setdefault(t, []).append(i)

    def find(self, text: str) -> list[Product]:
        """The product the text names (one), a short list when it is ambiguous, or []."""
        words = set(_TOKEN.findall(text.casefold()))
        candidates = {i for w in words for i in self._by_token.get(w, [])}
        scored = []
        for i in candidates:
            p, tokens = self.products[i], self._tokens[i]
            brand = set(_TOKEN.findall(p.brand.casefold()))
            held = words & tokens
            if not (brand and brand <= held) and not any(
                _MODEL.fullmatch(w) and self._idf[w] > 2.0 for w in held
            ):
                continue  # neither its brand nor a model token rare in the catalog
            if not any(
                w not in brand and (self._idf[w] > 2.0 or _MODEL.fullmatch(w)) for w in held
            ):
                continue  # a brand alone ("from Bass Pro Shops") names a brand, not a product
            weight = sum(self._idf[w] for w in held)
            share = weight / max(sum(self._idf[t] for t in tokens), 1e-9)
            if share >= MIN_SHARE or weight >= 12.0:
                scored.append((weight, i))
        scored.sort(reverse=True)
        if not scored:
            return []
        # A model number the message gives is an identifier: of the products it could
        # mean, those that carry every model token the message shares with one of them.
        models = {w for w in words if _MODEL.fullmatch(w)}
        models &= {w for _, i in scored for w in self._tokens[i]}
        exact = [(w, i) for w, i in scored if models <= self._tokens[i]]
        if models and exact:
            scored = exact
        if len(scored) == 1 or scored[0][0] >= LEAD * scored[1][0]:
            return [self.products[scored[0][1]]]
        close = [i for w, i in scored if w * LEAD > scored[0][0]][:MAX_CHOICES]
        return [self.products[i] for i in close]
