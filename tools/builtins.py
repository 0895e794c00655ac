"""The built-in tools. Each is a typed function with a Google-style docstring;
`register_tools` is the same hook a third-party package exposes.

Every tool records the facts it uses in the turn's evidence ledger and returns
their citation ids, so explanations can cite them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from catalog.errors import NotFoundError
from catalog.filters import ProductFilter
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


def search_products(
    ctx: ToolContext,
    query: str,
    max_price: float | None = None,
    min_price: float | None = None,
    category: str | None = None,
    brands: list[str] | None = None,
    exclude_brands: list[str] | None = None,
    k: int = 5,
) -> ToolResult:
    """Search the catalog with hard filters; every hit cites the text it matched.

    Args:
        query: What the shopper is looking for, in English or Chinese.
        max_price: Highest price, in the catalog's currency.
        min_price: Lowest price, in the catalog's currency.
        category: A category name (any level of the category path).
        brands: Only these brands.
        exclude_brands: Never these brands.
        k: How many products to return (1-20).
    """
    if ctx.search is None:
        raise ToolArgumentError("search is unavailable: run `shopassist index` for this catalog")
    f = ProductFilter(
        min_price=min_price,
        max_price=max_price,
        categories=[category] if category else [],
        brands=brands or [],
        exclude_brands=exclude_brands or [],
        in_stock_only=True,
    )
    hits = ctx.search.search(query, k=max(1, min(k, 20)), filters=f)
    ids = [
        ctx.evidence.add(
            "search",
            f"{h.product_id}:{h.snippet_field}",
            h.snippet,
            h.product_id,
            field=h.snippet_field,
            snippet=h.snippet,
        ).id
        for h in hits
    ]
    return ToolResult(
        f"{len(hits)} products match {query!r}",
        [h.product_id for h in hits],
        ids,
        {"scores": [h.score for h in hits]},
    )


def recommend_for_shopper(
    ctx: ToolContext,
    k: int = 5,
    max_price: float | None = None,
    category: str | None = None,
    exclude: list[str] | None = None,
) -> ToolResult:
    """Personal recommendations for this conversation's shopper, within hard filters.

    Args:
        k: How many products to return (1-20).
        max_price: Highest price, in the catalog's currency.
        category: A category name (any level of the category path).
        exclude: Product ids never to recommend.
    """
    if ctx.recommender is None:
        raise ToolArgumentError("no trained recommender: run `shopassist train` for this catalog")
    f = ProductFilter(
        max_price=max_price,
        categories=[category] if category else [],
        exclude_ids=exclude or [],
        in_stock_only=True,
    )
    rec = ctx.recommender.recommend(ctx.shopper_id or "", k=max(1, min(k, 20)), filters=f)
    ids = [product_evidence(ctx, p).id for p in ctx.store.products(ctx.catalog, rec.item_ids)]
    note = " (new shopper: popular picks)" if rec.cold_start else ""
    return ToolResult(
        f"{len(rec.item_ids)} recommendations{note}",
        list(rec.item_ids),
        ids,
        {"cold_start": rec.cold_start},
    )


def similar_products(ctx: ToolContext, product_id: str, k: int = 5) -> ToolResult:
    """Products that shoppers treat as similar to the given one.

    Args:
        product_id: The catalog id of the product.
        k: How many products to return (1-20).
    """
    if ctx.recommender is None:
        raise ToolArgumentError("no trained recommender: run `shopassist train` for this catalog")
    _product(ctx, product_id)
    items, _ = ctx.recommender.similar_items(str(product_id), k=max(1, min(k, 20)))
    ids = [product_evidence(ctx, p).id for p in ctx.store.products(ctx.catalog, items)]
    return ToolResult(f"{len(items)} products similar to {product_id}", list(items), ids)


def explain_recommendation(ctx: ToolContext, product_id: str) -> ToolResult:
    """Why the recommender scores a product for this shopper: their own items behind
    the score and how many other shoppers made the same choice.

    Args:
        product_id: The catalog id of the product.
    """
    if ctx.recommender is None or not ctx.shopper_id:
        raise ToolArgumentError("explanations need a trained recommender and a known shopper")
    product = _product(ctx, product_id)
    e = ctx.recommender.explain(ctx.shopper_id, product.id)
    ids = [product_evidence(ctx, product).id]
    for c in e.contributions[:3]:
        item = ctx.store.product(ctx.catalog, c.history_item_id)
        ids.append(
            ctx.evidence.add(
                "history",
                item.id,
                f"you interacted with {item.title}",
                item.id,
                title=item.title,
                share=round(c.share, 3),
            ).id
        )
    for co in e.co_interactions[:3]:
        ids.append(
            ctx.evidence.add(
                "co_interaction",
                f"{co.history_item_id}>{co.item_id}",
                f"{co.shoppers} shoppers who interacted with product {co.history_item_id} also "
                f"interacted with product {co.item_id}",
                co.item_id,
                shoppers=co.shoppers,
            ).id
        )
    return ToolResult(f"evidence for {product.title}", [product.id], ids, {"explanation": e})


BUILTIN_TOOLS: tuple[Callable[..., ToolResult], ...] = (
    search_products,
    recommend_for_shopper,
    similar_products,
    product_details,
    compare_products,
    shopper_profile,
    explain_recommendation,
    record_feedback,
)


def register_tools(register: Callable) -> None:
    for function in BUILTIN_TOOLS:
        register(function)
