"""The built-in tools, registered through the same `register_tools(register)`
hook a third-party package exposes, each with example utterances for the
router (tools/examples.yaml).

Every tool records the facts it uses in the turn's evidence ledger and returns
their citation ids, so explanations and answers can cite them.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable
from functools import cache

import yaml

from tools.discovery import recommend_for_shopper, search_products, shop_overview
from tools.products import (
    compare_products,
    get_product,
    product_details,
    product_evidence,
    similar_products,
)
from tools.qa import answer_question
from tools.results import ToolResult
from tools.reviews import review_summary
from tools.shopper import (
    explain_recommendation,
    record_feedback,
    shopper_profile,
    why_not_shown,
)

__all__ = [
    "BUILTIN_TOOLS",
    "get_product",
    "product_details",
    "product_evidence",
    "recommend_for_shopper",
    "record_feedback",
    "register_tools",
]

BUILTIN_TOOLS: tuple[Callable[..., ToolResult], ...] = (
    search_products,
    recommend_for_shopper,
    similar_products,
    product_details,
    compare_products,
    shopper_profile,
    explain_recommendation,
    why_not_shown,
    record_feedback,
    answer_question,
    review_summary,
    shop_overview,
)
WRITING_TOOLS = frozenset({"record_feedback"})


@cache
def examples() -> dict[str, list[str]]:
    text = importlib.resources.files("tools").joinpath("examples.yaml").read_text("utf-8")
    return yaml.safe_load(text) or {}


def register_tools(register: Callable) -> None:
    for function in BUILTIN_TOOLS:
        name = function.__name__
        register(function, examples=examples().get(name, ()), writes=name in WRITING_TOOLS)
