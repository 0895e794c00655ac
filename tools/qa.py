"""Questions about products answered from their own records.

For each product asked about, its passages (tools.passages) are ranked for
the question by a lexical score (the question's key words found in the passage)
plus the multilingual embedding, so "它防水吗？" finds "waterproofing: waterproof".
A passage *states* the answer when it covers the question's focus: the key
words that are not just the product's own kind ("speaker" in "is the speaker
waterproof?"), weighted by how rare they are in the catalog, each found in the
passage as a word or, across languages, by embedding similarity. When no
passage states it, the answer says so, with the closest things the records do
say (naming only asked words that no record holds); a yes is given only when a
passage states the asked word without negating it. Two answers come before the
passage model: a price (the listed one) and a count ("how many in a box?": the
number of the thing counted, else the pack count); one after it, when no passage
states the answer: the product's own value of the attribute the asked word is a
value of elsewhere in the catalog ("wireless?" -> "connectivity: wired").

What it simplifies on purpose: English words are matched after a light stemming
(plural and -ing/-ed endings), not lemmatised; yes/no is read from negation
words near the matched word, not parsed.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from tools.context import ToolContext, per_catalog
from tools.dictionary import brand_named, english_vocabulary, english_words, senses
from tools.lexicon import lexicon
from tools.passages import MAX_REVIEWS, Passage, passages
from tools.products import get_product, product_evidence
from tools.registry import ToolArgumentError
from tools.results import ToolResult
from tools.text import (
    alternatives,
    answer_kind_words,
    answer_kinds,
    asked_part,
    asks_author,
    asks_count,
    asks_graded,
    asks_maker,
    asks_other,
    asks_past_price,
    asks_price,
    asks_quantity,
    asks_rating,
    asks_scope,
    asks_what_it_is,
    contains_term,
    content_terms,
    content_words,
    counted_words,
    derives,
    has_quantity,
    held_answer,
    holds_answer_kind,
    holds_number,
    is_polar,
    is_stopword,
    is_unit,
    measured_dimension,
    measured_words,
    modal_verbs,
    name_terms,
    names_kind,
    names_product,
    naming_words,
    negated_near,
    polar_part,
    question_clauses,
    reviewers_asked,
    said_numbers,
    states_count,
    states_scope,
    stem,
    superlative,
    whole_word,
)

MAX_PRODUCTS = 4
MAX_CITED = 3  # passages quoted per product
ABOUT_SENTENCES = 2  # description sentences that say what a product is about
TERM_SIMILARITY = 0.45  # a key word counts as near a passage this close (embedding)
RELATED = 0.25  # a passage this close to the question is "related" in a not-stated answer
_HAN = re.compile(r"[\u4e00-\u9fff]")
_GRADE = re.compile(r"\d")  # a grade is given by a number or a code with one ("IPX7")
_EMBEDDINGS: OrderedDict[tuple, np.ndarray] = OrderedDict()  # passage vectors, a small LRU
_CACHE_SIZE = 512


@dataclass
class Finding:
    """What one product's records say about the question."""

    product_id: str
    stated: list[tuple[Passage, float]] = field(default_factory=list)  # (passage, score)
    related: list[Passage] = field(default_factory=list)
    answer: bool | None = None  # yes / no for a yes-no question, when a passage states it
    value: float | None = None  # the number a superlative question compares
    unit: str = ""  # its unit, where a kind of answer gave it ("l" of "65L")
    support: int = 0  # between equal values, the better supported (ratings) wins
    reviews: int = 0
    unmentioned: list[str] = field(default_factory=list)  # asked words no record holds
    # the first stated passage holds some asked word, not all: it answers first, and what
    # no record mentions follows it ("with clamp mount", then nothing says "edge")
    partly: bool = False
    unrated: bool = False  # asked its rating, and it has none yet


def answer_question(ctx: ToolContext, question: str, product_ids: list[str]) -> ToolResult:
    """Answer a question about one or more products from their own pages and reviews,
    citing the passages; says so when the records do not answer it.

    Args:
        question: The shopper's question, in their own words.
        product_ids: The products the question is about (one to four).
    """
    ids = list(dict.fromkeys(str(p) for p in product_ids))
    if not 1 <= len(ids) <= MAX_PRODUCTS:
        raise ToolArgumentError(f"answer_question takes 1 to {MAX_PRODUCTS} products")
    products = [get_product(ctx, pid) for pid in ids]
    # "Do reviewers say it runs small?" asks what its buyers wrote: answered from the
    # reviews alone, of what is left once the asking words are cut ("it runs small?")
    about = reviewers_asked(question)
    asked = question if about is None else about
    terms = content_terms(asked)
    dimension = measured_dimension(question)
    names = [" ".join([p.title, *p.categories]) for p in products]
    if dimension:
        # "which one holds more stuff?": the words that say the dimension ask it
        # (English words: a Chinese comparative, 更厚, is one character of the question)
        said = {w for w in measured_words(question) if not _HAN.match(w)}
        rest = [t for t in terms if t not in said]
        if all(any(contains_term(n, t) for n in names) for t in rest):
            # "which (mat) is the thickest?" asks a thickness; "the longest battery" a
            # battery; "which is lighter?" its weight, or "light" as a review says it
            terms = [*(rest or terms), dimension]
        else:
            terms = rest or terms
    findings = [
        _find(ctx, p, asked, terms, _naming_others(question, p, products), about is not None)
        for p in products
    ]
    best = _superlative(question, findings)
    evidence: list[str] = []
    answers = []
    for product, finding in zip(products, findings, strict=True):
        cited = [p.cite(ctx).id for p, _ in finding.stated[:MAX_CITED]]
        related = [p.cite(ctx).id for p in finding.related]
        record = product_evidence(ctx, product)
        count = ctx.evidence.add(
            "product", f"{product.id}.n",
            f"{product.title}: the product page and {finding.reviews} reviews",
            product.id, reviews=finding.reviews,
        ).id  # fmt: skip
        evidence += [record.id, *cited, *related]
        answers.append(
            {
                "product_id": product.id,
                "title": product.title,
                "stated": cited,
                "related": related,
                "answer": finding.answer,
                "value": finding.value,
                "reviews": finding.reviews,
                "unmentioned": finding.unmentioned,
                "partly": finding.partly,
                "unrated": finding.unrated,
                "record": count,
                "scope": "reviews" if about is not None else "records",
            }
        )
    stated = sum(bool(a["stated"]) for a in answers)
    return ToolResult(
        f"{stated} of {len(answers)} products' records answer {question!r}",
        ids,
        list(dict.fromkeys(evidence)),
        {
            "question": question,
            "terms": terms,
            "asked": content_words(asked),
            "answers": answers,
            "best": best,
        },
    )


