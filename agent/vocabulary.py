"""The catalog's own vocabulary (categories, brands, attribute values) and
matching a shopper's words against it: exact words first, then embedding
similarity (multilingual, so "蓝牙耳机" finds "Headphones") when an embedder is
available.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from catalog.brands import brand_anchor, brand_pattern
from catalog.models import Product
from tools.dictionary import brand_named, catalog_sense, english_vocabulary, english_words, senses
from tools.text import chinese_words, content_words, kind_words, stem, stem_list, title_parts

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
Encode = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, d) L2-normalised
# A preposition, and a determiner or possessive, just before a word: "in my", "for a".
_SETTING = re.compile(
    r"\b(?:in|into|inside|on|onto|for|with|under|from|to|by|next to)\s+"
    r"(?:(?:my|a|an|the|your|his|her|our|their|its)\s+)?(?:[a-z-]+\s+)?$"
)


# What a product holds or carries is not what it is: "一天出行装得下外套和午饭" (fits a coat
# and lunch) of a backpack, "fits my jacket" (the kind chosen before stays).
_CONTAINED = re.compile(
    r"\b(?:fits?|holds?|carr(?:y|ies)|stores?|takes?)\s+(?:up\s+to\s+)?"
    r"(?:(?:my|a|an|the|your|his|her|our|their|two|three)\s+)?[a-z-]+(?:\s+[a-z-]+)?"
    r"|(?:装得下|放得下|塞得下|能装下?|能放下?|装下|放下|装进|放进|塞进)[^，。,.!?！？；;]*",
    re.I,
)


# How near one word must be to a leaf category to name it alone (Vocabulary._word_category)
WORD_CATEGORY = 0.55
# How near one word of a follow-up must be to another leaf to leave the one chosen, and
# how far from the chosen one (Vocabulary._switched_by_word)
SWITCH_WORD = 0.7
SWITCH_AWAY = 0.5
# The senses of a Chinese word without one the titles use that tell whether a shop has
# the thing ("lawn mower" of 割草机); a word's later senses are rarer.
MAX_SENSES = 4


@dataclass
class Vocabulary:
    categories: list[str]  # every level, original spelling
    brands: list[str]
    attributes: list[str]  # attribute values seen on at least 3 products
    leaves: dict[str, list[str]] = field(default_factory=dict)  # leaf -> texts that name it
    encode: Encode | None = None
    category_threshold: float = 0.4  # calibrated on benchmarks/data/planner_labels.jsonl
    # Leaving a category already chosen takes a closer match: follow-ups such as
    # "lightweight" or "for the shower" describe the product, not a new kind of one.
    switch_threshold: float = 0.6
    _category_vectors: np.ndarray | None = field(default=None, init=False, repr=False)
    _owners: list[str] = field(default_factory=list, init=False, repr=False)
    _anchors: list[tuple[str, str]] | None = field(default=None, init=False, repr=False)
    _text_parts: list[list[list[str]]] | None = field(default=None, init=False, repr=False)
    _text_ends: frozenset[str] = field(default=frozenset(), init=False, repr=False)
    known_words: frozenset[str] = frozenset()  # the words of the catalog's titles
    kinds: frozenset[str] = frozenset()  # title words that say what a product is
    # the ends (two to four characters) of the Chinese titles' runs of characters, where
    # their kind is said ("淡香面霜": 面霜)
    zh_heads: frozenset[str] = frozenset()
    # a word of an attribute value -> the attributes whose values hold it ("school" ->
    # {"best_for"}): "one for hiking instead" replaces the value of the same attribute
    value_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    # the stems of the titles' and categories' words, and of each two words side by side
    title_stems: frozenset[str] = frozenset()
    title_pairs: frozenset[tuple[str, str]] = frozenset()
    # leaf -> the stems of its products' titles and attribute values ("backpacking" of
    # hiking boots' "best for: backpacking trips")
    leaf_words: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_products(cls, products: Sequence[Product], encode: Encode | None = None) -> Vocabulary:
        cats = Counter(c for p in products for c in dict.fromkeys(p.categories))
        brands = Counter(p.brand for p in products if p.brand)
        values = Counter(
            v
            for p in products
            for k, v in p.attributes.items()
            if k not in ("features", "price_max") and isinstance(v, str) and 2 < len(v) < 40
        )
        titled = _Titles([p for p in products if p.brand])
        vocabulary = cls(
            sorted(cats),
            sorted(b for b in brands if not _generic_brand(b, brands[b], titled)),
            sorted(v for v, n in values.items() if n >= 3),
            _leaf_texts(products),
            encode,
        )
        vocabulary.known_words = frozenset(
            w for p in products for w in re.findall(r"[a-z0-9]+", p.title.casefold())
        )
        vocabulary.kinds = kind_words(products)
        vocabulary.zh_heads = frozenset(
            run[-n:]
            for p in products
            for run in _HAN_RUN.findall(p.title_i18n.get("zh", ""))
            for n in (2, 3, 4)
            if len(run) >= n
        )
        keys: dict[str, set[str]] = {}
        for p in products:
            for k, v in p.attributes.items():
                if isinstance(v, str) and values.get(v, 0) >= 3:
                    for word in v.casefold().split():
                        keys.setdefault(word, set()).add(k)
        vocabulary.value_keys = {w: frozenset(ks) for w, ks in keys.items()}
        stems: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for text in {t for p in products for t in (p.title, *p.categories)}:
            seq = stem_list(text)
            stems.update(seq)
            pairs.update(itertools.pairwise(seq))
        vocabulary.title_stems, vocabulary.title_pairs = frozenset(stems), frozenset(pairs)
        words: dict[str, set[str]] = {}
        for p in products:
            if p.category:
                said = [p.title, *(v for v in p.attributes.values() if isinstance(v, str))]
                words.setdefault(p.category, set()).update(stem_list(" ".join(said)))
        vocabulary.leaf_words = {leaf: frozenset(ws) for leaf, ws in words.items()}
        return vocabulary

    def missing_kind(
        self, phrase: str, shown: Sequence[Product] = (), by_senses: bool = False
    ) -> bool:
        """Whether the shop carries nothing called what the shopper asked for by name
        (`phrase`, agent.parse.named_kind): no title or category has its last word, nor a
        word ending on it ("water bottle" where no title says bottle; "watch" where titles
        say "smartwatch" is carried), or none has its last two words side
        by side and no product found for it (`shown`) has the last ("soldering iron" where
        only cast iron is), or a name in it is in no title ("Nintendo cards"); unless the
        category the words mean is that of a product found ("earbuds"). Chinese
        words by their dictionary senses; a word without one, a word that says nothing of
        a kind ("something", "gift") or a brand asks nothing to check: False."""
        phrase = without_names(self.brands_in(phrase), phrase)
        names = [w for w in NAME.findall(phrase) if w.casefold() not in NO_KIND]
        if self.title_stems and any(stem_list(w)[-1] not in self.title_stems for w in names):
            return True  # "do you have Nintendo cards?": a name no title has
        words: list[str] = []
        said = content_words(phrase)
        for i, word in enumerate(said):
            if _HAN.match(word):
                sense = catalog_sense(word, self.known_words.__contains__)
                if sense is None and by_senses and i == len(said) - 1:
                    # the thing itself, by no sense the titles use ("万用表", multimeter,
                    # of an outdoor shop): missing when each of its senses is (asked
                    # where nothing else read the message; "有便宜一点的吗" ends on 便宜,
                    # cheap, which no title says either)
                    senses = english_words(word)[:MAX_SENSES]
                    return bool(senses) and all(self.missing_kind(s, shown) for s in senses)
                if sense is None:
                    return False  # no sense to check by: unknown, not missing
                words += re.findall(r"[a-z][a-z0-9-]*", sense.casefold())
            else:
                words.append(word.casefold())
        words = [w for w in words if w not in NO_KIND]
        if not words or not self.title_stems:
            return False
        head = stem_list(words[-1])[-1:]
        if not head:
            return False
        if head[0] in self.title_stems:
            if len(words) < 2:
                return False
            pair = (stem_list(words[-2])[-1:] or [""])[0], head[0]
            if pair in self.title_pairs:
                return False
            found = {w for p in shown for t in (p.title, *p.categories) for w in stem_list(t)}
            if head[0] in found:
                return False
        elif len(head[0]) >= 4 and any(t.endswith(head[0]) for t in self.title_stems):
            return False  # "watch": titles say "smartwatch"
        # another name for what the products found are ("earbuds" of in-ear headphones):
        # the category the words mean, by the stricter switching threshold, is theirs
        meant = self.guess_category(" ".join(words), self.switch_threshold) if shown else None
        return not (meant and any(meant in p.categories for p in shown))

    def category_in(
        self, message: str, content: str, current: str | None = None
    ) -> tuple[str | None, bool]:
        """(category, guessed) for a message: a category named anywhere in the message
        ("gift cards", though "gift" is no search word), else one guessed from its
        content words. Leaving the `current` category takes the closer
        `switch_threshold`: follow-ups such as "lightweight" describe the product."""
        named = self.named_category(_CONTAINED.sub(" ", message) if current else message)
        if named and current and named != current and self._only_as_setting(message, named):
            named = None  # "one that fits in my backpack": where it goes, not what it is
        if named or not content:
            return named, False
        if current and (switched := self._switched_by_word(message, content, current)):
            return switched, False  # a word that names another kind, as a name does
        threshold = self.switch_threshold if current else None
        guessed = self.guess_category(content, threshold)
        if guessed is None and not current:
            guessed = self._word_category(content)
        return guessed, guessed is not None

    def _switched_by_word(self, message: str, content: str, current: str) -> str | None:
        """Another leaf one word of a follow-up names ("a rucksack that's not too heavy",
        "不要太重的背包" while jackets are shown): the word at least SWITCH_WORD near the
        leaf's own name, not a parent's (a light is no Lighting), and less than
        SWITCH_AWAY near the current one's (鞋 is near running shoes and hiking boots
        alike: no way off hiking boots). Not a word that only qualifies a leaf's name
        (yoga of "yoga mat", 咖啡 of "Coffee Makers":
        "shoes I can do yoga in" asks for shoes), nor one the current leaf's titles or
        values say ("backpacking trips" of hiking boots), nor one after a preposition,
        which says where or with what ("for the coffee shop")."""
        if self.encode is None or not self.leaves or current not in self.leaves:
            return None
        names, qualifiers = self._leaf_names()
        rest = without_names(self.brands_in(content), content)
        lowered = f" {message.casefold()} "
        words = [
            w
            for w in rest.split()
            if len(w) > 1
            and not w.isdigit()
            and not _qualifies(w, qualifiers)
            and not set(stem_list(w)) & self.leaf_words.get(current, frozenset())
            and not any(
                _SETTING.search(lowered[: m.start()])
                for m in _word_pattern(w.casefold()).finditer(lowered)
            )
        ]
        if not words:
            return None
        owners = np.array(self._owners)
        mask = np.array(names)
        scores = self.encode(words) @ self._leaf_vectors().T  # (words, leaf texts)
        scores[:, ~mask] = -1.0
        away = scores[:, owners == current].max(axis=1)
        scores[:, owners == current] = -1.0
        word, text = np.unravel_index(int(np.argmax(scores)), scores.shape)
        if scores[word, text] >= SWITCH_WORD and away[word] < SWITCH_AWAY:
            return self._owners[int(text)]
        return None

    def _leaf_names(self) -> tuple[list[bool], frozenset[str]]:
        """Which of the leaf texts (`_owners` order) are a leaf's own name (not a parent's,
        nor the words its titles end on: "Door Stop - Black" ends on a colour), and the
        stems of the words that only qualify such a name (all but its last word)."""
        self._leaf_vectors()
        names, qualifiers = [], set()
        for leaf, texts in self.leaves.items():
            for text in texts:
                named = text == leaf
                names.append(named)
                if named:
                    qualifiers.update(stem_list(text)[:-1])
        return names, frozenset(qualifiers)

    def _word_category(self, content: str) -> str | None:
        """The leaf one word of a long request names by itself ("rucksack about 30 litres
        for weekend trips", "蹲一个智能手表，要能测心率的"), where the whole request, its
        other words diluting it, is near none: the word nearest to a leaf, when at least
        WORD_CATEGORY near (well above the whole request's threshold: one word must
        name the kind, not sound like it)."""
        rest = without_names(self.brands_in(content), content)  # a brand names no kind
        words = [w for w in rest.split() if len(w) > 1 and not w.isdigit()]
        if len(words) < 2 or self.encode is None or not self.leaves:
            return None
        scores = self._headed(words, self.encode(words) @ self._leaf_vectors().T)
        word, text = np.unravel_index(int(np.argmax(scores)), scores.shape)
        return self._owners[int(text)] if scores[word, text] >= WORD_CATEGORY else None

    def _headed(self, words: list[str], scores: np.ndarray) -> np.ndarray:
        """The (words, leaf texts) similarities, with a word that ends a leaf text's name
        (the kind it names: "card" of "gift card") kept off the texts where it only
        qualifies another word ("card holder", "Gift Card Accessories"): "steam card"
        asks for a card, though "card" alone reads closer to "card holder". Each name of
        a text joined by "&", "and" or a comma ends on its own word ("Literary Magazines
        & Journals" names magazines)."""
        if self._text_parts is None:  # in `_owners` order, as the scores' columns
            self._text_parts = [
                [stem_list(part) for part in _NAMES_SPLIT.split(t) if stem_list(part)]
                for texts in self.leaves.values()
                for t in texts
            ]
            self._text_ends = frozenset(part[-1] for ps in self._text_parts for part in ps)
        ends = self._text_ends
        scores = scores.copy()
        for i, word in enumerate(words):
            own = stem_list(word)
            if len(own) != 1 or own[0] not in ends:
                continue
            for j, parts in enumerate(self._text_parts):
                if any(own[0] in part[:-1] for part in parts) and not any(
                    part[-1] == own[0] for part in parts
                ):
                    scores[i, j] = -1.0
        return scores

    def named_category(self, text: str) -> str | None:
        """The most specific category whose name the text contains (leaf names win over
        parents), a word of five letters or more also with one slip of the keyboard
        ("spekaers", "hiikng boots") when it is no word of the catalog itself. Brand
        names are left out: "Kestrel Audio" is not the Audio category."""
        lowered = f" {without_names(self.brands_in(text), text).casefold()} "
        best: tuple[int, str] | None = None
        for name in self.categories:
            for form in _forms(name):
                found = form in lowered and _word_pattern(form).search(lowered)
                if found and (best is None or len(name) > best[0]):
                    best = (len(name), name)
        if best is None:
            best = self._misspelt_category(lowered)
        if best is None and _HAN.search(text):
            best = self._chinese_category(text)
        return best[1] if best else None

    def _chinese_category(self, text: str) -> tuple[int, str] | None:
        """The kind of product a Chinese word of the message names, by its dictionary
        sense (跑鞋 -> "running shoes", 台灯 -> "desk lamp", 音箱 -> "speaker"), for an
        English catalog. A word, not a piece of one: 健身房 (gym) does not name
        Fitness. Only the most specific categories (a leaf) are named this way."""
        forms = {f: leaf for leaf in self.leaves for f in _forms(leaf)}
        for word in content_words(text):
            if not _HAN.match(word):
                continue
            for sense in english_words(word, verbs=False):
                if sense in forms:
                    return len(forms[sense]), forms[sense]
        # a compound the segmenter splits before its one-character head (礼品|卡, "gift"
        # + "card"; 瑜伽|垫): a leaf's name made of a sense of each. Both segmentations:
        # the plain one runs 卡 into the next word (卡送), the tagged one drops 垫.
        runs = _HAN_RUN.findall(text)
        pairs = [pair for run in runs for pair in itertools.pairwise(chinese_words(run))]
        pairs += [(a, b) for a, b in itertools.pairwise(content_words(text)) if a + b in text]
        for word, head in pairs:
            if len(head) != 1 or len(word) < 2 or not _HAN.match(word + head):
                continue
            for sense, noun in itertools.product(english_words(word, False), senses(head)):
                if (name := f"{sense} {noun.casefold()}") in forms:
                    return len(forms[name]), forms[name]
        return None

    def _only_as_setting(self, text: str, name: str) -> bool:
        """Every mention of the category comes after a preposition ("in my bag", "for a
        jacket pocket"): it names where or with what the product is used."""
        lowered = f" {text.casefold()} "
        found = [m.start() for form in _forms(name) for m in _word_pattern(form).finditer(lowered)]
        return bool(found) and all(_SETTING.search(lowered[:at]) for at in found)

    def _misspelt_category(self, lowered: str) -> tuple[int, str] | None:
        words = re.findall(r"[a-z0-9]+", lowered)
        english = english_vocabulary()
        # a word of its own is no slip ("sneakers" is not "speakers" mistyped)
        slips = [
            w
            for w in words
            if len(w) >= 5
            and w not in self.known_words
            and w not in english
            and stem(w) not in english
        ]
        if not slips:
            return None
        best: tuple[int, str] | None = None
        for name in self.categories:
            for form in _forms(name):
                parts = form.split()
                if not parts or len(parts) > len(words):
                    continue
                for i in range(len(words) - len(parts) + 1):
                    window = words[i : i + len(parts)]
                    close = [w == p or (w in slips and _one_slip(w, p)) for w, p in zip(
                        window, parts, strict=True
                    )]  # fmt: skip
                    if all(close) and window != parts and (best is None or len(name) > best[0]):
                        best = (len(name), name)
        return best

    def guess_category(self, text: str, min_similarity: float | None = None) -> str | None:
        """The leaf nearest to the text by embedding when at least `min_similarity`
        (default the calibrated threshold); brand names are left out first ("Sonora 音箱"
        asks for speakers though Sonora also makes headphones; "from Amazon" names no
        kind of product at all)."""
        brands = self.brands_in(text)
        rest = without_names(brands, text)
        guessed = self._nearest_category(rest, min_similarity) if rest.strip() else None
        # a leaf named as a brand the text names ("星巴克的卡" near a leaf "Starbucks"): the
        # brand is asked for, by the brand filter, not a kind of product
        if guessed and guessed.casefold() in {b.casefold() for b in brands}:
            return None
        return guessed

    def _leaf_vectors(self) -> np.ndarray:
        """The embeddings of the texts that name each leaf (owners in `_owners`), once."""
        if self._category_vectors is None:
            self._owners = [leaf for leaf, texts in self.leaves.items() for _ in texts]
            self._category_vectors = self.encode(
                [t for texts in self.leaves.values() for t in texts]
            )
        return self._category_vectors

    def _nearest_category(self, text: str, min_similarity: float | None = None) -> str | None:
        """The leaf category with the text (its name, an ancestor only it has, or its
        typical attributes) closest to `text` in embedding space."""
        if self.encode is None or not text.strip() or not self.leaves:
            return None
        scores = self._headed([text], self.encode([text]) @ self._leaf_vectors().T)[0]
        best = int(np.argmax(scores))
        threshold = self.category_threshold if min_similarity is None else min_similarity
        if scores[best] < threshold:
            return None
        # a leaf barely nearer than another is no guess ("steam card": "card holder" of
        # Gift Card Accessories 0.57, "gift card" of Gift Cards 0.54): the search, not a
        # filter, tells them apart
        others = [
            s for s, owner in zip(scores, self._owners, strict=True) if owner != self._owners[best]
        ]
        if others and scores[best] - max(others) < GUESS_MARGIN:
            return None
        return self._owners[best]

    def brands_in(self, text: str) -> list[str]:
        """The catalog's brands the text names, in any of their spellings ("trusted media
        brands inc" names "Trusted Media Brands, Inc."); a brand found only inside a
        longer one ("3M" in "3M Littmann") is that longer brand, not a second one."""
        spans: dict[str, list[tuple[int, int]]] = {}
        if self._anchors is None:
            self._anchors = [(b, brand_anchor(b)) for b in self.brands]
        lowered = text.casefold()
        for b, anchor in self._anchors:
            if anchor not in lowered:
                continue
            pattern = brand_pattern(b)
            found = [m.span() for m in pattern.finditer(text)] if pattern else []
            if found:
                spans[b] = found

        def inside(span: tuple[int, int], brand: str) -> bool:
            a, e = span
            return any(
                o != brand and s <= a and e <= z and z - s > e - a
                for o, found in spans.items()
                for s, z in found
            )

        named = [b for b, own in spans.items() if not all(inside(span, b) for span in own)]
        if _HAN.search(text):
            named += [b for b in self.chinese_brands(text) if b not in named]
        return named

    def chinese_brands(self, text: str) -> dict[str, str]:
        """Brands a Chinese word names by its dictionary sense, a proper name ("亚马逊" ->
        Amazon, "星巴克" -> "Starbucks, US coffee shop chain", "耐克" -> "Nike, Inc."); not
        a common word that is also a brand ("苹果" is the fruit, "apple"): brand -> the
        word that names it."""
        by_name = {b.casefold(): b for b in self.brands}
        out: dict[str, str] = {}
        for word in content_words(text):
            if _HAN.match(word) and (brand := brand_named(word, by_name)):
                out.setdefault(brand, word)
        return out

    def kinds_in(self, text: str) -> set[str]:
        """The kinds of product the text names: title words that say what a product is
        (`kinds`), said before any "for" ("a case for my multimeter" names a case), or
        the sense of a Chinese word (万用表 -> multimeter)."""
        found, _ = title_parts(text)
        words = content_words(text)
        for word in words:
            if _HAN.match(word) and (sense := catalog_sense(word, self.known_words.__contains__)):
                found |= title_parts(sense)[0]
        for word, head in itertools.pairwise(words):
            # the one-character head of a compound the segmenter split (徒步|鞋: a shoe), by
            # its first sense where that is a thing ("to cover" of 包 is none)
            first = senses(head)[:1] if len(head) == 1 and word + head in text else ()
            if first and _HAN.match(head) and not first[0].casefold().startswith("to "):
                found |= title_parts(first[0].casefold())[0]
        return found & self.kinds

    def names_kind(self, word: str) -> bool:
        """Whether a word names a kind of product of the catalog ("smartwatch", "耳机",
        "面霜" where Chinese titles end on it), not something a product has or does."""
        return bool(
            self.kinds_in(word) or self.named_category(word) or word.strip() in self.zh_heads
        )

    def attributes_in(self, text: str) -> list[str]:
        lowered = text.casefold()
        return [
            a
            for a in self.attributes
            if re.search(rf"(?<![A-Za-z0-9]){re.escape(a.casefold())}(?![A-Za-z0-9])", lowered)
        ]


# Words a request may name what it asks for by that say nothing of its kind.
NO_KIND = frozenset(
    """
    thing things something anything stuff way ways gift gifts present presents idea ideas
    item items product products option options one ones kind type sort brand model
    recommendation recommendations suggestion suggestions help
    """.split()  # noqa: SIM905
)


# A name as written: a capital after the first letter ("PlayStation"), or capitalised.
NAME = re.compile(r"\b[A-Za-z]+[A-Z][A-Za-z]*\b|\b[A-Z][a-z]+\b")


def without_names(names: list[str], text: str) -> str:
    """The text with the names (brands in any of their spellings) taken out."""
    for name in names:
        pattern = brand_pattern(name)
        if pattern is not None:
            text = pattern.sub(" ", text)
        else:  # a name of no letters or digits a brand pattern could hold
            text = re.sub(re.escape(name), " ", text, flags=re.I)
    return text


# A leaf guessed from a request's words holds at least MIN_LEAF_PRODUCTS products or
# MIN_LEAF_SHARE of the catalog's, and is GUESS_MARGIN nearer than any other leaf
MIN_LEAF_PRODUCTS = 3
MIN_LEAF_SHARE = 0.005
GUESS_MARGIN = 0.05
# where a leaf text joins names ("Literary Magazines & Journals"): each ends on its own word
_NAMES_SPLIT = re.compile(r"\s*(?:[&,:;/]|\band\b)\s*", re.I)


def _leaf_texts(products: Sequence[Product], per_leaf: int = 5) -> dict[str, list[str]]:
    """Leaf category -> its name, the ancestors no other leaf shares, and
    "Leaf: its most common attribute values" (colours left out)."""
    values: dict[str, Counter] = {}
    nouns: dict[str, Counter] = {}
    leaves_under: dict[str, set[str]] = {}
    for p in products:
        if not p.category:
            continue
        head = re.split(r",| with | for ", p.title)[0].split()
        nouns.setdefault(p.category, Counter()).update(
            [" ".join(head[-2:]).casefold()] if len(head) >= 2 else []
        )
        for level in p.categories:
            leaves_under.setdefault(level, set()).add(p.category)
        values.setdefault(p.category, Counter()).update(
            v
            for k, v in p.attributes.items()
            if k not in ("color", "features", "price_max", "best_for")
            and isinstance(v, str)
            and len(v) < 40
        )
    sizes = Counter(p.category for p in products if p.category)
    texts: dict[str, list[str]] = {}
    for leaf, counter in sorted(values.items()):
        if sizes[leaf] < MIN_LEAF_PRODUCTS and sizes[leaf] < MIN_LEAF_SHARE * len(products):
            # a leaf of one or two products in a large catalog (Gift Cards' "Starbucks",
            # one card of 1,547) is no kind the shop sells: guessed from a need ("video
            # games", its one card's main category) it would filter the search to it
            continue
        own = [level for level, leaves in leaves_under.items() if leaves == {leaf}]
        described = f"{leaf}: " + ", ".join(v for v, _ in counter.most_common(per_leaf))
        noun = [n for n, _ in nouns[leaf].most_common(1)]
        texts[leaf] = list(dict.fromkeys([leaf, *own, *noun, described]))
    return texts


def _qualifies(word: str, qualifiers: frozenset[str]) -> bool:
    """The word (a Chinese one by its dictionary senses) is one that qualifies a leaf's
    name ("yoga", 咖啡 for "coffee")."""
    if not _HAN.match(word):
        return bool(set(stem_list(word)) & qualifiers)
    return any(set(stem_list(sense)) & qualifiers for sense in english_words(word, verbs=False))


def _one_slip(word: str, target: str) -> bool:
    """One letter changed, added, dropped, or two neighbours swapped."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        swapped = (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == target[diff[1]]
            and word[diff[1]] == target[diff[0]]
        )
        return len(diff) == 1 or swapped
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@functools.lru_cache(maxsize=16384)
def _word_pattern(form: str) -> re.Pattern[str]:
    """The form as a whole word or words (compiled once: a catalog has hundreds of
    category names, more than the re module's own cache holds)."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])")


@functools.lru_cache(maxsize=16384)
def _forms(name: str) -> tuple[str, ...]:
    """A category name and its singular form ("headphones" -> "headphone")."""
    lowered = name.casefold()
    forms = [lowered]
    if lowered.endswith("es") and len(lowered) > 4:
        forms.append(lowered[:-2])
    if lowered.endswith("s") and len(lowered) > 3:
        forms.append(lowered[:-1])
    return tuple(forms)


GENERIC_BRAND_TITLES = 5  # other brands' titles naming it, past which a brand is a kind
GENERIC_BRAND_MAKERS = 3  # ... and of at least this many other brands


class _Titles:
    """The titles of the products that have a brand (a product without one may well be
    of any brand), with an index from each title word to the titles that hold it."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.rows = [(p.brand, p.title, p.title.casefold()) for p in products]
        self.words: dict[str, list[int]] = {}
        for i, (_, _, folded) in enumerate(self.rows):
            for w in set(re.findall(r"[^\W_]+", folded)):
                self.words.setdefault(w, []).append(i)

    def holding(self, brand: str) -> list[tuple[str, str, str]]:
        """The rows whose title holds the brand's rarest word (a superset of those
        naming the brand)."""
        words = re.findall(r"[^\W_]+", brand.casefold())
        if not words:
            return self.rows
        return [self.rows[i] for i in min((self.words.get(w, []) for w in words), key=len)]


def _generic_brand(brand: str, own: int, titled: _Titles) -> bool:
    """Whether a brand's name is a kind of product in this catalog rather than a maker
    to filter by: "Gift Card", the brand of two cards among hundreds of other brands'
    "... Gift Card" titles. Its name in a message ("a gift card for my dad") says what
    is wanted, not who made it; a hard brand filter on it would hide the rest.
    Only the titles of products with another brand count, and only when they are of
    several other brands: a name in the titles of one other brand is its line or its
    maker's name ("Apex Tool Group True Nicholson File Set" beside the brand Nicholson)."""
    anchor = brand_anchor(brand)
    pattern = brand_pattern(brand)
    if not anchor or pattern is None:
        return False
    naming = [
        b
        for b, title, folded in titled.holding(brand)
        if b != brand and anchor in folded and pattern.search(title)
    ]
    others = len(naming)
    return (
        others >= GENERIC_BRAND_TITLES
        and others > 2 * own
        and len(set(naming)) >= GENERIC_BRAND_MAKERS
    )
