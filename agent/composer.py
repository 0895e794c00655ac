"""The explanation composer: tool evidence -> 2-4 claims per product, each a
short template sentence with its citations (English or Chinese).

Claims say how the product meets the request, quoting the shopper's own words
and the record that meets them (agent.needs), and what the shopper asked for
that no record mentions; then its price (within the budget or not), what in
the shopper's history supports it (the recommender's `explain` evidence), what
other shoppers did (co-interaction counts) and what a review says (a short
quoted phrase). Every number and name in a claim is copied from the evidence it
cites; a fact the shopper did not ask for is never called what they asked for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from agent.needs import (
    AskedKind,
    Match,
    Need,
    aligned_translations,
    asked_kind,
    check_request,
    fact_window,
    kind_match,
    match_needs,
    need_threshold,
    needs_of,
    of_asked_kind,
)
from agent.state import DialogueState
from agent.verifier import Claim, Verifier
from catalog.filters import ProductFilter
from catalog.models import InteractionKind, Product
from catalog.untrusted import looks_like_instructions
from prompts.render import render
from tools.context import ToolContext
from tools.discovery import common_words
from tools.passages import product_passages
from tools.products import product_evidence
from tools.qa import brand_sense
from tools.text import content_terms, stem

MAX_CLAIMS = 4
MAX_REQUEST_CLAIMS = 2
# A price said "around" ("around 80 dollars") is within the budget up to 5 % over it.
AROUND_WITHIN = 1.05
# For a gift ("for my dad") a claim about the shopper's own purchase is made only when
# that purchase carries at least this share of the recommender's score.
GIFT_HISTORY_SHARE = 0.2
DISTINCTIVE = 2.0  # title weight (log inverse share + 1) of a kind that tells products apart
_ACTIONS = {
    "en": {
        InteractionKind.PURCHASE: "bought",
        InteractionKind.CART: "put in your cart",
        InteractionKind.RATING: "rated",
        InteractionKind.VIEW: "looked at",
    },
    "zh": {
        InteractionKind.PURCHASE: "购买",
        InteractionKind.CART: "加入购物车",
        InteractionKind.RATING: "评价",
        InteractionKind.VIEW: "浏览",
    },
}


def _claim(kind: str, lang: str, citations: list[str], product_id: str, **values: Any) -> Claim:
    # Catalog text keeps no square brackets in a claim: "Filament [Red]" would read as
    # a citation of a record "Red".
    values = {
        k: v.replace("[", "(").replace("]", ")") if isinstance(v, str) else v
        for k, v in values.items()
    }
    return Claim(render("claims", f"{kind}_{lang}", **values), citations, kind, product_id)


def compose(
    ctx: ToolContext,
    product: Product,
    state: DialogueState,
    explained: dict[str, Any] | None = None,
    names: Sequence[str] = (),
    like: Product | None = None,
) -> list[Claim]:
    """Claims for one product, most relevant first, at most MAX_CLAIMS. `explained`:
    the data of `explain_recommendation` for this product; `names`: the catalog's
    brands and titles, which a request claim may only name as its record spells them;
    `like`: the product it was found like ("something like Gone Girl")."""
    lang = "zh" if ctx.language == "zh" else "en"
    pid = product_evidence(ctx, product).id
    needs = needs_of(state.request())
    met: list[str] = []  # reviews that meet what was asked (the review quoted, if any)
    claims = [] if like is None else [c for c in [like_claim(ctx, product, like, lang, names)] if c]
    claims += request_claims(ctx, product, needs, lang, names, state.request(), met)
    budget = state.slots.max_price is not None or state.slots.min_price is not None
    if product.price is None and budget:
        claims.append(_claim("no_price", lang, [pid], product.id))
    if product.price is not None:
        slots = state.slots
        # "around 80" lets 94.99 through the search, but 94.99 is not around 80; 81.99 is
        around = slots.price_around
        bound = slots.max_price if around is None else round(around * AROUND_WITHIN, 2)
        within = bound is not None and product.price <= bound
        claims.append(
            _claim(
                "price",
                lang,
                [pid],
                product.id,
                price=f"{product.price:.2f}",
                currency=product.currency,
                within_budget=within,
            )
        )
    personal = (
        _recommender_claims(explained, product.id, lang, state.slots.recipient) if explained else []
    )
    claims.extend(personal)
    if not personal and not any(c.kind == "request" for c in claims):
        # Nothing the shopper said, and nothing in their history, picked it: say what
        # does single it out in its category, as a fact, never as what they asked for.
        popular = _popularity_claim(ctx, product, lang, bool(needs))
        if popular is not None:
            claims.append(popular)
    review = _best_review(ctx, product, met)
    if review is not None:
        claims.append(review(lang))
    if len(claims) < 2 and product.brand:
        claims.append(_claim("brand", lang, [pid], product.id, brand=product.brand))
    if product.rating_avg is not None and product.rating_count >= 3:
        claims.append(
            _claim(
                "rating",
                lang,
                [pid],
                product.id,
                rating=f"{product.rating_avg:.1f}",
                count=product.rating_count,
            )
        )
    return claims[:MAX_CLAIMS]


LIKE_SHARED = 2  # words a product's passage must share with the one it is like


def like_claim(
    ctx: ToolContext, product: Product, like: Product, lang: str, names: Sequence[str] = ()
) -> Claim | None:
    """ "Like Gone Girl, its description says "…psychological thrillers and suspense…"":
    the words a product's passage shares with what the product it was found like is (its
    title and its description's first sentence), none the catalog's products commonly
    say ("fans", "enjoy"), at least LIKE_SHARED of them unless one that both
    descriptions say ("thriller"), never in its title (titles of a kind share its words
    whether alike or not); the passage and the other product's record that holds them
    both cited. None where no passage shares enough."""
    common = common_words(ctx)

    def words(text: str) -> set[str]:
        return {
            w
            for w in content_terms(text)
            if len(w) > 2 and w.isalpha() and w.isascii() and w not in common
        }

    own = product_passages(like)
    title = own[0]
    described = next((p for p in own if p.field == "description"), None)
    theirs = [(p, words(p.text)) for p in (title, described) if p is not None]
    best, shared, source = None, set(), title
    for passage in product_passages(product):
        if passage.field in ("title", "title_zh", "category"):
            continue  # titles share a kind's words ("hiking boots") whether alike or not
        held = words(passage.text)
        for other, said in theirs:
            if len(held & said) > len(shared):
                best, shared, source = passage, held & said, other
    if best is None or (len(shared) < LIKE_SHARED and source is title):
        return None  # one word of a title ("Girl" of "Gone Girl") says nothing of likeness
    cited = list(dict.fromkeys([best.cite(ctx).id, title.cite(ctx).id, source.cite(ctx).id]))
    claim = _claim(
        "like",
        lang,
        cited,
        product.id,
        title=like.title,
        fact=_requoted(fact_window(best, sorted(shared))),
        field=best.field,
        attribute=(best.name or "").replace("_", " ") if best.field == "attribute" else "",
    )
    problems = Verifier(ctx.evidence, names).check(claim.render(), [claim])
    return None if problems else claim


MAX_LISTED = 5  # attributes a product's details list in one sentence
MAX_DESCRIBED = 2  # description sentences they quote


def detail_claims(ctx: ToolContext, product: Product, shown: list[Claim]) -> list[Claim]:
    """What "tell me more" adds to a product's explanation (`shown`): the attributes its
    page lists and the first sentences of its description, each cited to its own
    passage, less what the explanation cites already, and its rating and a review where
    the explanation had no room for them."""
    lang = "zh" if ctx.language == "zh" else "en"
    cited = {c for claim in shown for c in claim.citations}
    kinds = {claim.kind for claim in shown}
    own = [p for p in product_passages(product) if p.cid not in cited]
    listed = [p for p in own if p.field == "attribute"][:MAX_LISTED]
    claims = []
    if listed:
        ids = [p.cite(ctx).id for p in listed]
        facts = [_short(p.text, 60) for p in listed]
        claims.append(_claim("listing", lang, ids, product.id, facts=facts))
    titled = set(content_terms(product.title))
    described = [
        p
        for p in own
        if p.field == "description"
        # "The Luxe 100 is an IPX7 waterproof, portable speaker": the title again
        and len(set(content_terms(p.text)) - titled) > 1
    ]
    for p in described[:MAX_DESCRIBED]:
        quote = _short(p.text, 160).rstrip(".。")
        claims.append(_claim("described", lang, [p.cite(ctx).id], product.id, quote=quote))
    pid = product_evidence(ctx, product).id
    if product.rating_avg is not None and product.rating_count and "rating" not in kinds:
        claims.append(
            _claim("rating", lang, [pid], product.id, rating=f"{product.rating_avg:.1f}",
                   count=product.rating_count)
        )  # fmt: skip
    if not any(c.startswith("R") for c in cited) and (review := _best_review(ctx, product)):
        claims.append(review(lang))
    return claims


def _recommender_claims(
    explained: dict[str, Any], product_id: str, lang: str, recipient: str | None = None
) -> list[Claim]:
    """Claims from `explain_recommendation`'s result: the shopper's own item in the same
    category ([H]) and what other shoppers chose ([C]). For a gift for someone else the
    shopper's own history is said only when it weighed in the score."""
    claims: list[Claim] = []
    history = explained.get("history")
    if history and recipient and _share(explained, history) < GIFT_HISTORY_SHARE:
        history = None
    if history:
        action = _ACTIONS[lang][InteractionKind(history["action"])]
        claims.append(
            _claim(
                "history", lang, [history["id"]], product_id, title=history["title"], action=action
            )
        )
    social = explained.get("social")
    if social:
        claims.append(
            _claim(
                "social",
                lang,
                [social["id"]],
                product_id,
                shoppers=social["shoppers"],
                title=social["title"],
            )
        )
    return claims