def of_reviews(
    product, question: str, terms: list[str], found: list[Passage]
) -> tuple[list[Passage], list[str], frozenset[str]]:
    """A question asked of the reviews alone ("do runners say the Ridgeway Lite 500 runs
    small?", less the words that ask it): the review passages, the terms less those that
    name the product (how the question points at it, not what the reviews are asked
    about), and those naming words."""
    own = name_terms(product, question)
    named = frozenset(t for t in content_terms(question) if names_product(t, own))
    asked = [t for t in terms if t not in named] or terms
    return [p for p in found if p.kind == "review"], asked, named


def _naming_others(question: str, product, products: list) -> frozenset[str]:
    """Words of the question that name another product it asks about ("Between the
    Sonora Max 800 and the Beatline Pulse 400, which lasts longer?", "Sonora Pro 800 和
    Kestrel Nova 700 哪个小？"): for this product they say which other one is meant, not
    what is asked of this one (nor what its records fail to mention). Words in a phrase
    that points at a product (tools.text.naming_words), or in a run of two or more
    capitalised words or numbers, found in another asked product's title or brand and
    not in this one's."""
    if len(products) < 2:
        return frozenset()
    candidates = set(naming_words(question))
    # a name of one word ("Kmart 卡和 Raley's 卡哪张能充值"): a Latin word of another's
    candidates.update(stem(w.casefold()) for w in re.findall(r"[A-Za-z][\w'-]*", question))
    for run in _NAME_RUN.findall(question):
        words = [stem(w.casefold()) for w in run.split()]
        for other in products:
            name = f"{other.title} {other.brand or ''}"
            if other is not product and all(contains_term(name, w) for w in words):
                candidates.update(words)
    names = " ".join(
        f"{o.title} {o.brand or ''} {o.title_i18n.get('zh', '')}"
        for o in products
        if o is not product
    )
    own = f"{product.title} {product.brand or ''}"
    return frozenset(t for t in candidates if contains_term(names, t) and not contains_term(own, t))


# Two or more capitalised words or numbers in a row: how a product's name is written
_NAME_RUN = re.compile(r"\b[A-Z0-9][\w'-]*(?:\s+[A-Z0-9][\w'-]*)+")


