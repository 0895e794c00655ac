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

Two modes. `literal` (above) reveals the target's own catalog words, which keyword
search alone finds well. `needs`, the default of the benchmark, is harder and closer
to how people shop: an attribute or use is said as a need in the shopper's own
words, drawn from a bilingual need lexicon the benchmark owns
(benchmarks/data/need_lexicon.yaml; never read by the assistant) and from phrases
mined from the catalog's own reviews of the target's category, never containing
the catalog word itself; one fact per turn; about one English message in ten has
a typo; in a share of episodes the shopper asks a question about a shown product
whose answer the record holds, and in another share first gives a budget too low
and then corrects it ("Actually, my budget is under $80"), after which the old one
must no longer filter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from catalog.models import Product

MAX_FACTS_PER_TURN = 2
MODES = ("needs", "literal")
LEXICON = Path(__file__).resolve().parent / "data" / "need_lexicon.yaml"
QUESTION_SHARE = 0.3  # episodes where the shopper asks about a shown product (needs mode)
CHANGE_SHARE = 0.2  # episodes where the shopper corrects the budget it gave (needs mode)
TYPO_SHARE = 0.1  # English messages with a typo (needs mode)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
# A word of four letters or more standing alone ("USCO" of "RT1000201202USCO" is not one)
_WHOLE_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{4,}(?![A-Za-z0-9])")
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
    need: bool = False  # said as a need in the shopper's words (needs mode), not the token


@dataclass(frozen=True)
class Question:
    """A question about a shown product whose answer its record holds."""

    message: str
    product_id: str
    key: str  # the attribute asked about
    value: str  # its value in the record: a correct answer cites a record holding it


@dataclass(frozen=True)
class Turn:
    message: str
    revealed: tuple[Fact, ...]  # the facts new in this message
    reaction: str | None  # cheaper | brand | budget | none | change | None
    # a budget corrected in this message: (the old band, the new band)
    change: tuple[float, float] | None = None


# -- the need lexicon and review phrases (needs mode) -----------------------------------


@dataclass(frozen=True)
class NeedLexicon:
    """Catalog token -> how shoppers say the need, per language."""

    entries: dict[str, dict[str, list[str]]]

    @classmethod
    def load(cls, path: Path = LEXICON) -> NeedLexicon:
        return _lexicon(str(path))

    def phrasings(self, value: str, language: str) -> list[str]:
        """Phrasings of the value's need: its own entry, else the longest entry whose
        token is a whole-word part of the value ("noise cancelling" in "active noise
        cancelling")."""
        key = value.casefold().strip()
        entry = self.entries.get(key)
        if entry is None:
            parts = [
                t for t in self.entries if re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", key)
            ]
            entry = self.entries[max(parts, key=len)] if parts else None
        return list(entry.get(language, [])) if entry else []


@cache
def _lexicon(path: str) -> NeedLexicon:
    rows = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    entries: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        entry = entries.setdefault(str(row["fact"]).casefold(), {"en": [], "zh": []})
        entry["en"] += [str(x) for x in row.get("en", [])]
        entry["zh"] += [str(x) for x in row.get("zh", [])]
    return NeedLexicon(entries)


_CLAUSE = re.compile(r",\s*(?:and\s+)?|[.;!?]\s*")


def mine_review_phrases(
    products: Sequence[Product], reviews: dict[str, list[str]], min_products: int = 5
) -> dict[tuple[str, str], list[str]]:
    """(category, attribute value) -> review clauses that, in that category, are said
    of products with the value (at least `min_products` of them, nine in ten of those
    whose reviews say it) while at most half the category has the value ("the timer
    means coffee is ready when I wake up" -> programmable timer), without the value's
    own words. Catalogs whose reviews do not follow their attributes yield none."""
    by_category: dict[str, list[Product]] = {}
    for p in products:
        if p.category:
            by_category.setdefault(p.category, []).append(p)
    out: dict[tuple[str, str], list[str]] = {}
    for category, members in by_category.items():
        clauses: dict[str, set[str]] = {}  # clause -> products whose reviews say it
        for p in members:
            for text in reviews.get(p.id, []):
                for clause in _CLAUSE.split(text.casefold()):
                    clause = re.sub(r"^(?:and|but|so)\s+", "", clause.strip())
                    if 3 <= len(clause.split()) <= 12 and not clause.startswith("bought it"):
                        clauses.setdefault(clause, set()).add(p.id)
        values: dict[str, set[str]] = {}
        for p in members:
            for v in _clean_values(p):
                values.setdefault(v.casefold(), set()).add(p.id)
        for value, having in values.items():
            if len(having) > len(members) / 2:
                continue  # nearly every product has it: a clause cannot single it out
            words = {w for w in re.findall(r"[a-z0-9]+", value) if len(w) >= 3}
            found = [
                c
                for c, ids in clauses.items()
                if len(ids & having) >= min_products
                and len(ids & having) / len(ids) >= 0.9
                and not any(w in c for w in words)
            ]
            if found:
                out[(category, value)] = sorted(found)
    return out


