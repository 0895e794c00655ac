"""Tools about products the shopper already has in view: details, comparison,
similar products. Also the one place that turns a product into its [P<id>]
evidence record, which every tool that cites a product uses.
"""

from __future__ import annotations

from catalog.errors import NotFoundError
from catalog.filters import ProductFilter
from catalog.models import Product
from tools.context import ToolContext, per_catalog
from tools.facets import FACETS, title_facets
from tools.passages import product_passages
from tools.registry import ToolArgumentError
from tools.results import Evidence, ToolResult
from tools.text import head_words, title_heads

MAX_COMPARE = 4
SIMILAR_POOL = 30  # candidates read from each of text search and co-purchase
SIMILAR_RRF_K = 60
SIMILAR_BOUGHT_WEIGHT = 0.5  # co-purchase's weight beside the text's in the fused rank
SIMILAR_DESCRIPTION_WORDS = 30


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


def get_product(ctx: ToolContext, product_id: str) -> Product:
    """The product, or an error the planner can act on."""
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
    product = get_product(ctx, product_id)
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
    products = [get_product(ctx, pid) for pid in ids]
    records = [product_evidence(ctx, p).id for p in products]
    # each attribute cell cites the product's own attribute passage ("surface: road")
    found = [product_passages(product) for product in products]
    passages = [{p.name: p for p in own if p.field == "attribute"} for own in found]
    titles = [next(p for p in own if p.field == "title") for own in found]
    attributes = sorted(
        {k for p in products for k in p.attributes if k not in ("features", "price_max")}
    )
    facets = _title_facets(products, attributes)
    fields = ["price", "brand", "rating", *attributes, *facets]
    table: dict[str, list[str | float | None]] = {f: [] for f in fields}
    cited: dict[str, list[str | None]] = {f: [] for f in fields}
    titled = [[values[n] for values in facets.values()] for n in range(len(products))]
    rows = zip(products, records, passages, titles, titled, strict=True)
    for product, record, own, title, stated in rows:
        for f, value in (
            ("price", product.price),
            ("brand", product.brand),
            ("rating", product.rating_avg),
        ):
            table[f].append(value)
            cited[f].append(record if value not in (None, "") else None)
        for f in attributes:
            value = product.attributes.get(f)
            passage = own.get(f)
            table[f].append(value)
            cited[f].append(passage.cite(ctx).id if passage is not None else None)
        for f, value in zip(facets, stated, strict=True):
            table[f].append(value)
            cited[f].append(title.cite(ctx).id if value is not None else None)
    differs = [f for f in fields if len({_key(v) for v in table[f]}) > 1]
    same = [f for f in fields if f not in differs and table[f][0] not in (None, "")]
    return ToolResult(
        f"comparison of {len(products)} products",
        ids,
        records,
        {
            "columns": ids,
            "rows": table,
            "cited": cited,
            "differs": differs,
            "same": same,
            "currency": [p.currency for p in products],
        },
    )


def _title_facets(products: list, attributes: list[str]) -> dict[str, list[str | None]]:
    """The facets the compared products' titles state (tools.facets), each with the
    products' values in order (None where a title states none): those a product's
    attributes do not list already, under that name or as a value ("capacity: 20L")."""
    found = [title_facets(p.title) for p in products]
    listed = " | ".join(str(v) for p in products for v in p.attributes.values()).casefold()
    out: dict[str, list[str | None]] = {}
    for name in FACETS:
        values = [f.get(name) for f in found]
        if name in attributes or not any(values):
            continue
        if any(v is not None and v.casefold() in listed for v in values):
            continue
        out[name] = values
    return out


def _key(value: str | float | None) -> str:
    """A cell as compared: "Black" and "black " are the same value, a missing one none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return " ".join(str(value).casefold().split())


def catalog_heads(ctx: ToolContext) -> frozenset[str]:
    """The words the catalog's titles name products by (tools.text.head_words)."""
    return per_catalog(
        _HEADS, ctx, lambda: head_words(p.title for p in ctx.store.products(ctx.catalog))
    )


_HEADS: dict = {}


def _what_it_is(ctx: ToolContext, product) -> str:
    """What a product is, to find others like it: its title where the title names a kind
    of product the catalog's titles name ("... Gift Card", "... Multimeter"), and its
    description's first sentence (at most SIMILAR_DESCRIPTION_WORDS words); a title that
    names none ("Cold Harbor", a book) says nothing of what is like it."""
    first = next((p.text for p in product_passages(product) if p.field == "description"), "")
    named = bool(set(title_heads(product.title)) & catalog_heads(ctx)) or not first
    return " ".join([product.title] * named + first.split()[:SIMILAR_DESCRIPTION_WORDS])


def similar_products(
    ctx: ToolContext, product_id: str, k: int = 3, max_price: float | None = None
) -> ToolResult:
    """Find products similar to a given one: more like it, alternatives to it.

    Args:
        product_id: The catalog id of the product.
        k: How many products to return (1-20).
        max_price: Highest price, in the catalog's currency ("like the second but
            cheaper": below its price).
    """
    product = get_product(ctx, product_id)
    k = max(1, min(k, 20))
    excluded = [*ctx.session.excluded, product.id]
    f = ProductFilter(exclude_ids=excluded, in_stock_only=True, max_price=max_price)
    # Like it by what it is (its title searched: "The Coffee Bean & Tea Leaf Gift Card" ->
    # other coffee shops' cards) and by who bought it (the recommender's similar items),
    # fused by rank with the text first: co-purchases alone, in a sparse catalog, are
    # as often a steakhouse card as a coffee one.
    pool = max(SIMILAR_POOL, k)
    liked: list[str] = []
    if ctx.search is not None:
        # its title and what its description says it is first (a book's title names it,
        # its description's first sentence says what it is like)
        hits = ctx.search.search(_what_it_is(ctx, product), k=pool, filters=f, snippets=0)
        liked = [h.product_id for h in hits]
    bought: list[str] = []
    if ctx.recommender is not None:
        try:
            bought = list(ctx.recommender.similar_items(product.id, k=pool, filters=f)[0])
        except NotFoundError:
            bought = []  # a product the model was not trained on: its text alone
    score: dict[str, float] = {}
    for ranked, weight in ((liked, 1.0), (bought, SIMILAR_BOUGHT_WEIGHT)):
        for rank, pid in enumerate(ranked):
            score[pid] = score.get(pid, 0.0) + weight / (SIMILAR_RRF_K + rank)
    items = sorted(score, key=lambda pid: -score[pid])[:k]
    ids = [product_evidence(ctx, p).id for p in ctx.store.products(ctx.catalog, items)]
    return ToolResult(
        f"{len(items)} products similar to {product.title}",
        items,
        ids,
        {"like": product.id},
        show_products=True,
    )
