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
from agent.untrusted import looks_like_instructions
from agent.verifier import Claim
from catalog.models import InteractionKind, Product
from prompts.render import render
from recommender.base import Explanation
from tools.builtins import product_evidence
from tools.context import ToolContext

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
    hit: Any = None,
    explanation: Explanation | None = None,
) -> list[Claim]:
    """Claims for one product, most relevant first, at most MAX_CLAIMS."""
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
        hit is not None
        and getattr(hit, "snippet", "")
        and hit.snippet_field != "title"
        and not looks_like_instructions(hit.snippet)
    ):
        snippet = _short(hit.snippet, 120)
        sid = ctx.evidence.add(
            "search",
            f"{product.id}:{hit.snippet_field}",
            snippet,
            product.id,
            field=hit.snippet_field,
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
    if explanation is not None:
        claims.extend(_recommender_claims(ctx, explanation, lang))
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


def _recommender_claims(ctx: ToolContext, e: Explanation, lang: str) -> list[Claim]:
    claims: list[Claim] = []
    candidate = ctx.store.product(ctx.catalog, e.item_id)
    related = _same_category(ctx, candidate, [c.history_item_id for c in e.contributions])
    if related and ctx.shopper_id:
        top = related
        kinds = [
            h.kind for h in ctx.store.history(ctx.catalog, ctx.shopper_id) if h.product_id == top
        ]
        kind = next(
            (
                k
                for k in (InteractionKind.PURCHASE, InteractionKind.CART, InteractionKind.RATING)
                if k in kinds
            ),
            InteractionKind.VIEW,
        )
        item = ctx.store.product(ctx.catalog, top)
        hid = ctx.evidence.add(
            "history",
            top,
            f"you {_ACTIONS['en'][kind]} {item.title}",
            top,
            title=item.title,
            action=kind.value,
        ).id
        claims.append(
            _claim("history", lang, [hid], e.item_id, title=item.title, action=_ACTIONS[lang][kind])
        )
    co_items = _same_category(ctx, candidate, [c.history_item_id for c in e.co_interactions])
    if co_items:
        co = next(c for c in e.co_interactions if c.history_item_id == co_items)
        other = ctx.store.product(ctx.catalog, co.history_item_id)
        cid = ctx.evidence.add(
            "co_interaction",
            f"{co.history_item_id}>{co.item_id}",
            f"{co.shoppers} shoppers who interacted with {other.title} also interacted with "
            f"product {co.item_id}",
            co.item_id,
            shoppers=co.shoppers,
            title=other.title,
        ).id
        claims.append(
            _claim("social", lang, [cid], e.item_id, shoppers=co.shoppers, title=other.title)
        )
    return claims


def _same_category(ctx: ToolContext, candidate: Product, item_ids: list[str]) -> str | None:
    """The first item sharing the candidate's category: a cross-category neighbour
    ("like the face cream you bought" for hiking boots) explains nothing to a shopper."""
    if not item_ids:
        return None
    if not candidate.category:
        return item_ids[0]  # no categories to compare: trust the model's top item
    for product in ctx.store.products(ctx.catalog, item_ids[:10]):
        if product.category == candidate.category and product.id != candidate.id:
            return product.id
    return None


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
    """Words of the request (4+ letters) that the product title contains."""
    title = product.title.casefold()
    words = [
        w
        for w in re.findall(r"[a-z][a-z0-9-]{3,}", state.slots.query.casefold())
        if re.search(rf"(?<![a-z0-9]){re.escape(w)}", title)
    ]
    return list(dict.fromkeys(words))[:3]


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