def _share(explained: dict[str, Any], history: dict) -> float:
    """The share of the score owed to the history item the claim names."""
    contributions = getattr(explained.get("explanation"), "contributions", None) or []
    return next(
        (float(c.share) for c in contributions if c.history_item_id == history.get("item")), 0.0
    )


def request_claims(
    ctx: ToolContext,
    product: Product,
    needs: list[Need],
    lang: str,
    names: Sequence[str] = (),
    messages: Sequence[str] = (),
    met_reviews: list[str] | None = None,
) -> list[Claim]:
    """What the shopper asked for that the product's records meet, each quoting the
    shopper's words and the record's (at most MAX_REQUEST_CLAIMS), and one sentence for
    what they asked for that no record mentions; each checked as the verifier checks a
    model's request claim (agent.needs.check_request), a failing one left out. `needs`:
    agent.needs.needs_of the shopper's request, told in `messages`. A product that is
    not the kind the request asks for (agent.needs.asked_kind) meets none of it: "plastic"
    of "plastic graduated cylinders" is no fit of plastic test tubes. `met_reviews`, where
    given, receives the ids of the reviews that meet a need ("Bought it for camping" of
    露营), claimed or not."""
    if not needs:
        return []
    kind_asked = asked_kind(ctx, messages)
    report = match_needs(ctx, product, needs, asked=kind_asked, messages=messages)
    if kind_asked is not None and not of_asked_kind(ctx, product, kind_asked):
        report.matches, report.kind_only = [], []
    verifier = Verifier(ctx.evidence, names)  # numbers and names, as every sentence
    claims: list[Claim] = []
    used: set[str] = set()
    if met_reviews is not None:
        met_reviews += [m.passage.name for m in report.matches if m.passage.kind == "review"]
    firm = [m for m in report.matches if not _loose(m, kind_asked)]
    loose = [m for m in report.matches if _loose(m, kind_asked)]
    for matches, most in ((firm, MAX_REQUEST_CLAIMS), (loose, 1)):
        for match in matches:
            if match.passage.key in used or len(claims) == most:
                continue
            claim = _request_claim(ctx, match, lang, verifier)
            if claim is not None:
                used.add(match.passage.key)
                claims.append(claim)
        if claims:
            break
    # "You asked for a gift card: it is one" only when nothing else asked for is missing,
    # or when the kind tells this product apart in the catalog ("headphones" in a shop of
    # many kinds, not "card" among gift cards): a kind every product shares, said of a
    # product that misses the rest, would read as a fit.
    if not claims and report.kind_only:
        kind = kind_match(ctx, product, report.kind_only)
        if kind is not None and report.unstated and not _distinctive(ctx, kind):
            kind = None
        if kind is not None:
            claim = _request_claim(ctx, kind, lang, verifier)
            claims += [claim] if claim is not None else []
    pid = product_evidence(ctx, product).id
    # What was asked and no record mentions, but not a catalog name (a brand asked for
    # is the brand filter's, and a name not in the cited record fails the verifier).
    said_once: dict[str, str] = {}  # the same word asked in two messages is said once
    for n in report.unstated:
        said = _unsaid(n)
        if brand_sense(ctx, said):
            continue  # a brand named in Chinese ("星巴克") is the brand filter's, as in English
        c = _claim("unstated", lang, [pid], product.id, needs=[said])
        if not verifier.check(c.render(), [c]):
            said_once.setdefault(said.casefold(), said)
    words = list(said_once.values())[:2]
    if words:
        claims.append(_claim("unstated", lang, [pid], product.id, needs=words))
    return claims


