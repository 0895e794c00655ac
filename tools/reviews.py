"""What reviewers say about a product: the aspects its reviews talk about, how
many praise and how many criticise each, with one cited example of each side.

The aspects are found in the catalog's own reviews, not in a list written for
one shop: what reviewers of the product's category talk about in clauses that
carry an opinion ("the laces keep coming undone" -> laces; "耳罩有点闷热" ->
耳罩), more often than reviewers of other categories do (or, in a catalog of one
category, simply most often), leaving out the category's own name and words of
opinion themselves. A clause's side comes from opinion words, a contrast
("..., but the laces ...") and the review's stars.

What it simplifies on purpose: small bilingual opinion lexicons, no parser; at
most MAX_REVIEWS reviews of the product and MAX_CATEGORY_REVIEWS of its
category are read, so a product with thousands of reviews answers in bounded
time.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import dataclass, field

from catalog.models import Product, Review
from catalog.untrusted import looks_like_instructions
from tools.context import ToolContext, per_catalog
from tools.dictionary import english_words
from tools.passages import MAX_REVIEWS, Passage, review_passages
from tools.products import get_product, product_evidence
from tools.results import ToolResult
from tools.text import content_terms, content_words, is_stopword, stem
from vectorstore.text import quiet_jieba

MAX_CATEGORY_REVIEWS = 3000
_HAN = re.compile(r"[\u4e00-\u9fff]")
MAX_ASPECTS = 4
_CONTRAST = re.compile(
    r",?\s*\b(?:but|however|although|though|except)\b|，?\s*(?:但是|但|不过|可是)", re.I
)
_CLAUSE = re.compile(r"[,;:，；：]\s*|\s+\band\b\s+")
# What a clause is about: the words after a determiner ("the ear cushions get warm").
_SUBJECT = re.compile(
    r"\b(?:the|my|its|their|this|these|our|his|her)\s+([a-z][a-z-]+(?:\s+[a-z][a-z-]+)?)", re.I
)
_NOT_NOUN = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "get",
        "gets",
        "got",
        "feel",
        "feels",
        "felt",
        "keep",
        "keeps",
        "kept",
        "work",
        "works",
        "worked",
        "stay",
        "stays",
        "stayed",
        "hold",
        "holds",
        "held",
        "come",
        "comes",
        "came",
        "run",
        "runs",
        "ran",
        "last",
        "lasts",
        "lasted",
        "drain",
        "drains",
        "make",
        "makes",
        "made",
        "look",
        "looks",
        "looked",
        "fit",
        "fits",
        "seem",
        "seems",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "go",
        "goes",
        "went",
        "very",
        "so",
        "too",
        "really",
        "quite",
        "a",
        "an",
        "one",
        "more",
        "most",
        "much",
        "only",
        "also",
        "just",
        "still",
        "not",
        "no",
        "all",
    ]
)
_POSITIVE = re.compile(
    r"\b(?:great|love[sd]?|excellent|perfect|good|nice|comfortable|easy|happy|works?|worked"
    r"|recommend|best|awesome|amazing|fast|quick(?:ly)?|well|clear|sturdy|beautiful|stays?"
    r"|dry|soft|light|thanks?|pleased|glad|fine|exactly|right|surprisingly)\b"
    r"|好|很好|喜欢|满意|舒服|舒适|方便|快|清晰|不错|推荐|漂亮|耐用|干|轻盈|很准|很足",
    re.I,
)
_NEGATIVE = re.compile(
    r"\b(?:bad|poor|broke|broken|break|cheap(?:ly)?|flimsy|loose|slow|late|never|not|no|don't"
    r"|didn't|doesn't|won't|wasn't|problems?|issues?|disappoint\w*|return(?:ed)?|refund|worst"
    r"|waste|wrong|difficult|hard|too|drains?|faster|small|narrow|short|sticks?|warm|louder"
    r"|smell\w*|curl\w*|wobbl\w*|stain\w*|slippery|irritat\w*|delayed|undone|flimsy)\b"
    r"|差|不|没|坏|松|慢|问题|失望|退|太|偏|闷|延迟|滴水|破音|打滑|磨损|刺激|生锈|不稳",
    re.I,
)
_OPINION_TERMS = frozenset(
    [
        "great",
        "love",
        "excellent",
        "perfect",
        "good",
        "nice",
        "comfortable",
        "easy",
        "happy",
        "work",
        "recommend",
        "best",
        "awesome",
        "amazing",
        "fast",
        "quick",
        "well",
        "clear",
        "sturdy",
        "beautiful",
        "bad",
        "poor",
        "broke",
        "cheap",
        "flimsy",
        "loose",
        "slow",
        "late",
        "problem",
        "issue",
        "disappoint",
        "return",
        "refund",
        "worst",
        "waste",
        "wrong",
        "difficult",
        "hard",
        "bought",
        "buy",
        "gift",
        "purchase",
        "purchased",
        "order",
        "ordered",
        "received",
        "arrived",
        "star",
        "stars",
        "product",
        "item",
        "thing",
    ]
)


@dataclass
class Aspect:
    name: str
    positive: int = 0
    negative: int = 0
    examples: dict[str, Passage] = field(default_factory=dict)  # side -> an example clause


def review_summary(ctx: ToolContext, product_id: str) -> ToolResult:
    """Summarise what reviewers say about a product: the aspects they praise or
    complain about, with counts and a quoted example of each.

    Args:
        product_id: The catalog id of the product.
    """
    product = get_product(ctx, product_id)
    record = product_evidence(ctx, product)
    reviews = ctx.store.reviews(ctx.catalog, product.id, limit=MAX_REVIEWS)
    readable = [r for r in reviews if r.text and not looks_like_instructions(r.text)]
    vocabulary = _aspects(ctx, product)
    same = same_aspect(vocabulary, ctx.language)
    lang = "zh" if ctx.language == "zh" else "en"
    found: dict[str, Aspect] = {}
    for passage, clause, side in _opinions(readable):
        terms = [*subjects(clause), *content_words(clause)]
        for name in dict.fromkeys(same.get(t, t) for t in terms if t in vocabulary):
            aspect = found.setdefault(name, Aspect(name))
            setattr(aspect, side, getattr(aspect, side) + 1)
            # the first example, or the first in the shopper's language once there is one
            current = aspect.examples.get(side)
            if current is None or (_in(current, lang) is False and _in(passage, lang)):
                aspect.examples[side] = passage
    ranked = sorted(found.values(), key=lambda a: -(a.positive + a.negative))[:MAX_ASPECTS]
    evidence = [record.id]
    aspects = []
    for i, aspect in enumerate(ranked, start=1):
        cited = {side: p.cite(ctx).id for side, p in aspect.examples.items()}
        counted = ctx.evidence.add(
            "product", f"{product.id}.s{i}",
            f"reviews of {product.title} about the {aspect.name}: {aspect.positive} praise, "
            f"{aspect.negative} complain", product.id,
            aspect=aspect.name, positive=aspect.positive, negative=aspect.negative,
        ).id  # fmt: skip
        evidence += [counted, *cited.values()]
        aspects.append(
            {"aspect": aspect.name, "positive": aspect.positive, "negative": aspect.negative,
             "examples": cited, "record": counted}
        )  # fmt: skip
    stars = [r.rating for r in readable if r.rating]
    positive = sum(1 for s in stars if s >= 4)
    negative = sum(1 for s in stars if s <= 2)
    count = ctx.evidence.add(
        "product", f"{product.id}.r",
        f"{product.title}: {len(readable)} reviews, {positive} rated 4 or 5 stars, "
        f"{negative} rated 1 or 2 stars",
        product.id, reviews=len(readable), positive=positive, negative=negative,
    ).id  # fmt: skip
    # No part of it stands out: what the best- and the worst-rated review say instead.
    telling = _telling(readable)
    quotes = [] if aspects else [
        {"side": side, "id": passage.cite(ctx).id} for side, passage in telling
    ]  # fmt: skip
    # The worst-rated review when it is rated 1 or 2 stars: what a complaint asked about
    # quotes, whatever the aspects ("the cards were blank" is of no aspect counted)
    lowest = [
        {"side": side, "id": passage.cite(ctx).id}
        for side, passage in telling
        if side == "worst" and (passage.rating or 5) <= 2
    ]
    evidence += [q["id"] for q in [*quotes, *lowest]]
    return ToolResult(
        f"{len(readable)} reviews of {product.title}, {len(aspects)} aspects",
        [product.id],
        [*evidence, count],
        {
            "title": product.title,
            "reviews": len(readable),
            "record": count,
            "positive_reviews": positive,
            "negative_reviews": negative,
            "aspects": aspects,
            "quotes": quotes,
            "lowest": lowest,
        },
    )


def _telling(reviews: list[Review]) -> list[tuple[str, Passage]]:
    """("best", passage) of the highest-rated review and ("worst", passage) of the
    lowest-rated one when it is rated 3 stars or less: each review's longest sentence
    (the one that says most), the best first; none when no review is rated."""
    rated = sorted((r for r in reviews if r.rating is not None), key=lambda r: -r.rating)
    picks = [("best", rated[0])] if rated else []
    if len(rated) > 1 and rated[-1].rating is not None and rated[-1].rating <= 3:
        picks.append(("worst", rated[-1]))
    out = []
    for side, review in picks:
        sentences = review_passages([review])
        if sentences:
            out.append((side, max(sentences, key=lambda p: len(p.text))))
    return out


def _opinions(reviews: list[Review]) -> list[tuple[Passage, str, str]]:
    """(sentence passage, clause, "positive" | "negative") for each clause of the reviews
    that carries an opinion."""
    out = []
    for passage in review_passages(reviews):
        for clause, contrasted in clauses(passage.text):
            side = _side(clause, passage.rating, contrasted)
            if side is not None:
                out.append((passage, clause, side))
    return out


def clauses(text: str) -> list[tuple[str, bool]]:
    """(clause, after a contrast) pieces of a review sentence."""
    out = []
    for i, part in enumerate(_CONTRAST.split(text or "")):
        out += [(c.strip(), i > 0) for c in _CLAUSE.split(part) if len(c.strip()) >= 2]
    return out


def subjects(clause: str) -> list[str]:
    """What a clause is about: a determiner's noun phrase in English, the first content
    word in Chinese."""
    if re.search(r"[\u4e00-\u9fff]", clause):
        return _chinese_subject(clause)
    m = _SUBJECT.search(clause)
    if m is None or len(clause[: m.start()].split()) > 3:
        return []  # no determiner near the start: not a clause about a part of the product
    words = m.group(1).casefold().split()
    after = clause[m.end() :].split()
    # Two words name one part ("ear cushions", "toe box") when a verb follows them.
    if len(words) == 2 and not (after and after[0].casefold() in _NOT_NOUN):
        words = words[:1]
    words = [w for w in words if w not in _NOT_NOUN and not _opinion(w) and not is_stopword(w)]
    if not words or words[0] in _PEOPLE:
        return []
    return [" ".join(words)]


def _chinese_subject(clause: str) -> list[str]:
    """The first noun of a Chinese clause (jieba's part-of-speech tags)."""
    return list(_chinese_noun(clause))


@functools.lru_cache(maxsize=65536)
def _chinese_noun(clause: str) -> tuple[str, ...]:
    posseg = quiet_jieba().posseg  # configured before its part-of-speech tagger loads

    tokens = posseg.lcut(clause)
    for i in range(len(tokens) - 1, -1, -1):
        word, flag = tokens[i]
        if flag.startswith("n") and len(word) >= 2 and word not in _ZH_NOT_NOUN:
            if i and tokens[i - 1].flag == "v" and len(tokens[i - 1].word) == 1:
                word = tokens[i - 1].word + word  # 抓 + 地力: one word jieba cut in two
            return (word,)
    return ()


MIN_ASPECTS = 3
# Who a product was for is not what reviewers say about it.
_PEOPLE = frozenset(
    """
    son daughter wife husband friend friends family granddaughter grandson grandkids kids
    kid child children niece nephew aunt uncle mom mother dad father boss teacher teachers
    recipient receiver brother sister girlfriend boyfriend coworker coworkers colleague
    grandma grandpa grandmother grandfather parents person people everyone someone bil law
    anyone anybody everybody somebody
    儿子 女儿 老婆 老公 朋友 家人 孩子 妈妈 爸爸 老板 老师 同事
    """.split()  # noqa: SIM905
)
_ZH_NOT_NOUN = frozenset(["有点", "时候", "东西", "感觉", "时间", "地方", "样子", "问题"])


def _opinion(term: str) -> bool:
    return bool(_POSITIVE.fullmatch(term) or _NEGATIVE.fullmatch(term)) or term in _OPINION_TERMS


# A problem (or a charge) denied is praise ("Quick delivery and no problems!", "no extra
# charge", "没有任何问题").
_NO_PROBLEM = re.compile(
    r"\b(?:no|without|zero|never\s+(?:had\s+)?(?:a|any)|not\s+(?:a|any|one)|(?:didn't|did\s+not"
    r"|haven't|have\s+not)\s+(?:have\s+)?(?:a|any))\s+(?:\w+\s+)?(?:problems?|issues?"
    r"|complaints?|trouble|hassles?|fees?|charges?|costs?)\b|\b(?:can(?:not|'t|\s+not)|never)\s+go"
    r"\s+wrong\b|没有?(?:任何|什么)?(?:问题|毛病)",
    re.I,
)


def _side(clause: str, rating: float | None, contrasted: bool) -> str | None:
    clause = _NO_PROBLEM.sub(" fine ", clause)
    negative = bool(_NEGATIVE.search(clause)) or (contrasted and (rating or 5) <= 4)
    positive = bool(_POSITIVE.search(clause))
    if negative and not positive:
        return "negative"
    if positive and not negative:
        return "positive"
    if positive and negative:
        return "negative" if (rating or 3) <= 3 else "positive"
    return None


_VOCABULARY: dict[tuple, list[str]] = {}


def _in(passage: Passage, lang: str) -> bool:
    """Whether a review passage is written in the language (Chinese or not)."""
    return bool(_HAN.search(passage.text)) == (lang == "zh")


def same_aspect(vocabulary: list[str], language: str | None) -> dict[str, str]:
    """Aspect words of two languages that name one thing, mapped to the name the
    answer uses: 清洗 and "clean" (a dictionary sense of 清洗 is "clean") are one
    aspect, called "clean" in English and 清洗 in Chinese. A bilingual shop's reviews
    would otherwise count the one aspect twice, half under each name."""
    english = {stem(w): w for w in vocabulary if not _HAN.match(w)}
    out: dict[str, str] = {}
    for word in vocabulary:
        if not _HAN.match(word) or word in out:
            continue
        match = next((english[k] for k in _sense_keys(word) if k in english), None)
        if match is not None and match not in out:
            name = word if language == "zh" else match
            out[word] = out[match] = name
    return out


def _sense_keys(word: str) -> list[str]:
    """A Chinese word's English senses, stemmed, as wholes and then word by word for a
    sense of several words in their order (音质: "tone", "sound quality", "timbre", then
    "sound", "quality"), so 音质 is one aspect with "sound" where the reviews say that."""
    found = english_words(word, verbs=False)
    keys = [stem(s) for s in found]
    keys += [stem(w) for s in found if " " in s for w in s.split() if not is_stopword(w)]
    return list(dict.fromkeys(keys))


def _aspects(ctx: ToolContext, product: Product) -> list[str]:
    """The aspect words of the product's category, from the catalog's own reviews."""
    key = (str(ctx.store.path), ctx.catalog, product.category)
    if key in _VOCABULARY:
        return _VOCABULARY[key]
    own = {t for c in product.categories for t in content_terms(c)}
    own |= _brand_words(ctx)  # "Amazon" of "used Amazon Points" is a maker, not an aspect
    clauses = _category_clauses(ctx, product.category)
    vocabulary = _select(clauses, product.category, lambda text: subjects(text), own)
    if len(vocabulary) < MIN_ASPECTS:
        # Short, casual reviews ("Easy to use, arrived fast") rarely name a part of the
        # product after a determiner: their most frequent content words are the aspects.
        vocabulary = _select(clauses, product.category, content_words, own)
    if len(_VOCABULARY) > 64:
        _VOCABULARY.clear()
    _VOCABULARY[key] = vocabulary
    return vocabulary


def _brand_words(ctx: ToolContext) -> set[str]:
    """The catalog's brand names of one word, stemmed ("Amazon"; the words of "The Tin Box
    Company" are common words, "tin" may well be an aspect)."""

    def build() -> set[str]:
        brands = {p.brand for p in ctx.store.products(ctx.catalog) if p.brand}
        return {stem(t[0]) for b in brands if len(t := content_terms(b)) == 1}

    return per_catalog(_BRAND_WORDS, ctx, build)


_BRAND_WORDS: dict[tuple, set[str]] = {}


def _select(clauses: list[tuple[str, str]], category: str, words, own: set[str]) -> list[str]:
    """Words of the category's opinion clauses frequent enough to be aspects and, when
    the catalog has enough other reviews, typical of this category."""
    inside, outside = Counter(), Counter()
    n_in = n_out = 0
    for leaf, text in clauses:
        terms = {
            w for w in words(text)
            if stem(w) not in own and not _opinion(w) and w not in _PEOPLE and not w.isdigit()
            and not (w.endswith("ly") and w.isascii())  # adverbs ("perfectly") are not aspects
        }  # fmt: skip
        if leaf == category:
            inside.update(terms)
            n_in += 1
        else:
            outside.update(terms)
            n_out += 1
    minimum = max(2, n_in // 200)
    contrast = n_out >= max(200, n_in // 4)  # enough other reviews to tell what is typical
    scored = []
    for term, count in inside.items():
        if count < minimum or len(term) < 2:
            continue
        lift = (count / n_in) / ((outside[term] + 1) / n_out) if contrast else 1.0
        if lift >= 2.0 or not contrast:
            scored.append((count * min(lift, 10.0), term))
    return [t for _, t in sorted(scored, reverse=True)[:40]]


_CLAUSES: dict[tuple, list[tuple[str, str]]] = {}


def _category_clauses(ctx: ToolContext, category: str) -> list[tuple[str, str]]:
    """(category, opinion clause) of the catalog's latest 2 x MAX_CATEGORY_REVIEWS
    reviews, read once per catalog (every category's aspects are counted from them)."""
    key = (str(ctx.store.path), ctx.catalog, ctx.store.fingerprint(ctx.catalog))
    if key not in _CLAUSES:
        if len(_CLAUSES) >= 8:  # a few catalogs served at once; the oldest goes
            _CLAUSES.pop(next(iter(_CLAUSES)))
        _CLAUSES[key] = _read_clauses(ctx)
    return _CLAUSES[key]


def _read_clauses(ctx: ToolContext) -> list[tuple[str, str]]:
    rows = ctx.store.query(
        "SELECT r.text AS text, r.rating AS rating, p.categories AS categories"
        " FROM reviews r JOIN products p ON p.pk = r.product_pk"
        " JOIN catalogs c ON c.id = p.catalog_id WHERE c.name = ? ORDER BY r.pk DESC LIMIT ?",
        (ctx.catalog, 2 * MAX_CATEGORY_REVIEWS),
    )
    out = []
    for row in rows:
        leaf = _leaf(row["categories"])
        for clause, contrasted in clauses(row["text"] or ""):
            if _side(clause, row["rating"], contrasted) is not None:
                out.append((leaf, clause))
    return out


def _leaf(categories_json: str) -> str:
    path = json.loads(categories_json or "[]")
    return path[-1] if path else ""
