"""A test plugin for the routing benchmark: tools that exist nowhere else and have
no example utterances, so the router reaches them from their docstrings alone.
What they answer is made up (no order or points data exist in the catalogs); the
benchmark scores which tool is called and with which arguments, not the answer."""

from __future__ import annotations

import hashlib

from tools.builtins import get_product, product_evidence
from tools.context import ToolContext
from tools.results import ToolResult


def _stable(text: str, modulo: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % modulo


def track_order(ctx: ToolContext, order_id: str) -> ToolResult:
    """Track the shopper's order: where the parcel is and when it will arrive.

    Args:
        order_id: The order number from the order confirmation.
    """
    days = 1 + _stable(order_id, 5)
    return ToolResult(f"Order {order_id} is on its way and arrives in about {days} days.",
                      data={"order_id": order_id, "days": days})  # fmt: skip


def price_history(ctx: ToolContext, product_id: str) -> ToolResult:
    """Show how a product's price has changed over the last 90 days.

    Args:
        product_id: The catalog id of the product.
    """
    return _about(ctx, product_id, "has kept its price over the last 90 days.")


def gift_wrap_options(ctx: ToolContext, product_id: str) -> ToolResult:
    """Gift wrapping and a gift message for a product bought as a present.

    Args:
        product_id: The catalog id of the product.
    """
    return _about(ctx, product_id, "can be gift wrapped with a printed message.")


def _about(ctx: ToolContext, product_id: str, says: str) -> ToolResult:
    product = get_product(ctx, product_id)
    return ToolResult(f"{product.title} {says}", [product.id], [product_evidence(ctx, product).id])


def loyalty_points(ctx: ToolContext) -> ToolResult:
    """The shopper's loyalty reward points balance and what it is worth."""
    points = _stable(ctx.shopper_id or "guest", 2000)
    return ToolResult(f"You have {points} points, worth {points / 100:.2f} in store credit.",
                      data={"points": points})  # fmt: skip


def register_tools(register) -> None:
    for tool in (track_order, price_history, gift_wrap_options, loyalty_points):
        register(tool, source="plugin")
