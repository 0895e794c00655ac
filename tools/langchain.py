"""Expose registered tools as LangChain tools, so LangChain / LangGraph users can
reuse them. The context (store, recommender, search, shopper) is bound when the
LangChain tool is made; the JSON schema is the one the registry generated.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.tools import StructuredTool

from tools.context import ToolContext
from tools.registry import Tool, ToolRegistry


def to_langchain(tool: Tool, context: ToolContext, registry: ToolRegistry) -> StructuredTool:
    def run(**arguments: Any) -> str:
        outcome = registry.call(tool.name, context, arguments)
        if not outcome.ok:
            return json.dumps({"error": outcome.error})
        result = outcome.result
        return json.dumps(
            {
                "summary": result.summary,
                "products": result.products,
                "evidence": {cid: context.evidence.get(cid).text for cid in result.evidence},
            },
            ensure_ascii=False,
        )

    return StructuredTool.from_function(
        func=run,
        name=tool.name,
        description=tool.description,
        args_schema=tool.parameters,
        infer_schema=False,
    )


def langchain_tools(registry: ToolRegistry, context: ToolContext) -> list[StructuredTool]:
    return [to_langchain(registry.get(name), context, registry) for name in registry.names()]
