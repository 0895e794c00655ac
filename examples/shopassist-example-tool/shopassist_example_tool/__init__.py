"""A third-party tool: shipping estimates. Installed, it is found through the
`shopassist.tools` entry point and offered to the agent like a built-in."""

from tools.builtins import product_evidence
from tools.context import ToolContext
from tools.results import ToolResult


def shipping_estimate(ctx: ToolContext, product_id: str, express: bool = False) -> ToolResult:
    """Estimate delivery days for a product.

    Args:
        product_id: The catalog id of the product.
        express: Whether the shopper wants express shipping.
    """
    product = ctx.store.product(ctx.catalog, product_id)
    days = 1 if express else (2 if product.in_stock else 10)
    cited = product_evidence(ctx, product)  # the [P<id>] record the estimate is based on
    return ToolResult(
        f"{product.title}: about {days} days",
        [product.id],
        [cited.id],
        {"shipping_days": days, "express": express},
    )


def register_tools(register):
    register(shipping_estimate)