def _find(
    ctx: ToolContext,
    product,
    question: str,
    terms: list[str],
    others: frozenset[str] = frozenset(),
    reviews_only: bool = False,
) -> Finding:
    terms = [t for t in terms if t not in others] or terms
    # its category and brand are records too: a word they hold is never "not mentioned"
    # ("gift" of an "Amazon eGift Card" in Gift Cards)
    kind = " ".join([*product.categories, product.brand or ""])
    of_kind = {t for t in content_terms(question) if not _HAN.match(t) and contains_term(kind, t)}
    # a Chinese name the question points at ("这个胶带", "这个热缩管") is the shopper's name
    # for the product in view, though the dictionary has no English for it that its
    # title holds ("Heat Shrinkable Tube"): never said to be missing from its records.
    # Only a phrase of one word: in "这个背包带防雨罩吗" the segmenter runs the name into
    # what is asked (背包带 | 防雨罩), and the rain cover is what its records lack.
    pointed = {w for w in naming_words(question) if _HAN.match(w)}
    pointed = pointed if len(pointed) == 1 else set()
    unsaid = others | of_kind | pointed  # words never said to be missing from its records
    found = passages(ctx, product)
    finding = Finding(product.id, reviews=len({p.name for p in found if p.kind == "review"}))
    if reviews_only:  # what its buyers say: their reviews, never its page or its price
        found, terms, named = of_reviews(product, question, terms, found)
        if not found:
            return finding
        unsaid |= named
    listed = not reviews_only  # the fields the record lists (price, rating) answer too
    if listed and product.price is not None and asks_past_price(question):
        # Records list today's price only: no earlier price is stated, and the current
        # one is the closest thing they say (never quoted as the answer).
        finding.related = [_price_passage(product)]
        return finding
    # the sentences that ask: "will the dollar amount be printed on the card? want the
    # recipient to know how much it is" asks about printing, not what the card costs
    priced = asks_price(asked_part(question))
    if listed and product.price is not None and priced:
        # The price is a field of the record, not a sentence of it: stated as listed (no
        # yes or no: "is it cheap?" is the shopper's to judge).
        finding.stated, finding.value = [(_price_passage(product), 10.0)], product.price
        return finding
    if listed and asks_rating(question):
        # "Which has better reviews?": the rating the record lists, compared as a price is
        if product.rating_avg is not None and product.rating_count:
            finding.stated = [(_rating_passage(product), 10.0)]
            # compared as it is said (one decimal): 4.93 and 4.91 are both "4.9", and
            # naming one of them the highest would read as false
            finding.value = round(product.rating_avg, 1)
            finding.support = product.rating_count
        else:
            finding.unmentioned = [_asked_word(question, "rating", "评分")]
            finding.unrated = True
        return finding
    if listed and asks_maker(question):
        # "who wrote the first one?": its brand as listed, else a record that says it is
        # "by" someone ("...by James Patterson")
        by = [p for p in found if p.kind == "product" and _BY_NAME.search(p.text)]
        if product.brand:
            finding.stated = [(_brand_passage(product), 10.0)]
        elif by:
            finding.stated = [(p, 10.0) for p in by[:1]]
        else:
            author = asks_author(question)
            finding.unmentioned = [
                _asked_word(question, "author" if author else "brand", "作者" if author else "品牌")
            ]
        return finding
    if listed and asks_what_it_is(question):
        # "what is the second one about?": what its description says first (its feature
        # list where it has none), never a yes or a no
        told = [p for p in found if p.field == "description"][:ABOUT_SENTENCES] or [
            p for p in found if p.field == "feature"
        ][:ABOUT_SENTENCES]
        if told:
            finding.stated = [(p, 10.0) for p in told]
            return finding
    unlisted = listed and product.price is None and priced
    if not found:
        if unlisted:
            finding.unmentioned = [_asked_word(question, "price", "价格")]
        return finding
    counts = _count_passages(ctx, question, found)
    if counts:
        # "How many in a box?" is answered by the number the record gives, as the price is.
        finding.stated = [(p, 10.0) for p in counts]
        finding.value = next((v for p in counts if (v := _number(p.text)) is not None), None)
        return finding
    focused = question_focus(ctx, product, terms, question, found)
    features, _ = passage_features(ctx, product, question, terms, found, focused)
    weights, bias, cutoff = model()
    if reviews_only:
        cutoff = review_cutoff()
    scores = features @ weights + bias  # (n,) log-odds that the passage states the answer
    order = np.argsort(-scores)
    typed = _kind_passages(product, question, found, focused[1], order)
    if typed:
        # "How big is the cupcake tin?" asks a size of the product it names: answered by
        # the records that give one, not by the title that names the tin
        finding.stated = [(found[i], float(scores[i])) for i in typed]
        held = held_answer(found[typed[0]].text, answer_kinds(question))
        if held is not None and (value := _number(held)) is not None:
            # "65L" of "TrailPeak Peak 100 65L waterproof backpack": the size, with its unit
            finding.value, finding.unit = value, re.sub(r"[\d.,/\s-]", "", held).casefold()
        else:
            finding.value = next(
                (v for i in typed if (v := _number(found[i].text)) is not None), None
            )
        return finding
    stated = [(found[i], float(scores[i])) for i in order if scores[i] >= cutoff]
    if asks_count(question):
        # "How many come in a pack?" is answered by a number and by nothing else: a
        # passage that only talks about the thing counted is close, not the answer
        stated = [(p, sc) for p, sc in stated if has_quantity(p.text)]
    elif asks_graded(question):
        # "What's the pressure rating?" is answered by a grade ("IPX7", "150 PSI"), not
        # by "made of materials that resist pressure"
        stated = [(p, sc) for p, sc in stated if _GRADE.search(p.text)]
    # The translated title says what the title says: when it answers, so does the title
    # (cited beside it, so a Chinese question about an English catalog is answered from
    # the English record too, not from its translation alone).
    titled = {p.field for p, _ in stated}
    if "title_zh" in titled and "title" not in titled:
        # after it: the translated title is what said it ("5ATM防水" where the English
        # title names no water resistance), so the yes rests on it
        # An English field the model also took as an answer, holding an asked word,
        # says it in the catalog's words ("AMOLED屏幕" of the translated title is
        # "display: AMOLED display"): that one comes next, else the title it translates.
        score = next(sc for p, sc in stated if p.field == "title_zh")
        own = next(
            (
                p
                for p, _ in stated
                if p.kind == "product"
                and p.field != "title_zh"
                and any(contains_term(p.text, f) for forms in focused[1] for f in forms)
            ),
            None,
        )
        if own is not None:
            stated = [(p, score - 1e-3 if p is own else sc) for p, sc in stated]
        else:
            stated += [(p, score - 1e-3) for p in found if p.field == "title"]
    # Product fields first (the seller's statement), then reviews; each by score; the
    # same words once (two reviews may say the same)
    stated.sort(key=lambda ps: (ps[0].kind != "product", -ps[1]))
    once: dict[str, tuple[Passage, float]] = {}
    for p, sc in stated:
        once.setdefault(_text_key(p), (p, sc))
    stated = list(once.values())
    if not _HAN.search(question) and any(p.field != "title_zh" for p, _ in stated):
        # an English question is answered in the catalog's English words: the translated
        # title is quoted only where nothing else says it
        stated = [(p, sc) for p, sc in stated if p.field != "title_zh"]
    how = asks_scope(question)
    if how is not None and not any(states_scope(p.text, how) for p, _ in stated):
        # "Can my cousin in Canada use it?", "能寄到国外吗？": the product's records that
        # bound where it is used or sent answer it ("Good for US iTunes Store only"),
        # quoted (a place outside a bound is the shopper's to see), never a yes or no;
        # after what the model found, when it found something
        bounds = [
            (found[i], float(scores[i]))
            for i in order
            if found[i].kind == "product" and states_scope(found[i].text, how)
        ]
        if bounds and not stated:
            finding.stated = bounds[:MAX_TYPED]
            return finding
        stated += bounds[:1]
    if not stated and (other := _other_value(ctx, question, found, *_asking(question, focused))):
        # "Are these wireless?" of "connectivity: wired": the catalog's "wireless" is a
        # value of that attribute, and this product has another one; that is the answer.
        # (quoted, not turned into a "no": a product may have more than its listing's
        # one value of a feature)
        finding.stated = [(other, 0.0)]
        finding.unmentioned = unmentioned(ctx, question, found, unsaid)  # said first, when any
        return finding
    finding.stated = stated
    if stated:
        # a yes rests on a record that says every asked word (or its translation): one
        # near by meaning only ("powder free" for "latex free?") is quoted, never a yes
        # (of an attribute, its value: "noise cancelling: passive isolation" names noise
        # cancelling and says it is passive isolation, no yes to "does it cancel noise?")
        said = stated[0][0].text
        if stated[0][0].field == "attribute":
            said = said.split(":", 1)[-1]
        # "Is the filter washable, or do I need to keep buying replacements?": the yes or
        # no answers the first clause, and rests on its words
        polar = polar_part(question)
        kept = set(content_terms(polar))
        asked = [fs for t, fs in zip(*focused, strict=False) if t in kept] or focused[1]
        # nor on a one-character Chinese verb (放 of "能放笔记本电脑吗？"), as unmentioned
        # leaves it out: what is put, worn or held is what a record says
        asked = [fs for fs in asked if not (_HAN.match(fs[0]) and len(fs[0]) == 1)] or asked
        says_all = all(any(contains_term(said, f) for f in forms) for forms in asked)
        # "does it have a case?" is no yes by "case prep tools" (cartridge cases): a word
        # that only ever modifies the next one names that, not itself
        named = says_all and not (
            _HAS.search(polar) and any(_only_modifies(said, forms, asked) for forms in asked)
        )
        # "is it 12-cup?" of "capacity: 4-cup" names cups, not twelve: no yes (the
        # record is quoted); a yes needs each number the question says
        named = named and all(holds_number(said, n) for n in said_numbers(polar))
        finding.answer = _yes_no(polar, stated[0][0], asked) if named else None
        if how is not None and not states_scope(said, how):
            # "can I use it in store?" is no yes by "with stores around the globe": a yes
            # to where it is used or sent rests on a record that bounds it so
            finding.answer = None
        if not says_all:  # what no record says is said first ("latex") or after
            finding.unmentioned = unmentioned(ctx, question, found, unsaid)
            finding.partly = any(any(contains_term(said, f) for f in forms) for forms in asked)
        # the number a "which is the longest" question compares: the one of the passage
        # an answer quotes (never "Zen 800" of a title beside "type: paring knife"), and
        # for a length, size or weight one with its unit (a model number is none)
        first = stated[0][0].text
        finding.value = _number(first)
        if measured_dimension(question) and not holds_answer_kind(first, _MEASURES):
            finding.value = None
    else:
        # The two closest, one of each text (reviews repeat), by the model's score: a
        # passage with part of what is asked ("thickness: 6mm" for "thick enough for bad
        # knees?") before one that only sounds like the question; each holds an asked
        # word or is near the question by meaning.
        near: dict[str, Passage] = {}
        related = features[:, 0] >= RELATED
        holds = features[:, FEATURES.index("any_word")] > 0
        for i in np.argsort(-scores):
            if len(near) == 2:
                break
            # a short sentence near by meaning alone is noise ("HOW BOUT DAT?" for "does
            # it expire?"); one that holds an asked word is not
            if holds[i] or (related[i] and _long_enough(found[i].text)):
                near.setdefault(_text_key(found[i]), found[i])
        finding.related = list(near.values())
        finding.unmentioned = unmentioned(ctx, question, found, unsaid)
        if unlisted:
            # No price listed, and no passage gives one ("any amount between $0.50 and
            # $2,000" would): said of the price, not of the question's words (钱 of 多少钱)
            finding.unmentioned = [_asked_word(question, "price", "价格")]
    return finding


