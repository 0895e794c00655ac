"""The explanation composer: tool evidence -> 2-4 claims per product, each a
short template sentence with its citations (English or Chinese).

Claims say why the product fits the request (matched attributes, the search
match, price within budget), what in the shopper's history supports it (the
recommender's `explain` evidence), what other shoppers did (co-interaction
counts) and what a review says (a short quoted phrase). Every number and name
in a claim is copied from the evidence it cites.
"""

from __future__ import annotations

import re
from typing import Any

from agent.state import DialogueState
from agent.verifier import Claim
from catalog.models import InteractionKind, Product
from catalog.untrusted import looks_like_instructions
from prompts.render import render
from tools.context import ToolContext
from tools.products import product_evidence

MAX_CLAIMS = 4
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
    matched: dict[str, str] | None = None,
    explained: dict[str, Any] | None = None,
) -> list[Claim]:
    """Claims for one product, most relevant first, at most MAX_CLAIMS. `matched`: the
    passage a search matched ({"field", "snippet"}); `explained`: the data of
    `explain_recommendation` for this product."""
    lang = "zh" if ctx.language == "zh" else "en"
    pid = product_evidence(ctx, product).id
    claims: list[Claim] = []
    matched = _matched_attributes(product, state)
    if matched and product.category:
        claims.append(
            _claim(
                "attributes", lang, [pid], product.id, category=product.category, attributes=matched
            )
        )
    elif (
        matched
        and matched.get("snippet")
        and matched.get("field") != "title"
        and not looks_like_instructions(matched["snippet"])
    ):
        snippet = _short(matched["snippet"], 120)
        sid = ctx.evidence.add(
            "search",
            f"{product.id}:{matched['field']}",
            snippet,
            product.id,
            field=matched["field"],
            snippet=snippet,
        ).id
        claims.append(_claim("match", lang, [sid], product.id, snippet=snippet))
    if product.price is not None:
        within = state.slots.max_price is not None and product.price <= state.slots.max_price
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
    if explained:
        claims.extend(_recommender_claims(explained, product.id, lang))
    review = _best_review(ctx, product)
    if review is not None:
        claims.append(review(lang))
    if len(claims) < 2:
        words = _title_matches(product, state)
        if words:
            claims.insert(0, _claim("title_match", lang, [pid], product.id, words=words))
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


def _recommender_claims(explained: dict[str, Any], product_id: str, lang: str) -> list[Claim]:
    """Claims from `explain_recommendation`'s result: the shopper's own item in the same
    category ([H]) and what other shoppers chose ([C])."""
    claims: list[Claim] = []
    history = explained.get("history")
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


def _best_review(ctx: ToolContext, product: Product):
    reviews = [
        r
        for r in ctx.store.reviews(ctx.catalog, product.id, limit=20)
        if r.text and (r.rating or 0) >= 4 and not looks_like_instructions(r.text)
    ]
    if not reviews:
        return None
    review = min(reviews, key=lambda r: abs(len(r.text) - 80))
    excerpt = _short(review.text, 100)
    rid = ctx.evidence.add(
        "review", review.id, excerpt, product.id, rating=review.rating, excerpt=excerpt
    ).id
    return lambda lang: _claim("review", lang, [rid], product.id, excerpt=excerpt)


def _matched_attributes(product: Product, state: DialogueState) -> list[str]:
    wanted = " ".join([state.slots.query, *state.slots.attributes, state.slots.use or ""])
    wanted = wanted.casefold()
    values = [
        v
        for k, v in product.attributes.items()
        if k not in ("features", "price_max") and isinstance(v, str) and len(v) < 40
    ]
    matched = [
        v
        for v in values
        if v.casefold() in wanted or any(w in wanted for w in v.casefold().split() if len(w) > 3)
    ]
    return matched[:3]


def _title_matches(product: Product, state: DialogueState) -> list[str]:
    """Words of the request (4+ letters) that start a word of the product title; a
    hyphenated compound is one word, so "free" does not match "fragrance-free" (the claim
    would repeat a word of the request that the title does not say)."""
    title = product.title.casefold()
    words = [
        w
        for w in re.findall(r"[a-z][a-z0-9-]{3,}", state.slots.query.casefold())
        if re.search(rf"(?<![a-z0-9-]){re.escape(w)}", title)
    ]
    return list(dict.fromkeys(words))[:3]


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
