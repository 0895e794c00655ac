"""The LLM planner validates what a model returns and falls back to the rules."""

from __future__ import annotations

import json

from agent.llm import LlamaCppModel
from agent.llm_planner import INTENTS, LLMPlanner
from agent.vocabulary import Vocabulary
from catalog.models import Product

VOCAB = Vocabulary.from_products(
    [
        Product(
            "1",
            "Sonora headphones",
            brand="Sonora",
            categories=["Audio", "Headphones"],
            attributes={"type": "over-ear"},
        ),
        Product("2", "Vantis speaker", brand="Vantis", categories=["Audio", "Speakers"]),
    ]
)


class Scripted:
    """A fake chat model that returns fixed text (for the wording only)."""

    name = "scripted"

    def __init__(self, text: str) -> None:
        self.text = text

    def chat(self, messages, max_tokens=256):
        return self.text


def test_valid_json_is_used_and_validated():
    reply = json.dumps(
        {
            "intent": "recommend",
            "category": "headphones",
            "max_price": "120",
            "currency": "USD",
            "brands": ["sonora", "Bose"],
            "exclude_brands": ["Vantis"],
            "ordinals": [1, "x"],
            "cheaper": True,
        }
    )
    p = LLMPlanner(Scripted(f"Sure! {reply}"), VOCAB).parse("Sonora headphones under $120")
    assert p.intent == "recommend" and p.max_price == 120.0 and p.currency == "USD"
    assert p.slots == {
        "category": "Headphones",
        "brands": ["Sonora"],
        "exclude_brands": ["Vantis"],
    }  # unknown brand "Bose" dropped
    assert p.ordinals == [1] and p.cheaper


def test_unusable_output_falls_back_to_rules():
    for text in ("no json here", json.dumps({"intent": "launch_rockets"}), "[1, 2]"):
        planner = LLMPlanner(Scripted(text), VOCAB)
        p = planner.parse("compare the first two")
        assert p.intent == "compare" and p.ordinals == [0, 1] and planner.fallbacks == 1


def test_real_model_output_is_always_valid(qwen_path):
    planner = LLMPlanner(LlamaCppModel(qwen_path, "qwen"), VOCAB)
    for message in ("Sonora headphones under $120", "给我推荐200元以内的音箱"):
        p = planner.parse(message)
        assert p.intent in INTENTS
        assert p.slots.get("category") in (None, "Audio", "Headphones", "Speakers")
        assert set(p.slots.get("brands", [])) <= {"Sonora", "Vantis"}
