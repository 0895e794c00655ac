"""A catalog's own words, embedded once, to read a question in another language:
"它防水吗？" on an English catalog looks for the English words of this catalog
that translate 防水: its dictionary translations (tools.dictionary) and the words
nearest to it by meaning ("waterproof", "waterproofing"), which a record can then
contain word for word. The words come from the catalog's product records (titles,
attributes, descriptions, feature lists), seen at least twice; their vectors are
kept in memory and on disk beside the store, keyed by the catalog's fingerprint.

A catalog that carries translated titles teaches its own translations: a Chinese
word of the translated titles and the English word of the original titles that
(nearly) always come together (Dice coefficient), the one nearest to it by meaning
where several do: 续航 -> "battery" (every title with 续航 also says "speaker",
"hour" and "battery"; "battery" is the nearest), 有线 -> "wired", 定时 -> "timer";
never a word of a category's name (every title with 防滑 is a yoga mat's).

What it simplifies on purpose: one word for one word (no phrases), and only into
the catalog's words, so a concept the catalog never names has no translation.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tools.context import ToolContext
from tools.dictionary import english_words
from tools.passages import product_passages
from tools.text import derives, stem

MIN_COUNT = 2  # a word seen once is as often a typo as a word
TRANSLATION = 0.72  # word-to-word similarity of a translation (measured: 电池/battery 0.88)
ALIGNED = 0.9  # Dice coefficient of a Chinese title word and an English title word
ALIGNED_MIN = 3  # translated titles the pair shares, at least
VERB = 0.45  # word-to-verb similarity of a sense's verb given alone
ALIGNED_SIMILARITY = 0.3  # the chosen one is near it by meaning (续航/battery 0.39)
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WHOLE_WORD = re.compile(r"(?<![a-z0-9])[a-z][a-z'-]{2,}(?![a-z0-9])")
_CACHE: dict[tuple, Lexicon] = {}


@dataclass
class Lexicon:
    words: list[str]
    vectors: np.ndarray  # (n_words, d) float32, L2-normalised
    _stems: dict[str, list[str]] | None = None
    _sorted: list[str] | None = None  # the stems, in order
    _index: dict[str, int] | None = None
    aligned: dict[str, list[str]] = field(default_factory=dict)  # 续航 -> its candidates
    _chosen: dict[str, str | None] = field(default_factory=dict)

    def translate(self, ctx: ToolContext, term: str, k: int = 3) -> list[str]:
        """The catalog's words for `term`: its dictionary translations the catalog
        uses (退货 -> "return"), and the words nearest to it by meaning, when near
        enough to be its translation (and to one of its dictionary senses)."""
        out = []
        known = english_words(term)
        verbs = [w for w in known if w not in english_words(term, verbs=False)]
        if verbs and ctx.encode is not None:
            # the verb of a "to ..." sense, alone, only when near the word by meaning:
            # 退货 "return" is (0.61), 打印 "affix" (of "to affix a seal") is not (0.35)
            vectors = ctx.encode([term, *verbs])
            far = {v for v, sim in zip(verbs, vectors[1:] @ vectors[0], strict=True) if sim < VERB}
            known = [w for w in known if w not in far]
        for sense in known:  # a word or a two-word phrase
            forms = [self.forms(w) for w in sense.split()]
            if all(forms):  # every word of it is a word of this catalog
                out += forms[0] if len(forms) == 1 else [sense]
        if self.words and ctx.encode is not None:
            sims = self.vectors @ ctx.encode([term])[0]
            near = [i for i in np.argsort(-sims)[:k] if sims[i] >= TRANSLATION]
            if known and near:
                # For a word the dictionary knows, a word near it by meaning must also be
                # near one of its senses: 降噪 (noise reduction) -> "noise" is; 刀鞘 (a
                # scabbard) -> "knife" is related, not a translation, and is not.
                agree = (ctx.encode(known) @ self.vectors[near].T).max(axis=0)
                near = [i for i, a in zip(near, agree, strict=True) if a >= TRANSLATION]
            out += [self.words[i] for i in near]
        chosen = self.aligned_word(ctx, term)
        if chosen:
            out.append(chosen)
        return list(dict.fromkeys(out))

    def aligned_word(self, ctx: ToolContext, term: str) -> str | None:
        """The English title word the catalog's translated titles pair with `term`,
        the nearest by meaning of those that always come with it (None without any)."""
        if term not in self._chosen:
            candidates = self.aligned.get(term, [])
            best = None
            if candidates and ctx.encode is not None:
                vectors = ctx.encode([term, *candidates])
                sims = vectors[1:] @ vectors[0]
                i = int(np.argmax(sims))
                best = candidates[i] if sims[i] >= ALIGNED_SIMILARITY else None
            self._chosen[term] = best
        return self._chosen[term]

    def indices(self, text: str) -> list[int]:
        """The rows of `vectors` of the catalog's words in a text."""
        if self._index is None:
            self._index = {w: i for i, w in enumerate(self.words)}
        found = (self._index.get(w) for w in dict.fromkeys(_WORD.findall(text.casefold())))
        return [i for i in found if i is not None]

    def derived_forms(self, word: str) -> list[str]:
        """The catalog's words made of an English word by an ending that keeps its
        meaning, when the catalog never uses the word itself ("magnifying" ->
        "magnifier", "magnifiers"; tools.text.derives)."""
        root = stem(word)
        by_stem = self._by_stem()
        if len(root) < 5 or root in by_stem:
            return []
        if self._sorted is None:
            self._sorted = sorted(by_stem)
        prefix = root[:-1] if root.endswith("y") else root  # "magnify" -> "magnifier"
        at = bisect.bisect_left(self._sorted, prefix)
        out = []
        while at < len(self._sorted) and self._sorted[at].startswith(prefix):
            if derives(root, self._sorted[at]):
                out += by_stem[self._sorted[at]]
            at += 1
        return out

    def derived_senses(self, term: str) -> list[str]:
        """A Chinese word named by the catalog's word made of the first word of a
        two-word dictionary sense, where the catalog never uses that word ("放大镜":
        "magnifying glass" -> "magnifier", what the titles say)."""
        return [
            derived[0]
            for sense in english_words(term, verbs=False)
            if len(pair := sense.split()) == 2
            and not self.forms(pair[0])
            and (derived := self.derived_forms(pair[0]))
        ]

    def forms(self, word: str) -> list[str]:
        """The catalog's words with the same stem as an English word ("microphone" ->
        "microphones"), none when the catalog never uses it."""
        return self._by_stem().get(stem(word), [])

    def _by_stem(self) -> dict[str, list[str]]:
        if self._stems is None:
            self._stems = {}
            for w in self.words:
                self._stems.setdefault(stem(w), []).append(w)
        return self._stems


