"""The LLM planner: the configured chat model reads a message into intent and
slots as JSON. Used when the model is capable (`planner = "llm"`, or `auto`
with an OpenAI-compatible endpoint). Whatever it returns is validated: the
intent must be known, the category and brands must exist in the catalog, and
numbers must be numbers; anything unusable falls back to the rule planner.
"""

from __future__ import annotations

import json
import re
from typing import Any

from agent.llm import ChatModel, LLMError
from agent.parse import Parsed, parse
from agent.vocabulary import Vocabulary
from prompts.render import render

INTENTS = {
    "recommend",
    "details",
    "compare",
    "why",
    "why_not",
    "like",
    "not_interested",
    "cart",
    "profile",
    "reset",
    "greeting",
}
_JSON = re.compile(r"\{.*\}", re.S)


class LLMPlanner:
    def __init__(self, model: ChatModel, vocabulary: Vocabulary) -> None:
        self.model = model
        self.vocabulary = vocabulary
        self.fallbacks = 0  # messages the rule planner had to answer

    def parse(self, message: str) -> Parsed:
        """The parsed message; `Parsed.slots` holds the category and brands the model chose."""
        rules = parse(message)
        try:
            raw = self.model.chat(
                [
                    {
                        "role": "system",
                        "content": render(
                            "planner", "system", categories=self.vocabulary.categories
                        ),
                    },
                    {"role": "user", "content": render("planner", "user", message=message)},
                ],
                max_tokens=160,
            )
            data = json.loads(_JSON.search(raw).group(0))
        except (LLMError, AttributeError, ValueError):
            self.fallbacks += 1
            return rules
        if not isinstance(data, dict) or data.get("intent") not in INTENTS:
            self.fallbacks += 1
            return rules
        p = Parsed(intent=data["intent"], language=rules.language, content=rules.content)
        p.max_price, p.min_price = _number(data.get("max_price")), _number(data.get("min_price"))
        p.currency = (
            data.get("currency")
            if data.get("currency") in ("USD", "CNY", "EUR", "GBP")
            else (rules.currency if p.max_price or p.min_price else None)
        )
        p.ordinals = [int(i) for i in data.get("ordinals") or [] if isinstance(i, int)]
        p.cheaper = bool(data.get("cheaper"))
        p.exclude_last_brand = bool(data.get("other_brand"))
        p.others = rules.others  # "none of these": the rules read it, the model is not asked
        p.recipient = _text(data.get("recipient"))
        p.use = _text(data.get("use"))
        known = {c.casefold(): c for c in self.vocabulary.categories}
        brands = {b.casefold(): b for b in self.vocabulary.brands}
        p.slots = {
            "category": known.get(str(data.get("category") or "").casefold()),
            "brands": [
                brands[b.casefold()]
                for b in data.get("brands") or []
                if isinstance(b, str) and b.casefold() in brands
            ],
            "exclude_brands": [
                brands[b.casefold()]
                for b in data.get("exclude_brands") or []
                if isinstance(b, str) and b.casefold() in brands
            ],
        }
        return p


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _text(value: Any) -> str | None:
    return str(value).strip().lower()[:40] if isinstance(value, str) and value.strip() else None