def _clean_values(product: Product) -> list[str]:
    return [
        v
        for k, v in product.attributes.items()
        if not _SKIP_ATTRIBUTE.search(k) and isinstance(v, str) and 0 < len(v) <= 30
    ]


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
    product: Product,
    words: CatalogWords,
    rng: np.random.Generator,
    currency: str = "USD",
    mode: str = "literal",
    needs: NeedSource | None = None,
) -> list[Fact]:
    """The true facts the shopper may reveal, category first, the rest in a seeded order.
    In needs mode an attribute or use is said as a need (`needs`), and one with no
    phrasing is not said at all."""
    facts: list[Fact] = []
    leaf = product.category
    if leaf and leaf.lower() != words.dominant_category and len(leaf) <= 40:
        facts.append(Fact("category", leaf.lower(), _zh(leaf), leaf))
    rest: list[Fact] = []
    if product.price is not None and product.price > 0:
        rest.append(_price_fact(price_band(product.price), currency))
    if product.brand and len(product.brand) <= 40:
        rest.append(Fact("brand", product.brand, product.brand, product.brand))
    if mode == "needs":
        rest += _need_facts(product, words, rng, needs or NeedSource())
    else:
        use = product.attributes.get("best_for")
        if use and len(use) <= 30:
            rest.append(Fact("use", use, _zh(use), use))
        for word in _attribute_words(product, words.idf, rng):
            rest.append(Fact("attribute", word, _zh(word), word))
    order = rng.permutation(len(rest))
    return facts + [rest[i] for i in order]


@dataclass(frozen=True)
class NeedSource:
    """Where needs-mode phrasings come from: the lexicon and the mined review phrases."""

    lexicon: NeedLexicon | None = None
    mined: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def say(self, product: Product, value: str, rng: np.random.Generator) -> tuple[str, str]:
        """(English, Chinese) need for the value; "" where there is none."""
        lexicon = self.lexicon or NeedLexicon.load()
        en = lexicon.phrasings(value, "en") + self.mined.get(
            (product.category, value.casefold()), []
        )
        zh = lexicon.phrasings(value, "zh")
        token_words = {w for w in re.findall(r"[a-z0-9]+", value.casefold()) if len(w) >= 3}
        en = [e for e in en if not any(w in e.casefold() for w in token_words)]
        zh = [z for z in zh if value.casefold() not in z.casefold()]
        return (
            en[int(rng.integers(len(en)))] if en else "",
            zh[int(rng.integers(len(zh)))] if zh else "",
        )


@dataclass(frozen=True)
class TokenSource(NeedSource):
    """A reference, not a shopper: each need said in the catalog's own words, the value
    it stands for ("waterproof", not "keeps my feet dry"). It draws exactly as
    NeedSource does, so its episodes are the needs-mode episodes but for those words:
    the agent's figures with it bound what a better reading of needs could gain."""

    def say(self, product: Product, value: str, rng: np.random.Generator) -> tuple[str, str]:
        en, zh = super().say(product, value, rng)
        return (value, _zh(value)) if en and zh else (en, zh)