MIN_RELATED_WORDS = 6  # English words (or twice as many Chinese characters)


def _long_enough(text: str) -> bool:
    return len(text.split()) + len(_HAN.findall(text)) / 2 >= MIN_RELATED_WORDS


def _asked_word(question: str, english: str, chinese: str) -> str:
    """A field the record does not list, named in the question's language."""
    return chinese if _HAN.search(question) else english


def _text_key(passage: Passage) -> str:
    """Passages with this key say the same words (two reviews may)."""
    return " ".join(passage.text.casefold().split())


def _count_passages(ctx: ToolContext, question: str, found: list[Passage]) -> list[Passage]:
    """For a "how many" question, the passages that give the number: of the thing
    counted ("6 pockets" for "how many pockets?", 续航 "几个小时" by "20-hour"), else,
    when the counted thing is not a unit of measure, the product's own pack count ("5
    Pack" for "这一包里有几个稳压管？", "100 Count" for "一盒多少只？"): a question about
    how many come in the package. Product fields first, then reviews."""
    if not asks_count(question):
        return []
    counted = counted_words(question)
    hits: list[Passage] = []
    if counted:
        head = counted[-1]
        forms = [head, *_translations(ctx, head)]
        hits = [p for p in found if any(states_count(p.text, [f]) for f in forms)]
        if hits or is_unit(head):
            return sorted(hits, key=lambda p: p.kind != "product")[:MAX_CITED]
    packs = [p for p in found if p.field != "title_zh" and states_count(p.text)]
    return sorted(packs, key=lambda p: p.kind != "product")[:MAX_CITED]


MAX_TYPED = 2  # passages quoted for a size, weight, time or place


def _kind_passages(
    product, question: str, found: list[Passage], forms: list[list[str]], order: np.ndarray
) -> list[int]:
    """For a question whose words say what kind of thing answers it (a size, a weight,
    a time, a place: tools.text.answer_kinds) and whose other focus words only name the
    product ("how big is the cupcake tin?", "这张卡在哪些州可以用？"), the indices of the
    passages that hold one, best first by the passage model (`order`), product fields
    before reviews. Empty when the question asks about something else too ("how long
    is the warranty?" asks about the warranty) or no record holds one."""
    kinds = answer_kinds(question)
    if not kinds:
        return []
    asking = answer_kind_words(question)
    named = " ".join([product.title, *product.title_i18n.values(), *product.categories])
    dimension = measured_dimension(question)
    doing = modal_verbs(question)  # "pick" of "what voltage range will this pick up?"
    for words in forms:
        if any(contains_term(asking, f) for f in words) or dimension in words:
            continue  # "states" of "which states", "size" of "which is the largest?": asked
        if words[0] in doing:
            continue
        if not any(contains_term(named, f) for f in words):
            return []  # something else is asked about
    held = [
        int(i) for i in order
        if found[i].field != "title_zh" and holds_answer_kind(found[i].text, kinds)
    ]  # fmt: skip
    held.sort(key=lambda i: found[i].kind != "product")  # stable: by score within each
    return held[:MAX_TYPED]


def _asking(
    question: str, focused: tuple[list[str], list[list[str]]]
) -> tuple[list[str], list[list[str]]]:
    """The focus words of the sentence that asks ("is the Kestrel Swift 200 Bluetooth?" of
    "My new phone has no headphone jack - is ..."), where the focus also took the
    others (no record holding the asked word): what another value of an attribute
    answers is what is asked, not why."""
    asking = set(content_terms(asked_part(question)))
    kept = [(t, f) for t, f in zip(*focused, strict=True) if t in asking]
    if not kept:
        return focused
    return [t for t, _ in kept], [f for _, f in kept]


def _other_value(
    ctx: ToolContext, question: str, found: list[Passage], focus: list[str], forms: list[list[str]]
) -> Passage | None:
    """The attribute passage of the product (of `found`; `focus` and `forms` from
    question_focus) when what the question asks for is, across the catalog, one of that
    attribute's values (every asked word in a value that MIN_VALUE_PRODUCTS products
    have) and this product's value holds none of it:
    "wireless" of `connectivity: wired`, 黑色 ("black") of `color: olive`. None
    otherwise (a record silent on it, or several asked things no one value holds)."""
    if not forms:
        return None
    # "wireless, or do they need a cable?": one of the alternatives is what is asked
    for group in alternatives(question):
        cols = [j for j, t in enumerate(focus) if t in group]
        if len(cols) > 1:
            merged = [f for j in cols for f in forms[j]]
            forms = [w for j, w in enumerate(forms) if j not in cols] + [merged]
    values = _attribute_values(ctx)
    for passage in found:
        if passage.field != "attribute" or passage.name not in values:
            continue
        own = passage.text.split(":", 1)[-1]
        if any(contains_term(own, f) for words in forms for f in words):
            continue
        for held, count in values[passage.name]:
            if count >= MIN_VALUE_PRODUCTS and all(any(f in held for f in w) for w in forms):
                return passage
    return None


