"""A third-party tool: shipping estimates. Installed, it is found through the
`shopassist.tools` entry point and offered to the agent like a built-in: the
router reaches it from its docstring and the examples below, so "how long would
shipping take for the first one?" or "第一个要多久能送到？" calls it with the
product the shopper means."""

from tools.builtins import product_evidence
from tools.context import ToolContext
from tools.results import ToolResult

EXAMPLES = [
    "how long will delivery take",
    "when would it arrive if I order today",
    "多久能到货",
]


def shipping_estimate(ctx: ToolContext, product_id: str, express: bool = False) -> ToolResult:
    """Estimate how many days shipping (delivery) of a product takes.

    Args:
        product_id: The catalog id of the product.
        express: Whether the shopper wants express shipping.
    """
    product = ctx.store.product(ctx.catalog, product_id)
    days = 1 if express else (2 if product.in_stock else 10)
    cited = product_evidence(ctx, product)  # the [P<id>] record the estimate is based on
    stock = "in stock" if product.in_stock else "out of stock"
    if ctx.language == "zh":
        kind = "加急" if express else "标准"
        stock_zh = "有货" if product.in_stock else "缺货"
        summary = f"{product.title}：{kind}配送约 {days} 天送达（{stock_zh}）。"
    else:
        kind = "express" if express else "standard"
        summary = f"{product.title}: about {days} days with {kind} shipping ({stock})."
    return ToolResult(
        summary,
        [product.id],
        [cited.id],
        {"shipping_days": days, "express": express},
    )


def register_tools(register):
    register(shipping_estimate, examples=EXAMPLES)
