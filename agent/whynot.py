"""Answer "why not X?": find the product the shopper names and say which of
their constraints it fails (budget, brand, category, stock, "not interested",
already bought) or, failing none, that it ranked lower. Each reason cites the
product record it rests on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.replies import say
from agent.verifier import CheckedSentence
from catalog.models import Product
from tools.builtins import product_evidence

if TYPE_CHECKING:
    from agent.agent import Agent, Reply
    from agent.parse import Parsed
    from agent.state import DialogueState
    from tools.context import ToolContext

_REASONS = {
    "over_budget": (
        "It costs {price} {currency}, above your budget.",
        "售价 {price} {currency}，超出了您的预算。",
    ),
    "under_budget": (
        "It costs {price} {currency}, below the price range you asked for.",
        "售价 {price} {currency}，低于您要求的价格区间。",
    ),
    "no_price": (
        "Its price is unknown, so I cannot confirm it fits your budget.",
        "它没有标价，无法确认是否在预算内。",
    ),
    "brand_excluded": (
        "It is made by {brand}, a brand you asked me to leave out.",
        "它的品牌是 {brand}，您要求排除这个品牌。",
    ),
    "other_category": (
        "It is in {category}, not the category you are shopping for.",
        "它属于 {category}，不是您要找的品类。",
    ),
    "out_of_stock": ("It is out of stock.", "它目前缺货。"),
    "not_interested": ("You said you were not interested in it.", "您说过对它不感兴趣。"),
    "bought": ("You already bought it.", "您已经买过它了。"),
    "ranked_lower": (
        "It fits your request, but other products matched it more closely.",
        "它也符合您的需求，但其他商品更贴近。",
    ),
}


def why_not(
    agent: Agent, ctx: ToolContext, state: DialogueState, parsed: Parsed, text: str
) -> Reply:
    from agent.agent import Reply, ShownProduct

    product = _named_product(agent, state, parsed, text)
    if product is None:
        return Reply(say("why_not_unknown", state.language), "why_not")
    pid = product_evidence(ctx, product).id
    lang = 1 if state.language == "zh" else 0
    sentences = [
        CheckedSentence(
            _REASONS[r][lang].format(
                price=f"{product.price or 0:.2f}",
                currency=product.currency,
                brand=product.brand,
                category=product.category,
            )
            + f" [{pid}]",
            [pid],
            "template",
        )
        for r in reasons(agent, ctx, state, product)
    ]
    reply = Reply(say("why_not", state.language, title=product.title), "why_not")
    reply.products.append(ShownProduct.of(product, sentences))
    return reply


def reasons(agent: Agent, ctx: ToolContext, state: DialogueState, product: Product) -> list[str]:
    s = state.slots
    out: list[str] = []
    if s.max_price is not None or s.min_price is not None:
        if product.price is None:
            out.append("no_price")
        elif s.max_price is not None and product.price > s.max_price:
            out.append("over_budget")
        elif s.min_price is not None and product.price < s.min_price:
            out.append("under_budget")
    if product.brand in s.exclude_brands:
        out.append("brand_excluded")
    if s.category and s.category.casefold() not in {c.casefold() for c in product.categories}:
        out.append("other_category")
    if not product.in_stock:
        out.append("out_of_stock")
    if product.id in state.not_interested:
        out.append("not_interested")
    if ctx.shopper_id and any(
        h.product_id == product.id and h.kind.value == "purchase"
        for h in agent.store.history(agent.catalog, ctx.shopper_id)
    ):
        out.append("bought")
    return out or ["ranked_lower"]


def _named_product(agent: Agent, state: DialogueState, parsed: Parsed, text: str) -> Product | None:
    if parsed.ordinals and state.seen:
        ids = [state.seen[i] for i in parsed.ordinals if -len(state.seen) <= i < len(state.seen)]
        if ids:
            return agent.store.product(agent.catalog, ids[0])
    brands = agent.vocabulary.brands_in(text)
    query = parsed.content.replace("why", " ").replace("not", " ").strip()
    if agent.search is not None and query:
        category = [state.slots.category] if state.slots.category else []
        from catalog.filters import ProductFilter

        for f in (ProductFilter(categories=category, brands=brands), ProductFilter()):
            hits = agent.search.search(query, k=1, filters=f)
            if hits:
                return agent.store.product(agent.catalog, hits[0].product_id)
    for product in agent.store.products(agent.catalog):
        if (
            brands
            and product.brand in brands
            and (not state.slots.category or state.slots.category in product.categories)
        ):
            return product
    return None