def lexicon(ctx: ToolContext) -> Lexicon:
    """The catalog's lexicon, built on first use (seconds), then from memory or disk."""
    fingerprint = ctx.store.fingerprint(ctx.catalog) or ""
    key = (str(ctx.store.path), ctx.catalog, fingerprint)
    if key in _CACHE:
        return _CACHE[key]
    counts: Counter = Counter()
    for product in ctx.store.products(ctx.catalog):
        for passage in product_passages(product):
            counts.update(_WORD.findall(passage.text.casefold()))
    words = sorted(w for w, n in counts.items() if n >= MIN_COUNT)
    dim = ctx.encode(["a"]).shape[1] if ctx.encode is not None else 0  # the embedder's
    tag = f"{ctx.catalog}:{fingerprint}:{len(words)}:{dim}"
    digest = hashlib.sha256(tag.encode()).hexdigest()[:16]
    path = Path(ctx.store.path).parent / "lexicon" / f"{ctx.catalog}-{digest}.npy"
    if path.is_file():
        vectors = np.load(path, allow_pickle=False)
    elif ctx.encode is not None and words:
        vectors = ctx.encode(words).astype(np.float32)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors, allow_pickle=False)
    else:
        vectors = np.zeros((0, 1), dtype=np.float32)
    _CACHE[key] = Lexicon(words, vectors, aligned=_aligned_titles(ctx.store.products(ctx.catalog)))
    return _CACHE[key]


def _aligned_titles(products) -> dict[str, list[str]]:
    """Chinese word of the translated titles -> the English title words that come with
    it in (nearly) every title pair where either occurs (ALIGNED), as written."""
    from tools.text import chinese_words

    zh_count: Counter = Counter()
    en_count: Counter = Counter()
    pairs: Counter = Counter()
    for product in products:
        zh = product.title_i18n.get("zh")
        if not zh:
            continue
        zh_words = {w for run in _HAN_RUN.findall(zh) for w in chinese_words(run) if len(w) > 1}
        en_words = set(_WHOLE_WORD.findall(product.title.casefold()))  # not "ipx" of "IPX4"
        zh_count.update(zh_words)
        en_count.update(en_words)
        pairs.update((z, e) for z in zh_words for e in en_words)
    # A word of a category's name comes with every word its kind's titles share (防滑
    # is said of every yoga mat: "mat" is no translation of it); the kinds' own words
    # are the dictionary's and the category names' to translate.
    kinds = {stem(w) for p in products for c in p.categories for w in _WORD.findall(c.casefold())}
    out: dict[str, list[str]] = {}
    for (z, e), n in pairs.items():
        dice = 2 * n / (zh_count[z] + en_count[e])
        if n >= ALIGNED_MIN and dice >= ALIGNED and stem(e) not in kinds:
            out.setdefault(z, []).append(e)
    return out