def _need_facts(
    product: Product, words: CatalogWords, rng: np.random.Generator, needs: NeedSource
) -> list[Fact]:
    """The use and up to three attribute values, each said as a need; one with no
    phrasing in both languages is left out."""
    use = product.attributes.get("best_for")
    candidates = [("use", use)] if isinstance(use, str) and use else []
    candidates += [("attribute", w) for w in _attribute_words(product, words.idf, rng, more=True)]
    out: list[Fact] = []
    for kind, value in candidates:
        en, zh = needs.say(product, value, rng)
        if en and zh and len(out) < 3:
            out.append(Fact(kind, en, zh, value, need=True))
    return out


def _price_fact(band: float, currency: str) -> Fact:
    sign = "$" if currency == "USD" else f"{currency} "
    unit = "美元" if currency == "USD" else currency
    return Fact("price", f"under {sign}{band:g}", f"预算{band:g}{unit}以内", band)


def _attribute_words(
    product: Product, idf: dict[str, float], rng: np.random.Generator, more: bool = False
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
        picked = rng.permutation(len(values))[: len(values) if more else 3]
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
    n = len(words) if more else min(3, max(1, len(words) // 2))
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
    if fact.need:  # the shopper's own words, as a sentence
        text = (fact.zh if language == "zh" else fact.en).strip().rstrip(".。")
        return f"{text}。" if language == "zh" else f"{text[:1].upper()}{text[1:]}."
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
        "change": "Actually, my budget is {budget}.",
    },
    "zh": {
        "cheaper": "有便宜一点的吗？",
        "brand": "不要这个牌子。",
        "none": "这些都不是我想要的。",
        "change": "预算改一下，{budget}。",
    },
}


_ORDINALS = {"en": ["first", "second", "third"], "zh": ["第一个", "第二个", "第三个"]}


@dataclass
class SimulatedShopper:
    """One episode's shopper: `opening()` first, then `respond(shown)` each turn, and in
    needs mode maybe one `question(shown)` about a shown product."""

    target: Product
    facts: list[Fact]
    language: str = "en"
    seed: int = 0
    revealed: list[Fact] = field(default_factory=list)
    mode: str = "literal"
    asks: bool = False  # will ask a question about a shown product (needs mode)
    # the budget first said too low, corrected on the next turn: (told, true band)
    change: tuple[float, float] | None = None
    currency: str = "USD"
    turns: int = 0
    idf: dict[str, float] = field(default_factory=dict)  # the catalog's title words

    @classmethod
    def for_target(
        cls,
        target: Product,
        words: CatalogWords,
        seed: int,
        language: str = "en",
        currency: str = "USD",
        mode: str = "literal",
        needs: NeedSource | None = None,
    ) -> SimulatedShopper:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        rng = np.random.default_rng(seed)
        facts = target_facts(target, words, rng, currency, mode, needs)
        shopper = cls(target, facts, language, seed, mode=mode, currency=currency, idf=words.idf)
        if mode == "needs":
            draw = np.random.default_rng([seed, 7])
            shopper.asks = bool(draw.random() < QUESTION_SHARE)
            price = next((f for f in facts if f.kind == "price"), None)
            low = price_band(target.price * 0.5) if target.price else None
            if (
                price is not None
                and low is not None
                and low < target.price
                and draw.random() < CHANGE_SHARE
            ):
                shopper.change = (low, float(price.value))
                told = _price_fact(low, currency)
                shopper.facts = [told if f is price else f for f in facts]
        return shopper

    def opening(self) -> Turn:
        options = _OPENERS[self.language]
        return Turn(options[self.seed % len(options)], (), None)

    def found(self, shown: Sequence[str]) -> bool:
        return self.target.id in shown

    def respond(self, shown: Sequence[Product]) -> Turn:
        """React to what was shown, then reveal new facts (up to two; one in needs
        mode). In needs mode a budget said too low is corrected on the next turn."""
        self.turns += 1
        change = self._correct_budget()
        if change is not None:
            told = _price_fact(change[1], self.currency)
            text = _REACTIONS[self.language]["change"].format(
                budget=told.zh if self.language == "zh" else told.en
            )
            return Turn(self._noisy(text), (told,), "change", change)
        reaction = self._reaction(shown)
        parts: list[str] = []
        if reaction in ("cheaper", "brand", "none"):
            parts.append(_REACTIONS[self.language][reaction])
        elif reaction == "budget":
            parts.append(_say(self._said("price"), self.language))
        elif reaction == "brand_reminder":
            parts.append(_say(self._said("brand"), self.language))
        per_turn = 1 if self.mode == "needs" else MAX_FACTS_PER_TURN
        new = [f for f in self.facts if f not in self.revealed][:per_turn]
        self.revealed.extend(new)
        parts.extend(_say(f, self.language) for f in new)
        if not parts:
            parts.append(_REACTIONS[self.language]["none"])
        sep = "" if self.language == "zh" else " "
        return Turn(self._noisy(sep.join(parts)), tuple(new), reaction)

    def _correct_budget(self) -> tuple[float, float] | None:
        """The true budget, once, on the turn after the low one was said."""
        if self.change is None or not any(f.kind == "price" for f in self.revealed):
            return None
        told, true = self.change
        said = self._said("price")
        if float(said.value) != told:
            return None
        fixed = _price_fact(true, self.currency)
        self.revealed = [fixed if f is said else f for f in self.revealed]
        self.facts = [fixed if f is said else f for f in self.facts]
        return (told, true)

    def _noisy(self, text: str) -> str:
        """About one English message in ten with two letters of one word swapped (needs
        mode); never in a brand or a number."""
        if self.mode != "needs" or self.language != "en":
            return text
        rng = np.random.default_rng([self.seed, 11, self.turns])
        if rng.random() >= TYPO_SHARE:
            return text
        brand = {w.casefold() for w in _WORD.findall(self.target.brand or "")}
        words = [
            m for m in re.finditer(r"[A-Za-z]{5,}", text) if m.group(0).casefold() not in brand
        ]
        if not words:
            return text
        m = words[int(rng.integers(len(words)))]
        w = m.group(0)
        i = int(rng.integers(1, len(w) - 2))
        typo = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        return text[: m.start()] + typo + text[m.end() :]

    def question(self, shown: Sequence[Product]) -> Question | None:
        """A question about one of the shown products whose answer its record holds:
        "Is the second one waterproof?" / "第二个是防水的吗？" of an attribute value;
        where no shown product has attribute values (catalogs of text alone), of a
        distinctive word of its title: "Does the second one mention brass?"."""
        if not self.asks or self.mode != "needs":
            return None
        rng = np.random.default_rng([self.seed, 13])
        order = rng.permutation(min(3, len(shown)))
        question = self._attribute_question(shown, order, rng)
        if question is None:
            question = self._text_question(shown, order, rng)
        if question is not None:
            self.asks = False  # once per episode
        return question

    def _attribute_question(
        self, shown: Sequence[Product], order: np.ndarray, rng: np.random.Generator
    ) -> Question | None:
        for i in order:
            product = shown[int(i)]
            pairs = [
                (k, v)
                for k, v in product.attributes.items()
                if not _SKIP_ATTRIBUTE.search(k)
                and k not in ("best_for", "color")
                and isinstance(v, str)
                and 2 < len(v) <= 30
            ]
            if not pairs:
                continue
            key, value = pairs[int(rng.integers(len(pairs)))]
            which = _ORDINALS[self.language][int(i)]
            if self.language == "zh":
                message = f"{which}是{_zh(value)}的吗？"
            else:
                message = f"Is the {which} one {value}?"
            return Question(message, product.id, key, value)
        return None

    def _text_question(
        self, shown: Sequence[Product], order: np.ndarray, rng: np.random.Generator
    ) -> Question | None:
        for i in order:
            product = shown[int(i)]
            dull = _DULL | {w.lower() for w in _WORD.findall(product.brand)}
            words = list(
                dict.fromkeys(
                    w.lower()
                    for w in _WHOLE_WORD.findall(own_title(product))
                    if w.lower() not in dull and w.lower().removesuffix("s") not in _DULL
                )
            )
            if not words:
                continue
            weights = np.array([self.idf.get(w, 1.0) for w in words], dtype=float)
            word = words[int(rng.choice(len(words), p=weights / weights.sum()))]
            which = _ORDINALS[self.language][int(i)]
            if self.language == "zh":
                message = f"{which}有提到{word}吗？"
            else:
                message = f"Does the {which} one mention {word}?"
            return Question(message, product.id, "title", word)
        return None

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
        """What a search-only shopper would type: the facts revealed so far, in the
        words the shopper used (needs, in needs mode)."""
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
