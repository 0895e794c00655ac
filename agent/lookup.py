"""Known-item lookup: a product named in a message ("Does the Brewmaster Peak 200
espresso machine have a milk frother?") found by its name before anything is
answered, with no list shown first.

A product's name is its brand plus the words of its title that set it apart
(model numbers, series names). A message names a product when it holds the
brand or a model token and the title words it holds weigh (by how rare they
are in the catalog's titles) clearly more for one product than for any other;
a model number the message gives rules out the products that lack it ("Peak 200"
is not the Peak 800); when several products fit about equally, they are the
short list the shopper chooses from. A product without a brand (a book, say) is named
by its title as written, the part before a subtitle or series ("something like Gone
Girl", "books similar to The Girl on the Train").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from catalog.models import Product

_TOKEN = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
_MODEL = re.compile(r"(?=.*\d)[a-z0-9-]{2,}")  # tokens with a digit: "200", "xr-7"
# a number and its unit is a measure many products share, no model: "1.75mm", "3d", "12v";
# so is a screw thread's size, metric or inch ("m3", "m2.5", "10-24", "4-20" of "1/4-20")
_MEASURE = re.compile(
    r"\d+(?:\.\d+)?(?:mm|cm|m|in|ft|kg|g|mg|lb|lbs|oz|ml|l|v|w|a|ah|mah|hz|khz|mhz|gb|tb|d|x"
    r"|pcs|pc|pk|ct|awg|psi|k)"
    r"|m\d+(?:\.\d+)?|\d{1,2}-\d{2}"
)


def _model(word: str) -> bool:
    """A token that may identify a product by its model ("200", "xr-7", "pds5022t")."""
    return bool(_MODEL.fullmatch(word)) and not _MEASURE.fullmatch(word)


MIN_SHARE = 0.5  # of the title's weight the message must hold
LEAD = 1.3  # the best match must weigh this much more than the next to be "the" product
MAX_CHOICES = 3


@dataclass
class Lookup:
    products: list[Product]
    _tokens: list[set[str]] = field(default_factory=list, init=False)
    _idf: dict[str, float] = field(default_factory=dict, init=False)
    _by_token: dict[str, list[int]] = field(default_factory=dict, init=False)
    _by_title: dict[tuple[str, ...], list[int]] = field(default_factory=dict, init=False)

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
        for i, p in enumerate(self.products):
            if not (p.brand or "").strip() and (name := _short_title(p.title)):
                self._by_title.setdefault(name, []).append(i)

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
                _model(w) and self._idf[w] > 2.0 for w in held
            ):
                continue  # neither its brand nor a model token rare in the catalog
            if not any(w not in brand and (self._idf[w] > 2.0 or _model(w)) for w in held):
                continue  # a brand alone ("from Bass Pro Shops") names a brand, not a product
            weight = sum(self._idf[w] for w in held)
            share = weight / max(sum(self._idf[t] for t in tokens), 1e-9)
            if share >= MIN_SHARE or weight >= 12.0:
                scored.append((weight, i))
        scored.sort(reverse=True)
        if not scored:
            return self._titled(text)
        # A model number the message gives is an identifier: of the products it could
        # mean, those that carry every model token the message shares with one of them.
        models = {w for w in words if _model(w)}
        models &= {w for _, i in scored for w in self._tokens[i]}
        exact = [(w, i) for w, i in scored if models <= self._tokens[i]]
        if models and exact:
            scored = exact
        if len(scored) == 1 or scored[0][0] >= LEAD * scored[1][0]:
            return [self.products[scored[0][1]]]
        close = [i for w, i in scored if w * LEAD > scored[0][0]][:MAX_CHOICES]
        return [self.products[i] for i in close]

    def _titled(self, text: str) -> list[Product]:
        """Products without a brand whose short title the text holds as written, with a
        capital letter (the longest such title; a short list where several share it)."""
        if not self._by_title:
            return []
        words = _WORD.findall(text)
        found: list[int] = []
        for n in range(min(MAX_TITLE_WORDS, len(words)), 1, -1):
            for start in range(len(words) - n + 1):
                span = words[start : start + n]
                if not any(w[:1].isupper() for w in span):
                    continue  # "second chances" in a sentence is no title
                found += self._by_title.get(tuple(w.casefold() for w in span), [])
            if found:
                break
        return [self.products[i] for i in dict.fromkeys(found)][:MAX_CHOICES]


_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
MAX_TITLE_WORDS = 8  # the longest short title looked for


def _short_title(title: str) -> tuple[str, ...] | None:
    """A title before its subtitle or series ("Gone Girl", "The Girl on the Train"), as
    lowercase words; None for one word or one of more than MAX_TITLE_WORDS (a title that
    describes rather than names)."""
    name = re.split(r"\s[(\[]|:\s|\s-\s", title, maxsplit=1)[0]
    words = tuple(w.casefold() for w in _WORD.findall(name))
    return words if 2 <= len(words) <= MAX_TITLE_WORDS else None