MIN_VALUE_PRODUCTS = 2
_VALUES: dict[tuple, dict[str, list[tuple[frozenset[str], int]]]] = {}
_VALUE_COUNTS: dict[tuple, dict[str, Counter]] = {}


def attribute_value_counts(ctx: ToolContext) -> dict[str, Counter]:
    """Attribute name -> how many products of the catalog give each of its values, as
    written (casefolded; short values only: not a feature list)."""

    def build() -> dict[str, Counter]:
        counts: dict[str, Counter] = {}
        for item in ctx.store.products(ctx.catalog):
            for name, value in item.attributes.items():
                if isinstance(value, str) and 0 < len(value) <= 60:
                    counts.setdefault(name, Counter())[value.casefold()] += 1
        return counts

    return per_catalog(_VALUE_COUNTS, ctx, build)


def _attribute_values(ctx: ToolContext) -> dict[str, list[tuple[frozenset[str], int]]]:
    """Attribute name -> its values across the catalog, each as its stemmed words and
    the number of products that have it."""

    def build() -> dict[str, list[tuple[frozenset[str], int]]]:
        return {
            name: [(frozenset(content_terms(v)), n) for v, n in c.items()]
            for name, c in attribute_value_counts(ctx).items()
        }

    return per_catalog(_VALUES, ctx, build)


def _price_passage(product) -> Passage:
    """The listed price as a passage of the product's record (cited as [P<id>.p])."""
    text = f"price: {product.price:.2f} {product.currency}"
    return Passage(f"{product.id}.p", "product", "attribute", "price", text, product.id)


def _brand_passage(product) -> Passage:
    """The listed brand as a passage of the product's record (cited as [P<id>.b])."""
    return Passage(
        f"{product.id}.b", "product", "attribute", "brand", f"brand: {product.brand}", product.id
    )


# "by James Patterson", "by K.A. Tucker", "by Dr. Seuss": a record that says who made it
_BY_NAME = re.compile(r"\bby\s+(?:Dr\.\s+)?[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}")


def _rating_passage(product) -> Passage:
    """The buyers' rating as a passage of the product's record (cited as [P<id>.rt])."""
    count = product.rating_count
    text = f"rating: {product.rating_avg:.1f} out of 5 ({count} rating{'s' if count != 1 else ''})"
    return Passage(f"{product.id}.rt", "product", "attribute", "rating", text, product.id)


def unmentioned(
    ctx: ToolContext, question: str, found: list[Passage], others: frozenset[str] = frozenset()
) -> list[str]:
    """The question's words, as written, that none of the product's records holds
    (a Chinese word in none of its English forms either): what a "not stated"
    answer may say the records do not mention. "Can these AMC cards be used for
    popcorn?" of AMC gift cards: "popcorn", never "AMC"; never a word naming another
    product asked about, nor one its category or brand holds (`others`)."""
    out = []
    brands = _brands(ctx)
    unread = _unread_reviews(ctx, found)
    for word in content_words(asked_part(question)) or content_words(question):
        term = word if _HAN.match(word) else stem(word)
        if term in others or word.casefold() in brands or _GRADE.search(word):
            # a brand of the catalog is a name, and a number or code ("IP67") a figure:
            # each said only as its records give it
            continue
        forms = [
            term,
            *_translations(ctx, term),
            *_degree_base(word),
            *_comparative_base(ctx, question, term),
        ]
        if not any(contains_term(p.text, f) for p in found for f in forms) and not any(
            contains_term(text, f) for text in unread for f in forms
        ):
            out.append(_as_said(question, word))
    # a one-character Chinese verb (放 of 能放15寸笔记本吗) is not what is asked about
    return [w for w in out if not (_HAN.match(w) and len(w) == 1)]


def _as_said(question: str, word: str) -> str:
    """The word as the question writes it ("Phoenix", not "phoenix")."""
    said = re.search(whole_word(word), question, re.I)
    return said.group(0) if said else word


def _comparative_base(ctx: ToolContext, question: str, term: str) -> list[str]:
    """The plain form of an English comparative in a question that compares ("which is
    lighter?" -> light, "bigger" -> big, "larger" -> large): a review that says "they feel
    light" answers it. Not a word the catalog's titles name products by ("cooler",
    "speaker", "holder"), and only a plain form that is an English word."""
    w = term.casefold()
    if len(w) < 5 or not w.endswith("er") or not _COMPARES.search(question or ""):
        return []
    if w in _titles(ctx)["index"]:
        return []
    if w.endswith("ier"):
        bases = [w[:-3] + "y"]
    else:
        bases = [w[:-2], w[:-1]] + ([w[:-3]] if w[-3] == w[-4] else [])
    known = english_vocabulary()
    return [stem(b) for b in bases if b in known and b != w][:1]


_COMPARES = re.compile(r"\b(?:which|than|or|compare[sd]?)\b|哪个|更|比", re.I)


def _degree_base(word: str) -> list[str]:
    """The plain form of an English comparative or superlative ("easiest", "easier" ->
    easy; "cheapest" -> cheap; "biggest" -> big): a record that says "easy to clean" does
    mention what "which is easiest to clean?" asks."""
    w = word.casefold()
    if len(w) >= 6 and w.endswith(("iest", "ier")):
        return [w[: -4 if w.endswith("iest") else -3] + "y"]
    if len(w) >= 6 and w.endswith("est"):
        base = w[:-3]
        return [base[:-1] if len(base) > 2 and base[-1] == base[-2] else base]
    return []


def _unread_reviews(ctx: ToolContext, found: list[Passage]) -> list[str]:
    """The text and title of the product's reviews that were not read as passages (one
    that reads like instructions to the assistant is never quoted), and the titles of
    those that were: never quoted, but a word they hold is not "not mentioned"."""
    pid = next((p.product_id for p in found), None)
    if pid is None:
        return []
    read = {p.name for p in found if p.kind == "review"}
    return [
        f"{r.title or ''} {'' if r.id in read else r.text or ''}"
        for r in ctx.store.reviews(ctx.catalog, pid, limit=MAX_REVIEWS)
    ]


def _brands(ctx: ToolContext) -> frozenset[str]:
    """The catalog's brands, each as one word casefolded ("fandango", "raley's")."""

    def build() -> frozenset[str]:
        products = ctx.store.products(ctx.catalog)
        return frozenset(p.brand.casefold() for p in products if p.brand and " " not in p.brand)

    return per_catalog(_BRANDS, ctx, build)


