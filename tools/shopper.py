"""Tools about the shopper of the conversation: their profile, their feedback,
why the recommender scores a product for them, and why a product was not shown.

`record_feedback` is the built-in tool that writes; the agent runs writing
tools only on an explicit request of the shopper and only for products shown in
the conversation (agent.executor).
"""

from __future__ import annotations

import contextlib
from typing import Literal

from catalog.errors import NotFoundError
from catalog.models import InteractionKind, Product
from tools.context import ToolContext
from tools.products import get_product, product_evidence
from tools.profile import build_profile, feedback_history
from tools.registry import ToolArgumentError
from tools.results import ToolResult

FeedbackKind = Literal["like", "not_interested", "cart", "purchase", "view"]
_ACTION = {
    InteractionKind.PURCHASE: "bought",
    InteractionKind.CART: "put in your cart",
    InteractionKind.RATING: "rated",
    InteractionKind.VIEW: "looked at",
}


def shopper_profile(ctx: ToolContext, shopper_id: str | None = None) -> ToolResult:
    """Summarise the shopper's own shopping history and interests: top categories,
    brands and price band, each with the history items behind it.

    Args:
        shopper_id: The shopper; defaults to the shopper of this conversation.
    """
    sid = shopper_id or ctx.shopper_id
    if not sid:
        return ToolResult("no shopper is known for this conversation", data={"empty": True})
    if ctx.shopper_id and sid != ctx.shopper_id:
        raise ToolArgumentError("a conversation may only read its own shopper's profile")
    feedback = ctx.store.feedback(ctx.catalog, sid)
    history = ctx.store.history(ctx.catalog, sid) + feedback_history(feedback, sid)
    products = {
        p.id: p
        for p in ctx.store.products(ctx.catalog, dict.fromkeys(h.product_id for h in history))
    }
    profile = build_profile(sid, history, products)
    ids: list[str] = []
    for pid in profile.history[:10]:
        p = products[pid]
        ids.append(
            ctx.evidence.add(
                "history",
                pid,
                f"you interacted with {p.title}",
                pid,
                title=p.title,
                category=p.category,
                brand=p.brand,
                price=p.price,
            ).id
        )
    return ToolResult(
        f"profile of {sid}: {profile.n_interactions} interactions",
        profile.history[:10],
        ids,
        {"profile": profile},
    )


def record_feedback(ctx: ToolContext, product_id: str, kind: FeedbackKind) -> ToolResult:
    """Record the shopper's feedback on a product (like it, not interested, add to
    cart) so that recommendations adapt at once.

    Args:
        product_id: The product the feedback is about.
        kind: One of like, not_interested, cart, purchase, view.
    """
    product = get_product(ctx, product_id)
    if ctx.shopper_id:
        ctx.store.add_feedback(ctx.catalog, ctx.shopper_id, product.id, kind)
        if ctx.recommender is not None:
            key = "negative" if kind == "not_interested" else "positive"
            # A product the model was not trained on: stored, folded in at retraining.
            with contextlib.suppress(NotFoundError):
                ctx.recommender.fold_in(ctx.shopper_id, **{key: [product.id]})
    stored = " (not stored: no shopper)" if not ctx.shopper_id else ""
    return ToolResult(
        f"recorded {kind} for {product.title}{stored}",
        [product.id],
        data={"kind": kind, "stored": bool(ctx.shopper_id)},
    )


