"""Tools: typed Python functions whose JSON schema is generated, and the registry.

A tool is a function with type hints and a Google-style docstring; its summary
and `Args:` section become the schema an LLM sees, so nothing is written twice
(the smolagents habit). Built-in tools register through the same
`register_tools(register)` hook that third-party packages expose through the
`shopassist.tools` entry-point group (the simonw/llm habit). A tool that needs
the store, the recommender or the search index declares a first parameter
typed `ToolContext`; dependencies are injected, never module globals.

Registration may add example utterances (`register(fn, examples=[...])`: the
semantic router reaches a tool from its docstring summary and these) and
declare that the tool writes (`writes=True`: the agent runs it only on an
explicit request of the shopper, for products shown in the conversation).
A LangChain tool (`@tool` or a `BaseTool`) registers as it is, through an
adapter (tools.langchain).

Errors stay values: calling a tool returns a `ToolOutcome` whose `error`
carries a message the planner can act on (an unknown tool lists the valid
ones, bad arguments say which and why). An unexpected exception inside a
tool (a plugin's bug) is kept on the outcome too, never swallowed and never
allowed to end the turn.
"""

from __future__ import annotations

import inspect
import logging
import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from importlib.metadata import entry_points
from typing import Any, Literal, get_args, get_origin

from catalog.errors import ShopAssistError
from tools.context import ToolContext
from tools.results import ToolResult

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "shopassist.tools"
TOOL_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_ARGS_HEADER = re.compile(r"^\s*(Args|Arguments|Parameters):\s*$")
_SECTION = re.compile(r"^\s*(Returns|Raises|Yields|Examples?|Notes?):\s*$")
_ARG_LINE = re.compile(r"^\s{2,}(\w+)(?:\s*\([^)]*\))?:\s*(.*)$")


class ToolDefinitionError(ShopAssistError):
    """A function cannot be a tool (bad name, missing docs, unsupported types)."""


class ToolArgumentError(ShopAssistError):
    """The planner called a tool with arguments that do not fit its schema."""


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    function: Callable[..., ToolResult]
    description: str
    parameters: dict[str, Any]  # JSON schema of the arguments (object)
    takes_context: bool
    examples: tuple[str, ...] = ()  # utterances that should reach this tool (router)
    writes: bool = False  # changes stored state: guarded by the agent
    source: str = "builtin"  # builtin | plugin | langchain

    def schema(self) -> dict[str, Any]:
        """The OpenAI-style function schema."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    def call(self, context: ToolContext, arguments: dict[str, Any]) -> ToolResult:
        clean = validate_arguments(self, arguments)
        if self.takes_context:
            return self.function(context, **clean)
        return self.function(**clean)


@dataclass(slots=True)
class ToolOutcome:
    tool: str
    arguments: dict[str, Any]
    result: ToolResult | None = None
    error: str | None = None
    crashed: bool = False  # the tool raised something other than a project error

    @property
    def ok(self) -> bool:
        return self.error is None


def tool_from_function(function: Callable[..., ToolResult], name: str | None = None) -> Tool:
    """Build a Tool from a typed function with a Google-style docstring."""
    tool_name = name or function.__name__
    if not TOOL_NAME_RE.match(tool_name):
        raise ToolDefinitionError(
            f"tool name {tool_name!r} must be lower_snake_case, 2-64 characters"
        )
    doc = inspect.getdoc(function)
    if not doc:
        raise ToolDefinitionError(f"tool {tool_name!r} needs a docstring: it is the description")
    summary, arg_docs = _parse_docstring(doc)
    hints = typing.get_type_hints(function)
    params = list(inspect.signature(function).parameters.values())
    takes_context = bool(params) and hints.get(params[0].name) is ToolContext
    if takes_context:
        params = params[1:]
    properties: dict[str, Any] = {}
    required: list[str] = []
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise ToolDefinitionError(f"tool {tool_name!r}: *args/**kwargs are not allowed")
        if p.name not in hints:
            raise ToolDefinitionError(f"tool {tool_name!r}: parameter {p.name!r} needs a type")
        if p.name not in arg_docs:
            raise ToolDefinitionError(
                f"tool {tool_name!r}: parameter {p.name!r} is not described under Args:"
            )
        schema = json_schema(hints[p.name], f"{tool_name}.{p.name}")
        schema["description"] = arg_docs[p.name]
        if p.default is inspect.Parameter.empty:
            required.append(p.name)
        elif p.default is not None:
            schema["default"] = p.default
        properties[p.name] = schema
    extra = set(arg_docs) - {p.name for p in params}
    if extra:
        raise ToolDefinitionError(
            f"tool {tool_name!r}: Args: describes unknown parameter(s) {sorted(extra)}"
        )
    parameters = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    return Tool(tool_name, function, summary, parameters, takes_context)


def json_schema(annotation: Any, where: str = "") -> dict[str, Any]:
    """JSON schema for the annotation types tools may use."""
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation is str:
        return {"type": "string"}
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is int:
        return {"type": "integer"}
    if annotation is float:
        return {"type": "number"}
    if origin is Literal:
        return {"type": "string", "enum": list(args)}
    if origin in (list, tuple, Iterable) or origin is typing.Sequence:
        item = args[0] if args else str
        return {"type": "array", "items": json_schema(item, where)}
    if origin in (types.UnionType, typing.Union):
        non_null = [a for a in args if a is not type(None)]
        if len(non_null) == 1:
            inner = json_schema(non_null[0], where)
            return {**inner, "type": [inner["type"], "null"]} if "type" in inner else inner
    raise ToolDefinitionError(f"{where}: unsupported parameter type {annotation!r}")


def validate_arguments(tool: Tool, arguments: dict[str, Any]) -> dict[str, Any]:
    """Check and coerce arguments against the tool's schema; raise ToolArgumentError."""
    if not isinstance(arguments, dict):
        raise ToolArgumentError(f"{tool.name}: arguments must be an object")
    props = tool.parameters["properties"]
    unknown = set(arguments) - set(props)
    if unknown:
        raise ToolArgumentError(
            f"{tool.name}: unknown argument(s) {', '.join(sorted(unknown))}; "
            f"valid: {', '.join(props) or 'none'}"
        )
    missing = [n for n in tool.parameters["required"] if arguments.get(n) is None]
    if missing:
        raise ToolArgumentError(f"{tool.name}: missing required argument(s) {', '.join(missing)}")
    return {name: _coerce(tool.name, name, value, props[name]) for name, value in arguments.items()}