_BRANDS: dict[tuple, frozenset[str]] = {}


FEATURES = (
    "question_similarity", "coverage", "semantic_coverage", "any_word", "review", "short",
    "held_coverage", "no_number", "key_match", "word_similarity", "number", "nearest",
    "answer_kind", "asked_similarity", "clause_similarity",
)  # fmt: skip


def passage_features(
    ctx: ToolContext,
    product,
    question: str,
    terms: list[str],
    found: list[Passage],
    focused: tuple[list[str], list[list[str]]] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """(n, len(FEATURES)) what each passage has of the question: its embedding
    similarity; the share of the question's focus (weighted by rarity) it holds word
    for word (a Chinese word as its English words), and by word or embedding
    similarity; whether it holds any focus word; whether it is a review; whether it
    is very short; the share it holds of the focus words the product's records hold
    anywhere; for a question asking how many, how long or how big, whether it
    has no quantity, and whether it has one; for an attribute, how well its name is
    what is asked; how near, by embedding, its words are to the focus words; how
    far its similarity to the question trails the product's most similar passage;
    and, for a question whose words say what kind of thing answers it (a size, a
    weight, a time, a place: tools.text.answer_kinds), whether it holds one; its
    embedding similarity to the sentences that ask (the reason given beside them left
    out: tools.text.asked_part), and to the closest piece of them
    (tools.text.question_clauses).
    `focused`: question_focus's answer, when the caller has it already."""
    focus, forms = focused or question_focus(ctx, product, terms, question, found)
    weights = np.array([_weight(ctx, t) for t in focus]) if focus else np.zeros(0)
    dense = _similarities(ctx, product.id, found, [question, *focus])  # (1 + terms, n)
    asking = _similarities(
        ctx, product.id, found, [asked_part(question), *question_clauses(question)]
    )
    total = float(weights.sum()) or 1.0
    held = np.array(
        [[any(contains_term(p.text, f) for f in fs) for fs in forms] for p in found], dtype=bool
    ).reshape(len(found), len(focus))  # (n, terms): the passage holds the word
    quantity = asks_quantity(question)
    kinds = answer_kinds(question)
    top = float(dense[0].max()) if len(found) else 0.0
    vectors = ctx.encode(focus) if focus and ctx.encode is not None else None
    keys = _key_matches(ctx, found, forms, vectors)
    nearest = _word_similarities(ctx, found, len(focus), vectors)  # (n, terms)
    near = (dense[1:] >= TERM_SIMILARITY).T  # (n, terms)
    # "Men or women?": a passage holding one of the alternatives answers for them all.
    for group in alternatives(question):
        cols = [j for j, t in enumerate(focus) if t in group]
        if len(cols) > 1:
            for table in (held, near, nearest):
                table[:, cols] = table[:, cols].max(axis=1, keepdims=True)
    # Of the question's words, those this product's records hold anywhere: a word no
    # record holds ("carry my phone") cannot say which passage answers.
    somewhere = float((weights * held.any(axis=0)).sum())
    out = np.zeros((len(found), len(FEATURES)), dtype=np.float32)
    for i, passage in enumerate(found):
        words = held[i]
        out[i] = (
            dense[0, i],
            float((weights * words).sum()) / total,
            float((weights * (words | near[i])).sum()) / total,
            float(words.any()) if focus else 0.0,
            float(passage.kind == "review"),
            float(
                passage.field != "attribute"
                and len(passage.text.split()) < 4
                and not _HAN.search(passage.text)
            ),
            float((weights * words).sum()) / somewhere if somewhere else 0.0,
            float(quantity and not has_quantity(passage.text)),
            keys[i],
            float((weights * nearest[i]).sum()) / total if focus else 0.0,
            float(quantity and has_quantity(passage.text)),
            float(dense[0, i] - top),
            float(bool(kinds) and holds_answer_kind(passage.text, kinds)),
            asking[0, i],
            asking[1:, i].max(),
        )
    return out, focus


def _word_similarities(
    ctx: ToolContext, found: list[Passage], terms: int, vectors: np.ndarray | None
) -> np.ndarray:
    """(n, terms) for each passage and focus word (`vectors`, their embeddings), the
    embedding similarity of the word to the passage's nearest word (among the catalog's
    words): "theater" is near "theatre", "popcorn" near "concessions", where neither is
    the other word for word."""
    out = np.zeros((len(found), terms), dtype=np.float32)
    if vectors is None:
        return out
    words = lexicon(ctx)
    if not words.words:
        return out
    sims = vectors @ words.vectors.T  # (terms, words)
    for i, passage in enumerate(found):
        rows = words.indices(passage.text)
        if rows:
            out[i] = sims[:, rows].max(axis=1)
    return out


def _key_matches(
    ctx: ToolContext, found: list[Passage], forms: list[list[str]], vectors: np.ndarray | None
) -> np.ndarray:
    """(n,) for an attribute passage, how well its name is what the question asks
    about: 1 when the name holds a focus word ("thick" -> thickness), else the
    closest focus word's embedding similarity to the name (续航 -> battery); 0 for
    other passages. The name says what the value is about; the value alone often
    does not ("battery: 20-hour battery" answers 续航, "connectivity: wired" a
    question about a cable)."""
    out = np.zeros(len(found), dtype=np.float32)
    rows = [i for i, p in enumerate(found) if p.field == "attribute"]
    if not rows or not forms:
        return out
    names = [found[i].name.replace("_", " ") for i in rows]
    if vectors is not None:
        out[rows] = (vectors @ ctx.encode(names).T).max(axis=0)
    for i, name in zip(rows, names, strict=True):
        if any(contains_term(name, f) for fs in forms for f in fs):
            out[i] = 1.0
    return out


def question_focus(
    ctx: ToolContext, product, terms: list[str], question: str = "", found: list | None = None
) -> tuple[list[str], list[list[str]]]:
    """The words of the question that ask something of the product, and the forms
    each is looked for in (a Chinese word also as the catalog's English words for it).

    Words that name the product say which product is meant, not what is asked
    about it: its kind ("speaker" in "is the speaker waterproof?"), its brand, and
    the title's words in a phrase that points at it ("Does the oscilloscope come
    with probes?" asks about probes). They are left out unless the question is
    nothing but those. A title word elsewhere may be what is asked ("can I clamp
    it to my desk?" of a desk lamp "with clamp mount")."""
    forms = {t: [t, *_translations(ctx, t), *_comparative_base(ctx, question, t)] for t in terms}
    own = {w for c in [*product.categories, product.brand] if c for w in content_terms(c)}
    title = set(content_terms(product.title)) | set(content_terms(product.title_i18n.get("zh", "")))
    pointing = naming_words(question)

    def names(term: str, words: set[str]) -> bool:  # the word, or a Chinese word's English
        return any(_names_all(f, words) for f in forms[term])

    named = {t for t in terms if names(t, own) or (t in pointing and names(t, own | title))}
    # the title's words said with the brand name the product ("Fleetfoot Pro 600 是女款吗？")
    brand = set(content_terms(product.brand or ""))
    said = _LATIN_WORD.findall(question)
    for i, word in enumerate(said):
        if not brand & set(content_terms(word)):
            continue
        for after in said[i + 1 :]:  # the words after the brand that its title has too
            keys = content_terms(after)
            if not keys and not after.isdigit():
                break
            if keys and not all(k in title or k in brand for k in keys):
                break
            named |= {k for k in keys if k in terms}
    # A Chinese piece the dictionary does not know and the catalog has no word for is
    # a cut of the segmenter ("张卡" of 这张卡), not something a record could hold.
    unknown = {
        t for t in terms
        if _HAN.match(t) and len(forms[t]) == 1 and not senses(t) and not _in_titles(ctx, t)
    }  # fmt: skip
    # Only when the question holds nothing but the product's names are they its focus;
    # a question whose other words are all unknown asks about something no record
    # names ("这个背包带防雨罩吗？"), not about the backpack. The sentence that asks is
    # the focus where it has words of its own that the records hold ("这个能定时吗？想早上
    # 起床就有咖啡喝。"), not the one that says why; where the records hold none of them,
    # the reason says what is meant ("I'm allergic to latex - are these safe for me?").
    asking = set(content_terms(asked_part(question)))
    focus = [t for t in terms if t in asking and t not in named and t not in unknown]
    if (
        found is not None
        and not answer_kinds(asked_part(question))  # "What size is it?": a size answers
        and not any(contains_term(p.text, f) for t in focus for f in forms[t] for p in found)
    ):
        focus = []
    focus = focus or (
        [t for t in terms if t not in named and t not in unknown]
        or [t for t in terms if t not in named]
        or terms
    )
    return focus, [forms[t] for t in focus]


_LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'.-]*|&")


def _names_all(form: str, words: set[str]) -> bool:
    """Whether every key word of a form (one word, or a phrase of the dictionary: 弹出 ->
    "pop up") names the product's kind or title ("Pop-Up Box")."""
    keys = [w for w in form.split() if not is_stopword(w)]
    return bool(keys) and all(names_kind(w, words) for w in keys)


# Logistic weights over FEATURES, the bias and the cut-off, fitted on the tuning part
# of benchmarks/data/qa_labels.jsonl by `python -m benchmarks.bench_qa --fit`
# (qa_calibration.json); these defaults are what a hand-set rule would say.
DEFAULT_MODEL = {
    "weights": [4.0, 3.0, 1.0, 1.0, -0.5, -2.0, 0.0, -1.0, 1.0, 1.0, 0.5, 2.0, 1.0, 0.0, 0.0],
    "bias": -3.0,
    "cutoff": 0.0,
}
OVERRIDE: dict = {}  # set by the calibration itself while it searches


def model() -> tuple[np.ndarray, float, float]:
    values = OVERRIDE or _calibration() or DEFAULT_MODEL
    return (
        np.asarray(values["weights"], dtype=np.float32),
        float(values["bias"]),
        float(values["cutoff"]),
    )


def review_cutoff() -> float:
    """The cut-off for a question asked of the reviews alone ("do reviewers say it runs
    small?"), calibrated on its own (`bench_qa --fit-reviews`): among a product's
    reviews only, the closest one is more often the answer than among all its records."""
    values = OVERRIDE or _calibration() or DEFAULT_MODEL
    return float(values.get("review_cutoff", values["cutoff"]))


@cache
def _calibration() -> dict:
    path = Path(__file__).with_name("qa_calibration.json")
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    # weights fitted over other features than these are no model of them
    return data if "weights" in data and data.get("features") == list(FEATURES) else {}


def _translations(ctx: ToolContext, term: str) -> list[str]:
    """A Chinese word's English words or two-word phrases, stemmed as contains_term
    reads them: the catalog's words for it (tools.lexicon), and its dictionary senses
    as they are, since a review may use a word no product page does (污渍 -> "stain")."""
    if not _HAN.match(term):
        return []
    found = [*lexicon(ctx).translate(ctx, term), *english_words(term, verbs=False)]
    found += lexicon(ctx).derived_senses(term)
    found += brand_sense(ctx, term)
    return list(dict.fromkeys(" ".join(stem(w) for w in t.split()) for t in found))


def brand_sense(ctx: ToolContext, term: str) -> list[str]:
    """The catalog brand a Chinese word is the proper name of (tools.dictionary.brand_named:
    "星巴克" -> Starbucks), which english_words leaves out as a name, casefolded."""
    brands = per_catalog(
        _BRANDS,
        ctx,
        lambda: {p.brand.casefold(): p.brand for p in ctx.store.products(ctx.catalog) if p.brand},
    )
    brand = brand_named(term, brands) if _HAN.match(term) else None
    return [brand.casefold()] if brand else []


_BRANDS: dict = {}


# A question whether a product has or comes with a thing (a noun asked for, not a
# quality: "is it non-slip?" asks of "non-slip yoga mat", where the word modifies mat).
_HAS = re.compile(r"\b(?:have|has|come|comes|coming|include|includes|included)\b", re.I)


def _only_modifies(text: str, forms: list[str], asked: list[list[str]]) -> bool:
    """Whether every place the text says the asked word (one of `forms`, stemmed) is
    right before another content word that was not asked ("case prep tools" for
    "case"; not "case included", "carrying case and batteries", nor "water resistant"
    when both words were asked)."""
    if not forms or any(_HAN.match(f) or " " in f for f in forms):
        return False
    tokens = re.findall(r"[A-Za-z][A-Za-z']*|\d+|[^\sA-Za-z\d]", text)
    others = {f for fs in asked for f in fs}
    places = [i for i, t in enumerate(tokens) if any(contains_term(t, f) for f in forms)]
    if not places:
        return False
    for i in places:
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        modifier = (
            after[:1].isalpha()
            and len(after) > 1  # "vitamin C", "vitamin B12": a letter names the word's kind
            and not is_stopword(after)
            and not after.casefold().endswith("ed")  # "case included", "battery powered"
            and not any(contains_term(after, f) for f in others)
        )
        if not modifier:
            return False
    return True


def _yes_no(question: str, passage: Passage, forms: list[list[str]]) -> bool | None:
    """Yes where the passage states every asked word (`forms`: each one's forms, its
    translations among them) without negating it; no where it negates one, in the
    words it says it by ("No returns" of "能退吗？"); None for a question that is not a
    yes-no one, or a review's word."""
    if (
        not is_polar(question)
        or passage.kind == "review"
        or alternatives(question)
        or asks_other(question)
    ):
        # one reviewer's word is quoted, not turned into a yes; "men or women?" and
        # "other colors?" are answered by what the record says, never "yes"
        return None
    said = [f for fs in forms for f in fs if contains_term(passage.text, f)]
    if not _FREE.search(question) and any(_free_of(passage.text, f) for f in said):
        return False  # "does it contain BPA?" of "BPA-free plastic" (not "is it BPA free?")
    # the passage may hold a word made of the asked one ("no expiration date" of "expire")
    return not any(negated_near(passage.text, f, made_of=True) for f in said)


_FREE = re.compile(r"\bfree\b", re.I)
_FREE_OF = re.compile(r"([A-Za-z0-9']+)(?:-|\s)free\b", re.I)


def _free_of(text: str, term: str) -> bool:
    """Whether the text says it is free of the term ("BPA-free", "fragrance free")."""
    return any(contains_term(m.group(1), term) for m in _FREE_OF.finditer(text))


_MEASURES = {"size", "weight", "time", "range"}  # answer kinds a dimension is stated in


def _number(text: str) -> float | None:
    found = re.findall(r"\d+(?:\.\d+)?", text)
    return float(found[0]) if len(found) == 1 else None


def _superlative(question: str, findings: list[Finding]) -> dict[str, Any] | None:
    """For "which has the longest battery?": the product whose stated value is
    highest (or lowest), when at least two products state a number (`"also"`: others
    that state the same); a tie (`"tie": True`) when every product states the same one;
    for the best rated, the one product with ratings where the others have none yet
    (`"only": True`); `"measure"`: "price" or "rating" where that is what is compared."""
    rating = asks_rating(question)
    direction = "max" if rating else superlative(question)
    valued = [f for f in findings if f.value is not None]
    if (
        rating
        and len(valued) == 1 < len(findings)
        and all(f.unrated for f in findings if f is not valued[0])
    ):
        # "which has the best reviews?" where one alone has ratings: that one, said so
        # (the others have none yet, which is no low rating)
        best = valued[0]
        return {"product_id": best.product_id, "value": best.value, "direction": direction,
                "also": [], "only": True}  # fmt: skip
    if direction is None or len(valued) < 2 or len({f.unit for f in valued}) > 1:
        return None  # "65L" and "30 cm" are not compared
    sign = 1 if direction == "max" else -1  # equal values: the better supported one
    best = max(valued, key=lambda f: (sign * f.value, f.support, f.reviews))
    if all(f.value == best.value for f in valued):
        # "which lasts longest?" of three 12-hour batteries: none is named, and where
        # every product asked about states it, that is the answer
        if len(valued) < len(findings):
            return None
        return {"tie": True, "value": best.value, "direction": direction}
    also = [f.product_id for f in valued if f is not best and f.value == best.value]
    # what is compared, where a word says it better than "lists the lowest": the price
    # (the cheapest), the rating (the best rated)
    measure = "rating" if rating else "price" if asks_price(asked_part(question)) else None
    return {"product_id": best.product_id, "value": best.value, "direction": direction,
            "also": also, "measure": measure}  # fmt: skip


def _similarities(ctx: ToolContext, pid: str, found: list[Passage], texts: list[str]) -> np.ndarray:
    """(len(texts), len(found)) cosine similarities; zeros without an embedder."""
    if ctx.encode is None:
        return np.zeros((len(texts), len(found)), dtype=np.float32)
    key = (ctx.catalog, pid, len(found))
    vectors = _EMBEDDINGS.get(key)
    if vectors is None:
        vectors = ctx.encode([p.text for p in found])
        _EMBEDDINGS[key] = vectors
        if len(_EMBEDDINGS) > _CACHE_SIZE:
            _EMBEDDINGS.popitem(last=False)
    else:
        _EMBEDDINGS.move_to_end(key)
    return ctx.encode(texts) @ vectors.T


def _weight(ctx: ToolContext, term: str) -> float:
    """Rarer words weigh more: inverse document frequency over the catalog's titles
    (a title holds the word as contains_term reads it)."""
    table = _titles(ctx)
    if term not in table["weights"]:
        if _HAN.match(term):
            df = sum(1 for title in table["titles"] if term in title)
        else:
            index = table["index"]  # stem -> the titles that have it
            stems = [term] if len(term) < 4 else [
                s for s in index if s == term or derives(term, s)
            ]  # fmt: skip
            df = len(set().union(*(index.get(s, ()) for s in stems)))
        table["weights"][term] = math.log((table["n"] + 1) / (df + 0.5)) + 1.0
    return table["weights"][term]


_TITLES: dict[tuple, dict] = {}


def _in_titles(ctx: ToolContext, term: str) -> bool:
    """Whether some Chinese title of the catalog has the word."""
    table = _titles(ctx)
    return any(term in title for title in table["zh"])


def _titles(ctx: ToolContext) -> dict:
    def build() -> dict:
        rows = ctx.store.query(
            "SELECT p.title, p.title_i18n FROM products p JOIN catalogs c ON c.id = p.catalog_id"
            " WHERE c.name = ?", (ctx.catalog,),
        )  # fmt: skip
        titles = [r[0] for r in rows]
        zh = [json.loads(r[1] or "{}").get("zh", "") for r in rows]
        index: dict[str, set[int]] = {}
        for i, title in enumerate(titles):
            for word in re.findall(r"[A-Za-z0-9]+", title):
                index.setdefault(stem(word), set()).add(i)
        return {
            "n": len(titles), "titles": titles, "zh": [z for z in zh if z], "index": index,
            "weights": {},
        }  # fmt: skip

    return per_catalog(_TITLES, ctx, build)
