"""Fill a tool's arguments from the message and the dialogue state, by parameter
name and type, so that any registered tool (a plugin's too) can be called from a
message without an LLM:

- `product_id` / `product_ids`: the products the message refers to ("the first
  one", "it", "these", "第二个", a name), else the product in focus;
- `query`: the message's content words; `question`: the message itself;
- price, category and brand parameters: the dialogue's constraints;
- an enum: the allowed value the message names; a boolean: true when the message
  names the parameter ("express");
- another `..._id`: an id-like token of the message ("order 48213");
- a number: the one number of the message not read as a budget.

A required argument that cannot be filled is reported as missing; the agent
asks one clarifying question that names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.parse import Parsed
from agent.references import References
from agent.state import DialogueState
from tools.registry import Tool

_ID_TOKEN = re.compile(r"(?<![A-Za-z0-9-])([A-Za-z]{0,3}-?\d[A-Za-z0-9-]{2,})(?![A-Za-z0-9])")
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])")
_NEVER_FILLED = {"shopper_id"}


@dataclass
class Filled:
    arguments: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # required names nothing filled


@dataclass
class Reading:
    """What the filler knows about the message."""

    text: str
    parsed: Parsed
    state: DialogueState
    refs: References
    focus: str | None  # the product in focus when nothing is named
    flag: Callable[[str, str], bool] | None = None  # (parameter name, text) -> named?


def fill(tool: Tool, reading: Reading, preset: dict[str, Any] | None = None) -> Filled:
    out = Filled()
    required = set(tool.parameters.get("required", []))
    preset = preset or {}
    for name, schema in tool.parameters.get("properties", {}).items():
        if name in preset:
            value = preset[name]
        elif name in _NEVER_FILLED:
            value = None
        else:
            value = _value(name, schema, reading, name in required)
        if value is not None:
            out.arguments[name] = value
        elif name in required:
            out.missing.append(name)
    return out


def _value(name: str, schema: dict[str, Any], r: Reading, required: bool) -> Any:
    kinds = schema.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    s = r.state.slots
    if name == "product_id":
        ids = r.refs.products
        return ids[0] if ids else r.focus
    if name == "product_ids":
        return _product_ids(r)
    if name == "question":
        return r.text
    if name == "query":
        return r.parsed.content or (r.text if required else None)
    by_slot = {
        "max_price": s.max_price if r.parsed.max_price is None else None,
        "min_price": s.min_price if r.parsed.min_price is None else None,
        "category": s.category,
        "brands": s.brands or None,
        "exclude_brands": s.exclude_brands or None,
        "avoid_words": s.avoid or None,
    }
    if name in by_slot:
        return by_slot[name] if required or by_slot[name] is not None else None
    if "enum" in schema:
        return next((v for v in schema["enum"] if _names(str(v), r.text)), None)
    if "boolean" in kinds:
        return True if r.flag is not None and r.flag(name, r.text) else None
    if name.endswith("_id") and "string" in kinds:
        found = [m for m in _ID_TOKEN.findall(r.text) if m not in r.refs.products]
        return found[0] if found else None
    if kinds & {"integer", "number"}:
        numbers = _NUMBER.findall(_without_budget(r))
        return (
            (int(numbers[0]) if "integer" in kinds else float(numbers[0]))
            if len(numbers) == 1
            else None
        )
    return None


# "compare it with the second one", "它和第二个比哪个更便宜？": "it" is the product in
# focus, set beside the one named.
_BESIDE = re.compile(
    r"\b(?:compare[sd]?|comparison|vs\.?|versus|than|against|between|with|and|or)\b"
    r"|比|和|跟|与|对比|相比",
    re.I,
)


_EVERY_ONE = re.compile(
    r"\ball (?:three|four|five|of them|of these|of those)\b|(?:三|四|几)个都|全部", re.I
)
# "do they have a tare function?" right after a list: "they" are the products shown, where
# no one of them was talked about on its own since (then "are they waterproof?" asks of that
# pair of boots) and nothing in the message points at one ("it", "this one", "the first").
_THEY = re.compile(r"\b(?:they|their)\b", re.I)
_ONE = re.compile(r"\b(?:it|its|this|that)\b|它(?!们)|这个|那个|这款|那款", re.I)


def _product_ids(r: Reading) -> list[str] | None:
    shown = r.state.shown
    named = r.refs.products
    if (
        named
        and r.refs.pronoun
        and not r.refs.refers_back
        and r.focus
        and r.focus not in named
        and _BESIDE.search(r.text)
    ):
        return [r.focus, *named]
    if r.refs.all_shown and shown and _EVERY_ONE.search(r.text):
        return list(shown)  # "the first and the second, no wait, all three of them"
    if named and not (r.refs.which and len(named) < 2):
        return named
    if (r.refs.all_shown or r.refs.which) and shown:
        return list(shown)
    if (
        len(shown) > 1
        and r.state.focus is None
        and _THEY.search(r.text)
        and not _ONE.search(r.text)
    ):
        return list(shown)
    if r.focus:
        return [r.focus]
    return None


def _names(value: str, text: str) -> bool:
    words = value.replace("_", " ").casefold()
    return re.search(rf"(?<![\w]){re.escape(words)}(?![\w])", text.casefold()) is not None


def _without_budget(r: Reading) -> str:
    """The message without the numbers read as prices."""
    text = r.text
    for value in (r.parsed.max_price, r.parsed.min_price):
        if value is not None:
            text = re.sub(rf"\b{re.escape(f'{value:g}')}\b", " ", text)
    return text