def explain_recommendation(ctx: ToolContext, product_id: str) -> ToolResult:
    """Explain why a product was recommended to this shopper: the items in their own
    history behind the score and how many other shoppers made the same choice.

    Args:
        product_id: The catalog id of the product.
    """
    if ctx.recommender is None or not ctx.shopper_id:
        raise ToolArgumentError("explanations need a trained recommender and a known shopper")
    product = get_product(ctx, product_id)
    try:
        e = ctx.recommender.explain(ctx.shopper_id, product.id)
    except NotFoundError as exc:
        raise ToolArgumentError(f"the recommender cannot explain {product.id}: {exc}") from exc
    ids = [product_evidence(ctx, product).id]
    data: dict = {"explanation": e, "history": None, "social": None}
    top = _same_category(ctx, product, [c.history_item_id for c in e.contributions])
    if top is not None:
        data["history"] = _history_record(ctx, top)
        ids.append(data["history"]["id"])
    co_item = _same_category(ctx, product, [c.history_item_id for c in e.co_interactions])
    if co_item is not None:
        co = next(c for c in e.co_interactions if c.history_item_id == co_item)
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
        data["social"] = {"id": cid, "shoppers": co.shoppers, "title": other.title}
        ids.append(cid)
    for c in e.contributions[:3]:  # the items behind the score, whatever their category
        item = ctx.store.product(ctx.catalog, c.history_item_id)
        ids.append(
            ctx.evidence.add(
                "history", item.id, f"you interacted with {item.title}", item.id,
                title=item.title, share=round(c.share, 3),
            ).id
        )  # fmt: skip
    return ToolResult(f"evidence for {product.title}", [product.id], list(dict.fromkeys(ids)), data)


def _history_record(ctx: ToolContext, item_id: str) -> dict:
    """The [H] record of the shopper's strongest interaction with one item."""
    kinds = [
        h.kind for h in ctx.store.history(ctx.catalog, ctx.shopper_id) if h.product_id == item_id
    ]
    # Feedback in this shop's conversations counts too: a cart or purchase recorded there
    # is what the shopper did with the item, not a mere look.
    kinds += [
        InteractionKind(kind)
        for pid, kind, _ in ctx.store.feedback(ctx.catalog, ctx.shopper_id)
        if pid == item_id and kind in ("cart", "purchase")
    ]
    kind = next(
        (
            k
            for k in (InteractionKind.PURCHASE, InteractionKind.CART, InteractionKind.RATING)
            if k in kinds
        ),
        InteractionKind.VIEW,
    )
    item = ctx.store.product(ctx.catalog, item_id)
    hid = ctx.evidence.add(
        "history",
        item_id,
        f"you {_ACTION[kind]} {item.title}",
        item_id,
        title=item.title,
        action=kind.value,
    ).id
    return {"id": hid, "title": item.title, "action": kind.value, "item": item_id}


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


def why_not_shown(ctx: ToolContext, product_id: str) -> ToolResult:
    """Explain why a product was not recommended: which of the shopper's constraints
    (budget, brand, category, stock, not interested, already bought) it fails.

    Args:
        product_id: The catalog id of the product the shopper asks about.
    """
    product = get_product(ctx, product_id)
    pid = product_evidence(ctx, product).id
    return ToolResult(
        f"why {product.title} was not shown",
        [product.id],
        [pid],
        {"reasons": _reasons(ctx, product), "shown": product.id in ctx.session.seen},
    )


def _reasons(ctx: ToolContext, product: Product) -> list[str]:
    f = ctx.session.constraints
    out: list[str] = []
    if f is not None and (f.max_price is not None or f.min_price is not None):
        if product.price is None:
            out.append("no_price")
        elif f.max_price is not None and product.price > f.max_price:
            out.append("over_budget")
        elif f.min_price is not None and product.price < f.min_price:
            out.append("under_budget")
    if f is not None and product.brand.casefold() in {b.casefold() for b in f.exclude_brands}:
        out.append("brand_excluded")
    paths = {c.casefold() for c in product.categories}
    if f is not None and f.categories and not any(c.casefold() in paths for c in f.categories):
        out.append("other_category")
    if not product.in_stock:
        out.append("out_of_stock")
    if product.id in ctx.session.declined:
        out.append("not_interested")
    if ctx.shopper_id and any(
        h.product_id == product.id and h.kind is InteractionKind.PURCHASE
        for h in ctx.store.history(ctx.catalog, ctx.shopper_id)
    ):
        out.append("bought")
    if not out and product.id in ctx.session.shown:
        out.append("shown")  # "why not the most expensive one?" about one in the list
    return out or ["ranked_lower"]