def _unsaid(need: Need) -> str:
    """How a need no record mentions is quoted: a negated one from its first word ("heavy"
    of "nothing too heavy", "bulky" of "not too bulky"): that its page never mentions the
    word is what is true; "Nothing on its page mentions "nothing too heavy"" reads as the
    opposite."""
    if not need.negated or not need.words:
        return need.text
    at = need.text.casefold().find(need.words[0].casefold())
    return need.text[at:] if at > 0 else need.text


def _loose(match: Match, kind: AskedKind | None) -> bool:
    """Whether a match rests on a single word of the shopper's found in running text (a
    description or a review: "state" in "...golf courses in every state") or on a single
    word of a longer need in the title ("house" of "mailed to his house" in "Steak and Sea
    House Gift Card"), the kind asked for aside ("vise" of "wood vise"). Such a word is
    as often about something else as about the need: the claim is made only when no
    firmer one is, and once."""
    if match.how != "words" or len(content_terms(match.quoted)) != 1:
        return False
    if match.passage.field in ("description", "review"):
        return True
    if not match.passage.field.startswith("title") or match.quoted == match.need.text:
        return False
    return kind is None or not (
        set(content_terms(match.quoted)) & kind.words
        or (kind.chinese and kind.chinese in match.quoted)
    )


def _popularity_claim(
    ctx: ToolContext, product: Product, lang: str, unmatched: bool
) -> Claim | None:
    """ "It ranks 3 of 167 in Headphones by number of ratings", when it is among the most
    rated of its category (the top tenth, or top three), cited to a record of the count."""
    if not product.category or not product.rating_count:
        return None
    table = ctx.products
    rows = np.flatnonzero(
        table.mask(ProductFilter(categories=[product.category], in_stock_only=False))
    )
    if len(rows) < 2:
        return None
    rank = 1 + int((table.rating_count[rows] > product.rating_count).sum())
    if rank > max(3, len(rows) // 10):
        return None
    record = ctx.evidence.add(
        "product",
        f"{product.id}.r",
        f"{product.title}: {product.rating_count} ratings, rank {rank} of {len(rows)} in"
        f" {product.category} by number of ratings",
        product.id,
        rank=rank,
        of=len(rows),
        category=product.category,
    ).id
    return _claim(
        "popular",
        lang,
        [record],
        product.id,
        rank=rank,
        of=len(rows),
        category=product.category,
        unmatched=unmatched,
    )


def _distinctive(ctx: ToolContext, match: Match) -> bool:
    """Whether the kind's words are in few of the catalog's titles (under about a third):
    an English word in the titles, a Chinese one in the Chinese titles ("瑜伽垫" in a shop
    of twelve kinds), or by the catalog's own translation of it where titles are English."""
    from tools.qa import _titles, _translations, _weight

    weights = [_weight(ctx, t) for t in match.need.terms if t.isascii()]
    titled = [z for z in _titles(ctx)["zh"] if z]
    for term in (t for t in match.need.terms if not t.isascii()):
        share = sum(term in z for z in titled) / len(titled) if titled else 0.0
        if share:
            weights.append(math.log(1 / (share + 0.5 / len(titled))) + 1.0)
            continue
        # every English word the catalog translates it by ("礼品卡": giftcard, gift) must
        # be rare, or the kind is every product's ("gift" in a shop of gift cards)
        english = [stem(w) for t in _translations(ctx, term) for w in t.split()]
        if english:
            weights.append(min(_weight(ctx, w) for w in english))
    return any(w >= DISTINCTIVE for w in weights)


def _request_claim(
    ctx: ToolContext, match: Match, lang: str, verifier: Verifier | None = None
) -> Claim | None:
    passage = match.passage
    record = passage.cite(ctx)
    name = passage.name.replace("_", " ") if passage.field == "attribute" else ""
    claim = _claim(
        "request",
        lang,
        [record.id],
        passage.product_id,
        need=match.quoted,
        fact=_requoted(match.fact),
        field=passage.field,
        attribute=name,
    )
    problems = check_request(
        claim.render(),
        ctx.session.said,
        record.text,
        ctx.similarity,
        need_threshold(),
        lambda word: aligned_translations(ctx, word),
    )
    if not problems and verifier is not None:
        problems = verifier.check(claim.render(), [claim])
    return None if problems else claim


def _requoted(fact: str) -> str:
    """A record's words to quote inside quotation marks: its own marks as single ones,
    an inch mark as a double prime ('7.5″ Probe', not 7.5' of a foot)."""
    fact = re.sub(r'(?<=\d)"', "″", fact)
    return fact.replace('"', "'").replace("“", "'").replace("”", "'")


def _best_review(ctx: ToolContext, product: Product, met: Sequence[str] = ()):
    """A favourable review to quote: one that meets what the shopper asked for first
    ("Bought it for camping" of a speaker for camping), else one of about 80 characters."""
    reviews = [
        r
        for r in ctx.store.reviews(ctx.catalog, product.id, limit=20)
        if r.text and (r.rating or 0) >= 4 and not looks_like_instructions(r.text)
    ]
    if not reviews:
        return None
    review = min(reviews, key=lambda r: (r.id not in met, abs(len(r.text) - 80)))
    excerpt = _short(review.text, 100)
    rid = ctx.evidence.add(
        "review", review.id, excerpt, product.id, rating=review.rating, excerpt=excerpt
    ).id
    return lambda lang: _claim("review", lang, [rid], product.id, excerpt=excerpt)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
