"""LangChain in both directions.

- `from_langchain`: a LangChain tool (`@tool` or any `BaseTool`) registered as it
  is. Its name, description and argument schema become a registry `Tool`; what
  it returns becomes the result's summary, which the agent records as a tool
  record ([T...]) so an answer built from it cites it.
- `to_langchain` / `langchain_tools`: the registry's tools as LangChain tools,
  so LangChain and LangGraph users can reuse them. The context (store,
  recommender, search, shopper) is bound when the LangChain tool is made; the
  JSON schema is the one the registry generated.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.tools import StructuredTool

from tools.context import ToolContext
from tools.registry import TOOL_NAME_RE, Tool, ToolDefinitionError, ToolRegistry
from tools.results import ToolResult

MAX_OUTPUT_CHARS = 2000


def from_langchain(lc_tool: Any, name: str | None = None) -> Tool:
    """A registry Tool that calls the LangChain tool with validated arguments."""
    tool_name = (name or getattr(lc_tool, "name", "") or "").strip()
    if not TOOL_NAME_RE.match(tool_name):
        raise ToolDefinitionError(
            f"LangChain tool name {tool_name!r} must be lower_snake_case, 2-64 characters "
            "(register it with name=...)"
        )
    description = " ".join(str(getattr(lc_tool, "description", "") or "").split())
    if not description:
        raise ToolDefinitionError(f"LangChain tool {tool_name!r} needs a description")
    parameters = _parameters(lc_tool)

    def run(**arguments: Any) -> ToolResult:
        output = lc_tool.invoke(arguments)
        content = getattr(output, "content", output)  # a ToolMessage or a plain value
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        text = " ".join(text.split())[:MAX_OUTPUT_CHARS]
        return ToolResult(text, data={"output": text})

    return Tool(tool_name, run, description, parameters, False, source="langchain")


def _parameters(lc_tool: Any) -> dict[str, Any]:
    schema = getattr(lc_tool, "args_schema", None)
    if schema is None:
        raw: dict[str, Any] = {"properties": {}, "required": []}
    elif isinstance(schema, dict):
        raw = schema
    else:
        raw = schema.model_json_schema()
    properties = {k: _plain(v) for k, v in (raw.get("properties") or {}).items()}
    return {
        "type": "object",
        "properties": properties,
        "required": [r for r in raw.get("required") or [] if r in properties],
        "additionalProperties": False,
    }


def _plain(prop: dict[str, Any]) -> dict[str, Any]:
    """Pydantic's `anyOf: [{type: X}, {type: null}]` as the registry's `type: [X, null]`."""
    prop = {k: v for k, v in prop.items() if k != "title"}
    options = prop.pop("anyOf", None)
    if options:
        types = [o.get("type") for o in options if o.get("type")]
        inner = next((o for o in options if o.get("type") not in (None, "null")), {})
        prop = {**inner, **prop, "type": types if len(types) > 1 else types[0]}
    prop.setdefault("type", "string")
    return prop


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