def _coerce(tool: str, name: str, value: Any, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if value is None:
        if "null" in kinds:
            return None
        raise ToolArgumentError(f"{tool}: {name} must not be null")
    try:
        if "array" in kinds:
            items = value if isinstance(value, list) else [value]
            return [_coerce(tool, name, v, schema["items"]) for v in items]
        if "integer" in kinds and not isinstance(value, bool):
            return int(value)
        if "number" in kinds and not isinstance(value, bool):
            return float(value)
        if "boolean" in kinds:
            if isinstance(value, str):
                return value.strip().lower() in ("true", "1", "yes")
            return bool(value)
        if "string" in kinds:
            text = str(value)
            if "enum" in schema and text not in schema["enum"]:
                raise ToolArgumentError(
                    f"{tool}: {name} must be one of {', '.join(schema['enum'])}, not {text!r}"
                )
            return text
    except (TypeError, ValueError) as exc:
        raise ToolArgumentError(f"{tool}: {name} should be {kind}, got {value!r}") from exc
    raise ToolArgumentError(f"{tool}: {name} has an unsupported value {value!r}")


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    lines = doc.splitlines()
    summary_lines: list[str] = []
    for line in lines:
        if not line.strip() or _ARGS_HEADER.match(line):
            break
        summary_lines.append(line.strip())
    arg_docs: dict[str, str] = {}
    in_args, current = False, None
    for line in lines:
        if _ARGS_HEADER.match(line):
            in_args = True
            continue
        if in_args and _SECTION.match(line):
            break
        if not in_args:
            continue
        match = _ARG_LINE.match(line)
        if match:
            current = match.group(1)
            arg_docs[current] = match.group(2).strip()
        elif current and line.strip():
            arg_docs[current] += " " + line.strip()
    return " ".join(summary_lines), arg_docs


@dataclass
class ToolRegistry:
    """Named tools; names are unique."""

    tools: dict[str, Tool] = field(default_factory=dict)

    def register(
        self,
        function: Callable[..., ToolResult] | Tool | Any,
        name: str | None = None,
        examples: Iterable[str] = (),
        writes: bool = False,
        source: str = "builtin",
    ) -> Tool:
        """Add a tool: a typed function, a Tool, or a LangChain tool (adapted)."""
        if isinstance(function, Tool):
            tool = function
        elif _is_langchain_tool(function):
            from tools.langchain import from_langchain

            tool = from_langchain(function, name)
        else:
            tool = tool_from_function(function, name)
        examples = tuple(str(e).strip() for e in examples if str(e).strip())
        tool = replace(
            tool,
            examples=tool.examples + examples,
            writes=tool.writes or writes,
            source=tool.source if tool.source != "builtin" else source,
        )
        if tool.name in self.tools:
            raise ToolDefinitionError(f"a tool named {tool.name!r} is already registered")
        self.tools[tool.name] = tool
        return tool

    def names(self) -> list[str]:
        return sorted(self.tools)

    def get(self, name: str) -> Tool:
        if name not in self.tools:
            raise ToolArgumentError(
                f"unknown tool {name!r}; valid tools: {', '.join(self.names())}"
            )
        return self.tools[name]

    def schemas(self) -> list[dict[str, Any]]:
        return [self.tools[n].schema() for n in self.names()]

    def call(self, name: str, context: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
        """Run a tool; any project error becomes the outcome's message for the planner."""
        outcome = ToolOutcome(name, dict(arguments or {}))
        try:
            outcome.result = self.get(name).call(context, arguments or {})
        except ShopAssistError as exc:
            outcome.error = str(exc)
        except Exception as exc:  # a tool's own bug: kept on the outcome, the turn goes on
            outcome.error = f"the {name} tool failed ({type(exc).__name__})"
            outcome.crashed = True
            log.warning("tool %s raised %s", name, type(exc).__name__)
            log.debug("traceback", exc_info=exc)
        return outcome


def load_registry(include_entry_points: bool = True) -> ToolRegistry:
    """Built-in tools plus those of installed packages (entry-point group `shopassist.tools`)."""
    from tools import builtins

    registry = ToolRegistry()
    builtins.register_tools(registry.register)
    if include_entry_points:
        seen: set[str] = set()
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.value in seen:  # the same package visible twice on sys.path
                continue
            seen.add(ep.value)
            ep.load()(partial(registry.register, source="plugin"))
    return registry


def _is_langchain_tool(obj: Any) -> bool:
    """A LangChain tool, recognised without importing LangChain."""
    return hasattr(obj, "invoke") and hasattr(obj, "args_schema") and hasattr(obj, "name")
