"""The built-in tools. Each is a typed function with a Google-style docstring;
`register_tools` is the same hook a third-party package exposes.

Every tool records the facts it uses in the turn's evidence ledger and returns
their citation ids, so explanations can cite them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from catalog.errors import NotFoundError
from catalog.models import Product
from tools.context import ToolContext
from tools.profile import build_profile
from tools.registry import ToolArgumentError
from tools.results import Evidence, ToolResult

FeedbackKind = Literal["like", "not_interested", "cart", "purchase", "view"]
MAX_COMPARE = 4


def product_evidence(ctx: ToolContext, product: Product) -> Evidence:
    """The [P<id>] record for a product: its main fields, as data and as text."""
    price = f"{product.price:.2f} {product.currency}" if product.price is not None else "unknown"
    rating = (
        f"{product.rating_avg:.1f}/5 from {product.rating_count} ratings"
        if product.rating_avg is not None
        else "no ratings yet"
    )
    text = (
        f"{product.title} — brand {product.brand or 'unknown'}, category "
        f"{' > '.join(product.categories) or 'unknown'}, price {price}, rating {rating}"
    )
    return ctx.evidence.add(
        "product",
        product.id,
        text,
        product.id,
        title=product.title,
        brand=product.brand,
        category=product.category,
        categories=list(product.categories),
        price=product.price,
        currency=product.currency,
        rating_avg=product.rating_avg,
        rating_count=product.rating_count,
        attributes=dict(product.attributes),
        title_zh=product.title_i18n.get("zh"),
        in_stock=product.in_stock,
        description=product.description[:600],
    )


def _product(ctx: ToolContext, product_id: str) -> Product:
    try:
        return ctx.store.product(ctx.catalog, str(product_id))
    except NotFoundError as exc:
        raise ToolArgumentError(
            f"{exc}; use an id from a previous search or recommendation"
        ) from exc


def product_details(ctx: ToolContext, product_id: str) -> ToolResult:
    """Look up one product's details: title, brand, category, price, rating, attributes
    and a few review excerpts.

    Args:
        product_id: The catalog id of the product.
    """
    product = _product(ctx, product_id)
    ids = [product_evidence(ctx, product).id]
    for review in ctx.store.reviews(ctx.catalog, product.id, limit=3):
        if review.text:
            excerpt = review.text if len(review.text) <= 200 else review.text[:197] + "..."
            ids.append(
                ctx.evidence.add(
                    "review",
                    review.id,
                    excerpt,
                    product.id,
                    rating=review.rating,
                    title=review.title,
                    excerpt=excerpt,
                ).id
            )
    return ToolResult(f"details of {product.title}", [product.id], ids, {"product": product.id})


def compare_products(ctx: ToolContext, product_ids: list[str]) -> ToolResult:
    """Compare two to four products side by side (price, brand, rating, attributes).

    Args:
        product_ids: Two to four catalog product ids.
    """
    ids = list(dict.fromkeys(str(p) for p in product_ids))
    if not 2 <= len(ids) <= MAX_COMPARE:
        raise ToolArgumentError(
            f"compare_products needs 2 to {MAX_COMPARE} distinct products, got {len(ids)}"
        )
    products = [_product(ctx, pid) for pid in ids]
    fields = [
        "price",
        "brand",
        "rating",
        *sorted({k for p in products for k in p.attributes if k not in ("features", "price_max")}),
    ]
    table: dict[str, list[str | float | None]] = {f: [] for f in fields}
    for p in products:
        table["price"].append(p.price)
        table["brand"].append(p.brand)
        table["rating"].append(p.rating_avg)
        for f in fields[3:]:
            table[f].append(p.attributes.get(f))
    evidence = [product_evidence(ctx, p).id for p in products]
    return ToolResult(
        f"comparison of {len(products)} products", ids, evidence, {"columns": ids, "rows": table}
    )


def shopper_profile(ctx: ToolContext, shopper_id: str | None = None) -> ToolResult:
    """Summarise a shopper's history and inferred interests: top categories, brands and
    price band, each with the history items behind it.

    Args:
        shopper_id: The shopper; defaults to the shopper of this conversation.
    """
    sid = shopper_id or ctx.shopper_id
    if not sid:
        return ToolResult("no shopper is known for this conversation", data={"empty": True})
    history = ctx.store.history(ctx.catalog, sid)
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
    """Record the shopper's feedback on a product so that recommendations adapt at once.

    Args:
        product_id: The product the feedback is about.
        kind: One of like, not_interested, cart, purchase, view.
    """
    if not ctx.shopper_id:
        raise ToolArgumentError("record_feedback needs a shopper: pick or create one first")
    product = _product(ctx, product_id)
    ctx.store.add_feedback(ctx.catalog, ctx.shopper_id, product.id, kind)
    if ctx.recommender is not None:
        if kind == "not_interested":
            ctx.recommender.fold_in(ctx.shopper_id, negative=[product.id])
        else:
            ctx.recommender.fold_in(ctx.shopper_id, positive=[product.id])
    return ToolResult(f"recorded {kind} for {product.title}", [product.id], data={"kind": kind})


BUILTIN_TOOLS: tuple[Callable[..., ToolResult], ...] = (
    product_details,
    compare_products,
    shopper_profile,
    record_feedback,
)


def register_tools(register: Callable) -> None:
    for function in BUILTIN_TOOLS:
        register(function)
