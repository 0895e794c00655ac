"""The LLM planner: the configured model chooses the tool for a message among
the registry's generated schemas and fills its arguments.

- An OpenAI-compatible endpoint gets the tools through the `tools` API (a
  `python -m llama_cpp.server` with a function-calling chat format, vLLM, ...).
- The in-process llama.cpp model answers JSON whose decoding is constrained
  by a schema: the tool name is an enum of the registered names.

Whatever the model returns is validated: the tool must be registered, its
arguments must fit the tool's schema, product ids must exist, a category or
brand must be the catalog's; what the model leaves out is filled from the
dialogue as the rules would. An invalid or empty choice falls back to the rules
and the router. The model never states a fact: tool results still go through
the composer and the verifier. A writing tool it chooses runs only if the
shopper's own words ask for it (the rules read feedback) and only on products
shown in the conversation (agent.executor).
"""

from __future__ import annotations

import json
import re
from typing import Any

from agent.llm import ChatModel, LLMError
from agent.parse import Parsed
from agent.plan import Plan
from agent.planner import FINDERS, RulePlanner, Situation
from agent.references import resolve
from prompts.render import render
from tools.registry import ToolArgumentError, ToolRegistry, validate_arguments

NO_TOOL = "none"
_JSON = re.compile(r"\{.*\}", re.S)
_FEEDBACK_INTENTS = ("like", "not_interested", "cart", "purchase")


class LLMPlanner:
    name = "llm"

    def __init__(self, model: ChatModel, registry: ToolRegistry, vocabulary: Any) -> None:
        self.model = model
        self.registry = registry
        self.vocabulary = vocabulary
        self.fallbacks = 0  # messages the rules planned because the model's choice was unusable
        self.chosen = 0  # messages planned from the model's choice
        self.failed = False  # the last call could not reach the model

    # -- the model's choice -------------------------------------------------------------

    def choose(self, text: str, situation: Situation) -> tuple[str, dict[str, Any]] | None:
        """(tool, arguments) as the model wrote them; None when it chose no tool."""
        messages = [
            {"role": "system", "content": self._system()},
            {"role": "user", "content": self._user(text, situation)},
        ]
        if hasattr(self.model, "chat_tools"):
            calls = self.model.chat_tools(messages, self.registry.schemas(), max_tokens=160)
            return calls[0] if calls else None
        if hasattr(self.model, "chat_json"):
            raw = self.model.chat_json(messages, self.choice_schema(), max_tokens=160)
        else:
            raw = self.model.chat(messages, max_tokens=160)
        found = _JSON.search(raw or "")
        data = json.loads(found.group(0)) if found else {}
        if not isinstance(data, dict) or data.get("tool") in (None, NO_TOOL):
            return None
        arguments = data.get("arguments")
        return str(data["tool"]), arguments if isinstance(arguments, dict) else {}

    def choice_schema(self) -> dict[str, Any]:
        """The JSON the in-process model may write: a registered tool name (or none)
        and an arguments object."""
        return {
            "type": "object",
            "properties": {
                "tool": {"type": "string", "enum": [*self.registry.names(), NO_TOOL]},
                "arguments": {"type": "object"},
            },
            "required": ["tool", "arguments"],
        }

    def _system(self) -> str:
        tools = [self.registry.get(n) for n in self.registry.names()]
        return render("planner", "system", tools=tools, categories=self.vocabulary.categories)

    def _user(self, text: str, situation: Situation) -> str:
        state = situation.state
        by_id = {p.id: p for p in situation.seen}
        shown = [by_id[i] for i in state.shown if i in by_id]
        return render("planner", "user", message=text, shown=shown, slots=state.slots)

    # -- the plan ------------------------------------------------------------------------

    def plan(self, text: str, situation: Situation, parsed: Parsed, rules: RulePlanner) -> Plan:
        """The model's choice, validated and completed, else the rules' plan."""
        self.failed = False
        try:
            choice = self.choose(text, situation)
            plan = self._validated(choice, text, situation, parsed, rules) if choice else None
        except LLMError:
            self.failed, plan = True, None  # the model is down: the agent skips it a while
        except (ValueError, ToolArgumentError):
            plan = None
        if plan is None:
            self.fallbacks += 1
            return rules.plan(text, situation, parsed)
        self.chosen += 1
        return plan

    def _validated(
        self,
        choice: tuple[str, dict[str, Any]],
        text: str,
        situation: Situation,
        parsed: Parsed,
        rules: RulePlanner,
    ) -> Plan | None:
        tool_name, raw = choice
        if tool_name not in self.registry.tools:
            return None
        tool = self.registry.get(tool_name)
        # Required arguments the model left out are filled from the dialogue below; any
        # other departure from the schema (an unknown argument, a wrong type) is invalid.
        arguments = validate_arguments(tool, {**_required_placeholders(tool, raw), **raw})
        arguments = {k: v for k, v in arguments.items() if k in raw}
        if tool_name in FINDERS:
            return rules.recommend(text, self._slots(parsed, arguments), situation, source="llm")
        preset = {}
        for name, value in arguments.items():
            if name in ("product_id", "product_ids"):
                ids = value if isinstance(value, list) else [value]
                if not ids or any(str(i) not in rules.known_ids for i in ids):
                    continue  # an id the catalog does not have: the reference the rules read
            preset[name] = value
        refs = resolve(text, situation.state, situation.seen, rules.known_ids)
        plan = rules.tool_plan(tool_name, text, parsed, refs, situation, "llm", preset=preset)
        if plan.missing:
            # Neither the model nor the dialogue gives what the call needs ("compare"
            # for "I'm looking for hiking boots" with nothing shown): no usable choice.
            return None
        if plan.action == "tools" and tool.writes:
            plan.calls[0].explicit = parsed.intent in _FEEDBACK_INTENTS
        return plan

    def _slots(self, parsed: Parsed, arguments: dict[str, Any]) -> Parsed:
        """The rules' reading with the model's category, brands and prices where the
        catalog knows them."""
        categories = {c.casefold(): c for c in self.vocabulary.categories}
        brands = {b.casefold(): b for b in self.vocabulary.brands}
        out = Parsed(**{k: getattr(parsed, k) for k in Parsed.__dataclass_fields__})
        out.slots = {
            "category": categories.get(str(arguments.get("category") or "").casefold()),
            "brands": [
                brands[b.casefold()]
                for b in arguments.get("brands") or []
                if b.casefold() in brands
            ],
            "exclude_brands": [
                brands[b.casefold()]
                for b in arguments.get("exclude_brands") or []
                if b.casefold() in brands
            ],
        }
        for name in ("max_price", "min_price"):
            value = arguments.get(name)
            if isinstance(value, int | float) and value > 0 and getattr(out, name) is None:
                setattr(out, name, float(value))
        return out


def _required_placeholders(tool, raw: dict[str, Any]) -> dict[str, Any]:
    """Stand-ins for required arguments the model left out, so that validation checks
    only what it did write."""
    out: dict[str, Any] = {}
    for name in tool.parameters.get("required", []):
        if name not in raw:
            schema = tool.parameters["properties"][name]
            kind = schema.get("type")
            out[name] = schema["enum"][0] if "enum" in schema else ([] if kind == "array" else "0")
    return out
